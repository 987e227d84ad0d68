/*
 * peer_rx.h: a subscriber peer's receive side. Per incoming SSRC it counts
 * unique packets (a 1024-packet bitmap over extended sequence numbers, RFC 3550
 * A.1), loss = expected - received over the measurement window (after NACK
 * repair), interarrival jitter (A.8), and complete VP8 frames.
 *
 * Frame and freeze rules: a frame (one RTP timestamp) is complete when its first
 * packet (VP8 descriptor S=1, PID=0), its last packet (marker bit) and every
 * sequence number between them have arrived, by original or retransmission.
 * Only frames newer than the last completed one count toward smoothness: a
 * freeze is a gap of more than KN_PEER_FREEZE_US (200 ms, about 6 frame
 * intervals at 30 fps) between completions of successive frames, or from the
 * window's start to the first completion, or from the last one to the window's
 * end (a stream that stops delivering is frozen, not loss-free); a gap that
 * overlaps a stall of the generator's own loop (peer.h) is counted apart
 * (generator_freezes), as the generator's, not the server's.
 *
 * Feedback it sends: a Generic NACK as soon as a sequence gap appears (RFC 4585
 * §6.2.1), an RR per second with one report block per SSRC (RFC 3550 §6.4.2),
 * transport-cc feedback every 100 ms (draft-holmer-rmcat-transport-wide-cc-01
 * §3.1), and a PLI when no keyframe completed within a second of the first
 * video packet or after a freeze of a second (at most one per second).
 * Latency: see lat.h. Time to first media: the peer's first RTP packet and first
 * complete video frame (first_rtp_us, first_frame_us; joiner.h stamps join_us).
 * Libuv loop only; no allocation.
 */
#ifndef KN_PEER_RX_H
#define KN_PEER_RX_H

#include "peer.h"

void kn_peer_rx_on_rtp(kn_peer *p, uint8_t *b, size_t len, uint64_t now_us);
/* --verify-sample: an SRTP packet that was NOT unprotected (b still encrypted and
 * unauthenticated). Only its clear RTP header is used: SSRC, sequence number (loss,
 * gaps, NACK), timestamp (jitter, frame grouping), marker bit (frame ends; a frame's
 * start is the packet after the previous frame's marker), transport-cc extension.
 * No latency sample, no keyframe flag. RTX packets must not come here. */
void kn_peer_rx_on_rtp_clear(kn_peer *p, uint8_t *b, size_t len, uint64_t now_us);
void kn_peer_rx_on_rtcp(kn_peer *p, const uint8_t *b, size_t len, uint64_t now_us);
void kn_peer_rx_tick(kn_peer *p, uint64_t now_us);
void kn_peer_rx_window_start(kn_peer *p);
/* Closes the window: a trailing gap without frames counts as a freeze. */
void kn_peer_rx_window_end(kn_peer *p, uint64_t now_us);

#endif
