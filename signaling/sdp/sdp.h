/*
 * sdp.h: SDP offer parser (RFC 8866) for the attributes WebRTC uses (RFC 8829,
 * RFC 8839 ICE, RFC 8842 DTLS, RFC 8843 BUNDLE, RFC 8285 extmap, RFC 8851 rid,
 * RFC 8853 simulcast, RFC 5576 ssrc). Pure: no allocation, no globals; every
 * string in the result points into the caller's buffer.
 */
#ifndef KN_SDP_H
#define KN_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KN_SDP_MAX_MEDIA   20 /* a subscribe connection: 8 others x 2 tracks + spare */
#define KN_SDP_MAX_CODECS  48 /* Chrome's default video m-line lists ~40 payload types */
#define KN_SDP_MAX_EXTMAPS 24
#define KN_SDP_MAX_RIDS    4
#define KN_SDP_MAX_SSRCS   8
#define KN_SDP_MAX_FID     4
#define KN_SDP_MAX_BUNDLE  KN_SDP_MAX_MEDIA

typedef struct kn_str {
    const char *p;
    size_t len;
} kn_str;

typedef enum {
    KN_SDP_DIR_NONE = 0, /* not given: sendrecv by default (RFC 8866 §6.7) */
    KN_SDP_SENDRECV,
    KN_SDP_SENDONLY,
    KN_SDP_RECVONLY,
    KN_SDP_INACTIVE
} kn_sdp_dir;

typedef enum { KN_SDP_SETUP_NONE = 0, KN_SDP_ACTPASS, KN_SDP_ACTIVE, KN_SDP_PASSIVE } kn_sdp_setup;
typedef enum { KN_SDP_AUDIO = 1, KN_SDP_VIDEO, KN_SDP_OTHER } kn_sdp_kind;

/* rtcp-fb values the SFU understands, as bits of kn_sdp_codec.fb. */
enum {
    KN_SDP_FB_NACK = 1 << 0,
    KN_SDP_FB_PLI = 1 << 1,
    KN_SDP_FB_FIR = 1 << 2,
    KN_SDP_FB_REMB = 1 << 3,
    KN_SDP_FB_TWCC = 1 << 4
};

typedef struct kn_sdp_codec {
    uint8_t pt;
    bool has_rtpmap;
    uint8_t channels; /* 0 when the rtpmap has no channel count */
    uint32_t clock_rate;
    kn_str name; /* encoding name as written (case varies) */
    kn_str fmtp; /* whole fmtp parameter string, empty if none */
    int apt;     /* fmtp apt= for rtx, else -1 */
    unsigned fb; /* KN_SDP_FB_* */
} kn_sdp_codec;

typedef struct kn_sdp_extmap {
    uint16_t id;
    kn_sdp_dir dir; /* a=extmap:<id>/<direction> (Firefox), NONE if absent */
    kn_str uri;
} kn_sdp_extmap;

typedef struct kn_sdp_rid {
    kn_str id;
    bool send; /* "send" (else "recv") */
} kn_sdp_rid;

typedef struct kn_sdp_ssrc {
    uint32_t ssrc;
    kn_str cname;
    kn_str msid;
} kn_sdp_ssrc;

typedef struct kn_sdp_fid {
    uint32_t ssrc, rtx_ssrc;
} kn_sdp_fid;

typedef struct kn_sdp_creds {
    kn_str ufrag, pwd;
    kn_str fp_alg, fp_value; /* a=fingerprint:<alg> <value> */
    kn_sdp_setup setup;
} kn_sdp_creds;

typedef struct kn_sdp_media {
    kn_sdp_kind kind;
    kn_str type; /* "audio", "video", "application", ... */
    uint16_t port;
    kn_str proto;
    kn_str fmts; /* the m-line's format list as written */
    kn_str mid;
    kn_sdp_dir dir;
    kn_sdp_creds creds; /* media-level ice/fingerprint/setup, empty if absent */
    bool rtcp_mux, rtcp_rsize;
    bool bundle_only; /* a=bundle-only (RFC 8843 §6): port 0 yet BUNDLEd */
    kn_str msid;      /* a=msid value */
    kn_str simulcast; /* a=simulcast value, e.g. "send q;h;f" */
    uint8_t n_codecs, n_extmaps, n_rids, n_ssrcs, n_fids;
    kn_sdp_codec codecs[KN_SDP_MAX_CODECS]; /* in m-line order */
    kn_sdp_extmap extmaps[KN_SDP_MAX_EXTMAPS];
    kn_sdp_rid rids[KN_SDP_MAX_RIDS];
    kn_sdp_ssrc ssrcs[KN_SDP_MAX_SSRCS];
    kn_sdp_fid fids[KN_SDP_MAX_FID];
} kn_sdp_media;

typedef struct kn_sdp {
    uint64_t session_id;
    kn_sdp_creds creds; /* session-level */
    bool ice_lite;
    uint8_t n_bundle, n_media;
    kn_str bundle[KN_SDP_MAX_BUNDLE]; /* mids of the first a=group:BUNDLE */
    kn_sdp_media media[KN_SDP_MAX_MEDIA];
    /* On failure: a static one-line reason and the 1-based line number. */
    const char *error;
    unsigned error_line;
} kn_sdp;

/*
 * Parses an SDP body. Unknown attributes and lines (candidates included) are
 * skipped. Returns 0,
 *   KN_EINVAL for a malformed line or a missing v=0 / m-line,
 *   KN_ELIMIT when a fixed capacity above is exceeded.
 * On failure out->error names the reason; other fields are unspecified.
 */
int kn_sdp_parse(const uint8_t *p, size_t len, kn_sdp *out);

/* The ICE/DTLS parameters that apply to media `m`: media level first, then session. */
kn_sdp_creds kn_sdp_media_creds(const kn_sdp *sdp, const kn_sdp_media *m);

/* Finds `key` in an fmtp string "k1=v1;k2=v2"; returns true and sets *val. */
bool kn_sdp_fmtp_get(kn_str fmtp, const char *key, kn_str *val);

/* Returns the codec with payload type `pt`, or NULL. */
const kn_sdp_codec *kn_sdp_codec_by_pt(const kn_sdp_media *m, unsigned pt);

bool kn_str_eq(kn_str s, const char *lit);
bool kn_str_ieq(kn_str s, const char *lit);

#endif
