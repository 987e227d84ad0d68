/*
 * test_sdp_offer.c: the SFU's subscribe offer (signaling/sdp/sdp_offer.c) and
 * the consumer codec table (room/sfu_sub.c), checked as text and by parsing
 * the offer back; a recorded Chromium answer to such an offer (re-offer with
 * two inactive m-sections) echoes the offered payload types and extension ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "fixture.h"
#include "room/sfu_sub.h"
#include "sdp/sdp_offer.h"

static kn_sdp back;
static kn_sdp_offer of;
static kn_sdp_answer t;
static char out[16384];

static const char sfu_fp[] = "E0:9B:3B:D0:0C:88:96:02:4A:D1:D8:66:7C:49:C2:05:65:49:54:63:2B:"
                             "1A:F3:4F:9C:29:4A:35:10:21:8E:A8";

static void assert_str(kn_str s, const char *want) {
    if (!kn_str_eq(s, want))
        fail_msg("got \"%.*s\", want \"%s\"", (int)s.len, s.p, want);
}

static unsigned count(const char *text, const char *needle) {
    unsigned n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void slot(unsigned i, kn_sdp_kind kind, const char *codec, bool live, uint32_t ssrc,
                 uint32_t rtx) {
    kn_sdp_offer_media *m = &of.media[i];
    kn_sfu_sub_codec(m, codec, kind);
    snprintf(m->mid, sizeof(m->mid), "%u", i);
    m->live = live;
    m->ssrc = ssrc;
    m->rtx_ssrc = rtx;
    strcpy(m->stream, live ? "p0a1b2c3d" : "-");
    snprintf(m->track, sizeof(m->track), "%s", live ? "p7c1e2f30.sub1.c1" : "-");
    of.n_media = (uint8_t)(i + 1);
}

static int setup(void **state) {
    (void)state;
    memset(&of, 0, sizeof(of));
    memset(&t, 0, sizeof(t));
    strcpy(t.ice_ufrag, "4tiNO5if");
    strcpy(t.ice_pwd, "Yb2Fcx6BZzFeABpn7CQ2PPkX");
    strcpy(t.fp_alg, "sha-256");
    strcpy(t.fp_value, sfu_fp);
    t.n_candidates = 2;
    t.candidates[0] = (kn_sdp_candidate){"1", 2130706431, false, "127.0.0.1", 10000};
    t.candidates[1] = (kn_sdp_candidate){"2", 1015022079, true, "127.0.0.1", 10000};
    of.session_id = 77;
    of.version = 5;
    of.rcvr_rtt = true;
    slot(0, KN_SDP_AUDIO, "opus", true, 1111, 0);
    slot(1, KN_SDP_VIDEO, "VP8", true, 2222, 3333);
    slot(2, KN_SDP_VIDEO, "VP8", false, 0, 0);
    return 0;
}

static void offer_text(void **state) {
    size_t n = 0;
    (void)state;
    assert_int_equal(kn_sdp_offer_write(&of, &t, out, sizeof(out), &n), 0);
    assert_int_equal(strlen(out), n);
    assert_non_null(strstr(out, "v=0\r\no=- 77 5 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n"
                                "a=group:BUNDLE 0 1 2\r\n"));
    assert_int_equal(count(out, "a=setup:actpass\r\n"), 3);
    assert_int_equal(count(out, "a=rtcp-xr:rcvr-rtt=all\r\n"), 3);
    assert_int_equal(count(out, "a=ice-ufrag:4tiNO5if\r\n"), 3);
    assert_int_equal(count(out, "a=end-of-candidates\r\n"), 3);
    assert_int_equal(count(out, "a=sendonly\r\n"), 2);
    assert_int_equal(count(out, "a=inactive\r\n"), 1);
    assert_non_null(strstr(out, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"));
    assert_non_null(strstr(out, "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"));
    assert_non_null(strstr(out, "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"));
    assert_non_null(strstr(out, "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"));
    assert_non_null(strstr(out, "a=ssrc-group:FID 2222 3333\r\n"));
    assert_non_null(strstr(out, "a=ssrc:3333 msid:p0a1b2c3d p7c1e2f30.sub1.c1\r\n"));
    assert_int_equal(count(out, "a=ssrc:"), 6); /* cname + msid for 1111, 2222, 3333 */
    assert_int_equal(count(out, "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"), 3);
    assert_non_null(
        strstr(out, "a=candidate:2 1 tcp 1015022079 127.0.0.1 10000 typ host tcptype passive\r\n"));
    /* the inactive m-section carries no SSRC or msid */
    const char *third = strstr(out, "a=mid:2\r\n");
    assert_non_null(third);
    assert_null(strstr(third, "a=ssrc"));
    assert_null(strstr(third, "a=msid:"));
}

static void offer_parses_back(void **state) {
    size_t n = 0;
    (void)state;
    assert_int_equal(kn_sdp_offer_write(&of, &t, out, sizeof(out), &n), 0);
    assert_int_equal(kn_sdp_parse((const uint8_t *)out, n, &back), 0);
    assert_true(back.ice_lite);
    assert_int_equal(back.n_bundle, 3);
    assert_int_equal(back.n_media, 3);
    assert_int_equal(back.media[0].dir, KN_SDP_SENDONLY);
    assert_int_equal(back.media[2].dir, KN_SDP_INACTIVE);
    const kn_sdp_media *v = &back.media[1];
    assert_int_equal(v->creds.setup, KN_SDP_ACTPASS);
    assert_str(v->creds.fp_value, sfu_fp);
    assert_str(v->mid, "1");
    assert_true(v->rtcp_mux && v->rtcp_rsize);
    assert_int_equal(v->n_codecs, 2);
    assert_int_equal(kn_sdp_codec_by_pt(v, 97)->apt, 96);
    assert_int_equal(kn_sdp_codec_by_pt(v, 96)->fb, KN_SDP_FB_NACK | KN_SDP_FB_PLI | KN_SDP_FB_FIR);
    assert_int_equal(v->n_fids, 1);
    assert_int_equal(v->fids[0].rtx_ssrc, 3333);
    assert_int_equal(v->n_ssrcs, 2);
    assert_str(v->msid, "p0a1b2c3d p7c1e2f30.sub1.c1");
    assert_int_equal(back.media[0].n_ssrcs, 1);
    assert_int_equal(back.media[2].n_ssrcs, 0);
}

static void offer_errors(void **state) {
    size_t n = 0;
    (void)state;
    assert_int_equal(kn_sdp_offer_write(&of, &t, out, 200, &n), KN_ELIMIT);
    of.media[1].ssrc = 0;
    assert_int_equal(kn_sdp_offer_write(&of, &t, out, sizeof(out), &n), KN_EINVAL);
    of.n_media = 0;
    assert_int_equal(kn_sdp_offer_write(&of, &t, out, sizeof(out), &n), KN_EINVAL);
    of.n_media = KN_SDP_MAX_MEDIA + 1;
    assert_int_equal(kn_sdp_offer_write(&of, &t, out, sizeof(out), &n), KN_EINVAL);
}

static void h264_and_no_rcvr_rtt(void **state) {
    size_t n = 0;
    (void)state;
    slot(1, KN_SDP_VIDEO, "H264", true, 2222, 3333);
    of.rcvr_rtt = false;
    assert_int_equal(kn_sdp_offer_write(&of, &t, out, sizeof(out), &n), 0);
    assert_null(strstr(out, "rtcp-xr"));
    assert_non_null(strstr(out, "m=video 9 UDP/TLS/RTP/SAVPF 102 103\r\n"));
    assert_non_null(strstr(out, "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;"
                                "profile-level-id=42e01f\r\n"));
    assert_non_null(strstr(out, "a=fmtp:103 apt=102\r\n"));
}

/* Chromium's answer to a re-offer with mids 2 and 3 inactive (recorded by
 * tests/integration/fixtures/room_sdp/capture.mjs). */
static void chromium_answer_echoes(void **state) {
    size_t len = 0;
    (void)state;
    uint8_t *buf = fixture_load("chrome_sub_answer_inactive.sdp", &len);
    assert_non_null(buf);
    assert_int_equal(kn_sdp_parse(buf, len, &back), 0);
    assert_int_equal(back.n_media, 4);
    for (unsigned i = 0; i < 4; i++) {
        const kn_sdp_media *m = &back.media[i];
        kn_sdp_creds c = kn_sdp_media_creds(&back, m);
        assert_int_equal(c.setup, KN_SDP_ACTIVE);
        assert_int_equal(m->dir, i < 2 ? KN_SDP_RECVONLY : KN_SDP_INACTIVE);
        assert_non_null(kn_sdp_codec_by_pt(m, m->kind == KN_SDP_AUDIO ? 111 : 96));
        assert_int_equal(m->n_extmaps, 2);
        for (unsigned k = 0; k < m->n_extmaps; k++)
            assert_int_equal(m->extmaps[k].id,
                             kn_str_eq(m->extmaps[k].uri, "urn:ietf:params:rtp-hdrext:sdes:mid") ? 4
                                                                                                : 2);
    }
    assert_non_null(kn_sdp_codec_by_pt(&back.media[1], 97));
    free(buf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(offer_text, setup),
        cmocka_unit_test_setup(offer_parses_back, setup),
        cmocka_unit_test_setup(offer_errors, setup),
        cmocka_unit_test_setup(h264_and_no_rcvr_rtt, setup),
        cmocka_unit_test(chromium_answer_echoes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
