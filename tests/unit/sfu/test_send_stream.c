/* test_send_stream.c: retransmission records, plain and RFC 4588 RTX forms, SR values
 * and RTT from a report block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"
#include "router/send_stream.h"
#include "rtp/rtp.h"

/* A forwarded VP8 packet as the consumer rebuilt it. */
static const uint8_t pkt[] = {
    0x80, 0x60, 0x12, 0x34, /* V=2 | M=0 PT=96 | seq=0x1234 */
    0x00, 0x00, 0x10, 0x00, /* timestamp=4096 */
    0xaa, 0xbb, 0xcc, 0xdd, /* SSRC */
    0x90, 0x80, 0x15, 0x01, /* VP8 descriptor + 1 byte */
};

static void records_by_sent_seq(void **state) {
    kn_send_stream s;
    (void)state;
    kn_send_stream_init(&s, 0xaabbccdd, 0, 0, 90000);
    kn_send_rec r = {.seq = 0x1234, .orig_seq = 77, .ts = 4096, .enc = 2, .vp8 = true,
                     .pic_id = 0x1515, .tl0 = 9};
    kn_send_stream_record(&s, &r);
    const kn_send_rec *f = kn_send_stream_find(&s, 0x1234);
    assert_non_null(f);
    assert_int_equal(f->orig_seq, 77);
    assert_int_equal(f->enc, 2);
    assert_int_equal(f->pic_id, 0x1515);
    assert_null(kn_send_stream_find(&s, 0x1235));
    /* the same ring index with a newer seq replaces the old record */
    r.seq = (uint16_t)(0x1234 + KN_SEND_RING);
    kn_send_stream_record(&s, &r);
    assert_null(kn_send_stream_find(&s, 0x1234));
    assert_non_null(kn_send_stream_find(&s, r.seq));
}

static void plain_retransmission_unchanged(void **state) {
    kn_send_stream s;
    uint8_t out[KN_PKTBUF_SLOT];
    size_t len = sizeof(pkt);
    (void)state;
    kn_send_stream_init(&s, 0xaabbccdd, 0, 0, 90000);
    memcpy(out, pkt, sizeof(pkt));
    assert_int_equal(kn_send_stream_retransmit(&s, 0x1234, out, &len, sizeof(out)), 0);
    assert_int_equal(len, sizeof(pkt));
    assert_memory_equal(out, pkt, sizeof(pkt));
    assert_int_equal(s.rtx_sent, 1);
    len = 5;
    assert_int_equal(kn_send_stream_retransmit(&s, 0x1234, out, &len, sizeof(out)), KN_ETRUNC);
}

static void rtx_retransmission_carries_osn(void **state) {
    kn_send_stream s;
    uint8_t out[KN_PKTBUF_SLOT];
    size_t len = sizeof(pkt);
    kn_rtp rtp;
    (void)state;
    kn_send_stream_init(&s, 0xaabbccdd, 0x01020304, 97, 90000);
    memcpy(out, pkt, sizeof(pkt));
    assert_int_equal(kn_send_stream_retransmit(&s, 0x1234, out, &len, sizeof(out)), 0);
    assert_int_equal(len, sizeof(pkt) + 2);
    assert_int_equal(kn_rtp_parse(out, len, &rtp), 0);
    assert_int_equal(rtp.ssrc, 0x01020304);
    assert_int_equal(rtp.pt, 97);
    assert_int_equal(rtp.ts, 4096);
    assert_int_equal(out[12], 0x12); /* OSN = original seq (RFC 4588 §4) */
    assert_int_equal(out[13], 0x34);
    assert_memory_equal(out + 14, pkt + 12, 4);
    uint16_t first = rtp.seq;
    memcpy(out, pkt, sizeof(pkt));
    len = sizeof(pkt);
    assert_int_equal(kn_send_stream_retransmit(&s, 0x1234, out, &len, sizeof(out)), 0);
    assert_int_equal(kn_rtp_parse(out, len, &rtp), 0);
    assert_int_equal(rtp.seq, (uint16_t)(first + 1)); /* RTX has its own sequence */
    assert_int_equal(s.rtx_sent, 2);
    len = sizeof(pkt);
    assert_int_equal(kn_send_stream_retransmit(&s, 0x1234, out, &len, sizeof(pkt) + 1),
                     KN_ELIMIT);
}

static void sender_report_and_rtt(void **state) {
    kn_send_stream s;
    kn_rtcp_sr sr;
    kn_rtcp_rb rb = {0};
    (void)state;
    kn_send_stream_init(&s, 7, 0, 0, 90000);
    kn_send_stream_on_sent(&s, 90000, 1000, 1000);
    kn_send_stream_on_sent(&s, 93000, 500, 1033);
    kn_send_stream_fill_sr(&s, 0x1234567800000000ull, 1133, &sr);
    assert_int_equal(sr.ssrc, 7);
    assert_int_equal(sr.packet_count, 2);
    assert_int_equal(sr.octet_count, 1500);
    assert_int_equal(sr.rtp_ts, 93000 + 9000); /* 100 ms later on a 90 kHz clock */
    /* LSR at NTP t, DLSR 0.5 s, report arrives at t + 0.52 s: RTT 20 ms */
    uint64_t t = 0x0000100000000000ull;
    rb.lsr = (uint32_t)(t >> 16);
    rb.dlsr = 32768;
    kn_send_stream_on_rb(&s, &rb, t + (uint64_t)(0.52 * 4294967296.0));
    assert_true(s.rtt_valid);
    assert_in_range(s.rtt_ms, 19, 20);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_by_sent_seq),
        cmocka_unit_test(plain_retransmission_unchanged),
        cmocka_unit_test(rtx_retransmission_carries_osn),
        cmocka_unit_test(sender_report_and_rtt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
