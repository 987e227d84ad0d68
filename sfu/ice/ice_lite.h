/*
 * ice_lite.h: the ICE-lite side of connectivity checks (RFC 8445 §2.5, §7.3).
 * Generates the SFU's credentials, accepts only Binding requests whose USERNAME
 * is "<local ufrag>:<remote ufrag>" of a known peer and whose MESSAGE-INTEGRITY
 * verifies with that peer's local password, and writes the success response
 * with the request's source as XOR-MAPPED-ADDRESS. Pure functions over caller
 * bytes except kn_ice_lite_gen (OpenSSL RAND); nothing here allocates.
 */
#ifndef KN_ICE_LITE_H
#define KN_ICE_LITE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "ice/stun.h"

#define KN_ICE_UFRAG_LEN 8   /* 48 bits of randomness */
#define KN_ICE_PWD_LEN   24  /* 144 bits, RFC 8839 asks for >= 128 */
#define KN_ICE_REMOTE_MAX 256

typedef struct kn_ice_creds {
    char ufrag[KN_ICE_UFRAG_LEN + 1];
    char pwd[KN_ICE_PWD_LEN + 1];
    char remote_ufrag[KN_ICE_REMOTE_MAX + 1];
} kn_ice_creds;

/* Fills ufrag and pwd from the ice-char set (RFC 8839 §5.4). Returns 0 or KN_ECRYPTO. */
int kn_ice_lite_gen(kn_ice_creds *c);

/*
 * Parses a datagram as a connectivity check: a Binding request with USERNAME
 * and MESSAGE-INTEGRITY (FINGERPRINT checked when present). Sets *ufrag and
 * *ufrag_len to the local ufrag part of USERNAME (before ':').
 * Returns 0, KN_ETRUNC / KN_EPROTO for malformed STUN, KN_EINVAL for another
 * message type or a USERNAME without ':', KN_EAUTH for a bad FINGERPRINT.
 */
int kn_ice_lite_parse_check(const uint8_t *p, size_t len, kn_stun *msg, const char **ufrag,
                            size_t *ufrag_len);

/* Checks the remote ufrag half of USERNAME and MESSAGE-INTEGRITY against `c`.
 * Returns 0 or KN_EAUTH. */
int kn_ice_lite_verify(const uint8_t *p, size_t len, const kn_stun *msg, const kn_ice_creds *c);

/* Writes the Binding success response for a verified check from `from`.
 * Returns 0 and *n, KN_EINVAL for an unsupported address family, or the
 * writer's error. */
int kn_ice_lite_respond(const uint8_t *p, const kn_stun *msg, const kn_ice_creds *c,
                        const struct sockaddr *from, uint8_t *out, size_t cap, size_t *n);

#endif
