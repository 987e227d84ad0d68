/*
 * ops_http.c: /healthz, /readyz and /metrics (ops_http.h). A /metrics request
 * becomes a scrape: one `metrics` control request per connected SFU and a
 * timer; the response is written when every SFU answered or the timer fired,
 * whichever is first. The scrape outlives its HTTP request when the client
 * goes (op_detach) and is freed once every SFU callback ran and the timer
 * closed.
 */
#include "obs/ops_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "obs/metrics_render.h"
#include "obs/prom.h"

typedef struct scrape scrape;

typedef struct scrape_slot {
    scrape *s;
    unsigned idx;
} scrape_slot;

struct scrape {
    kn_ops *ops;
    kn_http_req *r; /* NULL once answered or the client went */
    uv_timer_t timer;
    unsigned pending; /* SFU callbacks still to come */
    bool answered;
    json_t *results[KN_OPS_MAX_SFUS];
    scrape_slot slots[KN_OPS_MAX_SFUS];
};

void kn_ops_init(kn_ops *o, uv_loop_t *loop, const char *metrics_token, uint32_t timeout_ms) {
    memset(o, 0, sizeof(*o));
    o->loop = loop;
    if (metrics_token != NULL)
        snprintf(o->metrics_token, sizeof(o->metrics_token), "%s", metrics_token);
    o->scrape_timeout_ms = timeout_ms ? timeout_ms : 2000;
    o->start_time_s = (int64_t)time(NULL);
}

bool kn_ops_ready(const kn_ops *o, const char **reason) {
    if (o->draining) {
        *reason = "draining";
        return false;
    }
    for (unsigned i = 0; i < o->n_sfus; i++)
        if (o->sfus[i] != NULL && kn_sfuctl_up(o->sfus[i]))
            return true;
    *reason = "no_sfu";
    return false;
}

static bool get_or_head(kn_http_req *r) {
    if (r->method == KN_HTTP_GET || r->method == KN_HTTP_HEAD)
        return true;
    strcpy(r->allow, "GET, HEAD");
    kn_http_respond_text(r, 405, "method not allowed");
    return false;
}

static void readyz(kn_ops *o, kn_http_req *r) {
    char body[128];
    const char *reason = NULL;
    bool ok = kn_ops_ready(o, &reason);
    int n =
        ok ? snprintf(body, sizeof(body), "{\"status\":\"ready\"}\n")
           : snprintf(body, sizeof(body), "{\"status\":\"not_ready\",\"reason\":\"%s\"}\n", reason);
    kn_http_respond(r, ok ? 200 : 503, "application/json", body, (size_t)n);
}

/* 127.0.0.0/8, ::1 and IPv4-mapped loopback, as lws_get_peer_simple prints them. */
static bool is_loopback(const char *peer) {
    return strncmp(peer, "127.", 4) == 0 || strcmp(peer, "::1") == 0 ||
           strncmp(peer, "::ffff:127.", 11) == 0;
}

static bool metrics_allowed(const kn_ops *o, const kn_http_req *r) {
    if (o->metrics_token[0] == '\0')
        return is_loopback(r->peer);
    size_t n = strlen(o->metrics_token);
    return strncasecmp(r->auth, "Bearer ", 7) == 0 && strlen(r->auth + 7) == n &&
           CRYPTO_memcmp(r->auth + 7, o->metrics_token, n) == 0;
}

static void scrape_free_cb(uv_handle_t *h) {
    scrape *s = h->data;
    for (unsigned i = 0; i < KN_OPS_MAX_SFUS; i++)
        json_decref(s->results[i]);
    free(s);
}

static void scrape_maybe_free(scrape *s) {
    if (s->answered && s->pending == 0 && !uv_is_closing((uv_handle_t *)&s->timer))
        uv_close((uv_handle_t *)&s->timer, scrape_free_cb);
}

static void scrape_answer(scrape *s) {
    kn_prom p;
    size_t len;
    if (s->answered)
        return;
    s->answered = true;
    s->ops->n_scrapes--;
    uv_timer_stop(&s->timer);
    if (s->r == NULL)
        return;
    kn_prom_init(&p);
    kn_metrics_render(s->ops, s->results, &p);
    const char *text = kn_prom_text(&p, &len);
    if (text != NULL)
        kn_http_respond(s->r, 200, KN_PROM_CONTENT_TYPE, text, len);
    else
        kn_http_respond_text(s->r, 500, "out of memory");
    kn_prom_free(&p);
    s->r = NULL;
}

static void on_sfu_metrics(void *arg, int rc, json_t *result, const char *message) {
    scrape_slot *slot = arg;
    scrape *s = slot->s;
    (void)message;
    if (rc == 0 && json_is_object(result) && !s->answered)
        s->results[slot->idx] = json_incref(result);
    s->pending--;
    if (s->pending == 0)
        scrape_answer(s);
    scrape_maybe_free(s);
}

static void on_scrape_timeout(uv_timer_t *t) {
    scrape *s = t->data;
    scrape_answer(s); /* SFUs that did not answer yet are exported as down */
    scrape_maybe_free(s);
}

static void scrape_detach(void *op) {
    scrape *s = op;
    s->r = NULL;
}

static void metrics(kn_ops *o, kn_http_req *r) {
    if (!metrics_allowed(o, r)) {
        kn_http_respond_text(r, o->metrics_token[0] ? 401 : 403,
                             o->metrics_token[0] ? "metrics need the bearer token"
                                                 : "metrics only for loopback clients");
        return;
    }
    scrape *s;
    if (o->n_scrapes >= KN_OPS_MAX_SCRAPES || (s = calloc(1, sizeof(*s))) == NULL) {
        kn_http_respond_text(r, 503, "too many scrapes in flight");
        return;
    }
    s->ops = o;
    s->r = r;
    o->n_scrapes++;
    uv_timer_init(o->loop, &s->timer);
    s->timer.data = s;
    uv_timer_start(&s->timer, on_scrape_timeout, o->scrape_timeout_ms, 0);
    r->op = s;
    r->op_detach = scrape_detach;
    for (unsigned i = 0; i < o->n_sfus; i++) {
        if (o->sfus[i] == NULL || !kn_sfuctl_up(o->sfus[i]))
            continue;
        s->slots[i] = (scrape_slot){s, i};
        if (kn_sfuctl_request(o->sfus[i], "metrics", NULL, on_sfu_metrics, &s->slots[i]) == 0)
            s->pending++;
    }
    if (s->pending == 0) {
        scrape_answer(s);
        scrape_maybe_free(s);
    }
}

bool kn_ops_route(kn_ops *o, kn_http_req *r) {
    if (strcmp(r->path, "/healthz") == 0) {
        if (get_or_head(r))
            kn_http_respond_text(r, 200, "ok");
    } else if (strcmp(r->path, "/readyz") == 0) {
        if (get_or_head(r))
            readyz(o, r);
    } else if (strcmp(r->path, "/metrics") == 0) {
        if (get_or_head(r))
            metrics(o, r);
    } else {
        return false;
    }
    return true;
}
