/*
 * test_srtp_session.c: SRTP/SRTCP protect and unprotect over libsrtp2 (srtp/srtp_session.c)
 * for AES_CM_128_HMAC_SHA1_80 and AEAD_AES_128_GCM: round trips, tampering, replay,
 * retransmission of the same sequence number, buffer headroom and key validation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "srtp/srtp_session.h"

/* VP8 RTP packet, no extensions. */
static const uint8_t rtp_pkt[] = {
    0x80, 0x60, 0x1f, 0x4a, /* V=2 P=0 X=0 CC=0 | M=0 PT=96 | seq=8010 */
    0x00, 0x01, 0x5f, 0x90, /* timestamp=90000 */
    0x1a, 0x2b, 0x3c, 0x4d, /* SSRC */
    0x90, 0x80, 0x15, 0x10, /* VP8 descriptor (X=1 S=1, I=1 picture id=21) + payload */
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
};

/* RTCP receiver report with one report block. */
static const uint8_t rtcp_pkt[] = {
    0x81, 0xc9, 0x00, 0x07, /* V=2 RC=1 | PT=201 RR | length=7 words */
    0x00, 0x00, 0x00, 0x01, /* sender SSRC */
    0x1a, 0x2b, 0x3c, 0x4d, /* source SSRC */
    0x00, 0x00, 0x00, 0x00, /* fraction lost | cumulative lost */
    0x00, 0x00, 0x1f, 0x4a, /* extended highest seq */
    0x00, 0x00, 0x00, 0x10, /* jitter */
    0x00, 0x00, 0x00, 0x00, /* LSR */
    0x00, 0x00, 0x00, 0x00, /* DLSR */
};

typedef struct pair {
    kn_srtp_session a; /* local key K1, remote K2 */
    kn_srtp_session b; /* local key K2, remote K1 */
} pair;

static void make_keys(kn_srtp_profile profile, kn_srtp_keys *ka, kn_srtp_keys *kb) {
    memset(ka, 0, sizeof(*ka));
    ka->profile = profile;
    ka->key_salt_len = kn_srtp_profile_key_salt_len(profile);
    for (size_t i = 0; i < ka->key_salt_len; i++) {
        ka->local[i] = (uint8_t)(i * 7 + 1);
        ka->remote[i] = (uint8_t)(i * 13 + 5);
    }
    *kb = *ka;
    memcpy(kb->local, ka->remote, sizeof(kb->local));
    memcpy(kb->remote, ka->local, sizeof(kb->remote));
}

static int setup(void **state, kn_srtp_profile profile) {
    static pair p;
    kn_srtp_keys ka, kb;

    if (kn_srtp_global_init() != 0)
        return -1;
    make_keys(profile, &ka, &kb);
    if (kn_srtp_session_init(&p.a, &ka) != 0 || kn_srtp_session_init(&p.b, &kb) != 0)
        return -1;
    *state = &p;
    return 0;
}

static int setup_cm(void **state) {
    return setup(state, KN_SRTP_AES128_CM_SHA1_80);
}

static int setup_gcm(void **state) {
    return setup(state, KN_SRTP_AEAD_AES_128_GCM);
}

static int teardown(void **state) {
    pair *p = *state;
    kn_srtp_session_close(&p->a);
    kn_srtp_session_close(&p->b);
    return 0;
}

static size_t tag_len(kn_srtp_profile profile) {
    return profile == KN_SRTP_AEAD_AES_128_GCM ? 16 : 10;
}

static void rtp_round_trip(void **state) {
    pair *p = *state;
    uint8_t buf[sizeof(rtp_pkt) + KN_SRTP_MAX_TRAILER];
    size_t len = sizeof(rtp_pkt);

    memcpy(buf, rtp_pkt, len);
    assert_int_equal(kn_srtp_session_protect_rtp(&p->a, buf, &len, sizeof(buf)), 0);
    assert_int_equal(len, sizeof(rtp_pkt) + tag_len(p->a.profile));
    assert_memory_equal(buf, rtp_pkt, 12);                           /* header in clear */
    assert_memory_not_equal(buf + 12, rtp_pkt + 12, sizeof(rtp_pkt) - 12); /* payload not */
    assert_int_equal(kn_srtp_session_unprotect_rtp(&p->b, buf, &len), 0);
    assert_int_equal(len, sizeof(rtp_pkt));
    assert_memory_equal(buf, rtp_pkt, len);
    /* the same key does not open its own direction */
    memcpy(buf, rtp_pkt, sizeof(rtp_pkt));
    len = sizeof(rtp_pkt);
    assert_int_equal(kn_srtp_session_protect_rtp(&p->a, buf, &len, sizeof(buf)), 0);
    assert_int_equal(kn_srtp_session_unprotect_rtp(&p->a, buf, &len), KN_EAUTH);
}

static void rtcp_round_trip(void **state) {
    pair *p = *state;
    uint8_t buf[sizeof(rtcp_pkt) + KN_SRTP_MAX_TRAILER];
    size_t len = sizeof(rtcp_pkt);

    memcpy(buf, rtcp_pkt, len);
    assert_int_equal(kn_srtp_session_protect_rtcp(&p->b, buf, &len, sizeof(buf)), 0);
    assert_int_equal(len, sizeof(rtcp_pkt) + 4 + tag_len(p->b.profile)); /* E|index + tag */
    assert_memory_equal(buf, rtcp_pkt, 8);
    assert_int_equal(kn_srtp_session_unprotect_rtcp(&p->a, buf, &len), 0);
    assert_int_equal(len, sizeof(rtcp_pkt));
    assert_memory_equal(buf, rtcp_pkt, len);
}

static void tamper_is_auth_failure(void **state) {
    pair *p = *state;
    uint8_t buf[sizeof(rtcp_pkt) + KN_SRTP_MAX_TRAILER];
    size_t len;
    static const size_t flips[] = {1, 11, 15, sizeof(rtp_pkt) - 1, sizeof(rtp_pkt) + 3};

    for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
        memcpy(buf, rtp_pkt, sizeof(rtp_pkt));
        len = sizeof(rtp_pkt);
        buf[2] = (uint8_t)(0x20 + i); /* a fresh sequence number each time */
        assert_int_equal(kn_srtp_session_protect_rtp(&p->a, buf, &len, sizeof(buf)), 0);
        buf[flips[i]] ^= 0x01;
        assert_int_equal(kn_srtp_session_unprotect_rtp(&p->b, buf, &len), KN_EAUTH);
    }
    memcpy(buf, rtcp_pkt, sizeof(rtcp_pkt));
    len = sizeof(rtcp_pkt);
    assert_int_equal(kn_srtp_session_protect_rtcp(&p->a, buf, &len, sizeof(buf)), 0);
    buf[20] ^= 0x80;
    assert_int_equal(kn_srtp_session_unprotect_rtcp(&p->b, buf, &len), KN_EAUTH);
}

static void replay_is_rejected(void **state) {
    pair *p = *state;
    uint8_t buf[sizeof(rtcp_pkt) + KN_SRTP_MAX_TRAILER], copy[sizeof(buf)];
    size_t len = sizeof(rtp_pkt), copy_len;

    memcpy(buf, rtp_pkt, len);
    assert_int_equal(kn_srtp_session_protect_rtp(&p->a, buf, &len, sizeof(buf)), 0);
    memcpy(copy, buf, len);
    copy_len = len;
    assert_int_equal(kn_srtp_session_unprotect_rtp(&p->b, buf, &len), 0);
    assert_int_equal(kn_srtp_session_unprotect_rtp(&p->b, copy, &copy_len), KN_EPROTO);

    len = sizeof(rtcp_pkt);
    memcpy(buf, rtcp_pkt, len);
    assert_int_equal(kn_srtp_session_protect_rtcp(&p->a, buf, &len, sizeof(buf)), 0);
    memcpy(copy, buf, len);
    copy_len = len;
    assert_int_equal(kn_srtp_session_unprotect_rtcp(&p->b, buf, &len), 0);
    assert_int_equal(kn_srtp_session_unprotect_rtcp(&p->b, copy, &copy_len), KN_EPROTO);
}

/* A NACK answer resends a stored packet with its original sequence number: the sender
 * must protect it again (allow_repeat_tx); a receiver that lost the first copy accepts it. */
static void retransmission_can_be_protected_again(void **state) {
    pair *p = *state;
    uint8_t first[sizeof(rtp_pkt) + KN_SRTP_MAX_TRAILER], again[sizeof(first)];
    size_t len1 = sizeof(rtp_pkt), len2 = sizeof(rtp_pkt);

    memcpy(first, rtp_pkt, len1);
    first[3] = 0x77;
    memcpy(again, first, len1);
    assert_int_equal(kn_srtp_session_protect_rtp(&p->a, first, &len1, sizeof(first)), 0);
    assert_int_equal(kn_srtp_session_protect_rtp(&p->a, again, &len2, sizeof(again)), 0);
    assert_int_equal(len1, len2);
    assert_memory_equal(first, again, len1); /* same index, same keystream */
    assert_int_equal(kn_srtp_session_unprotect_rtp(&p->b, again, &len2), 0); /* first was lost */
}

static void protect_seq(kn_srtp_session *s, uint16_t seq, uint8_t *buf, size_t cap, size_t *len) {
    memcpy(buf, rtp_pkt, sizeof(rtp_pkt));
    buf[2] = (uint8_t)(seq >> 8);
    buf[3] = (uint8_t)seq;
    *len = sizeof(rtp_pkt);
    assert_int_equal(kn_srtp_session_protect_rtp(s, buf, len, cap), 0);
}

/* Sent in order 3900, 4000, 5000; arriving 5000 first: 3900 is more than 1024 packets
 * behind and rejected, 4000 is inside the window and accepted. */
static void old_packet_outside_window_is_rejected(void **state) {
    pair *p = *state;
    enum { CAP = sizeof(rtp_pkt) + KN_SRTP_MAX_TRAILER };
    uint8_t old[CAP], inside[CAP], newest[CAP];
    size_t old_len, inside_len, newest_len;

    protect_seq(&p->a, 3900, old, CAP, &old_len);
    protect_seq(&p->a, 4000, inside, CAP, &inside_len);
    protect_seq(&p->a, 5000, newest, CAP, &newest_len);
    assert_int_equal(kn_srtp_session_unprotect_rtp(&p->b, newest, &newest_len), 0);
    assert_int_equal(kn_srtp_session_unprotect_rtp(&p->b, old, &old_len), KN_EPROTO);
    assert_int_equal(kn_srtp_session_unprotect_rtp(&p->b, inside, &inside_len), 0);
}

/* A NACK for a packet 1000 behind the newest sent is still answerable. */
static void sender_reprotects_within_window(void **state) {
    pair *p = *state;
    enum { CAP = sizeof(rtp_pkt) + KN_SRTP_MAX_TRAILER };
    uint8_t buf[CAP];
    size_t len;

    protect_seq(&p->a, 1000, buf, CAP, &len);
    protect_seq(&p->a, 2000, buf, CAP, &len);
    protect_seq(&p->a, 1000, buf, CAP, &len);
    assert_int_equal(kn_srtp_session_unprotect_rtp(&p->b, buf, &len), 0);
}

static void headroom_and_truncation(void **state) {
    pair *p = *state;
    uint8_t buf[sizeof(rtcp_pkt) + KN_SRTP_MAX_TRAILER];
    size_t len = sizeof(rtp_pkt);

    memcpy(buf, rtp_pkt, len);
    assert_int_equal(kn_srtp_session_protect_rtp(&p->a, buf, &len, len + KN_SRTP_MAX_TRAILER - 1),
                     KN_ELIMIT);
    assert_int_equal(len, sizeof(rtp_pkt));
    assert_memory_equal(buf, rtp_pkt, len); /* untouched */
    assert_int_equal(kn_srtp_session_protect_rtcp(&p->a, buf, &len, len), KN_ELIMIT);
    len = 11;
    assert_int_equal(kn_srtp_session_protect_rtp(&p->a, buf, &len, sizeof(buf)), KN_ETRUNC);
    assert_int_equal(kn_srtp_session_unprotect_rtp(&p->b, buf, &len), KN_ETRUNC);
    len = 7;
    assert_int_equal(kn_srtp_session_unprotect_rtcp(&p->b, buf, &len), KN_ETRUNC);
    /* a header without room for the tag */
    memcpy(buf, rtp_pkt, sizeof(rtp_pkt));
    len = 12;
    assert_int_not_equal(kn_srtp_session_unprotect_rtp(&p->b, buf, &len), 0);
}

static void init_rejects_bad_keys(void **state) {
    kn_srtp_keys k;
    kn_srtp_session s;
    (void)state;

    assert_int_equal(kn_srtp_global_init(), 0);
    make_keys(KN_SRTP_AEAD_AES_128_GCM, &k, &k);
    k.key_salt_len = 30; /* CM length for a GCM profile */
    assert_int_equal(kn_srtp_session_init(&s, &k), KN_EINVAL);
    assert_null(s.in);
    k.profile = KN_SRTP_NONE;
    assert_int_equal(kn_srtp_session_init(&s, &k), KN_EINVAL);
    kn_srtp_session_close(&s); /* zeroed: harmless */
}

static void names_and_backend(void **state) {
    (void)state;
    assert_string_equal(kn_srtp_profile_name(KN_SRTP_AEAD_AES_128_GCM), "AEAD_AES_128_GCM");
    assert_string_equal(kn_srtp_profile_name(KN_SRTP_AES128_CM_SHA1_80),
                        "AES_CM_128_HMAC_SHA1_80");
    assert_string_equal(kn_srtp_profile_name(KN_SRTP_NONE), "none");
    assert_int_equal(kn_srtp_profile_key_salt_len(KN_SRTP_AES128_CM_SHA1_80), 30);
    assert_int_equal(kn_srtp_profile_key_salt_len(KN_SRTP_AEAD_AES_128_GCM), 28);
    assert_true(strlen(kn_srtp_backend()) > 0);
    assert_non_null(strstr(kn_srtp_backend(), "srtp"));
}

#define BOTH(t) cmocka_unit_test_setup_teardown(t, setup_cm, teardown), \
                cmocka_unit_test_setup_teardown(t, setup_gcm, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        BOTH(rtp_round_trip),
        BOTH(rtcp_round_trip),
        BOTH(tamper_is_auth_failure),
        BOTH(replay_is_rejected),
        BOTH(retransmission_can_be_protected_again),
        BOTH(old_packet_outside_window_is_rejected),
        BOTH(sender_reprotects_within_window),
        BOTH(headroom_and_truncation),
        cmocka_unit_test(init_rejects_bad_keys),
        cmocka_unit_test(names_and_backend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
