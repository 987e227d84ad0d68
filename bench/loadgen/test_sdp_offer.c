/*
 * test_sdp_offer.c: cmocka tests of the load generator's setup pieces: the
 * WHIP/WHEP offer (sdp_offer.c), parsing an answer shaped like
 * konsil-signaling's, the answer to a Janus-shaped offer, the HS256 token (http_client.c) against a vector made
 * with Python's hmac module, URL resolution, and latency quantiles (lat.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "core/err.h"
#include "http_client.h"
#include "lat.h"
#include "sdp_offer.h"

static const char fp[] =
    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";

static void test_publish_offer(void **state) {
    (void)state;
    char buf[8192];
    kn_offer_params p = {.publish = true, .ufrag = "abcd1234", .pwd = "pwpwpwpwpwpwpwpwpwpwpwpw",
                         .fingerprint = fp, .ip = "127.0.0.1", .port = 40000,
                         .audio_ssrc = 12345, .n_layers = 3};
    assert_int_equal(kn_offer_write(&p, buf, sizeof(buf)), 0);
    static const char *want[] = {
        "a=group:BUNDLE 0 1\r\n", "m=audio 40000 UDP/TLS/RTP/SAVPF 111\r\n",
        "m=video 40000 UDP/TLS/RTP/SAVPF 96\r\n", "a=setup:actpass\r\n",
        "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n",
        "a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n",
        "a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid\r\n",
        "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n",
        "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n",
        "a=extmap:12 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", "a=sendonly\r\n",
        "a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n",
        "a=ssrc:12345 cname:kn-loadgen\r\n", "a=fingerprint:sha-256 AA:BB:"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_non_null(strstr(buf, want[i]));
    assert_int_equal(kn_offer_write(&p, buf, 300), KN_ELIMIT);
    p.n_layers = 4;
    assert_int_equal(kn_offer_write(&p, buf, sizeof(buf)), KN_EINVAL);
}

static void test_view_offer(void **state) {
    (void)state;
    char buf[8192];
    kn_offer_params p = {.ufrag = "u", .pwd = "p", .fingerprint = fp, .ip = "127.0.0.1", .port = 1};
    assert_int_equal(kn_offer_write(&p, buf, sizeof(buf)), 0);
    assert_non_null(strstr(buf, "a=recvonly\r\n"));
    assert_null(strstr(buf, "a=sendonly"));
    assert_null(strstr(buf, "a=rid:"));
    assert_null(strstr(buf, "a=ssrc:"));
}

static const char answer[] =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\n"
    "a=ice-ufrag:SfUfRaG1\r\na=ice-pwd:sfupasswordsfupassword12\r\n"
    "a=fingerprint:sha-256 01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F:20\r\n"
    "a=setup:passive\r\na=mid:0\r\na=sendonly\r\na=rtpmap:111 opus/48000/2\r\n"
    "a=ssrc:1111 cname:konsil\r\n"
    "a=candidate:1 1 tcp 1518280447 127.0.0.1 30000 typ host tcptype passive\r\n"
    "a=candidate:2 1 udp 2122260223 127.0.0.1 30000 typ host\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\na=mid:1\r\na=rtpmap:96 VP8/90000\r\n"
    "a=rtpmap:97 rtx/90000\r\na=ssrc-group:FID 2222 3333\r\n"
    "a=ssrc:2222 cname:konsil\r\na=ssrc:3333 cname:konsil\r\n";

static void test_answer(void **state) {
    (void)state;
    kn_answer a;
    assert_int_equal(kn_answer_parse(answer, &a), 0);
    assert_string_equal(a.ufrag, "SfUfRaG1");
    assert_string_equal(a.pwd, "sfupasswordsfupassword12");
    assert_string_equal(a.fp_alg, "sha-256");
    assert_int_equal(strlen(a.fp), 95);
    assert_string_equal(a.setup, "passive");
    assert_true(a.ice_lite);
    assert_true(a.has_cand);
    assert_int_equal(ntohs(a.cand.sin_port), 30000);
    assert_int_equal(a.audio_pt, 111);
    assert_int_equal(a.video_pt, 96);
    assert_int_equal(a.n_ssrcs, 3);
    assert_int_equal(a.ssrcs[2], 3333);
    /* without the UDP candidate the answer is unusable */
    char cut[sizeof(answer)];
    memcpy(cut, answer, sizeof(answer));
    strstr(cut, "a=candidate:2")[2] = 'x';
    assert_int_equal(kn_answer_parse(cut, &a), KN_EPROTO);
}

/* A Janus VideoRoom subscriber offer (shape from notes/janus.md): audio + video with rtx. */
static const char janus_offer[] =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=VideoRoom 1234\r\nt=0 0\r\n"
    "a=group:BUNDLE a0 v1\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS janus\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=sendonly\r\na=mid:a0\r\n"
    "a=rtcp-mux\r\na=ice-ufrag:JnUf\r\na=ice-pwd:JanusPasswordJanusPasswd\r\na=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F:20\r\n"
    "a=setup:actpass\r\na=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=extmap:3 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=ssrc:100 cname:janus\r\n"
    "a=candidate:1 1 udp 2015363583 127.0.0.1 20250 typ host\r\na=end-of-candidates\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 127.0.0.1\r\na=sendonly\r\na=mid:v1\r\n"
    "a=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\na=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=extmap:5 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=ssrc-group:FID 200 201\r\na=ssrc:200 cname:janus\r\na=ssrc:201 cname:janus\r\n";

static void test_answer_to_offer(void **state) {
    (void)state;
    kn_answer o;
    char buf[8192];
    assert_int_equal(kn_answer_parse(janus_offer, &o), 0);
    assert_string_equal(o.setup, "actpass");
    assert_int_equal(o.n_mlines, 2);
    assert_string_equal(o.mlines[0].kind, "audio");
    assert_string_equal(o.mlines[0].mid, "a0");
    assert_int_equal(o.mlines[0].pt, 111);
    assert_string_equal(o.mlines[1].mid, "v1");
    assert_int_equal(o.mlines[1].pt, 96);
    assert_int_equal(o.twcc_id, 5);
    assert_int_equal(o.mid_id, 1);
    kn_offer_params p = {.ufrag = "abcd", .pwd = "pwpwpwpwpwpwpwpwpwpwpwpw", .fingerprint = fp,
                         .ip = "127.0.0.1", .port = 40001};
    assert_int_equal(kn_sdp_answer_write(&p, &o, buf, sizeof(buf)), 0);
    static const char *want[] = {"a=group:BUNDLE a0 v1\r\n", "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
                                 "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n", "a=mid:v1\r\n",
                                 "a=setup:active\r\n", "a=recvonly\r\n",
                                 "a=extmap:5 http://www.ietf.org/id/draft-holmer", "a=extmap:1 urn:",
                                 "a=candidate:1 1 udp 2130706431 127.0.0.1 40001 typ host\r\n"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_non_null(strstr(buf, want[i]));
    assert_null(strstr(buf, "rtx"));
    o.mlines[0].pt = o.mlines[1].pt = -1;
    assert_int_equal(kn_sdp_answer_write(&p, &o, buf, sizeof(buf)), KN_EPROTO);
}

static void test_token_and_url(void **state) {
    (void)state;
    char tok[1024], url[256];
    assert_int_equal(kn_http_mint_token("sekrit", "r1", "publish", 2000000000, tok, sizeof(tok)), 0);
    assert_string_equal(tok, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb29tIjoicjEiLCJyb2xlIjoicHVi"
                             "bGlzaCIsImV4cCI6MjAwMDAwMDAwMH0.1FsdkuZO7a7jjXNixZnZoiO_0xD8RD_lnFv8B7rANM4");
    assert_int_equal(kn_http_mint_token("s", "r", "publish", 1, tok, 64), KN_ELIMIT);
    assert_int_equal(kn_http_resolve("https://127.0.0.1:8443/whip/r1", "/whip/r1/abc", url, sizeof(url)), 0);
    assert_string_equal(url, "https://127.0.0.1:8443/whip/r1/abc");
    assert_int_equal(kn_http_resolve("http://h/x", "http://o:1/y", url, sizeof(url)), 0);
    assert_string_equal(url, "http://o:1/y");
    assert_int_equal(kn_http_resolve("ftp://h/x", "/y", url, sizeof(url)), KN_EINVAL);
}

static void test_lat(void **state) {
    (void)state;
    static kn_lat h, g;
    assert_int_equal(kn_lat_quantile(&h, 0.5), 0);
    for (uint64_t i = 0; i < 100; i++)
        kn_lat_add(&h, 1000 + i * 10); /* 1.00 .. 1.99 ms */
    assert_int_equal(kn_lat_quantile(&h, 0.5), 1510);
    assert_int_equal(kn_lat_quantile(&h, 0.99), 2000);
    kn_lat_add(&g, 50000);   /* coarse bucket 50..51 ms */
    kn_lat_add(&g, 9000000); /* overflow */
    kn_lat_merge(&h, &g);
    assert_int_equal(h.count, 102);
    assert_int_equal(kn_lat_quantile(&h, 1.0), 2000000);
    assert_int_equal(kn_lat_quantile(&g, 0.0), 51000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_offer), cmocka_unit_test(test_view_offer),
        cmocka_unit_test(test_answer), cmocka_unit_test(test_answer_to_offer),
        cmocka_unit_test(test_token_and_url),
        cmocka_unit_test(test_lat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
