/*
 * lat.h: a fixed latency histogram (10 us buckets to 20 ms, 1 ms buckets to
 * 2 s, one overflow bucket) with percentiles and merging. No allocation.
 *
 * How the load generator measures latency: it is both publisher and subscriber.
 * Every publisher stream remembers, per clip packet, when it last sent it
 * (peer_tx.c). The SFU rewrites SSRC, sequence number, timestamp, picture id and
 * header extensions, but forwards the media bytes after the VP8 descriptor (and
 * whole Opus packets) untouched, so a subscriber hashes those bytes, finds the
 * clip packet (clip.h; packets whose hash is not unique in the clip are skipped)
 * and takes now - that send time of its own publisher. The clip loops every 4 s,
 * far longer than any forwarding delay, so the last send is the one received.
 * Retransmitted and reordered packets (not newer than the highest sequence
 * number seen) are left out, so the figure is the forwarding latency of the
 * normal path: receive-to-send inside the SFU plus two loopback hops.
 */
#ifndef KN_LAT_H
#define KN_LAT_H

#include <stdint.h>

#define KN_LAT_FINE 2000   /* 10 us buckets: 0 .. 20 ms */
#define KN_LAT_COARSE 1980 /* 1 ms buckets: 20 ms .. 2 s */
#define KN_LAT_BUCKETS (KN_LAT_FINE + KN_LAT_COARSE + 1)

typedef struct kn_lat {
    uint64_t count;
    uint32_t b[KN_LAT_BUCKETS];
} kn_lat;

void kn_lat_add(kn_lat *h, uint64_t us);
void kn_lat_merge(kn_lat *dst, const kn_lat *src);
/* Upper edge of the bucket holding quantile q (0..1), in microseconds; 0 when empty. */
uint64_t kn_lat_quantile(const kn_lat *h, double q);

#endif
