/*
 * fuzz_rtp.c: libFuzzer target for kn_rtp_parse, the RFC 5761/7983 demux
 * helpers and the fixed-header writer; checks the parse's offsets add up and
 * that a written header parses back to the same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/demux.h"
#include "rtp/rtp.h"

static void check_write(const kn_rtp *r, const uint8_t *data) {
    uint8_t out[KN_RTP_HDR_LEN + 4];
    kn_rtp back;
    size_t n;

    if (kn_rtp_write(r, out, sizeof(out), &n) != 0)
        return;
    /* Give the P bit its count byte, the X bit an empty block. */
    size_t len = n;
    if (r->extension) {
        memset(out + len, 0, 4);
        len += 4;
    }
    if (r->padding) {
        if (r->extension)
            return;
        out[len++] = 1;
    }
    if (kn_rtp_parse(out, len, &back) != 0 || back.seq != r->seq || back.ts != r->ts ||
        back.ssrc != r->ssrc || back.pt != r->pt || back.marker != r->marker)
        abort();
    if (memcmp(out + 1, data + 1, 11) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kn_rtp r;

    (void)kn_demux_classify(data, size);
    (void)kn_rtp_is_rtcp(data, size);
    if (kn_rtp_parse(data, size, &r) != 0)
        return 0;
    if (r.payload_off + r.payload_len + r.pad_len != size || r.header_len != r.payload_off)
        abort();
    if (r.extension && r.ext_off + r.ext_len != r.header_len)
        abort();
    if (r.csrc_count == 0)
        check_write(&r, data);
    return 0;
}
