/*
 * cert.h: the SFU's DTLS identity. An ECDSA P-256 key and a self-signed X.509
 * certificate generated at startup (RFC 8827 §6.5: no CA, the peer checks the
 * fingerprint carried in signaling), and its fingerprint in SDP form (RFC 8122 §5:
 * "sha-256" and uppercase hex bytes joined by ':'). Also parses and checks a remote
 * fingerprint. Setup code; not on the packet path.
 */
#ifndef KN_CERT_H
#define KN_CERT_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* Longest digest we accept (sha-512) and its SDP text form ("AB:" per byte). */
#define KN_CERT_MAX_DIGEST 64
#define KN_CERT_MAX_FP_TEXT (KN_CERT_MAX_DIGEST * 3)

typedef struct kn_cert {
    EVP_PKEY *key;
    X509 *x509;
    char fingerprint[KN_CERT_MAX_FP_TEXT]; /* sha-256, "AB:CD:...", NUL-terminated */
} kn_cert;

/* A fingerprint from signaling, parsed. */
typedef struct kn_fingerprint {
    const EVP_MD *md; /* sha-1, sha-256, sha-384 or sha-512 */
    size_t len;       /* digest length of md */
    uint8_t digest[KN_CERT_MAX_DIGEST];
} kn_fingerprint;

/* Generates a fresh P-256 key and a self-signed certificate (random serial, valid from
 * one day ago for 30 days, random CN). Returns 0, KN_ENOMEM or KN_ECRYPTO; on failure
 * *c is zeroed. */
int kn_cert_generate(kn_cert *c);

/* Frees key and certificate; accepts a zeroed kn_cert. */
void kn_cert_free(kn_cert *c);

/* Writes the digest of `x509` with `md` as "AB:CD:..." into out (cap bytes, NUL included).
 * Returns 0, KN_ELIMIT when cap is too small, or KN_ECRYPTO. */
int kn_cert_fingerprint(X509 *x509, const EVP_MD *md, char *out, size_t cap);

/* Parses algorithm ("sha-1", "sha-256", "sha-384", "sha-512"; case-insensitive, RFC 8122
 * hash-func names) and value (hex byte pairs separated by ':', either case).
 * Returns 0, or KN_EINVAL for an unknown algorithm or a value that is not exactly one
 * digest of that algorithm. */
int kn_fingerprint_parse(const char *alg, const char *value, kn_fingerprint *out);

/* Returns 0 when the digest of `x509` equals `fp`, KN_EAUTH when it differs,
 * KN_ECRYPTO when the digest cannot be computed. Constant-time comparison. */
int kn_fingerprint_verify(const kn_fingerprint *fp, X509 *x509);

#endif
