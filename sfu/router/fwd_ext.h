/*
 * fwd_ext.h: the header extension block of a forwarded packet. Maps the
 * publisher's extension ids to the subscriber's (kn_rtp_ext_rewrite) and,
 * when the subscriber negotiated sdes:mid, writes the consumer's own mid
 * (RFC 8843 §15: libwebrtc demuxes by MID before SSRC when the SSRC was not
 * signaled), and a transport-wide sequence number element when it negotiated
 * transport-cc (the SFU numbers what it sends itself). Pure function over caller bytes; allocates nothing.
 */
#ifndef KN_FWD_EXT_H
#define KN_FWD_EXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct kn_fwd_ext {
    const uint8_t *map; /* 256 entries: publisher id → subscriber id, 0 = drop */
    uint8_t mid_id;     /* subscriber's sdes:mid id, 0 = not negotiated */
    uint8_t mid_len;    /* 1..16 */
    const char *mid;    /* the consumer's mid (not NUL-terminated in the packet) */
    uint8_t twcc_id;    /* subscriber's transport-cc id, 0 = not negotiated */
} kn_fwd_ext;

/*
 * Rewrites the RTP packet in buf[0..len) for a subscriber: every element with id
 * i becomes map[i] or is dropped when map[i] == 0; any element the map sends to
 * mid_id is replaced by the consumer's mid, which is added (setting X) even to a
 * packet that had no extension block. With twcc_id, a 2-byte transport-wide
 * sequence element (value 0, for the sender to fill) is written the same way,
 * replacing any mapped one. Without mid_id and twcc_id this is
 * kn_rtp_ext_rewrite.
 * Writes only inside buf[0..cap).
 * Returns 0 and *new_len,
 *   KN_ETRUNC / KN_EPROTO / KN_ELIMIT from parsing the packet or its block,
 *   KN_ELIMIT if the result does not fit in cap.
 * On failure buf is unchanged.
 */
int kn_fwd_ext_rewrite(const kn_fwd_ext *f, uint8_t *buf, size_t len, size_t cap, size_t *new_len);

#endif
