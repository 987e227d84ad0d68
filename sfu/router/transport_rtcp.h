/*
 * transport_rtcp.h: the RTCP side of a transport: incoming compounds (SR, RR,
 * Generic NACK, PLI, FIR; RFC 3550 §6.4, RFC 4585 §6, RFC 5104 §4.3.1) routed
 * to recv_streams and consumers, and what the SFU sends: NACKs and keyframe
 * requests toward publishers, RRs toward publishers and SRs toward
 * subscribers about once a second. Media loop only; allocates nothing.
 */
#ifndef KN_TRANSPORT_RTCP_H
#define KN_TRANSPORT_RTCP_H

#include <stddef.h>
#include <stdint.h>

typedef struct kn_transport kn_transport;

/* An SRTCP datagram from the peer (unprotected here). */
void kn_transport_on_rtcp(kn_transport *t, uint8_t *p, size_t len, uint64_t now_ms);
/* NACKs due on the peer's incoming streams. */
void kn_transport_send_nacks(kn_transport *t, uint64_t now_ms);
/* transport-cc feedback for what the publisher sent since the last one. */
void kn_transport_send_twcc(kn_transport *t);
/* RR for every incoming SSRC, SR for every consumer SSRC. */
void kn_transport_send_reports(kn_transport *t, uint64_t now_ms);
/* NTP time (RFC 5905 64-bit) of the wall clock now. */
uint64_t kn_ntp_now(void);

#endif
