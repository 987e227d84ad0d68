/*
 * worker.c: process-wide media state: sockets, lookups by ufrag and by remote
 * address, the first-byte demux (RFC 7983) and STUN handling before a packet
 * reaches its transport, and the 20 ms tick.
 *
 * The tick rides on packet batches: once it is due, the end of the next
 * receive batch runs it. Its timer is only a backstop one period after the
 * due time (audio alone arrives every 20 ms), so a worker with traffic does
 * not wake up for the tick alone (a wake-up costs ~50 µs of CPU on this
 * machine type; at one subscriber 96-103 wake-ups/s became ~79). Loss is
 * NACKed from the tick, which is thus at most 40 ms late at the lowest rates.
 */
#include "router/worker.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_server.h"
#include "core/err.h"
#include "core/log.h"
#include "ice/ice_lite.h"
#include "router/room.h"
#include "router/transport.h"
#include "router/transport_bwe.h"
#include "rtp/demux.h"

#define TICK_MS       20
#define TICK_SLACK_MS TICK_MS
#define REPORT_MS     1000

static kn_log_limit stun_limit;

uint64_t kn_worker_now(const kn_worker *w) {
    return uv_now(w->loop);
}

static unsigned ufrag_hash(const char *s, size_t n) {
    unsigned h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h % KN_UFRAG_BUCKETS;
}

void kn_worker_add_ufrag(kn_worker *w, kn_transport *t) {
    unsigned h = ufrag_hash(t->ice.ufrag, strlen(t->ice.ufrag));
    t->ufrag_next = w->ufrags[h];
    w->ufrags[h] = t;
}

void kn_worker_remove_ufrag(kn_worker *w, kn_transport *t) {
    kn_transport **pp = &w->ufrags[ufrag_hash(t->ice.ufrag, strlen(t->ice.ufrag))];
    while (*pp != NULL && *pp != t)
        pp = &(*pp)->ufrag_next;
    if (*pp == t)
        *pp = t->ufrag_next;
}

static kn_transport *find_ufrag(kn_worker *w, const char *u, size_t n) {
    for (kn_transport *t = w->ufrags[ufrag_hash(u, n)]; t != NULL; t = t->ufrag_next)
        if (strlen(t->ice.ufrag) == n && memcmp(t->ice.ufrag, u, n) == 0)
            return t;
    return NULL;
}

static unsigned addr_hash(const struct sockaddr *a) {
    const uint8_t *k;
    size_t n;
    uint16_t port;
    if (a->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)a;
        k = (const uint8_t *)&in->sin_addr;
        n = 4;
        port = in->sin_port;
    } else {
        const struct sockaddr_in6 *in6 = (const void *)a;
        k = (const uint8_t *)&in6->sin6_addr;
        n = 16;
        port = in6->sin6_port;
    }
    unsigned h = 2166136261u ^ port;
    for (size_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 16777619u;
    return h % KN_ADDR_SLOTS;
}

static bool addr_eq(const struct sockaddr_storage *a, const struct sockaddr *b) {
    if (a->ss_family != b->sa_family)
        return false;
    if (b->sa_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
    return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

static kn_addr_entry *addr_slot(kn_worker *w, const struct sockaddr *a, bool for_insert) {
    kn_addr_entry *tomb = NULL;
    if (a->sa_family != AF_INET && a->sa_family != AF_INET6)
        return NULL;
    for (unsigned i = 0, h = addr_hash(a); i < KN_ADDR_SLOTS; i++, h = (h + 1) % KN_ADDR_SLOTS) {
        kn_addr_entry *e = &w->addrs[h];
        if (e->addr.ss_family == 0) {
            if (!e->tomb)
                return for_insert ? (tomb ? tomb : e) : NULL;
            if (tomb == NULL)
                tomb = e;
            continue;
        }
        if (addr_eq(&e->addr, a))
            return e;
    }
    return for_insert ? tomb : NULL;
}

int kn_worker_addr_set(kn_worker *w, const struct sockaddr *addr, kn_transport *t) {
    kn_addr_entry *e = addr_slot(w, addr, true);
    if (e == NULL || (e->addr.ss_family == 0 && w->n_addrs >= KN_ADDR_SLOTS / 2))
        return KN_ELIMIT;
    if (e->addr.ss_family == 0) {
        w->n_addrs++;
        memset(&e->addr, 0, sizeof(e->addr));
        memcpy(&e->addr, addr,
               addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                           : sizeof(struct sockaddr_in));
    } else if (e->t != t) {
        /* The address moved to another peer (a NAT rebinding): the old owner forgets it. */
        kn_transport *old = e->t;
        for (unsigned i = 0; i < old->n_addrs; i++)
            if (addr_eq(&old->addrs[i], addr)) {
                old->addrs[i] = old->addrs[--old->n_addrs];
                break;
            }
    }
    e->t = t;
    e->tomb = false;
    return 0;
}

void kn_worker_addr_remove(kn_worker *w, const struct sockaddr *addr) {
    kn_addr_entry *e = addr_slot(w, addr, false);
    if (e == NULL)
        return;
    e->addr.ss_family = 0;
    e->t = NULL;
    e->tomb = true;
    w->n_addrs--;
}

kn_transport *kn_worker_addr_find(kn_worker *w, const struct sockaddr *addr) {
    kn_addr_entry *e = addr_slot(w, addr, false);
    return e ? e->t : NULL;
}

kn_room *kn_worker_find_room(kn_worker *w, const char *id) {
    for (kn_room *r = w->rooms; r != NULL; r = r->next)
        if (strcmp(r->id, id) == 0)
            return r;
    return NULL;
}

void kn_worker_link_room(kn_worker *w, kn_room *r) {
    r->next = w->rooms;
    w->rooms = r;
    w->n_rooms++;
}

void kn_worker_unlink_room(kn_worker *w, kn_room *r) {
    kn_room **pp = &w->rooms;
    while (*pp != NULL && *pp != r)
        pp = &(*pp)->next;
    if (*pp == r) {
        *pp = r->next;
        w->n_rooms--;
    }
}

void kn_worker_emit(kn_worker *w, const char *name, void *params) {
    if (w->api != NULL && params != NULL)
        kn_api_server_emit(w->api, name, params);
    else
        json_decref(params);
}

static void send_stun_reply(kn_worker *w, const struct sockaddr *to, kn_tcp_conn *conn,
                            const uint8_t *p, size_t n) {
    if (conn != NULL) {
        kn_tcp_send(conn, p, n);
        return;
    }
    uint8_t *slot = kn_udp_reserve(&w->udp);
    if (slot == NULL)
        return;
    memcpy(slot, p, n);
    kn_udp_commit(&w->udp, n, to);
}

/* Only a check that verifies against a known peer's credentials gets an
 * answer or changes state; everything else is counted and dropped. */
static void worker_on_stun(kn_worker *w, const struct sockaddr *from, kn_tcp_conn *conn,
                           const uint8_t *p, size_t len) {
    kn_stun msg;
    const char *ufrag;
    size_t ufrag_len, n;
    uint8_t out[512];
    int rc = kn_ice_lite_parse_check(p, len, &msg, &ufrag, &ufrag_len);
    if (rc != 0) {
        w->stats.stun_malformed++;
        return;
    }
    kn_transport *t = find_ufrag(w, ufrag, ufrag_len);
    if (t == NULL) {
        w->stats.stun_unknown_ufrag++;
        kn_log_ratelimited(&stun_limit, KN_LOG_DEBUG, "ice", "check for an unknown ufrag");
        return;
    }
    if (!t->remote_set) { /* the SFU offered; the answer has not come: its checks retry */
        t->stats.drop_stun_early++;
        return;
    }
    if (kn_ice_lite_verify(p, len, &msg, &t->ice) != 0) {
        w->stats.stun_auth_failed++;
        t->stats.drop_stun_auth++;
        return;
    }
    if (kn_ice_lite_respond(p, &msg, &t->ice, conn ? (struct sockaddr *)&conn->peer : from, out,
                            sizeof(out), &n) != 0)
        return;
    send_stun_reply(w, from, conn, out, n);
    kn_transport_on_check(t, from, conn, msg.use_candidate, kn_worker_now(w));
}

void kn_worker_on_packet(kn_worker *w, const struct sockaddr *from, kn_tcp_conn *conn,
                         uint8_t *data, size_t len, size_t cap) {
    kn_demux_kind kind = kn_demux_classify(data, len);
    if (kind == KN_DEMUX_STUN) {
        worker_on_stun(w, from, conn, data, len);
        return;
    }
    if (kind != KN_DEMUX_DTLS && kind != KN_DEMUX_RTP) {
        w->stats.unknown_kind++;
        return;
    }
    kn_transport *t = conn != NULL ? conn->owner : kn_worker_addr_find(w, from);
    if (t == NULL) {
        w->stats.unknown_addr++;
        return;
    }
    kn_transport_on_datagram(t, data, len, cap);
}

static void on_tick_timer(uv_timer_t *timer);

static void on_udp(void *arg, const struct sockaddr *from, uint8_t *data, size_t len,
                   size_t cap) {
    kn_worker_on_packet(arg, from, NULL, data, len, cap);
}

static void on_tcp_frame(void *arg, kn_tcp_conn *c, uint8_t *data, size_t len, size_t cap) {
    kn_worker_on_packet(arg, (struct sockaddr *)&c->peer, c, data, len, cap);
}

static void on_tcp_lost(void *arg, kn_tcp_conn *c, void *owner) {
    kn_transport *t = owner;
    (void)arg;
    if (t->tcp == c) {
        t->tcp = NULL;
        kn_transport_destroy(t, "tcp");
    }
}

static void run_tick(kn_worker *w) {
    uint64_t now = kn_worker_now(w);
    bool report = now >= w->next_report_ms;
    if (report)
        w->next_report_ms = now + REPORT_MS;
    w->next_tick_ms = now + TICK_MS;
    uv_timer_start(&w->tick, on_tick_timer, TICK_MS + TICK_SLACK_MS, 0);
    for (kn_room *r = w->rooms; r != NULL; r = r->next) {
        kn_transport *t = r->transports;
        while (t != NULL) {
            kn_transport *next = t->next;
            kn_transport_on_tick(t, now, report);
            t = next;
        }
        kn_room_on_tick(r, now);
    }
}

static void on_tick_timer(uv_timer_t *timer) {
    run_tick(timer->data);
}

static void on_udp_batch(void *arg) {
    kn_worker *w = arg;
    if (kn_worker_now(w) >= w->next_tick_ms)
        run_tick(w);
}

static void on_probe(uv_timer_t *timer) {
    kn_worker *w = timer->data;
    bool active = false;
    for (kn_room *r = w->rooms; r != NULL; r = r->next)
        for (kn_transport *t = r->transports; t != NULL; t = t->next)
            if (t->probing) {
                t->probing = kn_transport_bwe_on_probe_timer(t);
                active = active || t->probing;
            }
    if (!active)
        uv_timer_stop(timer);
}

void kn_worker_probe_start(kn_worker *w) {
    if (!uv_is_active((uv_handle_t *)&w->probe))
        uv_timer_start(&w->probe, on_probe, KN_BWE_PROBE_MS, KN_BWE_PROBE_MS);
}

int kn_worker_init(kn_worker *w, uv_loop_t *loop, const char *bind_ip, uint16_t port,
                   const char *announce_ip, uint32_t pool_packets) {
    int rc = KN_ENOMEM;
    bool udp_up = false;

    memset(w, 0, sizeof(*w));
    w->loop = loop;
    w->consent_ms = KN_CONSENT_MS;
    snprintf(w->announce_ip, sizeof(w->announce_ip), "%s", announce_ip);
    if ((w->addrs = calloc(KN_ADDR_SLOTS, sizeof(kn_addr_entry))) == NULL)
        goto fail;
    if ((rc = kn_pktbuf_pool_init(&w->pool, pool_packets ? pool_packets : KN_POOL_SLOTS)) != 0)
        goto fail;
    if ((rc = kn_dtls_ctx_create(&w->dtls_ctx)) != 0)
        goto fail;
    if ((rc = kn_udp_init(&w->udp, loop, bind_ip, port, on_udp, on_udp_batch, w)) != 0)
        goto fail; /* kn_udp_init closed its own handles */
    udp_up = true;
    w->port = kn_udp_port(&w->udp);
    if ((rc = kn_tcp_init(&w->tcp, loop, bind_ip, w->port, on_tcp_frame, on_tcp_lost, w)) != 0)
        goto fail;
    uv_timer_init(loop, &w->tick);
    w->tick.data = w;
    w->next_tick_ms = kn_worker_now(w) + TICK_MS;
    uv_timer_start(&w->tick, on_tick_timer, TICK_MS, 0);
    uv_timer_init(loop, &w->probe);
    w->probe.data = w;
    return 0;

fail:
    kn_tcp_close(&w->tcp, NULL); /* a zeroed or half-initialised kn_tcp is fine */
    if (udp_up)
        kn_udp_close(&w->udp, NULL);
    kn_dtls_ctx_destroy(w->dtls_ctx); /* accepts NULL */
    kn_pktbuf_pool_close(&w->pool);   /* accepts a zeroed pool */
    free(w->addrs);
    w->addrs = NULL;
    w->dtls_ctx = NULL;
    return rc;
}

static void worker_part_closed(kn_worker *w) {
    if (--w->pending_close > 0)
        return;
    kn_dtls_ctx_destroy(w->dtls_ctx);
    kn_pktbuf_pool_close(&w->pool);
    free(w->addrs);
    w->addrs = NULL;
    if (w->close_cb != NULL)
        w->close_cb(w);
}

static void on_udp_closed(kn_udp *u) {
    worker_part_closed((kn_worker *)((char *)u - offsetof(kn_worker, udp)));
}

static void on_tcp_closed(kn_tcp *t) {
    worker_part_closed((kn_worker *)((char *)t - offsetof(kn_worker, tcp)));
}

static void on_tick_closed(uv_handle_t *h) {
    worker_part_closed(h->data);
}

void kn_worker_close(kn_worker *w, void (*cb)(kn_worker *w)) {
    while (w->rooms != NULL)
        kn_room_destroy(w->rooms);
    w->close_cb = cb;
    w->pending_close = 4;
    uv_close((uv_handle_t *)&w->tick, on_tick_closed);
    uv_close((uv_handle_t *)&w->probe, on_tick_closed);
    kn_udp_close(&w->udp, on_udp_closed);
    kn_tcp_close(&w->tcp, on_tcp_closed);
}
