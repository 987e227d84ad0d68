/*
 * fuzz_rtcp_fb.c: libFuzzer target for RTCP feedback parsers over every packet
 * of a compound: NACK, PLI, FIR, REMB and transport-wide CC. TWCC feedback and
 * REMB are written back and must parse to the same values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/rtcp.h"
#include "rtp/rtcp_fb.h"

static kn_twcc_status st[65536], st2[65536];
static uint8_t out[16 + 8 + 65536 * 4];

static void check_twcc(const uint8_t *p, size_t len) {
    kn_twcc h, h2;
    size_t n, n2, olen;

    if (kn_twcc_parse(p, len, &h, st, 65536, &n) != 0)
        return;
    if (kn_twcc_write(&h, st, n, out, sizeof(out), &olen) != 0)
        abort();
    if (kn_twcc_parse(out, olen, &h2, st2, 65536, &n2) != 0 || n2 != n ||
        h2.base_seq != h.base_seq || h2.ref_time != h.ref_time || h2.fb_count != h.fb_count)
        abort();
    for (size_t i = 0; i < n; i++)
        if (st2[i].status != st[i].status || st2[i].delta_us != st[i].delta_us)
            abort();
}

static void check_remb(const uint8_t *p, size_t len) {
    kn_rtcp_remb r, r2;
    uint32_t ssrcs[255];
    uint8_t buf[12 + 8 + 255 * 4];
    size_t n;

    if (kn_rtcp_remb_parse(p, len, &r) != 0)
        return;
    for (uint8_t i = 0; i < r.ssrc_count; i++) {
        const uint8_t *s = p + r.ssrcs_off + 4 * (size_t)i;
        ssrcs[i] = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
    }
    if (kn_rtcp_remb_write(r.sender_ssrc, r.bitrate, ssrcs, r.ssrc_count, buf, sizeof(buf), &n) !=
            0 ||
        kn_rtcp_remb_parse(buf, n, &r2) != 0 || r2.bitrate != r.bitrate ||
        r2.ssrc_count != r.ssrc_count)
        abort();
}

static void check_one(const uint8_t *p, size_t len) {
    static uint16_t seqs[4096];
    kn_rtcp_fir_entry fir[64];
    kn_rtcp_fb fb;
    size_t n;

    (void)kn_rtcp_fb_parse(p, len, &fb);
    if (kn_rtcp_nack_parse(p, len, &fb, seqs, 4096, &n) == 0 && n > 0) {
        uint8_t buf[12 + 4096 * 4];
        size_t w;
        (void)kn_rtcp_nack_write(fb.sender_ssrc, fb.media_ssrc, seqs, n, buf, sizeof(buf), &w);
    }
    (void)kn_rtcp_pli_parse(p, len, &fb);
    (void)kn_rtcp_fir_parse(p, len, &fb, fir, 64, &n);
    check_remb(p, len);
    check_twcc(p, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kn_rtcp_iter it;
    kn_rtcp_pkt pkt;

    check_one(data, size); /* a lone packet, whatever the length says */
    kn_rtcp_iter_init(&it, data, size);
    while (kn_rtcp_iter_next(&it, &pkt) == 0)
        check_one(data + pkt.off, pkt.len);
    return 0;
}
