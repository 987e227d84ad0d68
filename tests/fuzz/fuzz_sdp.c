/*
 * fuzz_sdp.c: libFuzzer target for the SDP offer parser, the offer plan and
 * the answer writer (signaling/sdp/, signaling/whip/plan.c). Every parsed
 * offer is planned for a publisher and a viewer, answered, and the answer is
 * parsed back, which must succeed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp_answer.h"
#include "whip/plan.h"

static void answer_round_trip(const kn_sdp *offer, const kn_track *tracks, unsigned n) {
    static kn_sdp_answer ans;
    static kn_sdp back;
    static char out[65536];
    kn_plan plan;
    const char *reason;
    size_t len = 0;
    memset(&ans, 0, sizeof(ans));
    if (kn_plan_offer(offer, tracks, n, &ans, &plan, &reason) != 0)
        return;
    strcpy(ans.ice_ufrag, "abcd");
    strcpy(ans.ice_pwd, "0123456789012345678901");
    strcpy(ans.fp_alg, "sha-256");
    strcpy(ans.fp_value, "AB:CD");
    strcpy(ans.msid_stream, "p");
    ans.sending = tracks != NULL;
    ans.n_candidates = 1;
    ans.candidates[0] = (kn_sdp_candidate){"1", 1, false, "127.0.0.1", 9};
    for (unsigned i = 0; i < KN_SDP_MAX_MEDIA; i++)
        ans.media[i].ssrc = 1000 + i;
    if (kn_sdp_answer_write(offer, &ans, out, sizeof(out), &len) != 0)
        return;
    if (kn_sdp_parse((const uint8_t *)out, len, &back) != 0)
        abort(); /* we must always be able to read our own answer */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static kn_sdp sdp;
    static const kn_track tracks[2] = {
        {"a", KN_SDP_AUDIO, "opus"},
        {"v", KN_SDP_VIDEO, "VP8" }
    };
    if (kn_sdp_parse(data, size, &sdp) != 0)
        return 0;
    answer_round_trip(&sdp, NULL, 0);
    answer_round_trip(&sdp, tracks, 2);
    return 0;
}
