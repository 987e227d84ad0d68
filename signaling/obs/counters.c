/* counters.c: the counters of counters.h (one static array; signaling loop only). */
#include "obs/counters.h"

static uint64_t counters[KN_OBS_N];
static uint64_t http_classes[6];

void kn_obs_inc(kn_obs_counter which) {
    if ((unsigned)which < KN_OBS_N)
        counters[which]++;
}

uint64_t kn_obs_get(kn_obs_counter which) {
    return (unsigned)which < KN_OBS_N ? counters[which] : 0;
}

void kn_obs_http_response(int status) {
    int cls = status / 100;
    http_classes[cls >= 1 && cls <= 5 ? cls : 5]++;
}

uint64_t kn_obs_http_get(unsigned cls) {
    return cls >= 1 && cls <= 5 ? http_classes[cls] : 0;
}
