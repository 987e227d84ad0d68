/*
 * selfsigned.c: generates the self-signed P-256 certificate for HTTPS
 * (X.509 v3, SHA-256, one year, SAN DNS:localhost + IP:127.0.0.1) with the
 * OpenSSL 3 EVP and X509 APIs. Runs once at start, before the loop.
 */
#include "conf/selfsigned.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "core/err.h"

static int add_ext(X509 *x, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL)
        return KN_ECRYPTO;
    int ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : KN_ECRYPTO;
}

static int set_serial(X509 *x) {
    uint8_t raw[16];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return KN_ECRYPTO;
    raw[0] &= 0x7f; /* positive (RFC 5280 §4.1.2.2) */
    BIGNUM *bn = BN_bin2bn(raw, sizeof(raw), NULL);
    int ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok ? 0 : KN_ECRYPTO;
}

static X509 *make_cert(EVP_PKEY *key) {
    X509 *x = X509_new();
    X509_NAME *name = x ? X509_get_subject_name(x) : NULL;
    if (x == NULL || !X509_set_version(x, 2) || set_serial(x) != 0 ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), 365L * 24 * 3600) || !X509_set_pubkey(x, key) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost",
                                    -1, -1, 0) ||
        !X509_set_issuer_name(x, name) ||
        add_ext(x, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") != 0 ||
        add_ext(x, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
        add_ext(x, NID_ext_key_usage, "serverAuth") != 0 || !X509_sign(x, key, EVP_sha256())) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int write_pem(const char *path, mode_t mode, X509 *cert, EVP_PKEY *key) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        if (fd >= 0)
            close(fd);
        return KN_EIO;
    }
    int ok =
        cert ? PEM_write_X509(f, cert) : PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    return fclose(f) == 0 && ok ? 0 : KN_EIO;
}

static int generate(const char *cert_path, const char *key_path) {
    int rc = KN_ECRYPTO;
    X509 *cert = NULL;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    if (key == NULL || (cert = make_cert(key)) == NULL)
        goto fail;
    if ((rc = write_pem(key_path, 0600, NULL, key)) != 0)
        goto fail;
    rc = write_pem(cert_path, 0644, cert, NULL);
fail:
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

int kn_selfsigned_ensure(const char *state_dir, char *cert_path, char *key_path, size_t cap) {
    if ((size_t)snprintf(cert_path, cap, "%s/tls-cert.pem", state_dir) >= cap ||
        (size_t)snprintf(key_path, cap, "%s/tls-key.pem", state_dir) >= cap)
        return KN_ELIMIT;
    if (access(cert_path, R_OK) == 0 && access(key_path, R_OK) == 0)
        return 0;
    return generate(cert_path, key_path);
}
