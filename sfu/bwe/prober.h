/*
 * prober.h: probe cluster planner and evaluator (libwebrtc's BitrateProber and
 * ProbeBitrateEstimator, draft-ietf-rmcat-gcc-02 leaves probing to the
 * implementation). A cluster is a short burst paced at a given rate (media sent
 * meanwhile counts toward it, padding fills the rest); from the feedback of its
 * packets the prober measures send and receive rate and reports
 * min(send, receive). When the cluster's one-way delay grew (a queue formed:
 * the link could not keep up) the receive rate is taken only over the queued
 * packets, which leave the bottleneck back to back at its rate; packets before
 * that may have passed a token bucket's burst at line rate and say nothing
 * about the rate. Such a result is "limited"; a cluster that lost more than
 * KN_PROBER_MAX_LOSS % of its packets fails (bps 0, limited).
 * Pure and allocation-free; the router sends the padding. Media loop only.
 */
#ifndef KN_PROBER_H
#define KN_PROBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bwe/send_hist.h"

#define KN_PROBER_CLUSTERS   4       /* queued + in flight */
#define KN_PROBER_CLUSTER_US 30000   /* minimum length of a cluster */
#define KN_PROBER_MIN_PKTS   10      /* libwebrtc: 5; more packets, less arrival quantization */
#define KN_PROBER_MIN_BYTES  10000   /* a cluster spans several link quanta at low rates */
#define KN_PROBER_PAD_MIN    1000    /* bytes_due comes in chunks of at least this */
#define KN_PROBER_TIMEOUT_US 1000000 /* result wait after the cluster is sent */
#define KN_PROBER_GAP_US     10000   /* between consecutive clusters */
#define KN_PROBER_AHEAD_US   5000    /* bytes_due lets the sender run this far ahead */
#define KN_PROBER_STALL_US   300000  /* a cluster not filled by then is closed */
#define KN_PROBER_RX_MAX     96      /* received packets kept per cluster for the queue check */
#define KN_PROBER_QUEUED_US  1000    /* delay above the minimum + half the growth: queued */
#define KN_PROBER_GROWTH_US  4000    /* delay growth over the cluster: the link limited it */
#define KN_PROBER_MIN_QUEUED 4       /* queued packets needed to measure the link rate */
#define KN_PROBER_MAX_LOSS   10      /* percent of the cluster's packets */

typedef struct kn_probe_rx {
    int64_t recv_us;
    uint32_t send_off_us; /* send time - the cluster's start */
    uint32_t size;
} kn_probe_rx;

enum { KN_PROBE_FREE = 0, KN_PROBE_QUEUED, KN_PROBE_SENDING, KN_PROBE_SENT };

typedef struct kn_probe_cluster {
    uint8_t state;
    bool exponential; /* start-up probing: a good result plans the next at 2x */
    int16_t id;
    uint32_t bps;
    uint64_t start_us; /* when sending began (SENDING) */
    uint64_t done_us;  /* when the last byte was due (SENT) */
    uint32_t min_bytes;
    uint32_t sent_bytes;
    uint16_t sent_pkts;
    /* from feedback */
    uint16_t fb_pkts; /* reported, received or lost */
    uint16_t rx_pkts;
    uint64_t first_send_us, last_send_us;
    uint32_t send_bytes, last_send_size;
    int64_t first_recv_us, last_recv_us;
    uint32_t recv_bytes, first_recv_size;
    uint16_t n_rx; /* entries in rx (the first KN_PROBER_RX_MAX received) */
    kn_probe_rx rx[KN_PROBER_RX_MAX];
} kn_probe_cluster;

typedef struct kn_prober {
    kn_probe_cluster c[KN_PROBER_CLUSTERS];
    int16_t next_id;
    uint64_t last_done_us;
} kn_prober;

typedef struct kn_probe_result {
    int16_t id;
    bool exponential;
    uint32_t target_bps; /* the cluster's rate */
    uint32_t bps;        /* measured; 0 when the cluster failed (too little feedback,
                            or a queue too short to measure the link by) */
    bool limited;        /* the link limited the cluster (queue grew or packets lost):
                            bps is the link's rate, not a success at the cluster's */
    bool unclear;        /* bps 0 and no rate told: too little feedback, or a delay
                            rise of fewer than KN_PROBER_MIN_QUEUED packets (a
                            timestamp spike as often as a queue) */
} kn_probe_result;

void kn_prober_init(kn_prober *p);

/* Queues a cluster at bps. Returns its id (>= 0), KN_EINVAL for bps == 0,
 * KN_ELIMIT when KN_PROBER_CLUSTERS are queued or waiting for feedback. */
int kn_prober_plan(kn_prober *p, uint32_t bps, bool exponential);

/* Cluster id that packets sent at now_us belong to, or -1. Starts the next
 * queued cluster when the previous one is done plus KN_PROBER_GAP_US. */
int kn_prober_active(kn_prober *p, uint64_t now_us);
/* True if a cluster is queued, sending or waiting for feedback. */
bool kn_prober_busy(const kn_prober *p);

/* Padding bytes to send now to keep the active cluster at its rate (0 if none). */
size_t kn_prober_bytes_due(kn_prober *p, uint64_t now_us);

/* Counts a packet sent for cluster id (media or padding); ends the cluster once
 * it has KN_PROBER_CLUSTER_US worth of bytes and KN_PROBER_MIN_PKTS packets. */
void kn_prober_on_sent(kn_prober *p, int id, uint32_t size, uint64_t now_us);

/* Feeds reported packets; those with a probe_id are accounted to their cluster. */
void kn_prober_on_feedback(kn_prober *p, const kn_bwe_pkt *pk, size_t n);

/* Takes one finished cluster's result (all its packets reported, or timed out)
 * and frees it. Returns 0 and *r, KN_ENOENT when none is finished. */
int kn_prober_take_result(kn_prober *p, uint64_t now_us, kn_probe_result *r);

#endif
