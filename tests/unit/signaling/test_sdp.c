/*
 * test_sdp.c: the SDP offer parser on real offers (Chromium 156 with simulcast,
 * Firefox ESR with simulcast and a=extmap:<id>/<dir>, aiortc with ssrc-group
 * FID) and on malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "fixture.h"
#include "sdp/sdp.h"

static kn_sdp sdp;

static void assert_str(kn_str s, const char *want) {
    if (!kn_str_eq(s, want))
        fail_msg("got \"%.*s\", want \"%s\"", (int)s.len, s.p, want);
}

static int parse_fixture(const char *name, uint8_t **buf) {
    size_t len = 0;
    *buf = fixture_load(name, &len);
    assert_non_null(*buf);
    return kn_sdp_parse(*buf, len, &sdp);
}

static int parse_text(const char *text) {
    return kn_sdp_parse((const uint8_t *)text, strlen(text), &sdp);
}

static void chrome_session_and_bundle(void **state) {
    uint8_t *buf;
    (void)state;
    assert_int_equal(parse_fixture("chrome156_simulcast.sdp", &buf), 0);
    assert_int_equal(sdp.session_id, 4611731400430051336ULL);
    assert_int_equal(sdp.n_bundle, 2);
    assert_str(sdp.bundle[0], "0");
    assert_str(sdp.bundle[1], "1");
    assert_int_equal(sdp.n_media, 2);
    assert_false(sdp.ice_lite);
    kn_sdp_creds c = kn_sdp_media_creds(&sdp, &sdp.media[1]);
    assert_str(c.ufrag, "Xk9q");
    assert_str(c.pwd, "k3Jf8sVq0pL2mN7bR4tY6wZ1");
    assert_str(c.fp_alg, "sha-256");
    assert_int_equal(c.fp_value.len, 95);
    assert_int_equal(c.setup, KN_SDP_ACTPASS);
    free(buf);
}

static void chrome_audio(void **state) {
    uint8_t *buf;
    (void)state;
    assert_int_equal(parse_fixture("chrome156_simulcast.sdp", &buf), 0);
    const kn_sdp_media *a = &sdp.media[0];
    assert_int_equal(a->kind, KN_SDP_AUDIO);
    assert_int_equal(a->port, 9);
    assert_str(a->proto, "UDP/TLS/RTP/SAVPF");
    assert_str(a->mid, "0");
    assert_int_equal(a->dir, KN_SDP_SENDONLY);
    assert_true(a->rtcp_mux);
    assert_true(a->rtcp_rsize);
    assert_int_equal(a->n_codecs, 8);
    const kn_sdp_codec *opus = kn_sdp_codec_by_pt(a, 111);
    assert_non_null(opus);
    assert_str(opus->name, "opus");
    assert_int_equal(opus->clock_rate, 48000);
    assert_int_equal(opus->channels, 2);
    assert_str(opus->fmtp, "minptime=10;useinbandfec=1");
    assert_int_equal(opus->fb, KN_SDP_FB_TWCC);
    assert_int_equal(a->n_extmaps, 4);
    assert_int_equal(a->extmaps[3].id, 12);
    assert_str(a->extmaps[3].uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
    assert_int_equal(a->n_ssrcs, 1);
    assert_int_equal(a->ssrcs[0].ssrc, 2715542151u);
    assert_str(a->ssrcs[0].cname, "Fq3+Lk2bW9vR0tYp");
    assert_str(a->ssrcs[0].msid, "3b7c2f0e-5f55-4d1e-9a67-3a0c5a7e6d11 "
                                 "6f1d2c3b-aa11-4c2d-8e9f-0a1b2c3d4e5f");
    free(buf);
}

static void chrome_video_simulcast(void **state) {
    uint8_t *buf;
    (void)state;
    assert_int_equal(parse_fixture("chrome156_simulcast.sdp", &buf), 0);
    const kn_sdp_media *v = &sdp.media[1];
    assert_int_equal(v->kind, KN_SDP_VIDEO);
    assert_int_equal(v->n_codecs, 2);
    const kn_sdp_codec *vp8 = kn_sdp_codec_by_pt(v, 96), *rtx = kn_sdp_codec_by_pt(v, 97);
    assert_str(vp8->name, "VP8");
    assert_int_equal(vp8->fb, KN_SDP_FB_NACK | KN_SDP_FB_PLI | KN_SDP_FB_FIR | KN_SDP_FB_REMB |
                                  KN_SDP_FB_TWCC);
    assert_int_equal(vp8->apt, -1);
    assert_str(rtx->name, "rtx");
    assert_int_equal(rtx->apt, 96);
    assert_int_equal(v->n_extmaps, 13);
    assert_int_equal(v->n_rids, 3);
    assert_str(v->rids[0].id, "q");
    assert_str(v->rids[2].id, "f");
    assert_true(v->rids[1].send);
    assert_str(v->simulcast, "send q;h;f");
    assert_int_equal(v->n_ssrcs, 0);
    assert_str(v->msid,
               "3b7c2f0e-5f55-4d1e-9a67-3a0c5a7e6d11 0c9a8b7d-1e2f-4a3b-9c8d-7e6f5a4b3c2d");
    free(buf);
}

static void firefox_details(void **state) {
    uint8_t *buf;
    (void)state;
    assert_int_equal(parse_fixture("firefox_esr_simulcast.sdp", &buf), 0);
    kn_sdp_creds c = kn_sdp_media_creds(&sdp, &sdp.media[1]);
    assert_true(c.fp_value.p == sdp.creds.fp_value.p);
    assert_str(c.ufrag, "5d2f8a1c");
    const kn_sdp_media *a = &sdp.media[0], *v = &sdp.media[1];
    assert_int_equal(a->extmaps[1].id, 2);
    assert_int_equal(a->extmaps[1].dir, KN_SDP_RECVONLY);
    assert_int_equal(v->extmaps[6].id, 9);
    assert_int_equal(v->extmaps[6].dir, KN_SDP_SENDONLY);
    assert_str(v->extmaps[6].uri, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id");
    assert_int_equal(v->n_codecs, 9);
    assert_int_equal(kn_sdp_codec_by_pt(v, 124)->apt, 120);
    assert_int_equal(kn_sdp_codec_by_pt(v, 119)->apt, 122);
    assert_int_equal(v->n_ssrcs, 6);
    assert_int_equal(v->n_fids, 3);
    assert_int_equal(v->fids[2].ssrc, 1005);
    assert_int_equal(v->fids[2].rtx_ssrc, 1006);
    assert_int_equal(v->n_rids, 3);
    assert_int_equal(kn_sdp_codec_by_pt(a, 109)->channels, 2);
    free(buf);
}

static void aiortc_offer(void **state) {
    uint8_t *buf;
    (void)state;
    assert_int_equal(parse_fixture("aiortc_offer.sdp", &buf), 0);
    const kn_sdp_media *v = &sdp.media[1];
    assert_int_equal(sdp.media[0].port, 50000);
    assert_int_equal(v->dir, KN_SDP_SENDRECV);
    assert_int_equal(v->n_fids, 1);
    assert_int_equal(v->fids[0].ssrc, 2894512247u);
    assert_int_equal(v->fids[0].rtx_ssrc, 3312208450u);
    kn_str mode;
    assert_true(kn_sdp_fmtp_get(kn_sdp_codec_by_pt(v, 101)->fmtp, "profile-level-id", &mode));
    assert_str(mode, "42e01f");
    assert_str(v->creds.ufrag, "Ab3d");
    free(buf);
}

static void rejects_malformed(void **state) {
    (void)state;
    assert_int_equal(parse_text(""), KN_EINVAL);
    assert_string_equal(sdp.error, "empty SDP");
    assert_int_equal(parse_text("hello"), KN_EINVAL);
    assert_int_equal(parse_text("v=1\r\n"), KN_EINVAL);
    assert_int_equal(parse_text("v=0\r\n"), KN_EINVAL);
    assert_string_equal(sdp.error, "no m-line");
    assert_int_equal(parse_text("v=0\r\nm=audio x UDP/TLS/RTP/SAVPF 111\r\n"), KN_EINVAL);
    assert_string_equal(sdp.error, "bad m-line port");
    assert_int_equal(sdp.error_line, 2);
    assert_int_equal(parse_text("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 300\r\n"), KN_EINVAL);
    assert_int_equal(parse_text("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF\r\n"), KN_EINVAL);
    assert_int_equal(parse_text("v=0\r\nm=video 9 P 96\r\na=rid:q sideways\r\n"), KN_EINVAL);
    assert_int_equal(parse_text("v=0\r\nm=video 9 P 96\r\na=extmap:0 urn:x\r\n"), KN_EINVAL);
    assert_int_equal(parse_text("v=0\r\nm=video 9 P 96\r\na=rtpmap:96 VP8/x\r\n"), KN_EINVAL);
    assert_int_equal(parse_text("v=0\r\nm=video 9 P 96\r\na=ssrc:99999999999 cname:x\r\n"),
                     KN_EINVAL);
    assert_int_equal(parse_text("v=0\r\nm=audio 9 P 0\r\na=mid:a\r\nm=audio 9 P 0\r\na=mid:a\r\n"),
                     KN_EINVAL);
    assert_string_equal(sdp.error, "duplicate mid");
    assert_int_equal(parse_text("v=0\r\nm=audio 9 P 0\r\nx\r\n"), KN_EINVAL);
    assert_int_equal(kn_sdp_parse((const uint8_t *)"v=0\r\nm=audio 9 P 0\0\r\n", 20, &sdp),
                     KN_EINVAL);
}

static void enforces_limits(void **state) {
    char text[4096] = "v=0\r\n";
    (void)state;
    for (int i = 0; i <= KN_SDP_MAX_MEDIA; i++)
        strcat(text, "m=audio 9 P 0\r\n");
    assert_int_equal(parse_text(text), KN_ELIMIT);
    strcpy(text, "v=0\r\nm=video 9 P 96\r\n");
    for (int i = 0; i <= KN_SDP_MAX_RIDS; i++)
        strcat(text, "a=rid:r send\r\n");
    assert_int_equal(parse_text(text), KN_ELIMIT);
    strcpy(text, "v=0\r\nm=video 9 P");
    for (int i = 0; i <= KN_SDP_MAX_CODECS; i++)
        snprintf(text + strlen(text), 8, " %d", i);
    strcat(text, "\r\n");
    assert_int_equal(parse_text(text), KN_ELIMIT);
}

static void accepts_lf_and_ignores_unknown(void **state) {
    (void)state;
    assert_int_equal(parse_text("v=0\nb=AS:30\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\n"
                                "a=mid:2\na=sctp-port:5000\nm=audio 0 P 0\na=foo:bar\n"),
                     0);
    assert_int_equal(sdp.n_media, 2);
    assert_int_equal(sdp.media[0].kind, KN_SDP_OTHER);
    assert_str(sdp.media[0].fmts, "webrtc-datachannel");
    assert_int_equal(sdp.media[1].port, 0);
}

static void survives_every_truncation(void **state) {
    uint8_t *buf;
    size_t len;
    (void)state;
    buf = fixture_load("firefox_esr_simulcast.sdp", &len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, buf, n);
        int rc = kn_sdp_parse(copy, n, &sdp);
        assert_true(rc == 0 || rc == KN_EINVAL || rc == KN_ELIMIT);
        free(copy);
    }
    free(buf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chrome_session_and_bundle),
        cmocka_unit_test(chrome_audio),
        cmocka_unit_test(chrome_video_simulcast),
        cmocka_unit_test(firefox_details),
        cmocka_unit_test(aiortc_offer),
        cmocka_unit_test(rejects_malformed),
        cmocka_unit_test(enforces_limits),
        cmocka_unit_test(accepts_lf_and_ignores_unknown),
        cmocka_unit_test(survives_every_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
