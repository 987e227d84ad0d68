/*
 * whip.c: request routing for konsil-signaling (a table of path handlers),
 * Bearer-token checks (HS256, claims room/role/exp), session teardown on
 * DELETE and on the SFU's peer.closed event, and the demo page (/healthz,
 * /readyz and /metrics are obs/ops_http.c's).
 */
#include "whip/whip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/jwt.h"
#include "core/err.h"
#include "core/log.h"
#include "http/static_files.h"
#include "practice/practice.h"
#include "whip/layer_query.h"
#include "whip/whip_flow.h"

typedef struct route_args {
    char room[65];
    char id[65]; /* second segment, empty if absent */
} route_args;

int kn_whip_init(kn_whip *w, const char *secret, const char *web_dir) {
    memset(w, 0, sizeof(*w));
    if (strlen(secret) > sizeof(w->secret) || strlen(web_dir) >= sizeof(w->web_dir))
        return KN_EINVAL;
    w->secret_len = strlen(secret);
    memcpy(w->secret, secret, w->secret_len);
    strcpy(w->web_dir, web_dir);
    return 0;
}

static void deny(kn_http_req *r, int status, const char *allow, const char *text) {
    if (allow)
        strcpy(r->allow, allow);
    kn_http_respond_text(r, status, text);
}

/* 0 when the Bearer token grants `role` in `room`, else the status to answer. */
static int check_token(kn_whip *w, kn_http_req *r, const char *room, const char *role) {
    kn_jwt_claims claims;
    if (strncasecmp(r->auth, "Bearer ", 7) != 0)
        return 401;
    const char *t = r->auth + 7;
    if (kn_jwt_verify((const uint8_t *)t, strlen(t), w->secret, w->secret_len, time(NULL),
                      &claims) != 0)
        return 401;
    if (strcmp(claims.room, room) != 0 || strcmp(claims.role, role) != 0)
        return 403;
    return 0;
}

static bool is_sdp(const char *content_type) {
    size_t n = strlen("application/sdp");
    return strncasecmp(content_type, "application/sdp", n) == 0 &&
           (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

static void end_session(kn_whip *w, kn_wsess *s, bool tell_sfu) {
    kn_wroom *room = kn_registry_room(&w->reg, s->room);
    if (tell_sfu && w->ctl && kn_sfuctl_up(w->ctl))
        kn_sfuctl_request(w->ctl, "peer.destroy",
                          json_pack("{s:s, s:s}", "room", s->room, "peer", s->id), NULL, NULL);
    KN_LOG_INFO("whip", "session %s in room %s ended", s->id, s->room);
    kn_registry_remove(&w->reg, s);
    free(s);
    kn_whip_room_release(w, room);
}

/* POST /whip/{room} and /whep/{room}[/{publisher}] */
static void post_offer(kn_whip *w, kn_http_req *r, const route_args *a, bool viewer) {
    int status = check_token(w, r, a->room, viewer ? "subscribe" : "publish");
    if (status == 401) {
        kn_http_respond_text(r, 401, "missing, invalid or expired token");
        return;
    }
    if (status == 403) {
        kn_http_respond_text(r, 403, "token is for another room or role");
        return;
    }
    if (!is_sdp(r->content_type)) {
        kn_http_respond_text(r, 415, "Content-Type must be application/sdp");
        return;
    }
    if (w->ctl == NULL || !kn_sfuctl_up(w->ctl)) {
        kn_http_respond_text(r, 503, "media server unavailable");
        return;
    }
    if (w->draining && kn_registry_room(&w->reg, a->room) == NULL) {
        kn_http_respond_text(r, 503, "server is draining: no new rooms");
        return;
    }
    if (w->reg.n_sessions >= KN_REG_MAX_SESSIONS || w->n_ops >= KN_WHIP_MAX_OPS) {
        kn_http_respond_text(r, 503, "too many sessions or requests in flight");
        return;
    }
    kn_layer_query lq;
    const char *reason = NULL;
    if (kn_layer_query_parse(r->query, strlen(r->query), &lq, &reason) != 0) {
        kn_http_respond_text(r, 400, reason);
        return;
    }
    if (!viewer && (lq.max_spatial >= 0 || lq.max_temporal >= 0)) {
        kn_http_respond_text(r, 400, "layer selection is for WHEP viewers");
        return;
    }
    const kn_wsess *pub = NULL;
    if (viewer) {
        pub = a->id[0] ? kn_registry_find(&w->reg, a->room, a->id)
                       : kn_registry_first_publisher(&w->reg, a->room);
        if (pub == NULL || pub->viewer) {
            kn_http_respond_text(r, 404, "no such publisher in this room");
            return;
        }
    }
    kn_whip_flow_start(w, r, a->room, pub, &lq);
}

/* DELETE /whip/{room}/{session}, /whep/{room}/{session}: the unguessable
 * session URL is the capability (clients such as OBS send no token here). */
static void delete_session(kn_whip *w, kn_http_req *r, const route_args *a, bool viewer) {
    kn_wsess *s = kn_registry_find(&w->reg, a->room, a->id);
    if (s == NULL || s->viewer != viewer) {
        kn_http_respond_text(r, 404, "no such session");
        return;
    }
    end_session(w, s, true);
    kn_http_respond_text(r, 200, "ended");
}

static void whip_whep(kn_whip *w, kn_http_req *r, const route_args *a, bool viewer) {
    r->headers |= KN_HTTP_H_CORS;
    if (r->method == KN_HTTP_OPTIONS) {
        kn_http_respond(r, 204, "text/plain", NULL, 0);
        return;
    }
    bool session_url = a->id[0] != '\0';
    if (r->method == KN_HTTP_POST && (!session_url || viewer)) {
        post_offer(w, r, a, viewer);
        return;
    }
    if (r->method == KN_HTTP_DELETE && session_url) {
        delete_session(w, r, a, viewer);
        return;
    }
    if (r->method == KN_HTTP_PATCH && session_url) { /* trickle: answers carry all candidates */
        deny(r, 405, "DELETE, OPTIONS", "trickle ICE is not supported");
        return;
    }
    if (session_url)
        deny(r, 405, viewer ? "POST, DELETE, OPTIONS" : "DELETE, OPTIONS", "method not allowed");
    else
        deny(r, 405, "POST, OPTIONS", "method not allowed");
}

/* Splits "{room}[/{id}]"; false for anything else. */
static bool split_room_path(const char *rest, route_args *a) {
    const char *slash = strchr(rest, '/');
    size_t rl = slash ? (size_t)(slash - rest) : strlen(rest);
    memset(a, 0, sizeof(*a));
    if (!kn_jwt_ident_ok(rest, rl))
        return false;
    memcpy(a->room, rest, rl);
    if (slash == NULL)
        return true;
    size_t il = strlen(slash + 1);
    if (!kn_jwt_ident_ok(slash + 1, il))
        return false;
    memcpy(a->id, slash + 1, il);
    return true;
}

static void route_whip(kn_whip *w, kn_http_req *r, const char *rest) {
    route_args a;
    if (!split_room_path(rest, &a)) {
        kn_http_respond_text(r, 404, "not found");
        return;
    }
    whip_whep(w, r, &a, false);
}

static void route_whep(kn_whip *w, kn_http_req *r, const char *rest) {
    route_args a;
    if (!split_room_path(rest, &a)) {
        kn_http_respond_text(r, 404, "not found");
        return;
    }
    whip_whep(w, r, &a, true);
}

/* GET /room/{room}: the room client; the token is in the fragment, never here. */
static void route_room(kn_whip *w, kn_http_req *r, const char *rest) {
    if (!kn_jwt_ident_ok(rest, strlen(rest))) {
        kn_http_respond_text(r, 404, "not found");
        return;
    }
    if (r->method != KN_HTTP_GET && r->method != KN_HTTP_HEAD) {
        deny(r, 405, "GET, HEAD", "method not allowed");
        return;
    }
    if (!kn_static_serve_file(r, w->web_dir, "room.html"))
        kn_http_respond_text(r, 404, "room page not installed");
}

/* Room client assets are flat .js / .css / .svg names (docs/signaling-protocol.md). */
static bool asset_name_ok(const char *name) {
    const char *dot = strrchr(name, '.');
    return kn_static_name_ok(name) && dot != NULL &&
           (strcmp(dot, ".js") == 0 || strcmp(dot, ".css") == 0 || strcmp(dot, ".svg") == 0);
}

/* GET /room-assets/{name}: signaling/web/room/{name}, under its own prefix so a
 * room name never shadows a file. */
static void route_room_assets(kn_whip *w, kn_http_req *r, const char *rest) {
    char dir[sizeof(w->web_dir) + 8];
    if (!asset_name_ok(rest)) {
        kn_http_respond_text(r, 404, "not found");
        return;
    }
    if (r->method != KN_HTTP_GET && r->method != KN_HTTP_HEAD) {
        deny(r, 405, "GET, HEAD", "method not allowed");
        return;
    }
    snprintf(dir, sizeof(dir), "%s/room", w->web_dir);
    if (!kn_static_serve_file(r, dir, rest))
        kn_http_respond_text(r, 404, "not found");
}

static const struct {
    const char *prefix;
    void (*fn)(kn_whip *w, kn_http_req *r, const char *rest);
} routes[] = {
    {"/room/",        route_room       },
    {"/room-assets/", route_room_assets},
    {"/whip/",   route_whip   },
    {"/whep/",   route_whep   },
};

void kn_whip_handle(void *app, kn_http_req *r) {
    kn_whip *w = app;
    if (w->practice != NULL && kn_practice_route(w->practice, r))
        return; /* /api/, /practice, /join/ (practice/practice.c) */
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        size_t n = strlen(routes[i].prefix);
        if (strncmp(r->path, routes[i].prefix, n) == 0) {
            routes[i].fn(w, r, r->path + n);
            return;
        }
    }
    if (r->method != KN_HTTP_GET && r->method != KN_HTTP_HEAD) {
        bool exists = strcmp(r->path, "/") == 0 || kn_static_name_ok(r->path + 1);
        if (exists)
            deny(r, 405, "GET, HEAD", "method not allowed");
        else
            kn_http_respond_text(r, 404, "not found");
        return;
    }
    if (!kn_static_serve(r, w->web_dir))
        kn_http_respond_text(r, 404, "not found");
}

void kn_whip_on_event(void *app, const char *event, json_t *params) {
    kn_whip *w = app;
    const char *room = json_string_value(json_object_get(params, "room"));
    const char *peer = json_string_value(json_object_get(params, "peer"));
    if (strcmp(event, "peer.closed") != 0 || room == NULL || peer == NULL)
        return;
    kn_wsess *s = kn_registry_find(&w->reg, room, peer);
    if (s != NULL) {
        const char *reason = json_string_value(json_object_get(params, "reason"));
        KN_LOG_INFO("whip", "sfu closed peer %s (%s)", peer, reason ? reason : "?");
        end_session(w, s, false);
    }
}

void kn_whip_on_state(void *app, bool up) {
    kn_whip *w = app;
    if (up)
        return;
    /* A new SFU (restarted child) knows none of our rooms or peers. */
    if (w->reg.n_sessions > 0)
        KN_LOG_WARN("whip", "sfu connection lost: dropping %u session(s)", w->reg.n_sessions);
    kn_registry_clear(&w->reg);
}

void kn_whip_close(kn_whip *w) {
    kn_registry_clear(&w->reg);
}
