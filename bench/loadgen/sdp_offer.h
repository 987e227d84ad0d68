/*
 * sdp_offer.h: the load generator's side of WHIP/WHEP offer/answer (RFC 8829
 * shapes, RFC 9725): writes a BUNDLEd audio (Opus) + video (VP8) offer that
 * publishes (sendonly, simulcast rids q/h/f, RFC 8851/8853) or views (recvonly),
 * with the extension ids the benchmark fixes, and reads back the answer's ICE
 * credentials, fingerprint, setup role, UDP host candidate, payload types and
 * SSRCs. Pure string functions; setup only.
 */
#ifndef KN_SDP_OFFER_H
#define KN_SDP_OFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* RTP header extension ids in every offer. */
enum {
    KN_LG_EXT_TWCC = 4,
    KN_LG_EXT_MID = 9,
    KN_LG_EXT_RID = 10,
    KN_LG_EXT_RRID = 11,
    KN_LG_EXT_AUDIO_LEVEL = 12
};

#define KN_LG_PT_OPUS 111
#define KN_LG_PT_VP8 96
#define KN_LG_MAX_SSRCS 8

typedef struct kn_offer_params {
    bool publish;
    const char *ufrag, *pwd;
    const char *fingerprint; /* sha-256 "AB:CD:..." of our DTLS certificate */
    const char *ip;          /* our host candidate */
    uint16_t port;
    uint32_t audio_ssrc;     /* publish only */
    unsigned n_layers;       /* publish only: 1..3 rids q, h, f */
} kn_offer_params;

typedef struct kn_answer {
    char ufrag[257], pwd[257];
    char fp_alg[16], fp[200];
    char setup[16];          /* "active", "passive" or "" */
    bool has_cand;
    struct sockaddr_in cand; /* first UDP IPv4 candidate */
    int audio_pt, video_pt;  /* from a=rtpmap, -1 if absent */
    unsigned n_ssrcs;
    uint32_t ssrcs[KN_LG_MAX_SSRCS]; /* distinct a=ssrc values in order */
    bool ice_lite;
} kn_answer;

/* Returns 0, KN_ELIMIT when cap is too small, KN_EINVAL for bad params. */
int kn_offer_write(const kn_offer_params *p, char *buf, size_t cap);

/* Returns 0, or KN_EPROTO when ufrag, pwd, fingerprint or a UDP candidate is missing. */
int kn_answer_parse(const char *sdp, kn_answer *a);

#endif
