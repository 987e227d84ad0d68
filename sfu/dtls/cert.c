/*
 * cert.c: the SFU's self-signed ECDSA P-256 DTLS certificate and fingerprint handling
 * (RFC 8122 §5 fingerprint syntax, RFC 8827 §6.5 self-signed identities).
 * Setup code: allocates through OpenSSL, never on the packet path.
 */
#include "dtls/cert.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/err.h"

static const struct {
    const char *name; /* RFC 8122 hash-func token, as in a=fingerprint */
    const char *ossl; /* OpenSSL digest name */
} fp_algs[] = {
    {"sha-1", "SHA1"},
    {"sha-256", "SHA256"},
    {"sha-384", "SHA384"},
    {"sha-512", "SHA512"},
};

static int cert_set_name(X509 *x) {
    uint8_t rnd[8];
    char cn[24];
    X509_NAME *name = X509_get_subject_name(x);

    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
        return KN_ECRYPTO;
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(cn + 2 * i, 3, "%02x", rnd[i]);
    if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                    0))
        return KN_ECRYPTO;
    return X509_set_issuer_name(x, name) ? 0 : KN_ECRYPTO; /* self-signed */
}

static int cert_set_serial_and_validity(X509 *x) {
    uint8_t rnd[8];
    ASN1_INTEGER *serial = X509_get_serialNumber(x);
    BIGNUM *bn;
    int ok;

    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
        return KN_ECRYPTO;
    rnd[0] &= 0x7f; /* positive serial */
    if ((bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL)
        return KN_ENOMEM;
    ok = BN_to_ASN1_INTEGER(bn, serial) != NULL;
    BN_free(bn);
    if (!ok || !X509_set_version(x, 2))
        return KN_ECRYPTO;
    /* Valid from a day ago, so a peer with a clock slightly behind still accepts it. */
    if (!X509_gmtime_adj(X509_getm_notBefore(x), -86400L) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400L))
        return KN_ECRYPTO;
    return 0;
}

int kn_cert_generate(kn_cert *c) {
    int rc = KN_ECRYPTO;

    memset(c, 0, sizeof(*c));
    if ((c->key = EVP_EC_gen("P-256")) == NULL)
        goto fail;
    rc = KN_ENOMEM;
    if ((c->x509 = X509_new()) == NULL)
        goto fail;
    if ((rc = cert_set_serial_and_validity(c->x509)) != 0 || (rc = cert_set_name(c->x509)) != 0)
        goto fail;
    rc = KN_ECRYPTO;
    if (!X509_set_pubkey(c->x509, c->key) || !X509_sign(c->x509, c->key, EVP_sha256()))
        goto fail;
    if ((rc = kn_cert_fingerprint(c->x509, EVP_sha256(), c->fingerprint,
                                  sizeof(c->fingerprint))) != 0)
        goto fail;
    return 0;

fail:
    kn_cert_free(c);
    return rc;
}

void kn_cert_free(kn_cert *c) {
    X509_free(c->x509);
    EVP_PKEY_free(c->key);
    memset(c, 0, sizeof(*c));
}

int kn_cert_fingerprint(X509 *x509, const EVP_MD *md, char *out, size_t cap) {
    static const char hex[] = "0123456789ABCDEF";
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (!X509_digest(x509, md, digest, &n) || n == 0)
        return KN_ECRYPTO;
    if (cap < (size_t)n * 3)
        return KN_ELIMIT;
    for (unsigned int i = 0; i < n; i++) {
        out[3 * i] = hex[digest[i] >> 4];
        out[3 * i + 1] = hex[digest[i] & 15];
        out[3 * i + 2] = ':';
    }
    out[3 * n - 1] = '\0';
    return 0;
}

static int hex_nibble(char ch) {
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* "AB:CD:..." → bytes; exactly `want` bytes, no trailing text. */
static int parse_hex_pairs(const char *s, uint8_t *out, size_t want) {
    for (size_t i = 0; i < want; i++) {
        int hi = hex_nibble(s[0]), lo = hi < 0 ? -1 : hex_nibble(s[1]);
        if (lo < 0)
            return KN_EINVAL;
        out[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (*s != (i + 1 == want ? '\0' : ':'))
            return KN_EINVAL;
        if (*s == ':')
            s++;
    }
    return 0;
}

int kn_fingerprint_parse(const char *alg, const char *value, kn_fingerprint *out) {
    memset(out, 0, sizeof(*out));
    if (alg == NULL || value == NULL)
        return KN_EINVAL;
    for (size_t i = 0; i < sizeof(fp_algs) / sizeof(fp_algs[0]); i++) {
        if (strcasecmp(alg, fp_algs[i].name) != 0)
            continue;
        const EVP_MD *md = EVP_get_digestbyname(fp_algs[i].ossl);
        int len = md ? EVP_MD_get_size(md) : 0;
        if (len <= 0 || len > KN_CERT_MAX_DIGEST)
            return KN_EINVAL;
        if (parse_hex_pairs(value, out->digest, (size_t)len) != 0) {
            memset(out, 0, sizeof(*out));
            return KN_EINVAL;
        }
        out->md = md;
        out->len = (size_t)len;
        return 0;
    }
    return KN_EINVAL;
}

int kn_fingerprint_verify(const kn_fingerprint *fp, X509 *x509) {
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (fp->md == NULL || x509 == NULL || !X509_digest(x509, fp->md, digest, &n))
        return KN_ECRYPTO;
    if (n != fp->len || CRYPTO_memcmp(digest, fp->digest, n) != 0)
        return KN_EAUTH;
    return 0;
}
