/*
 * practice.c: routing of the workflow pages and /api (see practice.h), the
 * same-origin rule for state-changing requests, JSON answers, room token
 * minting and the 1 s timer that answers long polls and expires the
 * waiting room.
 */
#include "practice/practice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/jwt.h"
#include "core/err.h"
#include "core/log.h"
#include "http/static_files.h"
#include "room/hub.h"

int64_t kn_practice_now_ms(const kn_practice *p) {
    return (int64_t)uv_now(p->loop);
}

bool kn_practice_draining(const kn_practice *p) {
    return p->hub != NULL && p->hub->draining;
}

bool kn_practice_refuses_room(const kn_practice *p, const char *room) {
    if (!kn_practice_draining(p))
        return false;
    for (const kn_room *r = p->hub->rooms; r != NULL; r = r->next)
        if (strcmp(r->name, room) == 0)
            return false;
    return true;
}

void kn_practice_json(kn_http_req *r, int status, json_t *body) {
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (s == NULL) {
        kn_http_respond_text(r, 500, "out of memory");
        return;
    }
    kn_http_respond(r, status, "application/json", s, strlen(s));
    free(s);
}

void kn_practice_error(kn_http_req *r, int status, const char *code) {
    kn_practice_json(r, status, json_pack("{s:s}", "error", code));
}

int kn_practice_room_token(const kn_practice *p, const char *room, const char *role, char *out,
                           size_t cap) {
    kn_jwt_claims c = {.exp = (int64_t)time(NULL) + KN_ROOM_TOKEN_TTL_S};
    if (strlen(room) > KN_JWT_ROOM_MAX || strlen(role) >= sizeof(c.role))
        return KN_EINVAL;
    strcpy(c.room, room);
    strcpy(c.role, role);
    return kn_jwt_sign(&c, (const uint8_t *)p->secret, strlen(p->secret), out, cap);
}

/* ---- held polls ---- */

static void answer_poll(kn_practice *p, kn_wait_entry *x) {
    kn_http_req *r = x->pending;
    x->pending = NULL;
    r->op = NULL;
    r->op_detach = NULL;
    kn_practice_json(r, 200, kn_practice_wait_view(p, x));
}

void kn_practice_wake(kn_practice *p) {
    if (p->answered_version == p->wait.version)
        return;
    p->answered_version = p->wait.version;
    for (unsigned i = 0; i < KN_WAIT_MAX; i++)
        if (p->wait.e[i].used && p->wait.e[i].pending != NULL)
            answer_poll(p, &p->wait.e[i]);
}

static void on_tick(uv_timer_t *t) {
    kn_practice *p = t->data;
    int64_t now = kn_practice_now_ms(p);
    for (unsigned i = 0; i < KN_WAIT_MAX; i++) {
        kn_wait_entry *x = &p->wait.e[i];
        if (x->used && x->pending != NULL && now - x->pending_ms >= KN_WAIT_POLL_MS)
            answer_poll(p, x);
    }
    kn_waiting_expire(&p->wait, now);
    kn_practice_wake(p);
}

/* ---- routing ---- */

static bool is_json(const char *ct) {
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

/* A browser sends Origin on every cross-origin POST; it must name this server.
 * Content-Type application/json cannot be sent cross-origin without a CORS
 * preflight, which /api never grants. */
static bool same_origin(const kn_practice *p, const kn_http_req *r) {
    char want[160];
    if (r->origin[0] == '\0')
        return true;
    snprintf(want, sizeof(want), "%s://%s", p->tls ? "https" : "http", r->host);
    return strcmp(r->origin, want) == 0;
}

static void route_api(kn_practice *p, kn_http_req *r, const char *name) {
    json_t *body = NULL;
    if (r->method == KN_HTTP_POST) {
        if (!is_json(r->content_type)) {
            kn_practice_error(r, 415, "content_type_must_be_json");
            return;
        }
        if (!same_origin(p, r)) {
            kn_practice_error(r, 403, "cross_origin");
            return;
        }
        body = json_loadb((const char *)r->body, r->body_len, 0, NULL);
        if (!json_is_object(body)) {
            json_decref(body);
            kn_practice_error(r, 400, "bad_json");
            return;
        }
    } else if (r->method != KN_HTTP_GET) {
        strcpy(r->allow, "GET, POST");
        kn_practice_error(r, 405, "method_not_allowed");
        return;
    }
    if (!kn_practice_patient_api(p, r, name, body))
        kn_practice_host_api(p, r, name, body);
    json_decref(body);
}

static void serve(kn_http_req *r, const char *dir, const char *name) {
    if (r->method != KN_HTTP_GET && r->method != KN_HTTP_HEAD) {
        strcpy(r->allow, "GET, HEAD");
        kn_http_respond_text(r, 405, "method not allowed");
        return;
    }
    if (!kn_static_serve_file(r, dir, name))
        kn_http_respond_text(r, 404, "not found");
}

static void serve_asset(kn_practice *p, kn_http_req *r, const char *sub, const char *name) {
    char dir[sizeof(p->web_dir) + 16];
    const char *dot = strrchr(name, '.');
    if (!kn_static_name_ok(name) || dot == NULL ||
        (strcmp(dot, ".js") != 0 && strcmp(dot, ".css") != 0 && strcmp(dot, ".svg") != 0)) {
        kn_http_respond_text(r, 404, "not found");
        return;
    }
    snprintf(dir, sizeof(dir), "%s/%s", p->web_dir, sub);
    serve(r, dir, name);
}

bool kn_practice_route(kn_practice *p, kn_http_req *r) {
    const char *path = r->path;
    if (strncmp(path, "/api/", 5) == 0)
        route_api(p, r, path + 5);
    else if (strcmp(path, "/practice") == 0 || strcmp(path, "/practice/") == 0)
        serve(r, p->web_dir, "practice.html");
    else if (strncmp(path, "/practice-assets/", 17) == 0)
        serve_asset(p, r, "practice", path + 17);
    else if (strncmp(path, "/join-assets/", 13) == 0)
        serve_asset(p, r, "join", path + 13);
    else if (strncmp(path, "/join/", 6) == 0) {
        if (kn_jwt_ident_ok(path + 6, strlen(path + 6)))
            serve(r, p->web_dir, "join.html");
        else
            kn_http_respond_text(r, 404, "not found");
    } else
        return false;
    return true;
}

/* ---- lifetime ---- */

static int copy_opt(char *dst, size_t cap, const char *src) {
    if (src == NULL || strlen(src) >= cap)
        return KN_EINVAL;
    strcpy(dst, src);
    return 0;
}

int kn_practice_init(kn_practice *p, const kn_practice_opts *o) {
    int rc;
    memset(p, 0, sizeof(*p));
    p->loop = o->loop;
    p->db = o->db;
    p->tls = o->tls;
    memcpy(p->code_key, o->code_key, KN_ACCESS_CODE_KEY_LEN);
    if (copy_opt(p->secret, sizeof(p->secret), o->jwt_secret) != 0 ||
        copy_opt(p->link_host, sizeof(p->link_host), o->link_host) != 0 ||
        copy_opt(p->web_dir, sizeof(p->web_dir), o->web_dir) != 0)
        return KN_EINVAL;
    rc = kn_smtp_config_from_env(&p->smtp);
    if (rc != 0 && rc != KN_ENOENT)
        return rc;
    p->mail_on = rc == 0;
    rc = kn_sms_config_from_env(&p->sms);
    if (rc != 0 && rc != KN_ENOENT)
        return rc;
    p->sms_on = rc == 0;
    if ((rc = kn_attempts_init(&p->by_addr, 4096, 20, 600)) != 0)
        return rc;
    if (uv_timer_init(p->loop, &p->timer) != 0) {
        kn_attempts_close(&p->by_addr);
        return KN_EIO;
    }
    p->timer.data = p;
    p->timer_up = true;
    uv_timer_start(&p->timer, on_tick, 1000, 1000);
    KN_LOG_INFO("practice", "workflow API up: e-mail %s, SMS %s", p->mail_on ? "on" : "off",
                p->sms_on ? "on" : "off");
    return 0;
}

void kn_practice_close(kn_practice *p) {
    for (unsigned i = 0; i < KN_WAIT_MAX; i++) {
        kn_wait_entry *x = &p->wait.e[i];
        if (x->used && x->pending != NULL) { /* the connection is closing anyway */
            x->pending->op = NULL;
            x->pending->op_detach = NULL;
            x->pending = NULL;
        }
    }
    if (p->timer_up)
        uv_close((uv_handle_t *)&p->timer, NULL);
    p->timer_up = false;
    kn_attempts_close(&p->by_addr);
}
