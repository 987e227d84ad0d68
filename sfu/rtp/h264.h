/*
 * h264.h: keyframe detection in H.264 RTP payloads (RFC 6184 §5.6-5.8): single
 * NAL unit packets, STAP-A aggregates and FU-A fragments. The SFU forwards
 * H.264 untouched and only needs to know where a decodable picture starts.
 * Pure functions over the RTP payload.
 */
#ifndef KN_H264_H
#define KN_H264_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    KN_H264_NAL_IDR = 5,
    KN_H264_NAL_SEI = 6,
    KN_H264_NAL_SPS = 7,
    KN_H264_NAL_PPS = 8,
    KN_H264_STAP_A = 24,
    KN_H264_FU_A = 28
};

typedef struct kn_h264 {
    uint8_t pkt_type;               /* NAL type of the RTP payload's first byte, 1..31 */
    uint8_t nal_type;               /* single: = pkt_type; FU-A: the fragmented NAL's type;
                                       STAP-A: type of the first aggregated NAL */
    uint8_t nal_count;              /* NALs in a STAP-A (1 otherwise) */
    bool fu_start;                  /* FU-A S bit */
    bool fu_end;                    /* FU-A E bit */
    bool has_idr, has_sps, has_pps; /* seen in this packet (FU-A: start fragment only) */
    bool keyframe;                  /* has_idr or has_sps */
} kn_h264;

/*
 * Returns 0,
 *   KN_ETRUNC for an empty payload, an FU-A without its header, or a STAP-A
 *             NAL size running past the payload,
 *   KN_EPROTO for the forbidden bit set, NAL type 0, an FU-A with both S and E,
 *             an empty STAP-A or one with a zero size.
 * Packetizations not used by WebRTC (STAP-B, MTAP16/24, FU-B, types 30..31)
 * return 0 with nal_type = pkt_type and keyframe false: forwarded as they are.
 */
int kn_h264_parse(const uint8_t *p, size_t len, kn_h264 *out);

#endif
