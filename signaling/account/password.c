/*
 * password.c: scrypt hashing and verification (see password.h).
 */
#include "account/password.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "auth/jwt.h"
#include "core/err.h"

#define SALT_LEN 16
#define HASH_LEN 32

static int params_ok(int ln, int r, int p) {
    return ln >= 10 && ln <= 20 && r >= 1 && r <= 16 && p >= 1 && p <= 16;
}

int kn_password_scrypt(const char *pw, size_t pwlen, const uint8_t *salt, size_t saltlen, int ln,
                       int r, int p, uint8_t *out, size_t outlen) {
    uint64_t n = (uint64_t)1 << ln;
    uint32_t r32 = (uint32_t)r, p32 = (uint32_t)p;
    uint64_t maxmem = (uint64_t)128 * r32 * (n + p32 + 2) + (1u << 20);
    EVP_KDF *kdf;
    EVP_KDF_CTX *ctx = NULL;
    OSSL_PARAM params[7];
    int rc = KN_ECRYPTO;

    if (ln < 1 || ln > 24 || r < 1 || p < 1 || outlen == 0)
        return KN_EINVAL;
    if ((kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL)) == NULL)
        return KN_ECRYPTO;
    ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (ctx == NULL)
        return KN_ECRYPTO;
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)pw, pwlen);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
    params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
    params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r32);
    params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p32);
    params[5] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
    params[6] = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(ctx, out, outlen, params) == 1)
        rc = 0;
    EVP_KDF_CTX_free(ctx);
    return rc;
}

int kn_password_hash_params(const char *pw, size_t pwlen, int ln, int r, int p,
                            char out[KN_PASSWORD_HASH_BUF]) {
    uint8_t salt[SALT_LEN], hash[HASH_LEN];
    char salt64[32], hash64[48];
    int rc;

    if (!params_ok(ln, r, p) || pwlen > KN_PASSWORD_MAX_LEN)
        return KN_EINVAL;
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return KN_ECRYPTO;
    if ((rc = kn_password_scrypt(pw, pwlen, salt, sizeof(salt), ln, r, p, hash, sizeof(hash))) != 0)
        return rc;
    salt64[kn_b64url_encode(salt, sizeof(salt), salt64, sizeof(salt64))] = '\0';
    hash64[kn_b64url_encode(hash, sizeof(hash), hash64, sizeof(hash64))] = '\0';
    OPENSSL_cleanse(hash, sizeof(hash));
    snprintf(out, KN_PASSWORD_HASH_BUF, "$scrypt$ln=%d,r=%d,p=%d$%s$%s", ln, r, p, salt64, hash64);
    return 0;
}

int kn_password_hash(const char *pw, size_t pwlen, char out[KN_PASSWORD_HASH_BUF]) {
    return kn_password_hash_params(pw, pwlen, KN_PASSWORD_LN, KN_PASSWORD_R, KN_PASSWORD_P, out);
}

typedef struct decoded {
    int ln, r, p;
    uint8_t salt[SALT_LEN];
    uint8_t hash[HASH_LEN];
} decoded;

static int decode(const char *enc, decoded *d) {
    char salt64[32], hash64[48], tail;
    int n;

    if (strlen(enc) >= KN_PASSWORD_HASH_BUF)
        return KN_EINVAL;
    n = sscanf(enc, "$scrypt$ln=%d,r=%d,p=%d$%31[A-Za-z0-9_-]$%47[A-Za-z0-9_-]%c", &d->ln, &d->r,
               &d->p, salt64, hash64, &tail);
    if (n != 5 || !params_ok(d->ln, d->r, d->p))
        return KN_EINVAL;
    if (kn_b64url_decode(salt64, strlen(salt64), d->salt, sizeof(d->salt)) != SALT_LEN ||
        kn_b64url_decode(hash64, strlen(hash64), d->hash, sizeof(d->hash)) != HASH_LEN)
        return KN_EINVAL;
    return 0;
}

int kn_password_verify(const char *pw, size_t pwlen, const char *encoded) {
    uint8_t hash[HASH_LEN];
    decoded d;
    int rc;

    if ((rc = decode(encoded, &d)) != 0)
        return rc;
    if (pwlen > KN_PASSWORD_MAX_LEN)
        return KN_EAUTH;
    rc = kn_password_scrypt(pw, pwlen, d.salt, SALT_LEN, d.ln, d.r, d.p, hash, HASH_LEN);
    if (rc == 0)
        rc = CRYPTO_memcmp(hash, d.hash, HASH_LEN) == 0 ? 0 : KN_EAUTH;
    OPENSSL_cleanse(hash, sizeof(hash));
    return rc;
}

int kn_password_needs_rehash(const char *encoded) {
    decoded d;
    if (decode(encoded, &d) != 0)
        return 1;
    return d.ln < KN_PASSWORD_LN || d.r < KN_PASSWORD_R || d.p < KN_PASSWORD_P;
}
