/*
 * test_room.c: the room state machine (signaling/room/room.c) driven by a
 * test clock: join order and P2P pairs, SFU from three, back to P2P only after
 * the grace period (no flapping when the third comes back), teardown after
 * both p2p.ready or the deadline, resume within and expiry after the resume
 * grace, relay rules and the listener's state rule. Messages are captured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "room/room.h"
#include "signaling/room_capture.h"

static const char *mode_of(json_t *m) {
    return json_string_value(json_object_get(m, "mode"));
}

static void p2p_pair_and_offerer(void **state) {
    kn_room r;
    (void)state;
    kn_room_init(&r, "r1", &ops, &cfg);
    kn_part *a = join(&r, KN_ROLE_HOST, 0, 0);
    json_t *ja = last(a, "joined");
    assert_non_null(ja);
    assert_true(json_is_null(json_object_get(json_object_get(ja, "mode"), "peer")));
    kn_part *b = join(&r, KN_ROLE_GUEST, 1, 10);
    json_t *jb = json_object_get(last(b, "joined"), "mode");
    assert_string_equal(json_string_value(json_object_get(jb, "peer")), a->id);
    assert_true(json_is_true(json_object_get(jb, "offerer")));
    json_t *ma = last(a, "mode");
    assert_string_equal(json_string_value(json_object_get(ma, "peer")), b->id);
    assert_true(json_is_false(json_object_get(ma, "offerer")));
    assert_null(last(b, "mode")); /* the joiner learns its mode from joined only */
    assert_non_null(last(a, "participant-joined"));
    assert_int_equal(json_integer_value(json_object_get(ma, "epoch")),
                     json_integer_value(json_object_get(jb, "epoch")));
}

static void sfu_from_three_and_back_after_grace(void **state) {
    kn_room r;
    (void)state;
    kn_room_init(&r, "r1", &ops, &cfg);
    kn_part *a = join(&r, KN_ROLE_HOST, 0, 0);
    kn_part *b = join(&r, KN_ROLE_GUEST, 1, 0);
    kn_part *c = join(&r, KN_ROLE_GUEST, 2, 0);
    assert_int_equal(r.mode, KN_MODE_SFU);
    assert_string_equal(mode_of(last(a, "mode")), "sfu");
    assert_string_equal(mode_of(json_object_get(last(c, "joined"), "mode")), "sfu");
    kn_room_leave(&r, c, "left", 1000);
    assert_int_equal(n_gone, 1);
    kn_room_tick(&r, 4999);
    assert_int_equal(r.mode, KN_MODE_SFU); /* grace not over */
    /* the third comes back within the grace: no flapping */
    c = join(&r, KN_ROLE_GUEST, 2, 3000);
    kn_room_tick(&r, 8000);
    assert_int_equal(r.mode, KN_MODE_SFU);
    kn_room_leave(&r, c, "left", 9000);
    unsigned modes = count("mode");
    kn_room_tick(&r, 12999);
    assert_int_equal(count("mode"), modes);
    kn_room_tick(&r, 13000);
    assert_int_equal(r.mode, KN_MODE_P2P);
    json_t *m = last(a, "mode");
    assert_string_equal(mode_of(m), "p2p");
    assert_string_equal(json_string_value(json_object_get(m, "peer")), b->id);
    /* make-before-break: SFU peers stay until both confirm */
    int64_t epoch = r.epoch;
    kn_room_p2p_ready(&r, a, epoch - 1, 13100); /* stale: ignored */
    kn_room_p2p_ready(&r, a, epoch, 13100);
    assert_int_equal(n_teardown, 0);
    kn_room_p2p_ready(&r, b, epoch, 13200);
    assert_int_equal(n_teardown, 1);
    assert_non_null(last(a, "sfu.closed"));
    assert_non_null(last(b, "sfu.closed"));
}

static void teardown_deadline(void **state) {
    kn_room r;
    (void)state;
    kn_room_init(&r, "r1", &ops, &cfg);
    kn_part *a = join(&r, KN_ROLE_HOST, 0, 0);
    join(&r, KN_ROLE_GUEST, 1, 0);
    kn_part *c = join(&r, KN_ROLE_GUEST, 2, 0);
    kn_room_leave(&r, c, "left", 0);
    kn_room_tick(&r, 4000);
    kn_room_p2p_ready(&r, a, r.epoch, 4100);
    kn_room_tick(&r, 18999);
    assert_int_equal(n_teardown, 0);
    kn_room_tick(&r, 19000);
    assert_int_equal(n_teardown, 1);
}

static void resume_and_expiry(void **state) {
    kn_room r;
    (void)state;
    kn_room_init(&r, "r1", &ops, &cfg);
    kn_part *a = join(&r, KN_ROLE_HOST, 0, 0);
    kn_part *b = join(&r, KN_ROLE_GUEST, 1, 0);
    char token[32];
    strcpy(token, b->resume);
    kn_room_detach(&r, b, 100);
    json_t *u = json_object_get(last(a, "participant-updated"), "participant");
    assert_true(json_is_false(json_object_get(u, "connected")));
    kn_room_tick(&r, 20099);
    assert_ptr_equal(kn_room_find_resume(&r, token), b);
    kn_room_resume(&r, b, &conn_dummy[5], 3);
    json_t *j = last(b, "joined");
    assert_true(json_is_true(json_object_get(j, "resumed")));
    assert_int_equal(json_integer_value(json_object_get(j, "id")), 3);
    kn_room_tick(&r, 40000); /* connected again: not expired */
    assert_int_equal(r.n, 2);
    kn_room_detach(&r, b, 40000);
    kn_room_tick(&r, 60000);
    assert_int_equal(r.n, 1);
    assert_string_equal(json_string_value(json_object_get(last(a, "participant-left"), "reason")),
                        "timeout");
    assert_null(kn_room_find_resume(&r, token));
}

static void relay_rules(void **state) {
    kn_room r, other;
    kn_wsmsg m;
    (void)state;
    kn_room_init(&r, "r1", &ops, &cfg);
    kn_room_init(&other, "r2", &ops, &cfg);
    kn_part *a = join(&r, KN_ROLE_HOST, 0, 0);
    kn_part *b = join(&r, KN_ROLE_GUEST, 1, 0);
    kn_part *x = join(&other, KN_ROLE_HOST, 2, 0);
    char text[200];
    snprintf(text, sizeof(text), "{\"type\":\"p2p.offer\",\"to\":\"%s\",\"sdp\":\"v=0\"}", x->id);
    assert_int_equal(kn_wsmsg_parse((const uint8_t *)text, strlen(text), &m), 0);
    assert_int_equal(kn_room_relay(&r, a, &m), KN_ENOENT); /* another room */
    kn_wsmsg_free(&m);
    snprintf(text, sizeof(text), "{\"type\":\"p2p.offer\",\"to\":\"%s\",\"sdp\":\"v=0\"}", b->id);
    assert_int_equal(kn_wsmsg_parse((const uint8_t *)text, strlen(text), &m), 0);
    assert_int_equal(kn_room_relay(&r, a, &m), 0);
    json_t *got = last(b, "p2p.offer");
    assert_string_equal(json_string_value(json_object_get(got, "from")), a->id);
    assert_null(json_object_get(got, "to"));
    assert_int_equal(kn_room_relay(&r, b, &m), KN_ENOENT); /* to itself */
    kn_room_detach(&r, b, 5);
    assert_int_equal(kn_room_relay(&r, a, &m), KN_WS_EUNAVAIL);
    kn_wsmsg_free(&m);
}

static void listener_and_full_room(void **state) {
    kn_room r;
    kn_part *p;
    (void)state;
    kn_room_init(&r, "r1", &ops, &cfg);
    kn_part *l = join(&r, KN_ROLE_LISTENER, 0, 0);
    assert_false(l->audio);
    assert_int_equal(kn_room_set_state(&r, l, KN_WSMSG_TRUE, KN_WSMSG_UNSET), KN_WS_EFORBIDDEN);
    assert_int_equal(kn_room_set_state(&r, l, KN_WSMSG_FALSE, KN_WSMSG_UNSET), 0);
    for (int i = 1; i < KN_ROOM_MAX_PARTS; i++)
        join(&r, KN_ROLE_GUEST, i, 0);
    assert_int_equal(kn_room_join(&r, KN_ROLE_GUEST, NULL, KN_WSMSG_UNSET, KN_WSMSG_UNSET,
                                  &conn_dummy[15], -1, 0, &p),
                     KN_ELIMIT);
    assert_int_equal(r.n, KN_ROOM_MAX_PARTS);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(p2p_pair_and_offerer, capture_reset, capture_reset),
        cmocka_unit_test_setup_teardown(sfu_from_three_and_back_after_grace, capture_reset,
                                        capture_reset),
        cmocka_unit_test_setup_teardown(teardown_deadline, capture_reset, capture_reset),
        cmocka_unit_test_setup_teardown(resume_and_expiry, capture_reset, capture_reset),
        cmocka_unit_test_setup_teardown(relay_rules, capture_reset, capture_reset),
        cmocka_unit_test_setup_teardown(listener_and_full_room, capture_reset, capture_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
