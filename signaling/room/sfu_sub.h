/*
 * sfu_sub.h: a participant's subscribe connection in SFU mode: the SFU offers
 * (peer.create in offer mode, consumer.create per remote producer with the
 * SFU's own payload types and extension ids), the client answers
 * (peer.set_remote once), and every change of the room's producers gives a
 * re-offer (o= version + 1, same ICE/DTLS; a left publisher's m-sections go
 * a=inactive and their mids are reused for the next track of the same kind).
 * One control request in flight per subscriber; at most one offer
 * outstanding. Signaling loop.
 */
#ifndef KN_SFU_SUB_H
#define KN_SFU_SUB_H

#include "room/sfu_room.h"

/* Creates consumers for new producers, retires slots of gone ones, offers when changed. */
void kn_sfu_sub_sync(kn_sfupart *sp);

/* A validated sfu.subscribe.answer. Returns 0 (also for a stale revision),
 * KN_ESTATE (no offer outstanding) or KN_EINVAL (wrong revision or SDP). */
int kn_sfu_sub_answer(kn_sfupart *sp, const kn_wsmsg *m);

/* The SFU lost the subscribe peer: forget it (a later sync starts afresh). */
void kn_sfu_sub_reset(kn_sfupart *sp);

/* Index of the live slot for participant `part` (video first) or `mid`, or -1. */
int kn_sfu_sub_find(const kn_sfupart *sp, const char *part, const char *mid);

/* Fills the codec/extension part of an offer m-section for a consumer of `codec`. */
void kn_sfu_sub_codec(kn_sdp_offer_media *om, const char *codec, kn_sdp_kind kind);

#endif
