/*
 * test_vp8_pack.c: cmocka tests of the load generator's VP8 packetizer
 * (vp8_pack.c) parsed back with the SFU's kn_vp8_parse, and of the clip
 * (clip.c): real libvpx/libopus output, keyframes where promised, content
 * hashes that find their packets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clip.h"
#include "core/err.h"
#include "rtp/vp8.h"
#include "vp8_pack.h"

/* A frame of 2500 bytes at 1200 B per payload: 3 payloads of 4 + 834/833/833 bytes. */
static void test_split_and_parse(void **state) {
    (void)state;
    uint8_t frame[2500], out[4096];
    uint16_t lens[8];
    size_t n;
    for (size_t i = 0; i < sizeof(frame); i++)
        frame[i] = (uint8_t)(i * 7 + 1);
    frame[0] = 0x10; /* VP8 payload header: P bit 0 = keyframe (RFC 7741 §4.3) */
    assert_int_equal(kn_vp8_pack(frame, sizeof(frame), 0x1234, 1200, out, sizeof(out), lens, 8, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(lens[0], 4 + 834);
    assert_int_equal(lens[1], 4 + 833);
    assert_int_equal(lens[2], 4 + 833);
    /* 0x90 = X|S, 0x80 = I, 0x92 0x34 = M | picture id 0x1234 */
    static const uint8_t desc0[4] = {0x90, 0x80, 0x92, 0x34};
    assert_memory_equal(out, desc0, 4);
    size_t off = 0, got = 0;
    for (size_t i = 0; i < n; i++) {
        kn_vp8 d;
        assert_int_equal(kn_vp8_parse(out + off, lens[i], &d), 0);
        assert_true(d.x && d.i && d.m);
        assert_int_equal(d.picture_id, 0x1234);
        assert_int_equal(d.s, i == 0);
        assert_int_equal(d.pid, 0);
        assert_int_equal(d.hdr_len, 4);
        assert_int_equal(d.keyframe, i == 0);
        assert_memory_equal(out + off + 4, frame + got, lens[i] - 4u);
        got += lens[i] - 4u;
        off += lens[i];
    }
    assert_int_equal(got, sizeof(frame));
}

static void test_limits(void **state) {
    (void)state;
    uint8_t frame[100] = {0}, out[256];
    uint16_t lens[4];
    size_t n;
    assert_int_equal(kn_vp8_pack(frame, 0, 1, 1200, out, sizeof(out), lens, 4, &n), KN_EINVAL);
    assert_int_equal(kn_vp8_pack(frame, 100, 0x8000, 1200, out, sizeof(out), lens, 4, &n), KN_EINVAL);
    assert_int_equal(kn_vp8_pack(frame, 100, 1, 4, out, sizeof(out), lens, 4, &n), KN_EINVAL);
    assert_int_equal(kn_vp8_pack(frame, 100, 1, 20, out, sizeof(out), lens, 4, &n), KN_ELIMIT);
    assert_int_equal(kn_vp8_pack(frame, 100, 1, 1200, out, 103, lens, 4, &n), KN_ELIMIT);
    assert_int_equal(kn_vp8_pack(frame, 100, 1, 1200, out, 104, lens, 4, &n), 0);
    assert_int_equal(n, 1);
}

static void test_clip(void **state) {
    (void)state;
    kn_clip c;
    assert_int_equal(kn_clip_build(&c, 2), 0);
    for (unsigned l = 0; l < 2; l++) {
        const kn_clip_track *t = &c.video[l];
        assert_int_equal(t->n_frames, KN_CLIP_FPS * KN_CLIP_SECONDS);
        size_t unique = 0;
        for (size_t f = 0; f < t->n_frames; f++) {
            const kn_clip_frame *fr = &t->frames[f];
            assert_int_equal(fr->keyframe, f % KN_CLIP_KEY_INTERVAL == 0);
            for (size_t k = 0; k < fr->n_pkts; k++) {
                const kn_clip_pkt *p = &t->pkts[fr->first_pkt + k];
                kn_vp8 d;
                assert_true(p->len <= KN_CLIP_MAX_PAYLOAD);
                assert_int_equal(kn_vp8_parse(t->data + p->off, p->len, &d), 0);
                assert_int_equal(d.keyframe, fr->keyframe && k == 0);
                assert_int_equal(p->marker, k + 1 == fr->n_pkts);
                uint64_t h = kn_clip_hash(t->data + p->off + 4, p->len - 4u);
                if (p->unique) {
                    unique++;
                    assert_int_equal(kn_clip_find(t, h), (long)(fr->first_pkt + k));
                }
            }
        }
        assert_true(unique * 100 >= t->n_pkts * 99); /* compressed data rarely repeats */
        /* within 25 % of the target bitrate (CBR over 4 s) */
        uint64_t kbps = t->bytes * 8 / 1000 / KN_CLIP_SECONDS;
        assert_true(kbps * 4 >= t->kbps * 3 && kbps * 4 <= t->kbps * 5);
        assert_int_equal(kn_clip_next_keyframe(t, 1), KN_CLIP_KEY_INTERVAL);
        assert_int_equal(kn_clip_next_keyframe(t, KN_CLIP_KEY_INTERVAL + 1), 0);
    }
    assert_int_equal(c.video[2].n_frames, 0);
    assert_int_equal(c.audio.n_frames, 200);
    assert_int_equal(c.audio.n_pkts, 200);
    assert_true(c.audio.pkts[10].len > 20 && c.audio.pkts[10].len < 400);
    assert_int_equal(kn_clip_find(&c.audio, 0x1234), -1);
    kn_clip_free(&c);
    kn_clip_free(&c); /* idempotent on a zeroed clip */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_and_parse),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_clip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
