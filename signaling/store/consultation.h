/*
 * consultation.h: consultation metadata, the only record of a call that
 * outlives it: practice, appointment type, the host's role, start, end, how
 * many patients / interpreters / relatives joined and the peak number of
 * participants. No names, pseudonyms, addresses, chat or media, and no link
 * to the appointment row, so purging appointments leaves no trail back.
 * Purged after the retention period (retention.h). Signaling loop.
 */
#ifndef KN_CONSULTATION_H
#define KN_CONSULTATION_H

#include <stdint.h>

#include "account/host.h"
#include "store/appointment.h"
#include "store/db.h"

typedef struct kn_consultation {
    int64_t id;
    int64_t practice_id;
    kn_appt_type type;
    kn_host_role host_role;
    int64_t started_at;
    int64_t ended_at; /* 0 while running */
    int patients, interpreters, relatives;
    int peak_participants;
} kn_consultation;

/* Records a start. Returns 0, KN_EINVAL, KN_ENOENT (practice), KN_EIO. */
int kn_consultation_begin(kn_db *db, int64_t practice_id, kn_appt_type type, kn_host_role host_role,
                          int64_t now, int64_t *id);

/* Counts one joining invitee of `role`; `participants_now` (host included)
 * raises the peak. Returns 0, KN_EINVAL, KN_ENOENT, KN_EIO. */
int kn_consultation_joined(kn_db *db, int64_t id, kn_invitee_role role, int participants_now);

/* Records the end once. Returns 0, KN_ESTATE (already ended), KN_ENOENT, KN_EIO. */
int kn_consultation_end(kn_db *db, int64_t id, int64_t now);

/* Returns 0, KN_ENOENT, KN_EIO. */
int kn_consultation_get(kn_db *db, int64_t id, kn_consultation *out);

#endif
