/*
 * waiting.h: the waiting room of konsil-signaling: one entry per patient (or
 * interpreter, relative) who passed the access-code check, keyed by a random
 * ticket the patient's page holds. Knows only pseudonyms, never names. Keeps
 * the arrival order (queue position per practice), the host's actions
 * (call = ring, admit = straight in, reject, end) and at most one held
 * long-poll request per entry. In memory only: a restart empties it, and
 * the pages then ask the patient to enter the code again. Signaling loop.
 */
#ifndef KN_WAITING_H
#define KN_WAITING_H

#include <stdbool.h>
#include <stdint.h>

#include "http/httpd.h"
#include "store/appointment.h"

#define KN_WAIT_MAX        256
#define KN_WAIT_POLL_MS    20000 /* a long poll is answered after this at the latest */
#define KN_WAIT_GONE_MS    45000 /* no poll for this long: the patient left */
#define KN_WAIT_LINGER_MS  60000 /* finished entries are kept this long for late polls */

typedef enum {
    KN_WAIT_WAITING,
    KN_WAIT_CALLED,   /* the host rings; the patient accepts */
    KN_WAIT_ADMITTED, /* the host let them in without ringing */
    KN_WAIT_IN_ROOM,  /* the patient took its room token */
    KN_WAIT_REJECTED,
    KN_WAIT_ENDED,
} kn_wait_state;

typedef struct kn_wait_entry {
    bool used;
    char ticket[KN_PUBLIC_ID_BUF];
    char invite[KN_PUBLIC_ID_BUF];
    char pseudonym[KN_PSEUDONYM_BUF];
    kn_invitee_role role;
    int64_t practice_id, appt_id;
    char appt_public[KN_PUBLIC_ID_BUF];
    kn_appt_type appt_type;
    uint64_t seq;          /* arrival order */
    int64_t since_s;       /* wall clock, shown to the host as "waiting for" */
    kn_wait_state state;
    int64_t changed_ms;    /* loop time of the last state change */
    int64_t last_seen_ms;  /* loop time of the last poll */
    kn_http_req *pending;  /* held long poll */
    int64_t pending_ms;
} kn_wait_entry;

typedef struct kn_waiting {
    kn_wait_entry e[KN_WAIT_MAX];
    uint64_t next_seq;
    uint64_t version; /* bumped on every change a page could see */
} kn_waiting;

const char *kn_wait_state_name(kn_wait_state s);

/* Adds an entry (a new ticket); an earlier entry of the same invitee ends.
 * Returns the entry or NULL when full / no randomness. */
kn_wait_entry *kn_waiting_add(kn_waiting *w, const kn_invitee *inv, const kn_appointment *a,
                              int64_t now_s, int64_t now_ms);

kn_wait_entry *kn_waiting_by_ticket(kn_waiting *w, const char *ticket);

/* The live entry (not ended) of an invitee in `practice_id`, or NULL. */
kn_wait_entry *kn_waiting_by_invite(kn_waiting *w, int64_t practice_id, const char *invite);

/* 1-based position among those waiting in the same practice; 0 when not waiting. */
unsigned kn_waiting_position(const kn_waiting *w, const kn_wait_entry *x);

/* Sets the state and bumps the version. */
void kn_waiting_set(kn_waiting *w, kn_wait_entry *x, kn_wait_state s, int64_t now_ms);

/* Drops entries whose patient stopped polling or that finished long ago.
 * Returns how many went. Held requests must have been answered first. */
unsigned kn_waiting_expire(kn_waiting *w, int64_t now_ms);

#endif
