/*
 * ice_lite.c: connectivity-check validation and response for an ICE-lite agent
 * (RFC 8445 §7.3, RFC 8489 §14.5/§14.7 via stun.h).
 */
#include "ice/ice_lite.h"

#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#include "core/err.h"

static const char ice_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int random_chars(char *out, size_t n) {
    uint8_t r[64];
    if (n > sizeof(r) || RAND_bytes(r, (int)n) != 1)
        return KN_ECRYPTO;
    for (size_t i = 0; i < n; i++)
        out[i] = ice_chars[r[i] & 63];
    out[n] = '\0';
    return 0;
}

int kn_ice_lite_gen(kn_ice_creds *c) {
    int rc = random_chars(c->ufrag, KN_ICE_UFRAG_LEN);
    return rc != 0 ? rc : random_chars(c->pwd, KN_ICE_PWD_LEN);
}

int kn_ice_lite_parse_check(const uint8_t *p, size_t len, kn_stun *msg, const char **ufrag,
                            size_t *ufrag_len) {
    int rc = kn_stun_parse(p, len, msg);
    if (rc != 0)
        return rc;
    if (msg->type != KN_STUN_BINDING_REQUEST || !msg->has_username || !msg->has_integrity)
        return KN_EINVAL;
    if (msg->has_fingerprint && kn_stun_check_fingerprint(p, len, msg) != 0)
        return KN_EAUTH;
    const char *u = (const char *)p + msg->username_off;
    const char *colon = memchr(u, ':', msg->username_len);
    if (colon == NULL || colon == u)
        return KN_EINVAL;
    *ufrag = u;
    *ufrag_len = (size_t)(colon - u);
    return 0;
}

int kn_ice_lite_verify(const uint8_t *p, size_t len, const kn_stun *msg, const kn_ice_creds *c) {
    const char *u = (const char *)p + msg->username_off;
    size_t local_len = strlen(c->ufrag), remote_len = strlen(c->remote_ufrag);
    if (msg->username_len != local_len + 1 + remote_len ||
        memcmp(u, c->ufrag, local_len) != 0 || u[local_len] != ':' ||
        memcmp(u + local_len + 1, c->remote_ufrag, remote_len) != 0)
        return KN_EAUTH;
    if (kn_stun_check_integrity(p, len, msg, (const uint8_t *)c->pwd, strlen(c->pwd)) != 0)
        return KN_EAUTH;
    return 0;
}

int kn_ice_lite_respond(const uint8_t *p, const kn_stun *msg, const kn_ice_creds *c,
                        const struct sockaddr *from, uint8_t *out, size_t cap, size_t *n) {
    kn_stun_addr a;
    memset(&a, 0, sizeof(a));
    if (from->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)from;
        a.family = 1;
        a.port = ntohs(in->sin_port);
        memcpy(a.addr, &in->sin_addr, 4);
    } else if (from->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)from;
        a.family = 2;
        a.port = ntohs(in6->sin6_port);
        memcpy(a.addr, &in6->sin6_addr, 16);
    } else {
        return KN_EINVAL;
    }
    return kn_stun_write_success(p + msg->tid_off, &a, (const uint8_t *)c->pwd, strlen(c->pwd),
                                 out, cap, n);
}
