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
#define KN_LG_PT_RTX 97 /* viewers only: RTX for VP8 (RFC 4588) */
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

/* One m-line of a remote description, for writing an answer to it. */
typedef struct kn_sdp_mline {
    char kind[12];  /* "audio", "video", "application" */
    char mid[32];
    int pt;         /* first Opus / VP8 payload type of the line, -1 if none */
} kn_sdp_mline;

#define KN_LG_MAX_MLINES 8

typedef struct kn_answer {
    char ufrag[257], pwd[257];
    char fp_alg[16], fp[200];
    char setup[16];          /* "active", "passive" or "" */
    bool has_cand;
    struct sockaddr_in cand; /* first UDP IPv4 candidate */
    int audio_pt, video_pt;  /* from a=rtpmap, -1 if absent */
    int rtx_pt;              /* first rtx/90000 a=rtpmap, -1 if absent */
    unsigned n_ssrcs;
    uint32_t ssrcs[KN_LG_MAX_SSRCS]; /* distinct a=ssrc values in order */
    bool ice_lite;
    int twcc_id, mid_id;     /* extmap ids of transport-cc and sdes:mid, 0 if absent */
    unsigned n_mlines;
    kn_sdp_mline mlines[KN_LG_MAX_MLINES];
} kn_answer;

/* Returns 0, KN_ELIMIT when cap is too small, KN_EINVAL for bad params. */
int kn_offer_write(const kn_offer_params *p, char *buf, size_t cap);

/* Parses an answer (or a server's offer, which carries the same fields).
 * Returns 0, or KN_EPROTO when ufrag, pwd, fingerprint or a UDP candidate is missing. */
int kn_answer_parse(const char *sdp, kn_answer *a);

/* Writes a recvonly answer (a=setup:active: we are the DTLS client) to a server's
 * offer parsed into `offer` (Janus VideoRoom subscriptions): one m-line per offered
 * line, Opus/VP8 accepted with the offer's payload types and the transport-cc and
 * mid extension ids, anything else rejected with port 0.
 * Uses p->ufrag, pwd, fingerprint, ip, port. Returns 0, KN_ELIMIT, or KN_EPROTO when
 * the offer has no line we can receive. */
int kn_sdp_answer_write(const kn_offer_params *p, const kn_answer *offer, char *buf, size_t cap);

#endif
