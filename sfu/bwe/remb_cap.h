/*
 * remb_cap.h: the REMB cap the SFU sends to one publisher
 * (draft-alvestrand-rmcat-remb-03): at most what its subscribers can use and
 * at most a configured maximum, and the rate limit for sending it. A video
 * producer whose every encoding some consumer needs (dynacast.h) adds no
 * limit of its own: the publisher's own estimator decides. One with unneeded
 * encodings is held to KN_REMB_CAP_HEADROOM x the peak rates of the needed
 * ones, so a publisher that does not pause encodings itself (no dynacast
 * client, WHIP) lets its encoder drop the top layers (libwebrtc enables
 * simulcast layers bottom-up within its target bitrate). Never below the
 * lowest layer's rate plus audio. The caller leaves a producer without
 * consumers unlimited (needed = all). Pure functions; nothing allocates.
 */
#ifndef KN_REMB_CAP_H
#define KN_REMB_CAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define KN_REMB_CAP_LAYERS      4
#define KN_REMB_CAP_HEADROOM    150 /* percent of the needed layers' peak rates */
#define KN_REMB_CAP_MIN_BPS     100000  /* below this a video call is not usable */
#define KN_REMB_CAP_DEFAULT_MAX 10000000 /* no configured maximum: far above any layer set */
#define KN_REMB_CAP_INTERVAL_MS 1000 /* a REMB at least this often once one was sent */
#define KN_REMB_CAP_MIN_GAP_MS  200  /* increases / small changes at most this often */
#define KN_REMB_CAP_DROP_PCT    97   /* a cap below 97 % of the last sent one goes at once */

/* One producer of the publisher. */
typedef struct kn_remb_cap_src {
    bool audio;
    uint8_t n;        /* encodings (1 for audio) */
    uint8_t needed;   /* bit i: a consumer needs encoding i (video) */
    uint32_t peak_bps[KN_REMB_CAP_LAYERS]; /* 0 = never measured */
} kn_remb_cap_src;

/* The cap over the n producers of one publisher, in [KN_REMB_CAP_MIN_BPS,
 * max_bps] (max_bps 0: KN_REMB_CAP_DEFAULT_MAX). A needed encoding without a
 * measured rate makes its producer unlimited (its rate is unknown). */
uint32_t kn_remb_cap_compute(const kn_remb_cap_src *src, size_t n, uint32_t max_bps);

/* Send state of one publisher's REMBs. */
typedef struct kn_remb_cap_tx {
    uint32_t sent_bps; /* 0 = none sent yet */
    uint64_t sent_ms;
} kn_remb_cap_tx;

/* True when a REMB carrying bps is due now (the first, a drop below
 * KN_REMB_CAP_DROP_PCT % of the last, another change after
 * KN_REMB_CAP_MIN_GAP_MS, or KN_REMB_CAP_INTERVAL_MS since the last); then
 * records it as sent. */
bool kn_remb_cap_due(kn_remb_cap_tx *tx, uint32_t bps, uint64_t now_ms);

#endif
