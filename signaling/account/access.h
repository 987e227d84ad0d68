/*
 * access.h: the patient's join check: an invite id from the link, the code
 * the patient typed (or the page took from the fragment) and the client's
 * address. Applies, in this order, the per-address limit (kn_attempts), the
 * appointment state, the code's expiry, the per-code lock, then the
 * constant-time code check; counts failures in both places. This is the
 * one call the join handler makes. Signaling loop (two short statements).
 */
#ifndef KN_ACCESS_H
#define KN_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "account/attempts.h"
#include "store/appointment.h"

/*
 * On success fills *out (invitee with pseudonym and role, code zeroed).
 * Returns 0,
 *   KN_EAUTH  unknown invite or wrong code (the client cannot tell which),
 *   KN_ELIMIT too many failures from this address or for this code,
 *   KN_ESTATE code expired or the appointment cancelled or ended,
 *   KN_EIO, KN_ECRYPTO.
 * Handlers answer KN_EAUTH and KN_ELIMIT alike with a generic message and
 * the retry time only for KN_ELIMIT.
 */
int kn_access_check(kn_db *db, kn_attempts *by_addr, const uint8_t key[KN_ACCESS_CODE_KEY_LEN],
                    const char *addr, const char *invite_id, const char *typed, size_t typed_len,
                    int64_t now, kn_invitee *out);

#endif
