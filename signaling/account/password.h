/*
 * password.h: host password hashing with scrypt (RFC 7914) through OpenSSL 3's
 * EVP_KDF "SCRYPT". Encoded as "$scrypt$ln=15,r=8,p=1$SALT$HASH" (base64url,
 * 16-byte salt, 32-byte hash), so parameters can be raised later and old
 * hashes still verify (kn_password_needs_rehash says when to re-hash).
 *
 * Default N=2^15, r=8, p=1: 32 MiB and roughly 0.1 s per hash. That blocks:
 * callers on the signaling loop run hash/verify in uv_queue_work (see
 * kn_host_login_verify). Thread-safe, no globals.
 */
#ifndef KN_PASSWORD_H
#define KN_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

#define KN_PASSWORD_HASH_BUF 128
#define KN_PASSWORD_LN       15 /* log2(N) */
#define KN_PASSWORD_R        8
#define KN_PASSWORD_P        1
#define KN_PASSWORD_MIN_LEN  10
#define KN_PASSWORD_MAX_LEN  1024

/* Raw scrypt: N = 2^ln. Returns 0, KN_EINVAL (parameters) or KN_ECRYPTO. */
int kn_password_scrypt(const char *pw, size_t pwlen, const uint8_t *salt, size_t saltlen, int ln,
                       int r, int p, uint8_t *out, size_t outlen);

/* Hashes with a fresh salt and the given (or default) parameters into `out`.
 * Returns 0, KN_EINVAL (ln outside 10..20, r 1..16, p 1..16, password longer
 * than KN_PASSWORD_MAX_LEN) or KN_ECRYPTO. */
int kn_password_hash_params(const char *pw, size_t pwlen, int ln, int r, int p,
                            char out[KN_PASSWORD_HASH_BUF]);
int kn_password_hash(const char *pw, size_t pwlen, char out[KN_PASSWORD_HASH_BUF]);

/* Verifies in constant time over the derived hash. Returns 0, KN_EAUTH
 * (mismatch), KN_EINVAL (malformed encoding or parameters out of bounds),
 * KN_ECRYPTO. */
int kn_password_verify(const char *pw, size_t pwlen, const char *encoded);

/* 1 when `encoded` uses weaker parameters than the defaults, else 0. */
int kn_password_needs_rehash(const char *encoded);

#endif
