/*
 * test_rtcp_fb.c: RTCP feedback (RFC 4585, RFC 5104, REMB, transport-wide CC):
 * every field of the Chromium-shaped fixtures, truncations, corrupt counts and
 * parse → write → memcmp round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "packets/rtcp_chrome.h"
#include "rtp/rtcp.h"
#include "rtp/rtcp_fb.h"

static void nack_parse_and_round_trip(void **state) {
    static const uint16_t want[] = {8010, 8011, 8013, 8042, 8058};
    uint16_t seqs[32];
    uint8_t out[64];
    kn_rtcp_fb fb;
    size_t n;
    (void)state;
    assert_int_equal(kn_rtcp_nack_parse(rtcp_nack, sizeof(rtcp_nack), &fb, seqs, 32, &n), 0);
    assert_int_equal(fb.pt, KN_RTCP_RTPFB);
    assert_int_equal(fb.fmt, KN_RTCP_FB_NACK);
    assert_int_equal(fb.sender_ssrc, 1);
    assert_int_equal(fb.media_ssrc, 0x1a2b3c4d);
    assert_int_equal(fb.fci_off, 12);
    assert_int_equal(fb.fci_len, 8);
    assert_int_equal(n, 5);
    assert_memory_equal(seqs, want, sizeof(want));
    assert_int_equal(kn_rtcp_nack_write(1, 0x1a2b3c4d, seqs, n, out, sizeof(out), &n), 0);
    assert_int_equal(n, sizeof(rtcp_nack));
    assert_memory_equal(out, rtcp_nack, sizeof(rtcp_nack));
    assert_int_equal(kn_rtcp_nack_parse(rtcp_nack, sizeof(rtcp_nack), &fb, seqs, 3, &n), KN_ELIMIT);
    assert_int_equal(n, 3);
    for (size_t k = 0; k < sizeof(rtcp_nack); k++)
        assert_int_equal(kn_rtcp_nack_parse(rtcp_nack, k, &fb, seqs, 32, &n), KN_ETRUNC);
    assert_int_equal(kn_rtcp_nack_parse(rtcp_pli, sizeof(rtcp_pli), &fb, seqs, 32, &n), KN_EPROTO);
}

static void nack_write_packs_wrap_and_dups(void **state) {
    const uint16_t seqs[] = {65530, 65535, 65535, 3, 4, 40};
    const uint16_t unsorted[] = {10, 9};
    uint16_t back[32];
    uint8_t out[64];
    kn_rtcp_fb fb;
    size_t n;
    (void)state;
    assert_int_equal(kn_rtcp_nack_write(9, 8, seqs, 6, out, sizeof(out), &n), 0);
    assert_int_equal(n, 20);
    /* 65530 + bit 4 (65535) + bit 8 (3) + bit 9 (4); then 40 alone */
    assert_memory_equal(out + 12, "\xff\xfa\x03\x10\x00\x28\x00\x00", 8);
    assert_int_equal(kn_rtcp_nack_parse(out, n, &fb, back, 32, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(back[2], 3);
    assert_int_equal(kn_rtcp_nack_write(9, 8, unsorted, 2, out, sizeof(out), &n), KN_EINVAL);
    assert_int_equal(kn_rtcp_nack_write(9, 8, seqs, 0, out, sizeof(out), &n), KN_EINVAL);
    assert_int_equal(kn_rtcp_nack_write(9, 8, seqs, 6, out, 19, &n), KN_ELIMIT);
}

static void pli_and_fir(void **state) {
    kn_rtcp_fb fb;
    kn_rtcp_fir_entry e[4];
    uint8_t out[32];
    size_t n;
    (void)state;
    assert_int_equal(kn_rtcp_validate(rtcp_pli, sizeof(rtcp_pli)), 0);
    assert_int_equal(kn_rtcp_pli_parse(rtcp_pli, sizeof(rtcp_pli), &fb), 0);
    assert_int_equal(fb.sender_ssrc, 1);
    assert_int_equal(fb.media_ssrc, 0x1a2b3c4d);
    assert_int_equal(fb.fci_len, 0);
    assert_int_equal(kn_rtcp_pli_write(1, 0x1a2b3c4d, out, sizeof(out), &n), 0);
    assert_int_equal(n, sizeof(rtcp_pli));
    assert_memory_equal(out, rtcp_pli, n);
    assert_int_equal(kn_rtcp_pli_parse(rtcp_fir, sizeof(rtcp_fir), &fb), KN_EPROTO);
    for (size_t k = 0; k < sizeof(rtcp_pli); k++)
        assert_int_equal(kn_rtcp_pli_parse(rtcp_pli, k, &fb), KN_ETRUNC);

    assert_int_equal(kn_rtcp_fir_parse(rtcp_fir, sizeof(rtcp_fir), &fb, e, 4, &n), 0);
    assert_int_equal(fb.media_ssrc, 0);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].ssrc, 0x1a2b3c4d);
    assert_int_equal(e[0].seq, 3);
    assert_int_equal(kn_rtcp_fir_write(1, 0x1a2b3c4d, 3, out, sizeof(out), &n), 0);
    assert_int_equal(n, sizeof(rtcp_fir));
    assert_memory_equal(out, rtcp_fir, n);
    assert_int_equal(kn_rtcp_fir_parse(rtcp_fir, sizeof(rtcp_fir), &fb, e, 0, &n), KN_ELIMIT);
    for (size_t k = 0; k < sizeof(rtcp_fir); k++)
        assert_int_equal(kn_rtcp_fir_parse(rtcp_fir, k, &fb, e, 4, &n), KN_ETRUNC);
    uint8_t b[sizeof(rtcp_fir) - 4];
    memcpy(b, rtcp_fir, sizeof(b));
    b[3] = 3; /* FCI of 4 bytes: half an entry */
    assert_int_equal(kn_rtcp_fir_parse(b, sizeof(b), &fb, e, 4, &n), KN_EPROTO);
}

static void remb(void **state) {
    const uint8_t *p = rtcp_rr_remb + RTCP_RR_LEN;
    const size_t len = sizeof(rtcp_rr_remb) - RTCP_RR_LEN;
    kn_rtcp_remb r;
    uint8_t out[64], b[64];
    uint32_t ssrc;
    size_t n;
    (void)state;
    assert_int_equal(kn_rtcp_remb_parse(p, len, &r), 0);
    assert_int_equal(r.sender_ssrc, 1);
    assert_true(r.bitrate == 1500000);
    assert_int_equal(r.ssrc_count, 1);
    assert_int_equal(r.ssrcs_off, 20);
    ssrc = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
    assert_int_equal(ssrc, 0x1a2b3c4d);
    assert_int_equal(kn_rtcp_remb_write(1, r.bitrate, &ssrc, 1, out, sizeof(out), &n), 0);
    assert_int_equal(n, len);
    assert_memory_equal(out, p, len);
    /* Large bitrates lose low bits, never overflow. */
    assert_int_equal(kn_rtcp_remb_write(1, UINT64_MAX, NULL, 0, out, sizeof(out), &n), 0);
    assert_int_equal(kn_rtcp_remb_parse(out, n, &r), 0);
    assert_true(r.bitrate == (0x3ffffull << 46));
    for (size_t k = 0; k < len; k++)
        assert_int_equal(kn_rtcp_remb_parse(p, k, &r), KN_ETRUNC);
    memcpy(b, p, len);
    b[16] = 2; /* two SSRCs announced, one present */
    assert_int_equal(kn_rtcp_remb_parse(b, len, &r), KN_ETRUNC);
    b[16] = 1;
    b[12] = 'X'; /* another application feedback */
    assert_int_equal(kn_rtcp_remb_parse(b, len, &r), KN_ENOENT);
}

static void twcc_parse_fields(void **state) {
    kn_twcc h;
    kn_twcc_status st[64];
    size_t n;
    (void)state;
    assert_int_equal(kn_twcc_parse(rtcp_twcc, sizeof(rtcp_twcc), &h, st, 64, &n), 0);
    assert_int_equal(h.sender_ssrc, 1);
    assert_int_equal(h.media_ssrc, 0x1a2b3c4d);
    assert_int_equal(h.base_seq, 42);
    assert_int_equal(h.status_count, RTCP_TWCC_COUNT);
    assert_int_equal(h.ref_time, 0x123456);
    assert_int_equal(h.fb_count, 7);
    assert_int_equal(n, RTCP_TWCC_COUNT);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(st[i].seq, 42 + i);
    assert_int_equal(st[0].status, KN_TWCC_SMALL_DELTA);
    assert_int_equal(st[0].delta_us, 20 * 250);
    assert_int_equal(st[3].status, KN_TWCC_NOT_RECEIVED); /* seq 45 */
    assert_int_equal(st[3].delta_us, 0);
    assert_int_equal(st[10].status, KN_TWCC_NOT_RECEIVED); /* seq 52 */
    assert_int_equal(st[14].status, KN_TWCC_LARGE_DELTA);  /* seq 56 */
    assert_int_equal(st[14].delta_us, 400 * 250);
    assert_int_equal(st[17].status, KN_TWCC_LARGE_DELTA);
    assert_int_equal(st[17].delta_us, -200 * 250);
    assert_int_equal(st[18].status, KN_TWCC_NOT_RECEIVED);
    assert_int_equal(st[19].delta_us, 7 * 250);
    for (size_t i = 21; i < n; i++)
        assert_int_equal(st[i].status, KN_TWCC_SMALL_DELTA);
    assert_int_equal(st[40].delta_us, 22 * 250);
}

static void twcc_round_trip(void **state) {
    kn_twcc h;
    kn_twcc_status st[64];
    uint8_t out[128];
    size_t n, len;
    (void)state;
    assert_int_equal(kn_twcc_parse(rtcp_twcc, sizeof(rtcp_twcc), &h, st, 64, &n), 0);
    assert_int_equal(kn_twcc_write(&h, st, n, out, sizeof(out), &len), 0);
    assert_int_equal(len, sizeof(rtcp_twcc));
    assert_memory_equal(out, rtcp_twcc, len);
    assert_int_equal(kn_twcc_write(&h, st, n, out, len - 1, &len), KN_ELIMIT);
    st[5].seq++;
    assert_int_equal(kn_twcc_write(&h, st, n, out, sizeof(out), &len), KN_EINVAL);
    st[5].seq--;
    st[0].delta_us = 100; /* not a multiple of 250 us */
    assert_int_equal(kn_twcc_write(&h, st, n, out, sizeof(out), &len), KN_EINVAL);
    st[0].delta_us = 256 * 250; /* too large for a small delta */
    assert_int_equal(kn_twcc_write(&h, st, n, out, sizeof(out), &len), KN_EINVAL);
    st[0].delta_us = -250;
    assert_int_equal(kn_twcc_write(&h, st, n, out, sizeof(out), &len), KN_EINVAL);
}

static void twcc_rejects_truncation_and_corruption(void **state) {
    kn_twcc h;
    kn_twcc_status st[400];
    uint8_t b[sizeof(rtcp_twcc)];
    size_t n;
    (void)state;
    for (size_t k = 0; k < sizeof(rtcp_twcc); k++)
        assert_int_not_equal(kn_twcc_parse(rtcp_twcc, k, &h, st, 64, &n), 0);
    assert_int_equal(kn_twcc_parse(rtcp_twcc, sizeof(rtcp_twcc), &h, st, 40, &n), KN_ELIMIT);
    memcpy(b, rtcp_twcc, sizeof(b));
    b[15] = 60; /* 60 statuses: the run-length chunk covers them, deltas run out */
    assert_int_equal(kn_twcc_parse(b, sizeof(b), &h, st, 64, &n), KN_ETRUNC);
    b[14] = 0x01; /* 316 statuses: chunks run out */
    assert_int_equal(kn_twcc_parse(b, sizeof(b), &h, st, 400, &n), KN_ETRUNC);
    memcpy(b, rtcp_twcc, sizeof(b));
    b[22] = 0xf5; /* 2-bit vector with status 3 first */
    assert_int_equal(kn_twcc_parse(b, sizeof(b), &h, st, 64, &n), KN_EPROTO);
    memcpy(b, rtcp_twcc, sizeof(b));
    b[14] = b[15] = 0; /* status count 0 */
    assert_int_equal(kn_twcc_parse(b, sizeof(b), &h, st, 64, &n), KN_EPROTO);
}

static void twcc_write_long_runs_and_negative_reference(void **state) {
    static kn_twcc_status st[9000];
    static kn_twcc_status back[9000];
    static uint8_t out[20000];
    kn_twcc h = {
        .sender_ssrc = 5, .media_ssrc = 6, .base_seq = 65500, .ref_time = -3, .fb_count = 255};
    kn_twcc got;
    size_t n, len;
    (void)state;
    for (size_t i = 0; i < 9000; i++) {
        st[i].seq = (uint16_t)(65500 + i);
        st[i].status = i < 8500 ? KN_TWCC_NOT_RECEIVED : KN_TWCC_LARGE_DELTA;
        st[i].delta_us = i < 8500 ? 0 : -250 * (int32_t)(i % 100);
    }
    assert_int_equal(kn_twcc_write(&h, st, 9000, out, sizeof(out), &len), 0);
    /* 12 + 8 + chunks (8191, 309, 500) + 500 large deltas = 1026 bytes, padded to 1028 */
    assert_int_equal(len, 1028);
    assert_int_equal(kn_rtcp_validate(out, len), 0);
    assert_int_equal(kn_twcc_parse(out, len, &got, back, 9000, &n), 0);
    assert_int_equal(n, 9000);
    assert_int_equal(got.ref_time, -3);
    assert_int_equal(got.base_seq, 65500);
    assert_int_equal(got.fb_count, 255);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(back[i].seq, st[i].seq);
        assert_int_equal(back[i].status, st[i].status);
        assert_int_equal(back[i].delta_us, st[i].delta_us);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nack_parse_and_round_trip),
        cmocka_unit_test(nack_write_packs_wrap_and_dups),
        cmocka_unit_test(pli_and_fir),
        cmocka_unit_test(remb),
        cmocka_unit_test(twcc_parse_fields),
        cmocka_unit_test(twcc_round_trip),
        cmocka_unit_test(twcc_rejects_truncation_and_corruption),
        cmocka_unit_test(twcc_write_long_runs_and_negative_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
