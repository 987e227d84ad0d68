/*
 * access_code.h: the patient's access code: generation, normalisation of what
 * a person types, the keyed MAC that the store keeps instead of the code, a
 * constant-time check and the invitation link.
 *
 * A code is 10 characters from a 32-letter alphabet without 0/O/1/I
 * (50 bits), shown grouped as XXXX-XXXX-XX. The store keeps
 * HMAC-SHA256(server key, invite id "|" code): without the key (kept outside
 * the database, see kn_access_code_key_load) a stolen database does not allow
 * an offline search, and the invite id binds a code to its invitee.
 * Pure functions except generate (RAND_bytes) and key_load (file I/O, startup only).
 */
#ifndef KN_ACCESS_CODE_H
#define KN_ACCESS_CODE_H

#include <stddef.h>
#include <stdint.h>

#define KN_ACCESS_CODE_LEN     10 /* significant characters */
#define KN_ACCESS_CODE_BUF     13 /* "XXXX-XXXX-XX" + NUL */
#define KN_ACCESS_CODE_MAC_LEN 32
#define KN_ACCESS_CODE_KEY_LEN 32

extern const char kn_access_code_alphabet[]; /* 32 letters, no 0 O 1 I */

/* Fills `out` with a fresh grouped code. Returns 0 or KN_ECRYPTO. */
int kn_access_code_generate(char out[KN_ACCESS_CODE_BUF]);

/*
 * Turns what a person typed into the 10 significant characters: drops
 * spaces and hyphens, upper-cases, and accepts nothing else.
 * Returns 0 or KN_EINVAL (wrong length or a letter outside the alphabet).
 */
int kn_access_code_normalize(const char *in, size_t len, char out[KN_ACCESS_CODE_LEN + 1]);

/*
 * MAC of a normalised code for invite `invite_id` under `key`.
 * Returns 0, KN_EINVAL (code not normalised) or KN_ECRYPTO.
 */
int kn_access_code_mac(const uint8_t key[KN_ACCESS_CODE_KEY_LEN], const char *invite_id,
                       const char *code10, uint8_t mac[KN_ACCESS_CODE_MAC_LEN]);

/*
 * Checks typed input against a stored MAC in constant time (the comparison
 * does not depend on where the first difference is). Returns 0 on a match,
 * KN_EAUTH on a mismatch or malformed input, KN_ECRYPTO.
 */
int kn_access_code_check(const uint8_t key[KN_ACCESS_CODE_KEY_LEN], const char *invite_id,
                         const char *typed, size_t typed_len,
                         const uint8_t stored[KN_ACCESS_CODE_MAC_LEN]);

/*
 * Writes "https://HOST/join/INVITE#code=XXXX-XXXX-XX". The code sits in the
 * fragment, which browsers do not send to servers or in Referer headers.
 * Returns 0, KN_EINVAL (host or id with characters outside [A-Za-z0-9.:-_[]])
 * or KN_ELIMIT when cap is too small.
 */
int kn_access_code_link(const char *host, const char *invite_id, const char *grouped_code,
                        char *out, size_t cap);

/*
 * Reads the 32-byte server key from `path`, creating it (mode 0600, random)
 * when missing. Startup only (blocking file I/O). Returns 0, KN_EIO, or
 * KN_EINVAL when the file exists with another size.
 */
int kn_access_code_key_load(const char *path, uint8_t key[KN_ACCESS_CODE_KEY_LEN]);

#endif
