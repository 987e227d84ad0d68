/* test_send_stream.c: the retransmission ring (plain and RFC 4588 RTX), SR values
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

/* A forwarded VP8 packet as the consumer stores it. */
static const uint8_t pkt[] = {
    0x80, 0x60, 0x12, 0x34, /* V=2 | M=0 PT=96 | seq=0x1234 */
    0x00, 0x00, 0x10, 0x00, /* timestamp=4096 */
    0xaa, 0xbb, 0xcc, 0xdd, /* SSRC */
    0x90, 0x80, 0x15, 0x01, /* VP8 descriptor + 1 byte */
};

static void store(kn_send_stream *s, kn_pktbuf_pool *pool, uint16_t seq) {
    kn_pktbuf *b = kn_pktbuf_get(pool);
    assert_non_null(b);
    memcpy(b->data, pkt, sizeof(pkt));
    kn_rtp_set_seq(b->data, seq);
    b->len = sizeof(pkt);
    kn_send_stream_store(s, seq, b);
    kn_pktbuf_unref(pool, b); /* the ring holds the only reference now */
}

static void plain_retransmission_from_ring(void **state) {
    kn_pktbuf_pool pool;
    kn_send_stream s;
    uint8_t out[KN_PKTBUF_SLOT];
    size_t len;
    (void)state;
    assert_int_equal(kn_pktbuf_pool_init(&pool, 8), 0);
    kn_send_stream_init(&s, &pool, 0xaabbccdd, 0, 0, 90000);
    store(&s, &pool, 0x1234);
    assert_int_equal(pool.in_use, 1);
    assert_int_equal(kn_send_stream_retransmit(&s, 0x1234, out, sizeof(out), &len), 0);
    assert_int_equal(len, sizeof(pkt));
    assert_memory_equal(out, pkt, sizeof(pkt));
    assert_int_equal(kn_send_stream_retransmit(&s, 0x1235, out, sizeof(out), &len), KN_ENOENT);
    /* the same ring index with a newer seq replaces (and frees) the old slot */
    store(&s, &pool, (uint16_t)(0x1234 + KN_SEND_RING));
    assert_int_equal(pool.in_use, 1);
    assert_int_equal(kn_send_stream_retransmit(&s, 0x1234, out, sizeof(out), &len), KN_ENOENT);
    kn_send_stream_close(&s);
    assert_int_equal(pool.in_use, 0);
    kn_pktbuf_pool_close(&pool);
}

static void rtx_retransmission_carries_osn(void **state) {
    kn_pktbuf_pool pool;
    kn_send_stream s;
    uint8_t out[KN_PKTBUF_SLOT];
    size_t len;
    kn_rtp rtp;
    (void)state;
    assert_int_equal(kn_pktbuf_pool_init(&pool, 8), 0);
    kn_send_stream_init(&s, &pool, 0xaabbccdd, 0x01020304, 97, 90000);
    store(&s, &pool, 0x1234);
    assert_int_equal(kn_send_stream_retransmit(&s, 0x1234, out, sizeof(out), &len), 0);
    assert_int_equal(len, sizeof(pkt) + 2);
    assert_int_equal(kn_rtp_parse(out, len, &rtp), 0);
    assert_int_equal(rtp.ssrc, 0x01020304);
    assert_int_equal(rtp.pt, 97);
    assert_int_equal(rtp.ts, 4096);
    assert_int_equal(out[12], 0x12); /* OSN = original seq (RFC 4588 §4) */
    assert_int_equal(out[13], 0x34);
    assert_memory_equal(out + 14, pkt + 12, 4);
    uint16_t first = rtp.seq;
    assert_int_equal(kn_send_stream_retransmit(&s, 0x1234, out, sizeof(out), &len), 0);
    assert_int_equal(kn_rtp_parse(out, len, &rtp), 0);
    assert_int_equal(rtp.seq, (uint16_t)(first + 1)); /* RTX has its own sequence */
    assert_int_equal(s.rtx_sent, 2);
    kn_send_stream_close(&s);
    kn_pktbuf_pool_close(&pool);
}

static void sender_report_and_rtt(void **state) {
    kn_send_stream s;
    kn_rtcp_sr sr;
    kn_rtcp_rb rb = {0};
    (void)state;
    kn_send_stream_init(&s, NULL, 7, 0, 0, 90000);
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
        cmocka_unit_test(plain_retransmission_from_ring),
        cmocka_unit_test(rtx_retransmission_carries_osn),
        cmocka_unit_test(sender_report_and_rtt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
