/*
 * stun.c: STUN messages for ICE (RFC 8489; RFC 5389 wire format; RFC 8445 §7
 * attributes): parsing, FINGERPRINT and MESSAGE-INTEGRITY checks, and writers
 * for Binding requests and responses. Pure apart from OpenSSL's HMAC.
 */
#include "ice/stun.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "core/bytes.h"
#include "ice/crc32.h"

#define ATTR_HDR 4
#define PAD4(n)  (((n) + 3) & ~(size_t)3)

/* XOR-MAPPED-ADDRESS (§14.2): port ^ top of cookie, address ^ cookie (| tid for IPv6). */
static int parse_xor_address(const uint8_t *msg, const uint8_t *v, uint16_t len, kn_stun_addr *a) {
    size_t alen;

    if (len < 4)
        return KN_EPROTO;
    a->family = v[1];
    if (a->family == 1)
        alen = 4;
    else if (a->family == 2)
        alen = 16;
    else
        return KN_EPROTO;
    if (len != 4 + alen)
        return KN_EPROTO;
    a->port = (uint16_t)(kn_get_u16(v + 2) ^ (KN_STUN_MAGIC >> 16));
    memset(a->addr, 0, sizeof(a->addr));
    for (size_t i = 0; i < alen; i++)
        a->addr[i] = v[4 + i] ^ msg[4 + i]; /* cookie then transaction id */
    return 0;
}

static int parse_error_code(const uint8_t *v, uint16_t len, size_t off, kn_stun *out) {
    if (len < 4)
        return KN_EPROTO;
    uint8_t cls = v[2] & 0x07, num = v[3];
    if (cls < 3 || cls > 6 || num > 99)
        return KN_EPROTO;
    out->has_error = true;
    out->error_code = (uint16_t)(cls * 100 + num);
    out->error_reason_off = off + 4;
    out->error_reason_len = (uint16_t)(len - 4);
    return 0;
}

static bool known_ignored(uint16_t type) {
    /* MAPPED-ADDRESS, UNKNOWN-ATTRIBUTES, REALM, NONCE: understood, not needed by ICE-lite. */
    return type == 0x0001 || type == 0x000A || type == 0x0014 || type == 0x0015;
}

/* Stores one attribute; off is its value offset. */
static int parse_attr(const uint8_t *p, uint16_t type, uint16_t len, size_t off, kn_stun *out) {
    const uint8_t *v = p + off;

    switch (type) {
    case KN_STUN_ATTR_USERNAME:
        if (len > 513)
            return KN_EPROTO;
        out->has_username = true;
        out->username_off = off;
        out->username_len = len;
        return 0;
    case KN_STUN_ATTR_PRIORITY:
        if (len != 4)
            return KN_EPROTO;
        out->has_priority = true;
        out->priority = kn_get_u32(v);
        return 0;
    case KN_STUN_ATTR_USE_CANDIDATE:
        if (len != 0)
            return KN_EPROTO;
        out->use_candidate = true;
        return 0;
    case KN_STUN_ATTR_ICE_CONTROLLING:
    case KN_STUN_ATTR_ICE_CONTROLLED:
        if (len != 8)
            return KN_EPROTO;
        if (type == KN_STUN_ATTR_ICE_CONTROLLING)
            out->has_controlling = true;
        else
            out->has_controlled = true;
        out->tie_breaker = ((uint64_t)kn_get_u32(v) << 32) | kn_get_u32(v + 4);
        return 0;
    case KN_STUN_ATTR_XOR_MAPPED_ADDRESS:
        out->has_xor_mapped = true;
        return parse_xor_address(p, v, len, &out->xor_mapped);
    case KN_STUN_ATTR_ERROR_CODE:
        return parse_error_code(v, len, off, out);
    case KN_STUN_ATTR_MESSAGE_INTEGRITY:
        if (len != KN_STUN_MI_LEN)
            return KN_EPROTO;
        out->has_integrity = true;
        out->integrity_off = off - ATTR_HDR;
        return 0;
    case KN_STUN_ATTR_FINGERPRINT:
        if (len != 4)
            return KN_EPROTO;
        out->has_fingerprint = true;
        out->fingerprint_off = off - ATTR_HDR;
        out->fingerprint = kn_get_u32(v);
        return 0;
    default:
        if (type < 0x8000 && !known_ignored(type) && out->unknown_required == 0)
            out->unknown_required = type;
        return 0;
    }
}

static int parse_header(const uint8_t *p, size_t len, kn_stun *out) {
    if (len < KN_STUN_HDR_LEN)
        return KN_ETRUNC;
    out->type = kn_get_u16(p);
    out->length = kn_get_u16(p + 2);
    out->tid_off = 8;
    if ((out->type & 0xc000) != 0 || kn_get_u32(p + 4) != KN_STUN_MAGIC || out->length % 4 != 0)
        return KN_EPROTO;
    if (len < KN_STUN_HDR_LEN + (size_t)out->length)
        return KN_ETRUNC;
    if (len > KN_STUN_HDR_LEN + (size_t)out->length)
        return KN_EPROTO;
    return 0;
}

int kn_stun_parse(const uint8_t *p, size_t len, kn_stun *out) {
    int rc;

    *out = (kn_stun){0};
    if ((rc = parse_header(p, len, out)) != 0)
        return rc;
    kn_cursor c = kn_cursor_make(p + KN_STUN_HDR_LEN, out->length);
    while (kn_cursor_left(&c) > 0) {
        uint16_t type, alen;
        if (kn_read_u16(&c, &type) != 0 || kn_read_u16(&c, &alen) != 0)
            return KN_ETRUNC;
        size_t off = (size_t)(c.p - p);
        if (kn_read_skip(&c, PAD4(alen)) != 0)
            return KN_ETRUNC;
        if (out->has_fingerprint) /* §14.7: FINGERPRINT is the last attribute */
            return KN_EPROTO;
        /* §14.5: after MESSAGE-INTEGRITY only FINGERPRINT counts. */
        if (out->has_integrity && type != KN_STUN_ATTR_FINGERPRINT)
            continue;
        if ((rc = parse_attr(p, type, alen, off, out)) != 0)
            return rc;
    }
    return 0;
}

int kn_stun_check_fingerprint(const uint8_t *p, size_t len, const kn_stun *msg) {
    if (!msg->has_fingerprint || msg->fingerprint_off + 8 > len)
        return KN_ENOENT;
    uint32_t crc = kn_crc32(p, msg->fingerprint_off) ^ KN_STUN_FP_XOR;
    return crc == msg->fingerprint ? 0 : KN_EAUTH;
}

/* HMAC-SHA1 over buf[0..n) where buf's length field already covers the MI attribute. */
static int hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *buf, size_t n,
                     uint8_t mac[KN_STUN_MI_LEN]) {
    unsigned int mac_len = 0;

    if (HMAC(EVP_sha1(), key, (int)key_len, buf, n, mac, &mac_len) == NULL ||
        mac_len != KN_STUN_MI_LEN)
        return KN_ECRYPTO;
    return 0;
}

int kn_stun_check_integrity(const uint8_t *p, size_t len, const kn_stun *msg, const uint8_t *key,
                            size_t key_len) {
    uint8_t copy[KN_STUN_MAX_LEN], mac[KN_STUN_MI_LEN];
    size_t n = msg->integrity_off;
    int rc;

    if (!msg->has_integrity || n + ATTR_HDR + KN_STUN_MI_LEN > len)
        return KN_ENOENT;
    if (n > sizeof(copy) || key_len > INT32_MAX)
        return KN_ELIMIT;
    /* §14.5: the length field counts up to the end of MESSAGE-INTEGRITY. */
    memcpy(copy, p, n);
    kn_put_u16(copy + 2, (uint16_t)(n - KN_STUN_HDR_LEN + ATTR_HDR + KN_STUN_MI_LEN));
    if ((rc = hmac_sha1(key, key_len, copy, n, mac)) != 0)
        return rc;
    if (CRYPTO_memcmp(mac, p + n + ATTR_HDR, KN_STUN_MI_LEN) != 0)
        return KN_EAUTH;
    return 0;
}

/* Writers build into the caller buffer through this cursor. */
typedef struct stun_out {
    uint8_t *buf;
    size_t cap;
    size_t len;
} stun_out;

static uint8_t *put_attr(stun_out *w, uint16_t type, size_t len) {
    size_t need = ATTR_HDR + PAD4(len);

    if (w->cap - w->len < need)
        return NULL;
    uint8_t *a = w->buf + w->len;
    kn_put_u16(a, type);
    kn_put_u16(a + 2, (uint16_t)len);
    memset(a + ATTR_HDR, 0, PAD4(len));
    w->len += need;
    return a + ATTR_HDR;
}

static int put_header(stun_out *w, uint16_t type, const uint8_t *tid) {
    if (w->cap < KN_STUN_HDR_LEN)
        return KN_ELIMIT;
    kn_put_u16(w->buf, type);
    kn_put_u16(w->buf + 2, 0);
    kn_put_u32(w->buf + 4, KN_STUN_MAGIC);
    memcpy(w->buf + 8, tid, KN_STUN_TID_LEN);
    w->len = KN_STUN_HDR_LEN;
    return 0;
}

static void set_length(stun_out *w, size_t extra) {
    kn_put_u16(w->buf + 2, (uint16_t)(w->len + extra - KN_STUN_HDR_LEN));
}

/* MESSAGE-INTEGRITY (when key) then FINGERPRINT; both see the length that covers them. */
static int put_trailer(stun_out *w, const uint8_t *key, size_t key_len) {
    uint8_t *v;
    int rc;

    if (w->len + ATTR_HDR * 2 + KN_STUN_MI_LEN + 4 > KN_STUN_MAX_LEN)
        return KN_ELIMIT;
    if (key != NULL) {
        uint8_t mac[KN_STUN_MI_LEN];
        set_length(w, ATTR_HDR + KN_STUN_MI_LEN);
        if ((rc = hmac_sha1(key, key_len, w->buf, w->len, mac)) != 0)
            return rc;
        if ((v = put_attr(w, KN_STUN_ATTR_MESSAGE_INTEGRITY, KN_STUN_MI_LEN)) == NULL)
            return KN_ELIMIT;
        memcpy(v, mac, KN_STUN_MI_LEN);
    }
    set_length(w, ATTR_HDR + 4);
    uint32_t crc = kn_crc32(w->buf, w->len) ^ KN_STUN_FP_XOR;
    if ((v = put_attr(w, KN_STUN_ATTR_FINGERPRINT, 4)) == NULL)
        return KN_ELIMIT;
    kn_put_u32(v, crc);
    return 0;
}

static int put_u32_attr(stun_out *w, uint16_t type, uint32_t val) {
    uint8_t *v = put_attr(w, type, 4);

    if (v == NULL)
        return KN_ELIMIT;
    kn_put_u32(v, val);
    return 0;
}

static int put_u64_attr(stun_out *w, uint16_t type, uint64_t val) {
    uint8_t *v = put_attr(w, type, 8);

    if (v == NULL)
        return KN_ELIMIT;
    kn_put_u32(v, (uint32_t)(val >> 32));
    kn_put_u32(v + 4, (uint32_t)val);
    return 0;
}

static int put_request_attrs(stun_out *w, const kn_stun_request *req) {
    uint8_t *v = put_attr(w, KN_STUN_ATTR_USERNAME, req->username_len);

    if (v == NULL)
        return KN_ELIMIT;
    memcpy(v, req->username, req->username_len);
    if (put_u32_attr(w, KN_STUN_ATTR_PRIORITY, req->priority) != 0 ||
        put_u64_attr(w,
                     req->controlling ? KN_STUN_ATTR_ICE_CONTROLLING : KN_STUN_ATTR_ICE_CONTROLLED,
                     req->tie_breaker) != 0)
        return KN_ELIMIT;
    if (req->use_candidate && put_attr(w, KN_STUN_ATTR_USE_CANDIDATE, 0) == NULL)
        return KN_ELIMIT;
    return 0;
}

int kn_stun_write_request(const kn_stun_request *req, const uint8_t *key, size_t key_len,
                          uint8_t *buf, size_t cap, size_t *n) {
    stun_out w = {buf, cap, 0};
    int rc;

    if (req->tid == NULL || req->username == NULL || req->username_len == 0 ||
        req->username_len > 513)
        return KN_EINVAL;
    if ((rc = put_header(&w, KN_STUN_BINDING_REQUEST, req->tid)) != 0 ||
        (rc = put_request_attrs(&w, req)) != 0 || (rc = put_trailer(&w, key, key_len)) != 0)
        return rc;
    *n = w.len;
    return 0;
}

int kn_stun_write_success(const uint8_t *tid, const kn_stun_addr *mapped, const uint8_t *key,
                          size_t key_len, uint8_t *buf, size_t cap, size_t *n) {
    stun_out w = {buf, cap, 0};
    size_t alen = mapped->family == 1 ? 4 : mapped->family == 2 ? 16 : 0;
    uint8_t *v;
    int rc;

    if (alen == 0)
        return KN_EINVAL;
    if ((rc = put_header(&w, KN_STUN_BINDING_SUCCESS, tid)) != 0)
        return rc;
    if ((v = put_attr(&w, KN_STUN_ATTR_XOR_MAPPED_ADDRESS, 4 + alen)) == NULL)
        return KN_ELIMIT;
    v[1] = mapped->family;
    kn_put_u16(v + 2, (uint16_t)(mapped->port ^ (KN_STUN_MAGIC >> 16)));
    for (size_t i = 0; i < alen; i++)
        v[4 + i] = mapped->addr[i] ^ buf[4 + i];
    if ((rc = put_trailer(&w, key, key_len)) != 0)
        return rc;
    *n = w.len;
    return 0;
}

int kn_stun_write_error(const uint8_t *tid, uint16_t code, const char *reason, const uint8_t *key,
                        size_t key_len, uint8_t *buf, size_t cap, size_t *n) {
    stun_out w = {buf, cap, 0};
    size_t rlen = reason != NULL ? strlen(reason) : 0;
    uint8_t *v;
    int rc;

    if (code < 300 || code > 699 || rlen > 127)
        return KN_EINVAL;
    if ((rc = put_header(&w, KN_STUN_BINDING_ERROR, tid)) != 0)
        return rc;
    if ((v = put_attr(&w, KN_STUN_ATTR_ERROR_CODE, 4 + rlen)) == NULL)
        return KN_ELIMIT;
    v[2] = (uint8_t)(code / 100);
    v[3] = (uint8_t)(code % 100);
    if (rlen > 0)
        memcpy(v + 4, reason, rlen);
    if ((rc = put_trailer(&w, key, key_len)) != 0)
        return rc;
    *n = w.len;
    return 0;
}
