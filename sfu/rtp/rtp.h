/*
 * rtp.h: the RTP fixed header, CSRC list, extension block and padding
 * (RFC 3550 §5.1, §5.3.1), and in-place rewrites of header fields for
 * forwarding. Pure functions over caller bytes: no allocation, no globals.
 * RTP/RTCP demux on one port (RFC 5761 §4) is here; the first-byte demux of
 * STUN/DTLS/RTP (RFC 7983) is in demux.h.
 */
#ifndef KN_RTP_H
#define KN_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KN_RTP_HDR_LEN 12 /* fixed header without CSRCs */

/* Values from the header and offsets into the parsed bytes; nothing is copied. */
typedef struct kn_rtp {
    bool padding;         /* P bit */
    bool extension;       /* X bit */
    bool marker;          /* M bit */
    uint8_t csrc_count;   /* CC, 0..15; CSRCs are at csrc_off + 4*i */
    uint8_t pt;           /* payload type, 0..127 */
    uint16_t seq;         /* sequence number */
    uint32_t ts;          /* timestamp */
    uint32_t ssrc;        /* SSRC */
    size_t csrc_off;      /* = 12 */
    size_t ext_hdr_off;   /* offset of the 4-byte profile/length word when X=1, else 0 */
    uint16_t ext_profile; /* "defined by profile" (0xBEDE one-byte, 0x100X two-byte), 0 if X=0 */
    size_t ext_off;       /* offset of the extension data (after profile/length) */
    size_t ext_len;       /* extension data bytes (length field * 4) */
    size_t header_len;    /* fixed header + CSRCs + extension block = payload_off */
    size_t payload_off;   /* first payload byte */
    size_t payload_len;   /* payload bytes, padding excluded (0 for padding-only packets) */
    uint8_t pad_len;      /* padding bytes at the end including the count byte, 0 if P=0 */
} kn_rtp;

/*
 * Parses an RTP packet (RFC 3550 §5.1, §5.3.1). Fills `out` with values and
 * offsets into `p`; allocates nothing.
 * Returns 0,
 *   KN_ETRUNC if `len` ends before a part the header announces (fixed header,
 *             CSRCs, extension header or data, the padding count byte),
 *   KN_EPROTO if the version is not 2, or the padding count is 0 or longer
 *             than what follows the header.
 */
int kn_rtp_parse(const uint8_t *p, size_t len, kn_rtp *out);

/*
 * Writes the 12-byte fixed header from in->marker, pt, seq, ts, ssrc,
 * in->padding and in->extension (V=2, CC=0; CSRCs are never sent by the SFU).
 * The caller appends the extension block, payload and padding.
 * Returns 0 and *n = 12, KN_EINVAL if in->pt > 127 or in->csrc_count != 0,
 * KN_ELIMIT if cap < 12.
 */
int kn_rtp_write(const kn_rtp *in, uint8_t *buf, size_t cap, size_t *n);

/* In-place rewrites of a packet kn_rtp_parse() accepted (so len >= 12); they
 * touch only the named field. */
void kn_rtp_set_ssrc(uint8_t *p, uint32_t ssrc);
void kn_rtp_set_seq(uint8_t *p, uint16_t seq);
void kn_rtp_set_timestamp(uint8_t *p, uint32_t ts);
void kn_rtp_set_pt(uint8_t *p, uint8_t pt); /* pt & 0x7f; keeps the marker bit */
void kn_rtp_set_marker(uint8_t *p, bool marker);

/*
 * RFC 5761 §4: with rtcp-mux an RTCP packet has a second byte (its packet
 * type) in 192..223, an RTP packet one that, with the marker bit, never is
 * (payload types 64..95 are not used). True for RTCP; false when len < 2 or
 * the version is not 2. Call before SRTP/SRTCP unprotect.
 */
bool kn_rtp_is_rtcp(const uint8_t *p, size_t len);

#endif
