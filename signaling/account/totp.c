/*
 * totp.c: HOTP/TOTP codes, verification with a ±1 step window and replay
 * protection, base32 and the otpauth URI (see totp.h).
 */
#include "account/totp.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/err.h"

int kn_totp_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits, uint32_t *code) {
    static const uint32_t mod[] = {1000000, 10000000, 100000000};
    uint8_t msg[8], mac[20];
    unsigned int maclen = 0;
    uint32_t bin;
    int off;

    if (digits < 6 || digits > 8)
        return KN_EINVAL;
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (uint8_t)counter;
    if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), mac, &maclen) == NULL || maclen != 20)
        return KN_ECRYPTO;
    off = mac[19] & 0x0f; /* dynamic truncation, RFC 4226 §5.3 */
    bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
          ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    *code = bin % mod[digits - 6];
    return 0;
}

int64_t kn_totp_step(int64_t t) {
    return t < 0 ? -1 : t / KN_TOTP_STEP_S;
}

static int parse_digits(const char *typed, uint32_t *v) {
    size_t n = 0;
    *v = 0;
    for (; typed[n] != '\0'; n++) {
        if (typed[n] < '0' || typed[n] > '9' || n >= KN_TOTP_DIGITS)
            return KN_EAUTH;
        *v = *v * 10 + (uint32_t)(typed[n] - '0');
    }
    return n == KN_TOTP_DIGITS ? 0 : KN_EAUTH;
}

int kn_totp_verify(const uint8_t *key, size_t keylen, int64_t now, const char *typed,
                   int64_t last_step, int64_t *step_used) {
    int64_t step = kn_totp_step(now), found = -1;
    uint32_t want, got;
    int rc;

    if (parse_digits(typed, &want) != 0 || step < 0)
        return KN_EAUTH;
    for (int64_t s = step - KN_TOTP_WINDOW; s <= step + KN_TOTP_WINDOW; s++) {
        if ((rc = kn_totp_hotp(key, keylen, (uint64_t)s, KN_TOTP_DIGITS, &got)) != 0)
            return rc;
        /* No early exit: every candidate is computed and compared. */
        if (CRYPTO_memcmp(&got, &want, sizeof(got)) == 0 && s > last_step && found < 0)
            found = s;
    }
    if (found < 0)
        return KN_EAUTH;
    *step_used = found;
    return 0;
}

int kn_totp_secret_generate(uint8_t key[KN_TOTP_SECRET_LEN]) {
    return RAND_bytes(key, KN_TOTP_SECRET_LEN) == 1 ? 0 : KN_ECRYPTO;
}

int kn_totp_base32(const uint8_t *in, size_t len, char *out, size_t cap) {
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t n = 0;

    if ((len * 8 + 4) / 5 + 1 > cap)
        return KN_ELIMIT;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[n++] = a[(acc >> bits) & 31];
        }
    }
    if (bits > 0)
        out[n++] = a[(acc << (5 - bits)) & 31];
    out[n] = '\0';
    return 0;
}

/* Percent-encodes everything but unreserved characters (RFC 3986 §2.3). */
static int pct(const char *s, char *out, size_t cap) {
    size_t n = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~';
        if (n + (plain ? 1 : 3) >= cap)
            return KN_ELIMIT;
        if (plain)
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, cap - n, "%%%02X", c);
    }
    out[n] = '\0';
    return 0;
}

int kn_totp_uri(const uint8_t *key, size_t keylen, const char *issuer, const char *account,
                char *out, size_t cap) {
    char secret[64], iss[192], acc[320];
    int n;

    if (kn_totp_base32(key, keylen, secret, sizeof(secret)) != 0 ||
        pct(issuer, iss, sizeof(iss)) != 0 || pct(account, acc, sizeof(acc)) != 0)
        return KN_ELIMIT;
    n = snprintf(out, cap,
                 "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d", iss,
                 acc, secret, iss, KN_TOTP_DIGITS, KN_TOTP_STEP_S);
    OPENSSL_cleanse(secret, sizeof(secret));
    return n < 0 || (size_t)n >= cap ? KN_ELIMIT : 0;
}
