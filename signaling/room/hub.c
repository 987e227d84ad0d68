/*
 * hub.c: dispatch of room-signaling messages (a table of small handlers,
 * STYLE.md "Control plane"): rate limit, parse and validate, check the
 * connection's state (joined or not), then one handler. Rooms live on a list;
 * one 200 ms uv timer drives every deadline while any connection or room
 * exists (an idle server does not wake up for it).
 */
#include "room/hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/jwt.h"
#include "core/err.h"
#include "core/log.h"
#include "obs/counters.h"
#include "room/host_controls.h"
#include "room/sfu_room.h"
#include "ws/turn.h"
#include "ws/ws_msg.h"

typedef int (*handler_fn)(kn_hub *h, kn_wsconn *c, const kn_wsmsg *m);

enum { PRE_JOIN = 1 << 0, JOINED = 1 << 1 };

#define KN_HUB_TICK_MS 200

static void hub_tick_start(kn_hub *h);

int64_t kn_hub_now(const kn_hub *h) {
    return (int64_t)uv_now(h->loop);
}

void kn_hub_send_error(kn_wsconn *c, int64_t id, int rc, const char *message, bool fatal,
                       int close_code) {
    json_t *m = json_pack("{s:i, s:s, s:s, s:s, s:b}", "v", 1, "type", "error", "code",
                          kn_wsmsg_error_code(rc), "message", message, "fatal", fatal);
    if (m && id >= 0)
        json_object_set_new(m, "id", json_integer(id));
    kn_wsconn_send(c, m);
    if (fatal)
        kn_wsconn_close(c, close_code, kn_wsmsg_error_code(rc));
}

static void reply(kn_wsconn *c, const char *type, int64_t id) {
    json_t *m = json_pack("{s:i, s:s}", "v", 1, "type", type);
    if (m && id >= 0)
        json_object_set_new(m, "id", json_integer(id));
    kn_wsconn_send(c, m);
}

/* ---- room ops ---- */

static void op_send(void *ctx, kn_part *p, json_t *msg) {
    (void)ctx;
    kn_wsconn_send(p->conn, msg);
}

static json_t *op_ice_servers(void *ctx, const kn_part *p) {
    kn_hub *h = ctx;
    return kn_turn_ice_servers(h->stun_urls, h->turn_urls, h->turn_secret, p->id, time(NULL));
}

static void op_sfu_teardown(void *ctx, kn_room *r) {
    (void)ctx;
    kn_sfuroom_teardown(r);
}

static void op_part_gone(void *ctx, kn_part *p) {
    (void)ctx;
    kn_sfuroom_part_gone(p->room, p);
    if (p->conn != NULL) {
        kn_wsconn *c = p->conn;
        c->part = NULL;
        c->room = NULL;
        p->conn = NULL;
    }
}

/* ---- rooms ---- */

static kn_room *room_get(kn_hub *h, const char *name, bool create) {
    for (kn_room *r = h->rooms; r; r = r->next)
        if (strcmp(r->name, name) == 0)
            return r;
    if (!create || h->n_rooms >= KN_HUB_MAX_ROOMS)
        return NULL;
    kn_room *r = malloc(sizeof(*r));
    if (r == NULL)
        return NULL;
    kn_room_init(r, name, &h->ops, &h->cfg);
    if (kn_sfuroom_attach(r, h->pool) != 0) {
        free(r);
        return NULL;
    }
    r->next = h->rooms;
    h->rooms = r;
    h->n_rooms++;
    hub_tick_start(h);
    return r;
}

static void room_free_empty(kn_hub *h) {
    for (kn_room **pp = &h->rooms; *pp;) {
        kn_room *r = *pp;
        if (r->n > 0) {
            pp = &r->next;
            continue;
        }
        *pp = r->next;
        h->n_rooms--;
        kn_sfuroom_free(r);
        free(r);
    }
}

/* ---- rooms ended by the practice (issue 7) ---- */

static bool room_ended(const kn_hub *h, const char *name, int64_t now_s) {
    for (unsigned i = 0; i < KN_HUB_MAX_ENDED; i++)
        if (h->ended[i].until_s > now_s && strcmp(h->ended[i].name, name) == 0)
            return true;
    return false;
}

void kn_hub_end_room(kn_hub *h, const char *room, int64_t until_s) {
    unsigned slot = 0;
    for (unsigned i = 0; i < KN_HUB_MAX_ENDED; i++) /* a free or expired slot, else the soonest */
        if (h->ended[i].until_s < h->ended[slot].until_s)
            slot = i;
    snprintf(h->ended[slot].name, sizeof(h->ended[slot].name), "%s", room);
    h->ended[slot].until_s = until_s;
    kn_room *r = room_get(h, room, false);
    for (unsigned i = 0; r && i < KN_ROOM_MAX_PARTS; i++) {
        kn_part *p = &r->parts[i];
        if (!p->used)
            continue;
        if (p->conn != NULL)
            kn_hostctl_send_removed(p->conn, -1, "ended");
        kn_room_leave(r, p, "ended", kn_hub_now(h));
    }
    KN_LOG_INFO("rooms", "room %s ended by the practice", room);
    room_free_empty(h);
}

/* ---- handlers ---- */

static int on_join(kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    kn_jwt_claims claims;
    kn_role role;
    kn_part *p;
    if (kn_jwt_verify((const uint8_t *)m->token, strlen(m->token), (const uint8_t *)h->secret,
                      strlen(h->secret), time(NULL), &claims) != 0 ||
        kn_room_role_parse(claims.role, &role) != 0) {
        kn_hub_send_error(c, m->id, KN_EAUTH, "invalid, expired or wrong-kind token", true, 4001);
        return 0;
    }
    bool ended = room_ended(h, claims.room, time(NULL));
    if (ended || kn_hostctl_banned(&h->hostctl, m->token, time(NULL))) {
        kn_hostctl_send_removed(c, m->id, ended ? "ended" : "kicked");
        return 0;
    }
    if (h->draining && room_get(h, claims.room, false) == NULL) {
        kn_obs_inc(KN_OBS_JOINS_DRAINING);
        kn_hub_send_error(c, m->id, KN_WS_EUNAVAIL, "server is draining: no new rooms", true, 1013);
        return 0;
    }
    kn_room *r = room_get(h, claims.room, true);
    if (r == NULL)
        return KN_ENOMEM;
    int rc = kn_room_join(r, role, m->pseudonym, m->audio, m->video, c, m->id, kn_hub_now(h), &p);
    if (rc == KN_ELIMIT) {
        kn_hub_send_error(c, m->id, KN_ELIMIT, "room full", true, 4001);
        room_free_empty(h);
        return 0;
    }
    if (rc != 0) {
        room_free_empty(h);
        return rc;
    }
    c->room = r;
    c->part = p;
    kn_obs_inc(KN_OBS_JOINS);
    kn_hostctl_bind(p, m->token, claims.exp);
    KN_LOG_INFO("rooms", "%s joined room %s as %s (%u present)", p->id, r->name,
                kn_room_role_name(role), r->n);
    if (r->mode == KN_MODE_SFU)
        kn_sfuroom_sync(r, NULL); /* offers the newcomer what others publish */
    return 0;
}

static int on_resume(kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    kn_part *p = NULL;
    kn_room *r;
    for (r = h->rooms; r && p == NULL; r = p ? r : r->next)
        p = kn_room_find_resume(r, m->resume_token);
    if (p == NULL) {
        kn_hub_send_error(c, m->id, KN_EAUTH, "unknown or expired resume token", true, 4001);
        return 0;
    }
    if (p->conn != NULL) { /* the old socket is still open: it loses */
        kn_wsconn *old = p->conn;
        old->part = NULL;
        old->room = NULL;
        kn_wsconn_close(old, 4000, "replaced");
    }
    c->room = r;
    c->part = p;
    kn_room_resume(r, p, c, m->id);
    kn_obs_inc(KN_OBS_RESUMES);
    kn_sfuroom_resumed(p);
    KN_LOG_INFO("rooms", "%s resumed in room %s", p->id, r->name);
    return 0;
}

static int on_ping(kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    (void)h;
    reply(c, "pong", m->id);
    return 0;
}

static int on_leave(kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    (void)m;
    kn_room_leave(c->room, c->part, "left", kn_hub_now(h));
    kn_wsconn_close(c, 1000, "left");
    return 0;
}

static int on_state(kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    (void)h;
    return kn_room_set_state(c->room, c->part, m->audio, m->video);
}

static int on_relay(kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    (void)h;
    return kn_room_relay(c->room, c->part, m);
}

static int on_p2p_ready(kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    kn_room_p2p_ready(c->room, c->part, m->epoch, kn_hub_now(h));
    return 0;
}

static int on_sfu_publish(kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    (void)h;
    return kn_sfuroom_publish(c->room, c->part, m);
}

static int on_sfu_unpublish(kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    (void)h;
    (void)m;
    return kn_sfuroom_unpublish(c->room, c->part);
}

static int on_sfu_answer(kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    (void)h;
    return kn_sfuroom_sub_answer(c->room, c->part, m);
}

static int on_sfu_prefs(kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    (void)h;
    return kn_sfuroom_preferences(c->room, c->part, m);
}

static const struct {
    handler_fn fn;
    unsigned when;
} handlers[KN_WSMSG_N_TYPES] = {
    [KN_WSMSG_JOIN] = {on_join, PRE_JOIN},
    [KN_WSMSG_RESUME] = {on_resume, PRE_JOIN},
    [KN_WSMSG_PING] = {on_ping, PRE_JOIN | JOINED},
    [KN_WSMSG_LEAVE] = {on_leave, JOINED},
    [KN_WSMSG_STATE] = {on_state, JOINED},
    [KN_WSMSG_P2P_OFFER] = {on_relay, JOINED},
    [KN_WSMSG_P2P_ANSWER] = {on_relay, JOINED},
    [KN_WSMSG_P2P_CANDIDATE] = {on_relay, JOINED},
    [KN_WSMSG_P2P_READY] = {on_p2p_ready, JOINED},
    [KN_WSMSG_KICK] = {kn_hostctl_on_kick, JOINED},
    [KN_WSMSG_SFU_PUBLISH] = {on_sfu_publish, JOINED},
    [KN_WSMSG_SFU_UNPUBLISH] = {on_sfu_unpublish, JOINED},
    [KN_WSMSG_SFU_SUB_ANSWER] = {on_sfu_answer, JOINED},
    [KN_WSMSG_SFU_PREFS] = {on_sfu_prefs, JOINED},
    [KN_WSMSG_MUTE_REQUEST] = {kn_hostctl_on_mute, JOINED},
    [KN_WSMSG_END] = {kn_hostctl_on_end, JOINED},
};

/* ---- connection events ---- */

static bool rate_ok(kn_hub *h, kn_wsconn *c) {
    int64_t now = kn_hub_now(h);
    if (kn_ratelimit_take(&c->rl, (uint64_t)now))
        return true;
    if (++c->dropped >= KN_HUB_MAX_DROPPED) {
        kn_hub_send_error(c, -1, KN_WS_ERATE, "too many messages", true, 1008);
        return false;
    }
    if (now - c->last_rate_err_ms >= 1000 || c->last_rate_err_ms == 0) {
        c->last_rate_err_ms = now;
        kn_hub_send_error(c, -1, KN_WS_ERATE, "more than 50 messages per second", false, 0);
    }
    return false;
}

void kn_hub_on_text(kn_wsconn *c, const uint8_t *p, size_t len) {
    kn_hub *h = c->hub;
    kn_wsmsg m;
    c->last_rx_ms = kn_hub_now(h);
    if (!rate_ok(h, c))
        return;
    int rc = kn_wsmsg_parse(p, len, &m);
    if (rc != 0) {
        kn_hub_send_error(c, m.id, rc, m.error, rc == KN_WS_ETOOLARGE && len > KN_WSMSG_MAX_LEN,
                          1009);
        return;
    }
    unsigned need = c->part ? JOINED : PRE_JOIN;
    if (!(handlers[m.type].when & need))
        rc = KN_ESTATE;
    else
        rc = handlers[m.type].fn(h, c, &m);
    if (rc != 0)
        kn_hub_send_error(c, m.id, rc,
                          c->part || m.type == KN_WSMSG_PING ? kn_wsmsg_error_text(m.type, rc)
                                                             : "join first",
                          false, 0);
    kn_wsmsg_free(&m);
    room_free_empty(h);
}

void kn_hub_on_binary(kn_wsconn *c) {
    kn_hub *h = c->hub;
    c->last_rx_ms = kn_hub_now(h);
    if (rate_ok(h, c))
        kn_hub_send_error(c, -1, KN_EINVAL, "binary frames are not part of the protocol", false,
                          0);
}

void kn_hub_on_oversize(kn_wsconn *c) {
    kn_hub_send_error(c, -1, KN_WS_ETOOLARGE, "message larger than 64 KiB", true, 1009);
}

int kn_hub_on_open(void *hub, kn_wsconn *c) {
    kn_hub *h = hub;
    if (h == NULL)
        return -1;
    c->hub = h;
    kn_obs_inc(KN_OBS_WS_OPENED);
    c->opened_ms = c->last_rx_ms = kn_hub_now(h);
    kn_ratelimit_init(&c->rl, KN_HUB_RATE, KN_HUB_BURST, (uint64_t)c->opened_ms);
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    hub_tick_start(h);
    return 0;
}

void kn_hub_on_close(kn_wsconn *c) {
    kn_hub *h = c->hub;
    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->part != NULL && c->part->conn == c) {
        KN_LOG_INFO("rooms", "%s lost its connection in room %s; held for %u ms", c->part->id,
                    c->room->name, h->cfg.resume_grace_ms);
        kn_room_detach(c->room, c->part, kn_hub_now(h));
    }
    c->part = NULL;
    c->room = NULL;
    c->hub = NULL;
}

/* ---- SFU events ---- */

void kn_hub_on_sfu_event(void *hub, unsigned member, const char *event, json_t *params) {
    kn_hub *h = hub;
    const char *room = json_string_value(json_object_get(params, "room"));
    for (kn_room *r = h->rooms; r && room; r = r->next) {
        kn_sfuroom *sr = r->sfu;
        if (sr != NULL && sr->member == (int)member && strcmp(sr->name, room) == 0) {
            kn_sfuroom_on_event(r, event, params);
            break;
        }
    }
    room_free_empty(h);
}

void kn_hub_on_sfu_state(void *hub, unsigned member, bool up) {
    kn_hub *h = hub;
    if (up)
        return; /* rooms are placed when their SFU side starts */
    for (kn_room *r = h->rooms; r; r = r->next)
        kn_sfuroom_on_sfu_lost(r, member);
}

/* ---- timers ---- */

static void on_tick(uv_timer_t *t) {
    kn_hub *h = t->data;
    int64_t now = kn_hub_now(h);
    for (kn_wsconn *c = h->conns; c; c = c->next) {
        if (c->closing)
            continue;
        if (c->part == NULL && now - c->opened_ms >= KN_HUB_JOIN_MS)
            kn_wsconn_close(c, 4008, "no join");
        else if (now - c->last_rx_ms >= KN_HUB_SILENCE_MS)
            kn_wsconn_close(c, 4008, "silence");
    }
    for (kn_room *r = h->rooms; r; r = r->next)
        kn_room_tick(r, now);
    room_free_empty(h);
    if (h->conns == NULL && h->rooms == NULL)
        uv_timer_stop(t);
}

static void hub_tick_start(kn_hub *h) {
    if (!uv_is_active((uv_handle_t *)&h->timer))
        uv_timer_start(&h->timer, on_tick, KN_HUB_TICK_MS, KN_HUB_TICK_MS);
}

int kn_hub_init(kn_hub *h, uv_loop_t *loop, const kn_hub_opts *o) {
    memset(h, 0, sizeof(*h));
    if (strlen(o->secret) >= sizeof(h->secret) || strlen(o->stun_urls) >= sizeof(h->stun_urls) ||
        strlen(o->turn_urls) >= sizeof(h->turn_urls) ||
        strlen(o->turn_secret) >= sizeof(h->turn_secret))
        return KN_EINVAL;
    strcpy(h->secret, o->secret);
    strcpy(h->stun_urls, o->stun_urls);
    strcpy(h->turn_urls, o->turn_urls);
    strcpy(h->turn_secret, o->turn_secret);
    h->loop = loop;
    h->cfg = (kn_room_cfg){o->p2p_grace_ms, o->resume_grace_ms, KN_HUB_TEARDOWN_MS};
    h->ops = (kn_room_ops){op_send, op_ice_servers, op_sfu_teardown, op_part_gone, h};
    if (uv_timer_init(loop, &h->timer) != 0)
        return KN_EIO;
    h->timer.data = h;
    return 0;
}

void kn_hub_close(kn_hub *h) {
    uv_close((uv_handle_t *)&h->timer, NULL);
    for (kn_wsconn *c = h->conns; c; c = c->next) { /* lws may close them later */
        c->part = NULL;
        c->room = NULL;
    }
    while (h->rooms) {
        kn_room *r = h->rooms;
        h->rooms = r->next;
        kn_sfuroom_free(r);
        free(r);
    }
    h->n_rooms = 0;
}

