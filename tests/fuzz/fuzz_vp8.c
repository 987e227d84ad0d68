/*
 * fuzz_vp8.c: libFuzzer target for the VP8 payload descriptor: parse, write
 * back (same fields and length), and in-place picture id / TL0PICIDX rewrites.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/vp8.h"

static void check_rewrite(const uint8_t *data, size_t size, const kn_vp8 *d) {
    uint8_t *b = malloc(size);
    kn_vp8 e;

    if (b == NULL)
        return;
    memcpy(b, data, size);
    (void)kn_vp8_set_picture_id(b, d, (uint16_t)(d->picture_id + 1));
    (void)kn_vp8_set_tl0picidx(b, d, (uint8_t)(d->tl0picidx + 1));
    if (kn_vp8_parse(b, size, &e) != 0 || e.hdr_len != d->hdr_len ||
        (d->l && e.tl0picidx != (uint8_t)(d->tl0picidx + 1)) ||
        (d->i && e.picture_id != ((d->picture_id + 1) & (d->m ? 0x7fff : 0x7f))))
        abort();
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t out[8];
    kn_vp8 d, e;
    size_t n;

    if (kn_vp8_parse(data, size, &d) != 0)
        return 0;
    if (kn_vp8_write(&d, out, sizeof(out), &n) != 0 || n != d.hdr_len)
        abort();
    /* Reserved bits are not kept, so compare fields rather than bytes. */
    out[n] = data[n];
    if (kn_vp8_parse(out, n + 1, &e) != 0 || e.picture_id != d.picture_id ||
        e.tl0picidx != d.tl0picidx || e.tid != d.tid || e.keyidx != d.keyidx ||
        e.keyframe != d.keyframe)
        abort();
    check_rewrite(data, size, &d);
    return 0;
}
