/*
 * patient_api.c: what the patient's join page calls (see practice.h):
 *   POST /api/join   {invite, code}  -> {ticket, state, position, version}
 *   POST /api/wait   {ticket, seen}  -> the same view, held up to 20 s until
 *                                       something changed (long poll)
 *   POST /api/accept {ticket}        -> {room, token} once called or admitted
 * The page never sends the patient's name; the server knows the invitee by
 * its pseudonym only.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account/access.h"
#include "core/err.h"
#include "obs/counters.h"
#include "core/log.h"
#include "practice/practice.h"
#include "store/consultation.h"

enum { S_APPT_BY_ID = KN_DB_SLOT_PRACTICE };

static int appt_by_id(kn_db *db, int64_t id, kn_appointment *a) {
    sqlite3_stmt *st = kn_db_stmt(db, S_APPT_BY_ID,
                                  "SELECT public_id FROM appointments WHERE id = ?");
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? KN_ENOENT : KN_EIO;
    }
    char pub[KN_PUBLIC_ID_BUF];
    snprintf(pub, sizeof(pub), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return kn_appointment_get(db, pub, 0, a);
}

/* The per-address key: IPv4 as is, IPv6 as its /64 (first four groups). */
static void addr_key(const char *peer, char *out, size_t cap) {
    size_t n = strnlen(peer, cap - 1);
    memcpy(out, peer, n);
    out[n] = '\0';
    if (strchr(out, ':') == NULL || strncmp(out, "::ffff:", 7) == 0)
        return;
    int colons = 0;
    for (char *c = out; *c; c++)
        if (*c == ':' && ++colons == 4) {
            *c = '\0';
            break;
        }
}

json_t *kn_practice_wait_view(kn_practice *p, const kn_wait_entry *x) {
    return json_pack("{s:s, s:i, s:I}", "state", kn_wait_state_name(x->state), "position",
                     (int)kn_waiting_position(&p->wait, x), "version",
                     (json_int_t)p->wait.version);
}

static void join(kn_practice *p, kn_http_req *r, json_t *body) {
    const char *invite = json_string_value(json_object_get(body, "invite"));
    const char *code = json_string_value(json_object_get(body, "code"));
    char key[KN_ATTEMPTS_KEY_BUF];
    kn_invitee inv;
    kn_appointment a;
    if (invite == NULL || code == NULL || strlen(invite) >= KN_PUBLIC_ID_BUF || strlen(code) > 64) {
        kn_practice_error(r, 400, "invite_and_code_required");
        return;
    }
    addr_key(r->peer, key, sizeof(key));
    int rc = kn_access_check(p->db, &p->by_addr, p->code_key, key, invite, code, strlen(code),
                             time(NULL), &inv);
    if (rc == KN_EAUTH || rc == KN_ELIMIT || rc == KN_ESTATE) {
        kn_obs_inc(rc == KN_EAUTH    ? KN_OBS_CODE_WRONG
                   : rc == KN_ELIMIT ? KN_OBS_CODE_LOCKED
                                     : KN_OBS_CODE_EXPIRED);
        kn_practice_error(r, rc == KN_EAUTH ? 403 : rc == KN_ELIMIT ? 429 : 410,
                          rc == KN_EAUTH ? "wrong_code" : rc == KN_ELIMIT ? "too_many_attempts"
                                                                          : "expired");
        return;
    }
    if (rc != 0 || appt_by_id(p->db, inv.appointment_id, &a) != 0) {
        kn_practice_error(r, 500, "store");
        return;
    }
    if (kn_practice_refuses_room(p, a.public_id)) { /* the code was right: not counted */
        kn_practice_error(r, 503, "draining");
        return;
    }
    kn_wait_entry *x =
        kn_waiting_add(&p->wait, &inv, &a, time(NULL), kn_practice_now_ms(p));
    if (x == NULL) {
        kn_practice_error(r, 503, "waiting_room_full");
        return;
    }
    KN_LOG_INFO("waiting", "%s entered the waiting room (position %u)", x->pseudonym,
                kn_waiting_position(&p->wait, x));
    json_t *v = kn_practice_wait_view(p, x);
    json_object_set_new(v, "ticket", json_string(x->ticket));
    json_object_set_new(v, "role", json_string(kn_appointment_role_name(x->role)));
    kn_practice_json(r, 200, v);
    kn_practice_wake(p);
}

static void poll_detach(void *op) {
    kn_wait_entry *x = op;
    x->pending = NULL;
}

static kn_wait_entry *entry_of(kn_practice *p, kn_http_req *r, json_t *body) {
    const char *ticket = json_string_value(json_object_get(body, "ticket"));
    kn_wait_entry *x = ticket ? kn_waiting_by_ticket(&p->wait, ticket) : NULL;
    if (x == NULL)
        kn_practice_error(r, 404, "unknown_ticket");
    else
        x->last_seen_ms = kn_practice_now_ms(p);
    return x;
}

static void wait_poll(kn_practice *p, kn_http_req *r, json_t *body) {
    kn_wait_entry *x = entry_of(p, r, body);
    if (x == NULL)
        return;
    json_int_t seen = json_integer_value(json_object_get(body, "seen"));
    if ((uint64_t)seen != p->wait.version) {
        kn_practice_json(r, 200, kn_practice_wait_view(p, x));
        return;
    }
    if (x->pending != NULL) { /* a second tab or a retry: the older poll gets its answer */
        kn_http_req *old = x->pending;
        old->op = NULL;
        old->op_detach = NULL;
        kn_practice_json(old, 200, kn_practice_wait_view(p, x));
    }
    x->pending = r;
    x->pending_ms = kn_practice_now_ms(p);
    r->op = x;
    r->op_detach = poll_detach;
}

static void accept_call(kn_practice *p, kn_http_req *r, json_t *body) {
    char token[1024];
    kn_wait_entry *x = entry_of(p, r, body);
    if (x == NULL)
        return;
    if (x->state != KN_WAIT_CALLED && x->state != KN_WAIT_ADMITTED && x->state != KN_WAIT_IN_ROOM) {
        kn_practice_error(r, 409, "not_called");
        return;
    }
    if (kn_practice_room_token(p, x->appt_public, "guest", token, sizeof(token)) != 0) {
        kn_practice_error(r, 500, "token");
        return;
    }
    if (x->state != KN_WAIT_IN_ROOM) {
        kn_active_consult *c = kn_practice_active(p, x->appt_id, false);
        if (c != NULL && kn_consultation_joined(p->db, c->consult_id, x->role,
                                                ++c->participants) != 0)
            KN_LOG_WARN("practice", "cannot count %s in its consultation", x->pseudonym);
        kn_waiting_set(&p->wait, x, KN_WAIT_IN_ROOM, kn_practice_now_ms(p));
        KN_LOG_INFO("waiting", "%s accepted and goes to its room", x->pseudonym);
    }
    kn_practice_json(r, 200, json_pack("{s:s, s:s, s:s}", "room", x->appt_public, "token", token,
                                       "role", "guest"));
    kn_practice_wake(p);
}

bool kn_practice_patient_api(kn_practice *p, kn_http_req *r, const char *name, json_t *body) {
    static const struct {
        const char *name;
        void (*fn)(kn_practice *p, kn_http_req *r, json_t *body);
    } calls[] = {
        {"join",   join       },
        {"wait",   wait_poll  },
        {"accept", accept_call},
    };
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        if (strcmp(name, calls[i].name) != 0)
            continue;
        if (r->method != KN_HTTP_POST) {
            strcpy(r->allow, "POST");
            kn_practice_error(r, 405, "method_not_allowed");
        } else {
            calls[i].fn(p, r, body);
        }
        return true;
    }
    return false;
}
