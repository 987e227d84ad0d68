/*
 * twcc_rec.h: the receive side of transport-wide congestion control
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01): records the arrival
 * time of every transport-wide sequence number a publisher sends and writes
 * RTPFB FMT 15 feedback (rtp/rtcp_fb.h's kn_twcc_write) for what arrived since
 * the last feedback, so the publisher's own estimator (Chrome's GCC) can ramp
 * up. One per transport; fixed ring, allocates nothing. Media loop only.
 */
#ifndef KN_TWCC_REC_H
#define KN_TWCC_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KN_TWCC_REC_WINDOW 1024 /* sequence numbers kept; a power of two */
#define KN_TWCC_REC_MAX_FB 300  /* statuses per feedback packet (fits one MTU) */
#define KN_TWCC_FB_MS      50   /* feedback interval */

typedef struct kn_twcc_rec {
    bool started;
    int64_t next;        /* unwrapped seq the next feedback starts at */
    int64_t highest;     /* highest unwrapped seq received */
    uint64_t t0_us;      /* arrival of the first packet: times are relative to it */
    uint32_t media_ssrc; /* SSRC of the latest recorded packet */
    uint8_t fb_count;
    uint64_t arrival_us[KN_TWCC_REC_WINDOW]; /* relative arrival + 1; 0 = not received */
} kn_twcc_rec;

void kn_twcc_rec_init(kn_twcc_rec *r);

/* Records that transport-wide seq arrived at now_us (monotonic microseconds).
 * Sequence numbers already reported, or older than the window, are ignored. */
void kn_twcc_rec_on_packet(kn_twcc_rec *r, uint16_t seq, uint32_t media_ssrc, uint64_t now_us);

/*
 * Writes one feedback packet for the sequence numbers from the last feedback up
 * to the highest received (at most KN_TWCC_REC_MAX_FB; the rest go in the next
 * one) and advances past them.
 * Returns 0 and *n (0 when nothing arrived since the last feedback),
 *   KN_ELIMIT if cap is too small (nothing consumed).
 */
int kn_twcc_rec_write(kn_twcc_rec *r, uint32_t sender_ssrc, uint8_t *buf, size_t cap, size_t *n);

#endif
