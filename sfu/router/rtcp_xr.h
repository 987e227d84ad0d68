/*
 * rtcp_xr.h: RTCP Extended Reports (RFC 3611) as far as receiver RTT needs
 * them: the Receiver Reference Time Report block (BT=4, §4.4) a receive-only
 * peer sends, and the DLRR block (BT=5, §4.5) that answers it so the peer can
 * compute its round-trip time (Chrome negotiates this with
 * a=rtcp-xr:rcvr-rtt=all). Other block types are skipped. Pure functions over
 * caller bytes; nothing allocates.
 */
#ifndef KN_RTCP_XR_H
#define KN_RTCP_XR_H

#include <stddef.h>
#include <stdint.h>

#define KN_RTCP_XR_RRTR     4
#define KN_RTCP_XR_DLRR     5
#define KN_RTCP_XR_DLRR_MAX 8 /* sub-blocks written per DLRR block */

/* One XR packet (p = its header, as from kn_rtcp_iter). Offsets are into p. */
typedef struct kn_rtcp_xr {
    uint32_t ssrc;      /* originator of the XR */
    uint8_t has_rrtr;   /* an RRTR block was present (the last one wins) */
    uint64_t rrtr_ntp;  /* its NTP timestamp, seconds << 32 | fraction */
    uint8_t dlrr_count; /* sub-blocks of the first DLRR block */
    size_t dlrr_off;    /* sub-block i is at dlrr_off + 12 * i; 0 = no DLRR */
} kn_rtcp_xr;

/* DLRR sub-block (§4.5): the receiver's SSRC, the middle 32 bits of the
 * NTP time of its last RRTR (LRR), and the delay since it came (DLRR, 1/65536 s). */
typedef struct kn_rtcp_dlrr_item {
    uint32_t ssrc, lrr, dlrr;
} kn_rtcp_dlrr_item;

/*
 * Parses one XR packet. Blocks of unknown type are skipped by their length.
 * Returns 0, KN_ETRUNC when the packet or a block is shorter than announced,
 * KN_EPROTO for another PT, version != 2, or an RRTR / DLRR block of a
 * malformed length.
 */
int kn_rtcp_xr_parse(const uint8_t *p, size_t len, kn_rtcp_xr *out);

/* Reads DLRR sub-block i of a parsed XR (bounds checked by the parser). */
void kn_rtcp_xr_dlrr_read(const uint8_t *p, const kn_rtcp_xr *xr, unsigned i,
                          kn_rtcp_dlrr_item *out);

/* Writes an XR packet from `ssrc` with one DLRR block of n (1..KN_RTCP_XR_DLRR_MAX)
 * sub-blocks. Returns 0 and *out_len (12 + 12 n), KN_EINVAL for n, KN_ELIMIT for cap. */
int kn_rtcp_xr_dlrr_write(uint32_t ssrc, const kn_rtcp_dlrr_item *items, size_t n, uint8_t *buf,
                          size_t cap, size_t *out_len);

/* Writes an XR packet from `ssrc` with one RRTR block. Returns 0 and *out_len
 * (20), KN_ELIMIT for cap. */
int kn_rtcp_xr_rrtr_write(uint32_t ssrc, uint64_t ntp, uint8_t *buf, size_t cap,
                          size_t *out_len);

/* The middle 32 bits of an NTP timestamp (RFC 3550 §4 compact form). */
static inline uint32_t kn_ntp_compact(uint64_t ntp) {
    return (uint32_t)(ntp >> 16);
}

#endif
