/*
 * room_capture.h: a room driven without sockets for the room tests
 * (test_room.c, test_host_controls.c): kn_room_ops that capture every sent
 * message (recipient, type, message) and count teardowns and departures,
 * plus lookups over the capture and a join helper. Included by one test
 * file each (its state is static); not a test itself (no test_ prefix).
 */
#ifndef KN_TEST_ROOM_CAPTURE_H
#define KN_TEST_ROOM_CAPTURE_H

#include <stdio.h>
#include <string.h>

#include "room/room.h"
#include "ws/ws_msg.h"

typedef struct sent {
    const kn_part *to;
    char type[32];
    json_t *msg;
} sent;

static sent log_[256];
static unsigned n_log, n_teardown, n_gone;
static int conn_dummy[16];

static void op_send(void *ctx, kn_part *p, json_t *msg) {
    (void)ctx;
    assert_true(n_log < 256);
    log_[n_log].to = p;
    snprintf(log_[n_log].type, sizeof(log_[n_log].type), "%s",
             json_string_value(json_object_get(msg, "type")));
    log_[n_log++].msg = msg;
}
static json_t *op_ice(void *ctx, const kn_part *p) {
    (void)ctx;
    (void)p;
    return json_array();
}
static void op_teardown(void *ctx, kn_room *r) {
    (void)ctx;
    (void)r;
    n_teardown++;
}
static void op_gone(void *ctx, kn_part *p) {
    (void)ctx;
    p->conn = NULL;
    n_gone++;
}

static const kn_room_ops ops = {op_send, op_ice, op_teardown, op_gone, NULL};
static const kn_room_cfg cfg = {4000, 20000, 15000};

/* Frees the captured messages and zeroes the counters; also a cmocka setup/teardown. */
static inline int capture_reset(void **state) {
    (void)state;
    for (unsigned i = 0; i < n_log; i++)
        json_decref(log_[i].msg);
    n_log = n_teardown = n_gone = 0;
    return 0;
}

/* The last message of `type` to p, or NULL. */
static inline json_t *last(const kn_part *p, const char *type) {
    for (unsigned i = n_log; i-- > 0;)
        if (log_[i].to == p && strcmp(log_[i].type, type) == 0)
            return log_[i].msg;
    return NULL;
}

/* How many captured messages (to anyone) have `type`. */
static inline unsigned count(const char *type) {
    unsigned n = 0;
    for (unsigned i = 0; i < n_log; i++)
        n += strcmp(log_[i].type, type) == 0;
    return n;
}

/* Joins with conn_dummy[k] as the connection at time now; must succeed. */
static inline kn_part *join(kn_room *r, kn_role role, int k, int64_t now) {
    kn_part *p;
    assert_int_equal(
        kn_room_join(r, role, NULL, KN_WSMSG_UNSET, KN_WSMSG_UNSET, &conn_dummy[k], -1, now, &p),
        0);
    return p;
}

#endif
