/*
 * test_rtcp.c: compound RTCP validation and iteration, SR / RR / BYE parsing and
 * the SR / RR / SDES / BYE writers (RFC 3550 §6, RFC 5506).
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

static void iterate_sr_sdes(void **state) {
    kn_rtcp_iter it;
    kn_rtcp_pkt pkt;
    (void)state;
    assert_int_equal(kn_rtcp_validate(rtcp_sr_sdes, sizeof(rtcp_sr_sdes)), 0);
    kn_rtcp_iter_init(&it, rtcp_sr_sdes, sizeof(rtcp_sr_sdes));
    assert_int_equal(kn_rtcp_iter_next(&it, &pkt), 0);
    assert_int_equal(pkt.pt, KN_RTCP_SR);
    assert_int_equal(pkt.count, 1);
    assert_false(pkt.padding);
    assert_int_equal(pkt.off, 0);
    assert_int_equal(pkt.len, RTCP_SR_LEN);
    assert_int_equal(kn_rtcp_iter_next(&it, &pkt), 0);
    assert_int_equal(pkt.pt, KN_RTCP_SDES);
    assert_int_equal(pkt.off, RTCP_SR_LEN);
    assert_int_equal(pkt.len, 28);
    assert_int_equal(kn_rtcp_iter_next(&it, &pkt), KN_ENOENT);
}

static void parse_sr(void **state) {
    kn_rtcp_sr sr;
    kn_rtcp_rb rb;
    (void)state;
    assert_int_equal(kn_rtcp_sr_parse(rtcp_sr_sdes, RTCP_SR_LEN, &sr), 0);
    assert_int_equal(sr.ssrc, 0x1a2b3c4d);
    assert_true(sr.ntp == 0xeb0d3e8080000000ull);
    assert_int_equal(sr.rtp_ts, 90000);
    assert_int_equal(sr.packet_count, 300);
    assert_int_equal(sr.octet_count, 300000);
    assert_int_equal(sr.rb_count, 1);
    assert_int_equal(sr.rb_off, 28);
    kn_rtcp_rb_read(rtcp_sr_sdes + sr.rb_off, &rb);
    assert_int_equal(rb.ssrc, 0x11223344);
    assert_int_equal(rb.fraction_lost, 25);
    assert_int_equal(rb.cumulative_lost, 5);
    assert_int_equal(rb.ext_highest_seq, 0x00011234);
    assert_int_equal(rb.jitter, 32);
    assert_int_equal(rb.lsr, 0x3e808000);
    assert_int_equal(rb.dlsr, 0x10000);
    /* Not an SR. */
    assert_int_equal(kn_rtcp_sr_parse(rtcp_sr_sdes + RTCP_SR_LEN, 28, &sr), KN_EPROTO);
}

static void parse_rr(void **state) {
    kn_rtcp_rr rr;
    kn_rtcp_rb rb;
    (void)state;
    assert_int_equal(kn_rtcp_validate(rtcp_rr_remb, sizeof(rtcp_rr_remb)), 0);
    assert_int_equal(kn_rtcp_rr_parse(rtcp_rr_remb, RTCP_RR_LEN, &rr), 0);
    assert_int_equal(rr.ssrc, 1);
    assert_int_equal(rr.rb_count, 1);
    assert_int_equal(rr.rb_off, 8);
    kn_rtcp_rb_read(rtcp_rr_remb + rr.rb_off, &rb);
    assert_int_equal(rb.ssrc, 0x1a2b3c4d);
    assert_int_equal(rb.fraction_lost, 0);
    assert_int_equal(rb.cumulative_lost, -1);
    assert_int_equal(rb.ext_highest_seq, 8010);
    assert_int_equal(rb.jitter, 5);
    assert_int_equal(rb.dlsr, 0x8000);
}

static void parse_bye(void **state) {
    kn_rtcp_bye bye;
    uint8_t b[sizeof(rtcp_bye)];
    (void)state;
    assert_int_equal(kn_rtcp_validate(rtcp_bye, sizeof(rtcp_bye)), 0);
    assert_int_equal(kn_rtcp_bye_parse(rtcp_bye, sizeof(rtcp_bye), &bye), 0);
    assert_int_equal(bye.ssrc_count, 1);
    assert_int_equal(bye.ssrc_off, 4);
    assert_int_equal(bye.reason_len, 6);
    assert_memory_equal(rtcp_bye + bye.reason_off, "ending", 6);
    memcpy(b, rtcp_bye, sizeof(b));
    b[8] = 8; /* reason runs past the packet */
    assert_int_equal(kn_rtcp_bye_parse(b, sizeof(b), &bye), KN_ETRUNC);
    b[0] = 0x84; /* 4 SSRCs in a 16-byte packet */
    assert_int_equal(kn_rtcp_bye_parse(b, sizeof(b), &bye), KN_ETRUNC);
}

static void padded_feedback_is_valid_last(void **state) {
    uint8_t b[sizeof(rtcp_pli) + sizeof(rtcp_twcc)];
    (void)state;
    assert_int_equal(kn_rtcp_validate(rtcp_twcc, sizeof(rtcp_twcc)), 0);
    memcpy(b, rtcp_pli, sizeof(rtcp_pli));
    memcpy(b + sizeof(rtcp_pli), rtcp_twcc, sizeof(rtcp_twcc));
    assert_int_equal(kn_rtcp_validate(b, sizeof(b)), 0);
    /* Padded packet first: RFC 3550 A.2 allows padding only on the last. */
    memcpy(b, rtcp_twcc, sizeof(rtcp_twcc));
    memcpy(b + sizeof(rtcp_twcc), rtcp_pli, sizeof(rtcp_pli));
    assert_int_equal(kn_rtcp_validate(b, sizeof(b)), KN_EPROTO);
}

/* Chrome's a=rtcp-xr:rcvr-rtt=all: an RR followed by an XR with an RRTR block. */
static const uint8_t rr_xr[] = {
    0x80, 0xc9, 0x00, 0x01, /* V=2 RC=0 | PT=201 RR | length=1 word */
    0x00, 0x00, 0x00, 0x01, /* receiver SSRC */
    0x80, 0xcf, 0x00, 0x04, /* V=2 | PT=207 XR | length=4 words */
    0x00, 0x00, 0x00, 0x01, /* SSRC */
    0x04, 0x00, 0x00, 0x02, /* block type 4 RRTR, reserved, block length=2 */
    0xeb, 0x0d, 0x3e, 0x80, /* NTP seconds */
    0x80, 0x00, 0x00, 0x00, /* NTP fraction */
};

static void other_types_pass_through(void **state) {
    kn_rtcp_iter it;
    kn_rtcp_pkt pkt;
    kn_rtcp_rr rr;
    (void)state;
    assert_int_equal(kn_rtcp_validate(rr_xr, sizeof(rr_xr)), 0);
    kn_rtcp_iter_init(&it, rr_xr, sizeof(rr_xr));
    assert_int_equal(kn_rtcp_iter_next(&it, &pkt), 0);
    assert_int_equal(kn_rtcp_rr_parse(rr_xr + pkt.off, pkt.len, &rr), 0);
    assert_int_equal(rr.rb_count, 0);
    assert_int_equal(kn_rtcp_iter_next(&it, &pkt), 0);
    assert_int_equal(pkt.pt, KN_RTCP_XR);
    assert_int_equal(pkt.off, 8);
    assert_int_equal(pkt.len, 20);
    assert_int_equal(kn_rtcp_rr_parse(rr_xr + pkt.off, pkt.len, &rr), KN_EPROTO);
    assert_int_equal(kn_rtcp_iter_next(&it, &pkt), KN_ENOENT);
    /* A bad packet stops the iterator where it is. */
    kn_rtcp_iter_init(&it, rr_xr, sizeof(rr_xr) - 1);
    assert_int_equal(kn_rtcp_iter_next(&it, &pkt), 0);
    assert_int_equal(kn_rtcp_iter_next(&it, &pkt), KN_ETRUNC);
    assert_int_equal(kn_rtcp_iter_next(&it, &pkt), KN_ETRUNC);
    assert_int_equal(it.off, 8);
}

static void rejects_every_truncation(void **state) {
    (void)state;
    for (size_t n = 0; n < sizeof(rtcp_sr_sdes); n++) {
        int rc = kn_rtcp_validate(rtcp_sr_sdes, n);
        if (n == RTCP_SR_LEN) /* a lone SR is a valid reduced-size compound */
            assert_int_equal(rc, 0);
        else
            assert_int_equal(rc, KN_ETRUNC);
    }
    kn_rtcp_sr sr;
    for (size_t n = 0; n < RTCP_SR_LEN; n++)
        assert_int_equal(kn_rtcp_sr_parse(rtcp_sr_sdes, n, &sr), KN_ETRUNC);
    kn_rtcp_rr rr;
    for (size_t n = 0; n < RTCP_RR_LEN; n++)
        assert_int_equal(kn_rtcp_rr_parse(rtcp_rr_remb, n, &rr), KN_ETRUNC);
}

static void rejects_corrupt_headers(void **state) {
    uint8_t b[sizeof(rtcp_sr_sdes)];
    kn_rtcp_sr sr;
    (void)state;
    memcpy(b, rtcp_sr_sdes, sizeof(b));
    b[RTCP_SR_LEN] = 0x41; /* version 1 in the second packet */
    assert_int_equal(kn_rtcp_validate(b, sizeof(b)), KN_EPROTO);
    memcpy(b, rtcp_sr_sdes, sizeof(b));
    b[1] = 96; /* an RTP payload type, not RTCP */
    assert_int_equal(kn_rtcp_validate(b, sizeof(b)), KN_EPROTO);
    memcpy(b, rtcp_sr_sdes, sizeof(b));
    b[3] = 0x0d; /* SR one word longer: the next "header" is the SDES chunk's SSRC */
    assert_int_equal(kn_rtcp_validate(b, sizeof(b)), KN_EPROTO);
    b[3] = 0x14; /* SR of 84 bytes in an 80-byte compound */
    assert_int_equal(kn_rtcp_validate(b, sizeof(b)), KN_ETRUNC);
    memcpy(b, rtcp_sr_sdes, sizeof(b));
    b[3] = 0x0b; /* SR one word shorter: its block runs past it */
    assert_int_equal(kn_rtcp_sr_parse(b, sizeof(b), &sr), KN_ETRUNC);
    memcpy(b, rtcp_sr_sdes, sizeof(b));
    b[0] = 0x82; /* RC=2 with one block */
    assert_int_equal(kn_rtcp_sr_parse(b, RTCP_SR_LEN, &sr), KN_ETRUNC);
    memcpy(b, rtcp_sr_sdes, sizeof(b));
    b[RTCP_SR_LEN] |= 0x20; /* P on the last packet, count byte is 0 */
    assert_int_equal(kn_rtcp_validate(b, sizeof(b)), KN_EPROTO);
    b[sizeof(b) - 1] = 25; /* more padding than the packet body (24) */
    assert_int_equal(kn_rtcp_validate(b, sizeof(b)), KN_EPROTO);
    b[sizeof(b) - 1] = 2; /* legal: the two zero bytes */
    assert_int_equal(kn_rtcp_validate(b, sizeof(b)), 0);
}

static void write_round_trip(void **state) {
    kn_rtcp_sr sr;
    kn_rtcp_rr rr;
    kn_rtcp_rb rb;
    uint8_t out[128];
    size_t n, m;
    (void)state;
    assert_int_equal(kn_rtcp_sr_parse(rtcp_sr_sdes, RTCP_SR_LEN, &sr), 0);
    kn_rtcp_rb_read(rtcp_sr_sdes + sr.rb_off, &rb);
    assert_int_equal(kn_rtcp_sr_write(&sr, &rb, 1, out, sizeof(out), &n), 0);
    assert_int_equal(
        kn_rtcp_sdes_write_cname(sr.ssrc, "Qx4yZ+abcdEFgh12", 16, out + n, sizeof(out) - n, &m), 0);
    assert_int_equal(n + m, sizeof(rtcp_sr_sdes));
    assert_memory_equal(out, rtcp_sr_sdes, sizeof(rtcp_sr_sdes));

    assert_int_equal(kn_rtcp_rr_parse(rtcp_rr_remb, RTCP_RR_LEN, &rr), 0);
    kn_rtcp_rb_read(rtcp_rr_remb + rr.rb_off, &rb);
    assert_int_equal(kn_rtcp_rr_write(rr.ssrc, &rb, 1, out, sizeof(out), &n), 0);
    assert_int_equal(n, RTCP_RR_LEN);
    assert_memory_equal(out, rtcp_rr_remb, RTCP_RR_LEN);
    assert_int_equal(kn_rtcp_rr_write(rr.ssrc, &rb, 1, out, RTCP_RR_LEN - 1, &n), KN_ELIMIT);
    rb.cumulative_lost = 0x800000;
    assert_int_equal(kn_rtcp_rr_write(rr.ssrc, &rb, 1, out, sizeof(out), &n), KN_EINVAL);
    rb.cumulative_lost = -0x800000;
    assert_int_equal(kn_rtcp_rr_write(rr.ssrc, &rb, 1, out, sizeof(out), &n), 0);
    kn_rtcp_rb_read(out + 8, &rb);
    assert_int_equal(rb.cumulative_lost, -0x800000);
    assert_int_equal(kn_rtcp_rr_write(1, NULL, 0, out, sizeof(out), &n), 0);
    assert_int_equal(n, 8);
    assert_memory_equal(out, "\x80\xc9\x00\x01\x00\x00\x00\x01", 8);
}

static void write_bye_and_sdes_edges(void **state) {
    const uint32_t ssrcs[2] = {0x1a2b3c4d, 0x11223344};
    uint8_t out[64];
    kn_rtcp_bye bye;
    size_t n;
    (void)state;
    assert_int_equal(kn_rtcp_bye_write(ssrcs, 2, out, sizeof(out), &n), 0);
    assert_int_equal(n, 12);
    assert_memory_equal(out, "\x82\xcb\x00\x02\x1a\x2b\x3c\x4d\x11\x22\x33\x44", 12);
    assert_int_equal(kn_rtcp_bye_parse(out, n, &bye), 0);
    assert_int_equal(bye.ssrc_count, 2);
    assert_int_equal(bye.reason_len, 0);
    /* A 2-byte CNAME: 2 + 2 + 1 null = 5, padded to 8. */
    assert_int_equal(kn_rtcp_sdes_write_cname(7, "ab", 2, out, sizeof(out), &n), 0);
    assert_int_equal(n, 16);
    assert_memory_equal(out,
                        "\x81\xca\x00\x03\x00\x00\x00\x07\x01\x02"
                        "ab\x00\x00\x00\x00",
                        16);
    assert_int_equal(kn_rtcp_sdes_write_cname(7, "ab", 0, out, sizeof(out), &n), KN_EINVAL);
    assert_int_equal(kn_rtcp_validate(out, 16), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(iterate_sr_sdes),
        cmocka_unit_test(parse_sr),
        cmocka_unit_test(parse_rr),
        cmocka_unit_test(parse_bye),
        cmocka_unit_test(padded_feedback_is_valid_last),
        cmocka_unit_test(other_types_pass_through),
        cmocka_unit_test(rejects_every_truncation),
        cmocka_unit_test(rejects_corrupt_headers),
        cmocka_unit_test(write_round_trip),
        cmocka_unit_test(write_bye_and_sdes_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
