/*
 * joiner.c: subscriber setup on a helper thread (see joiner.h).
 */
#include "joiner.h"

#include <stdlib.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"

static void sleep_until_us(uint64_t t) {
    uint64_t now = kn_peer_now_us();
    if (t <= now)
        return;
    struct timespec ts = {.tv_sec = (time_t)((t - now) / 1000000),
                          .tv_nsec = (long)((t - now) % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static void *joiner_main(void *arg) {
    kn_joiner *j = arg;
    unsigned n = j->to - j->from;
    uint64_t t0 = kn_peer_now_us();
    for (unsigned k = 0; k < n; k++) {
        sleep_until_us(t0 + (uint64_t)(j->spread_s * 1e6 * k / n));
        kn_peer *p = &j->peers[j->from + k];
        p->join_us = kn_peer_now_us();
        j->results[k] = j->fn(j->ctx, p, &j->answers[k]);
        pthread_mutex_lock(&j->mu);
        j->queue[j->n_queue++] = k;
        pthread_mutex_unlock(&j->mu);
        uv_async_send(&j->async);
    }
    pthread_mutex_lock(&j->mu);
    j->thread_done = true;
    pthread_mutex_unlock(&j->mu);
    uv_async_send(&j->async);
    return NULL;
}

/* Loop side: apply every handed-over answer. */
static void on_async(uv_async_t *a) {
    kn_joiner *j = a->data;
    pthread_mutex_lock(&j->mu);
    for (unsigned q = 0; q < j->n_queue; q++) {
        unsigned k = j->queue[q];
        kn_peer *p = &j->peers[j->from + k];
        int rc = j->results[k];
        if (rc == 0)
            rc = kn_peer_on_answer(p, j->cfg, &j->answers[k]);
        if (rc != 0) {
            kn_log(KN_LOG_ERROR, "loadgen", "peer %u: join failed: %s", p->idx, kn_strerror(rc));
            p->failed = true;
            j->failed++;
        }
        j->applied++;
    }
    j->n_queue = 0;
    pthread_mutex_unlock(&j->mu);
}

int kn_joiner_start(kn_joiner *j, uv_loop_t *loop, const kn_peer_cfg *cfg, kn_peer *peers,
                    unsigned from, unsigned to, double spread_s, kn_join_fn fn, void *ctx) {
    unsigned n = to - from;
    *j = (kn_joiner){.cfg = cfg, .peers = peers, .from = from, .to = to, .spread_s = spread_s,
                     .fn = fn, .ctx = ctx};
    j->answers = calloc(n ? n : 1, sizeof(*j->answers));
    j->results = calloc(n ? n : 1, sizeof(*j->results));
    j->queue = calloc(n ? n : 1, sizeof(*j->queue));
    if (!j->answers || !j->results || !j->queue)
        return KN_ENOMEM;
    if (pthread_mutex_init(&j->mu, NULL) != 0 || uv_async_init(loop, &j->async, on_async) != 0)
        return KN_EIO;
    j->async.data = j;
    if (pthread_create(&j->thread, NULL, joiner_main, j) != 0)
        return KN_EIO;
    j->running = true;
    return 0;
}

bool kn_joiner_done(const kn_joiner *j) {
    return j->applied == j->to - j->from;
}

void kn_joiner_stop(kn_joiner *j) {
    if (j->running)
        pthread_join(j->thread, NULL);
    j->running = false;
    if (j->async.loop && !uv_is_closing((uv_handle_t *)&j->async))
        uv_close((uv_handle_t *)&j->async, NULL);
    free(j->answers);
    free(j->results);
    free(j->queue);
    j->answers = NULL;
    j->results = NULL;
    j->queue = NULL;
}
