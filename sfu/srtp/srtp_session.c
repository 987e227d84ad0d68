/*
 * srtp_session.c: one peer's SRTP/SRTCP contexts over libsrtp2 2.5.0 (RFC 3711;
 * RFC 7714 AEAD_AES_128_GCM). Inbound: ssrc_any_inbound with the remote key, replay
 * window 1024. Outbound: ssrc_any_outbound with the local key and allow_repeat_tx, so
 * a NACK answer that resends a stored packet under its original sequence number can be
 * protected again. libsrtp clones a stream per new SSRC on first use; nothing else
 * allocates after kn_srtp_session_init(). Media loop only.
 */
#include "srtp/srtp_session.h"

#include <limits.h>
#include <string.h>

#include "core/err.h"

#ifndef KN_SRTP_BACKEND
#define KN_SRTP_BACKEND "libsrtp2 (backend not recorded at build time)"
#endif

#define RTP_MIN_HEADER 12 /* RFC 3550 §5.1 fixed header */
#define RTCP_MIN_HEADER 8 /* RFC 3550 §6.4.1: header + sender SSRC */
#define WINDOW 1024 /* packets; both directions */

static int srtp_initialised;

int kn_srtp_global_init(void) {
    if (srtp_initialised)
        return 0;
    if (srtp_init() != srtp_err_status_ok)
        return KN_ECRYPTO;
    srtp_initialised = 1;
    return 0;
}

const char *kn_srtp_backend(void) {
    return KN_SRTP_BACKEND;
}

const char *kn_srtp_profile_name(kn_srtp_profile profile) {
    switch (profile) {
    case KN_SRTP_AES128_CM_SHA1_80:
        return "AES_CM_128_HMAC_SHA1_80";
    case KN_SRTP_AEAD_AES_128_GCM:
        return "AEAD_AES_128_GCM";
    default:
        return "none";
    }
}

size_t kn_srtp_profile_key_salt_len(kn_srtp_profile profile) {
    switch (profile) {
    case KN_SRTP_AES128_CM_SHA1_80:
        return 16 + 14; /* RFC 3711 §8.2 */
    case KN_SRTP_AEAD_AES_128_GCM:
        return 16 + 12; /* RFC 7714 §12 */
    default:
        return 0;
    }
}

static void set_crypto_policy(srtp_policy_t *pol, kn_srtp_profile profile) {
    if (profile == KN_SRTP_AEAD_AES_128_GCM) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtcp);
    } else {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
    }
}

static int map_create_error(srtp_err_status_t st) {
    return st == srtp_err_status_alloc_fail ? KN_ENOMEM : KN_ECRYPTO;
}

static int create_one(srtp_t *out, kn_srtp_profile profile, srtp_ssrc_type_t type,
                      const uint8_t *key) {
    srtp_policy_t pol;
    uint8_t key_copy[KN_SRTP_MAX_KEY_SALT]; /* policy.key is not const */
    srtp_err_status_t st;

    memset(&pol, 0, sizeof(pol));
    memcpy(key_copy, key, sizeof(key_copy));
    set_crypto_policy(&pol, profile);
    pol.ssrc.type = type;
    pol.key = key_copy;
    /* The sender checks its own index too: protecting an index more than window_size
     * behind the newest fails, so the outbound window must cover the retransmission
     * ring, not only the inbound replay window. */
    pol.window_size = WINDOW;
    pol.allow_repeat_tx = type == ssrc_any_outbound;
    st = srtp_create(out, &pol);
    memset(key_copy, 0, sizeof(key_copy));
    if (st != srtp_err_status_ok) {
        *out = NULL;
        return map_create_error(st);
    }
    return 0;
}

int kn_srtp_session_init(kn_srtp_session *s, const kn_srtp_keys *keys) {
    size_t want = kn_srtp_profile_key_salt_len(keys->profile);
    int rc;

    memset(s, 0, sizeof(*s));
    if (want == 0 || keys->key_salt_len != want)
        return KN_EINVAL;
    if (!srtp_initialised)
        return KN_ECRYPTO;
    if ((rc = create_one(&s->in, keys->profile, ssrc_any_inbound, keys->remote)) != 0)
        goto fail;
    if ((rc = create_one(&s->out, keys->profile, ssrc_any_outbound, keys->local)) != 0)
        goto fail;
    s->profile = keys->profile;
    return 0;

fail:
    kn_srtp_session_close(s);
    return rc;
}

void kn_srtp_session_close(kn_srtp_session *s) {
    if (s->in != NULL)
        srtp_dealloc(s->in);
    if (s->out != NULL)
        srtp_dealloc(s->out);
    memset(s, 0, sizeof(*s));
}

static int map_unprotect_error(srtp_err_status_t st) {
    switch (st) {
    case srtp_err_status_ok:
        return 0;
    case srtp_err_status_auth_fail:
        return KN_EAUTH;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
        return KN_EPROTO;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
        return KN_ETRUNC;
    default:
        return KN_ECRYPTO;
    }
}

static int check_protect_args(const kn_srtp_session *s, size_t len, size_t cap, size_t min) {
    if (s->out == NULL)
        return KN_ECRYPTO;
    if (len < min)
        return KN_ETRUNC;
    if (cap < len || cap - len < KN_SRTP_MAX_TRAILER || len > INT_MAX - KN_SRTP_MAX_TRAILER)
        return KN_ELIMIT;
    return 0;
}

int kn_srtp_session_protect_rtp(kn_srtp_session *s, uint8_t *buf, size_t *len, size_t cap) {
    int rc = check_protect_args(s, *len, cap, RTP_MIN_HEADER);
    int n = (int)*len;

    if (rc != 0)
        return rc;
    srtp_err_status_t st = srtp_protect(s->out, buf, &n);
    if (st != srtp_err_status_ok)
        return st == srtp_err_status_bad_param ? KN_ETRUNC : KN_ECRYPTO;
    *len = (size_t)n;
    return 0;
}

int kn_srtp_session_protect_rtcp(kn_srtp_session *s, uint8_t *buf, size_t *len, size_t cap) {
    int rc = check_protect_args(s, *len, cap, RTCP_MIN_HEADER);
    int n = (int)*len;

    if (rc != 0)
        return rc;
    srtp_err_status_t st = srtp_protect_rtcp(s->out, buf, &n);
    if (st != srtp_err_status_ok)
        return st == srtp_err_status_bad_param ? KN_ETRUNC : KN_ECRYPTO;
    *len = (size_t)n;
    return 0;
}

int kn_srtp_session_unprotect_rtp(kn_srtp_session *s, uint8_t *buf, size_t *len) {
    int n;

    if (s->in == NULL)
        return KN_ECRYPTO;
    if (*len < RTP_MIN_HEADER || *len > INT_MAX)
        return KN_ETRUNC;
    n = (int)*len;
    int rc = map_unprotect_error(srtp_unprotect(s->in, buf, &n));
    if (rc == 0)
        *len = (size_t)n;
    return rc;
}

int kn_srtp_session_unprotect_rtcp(kn_srtp_session *s, uint8_t *buf, size_t *len) {
    int n;

    if (s->in == NULL)
        return KN_ECRYPTO;
    if (*len < RTCP_MIN_HEADER || *len > INT_MAX)
        return KN_ETRUNC;
    n = (int)*len;
    int rc = map_unprotect_error(srtp_unprotect_rtcp(s->in, buf, &n));
    if (rc == 0)
        *len = (size_t)n;
    return rc;
}
