/*
 * turn.c: TURN REST credentials (HMAC-SHA1, OpenSSL) and the iceServers list
 * built from KONSIL_STUN_URLS / KONSIL_TURN_URLS / KONSIL_TURN_SECRET.
 */
#include "ws/turn.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/err.h"

int kn_turn_credential(const char *secret, const char *username, char *out, size_t cap) {
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    if (cap < 29)
        return KN_ELIMIT;
    if (HMAC(EVP_sha1(), secret, (int)strlen(secret), (const uint8_t *)username, strlen(username),
             mac, &mac_len) == NULL ||
        mac_len != 20)
        return KN_ECRYPTO;
    EVP_EncodeBlock((unsigned char *)out, mac, 20); /* 28 characters + NUL */
    return 0;
}

/* Appends each non-empty comma-separated item of `list` to `arr`. */
static void add_urls(json_t *arr, const char *list) {
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n > 0 && n < 512)
            json_array_append_new(arr, json_stringn(p, n));
        p += n;
        if (*p == ',')
            p++;
    }
}

/* "turn:host:port?transport=udp" → "stun:host:port" (host part without the query). */
static void derive_stun(json_t *stun, json_t *turn) {
    size_t i;
    json_t *u;
    json_array_foreach(turn, i, u) {
        const char *s = json_string_value(u);
        if (strncmp(s, "turn:", 5) != 0)
            continue; /* turns: has no plain STUN twin on the same port */
        char url[600];
        snprintf(url, sizeof(url), "stun:%.*s", (int)strcspn(s + 5, "?"), s + 5);
        bool dup = false;
        size_t j;
        json_t *v;
        json_array_foreach(stun, j, v) dup |= strcmp(json_string_value(v), url) == 0;
        if (!dup)
            json_array_append_new(stun, json_string(url));
    }
}

json_t *kn_turn_ice_servers(const char *stun_urls, const char *turn_urls, const char *secret,
                            const char *user, int64_t now) {
    json_t *out = json_array(), *stun = json_array(), *turn = json_array();
    char username[96], cred[32];
    if (out == NULL || stun == NULL || turn == NULL)
        goto fail;
    add_urls(stun, stun_urls);
    add_urls(turn, turn_urls);
    if (json_array_size(stun) == 0)
        derive_stun(stun, turn);
    if (json_array_size(stun) > 0)
        json_array_append_new(out, json_pack("{s:O}", "urls", stun));
    if (json_array_size(turn) > 0 && secret[0] != '\0') {
        snprintf(username, sizeof(username), "%lld:%s", (long long)(now + KN_TURN_TTL_S), user);
        if (kn_turn_credential(secret, username, cred, sizeof(cred)) != 0)
            goto fail;
        json_array_append_new(out, json_pack("{s:O, s:s, s:s}", "urls", turn, "username",
                                             username, "credential", cred));
    }
    json_decref(stun);
    json_decref(turn);
    return out;

fail:
    json_decref(out);
    json_decref(stun);
    json_decref(turn);
    return NULL;
}
