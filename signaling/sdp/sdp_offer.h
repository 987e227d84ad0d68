/*
 * sdp_offer.h: writes the SFU's offer for a subscribe connection
 * (docs/control-api.md "Offer mode"): ICE-lite, the SFU's ICE/DTLS
 * parameters and candidates, a=setup:actpass, one BUNDLE group over every
 * m-section, and per m-section the consumer's own payload types and extension
 * ids, a=ssrc / a=ssrc-group:FID with the SSRCs consumer.create returned,
 * a=sendonly (a=inactive for a slot whose publisher left) and
 * a=rtcp-xr:rcvr-rtt=all (RFC 3611). Pure: writes into a caller buffer.
 */
#ifndef KN_SDP_OFFER_H
#define KN_SDP_OFFER_H

#include "sdp/sdp_answer.h"

#define KN_SDP_OFFER_MAX_EXTS 4

typedef struct kn_sdp_offer_ext {
    uint16_t id;
    const char *uri;
} kn_sdp_offer_ext;

typedef struct kn_sdp_offer_media {
    kn_sdp_kind kind;   /* audio or video */
    char mid[16];       /* [A-Za-z0-9] */
    bool live;          /* a=sendonly with SSRCs; false: a=inactive, no SSRC */
    uint8_t pt, rtx_pt; /* rtx_pt 0: no RTX */
    const char *codec;  /* rtpmap encoding name: "opus", "VP8", "H264" */
    uint32_t clock_rate;
    uint8_t channels;  /* 0: none in the rtpmap */
    const char *fmtp;  /* NULL or empty: no a=fmtp */
    unsigned fb;       /* KN_SDP_FB_* */
    uint8_t n_exts;
    kn_sdp_offer_ext exts[KN_SDP_OFFER_MAX_EXTS];
    uint32_t ssrc, rtx_ssrc; /* live only; rtx_ssrc 0: none */
    char stream[24];         /* a=msid stream id ([A-Za-z0-9_.-]) */
    char track[72];          /* a=msid track id */
} kn_sdp_offer_media;

typedef struct kn_sdp_offer {
    uint64_t session_id;
    uint64_t version; /* o= session version: +1 per re-offer (RFC 3264 §8) */
    bool rcvr_rtt;
    uint8_t n_media;
    kn_sdp_offer_media media[KN_SDP_MAX_MEDIA];
} kn_sdp_offer;

/*
 * Writes the offer into buf (NUL-terminated) with the ICE/DTLS parameters and
 * candidates of `t` (its media[] is not used). Returns 0 and sets *n (without
 * the NUL), KN_EINVAL when there is no m-section or a live one without SSRC,
 * or KN_ELIMIT when cap is too small.
 */
int kn_sdp_offer_write(const kn_sdp_offer *o, const kn_sdp_answer *t, char *buf, size_t cap,
                       size_t *n);

#endif
