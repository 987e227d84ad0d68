/*
 * joiner.h: sets up subscriber peers from a helper thread while the media loop
 * runs, so publishers keep sending and earlier subscribers keep receiving during
 * a join (and a join storm can be timed). The thread calls a blocking signaling
 * function (WHEP POST or the Janus subscribe exchange) per peer, spaced evenly
 * over `spread_s` seconds (0: back to back), stamps the peer's join_us just
 * before it, and hands each answer to the loop through a uv_async; the loop side
 * applies it (kn_peer_on_answer) or marks the peer failed. Only the loop thread
 * touches a peer after its join was handed over.
 */
#ifndef KN_JOINER_H
#define KN_JOINER_H

#include <pthread.h>
#include <stdbool.h>

#include <uv.h>

#include "peer.h"
#include "sdp_offer.h"

/* Blocking: signals peer p (thread side) and fills *ans with what kn_peer_on_answer takes. */
typedef int (*kn_join_fn)(void *ctx, kn_peer *p, kn_answer *ans);

typedef struct kn_joiner {
    uv_async_t async;
    pthread_t thread;
    pthread_mutex_t mu;
    const kn_peer_cfg *cfg;
    kn_peer *peers;
    unsigned from, to;   /* peers[from..to) */
    double spread_s;
    kn_join_fn fn;
    void *ctx;
    kn_answer *answers;  /* by peer - from */
    int *results;        /* by peer - from */
    unsigned *queue;     /* peer indexes signalled, not yet applied (guarded by mu) */
    unsigned n_queue;
    bool thread_done;    /* guarded by mu */
    bool running;
    unsigned applied;    /* loop side: joins handed over and applied */
    unsigned failed;     /* loop side */
} kn_joiner;

/* Starts the thread. Returns 0, KN_ENOMEM or KN_EIO. */
int kn_joiner_start(kn_joiner *j, uv_loop_t *loop, const kn_peer_cfg *cfg, kn_peer *peers,
                    unsigned from, unsigned to, double spread_s, kn_join_fn fn, void *ctx);

/* Loop side: true when every peer's join was handed over and applied. */
bool kn_joiner_done(const kn_joiner *j);

/* Joins the thread, closes the async handle (the loop must run once more) and frees. */
void kn_joiner_stop(kn_joiner *j);

#endif
