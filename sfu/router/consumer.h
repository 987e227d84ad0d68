/*
 * consumer.h: one producer forwarded to one subscribing peer. Chooses the
 * encoding (highest active; up only at a keyframe of the target, down at once
 * when the current one stops), rewrites SSRC, sequence number, timestamp,
 * payload type and header extension ids (writing its own mid when the
 * subscriber negotiated sdes:mid), keeps the retransmission ring in its
 * send_stream, and answers NACK / PLI / FIR from its peer. Media loop only;
 * allocates only in kn_consumer_create().
 */
#ifndef KN_CONSUMER_H
#define KN_CONSUMER_H

#include <stdbool.h>
#include <stdint.h>

#include "router/fwd_ext.h"
#include "router/rtp_params.h"
#include "router/send_stream.h"
#include "router/seq_map.h"

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
    int current, target;        /* encoding index, -1 = none */
    kn_seq_map seq;
    kn_send_stream send;
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
/* Re-evaluates the target encoding once in a while (and on stop). */
void kn_consumer_on_tick(kn_consumer *c, uint64_t now_ms);
void kn_consumer_on_nack(kn_consumer *c, const uint16_t *seqs, size_t n);
void kn_consumer_on_keyframe_request(kn_consumer *c, bool fir, uint64_t now_ms);

#endif
