/*
 * host.h: practices and host accounts (doctor, therapist, assistant):
 * creation (including the first host for `konsil-signaling host-create`),
 * password login with optional TOTP, a lock after repeated failures, TOTP
 * enrolment. Login is split so the signaling loop never runs scrypt:
 *   kn_host_login_begin   (loop: one SELECT)
 *   kn_host_login_verify  (uv_queue_work: scrypt + TOTP, no store access)
 *   kn_host_login_finish  (loop: one UPDATE)
 * kn_host_login does all three in a row for the CLI and tests.
 */
#ifndef KN_HOST_H
#define KN_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "account/password.h"
#include "account/totp.h"
#include "store/db.h"

#define KN_HOST_EMAIL_BUF    256
#define KN_HOST_MAX_FAILURES 10
#define KN_HOST_LOCK_S       900

typedef enum { KN_HOST_DOCTOR, KN_HOST_THERAPIST, KN_HOST_ASSISTANT } kn_host_role;

typedef struct kn_host {
    int64_t id;
    int64_t practice_id;
    char email[KN_HOST_EMAIL_BUF];
    kn_host_role role;
    int has_totp;
} kn_host;

/* "doctor" | "therapist" | "assistant". Return 0 / KN_EINVAL, NULL if out of range. */
int kn_host_role_parse(const char *s, kn_host_role *r);
const char *kn_host_role_name(kn_host_role r);

/* Returns 0, KN_EINVAL (empty or > 200 bytes), KN_EIO. */
int kn_host_practice_create(kn_db *db, const char *name, int64_t now, int64_t *id);

/*
 * Creates a host with a scrypt hash of `password` (blocks ~0.1 s: call from
 * a worker or the CLI). Returns 0, KN_EINVAL (e-mail without '@' or with
 * control characters, password shorter than KN_PASSWORD_MIN_LEN), KN_EEXIST
 * (e-mail taken), KN_ENOENT (practice), KN_EIO, KN_ECRYPTO.
 */
int kn_host_create(kn_db *db, int64_t practice_id, const char *email, kn_host_role role,
                   const char *password, int64_t now, kn_host *out);

/*
 * First-run setup: creates practice `practice_name` and its first host in one
 * transaction. Returns KN_EEXIST when any host exists already, else as
 * kn_host_create.
 */
int kn_host_create_first(kn_db *db, const char *practice_name, const char *email, kn_host_role role,
                         const char *password, int64_t now, kn_host *out);

/* Looks up a host by id. Returns 0, KN_ENOENT, KN_EIO. */
int kn_host_get(kn_db *db, int64_t id, kn_host *out);

/* State carried from begin through verify to finish. */
typedef struct kn_host_attempt {
    kn_host host;
    int found;
    int64_t locked_until;
    char pw_hash[KN_PASSWORD_HASH_BUF];
    uint8_t totp_secret[KN_TOTP_SECRET_LEN];
    int64_t totp_last_step;
    int64_t totp_step_used; /* set by verify */
    int result;             /* set by verify */
} kn_host_attempt;

/* Loads what verify needs. An unknown e-mail is not an error here: verify
 * then hashes against a dummy so timing does not reveal it. Returns 0 or KN_EIO. */
int kn_host_login_begin(kn_db *db, const char *email, kn_host_attempt *l);

/* CPU only, thread-safe. Sets l->result: 0, KN_EAUTH (unknown e-mail, wrong
 * password or TOTP), KN_ESTATE (password right, TOTP needed but `totp` NULL),
 * KN_ELIMIT (locked at `now`). */
void kn_host_login_verify(kn_host_attempt *l, const char *password, const char *totp, int64_t now);

/* Records the outcome (failure count and lock, TOTP step) and returns
 * l->result, or KN_EIO. Wipes the secrets in `l`. */
int kn_host_login_finish(kn_db *db, kn_host_attempt *l, int64_t now);

/* begin + verify + finish. On 0 fills *out. */
int kn_host_login(kn_db *db, const char *email, const char *password, const char *totp, int64_t now,
                  kn_host *out);

/* Enables TOTP with `secret` once `confirm` is a valid code for it (proves the
 * app has it). Returns 0, KN_EAUTH (code wrong), KN_ENOENT, KN_EIO. */
int kn_host_totp_enable(kn_db *db, int64_t host_id, const uint8_t secret[KN_TOTP_SECRET_LEN],
                        const char *confirm, int64_t now);

/* Removes TOTP. Returns 0, KN_ENOENT, KN_EIO. */
int kn_host_totp_disable(kn_db *db, int64_t host_id);

#endif
