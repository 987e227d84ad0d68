/*
 * rtp_chrome.h: RTP packets shaped like Chromium 156's (BUNDLE ids from
 * browser.md: 2 abs-send-time, 4 transport-cc, 9 mid, 10 rid, 12 audio level;
 * VP8 PT 96, rtx 97, opus 111), plus edge cases. Shared by the rtp, rtp_ext,
 * vp8 tests and used as fuzz seeds.
 */
#ifndef KN_PACKETS_RTP_CHROME_H
#define KN_PACKETS_RTP_CHROME_H

#include <stdint.h>

/* First packet of a VP8 keyframe on simulcast layer "h" of mid "1". */
static const uint8_t rtp_vp8_key[] = {
    0x90, 0xe0, 0x1f, 0x4a, /* V=2 P=0 X=1 CC=0 | M=1 PT=96 | seq=8010 */
    0x00, 0x01, 0x5f, 0x90, /* timestamp=90000 */
    0x1a, 0x2b, 0x3c, 0x4d, /* SSRC=0x1a2b3c4d */
    0xbe, 0xde, 0x00, 0x03, /* one-byte profile, 3 words of extensions follow */
    0x22, 0x12, 0x34, 0x56, /* id=2 L=2: abs-send-time=0x123456 */
    0x41, 0x00, 0x2a,       /* id=4 L=1: transport-cc seq=42 */
    0x90, 0x31,             /* id=9 L=0: mid="1" */
    0xa0, 0x68,             /* id=10 L=0: rid="h" */
    0x00,                   /* padding to the word boundary */
    0x90,                   /* VP8: X=1 N=0 S=1 PID=0 */
    0xe0,                   /* I=1 L=1 T=1 K=0 */
    0x80, 0x15,             /* M=1 picture id=21 (15 bit) */
    0x07,                   /* TL0PICIDX=7 */
    0x20,                   /* TID=0 Y=1 KEYIDX=0 */
    0x50, 0x42, 0x00,       /* VP8 frame tag: P=0 (key frame), show_frame=1 */
    0x9d, 0x01, 0x2a,       /* key frame start code */
    0x80, 0x02, 0xe0, 0x01, /* 640x480 */
};
#define RTP_VP8_KEY_HDR_LEN 28  /* payload offset */
#define RTP_VP8_KEY_DESC_LEN 6  /* VP8 payload descriptor length */

/* A VP8 interframe continuation on TID 2 with a 7-bit picture id, no extensions. */
static const uint8_t rtp_vp8_delta[] = {
    0x80, 0x60, 0x1f, 0x4b, /* V=2 P=0 X=0 CC=0 | M=0 PT=96 | seq=8011 */
    0x00, 0x01, 0x6b, 0x48, /* timestamp=93000 */
    0x1a, 0x2b, 0x3c, 0x4d, /* SSRC */
    0xa1,                   /* VP8: X=1 N=1 S=0 PID=1 */
    0xb0,                   /* I=1 L=0 T=1 K=1 */
    0x16,                   /* M=0 picture id=22 */
    0x85,                   /* TID=2 Y=0 KEYIDX=5 */
    0x01, 0x02, 0x03,       /* partition data */
};

/* Opus with transport-cc, audio level and mid. */
static const uint8_t rtp_opus[] = {
    0x90, 0x6f, 0x12, 0x34, /* V=2 X=1 | M=0 PT=111 | seq=4660 */
    0x00, 0x00, 0x03, 0xc0, /* timestamp=960 */
    0x11, 0x22, 0x33, 0x44, /* SSRC */
    0xbe, 0xde, 0x00, 0x02, /* one-byte profile, 2 words */
    0x41, 0x01, 0x00,       /* id=4 L=1: transport-cc seq=256 */
    0xc0, 0xaa,             /* id=12 L=0: V=1 level=42 (-42 dBov) */
    0x90, 0x30,             /* id=9 L=0: mid="0" */
    0x00,                   /* padding */
    0x78, 0x0b, 0xe4, 0xc1, 0x36, /* Opus TOC and frame */
};
#define RTP_OPUS_HDR_LEN 24

/* RTX with two CSRCs, a two-byte extension block and RTP padding. */
static const uint8_t rtp_csrc_pad[] = {
    0xb2, 0x61, 0x00, 0x01, /* V=2 P=1 X=1 CC=2 | M=0 PT=97 | seq=1 */
    0x00, 0x00, 0x00, 0x10, /* timestamp=16 */
    0x55, 0x66, 0x77, 0x88, /* SSRC */
    0x00, 0x00, 0x00, 0x01, /* CSRC 1 */
    0x00, 0x00, 0x00, 0x02, /* CSRC 2 */
    0x10, 0x00, 0x00, 0x02, /* two-byte profile, appbits=0, 2 words */
    0x03, 0x02, 0xaa, 0xbb, /* id=3 len=2 */
    0x11, 0x00,             /* id=17 len=0 */
    0x00, 0x00,             /* padding */
    0x1f, 0x4a, 0xde, 0xad, /* RTX: original seq=8010, original payload */
    0x00, 0x00, 0x03,       /* RTP padding: 3 bytes */
};
#define RTP_CSRC_PAD_HDR_LEN 32

/* Bandwidth-probe padding on rtx: the payload is only padding. */
static const uint8_t rtp_padding_only[] = {
    0xb0, 0x61, 0x00, 0x02, /* V=2 P=1 X=1 CC=0 | PT=97 | seq=2 */
    0x00, 0x00, 0x00, 0x10, /* timestamp=16 */
    0x55, 0x66, 0x77, 0x88, /* SSRC */
    0xbe, 0xde, 0x00, 0x01, /* one-byte profile, 1 word */
    0x41, 0x00, 0x2b,       /* id=4 L=1: transport-cc seq=43 */
    0x00,                   /* padding */
    0x00, 0x00, 0x00, 0x04, /* RTP padding: 4 bytes */
};

#endif
