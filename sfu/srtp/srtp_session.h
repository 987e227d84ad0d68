/*
 * srtp_session.h: one peer's SRTP/SRTCP crypto state over libsrtp2 2.5.0 (RFC 3711,
 * RFC 7714 for AEAD_AES_128_GCM). A session holds an inbound srtp_t keyed with the
 * remote write key (ssrc_any_inbound, replay window 1024) and an outbound srtp_t keyed
 * with the local write key (ssrc_any_outbound, allow_repeat_tx so a NACK retransmission
 * of the same sequence number can be protected again, and a 1024-packet window, so that
 * packet may be up to 1024 behind the newest sent). Keys come from DTLS-SRTP
 * (dtls/dtls.c, RFC 5764 §4.2). Media loop only; allocates in _init only, never per packet.
 */
#ifndef KN_SRTP_SESSION_H
#define KN_SRTP_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <srtp2/srtp.h>

/* Headroom a protect call needs after `len`: buffers handed to kn_srtp_session_protect_*
 * must have cap >= len + KN_SRTP_MAX_TRAILER. Equals libsrtp's SRTP_MAX_TRAILER_LEN
 * (max tag 16 + max MKI 128 = 144), the bound libsrtp documents for srtp_protect(). We use
 * no MKI, so at most 20 B are actually appended (CM_80: 10 B RTP tag, 4 + 10 B for RTCP;
 * GCM: 16 B tag, 4 + 16 B for RTCP), but the contract is libsrtp's. */
#define KN_SRTP_MAX_TRAILER SRTP_MAX_TRAILER_LEN

/* DTLS-SRTP protection profiles we negotiate; values are the RFC 5764 / RFC 7714
 * SRTPProtectionProfile code points. */
typedef enum kn_srtp_profile {
    KN_SRTP_NONE = 0,
    KN_SRTP_AES128_CM_SHA1_80 = 0x0001, /* "AES_CM_128_HMAC_SHA1_80": key 16 + salt 14 */
    KN_SRTP_AEAD_AES_128_GCM = 0x0007,  /* "AEAD_AES_128_GCM": key 16 + salt 12 */
} kn_srtp_profile;

/* Largest key||salt length of the profiles above (16 + 14). */
#define KN_SRTP_MAX_KEY_SALT 30

/* Keys exported by DTLS for one peer: `local` protects what we send, `remote`
 * unprotects what we receive. Each is master key || master salt, key_salt_len bytes. */
typedef struct kn_srtp_keys {
    kn_srtp_profile profile;
    size_t key_salt_len;
    uint8_t local[KN_SRTP_MAX_KEY_SALT];
    uint8_t remote[KN_SRTP_MAX_KEY_SALT];
} kn_srtp_keys;

typedef struct kn_srtp_session {
    srtp_t in;  /* remote key: unprotect RTP and RTCP */
    srtp_t out; /* local key: protect RTP and RTCP */
    kn_srtp_profile profile;
} kn_srtp_session;

/* Calls srtp_init() once per process (later calls are no-ops). Returns 0 or KN_ECRYPTO. */
int kn_srtp_global_init(void);

/* The libsrtp2 build linked in (KN_SRTP_BACKEND, set by CMake), for the startup log
 * and sfu.info. Static string. */
const char *kn_srtp_backend(void);

/* "AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80", or "none"; static string. */
const char *kn_srtp_profile_name(kn_srtp_profile profile);

/* Expected key||salt length for a profile: 30, 28, or 0 for an unknown profile. */
size_t kn_srtp_profile_key_salt_len(kn_srtp_profile profile);

/* Creates both srtp_t from `keys` (kn_srtp_global_init() must have succeeded).
 * Returns 0, KN_EINVAL for an unknown profile or a key_salt_len that does not match it,
 * KN_ENOMEM or KN_ECRYPTO. On failure *s is zeroed and owns nothing. */
int kn_srtp_session_init(kn_srtp_session *s, const kn_srtp_keys *keys);

/* Frees both srtp_t. Accepts a zeroed or already closed session. */
void kn_srtp_session_close(kn_srtp_session *s);

/*
 * Protect in place: `buf` holds an RTP (or RTCP) packet of *len bytes; on success *len
 * is the SRTP (SRTCP) length, at most *len + KN_SRTP_MAX_TRAILER. `cap` is the size of
 * `buf`; it must be >= *len + KN_SRTP_MAX_TRAILER.
 * Returns 0,
 *   KN_ELIMIT when cap is too small (nothing written),
 *   KN_ETRUNC when the packet is shorter than a header,
 *   KN_ECRYPTO for any other libsrtp failure (state not initialised, key exhausted).
 */
int kn_srtp_session_protect_rtp(kn_srtp_session *s, uint8_t *buf, size_t *len, size_t cap);
int kn_srtp_session_protect_rtcp(kn_srtp_session *s, uint8_t *buf, size_t *len, size_t cap);

/*
 * Unprotect in place: on success *len is the plain RTP (RTCP) length (shorter; nothing
 * is written past the input).
 * Returns 0,
 *   KN_EAUTH when the authentication tag does not verify,
 *   KN_EPROTO for a replayed or too old packet (replay window 1024 for RTP),
 *   KN_ETRUNC when the packet is shorter than a header plus tag,
 *   KN_ECRYPTO for any other libsrtp failure.
 */
int kn_srtp_session_unprotect_rtp(kn_srtp_session *s, uint8_t *buf, size_t *len);
int kn_srtp_session_unprotect_rtcp(kn_srtp_session *s, uint8_t *buf, size_t *len);

#endif
