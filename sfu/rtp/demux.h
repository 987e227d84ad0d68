/*
 * demux.h: classifies a datagram on the shared media port by its first byte
 * (RFC 7983 §7): STUN, DTLS, RTP/RTCP (told apart later by kn_rtp_is_rtcp),
 * TURN channel data, or unknown. Pure.
 */
#ifndef KN_DEMUX_H
#define KN_DEMUX_H

#include <stddef.h>
#include <stdint.h>

typedef enum kn_demux_kind {
    KN_DEMUX_UNKNOWN = 0, /* empty datagram or a first byte outside every range */
    KN_DEMUX_STUN,        /* 0..3 */
    KN_DEMUX_ZRTP,        /* 16..19 (never accepted by the SFU) */
    KN_DEMUX_DTLS,        /* 20..63 */
    KN_DEMUX_TURN,        /* 64..79 TURN ChannelData */
    KN_DEMUX_RTP          /* 128..191: RTP or RTCP */
} kn_demux_kind;

/* Never fails: returns KN_DEMUX_UNKNOWN for len == 0. */
kn_demux_kind kn_demux_classify(const uint8_t *p, size_t len);

#endif
