/*
 * peer_tx.h: a publisher peer's media: replays the clip (clip.h) as one Opus
 * stream and one VP8 stream per simulcast layer with fresh SSRCs, sequence
 * numbers, timestamps and picture ids, header extensions mid / rid /
 * transport-cc / audio level (ids in sdp_offer.h); sends an SR + SDES compound
 * per stream every second (RFC 3550 §6.4.1); answers Generic NACKs from its
 * retransmission ring (RFC 4585 §6.2.1, resending on the same SSRC: the offer
 * negotiates no RTX) and PLI/FIR (RFC 4585 §6.3.1, RFC 5104 §4.3.1) by jumping
 * to the next keyframe of the clip. Video frames go out whole at their frame time,
 * or with --pace F (kn_peer.pace) one packet at a time at F x the layer's bitrate
 * (a browser paces at about 2.5 x). Libuv loop only.
 */
#ifndef KN_PEER_TX_H
#define KN_PEER_TX_H

#include "peer.h"

int kn_peer_tx_init(kn_peer *p, const kn_clip *clip, unsigned n_layers);
/* First frames due now; every stream starts with a keyframe. */
void kn_peer_tx_start(kn_peer *p, uint64_t now_us);
void kn_peer_tx_tick(kn_peer *p, uint64_t now_us);
void kn_peer_tx_on_rtcp(kn_peer *p, const uint8_t *b, size_t len, uint64_t now_us);
void kn_peer_tx_free(kn_peer *p);

#endif
