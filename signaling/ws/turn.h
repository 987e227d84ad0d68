/*
 * turn.h: the ice_servers list of the join reply: STUN URLs and TURN URLs with
 * time-limited TURN REST credentials (draft-uberti-behave-turn-rest-00, as
 * coturn's use-auth-secret checks them): username "<expiry>:<user>",
 * credential base64(HMAC-SHA1(secret, username)).
 */
#ifndef KN_TURN_H
#define KN_TURN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define KN_TURN_TTL_S (6 * 3600)

/*
 * Writes the credential for `username` into out (NUL-terminated base64, 29
 * bytes with the NUL). Returns 0, KN_ELIMIT if cap < 29, or KN_ECRYPTO.
 */
int kn_turn_credential(const char *secret, const char *username, char *out, size_t cap);

/*
 * Builds the RTCPeerConnection iceServers array. stun_urls / turn_urls are
 * comma lists (may be empty). STUN URLs default to "stun:<host:port>" of each
 * distinct TURN host when stun_urls is empty. TURN URLs get credentials only
 * when secret is non-empty (else they are left out). Returns a new array or
 * NULL on allocation failure.
 */
json_t *kn_turn_ice_servers(const char *stun_urls, const char *turn_urls, const char *secret,
                            const char *user, int64_t now);

#endif
