/*
 * report.h: the load generator's options, the samples taken at the start and
 * end of the measurement window, and the JSON result line built from them and
 * the peers' counters. The saturation rule lives here: a run whose generator
 * used >= 90 % of its core (CPU seconds / wall seconds over the window) is
 * refused, since its numbers would measure the generator, not the server.
 */
#ifndef KN_REPORT_H
#define KN_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "peer.h"
#include "procstat.h"

#define KN_LG_MAX_PIDS 8
#define KN_LG_SATURATED 0.90
/* A window in which the generator's loop stalled (timer ticks > 50 ms late) this often, or
 * once by this much, is refused too: its peers' sends and receives were held up, so what
 * the subscribers saw says nothing about the server. */
#define KN_LG_MAX_STALLS 3
#define KN_LG_MAX_GAP_US 250000

typedef struct kn_lg_opts {
    const char *server, *secret, *room, *local_ip;
    const char *srtp;  /* any, gcm, cm */
    const char *janus; /* Janus REST base URL, or NULL for Konsil WHIP/WHEP */
    const char *scenario; /* label copied into the result */
    unsigned publishers, subscribers, layers;
    unsigned rooms, room_size; /* layout.h; rooms 0 = fan-out shape */
    int sub_layer;             /* subscribers ask for this simulcast layer (0 = q), -1 = top */
    bool brief;                /* leave out the per-subscriber list */
    unsigned top_kbps;         /* top layer's bitrate over a noisy pattern (clip.h), 0 = default */
    unsigned verify_sample;    /* subscribers unprotect 1 in N RTP packets (peer_rx.h), 0/1 = all */
    double pace;               /* publishers pace video at this x its bitrate (peer_tx.h), 0 = off */
    unsigned tick_ms;          /* the loop's timer period */
    double duration, warmup, connect_timeout, join_spread;
    int cpu;
    pid_t server_pids[KN_LG_MAX_PIDS];
    unsigned n_server_pids;
} kn_lg_opts;

typedef struct kn_lg_sample {
    uint64_t us;
    double self_cpu;
    kn_procstat server[KN_LG_MAX_PIDS];
    kn_netdev net;
    int server_core;            /* the first server PID's only CPU, -1: not pinned */
    double core_busy_s, core_total_s; /* that CPU's /proc/stat times */
    kn_peer_counters gen; /* sums of packets and bytes of all peers */
    uint64_t max_tick_gap_us;
} kn_lg_sample;

/* Prints the result line; returns the exit code: 0, 1 (no window measured or a
 * subscriber never connected) or 3 (saturated: a refusal is printed instead). */
int kn_lg_report(const kn_lg_opts *o, const kn_peer *peers, unsigned n, const kn_lg_sample *a,
                 const kn_lg_sample *b, FILE *out);

#endif
