/*
 * fuzz_rtcp.c: libFuzzer target for compound RTCP validation and iteration
 * and the SR / RR / BYE parsers; SRs and RRs are written back and compared.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "rtp/rtcp.h"

static void check_reports(const uint8_t *p, size_t len) {
    kn_rtcp_rb rb[KN_RTCP_MAX_RB];
    uint8_t out[28 + KN_RTCP_MAX_RB * KN_RTCP_RB_LEN];
    kn_rtcp_sr sr, sr2;
    kn_rtcp_rr rr;
    size_t n;

    if (kn_rtcp_sr_parse(p, len, &sr) == 0) {
        for (uint8_t i = 0; i < sr.rb_count; i++)
            kn_rtcp_rb_read(p + sr.rb_off + 24 * (size_t)i, &rb[i]);
        if (kn_rtcp_sr_write(&sr, rb, sr.rb_count, out, sizeof(out), &n) != 0 ||
            kn_rtcp_sr_parse(out, n, &sr2) != 0 || sr2.ntp != sr.ntp || sr2.ssrc != sr.ssrc ||
            memcmp(out + 4, p + 4, n - 4) != 0)
            abort();
    }
    if (kn_rtcp_rr_parse(p, len, &rr) == 0) {
        for (uint8_t i = 0; i < rr.rb_count; i++)
            kn_rtcp_rb_read(p + rr.rb_off + 24 * (size_t)i, &rb[i]);
        if (kn_rtcp_rr_write(rr.ssrc, rb, rr.rb_count, out, sizeof(out), &n) != 0 ||
            memcmp(out + 4, p + 4, n - 4) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kn_rtcp_iter it;
    kn_rtcp_pkt pkt;
    kn_rtcp_bye bye;
    int valid = kn_rtcp_validate(data, size) == 0, rc;
    size_t total = 0;

    kn_rtcp_iter_init(&it, data, size);
    while ((rc = kn_rtcp_iter_next(&it, &pkt)) == 0) {
        if (pkt.off != total || pkt.len < 4 || pkt.pad_len >= pkt.len)
            abort();
        total += pkt.len;
        check_reports(data + pkt.off, pkt.len);
        (void)kn_rtcp_bye_parse(data + pkt.off, pkt.len, &bye);
    }
    if (valid != (rc == KN_ENOENT && total == size && size >= 4))
        abort();
    return 0;
}
