/*
 * h264.h: H.264 RTP payloads (RFC 6184) as libwebrtc packetizes them
 * (packetization-mode=1): STAP-A with SPS + PPS before an IDR, FU-A fragments,
 * single NAL units. RTP payloads only. Shared by test_h264 and fuzz seeds.
 */
#ifndef KN_PACKETS_H264_H
#define KN_PACKETS_H264_H

#include <stdint.h>

/* STAP-A carrying SPS and PPS (sent ahead of every IDR). */
static const uint8_t h264_stap_sps_pps[] = {
    0x78,                   /* F=0 NRI=3 type=24 STAP-A */
    0x00, 0x0a,             /* NAL size=10 */
    0x67, 0x42, 0xc0, 0x1f, /* SPS: F=0 NRI=3 type=7 | profile 66 | constraints | level 3.1 */
    0x8c, 0x8d, 0x40, 0x50, 0x1e, 0x90, /* SPS body */
    0x00, 0x04,             /* NAL size=4 */
    0x68, 0xce, 0x3c, 0x80, /* PPS: type=8 */
};

/* First FU-A fragment of an IDR slice. */
static const uint8_t h264_fua_idr_start[] = {
    0x7c,                   /* FU indicator: F=0 NRI=3 type=28 FU-A */
    0x85,                   /* FU header: S=1 E=0 R=0 type=5 IDR */
    0x88, 0x84, 0x00, 0x33, /* slice data */
};

/* Middle and last FU-A fragments of the same IDR. */
static const uint8_t h264_fua_idr_mid[] = {
    0x7c,                   /* FU-A */
    0x05,                   /* S=0 E=0 type=5 */
    0x1f, 0xe0,             /* slice data */
};
static const uint8_t h264_fua_idr_end[] = {
    0x7c,                   /* FU-A */
    0x45,                   /* S=0 E=1 type=5 */
    0x0f, 0x80,             /* slice data */
};

/* A whole IDR slice in one single NAL unit packet. */
static const uint8_t h264_single_idr[] = {
    0x65,                   /* F=0 NRI=3 type=5 IDR */
    0x88, 0x84, 0x00, 0x33, 0xff, /* slice data */
};

/* A non-IDR P slice. */
static const uint8_t h264_single_p[] = {
    0x41,                   /* F=0 NRI=2 type=1 non-IDR slice */
    0x9a, 0x02, 0x04, 0x10, /* slice data */
};

#endif
