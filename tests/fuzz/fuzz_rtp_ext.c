/*
 * fuzz_rtp_ext.c: libFuzzer target for RFC 8285 extension parsing, the value
 * helpers, the block writer (parse → write → parse gives the same elements)
 * and kn_rtp_ext_rewrite (grows at most KN_RTP_EXT_REWRITE_GROWTH; the
 * result parses and keeps the payload).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"

static void touch_values(const uint8_t *p, const kn_rtp_ext *x) {
    for (uint8_t i = 0; i < x->count; i++) {
        const kn_rtp_ext_elem *e = &x->elem[i];
        uint16_t seq;
        uint32_t ast;
        bool v;
        uint8_t level;
        const char *s;
        size_t n;
        (void)kn_rtp_ext_twcc_seq(p, e, &seq);
        (void)kn_rtp_ext_abs_send_time(p, e, &ast);
        (void)kn_rtp_ext_audio_level(p, e, &v, &level);
        (void)kn_rtp_ext_string(p, e, &s, &n);
        if (kn_rtp_ext_find(x, e->id) == NULL)
            abort();
    }
}

static void check_write(const uint8_t *p, const kn_rtp_ext *x) {
    kn_rtp_ext_src src[KN_RTP_EXT_MAX];
    uint8_t block[KN_RTP_EXT_BLOCK_MAX + KN_RTP_HDR_LEN];
    size_t n;

    for (uint8_t i = 0; i < x->count; i++)
        src[i] = (kn_rtp_ext_src){x->elem[i].id, x->elem[i].len, p + x->elem[i].off};
    /* A fake 12-byte RTP header in front lets the block be parsed back. */
    memcpy(block, "\x90\x60\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", KN_RTP_HDR_LEN);
    if (kn_rtp_ext_write(src, x->count, block + KN_RTP_HDR_LEN, KN_RTP_EXT_BLOCK_MAX, &n) != 0)
        abort();
    if (n == 0)
        return;
    kn_rtp r;
    kn_rtp_ext back;
    if (kn_rtp_parse(block, KN_RTP_HDR_LEN + n, &r) != 0 || kn_rtp_ext_parse(block, &r, &back) != 0)
        abort();
    if (back.count != x->count)
        abort();
    for (uint8_t i = 0; i < x->count; i++)
        if (back.elem[i].id != x->elem[i].id || back.elem[i].len != x->elem[i].len ||
            memcmp(block + back.elem[i].off, p + x->elem[i].off, x->elem[i].len) != 0)
            abort();
}

static void check_rewrite(const uint8_t *data, size_t size, const kn_rtp *r) {
    uint8_t map[256];
    size_t cap = size + 2 * KN_RTP_EXT_REWRITE_GROWTH, n;

    /* A map that drops some ids, keeps some and moves others past 14. */
    for (int i = 0; i < 256; i++)
        map[i] = (uint8_t)((i % 3 == 0) ? 0 : (i * (r->seq | 1) + r->seq) & 0xff);
    uint8_t *buf = malloc(cap);
    if (buf == NULL)
        return;
    memcpy(buf, data, size);
    if (kn_rtp_ext_rewrite(buf, size, cap, map, &n) == 0) {
        kn_rtp back;
        if (n > size + KN_RTP_EXT_REWRITE_GROWTH || kn_rtp_parse(buf, n, &back) != 0 ||
            back.payload_len != r->payload_len ||
            memcmp(buf + back.payload_off, data + r->payload_off, r->payload_len) != 0)
            abort();
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kn_rtp r;
    kn_rtp_ext x;

    if (kn_rtp_parse(data, size, &r) != 0)
        return 0;
    if (kn_rtp_ext_parse(data, &r, &x) == 0) {
        touch_values(data, &x);
        check_write(data, &x);
    }
    check_rewrite(data, size, &r);
    return 0;
}
