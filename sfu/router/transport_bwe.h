/*
 * transport_bwe.h: the send-side bandwidth estimate toward one subscriber
 * transport, wired as docs/bandwidth.md ("How the router calls it") says:
 * every RTP packet sent with a transport-wide seq goes into kn_bwe (size on
 * the wire), transport-cc feedback / REMB / RR loss / RTT from the subscriber
 * update it, every 100 ms kn_alloc_run chooses each video consumer's layer
 * (kn_consumer_set_cap; the switch waits for a keyframe as usual) and asks for
 * a probe when a better allocation is held back only by the estimate, and the
 * worker's 3 ms probe timer (armed only while a probe is active) sends the
 * probe as padding-only RTP on a video consumer's RTX SSRC. The estimator is
 * created on the first 100 ms round after SRTP is up with a consumer ("gcc"
 * when a consumer negotiated transport-cc, else "remb" when one negotiated
 * goog-remb; with neither there is no estimate and no cap). Media loop only;
 * allocates only in kn_bwe_create, nothing per packet.
 */
#ifndef KN_TRANSPORT_BWE_H
#define KN_TRANSPORT_BWE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtp/rtcp.h"

typedef struct kn_transport kn_transport;
typedef struct kn_consumer kn_consumer;

#define KN_BWE_ALLOC_MS   100  /* allocation round */
#define KN_BWE_PROBE_MS   3    /* probe padding timer while a probe is active */
#define KN_BWE_PAD_MAX    255  /* padding bytes per padding-only packet (RFC 3550 §5.1) */
#define KN_BWE_MAX_BPS    5000000

/* Frees the estimator; accepts a transport without one. */
void kn_transport_bwe_close(kn_transport *t);
/* A packet with transport-wide seq `seq` left: wire_len bytes after SRTP. */
void kn_transport_bwe_on_sent(kn_transport *t, uint16_t seq, size_t wire_len, bool padding);
/* RTPFB FMT 15 from the subscriber (one RTCP packet). */
void kn_transport_bwe_on_twcc(kn_transport *t, const uint8_t *p, size_t len);
/* PSFB FMT 15 REMB from the subscriber. */
void kn_transport_bwe_on_remb(kn_transport *t, const uint8_t *p, size_t len);
/* A report block about consumer c's stream (after kn_send_stream_on_rb). */
void kn_transport_bwe_on_rb(kn_transport *t, kn_consumer *c, const kn_rtcp_rb *rb);
/* May a retransmission of len bytes go now? Within the estimate (rtx_budget.h);
 * always without an estimator. */
bool kn_transport_bwe_rtx_allow(kn_transport *t, size_t len);
/* The 20 ms tick: creates the estimator when due, runs the allocator every
 * KN_BWE_ALLOC_MS, arms the worker's probe timer when a probe starts. */
void kn_transport_bwe_on_tick(kn_transport *t, uint64_t now_ms);
/* Probe timer: sends the padding due now. Returns false when t's probe ended. */
bool kn_transport_bwe_on_probe_timer(kn_transport *t);

#endif
