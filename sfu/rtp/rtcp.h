/*
 * rtcp.h: compound RTCP (RFC 3550 §6): walking and validating a compound,
 * sender and receiver reports, BYE, and writers for SR, RR, SDES CNAME and BYE.
 * Reduced-size RTCP (RFC 5506, a=rtcp-rsize) is accepted: any packet type may
 * come first and a compound may hold a single packet. Feedback messages
 * (PT 205/206) are in rtcp_fb.h. Pure functions over caller bytes.
 *
 * A compound is built by calling writers one after another on the rest of the
 * buffer: kn_rtcp_rr_write(.., buf, cap, &n); then ..(buf + n, cap - n, &m).
 */
#ifndef KN_RTCP_H
#define KN_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KN_RTCP_HDR_LEN 4
#define KN_RTCP_RB_LEN  24 /* one report block */
#define KN_RTCP_MAX_RB  31 /* RC is 5 bits */

enum {
    KN_RTCP_SR = 200,
    KN_RTCP_RR = 201,
    KN_RTCP_SDES = 202,
    KN_RTCP_BYE = 203,
    KN_RTCP_APP = 204,
    KN_RTCP_RTPFB = 205, /* RFC 4585 transport layer feedback */
    KN_RTCP_PSFB = 206,  /* RFC 4585 payload-specific feedback */
    KN_RTCP_XR = 207
};

/* One packet of a compound. Offsets are into the compound. */
typedef struct kn_rtcp_pkt {
    uint8_t pt;      /* packet type, 192..223 accepted */
    uint8_t count;   /* RC / SC / FMT: low 5 bits of the first byte */
    bool padding;    /* P bit: only the last packet may carry it */
    size_t off;      /* first byte of the packet (its header) */
    size_t len;      /* (length field + 1) * 4: header, body and padding */
    uint8_t pad_len; /* padding bytes (count byte included), 0 if P=0 */
} kn_rtcp_pkt;

typedef struct kn_rtcp_iter {
    const uint8_t *p;
    size_t len;
    size_t off;
} kn_rtcp_iter;

/* Report block (RFC 3550 §6.4.1). */
typedef struct kn_rtcp_rb {
    uint32_t ssrc;
    uint8_t fraction_lost;    /* 8-bit fixed point */
    int32_t cumulative_lost;  /* 24-bit signed on the wire: -8388608..8388607 */
    uint32_t ext_highest_seq; /* cycles << 16 | highest seq */
    uint32_t jitter;          /* timestamp units */
    uint32_t lsr;             /* middle 32 bits of the last SR's NTP time */
    uint32_t dlsr;            /* 1/65536 s */
} kn_rtcp_rb;

/* Sender report (RFC 3550 §6.4.1). rb_off is into the packet given to the parser. */
typedef struct kn_rtcp_sr {
    uint32_t ssrc;
    uint64_t ntp; /* NTP timestamp, seconds << 32 | fraction */
    uint32_t rtp_ts;
    uint32_t packet_count;
    uint32_t octet_count;
    uint8_t rb_count;
    size_t rb_off; /* report block i is at rb_off + 24 * i */
} kn_rtcp_sr;

/* Receiver report (RFC 3550 §6.4.2). */
typedef struct kn_rtcp_rr {
    uint32_t ssrc;
    uint8_t rb_count;
    size_t rb_off;
} kn_rtcp_rr;

/* BYE (RFC 3550 §6.6). */
typedef struct kn_rtcp_bye {
    uint8_t ssrc_count;
    size_t ssrc_off;   /* SSRC i is at ssrc_off + 4 * i */
    size_t reason_off; /* 0 when no reason */
    uint8_t reason_len;
} kn_rtcp_bye;

/*
 * Checks a whole compound before any part of it is acted on (RFC 3550 A.2
 * without the SR/RR-first rule, which RFC 5506 lifts): every packet version
 * 2, PT 192..223, lengths add up exactly to `len`, padding only on the last
 * packet and within it.
 * Returns 0, KN_ETRUNC for len < 4 or a length past the end, KN_EPROTO otherwise.
 */
int kn_rtcp_validate(const uint8_t *p, size_t len);

void kn_rtcp_iter_init(kn_rtcp_iter *it, const uint8_t *p, size_t len);

/*
 * Fills *out with the next packet of the compound.
 * Returns 0, KN_ENOENT at the end, KN_ETRUNC / KN_EPROTO as kn_rtcp_validate
 * (the iterator then stays at the bad packet).
 */
int kn_rtcp_iter_next(kn_rtcp_iter *it, kn_rtcp_pkt *out);

/*
 * Parses one packet's common header: p/len is that packet (p + pkt.off, pkt.len
 * from the iterator, or a whole datagram). Padding is checked and reported.
 * Returns 0, KN_ETRUNC, KN_EPROTO (version, PT range, padding).
 */
int kn_rtcp_pkt_parse(const uint8_t *p, size_t len, kn_rtcp_pkt *out);

/* Parsers of one packet (p = its header, len = pkt.len). Offsets are into p.
 * Return 0, KN_ETRUNC when the packet is shorter than its count announces,
 * KN_EPROTO for the wrong PT or a bad header. */
int kn_rtcp_sr_parse(const uint8_t *p, size_t len, kn_rtcp_sr *out);
int kn_rtcp_rr_parse(const uint8_t *p, size_t len, kn_rtcp_rr *out);
int kn_rtcp_bye_parse(const uint8_t *p, size_t len, kn_rtcp_bye *out);

/* Reads the 24-byte report block at p (bounds already checked by a parser). */
void kn_rtcp_rb_read(const uint8_t *p, kn_rtcp_rb *out);

/* Writers. Each writes one packet at buf and sets *n to its length.
 * Return 0, KN_EINVAL for n_rb > 31 (or out-of-range values: cumulative_lost
 * outside 24-bit signed, cname_len 0 or > 255, ssrc_count > 31),
 * KN_ELIMIT if the packet does not fit in cap. */
int kn_rtcp_sr_write(const kn_rtcp_sr *sr, const kn_rtcp_rb *rb, size_t n_rb, uint8_t *buf,
                     size_t cap, size_t *n);
int kn_rtcp_rr_write(uint32_t ssrc, const kn_rtcp_rb *rb, size_t n_rb, uint8_t *buf, size_t cap,
                     size_t *n);
/* SDES with one chunk holding one CNAME item (RFC 3550 §6.5.1). */
int kn_rtcp_sdes_write_cname(uint32_t ssrc, const char *cname, size_t cname_len, uint8_t *buf,
                             size_t cap, size_t *n);
int kn_rtcp_bye_write(const uint32_t *ssrcs, size_t ssrc_count, uint8_t *buf, size_t cap,
                      size_t *n);

#endif
