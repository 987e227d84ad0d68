/*
 * test_rtp_ext.c: RFC 8285 one-byte and two-byte header extensions: parsing,
 * value formats, writing a block and rewriting a packet's block by id map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "packets/rtp_chrome.h"
#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"

static void parse_ext(const uint8_t *p, size_t len, kn_rtp_ext *x) {
    kn_rtp r;
    assert_int_equal(kn_rtp_parse(p, len, &r), 0);
    assert_int_equal(kn_rtp_ext_parse(p, &r, x), 0);
}

static void one_byte_chrome_video(void **state) {
    kn_rtp_ext x;
    uint32_t ast;
    uint16_t seq;
    const char *s;
    size_t n;
    (void)state;
    parse_ext(rtp_vp8_key, sizeof(rtp_vp8_key), &x);
    assert_int_equal(x.form, KN_RTP_EXT_ONE_BYTE);
    assert_int_equal(x.count, 4);
    const uint8_t ids[] = {2, 4, 9, 10}, lens[] = {3, 2, 1, 1}, offs[] = {17, 21, 24, 26};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(x.elem[i].id, ids[i]);
        assert_int_equal(x.elem[i].len, lens[i]);
        assert_int_equal(x.elem[i].off, offs[i]);
    }
    assert_int_equal(kn_rtp_ext_abs_send_time(rtp_vp8_key, kn_rtp_ext_find(&x, 2), &ast), 0);
    assert_int_equal(ast, 0x123456);
    assert_int_equal(kn_rtp_ext_twcc_seq(rtp_vp8_key, kn_rtp_ext_find(&x, 4), &seq), 0);
    assert_int_equal(seq, 42);
    assert_int_equal(kn_rtp_ext_string(rtp_vp8_key, kn_rtp_ext_find(&x, 9), &s, &n), 0);
    assert_int_equal(n, 1);
    assert_memory_equal(s, "1", 1);
    assert_int_equal(kn_rtp_ext_string(rtp_vp8_key, kn_rtp_ext_find(&x, 10), &s, &n), 0);
    assert_memory_equal(s, "h", 1);
    assert_null(kn_rtp_ext_find(&x, 12));
    /* Formats reject the wrong element sizes. */
    assert_int_equal(kn_rtp_ext_twcc_seq(rtp_vp8_key, kn_rtp_ext_find(&x, 9), &seq), KN_EPROTO);
    assert_int_equal(kn_rtp_ext_abs_send_time(rtp_vp8_key, &x.elem[1], &ast), KN_EPROTO);
}

static void one_byte_chrome_audio(void **state) {
    kn_rtp_ext x;
    bool voice = false;
    uint8_t level = 0;
    uint16_t seq;
    (void)state;
    parse_ext(rtp_opus, sizeof(rtp_opus), &x);
    assert_int_equal(x.count, 3);
    assert_int_equal(kn_rtp_ext_audio_level(rtp_opus, kn_rtp_ext_find(&x, 12), &voice, &level), 0);
    assert_true(voice);
    assert_int_equal(level, 42);
    assert_int_equal(kn_rtp_ext_twcc_seq(rtp_opus, kn_rtp_ext_find(&x, 4), &seq), 0);
    assert_int_equal(seq, 256);
}

static void two_byte_form(void **state) {
    kn_rtp_ext x;
    (void)state;
    parse_ext(rtp_csrc_pad, sizeof(rtp_csrc_pad), &x);
    assert_int_equal(x.form, KN_RTP_EXT_TWO_BYTE);
    assert_int_equal(x.appbits, 0);
    assert_int_equal(x.count, 2);
    assert_int_equal(x.elem[0].id, 3);
    assert_int_equal(x.elem[0].len, 2);
    assert_int_equal(x.elem[0].off, 26);
    assert_int_equal(x.elem[1].id, 17);
    assert_int_equal(x.elem[1].len, 0);
    assert_int_equal(x.elem[1].off, 30);
}

static void no_extension_and_other_profile(void **state) {
    uint8_t b[64];
    kn_rtp_ext x;
    (void)state;
    parse_ext(rtp_vp8_delta, sizeof(rtp_vp8_delta), &x);
    assert_int_equal(x.form, KN_RTP_EXT_NONE);
    assert_int_equal(x.count, 0);
    memcpy(b, rtp_vp8_key, sizeof(rtp_vp8_key));
    b[12] = 0x12; /* profile 0x12de: RFC 3550 block of another profile */
    parse_ext(b, sizeof(rtp_vp8_key), &x);
    assert_int_equal(x.form, KN_RTP_EXT_OTHER);
    assert_int_equal(x.count, 0);
}

static void id15_stops_parsing(void **state) {
    uint8_t b[64];
    kn_rtp_ext x;
    (void)state;
    memcpy(b, rtp_vp8_key, sizeof(rtp_vp8_key));
    b[20] = 0xf1; /* the transport-cc element becomes id 15: stop here */
    parse_ext(b, sizeof(rtp_vp8_key), &x);
    assert_int_equal(x.count, 1);
    assert_int_equal(x.elem[0].id, 2);
}

static void rejects_overrun_and_too_many(void **state) {
    uint8_t b[64];
    kn_rtp r;
    kn_rtp_ext x;
    (void)state;
    memcpy(b, rtp_vp8_key, sizeof(rtp_vp8_key));
    b[25] = 0xa3; /* rid claims 4 bytes; the block has 2 left */
    assert_int_equal(kn_rtp_parse(b, sizeof(rtp_vp8_key), &r), 0);
    assert_int_equal(kn_rtp_ext_parse(b, &r, &x), KN_ETRUNC);
    memcpy(b, rtp_csrc_pad, sizeof(rtp_csrc_pad));
    b[29] = 0x03; /* id 17 claims 3 bytes; 2 left */
    assert_int_equal(kn_rtp_parse(b, sizeof(rtp_csrc_pad), &r), 0);
    assert_int_equal(kn_rtp_ext_parse(b, &r, &x), KN_ETRUNC);
    b[29] = 0x00;
    b[30] = 0x05; /* id 5 with its length byte missing */
    b[31] = 0x00;
    assert_int_equal(kn_rtp_ext_parse(b, &r, &x), 0); /* id 5 len 0 at the last byte pair */
    /* 17 one-byte elements of one byte each = 34 bytes, 9 words. */
    uint8_t many[12 + 4 + 36] = {0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 9};
    for (int i = 0; i < 17; i++) {
        many[16 + 2 * i] = 0x10; /* id 1 L=0 */
        many[17 + 2 * i] = (uint8_t)i;
    }
    assert_int_equal(kn_rtp_parse(many, sizeof(many), &r), 0);
    assert_int_equal(kn_rtp_ext_parse(many, &r, &x), KN_ELIMIT);
}

static void write_round_trip(void **state) {
    kn_rtp_ext x;
    kn_rtp_ext_src src[KN_RTP_EXT_MAX];
    uint8_t out[64];
    size_t n;
    (void)state;
    parse_ext(rtp_vp8_key, sizeof(rtp_vp8_key), &x);
    for (int i = 0; i < x.count; i++)
        src[i] = (kn_rtp_ext_src){x.elem[i].id, x.elem[i].len, rtp_vp8_key + x.elem[i].off};
    assert_int_equal(kn_rtp_ext_write(src, x.count, out, sizeof(out), &n), 0);
    assert_int_equal(n, 16);
    assert_memory_equal(out, rtp_vp8_key + 12, 16);
    assert_int_equal(kn_rtp_ext_write(src, x.count, out, 15, &n), KN_ELIMIT);

    parse_ext(rtp_csrc_pad, sizeof(rtp_csrc_pad), &x);
    for (int i = 0; i < x.count; i++)
        src[i] = (kn_rtp_ext_src){x.elem[i].id, x.elem[i].len, rtp_csrc_pad + x.elem[i].off};
    assert_int_equal(kn_rtp_ext_write(src, x.count, out, sizeof(out), &n), 0);
    assert_int_equal(n, 12);
    assert_memory_equal(out, rtp_csrc_pad + 20, 12);
}

static void write_chooses_form(void **state) {
    static const uint8_t data[17] = "0123456789abcdef";
    kn_rtp_ext_src one = {14, 16, data}, big = {3, 17, data}, zero = {5, 0, NULL};
    uint8_t out[64];
    size_t n;
    (void)state;
    assert_int_equal(kn_rtp_ext_write(&one, 1, out, sizeof(out), &n), 0);
    assert_int_equal(n, 4 + 20);
    assert_memory_equal(out, "\xbe\xde\x00\x05\xef", 5);
    assert_int_equal(kn_rtp_ext_write(&big, 1, out, sizeof(out), &n), 0);
    assert_int_equal(n, 4 + 20);
    assert_memory_equal(out, "\x10\x00\x00\x05\x03\x11", 6);
    assert_int_equal(out[23], 0);
    assert_int_equal(kn_rtp_ext_write(&zero, 1, out, sizeof(out), &n), 0);
    assert_memory_equal(out, "\x10\x00\x00\x01\x05\x00\x00\x00", 8);
    assert_int_equal(kn_rtp_ext_write(&zero, 0, out, sizeof(out), &n), 0);
    assert_int_equal(n, 0);
    kn_rtp_ext_src bad = {0, 1, data};
    assert_int_equal(kn_rtp_ext_write(&bad, 1, out, sizeof(out), &n), KN_EINVAL);
}

/* Chrome's ids to a receiver that negotiated abs-send-time 3, twcc 5, mid 1, no rid. */
static const uint8_t rewritten_vp8_key[] = {
    0x90, 0xe0, 0x1f, 0x4a, /* unchanged fixed header */
    0x00, 0x01, 0x5f, 0x90, /* timestamp */
    0x1a, 0x2b, 0x3c, 0x4d, /* SSRC */
    0xbe, 0xde, 0x00, 0x03, /* 3 words: 4 + 3 + 2 = 9 bytes + 3 padding */
    0x32, 0x12, 0x34, 0x56, /* id=3 abs-send-time */
    0x51, 0x00, 0x2a,       /* id=5 transport-cc */
    0x10, 0x31,             /* id=1 mid="1" */
    0x00, 0x00, 0x00,       /* padding */
    0x90, 0xe0, 0x80, 0x15, /* unchanged VP8 payload from here */
    0x07, 0x20, 0x50, 0x42, /* TL0PICIDX, TID/Y, frame tag */
    0x00, 0x9d, 0x01, 0x2a, /* frame tag, start code */
    0x80, 0x02, 0xe0, 0x01, /* 640x480 */
};

static void rewrite_maps_and_drops(void **state) {
    uint8_t map[256] = {0}, b[128];
    size_t n;
    (void)state;
    map[2] = 3;
    map[4] = 5;
    map[9] = 1;
    memcpy(b, rtp_vp8_key, sizeof(rtp_vp8_key));
    assert_int_equal(kn_rtp_ext_rewrite(b, sizeof(rtp_vp8_key), sizeof(b), map, &n), 0);
    assert_int_equal(n, sizeof(rewritten_vp8_key));
    assert_memory_equal(b, rewritten_vp8_key, n);
}

static void rewrite_grows_to_two_byte(void **state) {
    uint8_t map[256] = {0}, b[128];
    kn_rtp r;
    kn_rtp_ext x;
    size_t n;
    (void)state;
    for (int i = 1; i < 15; i++)
        map[i] = (uint8_t)i;
    map[9] = 200;
    memcpy(b, rtp_vp8_key, sizeof(rtp_vp8_key));
    assert_int_equal(kn_rtp_ext_rewrite(b, sizeof(rtp_vp8_key), sizeof(b), map, &n), 0);
    /* 4 elements: 2 + 4 header bytes each side of 7 data bytes = 15, padded to 16 */
    assert_int_equal(n, sizeof(rtp_vp8_key) + 4);
    assert_true(n <= sizeof(rtp_vp8_key) + KN_RTP_EXT_REWRITE_GROWTH);
    assert_int_equal(kn_rtp_parse(b, n, &r), 0);
    assert_int_equal(kn_rtp_ext_parse(b, &r, &x), 0);
    assert_int_equal(x.form, KN_RTP_EXT_TWO_BYTE);
    assert_int_equal(x.count, 4);
    assert_int_equal(x.elem[2].id, 200);
    assert_int_equal(b[x.elem[2].off], '1');
    assert_memory_equal(b + r.payload_off, rtp_vp8_key + RTP_VP8_KEY_HDR_LEN,
                        sizeof(rtp_vp8_key) - RTP_VP8_KEY_HDR_LEN);
    /* Not enough room: fails and leaves the buffer alone. */
    memcpy(b, rtp_vp8_key, sizeof(rtp_vp8_key));
    assert_int_equal(kn_rtp_ext_rewrite(b, sizeof(rtp_vp8_key), sizeof(rtp_vp8_key) + 3, map, &n),
                     KN_ELIMIT);
    assert_memory_equal(b, rtp_vp8_key, sizeof(rtp_vp8_key));
}

static void rewrite_drops_all_keeps_padding(void **state) {
    uint8_t map[256] = {0}, b[64];
    kn_rtp r;
    size_t n;
    (void)state;
    memcpy(b, rtp_csrc_pad, sizeof(rtp_csrc_pad));
    assert_int_equal(kn_rtp_ext_rewrite(b, sizeof(rtp_csrc_pad), sizeof(b), map, &n), 0);
    assert_int_equal(n, sizeof(rtp_csrc_pad) - 12);
    assert_int_equal(kn_rtp_parse(b, n, &r), 0);
    assert_false(r.extension);
    assert_int_equal(r.payload_off, 20);
    assert_int_equal(r.payload_len, 4);
    assert_int_equal(r.pad_len, 3);
    assert_memory_equal(b + 20, rtp_csrc_pad + 32, 7);
    /* Without an extension block nothing changes. */
    memcpy(b, rtp_vp8_delta, sizeof(rtp_vp8_delta));
    assert_int_equal(kn_rtp_ext_rewrite(b, sizeof(rtp_vp8_delta), sizeof(b), map, &n), 0);
    assert_int_equal(n, sizeof(rtp_vp8_delta));
    assert_memory_equal(b, rtp_vp8_delta, n);
}

static void set_values_in_place(void **state) {
    uint8_t b[64];
    kn_rtp_ext x;
    uint16_t seq;
    uint32_t ast;
    (void)state;
    memcpy(b, rtp_vp8_key, sizeof(rtp_vp8_key));
    parse_ext(b, sizeof(rtp_vp8_key), &x);
    assert_int_equal(kn_rtp_ext_set_twcc_seq(b, kn_rtp_ext_find(&x, 4), 0xbeef), 0);
    assert_int_equal(kn_rtp_ext_set_abs_send_time(b, kn_rtp_ext_find(&x, 2), 0xff654321), 0);
    assert_int_equal(kn_rtp_ext_twcc_seq(b, kn_rtp_ext_find(&x, 4), &seq), 0);
    assert_int_equal(seq, 0xbeef);
    assert_int_equal(kn_rtp_ext_abs_send_time(b, kn_rtp_ext_find(&x, 2), &ast), 0);
    assert_int_equal(ast, 0x654321);
    assert_int_equal(b[16], 0x22);
    assert_int_equal(b[23], 0x90);
    assert_int_equal(kn_rtp_ext_set_twcc_seq(b, kn_rtp_ext_find(&x, 2), 1), KN_EPROTO);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_byte_chrome_video),
        cmocka_unit_test(one_byte_chrome_audio),
        cmocka_unit_test(two_byte_form),
        cmocka_unit_test(no_extension_and_other_profile),
        cmocka_unit_test(id15_stops_parsing),
        cmocka_unit_test(rejects_overrun_and_too_many),
        cmocka_unit_test(write_round_trip),
        cmocka_unit_test(write_chooses_form),
        cmocka_unit_test(rewrite_maps_and_drops),
        cmocka_unit_test(rewrite_grows_to_two_byte),
        cmocka_unit_test(rewrite_drops_all_keeps_padding),
        cmocka_unit_test(set_values_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
