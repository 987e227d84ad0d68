/*
 * access.c: the join check combining the address limiter, the store's
 * per-code counters and the constant-time code comparison (see access.h).
 */
#include "account/access.h"

#include <string.h>

#include "core/err.h"

static int fail(kn_db *db, kn_attempts *by_addr, const char *addr, int64_t invitee_id,
                int64_t now) {
    kn_attempts_fail(by_addr, addr, now);
    if (invitee_id != 0 && kn_appointment_code_failed(db, invitee_id, now) != 0)
        return KN_EIO;
    return KN_EAUTH;
}

int kn_access_check(kn_db *db, kn_attempts *by_addr, const uint8_t key[KN_ACCESS_CODE_KEY_LEN],
                    const char *addr, const char *invite_id, const char *typed, size_t typed_len,
                    int64_t now, kn_invitee *out) {
    kn_invitee_code ic;
    int rc;

    memset(out, 0, sizeof(*out));
    if (kn_attempts_check(by_addr, addr, now) != 0)
        return KN_ELIMIT;
    rc = kn_appointment_invitee_code(db, invite_id, &ic);
    if (rc == KN_ENOENT)
        return fail(db, by_addr, addr, 0, now);
    if (rc != 0)
        return rc;
    if (ic.appt_state == KN_APPT_CANCELLED || ic.appt_state == KN_APPT_ENDED ||
        now >= ic.invitee.code_expires_at || !ic.has_mac)
        return KN_ESTATE;
    if (now < ic.locked_until)
        return KN_ELIMIT;
    rc = kn_access_code_check(key, invite_id, typed, typed_len, ic.mac);
    if (rc == KN_EAUTH)
        return fail(db, by_addr, addr, ic.invitee.id, now);
    if (rc != 0)
        return rc;
    if ((rc = kn_appointment_code_ok(db, ic.invitee.id)) != 0)
        return rc;
    *out = ic.invitee;
    return 0;
}
