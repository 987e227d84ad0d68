/*
 * appointment.h: appointments and their invitees in the store. An invitee is
 * a role (patient, interpreter, relative), a server-made pseudonym
 * ("patient-1") and the MAC of its access code, nothing else: no name, no
 * e-mail address, no phone number (the caller passes a contact straight to
 * the mailer and forgets it; see docs/data-and-retention.md).
 * Signaling loop; each call is one short transaction.
 */
#ifndef KN_APPOINTMENT_H
#define KN_APPOINTMENT_H

#include <stddef.h>
#include <stdint.h>

#include "account/access_code.h"
#include "store/db.h"

#define KN_PUBLIC_ID_BUF         23 /* 16 random bytes in base64url + NUL */
#define KN_PSEUDONYM_BUF         24
#define KN_APPT_MAX_INVITEES     8 /* group session: 8 patients + 1 host */
#define KN_APPT_MAX_PARTICIPANTS (KN_APPT_MAX_INVITEES + 1)
#define KN_APPT_MAX_COMPANIONS   2    /* interpreter / relative beside the one patient */
#define KN_CODE_GRACE_S          3600 /* a code stays valid this long after the end */
#define KN_CODE_MAX_FAILURES     5
#define KN_CODE_LOCK_S           900

typedef enum { KN_APPT_ONE_TO_ONE, KN_APPT_WITH_COMPANION, KN_APPT_GROUP } kn_appt_type;
typedef enum { KN_ROLE_PATIENT, KN_ROLE_INTERPRETER, KN_ROLE_RELATIVE } kn_invitee_role;
typedef enum { KN_APPT_SCHEDULED, KN_APPT_ACTIVE, KN_APPT_ENDED, KN_APPT_CANCELLED } kn_appt_state;

typedef struct kn_appointment {
    int64_t id;
    char public_id[KN_PUBLIC_ID_BUF];
    int64_t practice_id;
    int64_t host_id; /* 0 when unassigned */
    int64_t start_at;
    int32_t duration_s; /* 300..28800 */
    kn_appt_type type;
    kn_appt_state state;
} kn_appointment;

typedef struct kn_invitee {
    int64_t id;
    int64_t appointment_id;
    char public_id[KN_PUBLIC_ID_BUF]; /* the {invite-id} in /join/{invite-id} */
    kn_invitee_role role;
    char pseudonym[KN_PSEUDONYM_BUF];
    int64_t code_expires_at;
    /* Plaintext code, filled only by create / add / reissue for the
     * invitation; never stored. Zeroed everywhere else. */
    char code[KN_ACCESS_CODE_BUF];
} kn_invitee;

/* Names for JSON and the schema ("one_to_one", "patient", "scheduled"); NULL if out of range. */
const char *kn_appointment_type_name(kn_appt_type t);
const char *kn_appointment_role_name(kn_invitee_role r);
const char *kn_appointment_state_name(kn_appt_state s);
/* Parse those names. Return 0 or KN_EINVAL. */
int kn_appointment_type_parse(const char *s, kn_appt_type *t);
int kn_appointment_role_parse(const char *s, kn_invitee_role *r);

/*
 * Whether `n` invitees with `roles` fit an appointment of `type`:
 * one_to_one 1 patient (companions only added later), with_companion
 * 1 patient + 1..2 companions, group 1..8 invitees with at least one
 * patient. `creating` applies the creation rule; otherwise the rule for
 * adding during a call (any type: 1 patient + up to 2 companions, group up
 * to 8). Returns 0 or KN_EINVAL.
 */
int kn_appointment_check_roles(kn_appt_type type, const kn_invitee_role *roles, size_t n,
                               int creating);

/*
 * Creates an appointment from a->practice_id, host_id, start_at, duration_s,
 * type and one invitee per role, each with a fresh code (MAC under `key`,
 * expiring KN_CODE_GRACE_S after the end). Fills a->id, public_id, state and
 * out[0..n-1] (with plaintext codes). Returns 0, KN_EINVAL (composition,
 * times), KN_ENOENT (practice or host unknown), KN_EIO, KN_ECRYPTO.
 */
int kn_appointment_create(kn_db *db, const uint8_t key[KN_ACCESS_CODE_KEY_LEN], kn_appointment *a,
                          const kn_invitee_role *roles, size_t n, int64_t now, kn_invitee *out);

/* Looks up by public id, limited to `practice_id` unless it is 0.
 * Returns 0, KN_ENOENT or KN_EIO. */
int kn_appointment_get(kn_db *db, const char *public_id, int64_t practice_id, kn_appointment *out);

/* Appointments of a practice starting in [from, to), by start time, at most
 * `cap`; *n is the number written. Returns 0 or KN_EIO. */
int kn_appointment_list(kn_db *db, int64_t practice_id, int64_t from, int64_t to,
                        kn_appointment *out, size_t cap, size_t *n);

/* Invitees of an appointment (codes zeroed). Returns 0 or KN_EIO. */
int kn_appointment_invitees(kn_db *db, int64_t appointment_id, kn_invitee *out, size_t cap,
                            size_t *n);

/* Moves the state from `from` to `to`. Returns 0, KN_ESTATE when the stored
 * state is not `from`, KN_EINVAL, KN_EIO. */
int kn_appointment_set_state(kn_db *db, int64_t id, kn_appt_state from, kn_appt_state to);

/* Adds one invitee (e.g. an interpreter during the call) with a fresh code.
 * Returns 0, KN_EINVAL (composition would break), KN_ENOENT, KN_ESTATE
 * (cancelled or ended), KN_EIO, KN_ECRYPTO. */
int kn_appointment_add_invitee(kn_db *db, const uint8_t key[KN_ACCESS_CODE_KEY_LEN],
                               int64_t appointment_id, kn_invitee_role role, int64_t now,
                               kn_invitee *out);

/* Replaces an invitee's code (the old one stops working; failures and lock
 * are cleared). Returns 0, KN_ENOENT, KN_ESTATE (appointment cancelled or
 * past its code expiry), KN_EIO, KN_ECRYPTO. */
int kn_appointment_reissue_code(kn_db *db, const uint8_t key[KN_ACCESS_CODE_KEY_LEN],
                                const char *invite_id, int64_t now, kn_invitee *out);

/* What the access check needs about one invitee. */
typedef struct kn_invitee_code {
    kn_invitee invitee;
    kn_appt_state appt_state;
    int has_mac; /* 0 after expiry purge */
    uint8_t mac[KN_ACCESS_CODE_MAC_LEN];
    int64_t locked_until;
} kn_invitee_code;

/* Returns 0, KN_ENOENT or KN_EIO. */
int kn_appointment_invitee_code(kn_db *db, const char *invite_id, kn_invitee_code *out);

/* Counts a wrong code; the KN_CODE_MAX_FAILURES-th locks the code for
 * KN_CODE_LOCK_S and starts counting again. Returns 0 or KN_EIO. */
int kn_appointment_code_failed(kn_db *db, int64_t invitee_id, int64_t now);

/* Clears the failure count after a right code. Returns 0 or KN_EIO. */
int kn_appointment_code_ok(kn_db *db, int64_t invitee_id);

/* 16 random bytes as base64url (22 characters). Returns 0 or KN_ECRYPTO. */
int kn_appointment_new_public_id(char out[KN_PUBLIC_ID_BUF]);

#endif
