/*
 * drain.c: SIGTERM drain (drain.h): a 1 s timer over the hub's rooms and the
 * WHIP registry's sessions, bounded by KONSIL_DRAIN_TIMEOUT.
 */
#include "obs/drain.h"

#include "core/log.h"
#include "room/hub.h"
#include "whip/whip.h"

#define KN_DRAIN_CHECK_MS 1000

unsigned kn_drain_remaining(const kn_ops *ops) {
    unsigned n = 0;
    if (ops->hub != NULL)
        n += ops->hub->n_rooms;
    if (ops->whip != NULL)
        n += ops->whip->reg.n_sessions;
    return n;
}

static void on_check(uv_timer_t *t) {
    kn_drain *d = t->data;
    unsigned left = kn_drain_remaining(d->ops);
    bool timed_out = uv_now(t->loop) >= d->deadline_ms;
    if (d->finished || (left > 0 && !timed_out))
        return;
    d->finished = true;
    uv_timer_stop(t);
    if (left > 0)
        KN_LOG_WARN("main", "drain deadline reached with %u room(s) or session(s) running", left);
    else
        KN_LOG_INFO("main", "drain complete: no rooms or sessions left");
    d->done(d->arg, left > 0);
}

void kn_drain_start(kn_drain *d, uv_loop_t *loop, kn_ops *ops, uint32_t timeout_s,
                    void (*done)(void *arg, bool timed_out), void *arg) {
    d->ops = ops;
    d->done = done;
    d->arg = arg;
    d->finished = false;
    d->deadline_ms = uv_now(loop) + (uint64_t)timeout_s * 1000;
    ops->draining = true;
    if (ops->hub != NULL)
        ops->hub->draining = true;
    KN_LOG_INFO("main", "draining: no new rooms; %u room(s) or session(s) running, deadline %u s",
                kn_drain_remaining(ops), timeout_s);
    uv_timer_init(loop, &d->timer);
    d->timer.data = d;
    d->started = true;
    uv_timer_start(&d->timer, on_check, 0, KN_DRAIN_CHECK_MS);
}

void kn_drain_close(kn_drain *d) {
    if (d->started && !uv_is_closing((uv_handle_t *)&d->timer))
        uv_close((uv_handle_t *)&d->timer, NULL);
}
