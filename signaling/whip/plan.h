/*
 * plan.h: what konsil-signaling accepts from a WHIP or WHEP offer: which
 * m-lines, which codec each, which publisher track a viewer's m-line shows,
 * and the ICE/DTLS parameters the SFU peer gets. Pure; no I/O.
 */
#ifndef KN_PLAN_H
#define KN_PLAN_H

#include "sdp/sdp_answer.h"
#include "whip/registry.h"

typedef struct kn_plan {
    kn_sdp_creds creds;             /* the remote ICE/DTLS parameters */
    const char *sfu_role;           /* "server" or "client" (the SFU's DTLS role) */
    int8_t track[KN_SDP_MAX_MEDIA]; /* viewer: index into the publisher's tracks, or -1 */
} kn_plan;

/*
 * Fills ans->media[] (accepted, codec, rtx) and ans->setup, and `plan`, for an
 * offer that publishes (tracks == NULL) or views the given publisher tracks.
 * An m-line is accepted when it is audio/video with a port, a mid in the
 * BUNDLE group (or the only m-line), rtcp-mux, a direction that fits and a
 * codec we serve (a viewer's: the publisher's codec). Returns 0, or
 * KN_EINVAL with a one-line *reason.
 */
int kn_plan_offer(const kn_sdp *sdp, const kn_track *tracks, unsigned n_tracks, kn_sdp_answer *ans,
                  kn_plan *plan, const char **reason);

#endif
