/*
 * rtcp_chrome.h: RTCP compounds and feedback shaped like Chromium 156's with
 * a=rtcp-rsize (SR + SDES, RR + REMB, reduced-size NACK / PLI / FIR, padded
 * transport-cc feedback as libwebrtc writes it) and a BYE. Shared by the rtcp
 * and rtcp_fb tests and used as fuzz seeds.
 */
#ifndef KN_PACKETS_RTCP_CHROME_H
#define KN_PACKETS_RTCP_CHROME_H

#include <stdint.h>

/* Sender report with one report block, then SDES CNAME. */
static const uint8_t rtcp_sr_sdes[] = {
    0x81, 0xc8, 0x00, 0x0c, /* V=2 P=0 RC=1 | PT=200 SR | length=12 words */
    0x1a, 0x2b, 0x3c, 0x4d, /* sender SSRC */
    0xeb, 0x0d, 0x3e, 0x80, /* NTP seconds */
    0x80, 0x00, 0x00, 0x00, /* NTP fraction = 0.5 s */
    0x00, 0x01, 0x5f, 0x90, /* RTP timestamp=90000 */
    0x00, 0x00, 0x01, 0x2c, /* packet count=300 */
    0x00, 0x04, 0x93, 0xe0, /* octet count=300000 */
    0x11, 0x22, 0x33, 0x44, /* report block: SSRC */
    0x19,                   /* fraction lost=25/256 */
    0x00, 0x00, 0x05,       /* cumulative lost=5 */
    0x00, 0x01, 0x12, 0x34, /* extended highest seq: 1 cycle, seq 0x1234 */
    0x00, 0x00, 0x00, 0x20, /* jitter=32 */
    0x3e, 0x80, 0x80, 0x00, /* LSR */
    0x00, 0x01, 0x00, 0x00, /* DLSR=1 s */
    0x81, 0xca, 0x00, 0x06, /* V=2 SC=1 | PT=202 SDES | length=6 words */
    0x1a, 0x2b, 0x3c, 0x4d, /* chunk SSRC */
    0x01, 0x10,             /* CNAME, 16 bytes */
    'Q', 'x', '4', 'y', 'Z', '+', 'a', 'b', 'c', 'd', 'E', 'F', 'g', 'h', '1', '2',
    0x00, 0x00,             /* end of items, padding to 32 bits */
};
#define RTCP_SR_LEN 52

/* Receiver report with a negative cumulative loss, then REMB. */
static const uint8_t rtcp_rr_remb[] = {
    0x81, 0xc9, 0x00, 0x07, /* V=2 RC=1 | PT=201 RR | length=7 words */
    0x00, 0x00, 0x00, 0x01, /* receiver SSRC=1 (receive-only) */
    0x1a, 0x2b, 0x3c, 0x4d, /* report block: SSRC */
    0x00,                   /* fraction lost=0 */
    0xff, 0xff, 0xff,       /* cumulative lost=-1 (a duplicate) */
    0x00, 0x00, 0x1f, 0x4a, /* extended highest seq=8010 */
    0x00, 0x00, 0x00, 0x05, /* jitter=5 */
    0x3e, 0x80, 0x80, 0x00, /* LSR */
    0x00, 0x00, 0x80, 0x00, /* DLSR=0.5 s */
    0x8f, 0xce, 0x00, 0x05, /* V=2 FMT=15 | PT=206 PSFB | length=5 words */
    0x00, 0x00, 0x00, 0x01, /* sender SSRC */
    0x00, 0x00, 0x00, 0x00, /* media SSRC=0 */
    'R', 'E', 'M', 'B',     /* unique identifier */
    0x01,                   /* SSRC count=1 */
    0x0e, 0xdc, 0x6c,       /* exp=3 mantissa=187500: 1500000 bps */
    0x1a, 0x2b, 0x3c, 0x4d, /* SSRC */
};
#define RTCP_RR_LEN 32

/* Generic NACK for 8010, 8011, 8013, 8042, 8058. */
static const uint8_t rtcp_nack[] = {
    0x81, 0xcd, 0x00, 0x04, /* V=2 FMT=1 | PT=205 RTPFB | length=4 words */
    0x00, 0x00, 0x00, 0x01, /* sender SSRC */
    0x1a, 0x2b, 0x3c, 0x4d, /* media SSRC */
    0x1f, 0x4a, 0x00, 0x05, /* PID=8010 BLP=bits 0,2: 8011, 8013 */
    0x1f, 0x6a, 0x80, 0x00, /* PID=8042 BLP=bit 15: 8058 */
};

/* Picture loss indication. */
static const uint8_t rtcp_pli[] = {
    0x81, 0xce, 0x00, 0x02, /* V=2 FMT=1 | PT=206 PSFB | length=2 words */
    0x00, 0x00, 0x00, 0x01, /* sender SSRC */
    0x1a, 0x2b, 0x3c, 0x4d, /* media SSRC */
};

/* Full intra request (RFC 5104 §4.3.1). */
static const uint8_t rtcp_fir[] = {
    0x84, 0xce, 0x00, 0x04, /* V=2 FMT=4 | PT=206 PSFB | length=4 words */
    0x00, 0x00, 0x00, 0x01, /* sender SSRC */
    0x00, 0x00, 0x00, 0x00, /* media SSRC=0 (§4.3.1.2) */
    0x1a, 0x2b, 0x3c, 0x4d, /* FCI: SSRC */
    0x03, 0x00, 0x00, 0x00, /* seq nr=3, reserved */
};

/* BYE with a reason. */
static const uint8_t rtcp_bye[] = {
    0x81, 0xcb, 0x00, 0x03, /* V=2 SC=1 | PT=203 BYE | length=3 words */
    0x1a, 0x2b, 0x3c, 0x4d, /* SSRC */
    0x06, 'e', 'n', 'd',    /* reason length=6 */
    'i', 'n', 'g', 0x00,    /* ... and padding */
};

/* Transport-wide CC feedback for seqs 42..82 with the P bit padding libwebrtc writes. */
static const uint8_t rtcp_twcc[] = {
    0xaf, 0xcd, 0x00, 0x10, /* V=2 P=1 FMT=15 | PT=205 RTPFB | length=16 words */
    0x00, 0x00, 0x00, 0x01, /* sender SSRC */
    0x1a, 0x2b, 0x3c, 0x4d, /* media SSRC */
    0x00, 0x2a,             /* base seq=42 */
    0x00, 0x29,             /* status count=41 */
    0x12, 0x34, 0x56,       /* reference time=0x123456 * 64 ms */
    0x07,                   /* feedback packet count=7 */
    0xbb, 0xf7,             /* 1-bit vector: 42..55 = 11101111110111 (45 and 52 lost) */
    0xe5, 0x85,             /* 2-bit vector: 56..62 = large small small large none small small */
    0x20, 0x14,             /* run length: 63..82 small delta (20 packets) */
    0x14,                   /* seq 42: small delta 20 * 250 us */
    0x15,                   /* seq 43: small delta 21 * 250 us */
    0x13,                   /* seq 44: small delta 19 * 250 us */
    0x28,                   /* seq 46: small delta 40 * 250 us */
    0x00,                   /* seq 47: small delta 0 * 250 us */
    0x14,                   /* seq 48: small delta 20 * 250 us */
    0x14,                   /* seq 49: small delta 20 * 250 us */
    0x15,                   /* seq 50: small delta 21 * 250 us */
    0x13,                   /* seq 51: small delta 19 * 250 us */
    0x14,                   /* seq 53: small delta 20 * 250 us */
    0x14,                   /* seq 54: small delta 20 * 250 us */
    0x14,                   /* seq 55: small delta 20 * 250 us */
    0x01, 0x90,             /* seq 56: large delta 400 * 250 us */
    0x05,                   /* seq 57: small delta 5 * 250 us */
    0x06,                   /* seq 58: small delta 6 * 250 us */
    0xff, 0x38,             /* seq 59: large delta -200 * 250 us */
    0x07,                   /* seq 61: small delta 7 * 250 us */
    0x08,                   /* seq 62: small delta 8 * 250 us */
    0x03,                   /* seq 63: small delta 3 * 250 us */
    0x04,                   /* seq 64: small delta 4 * 250 us */
    0x05,                   /* seq 65: small delta 5 * 250 us */
    0x06,                   /* seq 66: small delta 6 * 250 us */
    0x07,                   /* seq 67: small delta 7 * 250 us */
    0x08,                   /* seq 68: small delta 8 * 250 us */
    0x09,                   /* seq 69: small delta 9 * 250 us */
    0x0a,                   /* seq 70: small delta 10 * 250 us */
    0x0b,                   /* seq 71: small delta 11 * 250 us */
    0x0c,                   /* seq 72: small delta 12 * 250 us */
    0x0d,                   /* seq 73: small delta 13 * 250 us */
    0x0e,                   /* seq 74: small delta 14 * 250 us */
    0x0f,                   /* seq 75: small delta 15 * 250 us */
    0x10,                   /* seq 76: small delta 16 * 250 us */
    0x11,                   /* seq 77: small delta 17 * 250 us */
    0x12,                   /* seq 78: small delta 18 * 250 us */
    0x13,                   /* seq 79: small delta 19 * 250 us */
    0x14,                   /* seq 80: small delta 20 * 250 us */
    0x15,                   /* seq 81: small delta 21 * 250 us */
    0x16,                   /* seq 82: small delta 22 * 250 us */
    0x00, 0x02,             /* padding: 2 bytes */
};
#define RTCP_TWCC_COUNT 41

#endif
