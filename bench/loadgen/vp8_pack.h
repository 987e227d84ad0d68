/*
 * vp8_pack.h: splits one encoded VP8 frame into RTP payloads (RFC 7741 §4.1,
 * §4.2): each payload starts with a 4-byte descriptor (X=1, I=1, M=1: a 15-bit
 * picture id; S=1 and PID=0 on the first packet only), followed by at most
 * max_payload - 4 bytes of the frame, sizes balanced so the last packet is not a
 * sliver. Pure function over caller buffers; the load generator packetizes its
 * clip once at startup (clip.c) and rewrites the picture id on every send.
 */
#ifndef KN_VP8_PACK_H
#define KN_VP8_PACK_H

#include <stddef.h>
#include <stdint.h>

#define KN_VP8_PACK_DESC_LEN 4

/*
 * Writes the payloads one after another into out[0..cap); lens[i] is the length
 * of payload i (descriptor included). Returns 0 and *n,
 *   KN_EINVAL for an empty frame, max_payload <= 4 or picture_id > 0x7fff,
 *   KN_ELIMIT when more than max_pkts payloads are needed or out is too small.
 */
int kn_vp8_pack(const uint8_t *frame, size_t len, uint16_t picture_id, size_t max_payload,
                uint8_t *out, size_t cap, uint16_t *lens, size_t max_pkts, size_t *n);

#endif
