/*
 * access_code.c: access code generation, normalisation, keyed MAC, constant
 * time check and link (see access_code.h). OpenSSL 3 for randomness and HMAC.
 */
#include "account/access_code.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/err.h"

const char kn_access_code_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

int kn_access_code_generate(char out[KN_ACCESS_CODE_BUF]) {
    uint8_t r[KN_ACCESS_CODE_LEN];
    size_t o = 0;

    if (RAND_bytes(r, sizeof(r)) != 1)
        return KN_ECRYPTO;
    for (size_t i = 0; i < KN_ACCESS_CODE_LEN; i++) {
        if (i == 4 || i == 8)
            out[o++] = '-';
        out[o++] = kn_access_code_alphabet[r[i] & 31]; /* 256 % 32 == 0: unbiased */
    }
    out[o] = '\0';
    OPENSSL_cleanse(r, sizeof(r));
    return 0;
}

static int in_alphabet(char c) {
    return c != '\0' && strchr(kn_access_code_alphabet, c) != NULL;
}

int kn_access_code_normalize(const char *in, size_t len, char out[KN_ACCESS_CODE_LEN + 1]) {
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!in_alphabet(c) || n == KN_ACCESS_CODE_LEN)
            return KN_EINVAL;
        out[n++] = c;
    }
    if (n != KN_ACCESS_CODE_LEN)
        return KN_EINVAL;
    out[n] = '\0';
    return 0;
}

int kn_access_code_mac(const uint8_t key[KN_ACCESS_CODE_KEY_LEN], const char *invite_id,
                       const char *code10, uint8_t mac[KN_ACCESS_CODE_MAC_LEN]) {
    uint8_t msg[160];
    size_t idlen = strlen(invite_id);
    unsigned int maclen = 0;

    if (strlen(code10) != KN_ACCESS_CODE_LEN || idlen + 1 + KN_ACCESS_CODE_LEN > sizeof(msg))
        return KN_EINVAL;
    memcpy(msg, invite_id, idlen);
    msg[idlen] = '|';
    memcpy(msg + idlen + 1, code10, KN_ACCESS_CODE_LEN);
    if (HMAC(EVP_sha256(), key, KN_ACCESS_CODE_KEY_LEN, msg, idlen + 1 + KN_ACCESS_CODE_LEN, mac,
             &maclen) == NULL ||
        maclen != KN_ACCESS_CODE_MAC_LEN)
        return KN_ECRYPTO;
    return 0;
}

int kn_access_code_check(const uint8_t key[KN_ACCESS_CODE_KEY_LEN], const char *invite_id,
                         const char *typed, size_t typed_len,
                         const uint8_t stored[KN_ACCESS_CODE_MAC_LEN]) {
    char code[KN_ACCESS_CODE_LEN + 1];
    uint8_t mac[KN_ACCESS_CODE_MAC_LEN];
    int rc;

    if (kn_access_code_normalize(typed, typed_len, code) != 0)
        return KN_EAUTH;
    if ((rc = kn_access_code_mac(key, invite_id, code, mac)) != 0)
        return rc == KN_EINVAL ? KN_EAUTH : rc;
    rc = CRYPTO_memcmp(mac, stored, KN_ACCESS_CODE_MAC_LEN) == 0 ? 0 : KN_EAUTH;
    OPENSSL_cleanse(code, sizeof(code));
    return rc;
}

static int url_safe(const char *s, const char *extra) {
    if (*s == '\0')
        return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr(extra, c) != NULL))
            return 0;
    }
    return 1;
}

int kn_access_code_link(const char *host, const char *invite_id, const char *grouped_code,
                        char *out, size_t cap) {
    int n;

    if (!url_safe(host, ".:-_[]") || !url_safe(invite_id, "-_") || !url_safe(grouped_code, "-"))
        return KN_EINVAL;
    n = snprintf(out, cap, "https://%s/join/%s#code=%s", host, invite_id, grouped_code);
    return n < 0 || (size_t)n >= cap ? KN_ELIMIT : 0;
}

static int read_key(int fd, uint8_t key[KN_ACCESS_CODE_KEY_LEN]) {
    uint8_t extra;
    ssize_t n = read(fd, key, KN_ACCESS_CODE_KEY_LEN);
    if (n != KN_ACCESS_CODE_KEY_LEN || read(fd, &extra, 1) != 0)
        return KN_EINVAL;
    return 0;
}

int kn_access_code_key_load(const char *path, uint8_t key[KN_ACCESS_CODE_KEY_LEN]) {
    int fd, rc;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        rc = read_key(fd, key);
        close(fd);
        return rc;
    }
    if (errno != ENOENT)
        return KN_EIO;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return KN_EIO;
    rc = KN_EIO;
    if (RAND_bytes(key, KN_ACCESS_CODE_KEY_LEN) != 1)
        rc = KN_ECRYPTO;
    else if (write(fd, key, KN_ACCESS_CODE_KEY_LEN) == KN_ACCESS_CODE_KEY_LEN && fsync(fd) == 0)
        rc = 0;
    close(fd);
    if (rc != 0)
        unlink(path);
    return rc;
}
