/* test_layer_sel.c: simulcast / temporal layer switching of one consumer, fed with
 * synthetic packets of three encodings: router/layer_sel.c decisions, and the
 * rewriting that makes the result one stream (router/seq_map.c skips,
 * router/vp8_map.c picture id / TL0PICIDX continuity). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "router/layer_sel.h"
#include "router/seq_map.h"
#include "router/vp8_map.h"
#include "rtp/vp8.h"

#define ALL3 7u

static kn_layer_verdict pkt(kn_layer_sel *s, unsigned enc, bool key) {
    return kn_layer_sel_on_packet(s, enc, key, false, 0, false, true);
}

static void switches_spatial_only_at_keyframes(void **state) {
    kn_layer_sel s;
    (void)state;
    kn_layer_sel_init(&s);
    kn_layer_sel_set_prefs(&s, 0, 2, false);
    assert_true(kn_layer_sel_update(&s, ALL3, 3)); /* a keyframe of q is wanted */
    assert_int_equal(s.target, 0);
    assert_int_equal(pkt(&s, 2, true), KN_LAYER_DROP);  /* not the target */
    assert_int_equal(pkt(&s, 0, false), KN_LAYER_DROP); /* no keyframe yet */
    assert_int_equal(pkt(&s, 0, true), KN_LAYER_SWITCH);
    assert_int_equal(pkt(&s, 0, false), KN_LAYER_FORWARD);
    assert_false(kn_layer_sel_update(&s, ALL3, 3));
    /* up to f: q keeps flowing until f's keyframe */
    kn_layer_sel_set_prefs(&s, 2, 2, false);
    assert_true(kn_layer_sel_update(&s, ALL3, 3));
    assert_int_equal(s.target, 2);
    assert_int_equal(pkt(&s, 0, false), KN_LAYER_FORWARD);
    assert_int_equal(pkt(&s, 2, false), KN_LAYER_DROP);
    assert_int_equal(pkt(&s, 1, true), KN_LAYER_DROP);
    assert_int_equal(pkt(&s, 2, true), KN_LAYER_SWITCH);
    assert_int_equal(pkt(&s, 0, false), KN_LAYER_DROP);
    assert_int_equal(s.current, 2);
    /* f stops: the best active below is the target, current is none */
    assert_true(kn_layer_sel_update(&s, 3u, 3));
    assert_int_equal(s.current, -1);
    assert_int_equal(s.target, 1);
    assert_int_equal(pkt(&s, 1, true), KN_LAYER_SWITCH);
    /* the allocator's cap wins over a higher preference */
    s.cap_spatial = 0;
    assert_true(kn_layer_sel_update(&s, ALL3, 3));
    assert_int_equal(s.target, 0);
    /* nothing active at or below the limit: the lowest active one */
    assert_true(kn_layer_sel_update(&s, 4u, 3));
    assert_int_equal(s.target, 2);
}

static void pause_and_resume(void **state) {
    kn_layer_sel s;
    (void)state;
    kn_layer_sel_init(&s);
    kn_layer_sel_update(&s, ALL3, 3);
    assert_int_equal(pkt(&s, 2, true), KN_LAYER_SWITCH);
    s.changed = false;
    kn_layer_sel_set_prefs(&s, 2, 2, true);
    assert_false(kn_layer_sel_update(&s, ALL3, 3));
    assert_true(s.changed);
    assert_int_equal(s.target, -1);
    assert_int_equal(pkt(&s, 2, true), KN_LAYER_DROP);
    kn_layer_sel_set_prefs(&s, 2, 2, false);
    assert_true(kn_layer_sel_update(&s, ALL3, 3));
    assert_int_equal(pkt(&s, 2, false), KN_LAYER_DROP); /* resumes at a keyframe */
    assert_int_equal(pkt(&s, 2, true), KN_LAYER_SWITCH);
}

/* VP8 L1T3 pattern of TIDs 0 2 1 2 0 ..., one packet per frame. */
static void temporal_drop_and_sync(void **state) {
    kn_layer_sel s;
    (void)state;
    kn_layer_sel_init(&s);
    kn_layer_sel_update(&s, 1u, 1);
    assert_int_equal(kn_layer_sel_on_packet(&s, 0, true, true, 0, false, true), KN_LAYER_SWITCH);
    kn_layer_sel_set_prefs(&s, 2, 0, false);
    /* down at the next frame start */
    assert_int_equal(kn_layer_sel_on_packet(&s, 0, false, true, 2, false, false), KN_LAYER_FORWARD);
    assert_int_equal(kn_layer_sel_on_packet(&s, 0, false, true, 1, false, true), KN_LAYER_SKIP);
    assert_int_equal(kn_layer_sel_on_packet(&s, 0, false, true, 2, false, true), KN_LAYER_SKIP);
    assert_int_equal(kn_layer_sel_on_packet(&s, 0, false, true, 0, false, true), KN_LAYER_FORWARD);
    /* up only at a layer-sync frame */
    kn_layer_sel_set_prefs(&s, 2, 2, false);
    assert_int_equal(kn_layer_sel_on_packet(&s, 0, false, true, 2, false, true), KN_LAYER_SKIP);
    assert_int_equal(kn_layer_sel_on_packet(&s, 0, false, true, 1, true, true), KN_LAYER_FORWARD);
    assert_int_equal(kn_layer_sel_on_packet(&s, 0, false, true, 2, false, true), KN_LAYER_FORWARD);
    assert_int_equal(s.cur_tid, 2);
}

/* Sequence numbers stay contiguous over skipped packets and a switch; a late
 * packet gets the number reserved for it. */
static void seq_skip_leaves_no_gap(void **state) {
    kn_seq_map m;
    uint16_t o;
    uint32_t ts;
    (void)state;
    kn_seq_map_init(&m, 1000);
    assert_int_equal(kn_seq_map_map(&m, 50, 0, 90000, 0, &o, &ts), 0);
    assert_int_equal(o, 1000);
    kn_seq_map_skip(&m, 51);
    kn_seq_map_skip(&m, 52);
    /* 53 lost upstream, 54 arrives */
    assert_int_equal(kn_seq_map_map(&m, 54, 0, 90000, 0, &o, &ts), 0);
    assert_int_equal(o, 1002); /* 1001 is 53's */
    assert_int_equal(kn_seq_map_map(&m, 53, 0, 90000, 0, &o, &ts), 0);
    assert_int_equal(o, 1001); /* the retransmission fills the gap */
    kn_seq_map_skip(&m, 55);
    kn_seq_map_resync(&m); /* switch to another encoding */
    assert_int_equal(kn_seq_map_map(&m, 7000, 90000, 90000, 33, &o, &ts), 0);
    assert_int_equal(o, 1003);
    assert_int_equal(kn_seq_map_map(&m, 6999, 0, 90000, 33, &o, &ts), -3 /* KN_EPROTO */);
}

static size_t vp8_pkt(uint8_t *buf, uint16_t pic, uint8_t tl0, uint8_t tid) {
    kn_vp8 d = {.x = true, .s = true, .i = true, .m = true, .l = true, .t = true,
                .picture_id = pic, .tl0picidx = tl0, .tid = tid};
    size_t n;
    assert_int_equal(kn_vp8_write(&d, buf, 16, &n), 0);
    buf[n] = 0x10; /* VP8 payload header byte */
    return n + 1;
}

static uint16_t rewrite(kn_vp8_map *m, uint16_t pic, uint8_t tl0, uint8_t tid, bool drop,
                        uint8_t *tl0_out) {
    uint8_t buf[16];
    kn_vp8 d;
    size_t n = vp8_pkt(buf, pic, tl0, tid);
    assert_int_equal(kn_vp8_parse(buf, n, &d), 0);
    if (drop) {
        kn_vp8_map_drop(m, &d);
        return 0xffff;
    }
    kn_vp8_map_rewrite(m, buf, &d);
    assert_int_equal(kn_vp8_parse(buf, n, &d), 0);
    *tl0_out = d.tl0picidx;
    return d.picture_id;
}

static void vp8_picture_ids_continue(void **state) {
    kn_vp8_map m;
    uint8_t tl0;
    (void)state;
    kn_vp8_map_init(&m);
    assert_int_equal(rewrite(&m, 100, 10, 0, false, &tl0), 100); /* first source kept */
    rewrite(&m, 101, 10, 2, true, &tl0);                          /* TID 2 dropped */
    assert_int_equal(rewrite(&m, 102, 10, 1, false, &tl0), 101);
    rewrite(&m, 103, 10, 2, true, &tl0);
    assert_int_equal(rewrite(&m, 104, 11, 0, false, &tl0), 102);
    assert_int_equal(tl0, 11);
    assert_int_equal(rewrite(&m, 102, 10, 1, false, &tl0), 101); /* late packet, same id */
    /* switch to an encoding numbering from 32760 (15-bit wrap ahead) */
    kn_vp8_map_resync(&m);
    assert_int_equal(rewrite(&m, 32760, 200, 0, false, &tl0), 103);
    assert_int_equal(tl0, 12);
    assert_int_equal(rewrite(&m, 32767, 200, 1, false, &tl0), 110);
    assert_int_equal(rewrite(&m, 0, 201, 0, false, &tl0), 111); /* input wrapped */
    assert_int_equal(tl0, 13);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(switches_spatial_only_at_keyframes),
        cmocka_unit_test(pause_and_resume),
        cmocka_unit_test(temporal_drop_and_sync),
        cmocka_unit_test(seq_skip_leaves_no_gap),
        cmocka_unit_test(vp8_picture_ids_continue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
