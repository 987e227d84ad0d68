/*
 * vp8_pack.c: VP8 frame → RTP payloads with the RFC 7741 descriptor (see
 * vp8_pack.h). Uses kn_vp8_write from sfu/rtp/vp8.h for the descriptor bytes.
 */
#include "vp8_pack.h"

#include <string.h>

#include "core/err.h"
#include "rtp/vp8.h"

static int write_desc(uint16_t picture_id, int first, uint8_t *buf, size_t cap) {
    kn_vp8 d;
    size_t n;
    memset(&d, 0, sizeof(d));
    d.x = true;
    d.s = first != 0;
    d.i = true;
    d.m = true;
    d.picture_id = picture_id;
    int rc = kn_vp8_write(&d, buf, cap, &n);
    if (rc == 0 && n != KN_VP8_PACK_DESC_LEN)
        rc = KN_EPROTO;
    return rc;
}

int kn_vp8_pack(const uint8_t *frame, size_t len, uint16_t picture_id, size_t max_payload,
                uint8_t *out, size_t cap, uint16_t *lens, size_t max_pkts, size_t *n) {
    if (len == 0 || max_payload <= KN_VP8_PACK_DESC_LEN || picture_id > 0x7fff)
        return KN_EINVAL;
    size_t room = max_payload - KN_VP8_PACK_DESC_LEN;
    size_t count = (len + room - 1) / room;
    if (count > max_pkts || len + count * KN_VP8_PACK_DESC_LEN > cap)
        return KN_ELIMIT;
    size_t off = 0, pos = 0;
    for (size_t i = 0; i < count; i++) {
        size_t chunk = (len - off) / (count - i); /* balanced: sizes differ by <= 1 */
        if ((len - off) % (count - i))
            chunk++;
        int rc = write_desc(picture_id, i == 0, out + pos, cap - pos);
        if (rc != 0)
            return rc;
        memcpy(out + pos + KN_VP8_PACK_DESC_LEN, frame + off, chunk);
        lens[i] = (uint16_t)(KN_VP8_PACK_DESC_LEN + chunk);
        pos += lens[i];
        off += chunk;
    }
    *n = count;
    return 0;
}
