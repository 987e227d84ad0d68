/*
 * totp.h: time-based one-time passwords (RFC 6238 over HOTP, RFC 4226) with
 * HMAC-SHA-1, 30-second steps and 6 digits, as authenticator apps expect;
 * accepts the previous, current and next step and refuses a step at or
 * before the last one used (replay). Base32 (RFC 4648 §6) for the secret in
 * the otpauth:// URI. Pure functions except secret generation.
 */
#ifndef KN_TOTP_H
#define KN_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define KN_TOTP_SECRET_LEN 20 /* 160 bits, RFC 4226 §4 recommends this */
#define KN_TOTP_STEP_S     30
#define KN_TOTP_DIGITS     6
#define KN_TOTP_WINDOW     1 /* steps accepted either side of now */

/* HOTP value of `counter` with `digits` (6..8) decimal digits.
 * Returns 0, KN_EINVAL or KN_ECRYPTO. */
int kn_totp_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits, uint32_t *code);

/* The step number of Unix time `t` (t / 30). */
int64_t kn_totp_step(int64_t t);

/*
 * Checks a typed 6-digit code at time `now`. All three candidate steps are
 * computed and compared without an early exit. A step <= last_step is
 * refused. On success *step_used is the matching step, to be stored as the
 * new last_step. Returns 0, KN_EAUTH (wrong, malformed or replayed) or
 * KN_ECRYPTO.
 */
int kn_totp_verify(const uint8_t *key, size_t keylen, int64_t now, const char *typed,
                   int64_t last_step, int64_t *step_used);

/* Fresh random secret. Returns 0 or KN_ECRYPTO. */
int kn_totp_secret_generate(uint8_t key[KN_TOTP_SECRET_LEN]);

/* Base32 without padding, NUL-terminated. Returns 0 or KN_ELIMIT. */
int kn_totp_base32(const uint8_t *in, size_t len, char *out, size_t cap);

/* "otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=SHA1&digits=6&period=30"
 * with issuer and account percent-encoded. Returns 0 or KN_ELIMIT. */
int kn_totp_uri(const uint8_t *key, size_t keylen, const char *issuer, const char *account,
                char *out, size_t cap);

#endif
