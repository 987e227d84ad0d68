/*
 * demux.c: first-byte classification of datagrams on the media port
 * (RFC 7983 §7). Pure.
 */
#include "rtp/demux.h"

kn_demux_kind kn_demux_classify(const uint8_t *p, size_t len) {
    if (len == 0)
        return KN_DEMUX_UNKNOWN;
    uint8_t b = p[0];
    if (b <= 3)
        return KN_DEMUX_STUN;
    if (b >= 16 && b <= 19)
        return KN_DEMUX_ZRTP;
    if (b >= 20 && b <= 63)
        return KN_DEMUX_DTLS;
    if (b >= 64 && b <= 79)
        return KN_DEMUX_TURN;
    if (b >= 128 && b <= 191)
        return KN_DEMUX_RTP;
    return KN_DEMUX_UNKNOWN;
}
