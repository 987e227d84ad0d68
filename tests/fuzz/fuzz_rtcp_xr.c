/*
 * fuzz_rtcp_xr.c: libFuzzer target for the XR parser (router/rtcp_xr.c): every
 * accepted packet's DLRR sub-blocks are read and written back byte for byte,
 * and an RRTR is written back and parsed to the same timestamp.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "router/rtcp_xr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kn_rtcp_xr xr, xr2;
    kn_rtcp_dlrr_item items[KN_RTCP_XR_DLRR_MAX];
    uint8_t out[16 + 12 * KN_RTCP_XR_DLRR_MAX];
    size_t n;
    if (kn_rtcp_xr_parse(data, size, &xr) != 0)
        return 0;
    if (xr.dlrr_off != 0 && (xr.dlrr_off < 12 || xr.dlrr_off + 12u * xr.dlrr_count > size))
        abort();
    unsigned k = xr.dlrr_count < KN_RTCP_XR_DLRR_MAX ? xr.dlrr_count : KN_RTCP_XR_DLRR_MAX;
    for (unsigned i = 0; i < k; i++)
        kn_rtcp_xr_dlrr_read(data, &xr, i, &items[i]);
    if (k > 0 && (kn_rtcp_xr_dlrr_write(xr.ssrc, items, k, out, sizeof(out), &n) != 0 ||
                  memcmp(out + 12, data + xr.dlrr_off, 12 * k) != 0))
        abort();
    if (xr.has_rrtr && (kn_rtcp_xr_rrtr_write(xr.ssrc, xr.rrtr_ntp, out, sizeof(out), &n) != 0 ||
                        kn_rtcp_xr_parse(out, n, &xr2) != 0 || xr2.rrtr_ntp != xr.rrtr_ntp))
        abort();
    return 0;
}
