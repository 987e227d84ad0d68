/*
 * test_sdp_answer.c: offer planning (whip/plan.c), codec choice and the SFU's
 * SDP answer, checked by parsing our own answer back: WHIP answers to Chromium
 * (simulcast recv) and Firefox (extmap directions), a WHEP answer to aiortc
 * with consumer SSRCs, DTLS setup roles, and rejected m-lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "fixture.h"
#include "sdp/sdp_answer.h"
#include "whip/plan.h"

static kn_sdp offer, back;
static kn_sdp_answer ans;
static kn_plan plan;
static char out[16384];
static uint8_t *buf;

static const char sfu_fp[] = "E0:9B:3B:D0:0C:88:96:02:4A:D1:D8:66:7C:49:C2:05:65:49:54:63:2B:"
                             "1A:F3:4F:9C:29:4A:35:10:21:8E:A8";

static void assert_str(kn_str s, const char *want) {
    if (!kn_str_eq(s, want))
        fail_msg("got \"%.*s\", want \"%s\"", (int)s.len, s.p, want);
}

static void load(const char *name) {
    size_t len = 0;
    free(buf);
    buf = fixture_load(name, &len);
    assert_non_null(buf);
    assert_int_equal(kn_sdp_parse(buf, len, &offer), 0);
    memset(&ans, 0, sizeof(ans));
}

static void fill_sfu(void) {
    strcpy(ans.ice_ufrag, "4tiNO5if");
    strcpy(ans.ice_pwd, "Yb2Fcx6BZzFeABpn7CQ2PPkX");
    strcpy(ans.fp_alg, "sha-256");
    strcpy(ans.fp_value, sfu_fp);
    ans.session_id = 42;
    ans.n_candidates = 2;
    ans.candidates[0] = (kn_sdp_candidate){"1", 2130706431, false, "127.0.0.1", 10000};
    ans.candidates[1] = (kn_sdp_candidate){"2", 1015022079, true, "127.0.0.1", 10000};
}

/* Writes the answer and parses it back into `back`; returns the text. */
static const char *write_and_parse(void) {
    size_t n = 0;
    fill_sfu();
    assert_int_equal(kn_sdp_answer_write(&offer, &ans, out, sizeof(out), &n), 0);
    assert_int_equal(strlen(out), n);
    assert_int_equal(kn_sdp_parse((const uint8_t *)out, n, &back), 0);
    return out;
}

static void whip_chrome_simulcast(void **state) {
    const char *reason = NULL;
    (void)state;
    load("chrome156_simulcast.sdp");
    assert_int_equal(kn_plan_offer(&offer, NULL, 0, &ans, &plan, &reason), 0);
    assert_string_equal(plan.sfu_role, "server");
    assert_int_equal(ans.setup, KN_SDP_PASSIVE);
    assert_true(ans.media[0].accepted && ans.media[1].accepted);
    assert_int_equal(offer.media[1].codecs[ans.media[1].codec].pt, 96);
    assert_int_equal(offer.media[1].codecs[ans.media[1].rtx].pt, 97);
    const char *text = write_and_parse();
    assert_non_null(strstr(text, "a=ice-lite\r\n"));
    assert_non_null(strstr(text, "a=simulcast:recv q;h;f\r\n"));
    assert_non_null(strstr(text, "a=end-of-candidates\r\n"));
    assert_non_null(strstr(
        text, "a=candidate:2 1 tcp 1015022079 127.0.0.1 10000 typ host tcptype passive\r\n"));
    assert_null(strstr(text, "toffset")); /* unsupported extensions are not echoed */
    assert_true(back.ice_lite);
    assert_int_equal(back.n_bundle, 2);
    assert_int_equal(back.n_media, 2);
    const kn_sdp_media *v = &back.media[1];
    assert_int_equal(v->dir, KN_SDP_RECVONLY);
    assert_int_equal(v->creds.setup, KN_SDP_PASSIVE);
    assert_str(v->creds.ufrag, "4tiNO5if");
    assert_str(v->creds.fp_value, sfu_fp);
    assert_true(v->rtcp_mux && v->rtcp_rsize);
    assert_int_equal(v->n_codecs, 2);
    assert_int_equal(kn_sdp_codec_by_pt(v, 97)->apt, 96);
    assert_int_equal(kn_sdp_codec_by_pt(v, 96)->fb, kn_sdp_supported_fb(KN_SDP_VIDEO));
    assert_int_equal(v->n_rids, 3);
    assert_false(v->rids[0].send);
    assert_str(v->simulcast, "recv q;h;f");
    assert_int_equal(v->n_extmaps, 5); /* abs-send-time, twcc, mid, rid, repaired-rid */
    assert_int_equal(v->extmaps[2].id, 9);
    assert_int_equal(back.media[0].n_codecs, 1);
    assert_str(back.media[0].codecs[0].name, "opus");
    assert_int_equal(back.media[0].codecs[0].fb, KN_SDP_FB_TWCC);
}

static void whip_firefox_extmap_directions(void **state) {
    const char *reason = NULL;
    (void)state;
    load("firefox_esr_simulcast.sdp");
    assert_int_equal(kn_plan_offer(&offer, NULL, 0, &ans, &plan, &reason), 0);
    assert_int_equal(offer.media[1].codecs[ans.media[1].codec].pt, 120);
    assert_int_equal(offer.media[1].codecs[ans.media[1].rtx].pt, 124);
    const char *text = write_and_parse();
    assert_non_null(
        strstr(text, "a=extmap:9/recvonly urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"));
    assert_null(strstr(text, "csrc-audio-level")); /* unsupported */
    assert_int_equal(back.media[1].extmaps[3].dir, KN_SDP_RECVONLY);
    assert_str(back.media[1].simulcast, "recv q;h;f");
}

static void whep_aiortc_ssrcs(void **state) {
    const char *reason = NULL;
    kn_track tracks[2] = {
        {"p-m0", KN_SDP_AUDIO, "opus"},
        {"p-m1", KN_SDP_VIDEO, "VP8" }
    };
    (void)state;
    load("aiortc_offer.sdp");
    assert_int_equal(kn_plan_offer(&offer, tracks, 2, &ans, &plan, &reason), 0);
    assert_int_equal(plan.track[0], 0);
    assert_int_equal(plan.track[1], 1);
    ans.sending = true;
    strcpy(ans.msid_stream, "pub1");
    ans.media[0].ssrc = 1111;
    ans.media[1].ssrc = 2222;
    ans.media[1].rtx_ssrc = 3333;
    const char *text = write_and_parse();
    assert_non_null(strstr(text, "a=ssrc-group:FID 2222 3333\r\n"));
    assert_non_null(strstr(text, "a=msid:pub1 pub1-1\r\n"));
    const kn_sdp_media *v = &back.media[1];
    assert_int_equal(v->dir, KN_SDP_SENDONLY);
    assert_int_equal(v->n_ssrcs, 2);
    assert_int_equal(v->ssrcs[0].ssrc, 2222);
    assert_str(v->ssrcs[0].cname, "konsil");
    assert_int_equal(v->fids[0].rtx_ssrc, 3333);
    assert_int_equal(back.media[0].ssrcs[0].ssrc, 1111);
    assert_int_equal(v->n_rids, 0);
}

static void whep_needs_publisher_codec(void **state) {
    const char *reason = NULL;
    kn_track h264[1] = {
        {"p-m1", KN_SDP_VIDEO, "H264"}
    };
    kn_track none[1] = {
        {"p-m0", KN_SDP_AUDIO, "opus"}
    };
    (void)state;
    load("aiortc_offer.sdp");
    assert_int_equal(kn_plan_offer(&offer, h264, 1, &ans, &plan, &reason), 0);
    assert_false(ans.media[0].accepted); /* no audio track to show */
    assert_int_equal(offer.media[1].codecs[ans.media[1].codec].pt, 101); /* 42e01f, not 42001f */
    assert_int_equal(offer.media[1].codecs[ans.media[1].rtx].pt, 102);
    const char *text = write_and_parse();
    assert_non_null(strstr(text, "m=audio 0 UDP/TLS/RTP/SAVPF 96 0 8\r\n"));
    assert_int_equal(back.media[0].port, 0);
    assert_int_equal(back.n_bundle, 1);
    load("chrome156_simulcast.sdp");
    memset(&ans, 0, sizeof(ans));
    /* Chrome's offer is sendonly: a viewer cannot use it */
    assert_int_equal(kn_plan_offer(&offer, none, 1, &ans, &plan, &reason), KN_EINVAL);
    assert_non_null(reason);
}

static void setup_roles(void **state) {
    (void)state;
    assert_int_equal(kn_sdp_answer_setup(KN_SDP_ACTPASS), KN_SDP_PASSIVE);
    assert_int_equal(kn_sdp_answer_setup(KN_SDP_ACTIVE), KN_SDP_PASSIVE);
    assert_int_equal(kn_sdp_answer_setup(KN_SDP_PASSIVE), KN_SDP_ACTIVE);
    assert_int_equal(kn_sdp_answer_setup(KN_SDP_SETUP_NONE), KN_SDP_PASSIVE);
}

static const char passive_offer[] =
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a\r\n"
    "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
    "a=fingerprint:sha-256 E0:9B:3B:D0:0C:88:96:02:4A:D1:D8:66:7C:49:C2:05:65:49:54:63:2B:1A:F3:"
    "4F:9C:29:4A:35:10:21:8E:A8\r\na=setup:passive\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 100 101 102\r\na=mid:a\r\na=sendonly\r\na=rtcp-mux\r\n"
    "a=rtpmap:100 VP9/90000\r\na=rtpmap:101 H264/90000\r\n"
    "a=fmtp:101 packetization-mode=0;profile-level-id=42e01f\r\n"
    "a=rtpmap:102 H264/90000\r\na=fmtp:102 profile-level-id=42e01f;packetization-mode=1\r\n";

static void passive_offer_and_h264(void **state) {
    const char *reason = NULL;
    (void)state;
    assert_int_equal(kn_sdp_parse((const uint8_t *)passive_offer, strlen(passive_offer), &offer),
                     0);
    memset(&ans, 0, sizeof(ans));
    assert_int_equal(kn_plan_offer(&offer, NULL, 0, &ans, &plan, &reason), 0);
    assert_string_equal(plan.sfu_role, "client");
    assert_int_equal(offer.media[0].codecs[ans.media[0].codec].pt, 102);
    assert_int_equal(ans.media[0].rtx, -1);
    write_and_parse();
    assert_int_equal(back.media[0].creds.setup, KN_SDP_ACTIVE);
}

static void rejects_what_we_cannot_serve(void **state) {
    const char *reason = NULL;
    char text[2048];
    (void)state;
    /* no rtcp-mux */
    strcpy(text, passive_offer);
    *strstr(text, "a=rtcp-mux") = 'x';
    assert_int_equal(kn_sdp_parse((const uint8_t *)text, strlen(text), &offer), 0);
    memset(&ans, 0, sizeof(ans));
    assert_int_equal(kn_plan_offer(&offer, NULL, 0, &ans, &plan, &reason), KN_EINVAL);
    /* sha-1 fingerprint */
    strcpy(text, passive_offer);
    memcpy(strstr(text, "sha-256"), "sha-001", 7);
    assert_int_equal(kn_sdp_parse((const uint8_t *)text, strlen(text), &offer), 0);
    memset(&ans, 0, sizeof(ans));
    assert_int_equal(kn_plan_offer(&offer, NULL, 0, &ans, &plan, &reason), KN_EINVAL);
    assert_string_equal(reason, "offer lacks an a=fingerprint:sha-256");
    /* no answerable m-line at all */
    memset(&ans, 0, sizeof(ans));
    assert_int_equal(kn_sdp_answer_write(&offer, &ans, out, sizeof(out), &(size_t){0}), KN_EINVAL);
}

/* Firefox with bundlePolicy max-bundle: the second m-line has port 0 and a=bundle-only. */
static void firefox_bundle_only(void **state) {
    const char *reason = NULL;
    char text[4096];
    (void)state;
    size_t len = 0;
    uint8_t *ff = fixture_load("firefox_esr_simulcast.sdp", &len);
    assert_non_null(ff);
    memcpy(text, ff, len);
    text[len] = '\0';
    free(ff);
    char *m = strstr(text, "m=video 9 ");
    m[8] = '0'; /* port 9 -> 0 */
    char *c = strstr(m, "\r\n") + 2;
    memmove(c + 15, c, strlen(c) + 1);
    memcpy(c, "a=bundle-only\r\n", 15);
    assert_int_equal(kn_sdp_parse((const uint8_t *)text, strlen(text), &offer), 0);
    assert_int_equal(offer.media[1].port, 0);
    assert_true(offer.media[1].bundle_only);
    memset(&ans, 0, sizeof(ans));
    assert_int_equal(kn_plan_offer(&offer, NULL, 0, &ans, &plan, &reason), 0);
    assert_true(ans.media[1].accepted);
    write_and_parse();
    assert_int_equal(back.media[1].port, 9);
    /* without a=bundle-only, port 0 stays rejected */
    offer.media[1].bundle_only = false;
    memset(&ans, 0, sizeof(ans));
    assert_int_equal(kn_plan_offer(&offer, NULL, 0, &ans, &plan, &reason), 0);
    assert_false(ans.media[1].accepted);
}

/* A real Firefox ESR 153 offer captured through tests/lib/page_rtc.js (max-bundle). */
static void firefox_real_max_bundle(void **state) {
    const char *reason = NULL;
    (void)state;
    load("firefox_esr153_max_bundle.sdp");
    assert_int_equal(kn_plan_offer(&offer, NULL, 0, &ans, &plan, &reason), 0);
    assert_true(ans.media[0].accepted && ans.media[1].accepted);
    assert_str(offer.media[1].codecs[ans.media[1].codec].name, "VP8");
    write_and_parse();
    assert_int_equal(back.n_bundle, 2);
}

static void small_buffer_is_a_limit(void **state) {
    const char *reason = NULL;
    size_t n = 0;
    (void)state;
    load("chrome156_simulcast.sdp");
    assert_int_equal(kn_plan_offer(&offer, NULL, 0, &ans, &plan, &reason), 0);
    fill_sfu();
    assert_int_equal(kn_sdp_answer_write(&offer, &ans, out, 200, &n), KN_ELIMIT);
    assert_int_equal(kn_sdp_answer_write(&offer, &ans, out, 0, &n), KN_ELIMIT);
}

static int teardown(void **state) {
    (void)state;
    free(buf);
    buf = NULL;
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whip_chrome_simulcast),
        cmocka_unit_test(whip_firefox_extmap_directions),
        cmocka_unit_test(whep_aiortc_ssrcs),
        cmocka_unit_test(whep_needs_publisher_codec),
        cmocka_unit_test(setup_roles),
        cmocka_unit_test(passive_offer_and_h264),
        cmocka_unit_test(rejects_what_we_cannot_serve),
        cmocka_unit_test(firefox_bundle_only),
        cmocka_unit_test(firefox_real_max_bundle),
        cmocka_unit_test(small_buffer_is_a_limit),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
