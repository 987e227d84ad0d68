/*
 * lat.c: fixed-bucket latency histogram (see lat.h).
 */
#include "lat.h"

static unsigned bucket(uint64_t us) {
    if (us < 10 * KN_LAT_FINE)
        return (unsigned)(us / 10);
    uint64_t ms = us / 1000 - 20;
    return ms < KN_LAT_COARSE ? KN_LAT_FINE + (unsigned)ms : KN_LAT_BUCKETS - 1;
}

static uint64_t upper_edge(unsigned i) {
    if (i < KN_LAT_FINE)
        return (uint64_t)(i + 1) * 10;
    if (i < KN_LAT_BUCKETS - 1)
        return (uint64_t)(i - KN_LAT_FINE + 21) * 1000;
    return 2000000;
}

void kn_lat_add(kn_lat *h, uint64_t us) {
    h->b[bucket(us)]++;
    h->count++;
}

void kn_lat_merge(kn_lat *dst, const kn_lat *src) {
    for (unsigned i = 0; i < KN_LAT_BUCKETS; i++)
        dst->b[i] += src->b[i];
    dst->count += src->count;
}

uint64_t kn_lat_quantile(const kn_lat *h, double q) {
    if (h->count == 0)
        return 0;
    uint64_t want = (uint64_t)(q * (double)h->count), seen = 0;
    if (want >= h->count)
        want = h->count - 1;
    for (unsigned i = 0; i < KN_LAT_BUCKETS; i++) {
        seen += h->b[i];
        if (seen > want)
            return upper_edge(i);
    }
    return upper_edge(KN_LAT_BUCKETS - 1);
}
