/*
 * plan.c: offer acceptance rules for WHIP publishers and WHEP viewers
 * (RFC 9725 §4.2: one BUNDLEd transport, rtcp-mux; RFC 8842 DTLS roles).
 */
#include "whip/plan.h"

#include <string.h>

#include "core/err.h"

static bool in_bundle(const kn_sdp *sdp, kn_str mid) {
    for (unsigned i = 0; i < sdp->n_bundle; i++)
        if (sdp->bundle[i].len == mid.len && memcmp(sdp->bundle[i].p, mid.p, mid.len) == 0)
            return true;
    return false;
}

static bool dir_fits(kn_sdp_dir d, bool viewer) {
    if (d == KN_SDP_DIR_NONE || d == KN_SDP_SENDRECV)
        return true;
    return viewer ? d == KN_SDP_RECVONLY : d == KN_SDP_SENDONLY;
}

static bool media_usable(const kn_sdp *sdp, const kn_sdp_media *m, bool viewer) {
    if (m->kind == KN_SDP_OTHER || m->mid.len == 0 || !m->rtcp_mux)
        return false;
    if (m->port == 0 && !(m->bundle_only && in_bundle(sdp, m->mid)))
        return false; /* port 0 without a=bundle-only: rejected by the offerer itself */
    if (sdp->n_bundle > 0 ? !in_bundle(sdp, m->mid) : sdp->n_media > 1)
        return false;
    return dir_fits(m->dir, viewer);
}

/* A viewer's m-line shows the next unused publisher track of its kind. */
static int pick_track(const kn_sdp_media *m, const kn_track *tracks, unsigned n, bool *used) {
    for (unsigned t = 0; t < n; t++)
        if (!used[t] && tracks[t].kind == m->kind)
            return (int)t;
    return -1;
}

static void plan_media(const kn_sdp *sdp, unsigned i, const kn_track *tracks, unsigned n_tracks,
                       bool *used, kn_sdp_answer *ans, kn_plan *plan) {
    const kn_sdp_media *m = &sdp->media[i];
    kn_sdp_answer_media *am = &ans->media[i];
    bool viewer = tracks != NULL;
    plan->track[i] = -1;
    if (!media_usable(sdp, m, viewer))
        return;
    if (!viewer) {
        am->accepted = kn_sdp_choose_codec(m, &am->codec, &am->rtx) == 0;
        return;
    }
    int t = pick_track(m, tracks, n_tracks, used);
    if (t < 0 || kn_sdp_choose_codec_named(m, tracks[t].codec, &am->codec, &am->rtx) != 0)
        return;
    used[t] = true;
    plan->track[i] = (int8_t)t;
    am->accepted = true;
}

static int check_creds(const kn_sdp_creds *c, const char **reason) {
    if (c->ufrag.len < 4 || c->ufrag.len > 256 || c->pwd.len < 22 || c->pwd.len > 256) {
        *reason = "offer lacks a valid a=ice-ufrag / a=ice-pwd";
        return KN_EINVAL;
    }
    if (!kn_str_ieq(c->fp_alg, "sha-256") || c->fp_value.len != 95) {
        *reason = "offer lacks an a=fingerprint:sha-256";
        return KN_EINVAL;
    }
    return 0;
}

int kn_plan_offer(const kn_sdp *sdp, const kn_track *tracks, unsigned n_tracks, kn_sdp_answer *ans,
                  kn_plan *plan, const char **reason) {
    bool used[KN_SDP_MAX_MEDIA] = {false};
    int first = -1;
    memset(plan, 0, sizeof(*plan));
    for (unsigned i = 0; i < sdp->n_media; i++) {
        plan_media(sdp, i, tracks, n_tracks, used, ans, plan);
        if (ans->media[i].accepted && first < 0)
            first = (int)i;
    }
    if (first < 0) {
        *reason = tracks ? "no m-line can receive the publisher's media (recvonly, BUNDLE, "
                           "rtcp-mux, its codec)"
                         : "no m-line we can take (Opus or VP8/H.264 packetization-mode=1, "
                           "BUNDLE, rtcp-mux)";
        return KN_EINVAL;
    }
    plan->creds = kn_sdp_media_creds(sdp, &sdp->media[first]);
    if (check_creds(&plan->creds, reason) != 0)
        return KN_EINVAL;
    ans->setup = kn_sdp_answer_setup(plan->creds.setup);
    plan->sfu_role = ans->setup == KN_SDP_PASSIVE ? "server" : "client";
    return 0;
}
