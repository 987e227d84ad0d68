/*
 * rtcp_fb.h: RTCP feedback messages (RFC 4585 §6): Generic NACK, PLI, FIR
 * (RFC 5104 §4.3.1), REMB (draft-alvestrand-rmcat-remb-03) and transport-wide
 * congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1). Parsers take one packet from a compound (p = its header, len =
 * kn_rtcp_pkt.len); writers produce one packet. Pure, no allocation.
 */
#ifndef KN_RTCP_FB_H
#define KN_RTCP_FB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* FMT values (RFC 4585 §6.2, §6.3; RFC 5104; transport-cc draft). */
enum {
    KN_RTCP_FB_NACK = 1,  /* RTPFB */
    KN_RTCP_FB_TWCC = 15, /* RTPFB */
    KN_RTCP_FB_PLI = 1,   /* PSFB */
    KN_RTCP_FB_FIR = 4,   /* PSFB */
    KN_RTCP_FB_AFB = 15   /* PSFB application layer feedback: REMB */
};

#define KN_RTCP_FB_HDR_LEN       12 /* common header + sender SSRC + media SSRC */
#define KN_RTCP_NACK_MAX_PER_FCI 17

/* Common feedback header (RFC 4585 §6.1). fci_off is into the packet. */
typedef struct kn_rtcp_fb {
    uint8_t pt; /* 205 or 206 */
    uint8_t fmt;
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    size_t fci_off; /* = 12 */
    size_t fci_len; /* padding excluded */
} kn_rtcp_fb;

/* Returns 0, KN_ETRUNC, KN_EPROTO for a PT other than 205/206 or a bad header. */
int kn_rtcp_fb_parse(const uint8_t *p, size_t len, kn_rtcp_fb *out);

/*
 * Generic NACK (RFC 4585 §6.2.1): expands every PID + BLP into sequence numbers,
 * in FCI order, into seqs[0..cap). Returns 0 and *n,
 *   KN_ETRUNC / KN_EPROTO from the header or an FCI length not a multiple of 4
 *   (KN_EPROTO also when the packet is not RTPFB FMT 1),
 *   KN_ELIMIT if more than cap numbers are announced (seqs holds the first cap).
 */
int kn_rtcp_nack_parse(const uint8_t *p, size_t len, kn_rtcp_fb *fb, uint16_t *seqs, size_t cap,
                       size_t *n);

/*
 * Writes a Generic NACK for seqs[0..n), sorted ascending in RTP sequence order
 * (wrap allowed; duplicates ignored), packing them greedily into the fewest
 * PID + BLP entries. Returns 0, KN_EINVAL for n == 0 or unsorted input,
 * KN_ELIMIT if it does not fit in cap.
 */
int kn_rtcp_nack_write(uint32_t sender_ssrc, uint32_t media_ssrc, const uint16_t *seqs, size_t n,
                       uint8_t *buf, size_t cap, size_t *out_len);

/* PLI (RFC 4585 §6.3.1): a PSFB FMT 1 packet without FCI.
 * kn_rtcp_pli_parse returns 0, KN_ETRUNC, KN_EPROTO if not PSFB FMT 1. */
int kn_rtcp_pli_parse(const uint8_t *p, size_t len, kn_rtcp_fb *fb);
int kn_rtcp_pli_write(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t *buf, size_t cap,
                      size_t *n);

/* FIR (RFC 5104 §4.3.1): FCI entries of SSRC + command sequence number. */
typedef struct kn_rtcp_fir_entry {
    uint32_t ssrc;
    uint8_t seq;
} kn_rtcp_fir_entry;

/* Returns 0 and *n entries, KN_ETRUNC / KN_EPROTO (FCI not a multiple of 8,
 * not PSFB FMT 4), KN_ELIMIT if more than cap entries. */
int kn_rtcp_fir_parse(const uint8_t *p, size_t len, kn_rtcp_fb *fb, kn_rtcp_fir_entry *e,
                      size_t cap, size_t *n);
/* One FCI entry for `media_ssrc`; the header's media SSRC is 0 as §4.3.1.2 says. */
int kn_rtcp_fir_write(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq, uint8_t *buf,
                      size_t cap, size_t *n);

/* REMB: "REMB", SSRC count, 6-bit exponent and 18-bit mantissa, SSRC list. */
typedef struct kn_rtcp_remb {
    uint32_t sender_ssrc;
    uint64_t bitrate; /* bits per second = mantissa << exponent */
    uint8_t ssrc_count;
    size_t ssrcs_off; /* SSRC i is at ssrcs_off + 4 * i in the packet */
} kn_rtcp_remb;

/* Returns 0, KN_ETRUNC (also for an SSRC count past the FCI), KN_ENOENT for a
 * PSFB FMT 15 that is not "REMB", KN_EPROTO for another PT/FMT or a bitrate
 * that overflows 64 bits. */
int kn_rtcp_remb_parse(const uint8_t *p, size_t len, kn_rtcp_remb *out);
/* Encodes bitrate with the smallest exponent whose mantissa fits 18 bits
 * (rounding down). Returns 0, KN_EINVAL for n_ssrcs > 255, KN_ELIMIT for cap. */
int kn_rtcp_remb_write(uint32_t sender_ssrc, uint64_t bitrate, const uint32_t *ssrcs,
                       size_t n_ssrcs, uint8_t *buf, size_t cap, size_t *n);

/* Transport-wide CC feedback (RTPFB FMT 15). */
enum {
    KN_TWCC_NOT_RECEIVED = 0,
    KN_TWCC_SMALL_DELTA = 1, /* received, delta 0..63.75 ms, one byte */
    KN_TWCC_LARGE_DELTA = 2  /* received, delta signed 16 bits, two bytes */
};

typedef struct kn_twcc {
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    uint16_t base_seq;
    uint16_t status_count;
    int32_t ref_time; /* 24-bit signed, units of 64 ms */
    uint8_t fb_count; /* feedback packet count */
} kn_twcc;

/* One packet's status. delta_us is the receive delta to the previous received
 * packet (the first to ref_time), a multiple of 250 us; 0 when not received. */
typedef struct kn_twcc_status {
    uint16_t seq;
    uint8_t status;
    int32_t delta_us;
} kn_twcc_status;

/*
 * Parses the header, run-length and status-vector (1- and 2-bit) chunks and
 * receive deltas into st[0..status_count). Returns 0 and *n = status_count,
 *   KN_ETRUNC if chunks or deltas run past the FCI,
 *   KN_EPROTO for another PT/FMT, status count 0, or a reserved status (3),
 *   KN_ELIMIT if status_count > cap.
 */
int kn_twcc_parse(const uint8_t *p, size_t len, kn_twcc *out, kn_twcc_status *st, size_t cap,
                  size_t *n);

/*
 * Writes a feedback packet for st[0..n) where st[i].seq == hdr->base_seq + i
 * (hdr->status_count is ignored; n is used). Chooses run-length chunks for runs
 * of >= 14 equal statuses (or >= 7 that need the 2-bit vector), 1-bit vectors
 * when the next 14 are all 0/1, else 2-bit vectors; pads to 32 bits with the P
 * bit as libwebrtc does, so put it last in a compound.
 * Returns 0, KN_EINVAL for n == 0 or n > 65535, a seq out of order, a status > 2,
 * a delta that is not representable for its status (small: 0..63750 us,
 * large: -8192000..8191750 us, multiples of 250 us), KN_ELIMIT for cap.
 */
int kn_twcc_write(const kn_twcc *hdr, const kn_twcc_status *st, size_t n, uint8_t *buf, size_t cap,
                  size_t *out_len);

#endif
