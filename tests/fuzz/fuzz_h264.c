/*
 * fuzz_h264.c: libFuzzer target for H.264 keyframe detection (RFC 6184).
 */
#include <stdint.h>
#include <stdlib.h>

#include "rtp/h264.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kn_h264 h;

    if (kn_h264_parse(data, size, &h) != 0)
        return 0;
    if (h.keyframe != (h.has_idr || h.has_sps) || h.pkt_type == 0 || h.pkt_type > 31)
        abort();
    return 0;
}
