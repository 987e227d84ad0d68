/*
 * rtp_ext.h: RTP header extension elements (RFC 8285): parsing the one-byte
 * (0xBEDE, §4.2) and two-byte (0x100X, §4.3) forms into offsets, building a
 * block from elements, rewriting a packet's block through an id map when
 * forwarding, and the value formats the SFU reads: transport-cc sequence
 * number, abs-send-time, audio level (RFC 6464), mid / rid (RFC 8843, 8852).
 * Pure functions over caller bytes: no allocation, no globals.
 */
#ifndef KN_RTP_EXT_H
#define KN_RTP_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtp/rtp.h"

#define KN_RTP_EXT_MAX            16     /* elements kept per packet */
#define KN_RTP_EXT_PROFILE_ONE    0xBEDE /* one-byte form */
#define KN_RTP_EXT_PROFILE_TWO    0x1000 /* two-byte form; low 4 bits are appbits */
#define KN_RTP_EXT_REWRITE_GROWTH 20     /* most bytes kn_rtp_ext_rewrite adds */
#define KN_RTP_EXT_BLOCK_MAX      (4 + KN_RTP_EXT_MAX * 257 + 3) /* largest block written */

typedef enum kn_rtp_ext_form {
    KN_RTP_EXT_NONE = 0, /* X=0 */
    KN_RTP_EXT_ONE_BYTE, /* 0xBEDE */
    KN_RTP_EXT_TWO_BYTE, /* 0x100X */
    KN_RTP_EXT_OTHER     /* another profile: no elements (RFC 3550 §5.3.1 block) */
} kn_rtp_ext_form;

typedef struct kn_rtp_ext_elem {
    uint8_t id;   /* 1..14 (one-byte) or 1..255 (two-byte) */
    uint8_t len;  /* data bytes: 1..16 (one-byte) or 0..255 (two-byte) */
    uint16_t off; /* offset of the data in the packet */
} kn_rtp_ext_elem;

typedef struct kn_rtp_ext {
    kn_rtp_ext_form form;
    uint8_t appbits; /* low 4 bits of a two-byte profile */
    uint8_t count;
    kn_rtp_ext_elem elem[KN_RTP_EXT_MAX];
} kn_rtp_ext;

/* One element to write: data is copied from the caller's bytes. */
typedef struct kn_rtp_ext_src {
    uint8_t id;
    uint8_t len;
    const uint8_t *data;
} kn_rtp_ext_src;

/*
 * Parses the extension block kn_rtp_parse() located in packet `p` (uses
 * rtp->ext_profile, ext_off, ext_len). Offsets in `out` are into `p`.
 * Padding bytes (id 0) are skipped; a one-byte id 15 ends the block (§4.2).
 * A block of another profile gives form KN_RTP_EXT_OTHER and no elements.
 * Returns 0,
 *   KN_ETRUNC if an element's data runs past the block,
 *   KN_ELIMIT if the block holds more than KN_RTP_EXT_MAX elements or ends
 *             past 65535 bytes into the packet.
 */
int kn_rtp_ext_parse(const uint8_t *p, const kn_rtp *rtp, kn_rtp_ext *out);

/* Returns the first element with `id`, or NULL. */
const kn_rtp_ext_elem *kn_rtp_ext_find(const kn_rtp_ext *ext, uint8_t id);

/*
 * Writes a whole extension block (profile, length in words, elements, zero
 * padding to a 32-bit boundary) for `n` elements. Uses the one-byte form when
 * every id is 1..14 and every len 1..16, else the two-byte form (0x1000).
 * n == 0 writes nothing and sets *out_len = 0.
 * Returns 0, KN_EINVAL for an id 0 or data == NULL with len > 0,
 * KN_ELIMIT if n > KN_RTP_EXT_MAX or the block does not fit in cap.
 */
int kn_rtp_ext_write(const kn_rtp_ext_src *el, size_t n, uint8_t *buf, size_t cap, size_t *out_len);

/*
 * Rewrites the header extension block of the RTP packet in buf[0..len) for a
 * receiver: each element with id i becomes id map[i], elements with map[i] == 0
 * are dropped (a block of another profile is dropped whole). The block is
 * rebuilt with kn_rtp_ext_write, the payload and padding moved to follow it,
 * and the X bit cleared when no element remains. A packet without X is left
 * as it is.
 * Writes only inside buf[0..cap); the new length is at most
 * len + KN_RTP_EXT_REWRITE_GROWTH (when ids move from one-byte to two-byte).
 * Returns 0 and *new_len,
 *   KN_ETRUNC / KN_EPROTO / KN_ELIMIT from parsing the packet or its block,
 *   KN_ELIMIT if the rewritten packet does not fit in cap.
 * On failure buf is unchanged.
 */
int kn_rtp_ext_rewrite(uint8_t *buf, size_t len, size_t cap, const uint8_t map[256],
                       size_t *new_len);

/* Value formats. Each takes the packet and one of its parsed elements.
 * Returns 0, or KN_EPROTO when the element's length does not fit the format. */

/* transport-cc (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2): 16-bit seq. */
int kn_rtp_ext_twcc_seq(const uint8_t *p, const kn_rtp_ext_elem *e, uint16_t *seq);
int kn_rtp_ext_set_twcc_seq(uint8_t *p, const kn_rtp_ext_elem *e, uint16_t seq);

/* abs-send-time: 24-bit 6.18 fixed point seconds. */
int kn_rtp_ext_abs_send_time(const uint8_t *p, const kn_rtp_ext_elem *e, uint32_t *ast);
int kn_rtp_ext_set_abs_send_time(uint8_t *p, const kn_rtp_ext_elem *e, uint32_t ast);

/* RFC 6464 §3: V (voice activity) bit and level in -dBov, 0..127 (127 = silence).
 * Accepts len >= 1 (Chrome sends 1 byte; two-byte form may pad). */
int kn_rtp_ext_audio_level(const uint8_t *p, const kn_rtp_ext_elem *e, bool *voice, uint8_t *level);

/* mid, rid, repaired-rid: a string without terminator, len >= 1; *s points into p. */
int kn_rtp_ext_string(const uint8_t *p, const kn_rtp_ext_elem *e, const char **s, size_t *len);

#endif
