/*
 * rtp_params.h: what signaling tells the SFU about one m-section: kind, mid,
 * codecs with payload types and feedback, header extension ids, encodings.
 * Filled and fully validated by the control API (api/api_params.c) before any
 * producer or consumer exists; plain values, embedded in their owners.
 */
#ifndef KN_RTP_PARAMS_H
#define KN_RTP_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#define KN_MAX_CODECS    8
#define KN_MAX_EXTS      16
#define KN_MAX_ENCODINGS 3
#define KN_ID_MAX        64
#define KN_URI_MAX       128
#define KN_MID_MAX       16
#define KN_RID_MAX       16

enum { KN_KIND_AUDIO, KN_KIND_VIDEO };

enum {
    KN_FB_NACK = 1 << 0,
    KN_FB_PLI = 1 << 1,
    KN_FB_FIR = 1 << 2,
    KN_FB_REMB = 1 << 3,
    KN_FB_TWCC = 1 << 4,
};

enum {
    KN_EXT_OTHER,
    KN_EXT_MID,
    KN_EXT_RID,
    KN_EXT_RRID,
    KN_EXT_TWCC,
    KN_EXT_AUDIO_LEVEL,
};

typedef struct kn_codec {
    uint8_t pt;
    uint8_t rtx_pt; /* 0 = no RTX (payload type 0 is PCMU, never an RTX type here) */
    char name[8];   /* "opus", "VP8", "H264" as spelt in the table */
    uint32_t clock_rate;
    uint8_t channels;
    uint32_t fb; /* KN_FB_* */
} kn_codec;

typedef struct kn_hdrext {
    uint8_t id;
    uint8_t kind; /* KN_EXT_* */
    char uri[KN_URI_MAX + 1];
} kn_hdrext;

typedef struct kn_encoding {
    char rid[KN_RID_MAX + 1]; /* "" = none */
    uint32_t ssrc, rtx_ssrc;  /* 0 = learn */
} kn_encoding;

typedef struct kn_rtp_params {
    int kind;
    char mid[KN_MID_MAX + 1];
    kn_codec codecs[KN_MAX_CODECS];
    unsigned n_codecs;
    kn_hdrext exts[KN_MAX_EXTS];
    unsigned n_exts;
    kn_encoding encodings[KN_MAX_ENCODINGS];
    unsigned n_encodings;
} kn_rtp_params;

/* The id negotiated for an extension kind, 0 if none. */
static inline uint8_t kn_rtp_params_ext_id(const kn_rtp_params *p, int kind) {
    for (unsigned i = 0; i < p->n_exts; i++)
        if (p->exts[i].kind == kind)
            return p->exts[i].id;
    return 0;
}

#endif
