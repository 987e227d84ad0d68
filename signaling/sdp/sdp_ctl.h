/*
 * sdp_ctl.h: translation between parsed SDP and control-API parameters
 * (docs/control-api.md): codecs, header extensions and encodings of an
 * accepted m-line for producer.create / consumer.create, and the SFU's
 * peer.create result (ICE/DTLS/candidates) for the SDP writers. Shared by the
 * WHIP/WHEP flow and the room SFU negotiation. Pure apart from jansson.
 */
#ifndef KN_SDP_CTL_H
#define KN_SDP_CTL_H

#include <stdbool.h>

#include <jansson.h>

#include "sdp/sdp_answer.h"

/* [codec] for the chosen codec of m (am->codec, am->rtx), feedback limited to what the SFU does. */
json_t *kn_sdp_ctl_codecs(const kn_sdp_media *m, const kn_sdp_answer_media *am);

/* Supported header extensions of m; `sending`: the SFU sends on this m-line. */
json_t *kn_sdp_ctl_extensions(const kn_sdp_media *m, bool sending);

/* Encodings by rid (simulcast), else by a=ssrc (+ FID rtx), else one learned stream. */
json_t *kn_sdp_ctl_encodings(const kn_sdp_media *m);

/* "opus", "VP8" or "H264" for a codec name the SFU takes. */
const char *kn_sdp_ctl_codec_name(kn_str name);

/*
 * Reads a peer.create result into a's ICE/DTLS fields and candidates.
 * Returns 0, or KN_EPROTO when a field is missing or malformed or no
 * candidate is usable.
 */
int kn_sdp_ctl_read_peer(json_t *result, kn_sdp_answer *a);

#endif
