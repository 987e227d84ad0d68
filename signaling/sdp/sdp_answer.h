/*
 * sdp_answer.h: writes the SFU's SDP answer to a parsed WebRTC offer (RFC 8829
 * §5.3): ICE-lite, the SFU's ICE/DTLS parameters and candidates, one BUNDLE
 * group, the chosen codec with its RTX, the feedback and header extensions the
 * SFU supports, rid/simulcast for publishers and a=ssrc lines for viewers.
 * Pure: writes into a caller buffer, allocates nothing.
 */
#ifndef KN_SDP_ANSWER_H
#define KN_SDP_ANSWER_H

#include "sdp/sdp.h"

#define KN_SDP_MAX_CANDIDATES 8

typedef struct kn_sdp_candidate {
    char foundation[33];
    uint32_t priority;
    bool tcp; /* else udp */
    char ip[64];
    uint16_t port;
} kn_sdp_candidate;

typedef struct kn_sdp_answer_media {
    bool accepted;
    int codec;               /* index into the offer media's codecs */
    int rtx;                 /* index of its rtx codec, or -1 */
    uint32_t ssrc, rtx_ssrc; /* sending answers (WHEP) only; rtx_ssrc 0 = none */
} kn_sdp_answer_media;

typedef struct kn_sdp_answer {
    bool sending; /* true: we send (WHEP, a=sendonly); false: we receive (WHIP, a=recvonly) */
    bool rcvr_rtt; /* a=rtcp-xr:rcvr-rtt=all in every accepted m-section (RFC 3611) */
    uint64_t session_id;
    char ice_ufrag[257], ice_pwd[257];
    char fp_alg[16], fp_value[160];
    kn_sdp_setup setup;   /* ours: KN_SDP_PASSIVE or KN_SDP_ACTIVE */
    char msid_stream[65]; /* a=msid stream id for sending answers */
    uint8_t n_candidates;
    kn_sdp_candidate candidates[KN_SDP_MAX_CANDIDATES];
    kn_sdp_answer_media media[KN_SDP_MAX_MEDIA];
} kn_sdp_answer;

/*
 * Chooses the codec the SFU takes from media `m`: Opus/48000/2 for audio; for
 * video VP8, else H.264 with packetization-mode=1 and a constrained-baseline
 * profile-level-id (42e0xx family). Sets *codec and *rtx (-1 if none) to
 * indices in m->codecs. Returns 0, or KN_ENOENT when nothing fits.
 */
int kn_sdp_choose_codec(const kn_sdp_media *m, int *codec, int *rtx);

/* Like kn_sdp_choose_codec but only codec `name` ("opus", "VP8", "H264"). */
int kn_sdp_choose_codec_named(const kn_sdp_media *m, const char *name, int *codec, int *rtx);

/* rtcp-fb bits (KN_SDP_FB_*) the SFU implements for `kind`. */
unsigned kn_sdp_supported_fb(kn_sdp_kind kind);

/* True if the SFU understands the header extension `uri`. */
bool kn_sdp_ext_supported(kn_str uri);

/* Our DTLS setup for an offer's setup: actpass/active/none → passive, passive → active. */
kn_sdp_setup kn_sdp_answer_setup(kn_sdp_setup offered);

/*
 * Writes the answer to `offer` described by `a` into buf (NUL-terminated).
 * Rejected m-lines get port 0. Returns 0 and sets *n (without the NUL), or
 * KN_ELIMIT when cap is too small, or KN_EINVAL if no m-line is accepted.
 */
int kn_sdp_answer_write(const kn_sdp *offer, const kn_sdp_answer *a, char *buf, size_t cap,
                        size_t *n);

#endif
