/*
 * practice.h: the consultation workflow over HTTP (issue 7): the host API
 * under /api (login with scrypt off the loop, session cookie, logout,
 * today's appointments, creating appointments with invitations by e-mail or
 * SMS, the waiting list and call / admit / reject / end), the patient API
 * (/api/join with the access code, /api/wait long poll, /api/accept), and
 * the pages /practice and /join/{invite} with their assets. The server
 * mints room tokens (docs/signaling-protocol.md) for host and guests; it
 * only ever sees pseudonyms. Signaling loop. API: docs/practice-api.md.
 */
#ifndef KN_PRACTICE_H
#define KN_PRACTICE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "account/access_code.h"
#include "account/attempts.h"
#include "http/httpd.h"
#include "notify/smtp.h"
#include "notify/sms.h"
#include "practice/waiting.h"
#include "store/db.h"

#define KN_PRACTICE_MAX_ACTIVE 64 /* running consultations tracked at once */
#define KN_ROOM_TOKEN_TTL_S    (4 * 3600)

typedef struct kn_practice_opts {
    uv_loop_t *loop;
    kn_db *db;
    const uint8_t *code_key; /* KN_ACCESS_CODE_KEY_LEN bytes */
    const char *jwt_secret;  /* room token key */
    const char *link_host;   /* HOST[:PORT] in invitation links */
    bool tls;
    const char *web_dir;
} kn_practice_opts;

typedef struct kn_active_consult {
    int64_t appt_id, consult_id;
    int participants; /* host included */
} kn_active_consult;

typedef struct kn_practice {
    uv_loop_t *loop;
    kn_db *db;
    uint8_t code_key[KN_ACCESS_CODE_KEY_LEN];
    char secret[256];
    char link_host[256];
    char web_dir[512];
    bool tls;
    kn_attempts by_addr;
    kn_smtp_config smtp;
    bool mail_on;
    kn_sms_config sms;
    bool sms_on;
    kn_waiting wait;
    uint64_t answered_version;
    kn_active_consult active[KN_PRACTICE_MAX_ACTIVE];
    struct {
        int64_t host_id, expires;
        uint8_t secret[20]; /* KN_TOTP_SECRET_LEN */
    } totp_pending[16];     /* secrets offered but not yet confirmed */
    uv_timer_t timer;
    bool timer_up;
    struct kn_hub *hub; /* rooms: "end for all"; set by the owner, may be NULL */
} kn_practice;

/* Reads the mail and SMS settings from the environment. Returns 0, KN_EINVAL
 * (a bad mail or SMS setting, or an option too long), KN_ENOMEM or KN_EIO. */
int kn_practice_init(kn_practice *p, const kn_practice_opts *o);

/* Answers the request when its path belongs here (/api/, /practice,
 * /practice-assets/, /join/, /join-assets/); false otherwise. */
bool kn_practice_route(kn_practice *p, kn_http_req *r);

/* Answers held polls, stops the timer (closed on the loop). */
void kn_practice_close(kn_practice *p);

/* ---- shared by host_api.c and patient_api.c ---- */

int64_t kn_practice_now_ms(const kn_practice *p);
void kn_practice_json(kn_http_req *r, int status, json_t *body); /* consumes body */
void kn_practice_error(kn_http_req *r, int status, const char *code);
/* Mints a room token (role host or guest) for `room`. Returns 0 or KN_E*. */
int kn_practice_room_token(const kn_practice *p, const char *room, const char *role, char *out,
                           size_t cap);
/* True while signaling drains (SIGTERM, docs/operations.md).
 * kn_practice_refuses_room: draining and `room` (an appointment's public id)
 * is not running, so a join of it would be refused: its patients get 503
 * `draining` ("try again in a few minutes") and the host cannot call them in;
 * running consultations continue. */
bool kn_practice_draining(const kn_practice *p);
bool kn_practice_refuses_room(const kn_practice *p, const char *room);
/* Answers every held poll whose page has not seen the current version. */
void kn_practice_wake(kn_practice *p);

/* TOTP enrolment (host_totp.c): totp/new {} -> {secret, uri}; totp/enable {code}. */
struct kn_host;
void kn_practice_totp_new(kn_practice *p, kn_http_req *r, const struct kn_host *h, json_t *body);
void kn_practice_totp_enable(kn_practice *p, kn_http_req *r, const struct kn_host *h,
                             json_t *body);

/* Hook for kn_hostctl.on_end (ctx: the kn_practice): the host ended room `room`
 * (an appointment's public id) from the room page; the appointment and its
 * consultation record end as with /api/end. Other rooms are ignored. */
void kn_practice_on_room_end(void *ctx, const char *room);

void kn_practice_host_api(kn_practice *p, kn_http_req *r, const char *name, json_t *body);
bool kn_practice_patient_api(kn_practice *p, kn_http_req *r, const char *name, json_t *body);
/* The running consultation of an appointment; `create` takes a free slot.
 * NULL when absent or full. */
kn_active_consult *kn_practice_active(kn_practice *p, int64_t appt_id, bool create);
/* The answer to a patient's poll for entry x. */
json_t *kn_practice_wait_view(kn_practice *p, const kn_wait_entry *x);

#endif
