/*
 * host_api.c: the practice's side of /api (see practice.h): login (scrypt in
 * uv_queue_work), logout, logout everywhere, who am I, today's appointments,
 * creating an appointment (invitations by e-mail / SMS, links and codes
 * returned once), the waiting list and call / admit / reject / end. Every
 * call except login needs the session cookie.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "account/host.h"
#include "account/session.h"
#include "core/err.h"
#include "core/log.h"
#include "notify/invite_text.h"
#include "notify/mailer.h"
#include "practice/practice.h"
#include "room/hub.h"
#include "store/appointment.h"
#include "store/consultation.h"

enum { S_PRACTICE_NAME = KN_DB_SLOT_PRACTICE + 1 };

/* ---- session ---- */

static bool cookie_token(const kn_http_req *r, char tok[KN_SESSION_TOKEN_BUF]) {
    const char *c = r->cookie;
    size_t n = strlen(KN_SESSION_COOKIE);
    while ((c = strstr(c, KN_SESSION_COOKIE "=")) != NULL) {
        if (c == r->cookie || c[-1] == ' ' || c[-1] == ';') {
            size_t len = strcspn(c + n + 1, "; ");
            if (len == 0 || len >= KN_SESSION_TOKEN_BUF)
                return false;
            memcpy(tok, c + n + 1, len);
            tok[len] = '\0';
            return true;
        }
        c += n;
    }
    return false;
}

static void set_cookie(kn_practice *p, kn_http_req *r, const char *token, int64_t max_age) {
    if (kn_session_cookie(token, max_age, r->set_cookie, sizeof(r->set_cookie)) != 0) {
        r->set_cookie[0] = '\0';
        return;
    }
    char *secure = strstr(r->set_cookie, "; Secure");
    if (!p->tls && secure != NULL) /* plain HTTP for local development: a Secure cookie never returns */
        memmove(secure, secure + 8, strlen(secure + 8) + 1);
}

static bool session_host(kn_practice *p, kn_http_req *r, kn_host *h) {
    char tok[KN_SESSION_TOKEN_BUF];
    int64_t id;
    if (!cookie_token(r, tok) || kn_session_check(p->db, tok, strlen(tok), time(NULL), &id) != 0 ||
        kn_host_get(p->db, id, h) != 0) {
        kn_practice_error(r, 401, "login_required");
        return false;
    }
    return true;
}

/* ---- login ---- */

typedef struct login_job {
    uv_work_t work;
    kn_practice *p;
    kn_http_req *req;
    kn_host_attempt a;
    char password[256], totp[16];
    bool has_totp;
    int64_t now;
} login_job;

static void login_detach(void *op) {
    ((login_job *)op)->req = NULL;
}

static void login_work(uv_work_t *w) {
    login_job *j = w->data;
    kn_host_login_verify(&j->a, j->password, j->has_totp ? j->totp : NULL, j->now);
}

static void login_answer(login_job *j, int rc) {
    kn_http_req *r = j->req;
    char tok[KN_SESSION_TOKEN_BUF];
    r->op = NULL;
    r->op_detach = NULL;
    if (rc == 0 && kn_session_create(j->p->db, j->a.host.id, time(NULL), KN_SESSION_TTL_S, tok) == 0) {
        set_cookie(j->p, r, tok, KN_SESSION_TTL_S);
        OPENSSL_cleanse(tok, sizeof(tok));
        kn_practice_json(r, 200, json_pack("{s:s, s:s}", "email", j->a.host.email, "role",
                                           kn_host_role_name(j->a.host.role)));
    } else if (rc == 0 || rc == KN_EIO) {
        kn_practice_error(r, 500, "store");
    } else {
        kn_practice_error(r, rc == KN_ELIMIT ? 429 : 401,
                          rc == KN_ESTATE   ? "totp_required"
                          : rc == KN_ELIMIT ? "locked"
                                            : "wrong_login");
    }
}

static void login_done(uv_work_t *w, int status) {
    login_job *j = w->data;
    OPENSSL_cleanse(j->password, sizeof(j->password));
    OPENSSL_cleanse(j->totp, sizeof(j->totp));
    int rc = status == 0 ? kn_host_login_finish(j->p->db, &j->a, j->now) : KN_EIO;
    if (rc != 0)
        KN_LOG_INFO("practice", "login failed: %s", kn_strerror(rc));
    else
        KN_LOG_INFO("practice", "host %lld logged in", (long long)j->a.host.id);
    if (j->req != NULL)
        login_answer(j, rc);
    OPENSSL_cleanse(&j->a, sizeof(j->a));
    free(j);
}

static void login(kn_practice *p, kn_http_req *r, json_t *body) {
    const char *email = json_string_value(json_object_get(body, "email"));
    const char *pw = json_string_value(json_object_get(body, "password"));
    const char *totp = json_string_value(json_object_get(body, "totp"));
    login_job *j;
    if (email == NULL || pw == NULL || strlen(email) >= KN_HOST_EMAIL_BUF || strlen(pw) >= 256 ||
        (totp != NULL && strlen(totp) >= 16)) {
        kn_practice_error(r, 400, "email_and_password_required");
        return;
    }
    if ((j = calloc(1, sizeof(*j))) == NULL) {
        kn_practice_error(r, 500, "out_of_memory");
        return;
    }
    j->p = p;
    j->req = r;
    j->now = time(NULL);
    strcpy(j->password, pw);
    if ((j->has_totp = totp != NULL && totp[0] != '\0'))
        strcpy(j->totp, totp);
    j->work.data = j;
    if (kn_host_login_begin(p->db, email, &j->a) != 0 ||
        uv_queue_work(p->loop, &j->work, login_work, login_done) != 0) {
        OPENSSL_cleanse(j, sizeof(*j));
        free(j);
        kn_practice_error(r, 500, "store");
        return;
    }
    r->op = j;
    r->op_detach = login_detach;
}

static void logout(kn_practice *p, kn_http_req *r, json_t *body) {
    (void)body;
    char tok[KN_SESSION_TOKEN_BUF];
    if (cookie_token(r, tok))
        kn_session_logout(p->db, tok, strlen(tok));
    set_cookie(p, r, "", 0);
    kn_practice_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void logout_all(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    (void)body;
    if (kn_session_logout_everywhere(p->db, h->id) != 0) {
        kn_practice_error(r, 500, "store");
        return;
    }
    set_cookie(p, r, "", 0);
    kn_practice_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void me(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    (void)p;
    (void)body;
    kn_practice_json(r, 200, json_pack("{s:s, s:s}", "email", h->email, "role",
                                       kn_host_role_name(h->role)));
}

/* ---- appointments ---- */

static json_t *appt_json(kn_practice *p, const kn_appointment *a) {
    kn_invitee inv[KN_APPT_MAX_INVITEES];
    size_t n = 0;
    json_t *list = json_array();
    kn_appointment_invitees(p->db, a->id, inv, KN_APPT_MAX_INVITEES, &n);
    for (size_t i = 0; i < n; i++) {
        kn_wait_entry *x = kn_waiting_by_invite(&p->wait, a->practice_id, inv[i].public_id);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "invitee", inv[i].public_id,
                                              "pseudonym", inv[i].pseudonym, "role",
                                              kn_appointment_role_name(inv[i].role), "waiting",
                                              x ? kn_wait_state_name(x->state) : "absent"));
    }
    return json_pack("{s:s, s:I, s:i, s:s, s:s, s:o}", "id", a->public_id, "start",
                     (json_int_t)a->start_at, "duration_min", (int)(a->duration_s / 60), "type",
                     kn_appointment_type_name(a->type), "state",
                     kn_appointment_state_name(a->state), "invitees", list);
}

static void list_today(kn_practice *p, kn_http_req *r, const kn_host *h) {
    kn_appointment a[64];
    size_t n = 0;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t from = mktime(&tm);
    tm.tm_mday++;
    tm.tm_isdst = -1;
    time_t to = mktime(&tm);
    if (kn_appointment_list(p->db, h->practice_id, from, to, a, 64, &n) != 0) {
        kn_practice_error(r, 500, "store");
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, appt_json(p, &a[i]));
    kn_practice_json(r, 200, json_pack("{s:o}", "appointments", list));
}

/* The practice's name for invitation texts; "Praxis" when the store has none. */
static void practice_name(kn_db *db, int64_t id, char *out, size_t cap) {
    sqlite3_stmt *st = kn_db_stmt(db, S_PRACTICE_NAME, "SELECT name FROM practices WHERE id = ?");
    snprintf(out, cap, "Praxis");
    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
}

enum { S_APPT_PRACTICE = KN_DB_SLOT_PRACTICE + 2 };

/* The appointment with row id `id` if it belongs to `practice_id`. */
static int appt_of_practice(kn_practice *p, int64_t id, int64_t practice_id, kn_appointment *a) {
    sqlite3_stmt *st = kn_db_stmt(p->db, S_APPT_PRACTICE,
                                  "SELECT public_id FROM appointments WHERE id = ? AND practice_id = ?");
    char pub[KN_PUBLIC_ID_BUF];
    if (st == NULL)
        return KN_EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, practice_id);
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : KN_ENOENT;
    if (rc == 0)
        snprintf(pub, sizeof(pub), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc == 0 ? kn_appointment_get(p->db, pub, practice_id, a) : rc;
}

typedef struct note_ctx {
    char pseudonym[KN_PSEUDONYM_BUF];
    const char *channel;
} note_ctx;

static void on_sent(void *ctx, int rc, const char *err) {
    note_ctx *n = ctx;
    if (rc == 0)
        KN_LOG_INFO("practice", "invitation %s for %s sent", n->channel, n->pseudonym);
    else
        KN_LOG_WARN("practice", "invitation %s for %s failed: %s (%s)", n->channel, n->pseudonym,
                    kn_strerror(rc), err);
    free(n);
}

static note_ctx *note_new(const kn_invitee *inv, const char *channel) {
    note_ctx *n = calloc(1, sizeof(*n));
    if (n != NULL) {
        strcpy(n->pseudonym, inv->pseudonym);
        n->channel = channel;
    }
    return n;
}

/* Sends the invitation to the contacts in `spec`; returns what happened. */
static json_t *invite(kn_practice *p, const kn_invite *in, const kn_invitee *inv, json_t *spec) {
    const char *email = json_string_value(json_object_get(spec, "email"));
    const char *phone = json_string_value(json_object_get(spec, "phone"));
    json_t *st = json_object();
    if (email != NULL && email[0] != '\0') {
        static char msg[KN_INVITE_MAIL_MAX];
        size_t n;
        kn_invite m = *in;
        m.from = p->smtp.from;
        m.to = email;
        note_ctx *ctx = note_new(inv, "mail");
        const char *s = !p->mail_on ? "off"
                        : ctx == NULL || kn_invite_text_mail(&m, time(NULL), msg, sizeof(msg), &n) ||
                                kn_mailer_send(p->loop, &p->smtp, email, msg, n, on_sent, ctx)
                            ? "invalid"
                            : "queued";
        if (strcmp(s, "queued") != 0)
            free(ctx);
        OPENSSL_cleanse(msg, sizeof(msg));
        json_object_set_new(st, "mail", json_string(s));
    }
    if (phone != NULL && phone[0] != '\0') {
        char text[KN_INVITE_SMS_MAX];
        note_ctx *ctx = note_new(inv, "sms");
        const char *s = !p->sms_on ? "off"
                        : ctx == NULL || kn_invite_text_sms(in, text, sizeof(text)) ||
                                kn_sms_queue(p->loop, &p->sms, phone, text, on_sent, ctx)
                            ? "invalid"
                            : "queued";
        if (strcmp(s, "queued") != 0)
            free(ctx);
        json_object_set_new(st, "sms", json_string(s));
    }
    return st;
}

/* One invitee's invitation: link, mail/SMS as `spec` asks, and the JSON the
 * host sees once; the plain code is wiped from `inv` afterwards. */
static json_t *invitation(kn_practice *p, const char *practice, const kn_appointment *a,
                          kn_invitee *inv, json_t *spec) {
    char link[512];
    kn_access_code_link(p->link_host, inv->public_id, inv->code, link, sizeof(link));
    kn_invite in = {.practice = practice, .link = link, .code = inv->code,
                    .start_at = a->start_at, .duration_s = a->duration_s};
    json_t *sent = invite(p, &in, inv, spec);
    json_t *res = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "invitee", inv->public_id,
                            "pseudonym", inv->pseudonym, "role", kn_appointment_role_name(inv->role),
                            "link", link, "code", inv->code, "sent", sent);
    OPENSSL_cleanse(inv->code, sizeof(inv->code));
    return res;
}

static int parse_when(json_t *body, int64_t *start, int32_t *dur) {
    const char *date = json_string_value(json_object_get(body, "date"));
    const char *hm = json_string_value(json_object_get(body, "time"));
    json_int_t minutes = json_integer_value(json_object_get(body, "duration_min"));
    struct tm tm = {0};
    char tail;
    if (date == NULL || hm == NULL ||
        sscanf(date, "%4d-%2d-%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tail) != 3 ||
        sscanf(hm, "%2d:%2d%c", &tm.tm_hour, &tm.tm_min, &tail) != 2 || minutes < 5 ||
        minutes > 480)
        return KN_EINVAL;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return KN_EINVAL;
    *start = t;
    *dur = (int32_t)minutes * 60;
    return 0;
}

static void create_appt(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    kn_appointment a = {.practice_id = h->practice_id, .host_id = h->id};
    kn_invitee_role roles[KN_APPT_MAX_INVITEES];
    kn_invitee out[KN_APPT_MAX_INVITEES];
    json_t *specs = json_object_get(body, "invitees");
    const char *type = json_string_value(json_object_get(body, "type"));
    size_t n = json_array_size(specs);
    char name[256];
    bool ok = type != NULL && kn_appointment_type_parse(type, &a.type) == 0 && n >= 1 &&
              n <= KN_APPT_MAX_INVITEES && parse_when(body, &a.start_at, &a.duration_s) == 0;
    for (size_t i = 0; ok && i < n; i++) {
        const char *role = json_string_value(json_object_get(json_array_get(specs, i), "role"));
        ok = role != NULL && kn_appointment_role_parse(role, &roles[i]) == 0;
    }
    if (!ok || kn_appointment_create(p->db, p->code_key, &a, roles, n, time(NULL), out) != 0) {
        kn_practice_error(r, 400, "bad_appointment");
        return;
    }
    practice_name(p->db, h->practice_id, name, sizeof(name));
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, invitation(p, name, &a, &out[i], json_array_get(specs, i)));
    KN_LOG_INFO("practice", "appointment %s created (%s, %zu invitee(s))", a.public_id,
                kn_appointment_type_name(a.type), n);
    json_t *res = appt_json(p, &a);
    json_object_set_new(res, "invitations", list);
    kn_practice_json(r, 201, res);
}

/* invitees: {appointment, role, email?, phone?}: an interpreter or relative during the call. */
static void add_invitee(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    const char *id = json_string_value(json_object_get(body, "appointment"));
    const char *role_s = json_string_value(json_object_get(body, "role"));
    kn_appointment a;
    kn_invitee_role role;
    kn_invitee inv;
    char name[256];
    if (id == NULL || role_s == NULL || strlen(id) >= KN_PUBLIC_ID_BUF ||
        kn_appointment_role_parse(role_s, &role) != 0 ||
        kn_appointment_get(p->db, id, h->practice_id, &a) != 0) {
        kn_practice_error(r, 404, "no_such_appointment");
        return;
    }
    int rc = kn_appointment_add_invitee(p->db, p->code_key, a.id, role, time(NULL), &inv);
    if (rc != 0) {
        kn_practice_error(r, rc == KN_EINVAL ? 400 : rc == KN_ESTATE ? 410 : 500,
                          rc == KN_EINVAL ? "too_many_invitees" : rc == KN_ESTATE ? "ended" : "store");
        return;
    }
    practice_name(p->db, h->practice_id, name, sizeof(name));
    json_t *res = invitation(p, name, &a, &inv, body);
    KN_LOG_INFO("practice", "appointment %s: %s added", a.public_id, inv.pseudonym);
    kn_practice_json(r, 201, res);
}

/* reissue: {invitee, email?, phone?}: a new code (the old one stops working), sent again. */
static void reissue(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    const char *id = json_string_value(json_object_get(body, "invitee"));
    kn_invitee inv;
    kn_appointment a;
    kn_invitee_code ic;
    char name[256];
    /* the invitee must belong to an appointment of the host's practice */
    if (id == NULL || strlen(id) >= KN_PUBLIC_ID_BUF ||
        kn_appointment_invitee_code(p->db, id, &ic) != 0 ||
        appt_of_practice(p, ic.invitee.appointment_id, h->practice_id, &a) != 0) {
        kn_practice_error(r, 404, "no_such_invitee");
        return;
    }
    OPENSSL_cleanse(&ic, sizeof(ic));
    int rc = kn_appointment_reissue_code(p->db, p->code_key, id, time(NULL), &inv);
    if (rc != 0) {
        kn_practice_error(r, rc == KN_ESTATE ? 410 : 500, rc == KN_ESTATE ? "ended" : "store");
        return;
    }
    practice_name(p->db, h->practice_id, name, sizeof(name));
    json_t *res = invitation(p, name, &a, &inv, body);
    KN_LOG_INFO("practice", "new code for %s", inv.pseudonym);
    kn_practice_json(r, 200, res);
}

static void appointments(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    if (r->method == KN_HTTP_GET)
        list_today(p, r, h);
    else
        create_appt(p, r, h, body);
}

/* ---- waiting room ---- */

kn_active_consult *kn_practice_active(kn_practice *p, int64_t appt_id, bool create) {
    kn_active_consult *free_slot = NULL;
    for (unsigned i = 0; i < KN_PRACTICE_MAX_ACTIVE; i++) {
        if (p->active[i].appt_id == appt_id)
            return &p->active[i];
        if (p->active[i].appt_id == 0 && free_slot == NULL)
            free_slot = &p->active[i];
    }
    if (!create || free_slot == NULL)
        return NULL;
    free_slot->appt_id = appt_id;
    return free_slot;
}

static void waiting_list(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    (void)body;
    json_t *list = json_array();
    int64_t now = time(NULL);
    for (unsigned i = 0; i < KN_WAIT_MAX; i++) {
        const kn_wait_entry *x = &p->wait.e[i];
        if (!x->used || x->practice_id != h->practice_id || x->state == KN_WAIT_ENDED ||
            x->state == KN_WAIT_REJECTED)
            continue;
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:i}", "invitee", x->invite,
                            "pseudonym", x->pseudonym, "role", kn_appointment_role_name(x->role),
                            "appointment", x->appt_public, "state", kn_wait_state_name(x->state),
                            "waiting_s", (json_int_t)(now - x->since_s), "position",
                            (int)kn_waiting_position(&p->wait, x)));
    }
    kn_practice_json(r, 200, json_pack("{s:o, s:b}", "waiting", list, "draining",
                                       kn_practice_draining(p)));
}

/* Starts the consultation record of x's appointment when it is not running. */
static int begin_consultation(kn_practice *p, const kn_host *h, const kn_wait_entry *x) {
    if (kn_practice_active(p, x->appt_id, false) != NULL)
        return 0;
    kn_active_consult *c = kn_practice_active(p, x->appt_id, true);
    if (c == NULL)
        return KN_ELIMIT;
    int rc = kn_appointment_set_state(p->db, x->appt_id, KN_APPT_SCHEDULED, KN_APPT_ACTIVE);
    if (rc == 0 || rc == KN_ESTATE)
        rc = kn_consultation_begin(p->db, h->practice_id, x->appt_type, h->role, time(NULL),
                                   &c->consult_id);
    if (rc != 0) {
        memset(c, 0, sizeof(*c));
        return rc;
    }
    c->participants = 1;
    return 0;
}

/* call / admit / reject: {invitee}. */
static void act(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body, kn_wait_state to) {
    const char *invite = json_string_value(json_object_get(body, "invitee"));
    kn_wait_entry *x = invite ? kn_waiting_by_invite(&p->wait, h->practice_id, invite) : NULL;
    char token[1024];
    if (x == NULL || x->state == KN_WAIT_IN_ROOM) {
        kn_practice_error(r, 404, "not_waiting");
        return;
    }
    if (to != KN_WAIT_REJECTED && kn_practice_refuses_room(p, x->appt_public)) {
        kn_practice_error(r, 503, "draining");
        return;
    }
    if (to != KN_WAIT_REJECTED) {
        int rc = begin_consultation(p, h, x);
        if (rc == 0)
            rc = kn_practice_room_token(p, x->appt_public, "host", token, sizeof(token));
        if (rc != 0) {
            kn_practice_error(r, 500, "store");
            return;
        }
    }
    kn_waiting_set(&p->wait, x, to, kn_practice_now_ms(p));
    KN_LOG_INFO("waiting", "host %lld: %s is %s", (long long)h->id, x->pseudonym,
                kn_wait_state_name(to));
    if (to == KN_WAIT_REJECTED)
        kn_practice_json(r, 200, json_pack("{s:s}", "state", "rejected"));
    else
        kn_practice_json(r, 200, json_pack("{s:s, s:s, s:s, s:s}", "state", kn_wait_state_name(to),
                                           "room", x->appt_public, "token", token, "role",
                                           "host"));
    kn_practice_wake(p);
}

static void call(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    act(p, r, h, body, KN_WAIT_CALLED);
}

static void admit(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    act(p, r, h, body, KN_WAIT_ADMITTED);
}

static void reject(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    act(p, r, h, body, KN_WAIT_REJECTED);
}

/* Everyone of appointment a leaves the waiting room, its consultation record gets its end time. */
static void end_appointment(kn_practice *p, const kn_appointment *a) {
    for (unsigned i = 0; i < KN_WAIT_MAX; i++)
        if (p->wait.e[i].used && p->wait.e[i].appt_id == a->id)
            kn_waiting_set(&p->wait, &p->wait.e[i], KN_WAIT_ENDED, kn_practice_now_ms(p));
    kn_active_consult *c = kn_practice_active(p, a->id, false);
    if (c != NULL) {
        kn_consultation_end(p->db, c->consult_id, time(NULL));
        memset(c, 0, sizeof(*c));
    }
    if (a->state == KN_APPT_SCHEDULED || a->state == KN_APPT_ACTIVE)
        kn_appointment_set_state(p->db, a->id, a->state, KN_APPT_ENDED);
    KN_LOG_INFO("practice", "appointment %s ended", a->public_id);
    kn_practice_wake(p);
}

/* end: {appointment}: the appointment ends, everyone in its room leaves. */
static void end(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    const char *id = json_string_value(json_object_get(body, "appointment"));
    kn_appointment a;
    if (id == NULL || strlen(id) >= KN_PUBLIC_ID_BUF ||
        kn_appointment_get(p->db, id, h->practice_id, &a) != 0) {
        kn_practice_error(r, 404, "no_such_appointment");
        return;
    }
    end_appointment(p, &a);
    if (p->hub != NULL) /* everyone in the room leaves; their tokens stop working */
        kn_hub_end_room(p->hub, a.public_id, time(NULL) + KN_ROOM_TOKEN_TTL_S);
    kn_practice_json(r, 200, json_pack("{s:s}", "state", "ended"));
}

void kn_practice_on_room_end(void *ctx, const char *room) {
    kn_practice *p = ctx;
    kn_appointment a;
    if (strlen(room) < KN_PUBLIC_ID_BUF && kn_appointment_get(p->db, room, 0, &a) == 0)
        end_appointment(p, &a); /* the host pressed "end for all" in the room */
}

/* ---- dispatch ---- */

typedef void (*host_fn)(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body);

void kn_practice_host_api(kn_practice *p, kn_http_req *r, const char *name, json_t *body) {
    static const struct {
        const char *name;
        host_fn fn;
        unsigned methods; /* 1 GET, 2 POST */
    } calls[] = {
        {"logout-all",   logout_all,   2},
        {"me",           me,           1},
        {"appointments", appointments, 3},
        {"waiting",      waiting_list, 1},
        {"call",         call,         2},
        {"admit",        admit,        2},
        {"reject",       reject,       2},
        {"end",          end,          2},
        {"invitees",     add_invitee,  2},
        {"reissue",      reissue,      2},
        {"totp/new",     kn_practice_totp_new,    2},
        {"totp/enable",  kn_practice_totp_enable, 2},
    };
    kn_host h;
    bool post = r->method == KN_HTTP_POST;
    if (strcmp(name, "login") == 0 || strcmp(name, "logout") == 0) {
        if (!post) {
            strcpy(r->allow, "POST");
            kn_practice_error(r, 405, "method_not_allowed");
        } else if (name[3] == 'i') {
            login(p, r, body);
        } else {
            logout(p, r, body);
        }
        return;
    }
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        if (strcmp(name, calls[i].name) != 0)
            continue;
        if (!(calls[i].methods & (post ? 2u : 1u))) {
            strcpy(r->allow, calls[i].methods == 1 ? "GET" : "POST");
            kn_practice_error(r, 405, "method_not_allowed");
        } else if (session_host(p, r, &h)) {
            calls[i].fn(p, r, &h, body);
        }
        return;
    }
    kn_practice_error(r, 404, "no_such_call");
}
