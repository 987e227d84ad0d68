/*
 * peer.h: one WebRTC peer of the load generator: a UDP socket (uv_udp), ICE as
 * the controlling agent with aggressive nomination against an ICE-lite server
 * (RFC 8445 §7.2.2, §8.1.1) or as the controlled agent when the server offered,
 * answering a full-ICE server's checks in both roles, DTLS-SRTP (kn_dtls, client or server by the
 * answer's a=setup), SRTP, and the RTP/RTCP of a publisher (peer_tx.h) or a
 * subscriber (peer_rx.h). Runs on the generator's single libuv loop; setup
 * (the WHIP/WHEP exchange, main.c) happens before the loop starts. A peer
 * allocates only in kn_peer_init (the latency table and histogram).
 */
#ifndef KN_PEER_H
#define KN_PEER_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <uv.h>

#include "clip.h"
#include "dtls/dtls.h"
#include "lat.h"
#include "sdp_offer.h"
#include "srtp/srtp_session.h"

#define KN_PEER_RING 1024      /* publisher retransmission ring, by seq % size */
#define KN_PEER_RX_WINDOW 1024 /* subscriber seq bitmap */
#define KN_PEER_MAX_STREAMS (1 + KN_CLIP_LAYERS)
#define KN_PEER_PENDING_FRAMES 8
#define KN_PEER_TWCC_RING 4096
#define KN_PEER_FREEZE_US 200000 /* see peer_rx.h */

typedef struct kn_ring_ent {
    uint16_t seq;
    uint16_t pic;
    uint32_t ts;
    uint32_t clip_pkt; /* index into the track's packets */
    bool valid;
} kn_ring_ent;

/* One outgoing RTP stream: audio or one simulcast layer. */
typedef struct kn_pub_stream {
    const kn_clip_track *track;
    bool audio;
    uint32_t ssrc;
    uint16_t seq;
    uint16_t pic;            /* VP8 picture id, 15 bits */
    uint32_t ts_base;
    uint64_t frames_sent;    /* ts = ts_base + frames_sent * frame_ticks */
    size_t frame;            /* next clip frame */
    uint64_t next_us;        /* when the next frame is due */
    bool in_frame;           /* paced: a frame is being sent */
    unsigned cur_k;          /* paced: its next packet */
    uint32_t cur_ts;         /* the current frame's RTP timestamp */
    uint64_t pace_next_us;   /* paced: when the next packet may go */
    bool want_key;
    uint32_t packets, octets;
    uint64_t *send_us;       /* per clip packet: time of its last send (latency, lat.h) */
    kn_ring_ent ring[KN_PEER_RING];
} kn_pub_stream;

typedef struct kn_pending_frame {
    uint32_t ts;
    uint32_t start, end; /* extended seqs */
    bool has_start, has_end, done, used, key;
} kn_pending_frame;

/* One incoming RTP stream (by SSRC). Counters with w_ are for the measurement window. */
typedef struct kn_sub_stream {
    uint32_t ssrc;
    bool video;
    bool started;
    uint32_t max_ext;         /* highest extended seq */
    uint32_t first_ext;
    uint64_t received;        /* unique packets */
    uint32_t rr_prior_max;
    uint64_t rr_prior_received;
    double jitter;
    int64_t last_transit;
    uint32_t lsr;             /* of the last SR */
    uint64_t lsr_us;
    uint32_t w_base;          /* max_ext at window start */
    uint64_t w_received, w_frames, w_keyframes, w_freezes, w_freeze_us, w_gen_freezes;
    uint64_t last_frame_us;
    uint32_t last_frame_ts;
    uint32_t last_end_ext;    /* newest marker packet (frame end) seen */
    bool have_end;
    bool have_frame;
    uint64_t last_pli_us;
    uint8_t seen[KN_PEER_RX_WINDOW / 8];
    kn_pending_frame pend[KN_PEER_PENDING_FRAMES];
} kn_sub_stream;

/* The generator's own loop stalls (timer ticks late by more than KN_PEER_STALL_US):
 * set by main.c, read by peer_rx.c so a freeze that overlaps a stall is charged to
 * the generator, not to the server. */
#define KN_PEER_STALL_US 50000
typedef struct kn_peer_stalls {
    uint64_t count;
    uint64_t last_from_us, last_to_us; /* the most recent stall */
} kn_peer_stalls;
extern kn_peer_stalls kn_peer_stall;

typedef struct kn_peer_counters {
    uint64_t pkts_out, bytes_out, pkts_in, bytes_in;
    uint64_t nacks_in, rtx_out, rtx_missed, plis_in, firs_in;
    uint64_t nacks_out, plis_out, rr_out, sr_out, twcc_out;
    uint64_t srtp_errors, rtp_unknown, lat_unmatched;
    uint64_t rtx_in, rtx_padding_in; /* subscriber: RTX retransmissions, padding-only probes */
    uint64_t rtp_unverified;         /* subscriber: RTP counted from the clear header only */
    uint64_t layer_pkts[KN_CLIP_LAYERS]; /* subscriber: video packets matched per clip layer */
} kn_peer_counters;

typedef struct kn_peer kn_peer;

struct kn_peer {
    uv_udp_t udp;              /* socket and sends (uv_udp_try_send) */
    uv_poll_t poll;            /* receives: recvmmsg with kernel timestamps (peer.c) */
    bool poll_init;
    unsigned verify_sample;    /* subscriber: unprotect 1 in N RTP packets (0/1: all) */
    double pace;               /* publisher: video pacing factor x layer bitrate (0: frame bursts) */
    uint32_t rtp_seen;
    unsigned idx;
    bool publisher;
    kn_peer *pub;              /* subscriber: the publisher it watches */
    unsigned room_idx;         /* layout.h */
    uint64_t join_us;          /* subscriber: its signaling request started (joiner.h) */
    uint64_t first_rtp_us;     /* subscriber: first RTP packet decrypted */
    uint64_t first_frame_us;   /* subscriber: first complete video frame */
    struct sockaddr_in local, remote;
    char ufrag[9], pwd[25];
    kn_answer ans;
    char session_url[640];
    /* ICE */
    bool ice_controlled;       /* the server offered (Janus subscriber): it nominates */
    bool check_ok, nominated;  /* our check succeeded; the server sent USE-CANDIDATE */
    bool ice_done;
    uint8_t tid[12];
    uint64_t tie_breaker;
    uint64_t next_check_us;
    /* DTLS / SRTP */
    kn_dtls dtls;
    bool dtls_init;
    kn_srtp_session srtp;
    bool media_ok, failed;
    uint64_t start_us, connected_us;
    uint32_t rtcp_ssrc;
    uint16_t twcc_seq;         /* publisher: next transport-wide seq */
    /* streams */
    kn_pub_stream *tx;         /* publisher: [0] audio, [1..] layers */
    unsigned n_tx;
    kn_sub_stream rx[KN_PEER_MAX_STREAMS];
    unsigned n_rx;
    uint64_t next_rtcp_us, next_twcc_us;
    /* subscriber transport-cc receive state */
    uint64_t twcc_arrival[KN_PEER_TWCC_RING]; /* us + 1, 0 = not received */
    uint32_t twcc_next;        /* next extended seq to report */
    uint32_t twcc_max;         /* highest extended seq received */
    bool twcc_started;
    uint8_t twcc_fb_count;
    kn_lat *lat;               /* subscriber, measurement window only */
    bool in_window;
    uint64_t window_start_us;
    kn_peer_counters c;
};

typedef struct kn_peer_cfg {
    uv_loop_t *loop;
    kn_dtls_ctx *dtls_ctx;
    const kn_clip *clip;
    unsigned n_layers;
    const char *local_ip;
    unsigned verify_sample; /* --verify-sample N (peer_rx.h kn_peer_rx_on_rtp_clear) */
    double pace;            /* --pace F (peer_tx.h) */
} kn_peer_cfg;

/* Binds the socket (local_ip, ephemeral port), makes ICE credentials and, for a
 * publisher, the streams and SSRCs. Returns 0, KN_EIO or KN_ENOMEM. */
int kn_peer_init(kn_peer *p, const kn_peer_cfg *cfg, unsigned idx, bool publisher);

/* Takes the parsed answer: remote address, ICE credentials, DTLS role and fingerprint.
 * Starts receiving. Returns 0, KN_EINVAL/KN_ENOMEM/KN_ECRYPTO from kn_dtls_init. */
int kn_peer_on_answer(kn_peer *p, const kn_peer_cfg *cfg, const kn_answer *ans);

/* Called from the loop's timer: ICE checks, DTLS timers, media and RTCP due by now. */
void kn_peer_tick(kn_peer *p, uint64_t now_us);

/* Starts (or restarts) and ends the measurement window of a peer. */
void kn_peer_window_start(kn_peer *p);
void kn_peer_window_end(kn_peer *p, uint64_t now_us);

/* Encrypts and sends one RTP or RTCP packet in buf (cap >= len + KN_SRTP_MAX_TRAILER). */
void kn_peer_send_srtp(kn_peer *p, uint8_t *buf, size_t len, size_t cap, bool rtcp);

/* Stops the socket and frees what the peer owns; the uv handle closes asynchronously
 * (the peer's storage must live until the loop has run once more). */
void kn_peer_close(kn_peer *p);

uint64_t kn_peer_now_us(void);

#endif
