/*
 * stun.h: STUN messages for ICE (RFC 8489, RFC 5389, RFC 8445 §7): parsing the
 * header and the attributes ICE uses as values and offsets, checking
 * FINGERPRINT (§14.7) and MESSAGE-INTEGRITY (HMAC-SHA1 with the short-term
 * password, §14.5), and writing Binding requests, success and error responses.
 * Pure functions over caller bytes; integrity uses OpenSSL's HMAC.
 */
#ifndef KN_STUN_H
#define KN_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KN_STUN_HDR_LEN 20
#define KN_STUN_MAGIC   0x2112A442u
#define KN_STUN_TID_LEN 12
#define KN_STUN_MI_LEN  20   /* HMAC-SHA1 */
#define KN_STUN_MAX_LEN 1500 /* largest message checked or written */
#define KN_STUN_FP_XOR  0x5354554Eu

/* Message types (method | class bits). */
enum {
    KN_STUN_BINDING_REQUEST = 0x0001,
    KN_STUN_BINDING_INDICATION = 0x0011,
    KN_STUN_BINDING_SUCCESS = 0x0101,
    KN_STUN_BINDING_ERROR = 0x0111
};

/* Attribute types. */
enum {
    KN_STUN_ATTR_MAPPED_ADDRESS = 0x0001,
    KN_STUN_ATTR_USERNAME = 0x0006,
    KN_STUN_ATTR_MESSAGE_INTEGRITY = 0x0008,
    KN_STUN_ATTR_ERROR_CODE = 0x0009,
    KN_STUN_ATTR_UNKNOWN_ATTRIBUTES = 0x000A,
    KN_STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020,
    KN_STUN_ATTR_PRIORITY = 0x0024,
    KN_STUN_ATTR_USE_CANDIDATE = 0x0025,
    KN_STUN_ATTR_SOFTWARE = 0x8022,
    KN_STUN_ATTR_FINGERPRINT = 0x8028,
    KN_STUN_ATTR_ICE_CONTROLLED = 0x8029,
    KN_STUN_ATTR_ICE_CONTROLLING = 0x802A
};

/* A transport address in host form (port and address bytes un-XORed). */
typedef struct kn_stun_addr {
    uint8_t family; /* 1 = IPv4, 2 = IPv6 (RFC 8489 §14.1) */
    uint16_t port;
    uint8_t addr[16]; /* 4 or 16 bytes used, network order */
} kn_stun_addr;

/* Offsets are into the parsed message; has_* say whether the attribute was present. */
typedef struct kn_stun {
    uint16_t type;
    uint16_t length; /* message length field: bytes after the header */
    size_t tid_off;  /* = 8: 12-byte transaction id */
    bool has_username;
    size_t username_off; /* value offset */
    uint16_t username_len;
    bool has_priority;
    uint32_t priority;
    bool use_candidate;
    bool has_controlling, has_controlled;
    uint64_t tie_breaker; /* of ICE-CONTROLLING or ICE-CONTROLLED */
    bool has_xor_mapped;
    kn_stun_addr xor_mapped; /* decoded */
    bool has_error;
    uint16_t error_code; /* class * 100 + number */
    size_t error_reason_off;
    uint16_t error_reason_len;
    bool has_integrity;
    size_t integrity_off; /* offset of the MESSAGE-INTEGRITY attribute header */
    bool has_fingerprint;
    size_t fingerprint_off;    /* offset of the FINGERPRINT attribute header */
    uint32_t fingerprint;      /* value as sent */
    uint16_t unknown_required; /* first unknown comprehension-required type seen, 0 if none */
} kn_stun;

/*
 * Parses a STUN message that fills the whole datagram (RFC 8489 §5, §14).
 * Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored
 * (§14.5); FINGERPRINT must be last. Unknown attributes are skipped, and the
 * first comprehension-required one (type < 0x8000) is reported.
 * Returns 0,
 *   KN_ETRUNC if len < 20, len < 20 + message length, or an attribute value
 *             (with its padding) runs past the message,
 *   KN_EPROTO if the top two bits are not 0, the cookie is not 0x2112A442, the
 *             message length is not a multiple of 4 or not len - 20, an
 *             attribute follows FINGERPRINT, or a known attribute has the
 *             wrong size or a bad value (address family, error class).
 */
int kn_stun_parse(const uint8_t *p, size_t len, kn_stun *out);

/* CRC-32 over the message up to the FINGERPRINT attribute, XOR 0x5354554E.
 * Returns 0, KN_ENOENT if there is no FINGERPRINT, KN_EAUTH on mismatch. */
int kn_stun_check_fingerprint(const uint8_t *p, size_t len, const kn_stun *msg);

/*
 * HMAC-SHA1 with `key` (the short-term password) over the message up to
 * MESSAGE-INTEGRITY, with the header's length field set to end after it
 * (§14.5); compared in constant time.
 * Returns 0, KN_ENOENT if there is no MESSAGE-INTEGRITY, KN_EAUTH on mismatch,
 * KN_ELIMIT for a message longer than KN_STUN_MAX_LEN, KN_ECRYPTO if OpenSSL fails.
 */
int kn_stun_check_integrity(const uint8_t *p, size_t len, const kn_stun *msg, const uint8_t *key,
                            size_t key_len);

/* Binding request of an ICE agent (RFC 8445 §7.1.1). */
typedef struct kn_stun_request {
    const uint8_t *tid;   /* 12 bytes */
    const char *username; /* "remote-ufrag:local-ufrag" */
    size_t username_len;  /* 1..513 */
    uint32_t priority;
    bool controlling; /* ICE-CONTROLLING, else ICE-CONTROLLED */
    uint64_t tie_breaker;
    bool use_candidate;
} kn_stun_request;

/* Writers: each appends MESSAGE-INTEGRITY (when key != NULL) then FINGERPRINT.
 * Return 0 and *n, KN_EINVAL for a bad field (username length, address family,
 * error code outside 300..699, reason > 127 bytes), KN_ELIMIT for cap,
 * KN_ECRYPTO if OpenSSL fails. */
int kn_stun_write_request(const kn_stun_request *req, const uint8_t *key, size_t key_len,
                          uint8_t *buf, size_t cap, size_t *n);

/* Binding success response with XOR-MAPPED-ADDRESS = `mapped` (the request's source). */
int kn_stun_write_success(const uint8_t *tid, const kn_stun_addr *mapped, const uint8_t *key,
                          size_t key_len, uint8_t *buf, size_t cap, size_t *n);

/* Binding error response with ERROR-CODE (e.g. 400, 401, 487) and a reason phrase. */
int kn_stun_write_error(const uint8_t *tid, uint16_t code, const char *reason, const uint8_t *key,
                        size_t key_len, uint8_t *buf, size_t cap, size_t *n);

#endif
