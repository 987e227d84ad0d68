/*
 * consumer.h: one producer forwarded to one subscribing peer. Chooses the
 * encoding and VP8 temporal layers (layer_sel.h: preferences, allocator cap,
 * switches at keyframes), rewrites SSRC, sequence number, timestamp, VP8
 * picture id / TL0PICIDX (vp8_map.h), payload type and header extension ids
 * (writing its own mid when the subscriber negotiated sdes:mid), records in
 * its send_stream how each packet was built (no copy: the original stays once
 * in the producer's pkt_hist) and answers NACK / PLI / FIR from its peer. Media loop only; allocates only in kn_consumer_create().
 */
#ifndef KN_CONSUMER_H
#define KN_CONSUMER_H

#include <stdbool.h>
#include <stdint.h>

#include "bwe/allocator.h"
#include "router/fwd_ext.h"
#include "router/layer_sel.h"
#include "router/rtp_params.h"
#include "router/send_stream.h"
#include "router/seq_map.h"
#include "router/vp8_map.h"

typedef struct kn_transport kn_transport;
typedef struct kn_producer kn_producer;
typedef struct kn_consumer kn_consumer;

typedef struct kn_consumer {
    kn_transport *t;
    kn_producer *producer;
    kn_consumer *next;          /* in the transport */
    kn_consumer *next_of_prod;  /* in the producer */
    char id[KN_ID_MAX + 1];
    kn_rtp_params params;
    uint8_t pt_map[128];        /* producer pt → consumer pt, 0xff = drop */
    uint8_t ext_map[256];       /* producer ext id → consumer id, 0 = drop */
    uint8_t twcc_id;            /* consumer's transport-cc id, 0 = none */
    kn_fwd_ext fwd;             /* ext_map plus the consumer's own sdes:mid */
    uint32_t clock_hz;
    bool nack;                  /* peer negotiated nack: keep a ring */
    bool vp8;                   /* the forwarded codec is VP8: picture ids, TIDs */
    kn_layer_sel sel;           /* encoding / temporal layer choice */
    kn_vp8_map vmap;
    uint64_t last_kf_req_ms;    /* keyframe asked for the target (rate limit) */
    kn_seq_map seq;
    kn_send_stream send;
    kn_alloc_consumer alloc;    /* bandwidth allocator state (transport_bwe.c) */
    uint64_t plis_received, firs_received;
} kn_consumer;

/* Creates from validated params (codec names must match the producer's).
 * Returns 0, KN_EINVAL (no common codec), KN_ENOMEM. */
int kn_consumer_create(kn_transport *t, kn_producer *p, const char *id,
                       const kn_rtp_params *params, kn_consumer **out);
/* Unlinks from transport and producer and frees. */
void kn_consumer_destroy(kn_consumer *c);

void kn_consumer_on_rtp(kn_consumer *c, unsigned enc, const uint8_t *pkt, size_t len,
                        bool keyframe, uint64_t now_ms);
/* Re-evaluates the target encoding (every tick); emits consumer.layers_changed
 * when the current or target layers changed. */
void kn_consumer_on_tick(kn_consumer *c, uint64_t now_ms);
/* consumer.set_preferences (validated: 0..KN_LAYER_MAX_*). */
void kn_consumer_set_preferences(kn_consumer *c, uint8_t max_spatial, uint8_t max_temporal,
                                 bool paused, uint64_t now_ms);
/* The allocator's cap on the spatial layer (KN_LAYER_MAX_SPATIAL = none). */
void kn_consumer_set_cap(kn_consumer *c, uint8_t max_spatial, uint64_t now_ms);
void kn_consumer_on_nack(kn_consumer *c, const uint16_t *seqs, size_t n);
void kn_consumer_on_keyframe_request(kn_consumer *c, bool fir, uint64_t now_ms);

#endif
