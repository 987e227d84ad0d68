/*
 * test_fwd_ext.c: extension block of a forwarded packet: publisher ids mapped to
 * the subscriber's, publisher mid/rid dropped, the consumer's own sdes:mid written
 * (also into packets without a block), every truncation and a too small buffer
 * rejected with the buffer unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "packets/rtp_chrome.h"
#include "net/pktbuf.h"
#include "router/fwd_ext.h"
#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"

/* Subscriber ids: 3 = abs-send-time, 5 = transport-cc, 1 = sdes:mid ("v0"). */
static uint8_t map[256];

static kn_fwd_ext fwd(uint8_t mid_id) {
    memset(map, 0, sizeof(map));
    map[2] = 3; /* abs-send-time */
    map[4] = 5; /* transport-cc */
    return (kn_fwd_ext){.map = map, .mid_id = mid_id, .mid_len = 2, .mid = "v0"};
}

/* rtp_vp8_key forwarded: mid "1" and rid "h" of the publisher gone, mid "v0" added. */
static const uint8_t vp8_key_fwd[] = {
    0x90, 0xe0, 0x1f, 0x4a, /* V=2 X=1 | M=1 PT=96 | seq=8010 (rewritten later) */
    0x00, 0x01, 0x5f, 0x90, /* timestamp=90000 */
    0x1a, 0x2b, 0x3c, 0x4d, /* SSRC */
    0xbe, 0xde, 0x00, 0x03, /* one-byte profile, 3 words */
    0x32, 0x12, 0x34, 0x56, /* id=3 L=2: abs-send-time */
    0x51, 0x00, 0x2a,       /* id=5 L=1: transport-cc seq=42 */
    0x11, 0x76, 0x30,       /* id=1 L=1: mid="v0" */
    0x00, 0x00,             /* padding */
    0x90, 0xe0, 0x80, 0x15, 0x07, 0x20, /* VP8 descriptor, unchanged */
    0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01,
};

/* rtp_vp8_delta (no block) forwarded: X set, a block with only the mid. */
static const uint8_t vp8_delta_fwd[] = {
    0x90, 0x60, 0x1f, 0x4b, /* V=2 X=1 | M=0 PT=96 | seq=8011 */
    0x00, 0x01, 0x6b, 0x48, /* timestamp=93000 */
    0x1a, 0x2b, 0x3c, 0x4d, /* SSRC */
    0xbe, 0xde, 0x00, 0x01, /* one-byte profile, 1 word */
    0x11, 0x76, 0x30, 0x00, /* id=1 L=1: mid="v0", padding */
    0xa1, 0xb0, 0x16, 0x85, 0x01, 0x02, 0x03, /* VP8, unchanged */
};

static void writes_consumer_mid_and_drops_publisher_mid_rid(void **state) {
    uint8_t buf[KN_PKTBUF_SLOT];
    size_t n = 0;
    (void)state;
    kn_fwd_ext f = fwd(1);
    memcpy(buf, rtp_vp8_key, sizeof(rtp_vp8_key));
    assert_int_equal(kn_fwd_ext_rewrite(&f, buf, sizeof(rtp_vp8_key), sizeof(buf), &n), 0);
    assert_int_equal(n, sizeof(vp8_key_fwd));
    assert_memory_equal(buf, vp8_key_fwd, n);
    /* What a receiver reads back. */
    kn_rtp r;
    kn_rtp_ext x;
    const char *s;
    size_t sl;
    assert_int_equal(kn_rtp_parse(buf, n, &r), 0);
    assert_int_equal(kn_rtp_ext_parse(buf, &r, &x), 0);
    assert_int_equal(x.count, 3);
    assert_int_equal(kn_rtp_ext_string(buf, kn_rtp_ext_find(&x, 1), &s, &sl), 0);
    assert_int_equal(sl, 2);
    assert_memory_equal(s, "v0", 2);
    assert_int_equal(r.payload_len, 16);
}

static void adds_a_block_to_a_packet_without_one(void **state) {
    uint8_t buf[KN_PKTBUF_SLOT];
    size_t n = 0;
    (void)state;
    kn_fwd_ext f = fwd(1);
    memcpy(buf, rtp_vp8_delta, sizeof(rtp_vp8_delta));
    assert_int_equal(kn_fwd_ext_rewrite(&f, buf, sizeof(rtp_vp8_delta), sizeof(buf), &n), 0);
    assert_int_equal(n, sizeof(vp8_delta_fwd));
    assert_memory_equal(buf, vp8_delta_fwd, n);
}

static void a_mapped_mid_element_is_replaced_not_doubled(void **state) {
    uint8_t buf[KN_PKTBUF_SLOT];
    size_t n = 0;
    (void)state;
    kn_fwd_ext f = fwd(1);
    map[9] = 1; /* publisher mid "1" would land on the subscriber's mid id */
    memcpy(buf, rtp_vp8_key, sizeof(rtp_vp8_key));
    assert_int_equal(kn_fwd_ext_rewrite(&f, buf, sizeof(rtp_vp8_key), sizeof(buf), &n), 0);
    assert_memory_equal(buf, vp8_key_fwd, sizeof(vp8_key_fwd));
}

/* rtp_vp8_delta (no block) to a subscriber with transport-cc id 5 and mid id 1:
 * the SFU's own transport-wide seq element (0 until the send path fills it). */
static const uint8_t vp8_delta_twcc[] = {
    0x90, 0x60, 0x1f, 0x4b, /* V=2 X=1 | M=0 PT=96 | seq=8011 */
    0x00, 0x01, 0x6b, 0x48, /* timestamp=93000 */
    0x1a, 0x2b, 0x3c, 0x4d, /* SSRC */
    0xbe, 0xde, 0x00, 0x02, /* one-byte profile, 2 words */
    0x11, 0x76, 0x30,       /* id=1 L=1: mid="v0" */
    0x51, 0x00, 0x00,       /* id=5 L=1: transport-cc seq=0 */
    0x00, 0x00,             /* padding */
    0xa1, 0xb0, 0x16, 0x85, 0x01, 0x02, 0x03, /* VP8, unchanged */
};

static void writes_own_twcc_element_once(void **state) {
    uint8_t buf[KN_PKTBUF_SLOT];
    size_t n = 0;
    kn_rtp r;
    kn_rtp_ext x;
    (void)state;
    kn_fwd_ext f = fwd(1);
    f.twcc_id = 5;
    memcpy(buf, rtp_vp8_delta, sizeof(rtp_vp8_delta));
    assert_int_equal(kn_fwd_ext_rewrite(&f, buf, sizeof(rtp_vp8_delta), sizeof(buf), &n), 0);
    assert_int_equal(n, sizeof(vp8_delta_twcc));
    assert_memory_equal(buf, vp8_delta_twcc, n);
    /* the publisher's transport-cc (mapped to 5) is replaced, not doubled */
    memcpy(buf, rtp_vp8_key, sizeof(rtp_vp8_key));
    assert_int_equal(kn_fwd_ext_rewrite(&f, buf, sizeof(rtp_vp8_key), sizeof(buf), &n), 0);
    assert_int_equal(kn_rtp_parse(buf, n, &r), 0);
    assert_int_equal(kn_rtp_ext_parse(buf, &r, &x), 0);
    assert_int_equal(x.count, 3); /* abs-send-time, mid, transport-cc */
    const kn_rtp_ext_elem *e = kn_rtp_ext_find(&x, 5);
    assert_non_null(e);
    assert_int_equal(e->len, 2);
    assert_int_equal(buf[e->off] | buf[e->off + 1], 0);
    /* without mid: still the own element */
    f = fwd(0);
    f.twcc_id = 5;
    memcpy(buf, rtp_vp8_delta, sizeof(rtp_vp8_delta));
    assert_int_equal(kn_fwd_ext_rewrite(&f, buf, sizeof(rtp_vp8_delta), sizeof(buf), &n), 0);
    assert_int_equal(kn_rtp_parse(buf, n, &r), 0);
    assert_int_equal(kn_rtp_ext_parse(buf, &r, &x), 0);
    assert_int_equal(x.count, 1);
    assert_non_null(kn_rtp_ext_find(&x, 5));
}

static void without_mid_it_is_the_plain_id_rewrite(void **state) {
    uint8_t a[KN_PKTBUF_SLOT], b[KN_PKTBUF_SLOT];
    size_t na = 0, nb = 0;
    (void)state;
    kn_fwd_ext f = fwd(0);
    memcpy(a, rtp_vp8_key, sizeof(rtp_vp8_key));
    memcpy(b, rtp_vp8_key, sizeof(rtp_vp8_key));
    assert_int_equal(kn_fwd_ext_rewrite(&f, a, sizeof(rtp_vp8_key), sizeof(a), &na), 0);
    assert_int_equal(kn_rtp_ext_rewrite(b, sizeof(rtp_vp8_key), sizeof(b), map, &nb), 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    /* A packet without a block stays as it is. */
    memcpy(a, rtp_vp8_delta, sizeof(rtp_vp8_delta));
    assert_int_equal(kn_fwd_ext_rewrite(&f, a, sizeof(rtp_vp8_delta), sizeof(a), &na), 0);
    assert_int_equal(na, sizeof(rtp_vp8_delta));
    assert_memory_equal(a, rtp_vp8_delta, na);
}

static void truncations_and_small_buffers_leave_the_packet_unchanged(void **state) {
    uint8_t buf[KN_PKTBUF_SLOT];
    size_t n;
    (void)state;
    kn_fwd_ext f = fwd(1);
    for (size_t len = 0; len < RTP_VP8_KEY_HDR_LEN; len++) {
        memcpy(buf, rtp_vp8_key, sizeof(rtp_vp8_key));
        assert_int_not_equal(kn_fwd_ext_rewrite(&f, buf, len, sizeof(buf), &n), 0);
        assert_memory_equal(buf, rtp_vp8_key, sizeof(rtp_vp8_key));
    }
    /* The delta packet grows by 8 bytes: one byte short of that fails. */
    memcpy(buf, rtp_vp8_delta, sizeof(rtp_vp8_delta));
    assert_int_equal(kn_fwd_ext_rewrite(&f, buf, sizeof(rtp_vp8_delta), sizeof(vp8_delta_fwd) - 1, &n),
                     KN_ELIMIT);
    assert_memory_equal(buf, rtp_vp8_delta, sizeof(rtp_vp8_delta));
    assert_int_equal(kn_fwd_ext_rewrite(&f, buf, sizeof(rtp_vp8_delta), sizeof(vp8_delta_fwd), &n), 0);
    assert_memory_equal(buf, vp8_delta_fwd, n);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_consumer_mid_and_drops_publisher_mid_rid),
        cmocka_unit_test(adds_a_block_to_a_packet_without_one),
        cmocka_unit_test(a_mapped_mid_element_is_replaced_not_doubled),
        cmocka_unit_test(writes_own_twcc_element_once),
        cmocka_unit_test(without_mid_it_is_the_plain_id_rewrite),
        cmocka_unit_test(truncations_and_small_buffers_leave_the_packet_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
