/*
 * test_peer_rx.c: cmocka tests of a subscriber peer's receive side (peer_rx.c)
 * over real sockets and SRTP: packet/loss/duplicate counting, VP8 frame
 * completion (also through a retransmission), the freeze rule (with freezes charged
 * to the generator's own stalls and a trailing freeze at the window's end), the NACK it sends
 * for a gap (read back from a loopback socket, SRTCP-unprotected and parsed),
 * transport-cc feedback, latency matching against a publisher's clip, and the
 * clear-header counting of --verify-sample.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clip.h"
#include "core/bytes.h"
#include "peer.h"
#include "peer_rx.h"
#include "peer_tx.h"
#include "rtp/rtcp.h"
#include "rtp/rtcp_fb.h"
#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"

typedef struct fixture {
    uv_loop_t loop;
    kn_peer p;
    int sink;                 /* receives what the peer sends */
    kn_srtp_session sink_srtp; /* mirrored keys */
} fixture;

static fixture fx;

static int setup(void **state) {
    (void)state;
    kn_srtp_keys k = {.profile = KN_SRTP_AEAD_AES_128_GCM, .key_salt_len = 28};
    memset(&fx, 0, sizeof(fx));
    for (int i = 0; i < 28; i++) {
        k.local[i] = (uint8_t)i;
        k.remote[i] = (uint8_t)(100 + i);
    }
    assert_int_equal(kn_srtp_global_init(), 0);
    assert_int_equal(uv_loop_init(&fx.loop), 0);
    kn_peer *p = &fx.p;
    kn_peer_cfg cfg = {.loop = &fx.loop, .local_ip = "127.0.0.1"};
    assert_int_equal(kn_peer_init(p, &cfg, 1, false), 0);
    assert_int_equal(kn_srtp_session_init(&p->srtp, &k), 0);
    kn_srtp_keys m = k;
    memcpy(m.local, k.remote, 28);
    memcpy(m.remote, k.local, 28);
    assert_int_equal(kn_srtp_session_init(&fx.sink_srtp, &m), 0);
    fx.sink = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    assert_int_equal(bind(fx.sink, (struct sockaddr *)&a, sizeof(a)), 0);
    getsockname(fx.sink, (struct sockaddr *)&p->remote, &al);
    p->ans.video_pt = 96;
    p->ans.audio_pt = 111;
    p->media_ok = true;
    p->connected_us = 1;
    kn_peer_window_start(p);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    kn_peer_close(&fx.p);
    kn_srtp_session_close(&fx.sink_srtp);
    uv_run(&fx.loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&fx.loop), 0);
    close(fx.sink);
    return 0;
}

/* An RTP packet with a transport-cc extension (id 4) and a VP8 payload of `n` bytes. */
static size_t vp8_pkt(uint8_t *buf, uint16_t seq, uint32_t ts, bool first, bool marker,
                      uint16_t twcc, const uint8_t *media, size_t n) {
    kn_rtp h = {.marker = marker, .pt = 96, .seq = seq, .ts = ts, .ssrc = 0xabcd, .extension = true};
    size_t len, el;
    uint8_t tw[2];
    kn_put_u16(tw, twcc);
    kn_rtp_ext_src e = {KN_LG_EXT_TWCC, 2, tw};
    kn_rtp_write(&h, buf, 1500, &len);
    kn_rtp_ext_write(&e, 1, buf + len, 64, &el);
    len += el;
    /* descriptor X|S, I, M | picture id; payload byte 0 with P=1 (interframe) */
    buf[len++] = first ? 0x90 : 0x80;
    buf[len++] = 0x80;
    buf[len++] = 0x80;
    buf[len++] = 0x01;
    memcpy(buf + len, media, n);
    return len + n;
}

static void feed(uint16_t seq, uint32_t ts, bool first, bool marker, uint64_t now) {
    uint8_t buf[1600], media[100];
    memset(media, 0x11, sizeof(media));
    size_t n = vp8_pkt(buf, seq, ts, first, marker, seq, media, sizeof(media));
    kn_peer_rx_on_rtp(&fx.p, buf, n, now);
}

/* Reads one datagram from the sink and unprotects it as SRTCP; returns its length. */
static size_t sink_rtcp(uint8_t *buf, size_t cap) {
    ssize_t n = recv(fx.sink, buf, cap, 0);
    assert_true(n > 0);
    size_t len = (size_t)n;
    assert_int_equal(kn_srtp_session_unprotect_rtcp(&fx.sink_srtp, buf, &len), 0);
    return len;
}

static void test_frames_loss_nack(void **state) {
    (void)state;
    uint64_t t = 1000000;
    fx.p.window_start_us = t;
    /* frame 1: seq 100-101; frame 2: 102-103 with 103 lost at first; frame 3: 104-105 */
    feed(100, 3000, true, false, t);
    feed(101, 3000, false, true, t + 100);
    feed(102, 6000, true, false, t + 33000);
    feed(104, 9000, true, false, t + 66000); /* gap: NACK for 103 goes out now */
    feed(105, 9000, false, true, t + 66100);
    kn_sub_stream *s = &fx.p.rx[0];
    assert_int_equal(fx.p.n_rx, 1);
    assert_int_equal(s->w_frames, 2); /* frames 1 and 3; frame 2 misses 103 */
    assert_int_equal(s->w_received, 5);
    assert_int_equal(fx.p.c.nacks_out, 1);
    uint8_t buf[1500];
    size_t len = sink_rtcp(buf, sizeof(buf));
    kn_rtcp_fb fb;
    uint16_t seqs[8];
    size_t n;
    assert_int_equal(kn_rtcp_nack_parse(buf, len, &fb, seqs, 8, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(seqs[0], 103);
    assert_int_equal(fb.media_ssrc, 0xabcd);
    /* the retransmission completes frame 2, which is older than frame 3: counted as
     * received but not as a frame toward smoothness */
    feed(103, 6000, false, true, t + 80000);
    assert_int_equal(s->w_received, 6);
    assert_int_equal(s->w_frames, 2);
    feed(103, 6000, false, true, t + 80001); /* duplicate */
    assert_int_equal(s->w_received, 6);
    assert_int_equal(s->max_ext - s->w_base, 6); /* expected: loss 0 after repair */
    /* a frame 250 ms after the last one: one freeze */
    feed(106, 12000, true, true, t + 66100 + 250000);
    assert_int_equal(s->w_frames, 3);
    assert_int_equal(s->w_freezes, 1);
    assert_int_equal(s->w_freeze_us, 250000);
    feed(107, 15000, true, true, t + 66100 + 250000 + 33000);
    assert_int_equal(s->w_freezes, 1);
}

/* A gap that overlaps a stall of the generator's loop is the generator's freeze. */
static void test_freeze_during_own_stall(void **state) {
    (void)state;
    uint64_t t = 3000000;
    fx.p.window_start_us = t;
    feed(1, 3000, true, true, t);
    kn_peer_stall = (kn_peer_stalls){.count = 1, .last_from_us = t + 10000, .last_to_us = t + 240000};
    feed(2, 6000, true, true, t + 250000);
    kn_sub_stream *s = &fx.p.rx[0];
    assert_int_equal(s->w_freezes, 0);
    assert_int_equal(s->w_gen_freezes, 1);
    feed(3, 9000, true, true, t + 500000); /* no stall in this gap: the server's */
    assert_int_equal(s->w_freezes, 1);
    assert_int_equal(s->w_gen_freezes, 1);
    kn_peer_stall = (kn_peer_stalls){0};
    /* the stream stops: the window's end 300 ms later closes a trailing freeze */
    kn_peer_window_end(&fx.p, t + 800000);
    assert_int_equal(s->w_freezes, 2);
    assert_int_equal(s->w_freeze_us, 250000 + 300000);
}

static void test_twcc_feedback(void **state) {
    (void)state;
    uint64_t t = 5000000;
    fx.p.window_start_us = t;
    feed(10, 3000, true, true, t);
    feed(11, 6000, true, true, t + 1000);
    feed(13, 9000, true, true, t + 3000); /* twcc 12 missing */
    fx.p.next_rtcp_us = UINT64_MAX;       /* only the TWCC timer is due */
    kn_peer_rx_tick(&fx.p, t + 4000);
    assert_int_equal(fx.p.c.twcc_out, 1);
    uint8_t buf[1500];
    size_t len = sink_rtcp(buf, sizeof(buf));
    if (buf[1] == KN_RTCP_RTPFB && (buf[0] & 31) == KN_RTCP_FB_NACK) /* the NACK for 12 */
        len = sink_rtcp(buf, sizeof(buf));
    kn_twcc h;
    kn_twcc_status st[8];
    size_t n;
    assert_int_equal(kn_twcc_parse(buf, len, &h, st, 8, &n), 0);
    assert_int_equal(h.base_seq, 10);
    assert_int_equal(n, 4);
    assert_int_equal(st[1].delta_us, 1000);
    assert_int_equal(st[2].status, KN_TWCC_NOT_RECEIVED);
    assert_int_equal(st[3].delta_us, 2000);
    kn_peer_rx_tick(&fx.p, t + 200000); /* nothing new: no second feedback */
    assert_int_equal(fx.p.c.twcc_out, 1);
}

static void test_latency_match(void **state) {
    (void)state;
    static kn_clip clip;
    static kn_peer pub;
    assert_int_equal(kn_clip_build(&clip, 1), 0);
    memset(&pub, 0, sizeof(pub));
    assert_int_equal(kn_peer_tx_init(&pub, &clip, 1), 0);
    fx.p.pub = &pub;
    const kn_clip_track *q = &clip.video[0];
    size_t k = 5;
    while (!q->pkts[k].unique)
        k++;
    pub.tx[1].send_us[k] = 7000000;
    const kn_clip_pkt *cp = &q->pkts[k];
    uint8_t buf[1600];
    size_t n = vp8_pkt(buf, 500, 1, false, cp->marker, 1, q->data + cp->off + 4, cp->len - 4u);
    fx.p.window_start_us = 7000000;
    kn_peer_rx_on_rtp(&fx.p, buf, n, 7001500);
    assert_int_equal(fx.p.lat->count, 1);
    assert_int_equal(kn_lat_quantile(fx.p.lat, 0.5), 1510);
    assert_int_equal(fx.p.c.layer_pkts[0], 1);
    feed(501, 2, true, true, 7002000); /* bytes of no clip packet */
    assert_int_equal(fx.p.lat->count, 1);
    assert_int_equal(fx.p.c.lat_unmatched, 1);
    fx.p.pub = NULL;
    kn_peer_tx_free(&pub);
    kn_clip_free(&clip);
}

/* --verify-sample: packets counted from the clear header only. The payload bytes
 * are garbage (as if still encrypted), so frames are told by marker bits: a frame
 * starts at the packet after the previous marker, and is complete when every
 * sequence number up to its own marker arrived. No latency samples. */
static void feed_clear(uint16_t seq, uint32_t ts, bool marker, uint64_t now) {
    uint8_t buf[1600], junk[100];
    memset(junk, 0xee, sizeof(junk));
    size_t n = vp8_pkt(buf, seq, ts, false, marker, seq, junk, sizeof(junk));
    memset(buf + n - sizeof(junk) - 4, 0xee, 4); /* no readable descriptor either */
    kn_peer_rx_on_rtp_clear(&fx.p, buf, n, now);
}

static void test_clear_header_counting(void **state) {
    (void)state;
    uint64_t t = 9000000;
    fx.p.window_start_us = t;
    feed(200, 3000, true, true, t); /* one verified packet: a whole frame */
    feed_clear(201, 6000, false, t + 33000);
    feed_clear(202, 6000, true, t + 33100);  /* frame 6000 complete: 201-202 */
    feed_clear(203, 9000, false, t + 66000);
    feed_clear(205, 9000, true, t + 66200);  /* 204 missing: incomplete, NACK sent */
    feed_clear(206, 12000, true, t + 99000); /* starts after 205's marker: complete */
    kn_sub_stream *s = &fx.p.rx[0];
    assert_int_equal(fx.p.c.rtp_unverified, 5);
    assert_int_equal(s->w_received, 6);
    assert_int_equal(s->w_frames, 3);
    assert_int_equal(s->w_keyframes, 0);
    assert_int_equal(fx.p.c.nacks_out, 1);
    assert_int_equal(s->max_ext - s->w_base, 7); /* one of 7 expected lost */
    assert_int_equal(fx.p.lat->count, 0);
    feed_clear(204, 9000, false, t + 110000); /* the retransmission completes 9000 late */
    assert_int_equal(s->w_received, 7);
    assert_int_equal(s->w_frames, 3); /* older than 12000: not toward smoothness */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_frames_loss_nack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_freeze_during_own_stall, setup, teardown),
        cmocka_unit_test_setup_teardown(test_twcc_feedback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latency_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clear_header_counting, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
