/*
 * transport_pub.h: feedback from the SFU toward one publishing transport,
 * every KN_PUB_FB_MS: per video producer the encodings its consumers need
 * (dynacast.h; a change is emitted as producer.layers_needed, which signaling
 * relays so the client pauses or resumes RTCRtpSender encodings), and the
 * REMB cap (remb_cap.h) over the peer's producers and the worker's
 * --max-publisher-bitrate, sent with the publisher's media SSRCs when due.
 * Media loop only; allocates nothing (one json event per change).
 */
#ifndef KN_TRANSPORT_PUB_H
#define KN_TRANSPORT_PUB_H

#include <stdint.h>

typedef struct kn_transport kn_transport;

#define KN_PUB_FB_MS 100
#define KN_TRANSPORT_PUB_MAX_PROD 8 /* producers of one peer counted in its cap */
#define KN_PUB_PEAK_DECAY_PCT 1 /* per round while the encoding is active */

/* The 20 ms tick of a transport with producers (after SRTP is up). */
void kn_transport_pub_on_tick(kn_transport *t, uint64_t now_ms);

#endif
