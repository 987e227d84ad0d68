/*
 * test_sfu_pool.c: the SFU pool's placement rule (kn_sfupool_choose: the up
 * member with the fewest participants, then the fewest rooms, then the lowest
 * index) and how rooms spread when placed one after another, and the start
 * checks of the pool options (media ports past 65535, bad remote lists).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "ctl/sfu_pool.h"

static void none_up(void **state) {
    (void)state;
    kn_sfupool_load l[3] = {
        {false, 0, 0},
        {false, 0, 0},
        {false, 0, 0}
    };
    assert_int_equal(kn_sfupool_choose(l, 3), -1);
    assert_int_equal(kn_sfupool_choose(l, 0), -1);
}

static void fewest_parts_first(void **state) {
    (void)state;
    /* member 1 carries more rooms but fewer participants */
    kn_sfupool_load l[3] = {
        {true, 9, 1},
        {true, 6, 2},
        {true, 7, 1}
    };
    assert_int_equal(kn_sfupool_choose(l, 3), 1);
}

static void rooms_break_ties(void **state) {
    (void)state;
    kn_sfupool_load l[3] = {
        {true, 3, 2},
        {true, 3, 1},
        {true, 3, 1}
    };
    assert_int_equal(kn_sfupool_choose(l, 3), 1); /* then the lowest index */
}

static void down_members_skipped(void **state) {
    (void)state;
    kn_sfupool_load l[3] = {
        {false, 0,  0},
        {true,  12, 4},
        {false, 0,  0}
    };
    assert_int_equal(kn_sfupool_choose(l, 3), 1);
}

/* Rooms of 3 placed one by one over 4 members, the way sfu_room.c counts
 * them: one room at placement, then one participant per SFU participant. */
static void rooms_spread(void **state) {
    (void)state;
    kn_sfupool_load l[4] = {
        {true, 0, 0},
        {true, 0, 0},
        {true, 0, 0},
        {true, 0, 0}
    };
    for (unsigned room = 0; room < 8; room++) {
        int m = kn_sfupool_choose(l, 4);
        assert_int_equal(m, (int)(room % 4));
        l[m].rooms++;
        l[m].parts += 3;
    }
    /* placed before their participants publish: the room count still spreads them */
    kn_sfupool_load e[2] = {
        {true, 0, 0},
        {true, 0, 0}
    };
    assert_int_equal(kn_sfupool_choose(e, 2), 0);
    e[0].rooms++;
    assert_int_equal(kn_sfupool_choose(e, 2), 1);
    /* a member that went down takes no new room */
    l[0].up = false;
    assert_int_equal(kn_sfupool_choose(l, 4), 1);
}

static void no_hooks_event(void *arg, unsigned member, const char *event, json_t *params) {
    (void)arg, (void)member, (void)event, (void)params;
}

static void no_hooks_state(void *arg, unsigned member, bool up) {
    (void)arg, (void)member, (void)up;
}

static void stopped(void *arg) {
    (*(int *)arg)++;
}

/* A loop and hooks for pool starts; finish() runs the loop until every stop
 * has called back and checks the loop closes with nothing left open. */
typedef struct pool_env {
    uv_loop_t loop;
    kn_sfupool_hooks hooks;
    int stops, done;
} pool_env;

static void env_init(pool_env *e) {
    memset(e, 0, sizeof(*e));
    e->hooks = (kn_sfupool_hooks){no_hooks_event, no_hooks_state, NULL};
    uv_loop_init(&e->loop);
}

static void env_stop(pool_env *e, kn_sfupool *p) {
    kn_sfupool_stop(p, stopped, &e->done);
    e->stops++;
}

static void env_finish(pool_env *e) {
    uv_run(&e->loop, UV_RUN_DEFAULT);
    assert_int_equal(e->done, e->stops);
    assert_int_equal(uv_loop_close(&e->loop), 0);
}

/* Starts with o, which must be refused, and stops the half-built pool; returns why. */
static const char *refused(pool_env *e, const kn_sfupool_opts *o) {
    kn_sfupool *p;
    const char *why = NULL;
    assert_int_equal(kn_sfupool_start(&e->loop, o, &e->hooks, &p, &why), KN_EINVAL);
    env_stop(e, p);
    return why;
}

static void start_refuses(void **state) {
    (void)state;
    pool_env e;
    env_init(&e);
    /* 4 own processes from port 65534: 65534..65537 */
    kn_sfupool_opts o = {"", "", 4, "/nonexistent/konsil-sfu", "/tmp", 65534, "127.0.0.1"};
    assert_non_null(strstr(refused(&e, &o), "65535"));
    /* a remote list with a bad entry */
    kn_sfupool_opts r = {"unix:/tmp/kn-a.sock,,tcp:127.0.0.1:7000", "", 0, NULL, NULL, 0, NULL};
    refused(&e, &r);
    kn_sfupool_opts bad = {"tcp:nohost", "", 0, NULL, NULL, 0, NULL};
    refused(&e, &bad);
    env_finish(&e);
    assert_int_equal(e.done, 3);
}

/* A remote list of two unreachable unix sockets: two members, none up, so no placement. */
static void remote_list(void **state) {
    (void)state;
    pool_env e;
    kn_sfupool *p;
    const char *why = NULL;
    env_init(&e);
    kn_sfupool_opts r = {
        "unix:/nonexistent/a.sock,unix:/nonexistent/b.sock", "", 0, NULL, NULL, 0, NULL};
    assert_int_equal(kn_sfupool_start(&e.loop, &r, &e.hooks, &p, &why), 0);
    assert_int_equal(kn_sfupool_size(p), 2);
    assert_string_equal(kn_sfupool_address(p, 1), "unix:/nonexistent/b.sock");
    assert_int_equal(kn_sfupool_pid(p, 0), 0);
    assert_int_equal(kn_sfupool_place(p), -1);
    env_stop(&e, p);
    env_finish(&e);
    assert_int_equal(e.done, 1);
}

static void auto_processes(void **state) {
    (void)state;
    unsigned n = kn_sfupool_auto_processes();
    assert_true(n >= 1 && n <= KN_SFUPOOL_MAX);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(none_up),          cmocka_unit_test(fewest_parts_first),
        cmocka_unit_test(rooms_break_ties), cmocka_unit_test(down_members_skipped),
        cmocka_unit_test(rooms_spread),     cmocka_unit_test(start_refuses),
        cmocka_unit_test(remote_list),      cmocka_unit_test(auto_processes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
