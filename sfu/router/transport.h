/*
 * transport.h: one peer's bundled transport: ICE-lite credentials and the
 * selected path (UDP address or ICE-TCP connection), DTLS, SRTP, the SSRC
 * table that routes incoming RTP to producer encodings, and the peer's
 * producers and consumers. transport_on_datagram is the top of the hot path
 * (see transport.c). Media loop only.
 */
#ifndef KN_TRANSPORT_H
#define KN_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dtls/dtls.h"
#include "ice/ice_lite.h"
#include "net/tcp.h"
#include "bwe/remb_cap.h"
#include "bwe/rtx_budget.h"
#include "router/rtp_params.h"
#include "router/twcc_rec.h"
#include "srtp/srtp_session.h"

typedef struct kn_worker kn_worker;
typedef struct kn_transport kn_transport;
typedef struct kn_room kn_room;
typedef struct kn_producer kn_producer;
typedef struct kn_consumer kn_consumer;
typedef struct kn_bwe kn_bwe;

#define KN_TRANSPORT_ADDRS  4  /* remote addresses that passed a check */
#define KN_SSRC_SLOTS       32 /* incoming SSRCs routed per transport */
#define KN_CONSENT_MS       30000
#define KN_XR_RRTR_SLOTS    4 /* receivers whose last RRTR is answered (RFC 3611) */

typedef struct kn_ssrc_route {
    uint32_t ssrc;
    kn_producer *producer; /* NULL = empty slot */
    uint8_t enc;
    bool rtx;
} kn_ssrc_route;

/* The last Receiver Reference Time Report of one receiver SSRC of the peer. */
typedef struct kn_xr_rrtr {
    uint32_t ssrc; /* 0 = empty */
    uint32_t lrr;  /* middle 32 bits of its NTP timestamp */
    uint64_t rx_ntp; /* our NTP time when it arrived */
} kn_xr_rrtr;

typedef struct kn_transport_stats {
    uint64_t rx_packets, rx_bytes, rx_rtp, rx_rtcp, rx_rtx, nacks_sent, plis_sent, firs_sent;
    uint64_t tx_packets, tx_bytes, tx_rtp, tx_rtcp, nacks_received, rtx_sent, plis_received,
        firs_received, twcc_sent, xr_rrtr_received, xr_dlrr_sent, twcc_received, remb_received,
        padding_sent, rtx_limited, rtx_stale, remb_sent;
    uint64_t drop_stun_early, drop_stun_auth, drop_srtp_auth, drop_malformed, drop_unknown_ssrc, drop_pool_empty,
        drop_send;
} kn_transport_stats;

typedef struct kn_transport {
    kn_worker *w;
    kn_room *room;
    kn_transport *next;       /* in the room */
    kn_transport *ufrag_next; /* in the worker's ufrag bucket */
    char id[KN_ID_MAX + 1];
    kn_ice_creds ice;
    char remote_pwd[KN_ICE_REMOTE_MAX + 1];
    struct sockaddr_storage addrs[KN_TRANSPORT_ADDRS];
    unsigned n_addrs;
    struct sockaddr_storage selected; /* ss_family 0 = none yet */
    kn_tcp_conn *tcp;                 /* selected path is this TCP connection */
    bool nominated;
    uint64_t last_check_ms;
    bool remote_set; /* remote ICE/DTLS parameters known (offer mode: after set_remote) */
    kn_dtls dtls;    /* zeroed until remote_set */
    kn_dtls_role role;
    bool dtls_started;
    kn_srtp_session srtp;
    bool srtp_ready;
    bool connected;
    kn_producer *producers;
    kn_consumer *consumers;
    kn_ssrc_route routes[KN_SSRC_SLOTS];
    uint16_t twcc_seq; /* transport-wide sequence for what we send */
    uint8_t twcc_rx_id;   /* publisher's transport-cc extension id, 0 = none */
    uint64_t twcc_fb_ms;  /* last transport-cc feedback sent */
    kn_twcc_rec twcc_rx;  /* arrivals of the publisher's transport-wide seqs */
    uint32_t rtcp_ssrc;
    kn_xr_rrtr rrtr[KN_XR_RRTR_SLOTS]; /* answered with DLRR after each SR */
    kn_bwe *bwe;           /* send-side estimate toward this peer (transport_bwe.h) */
    uint64_t bwe_alloc_ms; /* last allocation round */
    uint32_t alloc_bps;    /* what that round allocated */
    bool probing;          /* served by the worker's probe timer */
    kn_rtx_budget rtx_budget; /* retransmissions within the estimate */
    uint64_t pub_fb_ms;        /* last round toward the publisher (transport_pub.h) */
    kn_remb_cap_tx remb_tx;    /* REMB caps sent to the publisher */
    uint32_t remb_cap_bps;     /* the last cap computed */
    uint32_t rtt_ms;  /* for NACK pacing */
    double rtt_ms_f;  /* as reported in peer.stats */
    kn_transport_stats stats;
} kn_transport;

typedef struct kn_transport_opts {
    const char *id;
    const char *remote_ufrag, *remote_pwd; /* both NULL: the SFU offers (set_remote later) */
    const char *fp_alg, *fp_value;         /* NULL with remote_ufrag */
    kn_dtls_role role;
} kn_transport_opts;

/* Validates and creates a transport in room r. Without remote parameters
 * (o->remote_ufrag NULL) the transport waits for kn_transport_set_remote():
 * checks are dropped (counted as drop_stun_early) and no DTLS exists yet.
 * Returns 0, KN_EEXIST, KN_EINVAL (fingerprint), KN_ENOMEM, KN_ECRYPTO. */
int kn_transport_create(kn_room *r, const kn_transport_opts *o, kn_transport **out);
/* Completes an offer-mode transport with the answer's ICE credentials, DTLS
 * fingerprint and the SFU's role (o->id ignored). Returns 0, KN_ESTATE when
 * the remote side is already known, KN_EINVAL (fingerprint), KN_ENOMEM. */
int kn_transport_set_remote(kn_transport *t, const kn_transport_opts *o);
/* Destroys producers, consumers, DTLS and SRTP, unlinks everything, emits
 * peer.closed with `reason` (NULL: no event). */
void kn_transport_destroy(kn_transport *t, const char *reason);

/* A verified connectivity check arrived from `from` (or on TCP connection c). */
void kn_transport_on_check(kn_transport *t, const struct sockaddr *from, kn_tcp_conn *c,
                           bool use_candidate, uint64_t now_ms);
/* A non-STUN datagram from one of t's addresses. */
void kn_transport_on_datagram(kn_transport *t, uint8_t *data, size_t len, size_t cap);
/* 20 ms tick: DTLS timer, NACKs, consent; returns false if t was destroyed. */
bool kn_transport_on_tick(kn_transport *t, uint64_t now_ms, bool report);

/* Sends plain RTP/RTCP of `len` bytes: copies into a send slot, protects, queues.
 * Returns 0 or a negative code (counted as drop_send). */
int kn_transport_send_rtp(kn_transport *t, const uint8_t *p, size_t len);
/* Forwarded media, retransmissions and probe padding: writes the next
 * transport-wide seq into the element with id twcc_id (0: none), protects buf
 * (cap >= len + KN_SRTP_MAX_TRAILER) in place, queues it and reports it to the
 * estimator. Returns 0 or a negative code (counted as drop_send). */
int kn_transport_send_media(kn_transport *t, uint8_t *buf, size_t len, size_t cap,
                            uint8_t twcc_id, bool padding);
int kn_transport_send_rtcp(kn_transport *t, const uint8_t *p, size_t len);

/* Routing table for incoming SSRCs. */
int kn_transport_route_add(kn_transport *t, uint32_t ssrc, kn_producer *p, unsigned enc, bool rtx);
void kn_transport_route_remove_producer(kn_transport *t, kn_producer *p);

/* Asks the publisher for a keyframe on encoding enc's SSRC (PLI, or FIR). */
void kn_transport_request_keyframe(kn_transport *t, uint32_t media_ssrc, uint32_t fb);

/* "ip:port" of the selected path. */
void kn_transport_remote_str(const kn_transport *t, char *out, size_t cap);

#endif
