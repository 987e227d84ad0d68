/*
 * producer.h: one track a peer publishes (audio, or video with up to three
 * simulcast encodings). Owns a recv_stream and a pkt_hist (the one kept copy
 * of each received packet) per encoding and the list of its consumers; coalesces keyframe requests (at most one per KN_PRODUCER_KF_MS).
 * Media loop only; allocates only in kn_producer_create().
 */
#ifndef KN_PRODUCER_H
#define KN_PRODUCER_H

#include <stdbool.h>
#include <stdint.h>

#include "router/dynacast.h"
#include "router/pkt_hist.h"
#include "router/recv_stream.h"
#include "router/rtp_params.h"

typedef struct kn_transport kn_transport;
typedef struct kn_consumer kn_consumer;
typedef struct kn_producer kn_producer;

#define KN_PRODUCER_KF_MS     500
#define KN_PRODUCER_ACTIVE_MS 1000

typedef struct kn_producer_enc {
    kn_encoding params;
    kn_recv_stream rs;
    kn_pkt_hist hist; /* for its consumers' retransmissions */
    bool bound;     /* rs.ssrc is known */
    uint32_t rtx_ssrc;
    uint32_t peak_bps; /* for the REMB cap (transport_pub.c) */
} kn_producer_enc;

typedef struct kn_producer {
    kn_transport *t;
    kn_producer *next; /* in the transport */
    char id[KN_ID_MAX + 1];
    kn_rtp_params params;
    uint8_t mid_id, rid_id, rrid_id, level_id; /* level_id: ssrc-audio-level, audio only */
    kn_producer_enc enc[KN_MAX_ENCODINGS];
    kn_consumer *consumers;
    uint64_t last_kf_req_ms;
    uint8_t kf_pending; /* encodings (bit i) waiting for a keyframe request */
    kn_dynacast dyn;    /* encodings the publisher is asked to send (transport_pub.c) */
} kn_producer;

/* Creates from validated params; routes the SSRCs the params name.
 * Returns 0, KN_ENOMEM, KN_ELIMIT (routing table full). */
int kn_producer_create(kn_transport *t, const char *id, const kn_rtp_params *params,
                       kn_producer **out);
/* Ends its consumers, unroutes its SSRCs, unlinks and frees. */
void kn_producer_destroy(kn_producer *p);

/* The codec for payload type pt, or NULL. */
const kn_codec *kn_producer_codec(const kn_producer *p, uint8_t pt, bool *is_rtx);

/* Plain RTP for encoding enc (after RTX unwrapping). */
void kn_producer_on_rtp(kn_producer *p, unsigned enc, uint8_t *pkt, size_t len, bool rtx,
                        uint64_t now_ms);
/* Request a keyframe from the publisher for encoding enc (coalesced, rate-limited). */
void kn_producer_request_keyframe(kn_producer *p, unsigned enc, uint64_t now_ms);
/* Sends coalesced keyframe requests whose interval has ended. */
void kn_producer_on_tick(kn_producer *p, uint64_t now_ms);
/* True when encoding enc had packets in the last KN_PRODUCER_ACTIVE_MS. */
bool kn_producer_enc_active(const kn_producer *p, unsigned enc, uint64_t now_ms);

#endif
