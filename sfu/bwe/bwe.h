/*
 * bwe.h: send-side bandwidth estimation toward one subscriber transport.
 * Estimators are swappable behind struct kn_bwe_algo (haproxy's quic_cc_algo);
 * kn_bwe is the container the router holds per subscriber transport: it owns
 * the send history (send_hist.h), turns transport-wide CC feedback into
 * per-packet send/arrival pairs for the algorithm, and runs the prober
 * (prober.h). One allocation at kn_bwe_create(), none per packet. Media loop
 * only. Design and numbers: docs/bandwidth.md.
 */
#ifndef KN_BWE_H
#define KN_BWE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bwe/prober.h"
#include "bwe/send_hist.h"
#include "rtp/rtcp_fb.h"

#define KN_BWE_DEFAULT_MIN 30000
#define KN_BWE_HIST_CAP    4096 /* send history entries kn_bwe_create uses by default */
#define KN_BWE_BATCH       512  /* packets handed to an algorithm per on_feedback call */

typedef struct kn_bwe_config {
    uint32_t start_bps; /* first estimate; 0 = 300 kbit/s */
    uint32_t min_bps;   /* 0 = KN_BWE_DEFAULT_MIN */
    uint32_t max_bps;   /* 0 = 20 Mbit/s */
    bool initial_probe; /* probe at 3x and 6x start_bps when created (GCC's start-up) */
} kn_bwe_config;

/*
 * An estimator. State is state_size bytes, zeroed, aligned for any type, owned
 * by the container. Every hook but init and estimate_bps may be NULL when the
 * algorithm ignores that input. Times are the sender's monotonic µs.
 */
struct kn_bwe_algo {
    const char *name;
    size_t state_size;
    void (*init)(void *st, const kn_bwe_config *cfg, uint64_t now_us);
    /* Packets of one feedback message, in seq order, each reported once. */
    void (*on_feedback)(void *st, const kn_bwe_pkt *p, size_t n, uint64_t now_us);
    /* A probe cluster's measured rate (prober.h); may raise the estimate, and
     * a `limited` one (the link's own rate, measured on its queue) lower it. */
    void (*on_probe_result)(void *st, uint32_t bps, bool limited, uint64_t now_us);
    /* REMB from the subscriber (its own receive-side estimate). */
    void (*on_remb)(void *st, uint64_t bps, uint64_t now_us);
    void (*on_rtt)(void *st, uint32_t rtt_us, uint64_t now_us);
    /* RFC 3550 RR report block: fraction lost (8-bit fixed point) over `packets`. */
    void (*on_loss_report)(void *st, uint8_t fraction_lost, uint32_t packets, uint64_t now_us);
    uint32_t (*estimate_bps)(const void *st);
};

extern const struct kn_bwe_algo kn_gcc_algo;  /* bwe/gcc.c */
extern const struct kn_bwe_algo kn_remb_algo; /* bwe/remb.c */

/* Counters for stats. */
typedef struct kn_bwe_stats {
    uint64_t feedbacks;
    uint64_t pkts_received; /* reported received */
    uint64_t pkts_lost;     /* reported lost */
    uint64_t unknown_seq;   /* feedback for seqs not (or no longer) in the history */
    uint64_t probes_sent;
    uint64_t probes_ok; /* clusters with a result */
    uint32_t last_probe_bps;
} kn_bwe_stats;

typedef struct kn_bwe {
    const struct kn_bwe_algo *algo;
    void *st;
    kn_send_hist hist;
    kn_prober prober;
    kn_bwe_pkt *batch; /* KN_BWE_BATCH entries, in the same allocation */
    kn_bwe_config cfg;
    bool have_ref;
    int64_t ref_64ms;           /* unwrapped TWCC reference time of the last feedback */
    uint64_t last_probe_req_us; /* for the backoff of requested probes */
    uint32_t probe_backoff_ms;
    uint32_t probe_wanted_bps;   /* target of the pending requested probe */
    uint32_t last_req_probe_bps; /* result of the last requested probe */
    kn_bwe_stats stats;
} kn_bwe;

/* Looks up an estimator by name ("gcc", "remb"); NULL if unknown. */
const struct kn_bwe_algo *kn_bwe_algo_find(const char *name);

/*
 * Creates the container with algorithm `algo` (kn_bwe_algo_find) and a send
 * history of hist_cap entries (a power of two >= 16; 0 = KN_BWE_HIST_CAP).
 * Returns 0 and *out, KN_EINVAL for a NULL algo, a bad hist_cap or
 * min > max, KN_ENOMEM. The caller frees with kn_bwe_destroy.
 */
int kn_bwe_create(kn_bwe **out, const struct kn_bwe_algo *algo, const kn_bwe_config *cfg,
                  size_t hist_cap, uint64_t now_us);
void kn_bwe_destroy(kn_bwe *b); /* accepts NULL */

/*
 * Every RTP packet sent on the transport with a transport-wide seq (media,
 * RTX, padding), right when it leaves. size = bytes on the wire (SRTP
 * included); padding = a probe padding packet asked for by
 * kn_bwe_probe_bytes_due. Packets sent while a probe cluster is active count
 * toward that cluster.
 */
void kn_bwe_on_packet_sent(kn_bwe *b, uint16_t twcc_seq, size_t size, uint64_t send_us,
                           bool padding);

/* Transport-wide CC feedback parsed by kn_twcc_parse (st[0..n)). */
void kn_bwe_on_twcc(kn_bwe *b, const kn_twcc *hdr, const kn_twcc_status *st, size_t n,
                    uint64_t now_us);
void kn_bwe_on_remb(kn_bwe *b, uint64_t bps, uint64_t now_us);
void kn_bwe_on_rtt(kn_bwe *b, uint32_t rtt_us, uint64_t now_us);
void kn_bwe_on_loss_report(kn_bwe *b, uint8_t fraction_lost, uint32_t packets, uint64_t now_us);

/* The current estimate, clamped to [min_bps, max_bps]. */
uint32_t kn_bwe_estimate_bps(const kn_bwe *b);

/*
 * Asks for a probe cluster at target_bps (e.g. what the allocator needs for
 * its next layer, allocator.h). Backs off after probes that did not reach
 * their target: 2 s, doubling to 8 s; a probe reaching it resets the backoff.
 * Returns 0 when a cluster was planned, KN_ESTATE while backing off or a
 * cluster is pending, KN_EINVAL for 0.
 */
int kn_bwe_request_probe(kn_bwe *b, uint32_t target_bps, uint64_t now_us);

/*
 * Bytes of padding to send now for the active probe cluster (0 when none):
 * the router sends them as padding-only RTP packets (or RTX of recent media)
 * of at most ~1200 bytes, each through kn_bwe_on_packet_sent(padding = true).
 * Poll every few ms while kn_bwe_probe_active() is true.
 */
size_t kn_bwe_probe_bytes_due(kn_bwe *b, uint64_t now_us);
bool kn_bwe_probe_active(const kn_bwe *b, uint64_t now_us);

#endif
