/* test_api.c: the control API handler table over a real worker (UDP/TCP on 127.0.0.1,
 * port 0): validation before allocation, error codes, peer/producer/consumer life
 * cycle, and a clean loop close. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <cmocka.h>
#include <jansson.h>
#include <uv.h>

#include "api/api.h"
#include "ice/stun.h"
#include "router/room.h"
#include "router/transport.h"
#include "router/worker.h"
#include "srtp/srtp_session.h"

static uv_loop_t loop;
static kn_worker w;

static int setup(void **state) {
    (void)state;
    kn_srtp_global_init();
    uv_loop_init(&loop);
    return kn_worker_init(&w, &loop, "127.0.0.1", 0, "127.0.0.1", 0);
}

static int teardown(void **state) {
    (void)state;
    kn_worker_close(&w, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    return uv_loop_close(&loop); /* a forgotten handle fails here */
}

/* Sends one request; returns the error code string or "ok", and the result. */
static const char *call(const char *text, json_t **result) {
    static char code[32];
    json_t *req = json_loads(text, 0, NULL);
    assert_non_null(req);
    json_t *resp = kn_api_dispatch(&w, req);
    json_decref(req);
    json_t *err = json_object_get(resp, "error");
    snprintf(code, sizeof(code), "%s",
             err ? json_string_value(json_object_get(err, "code")) : "ok");
    if (result)
        *result = json_incref(json_object_get(resp, "result"));
    json_decref(resp);
    return code;
}

#define FP "\"fingerprint\":{\"algorithm\":\"sha-256\",\"value\":\"" \
    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\"}"
#define PEER(id) "{\"id\":3,\"method\":\"peer.create\",\"params\":{\"room\":\"r1\",\"peer\":\"" id \
    "\",\"ice\":{\"ufrag\":\"abcd\",\"pwd\":\"0123456789012345678901\"},\"dtls\":{" FP \
    ",\"role\":\"server\"}}}"
#define VIDEO_CODECS "\"codecs\":[{\"payload_type\":96,\"name\":\"VP8\",\"clock_rate\":90000," \
    "\"rtx_payload_type\":97,\"rtcp_fb\":[\"nack\",\"nack pli\"]}]"

static void errors_and_validation(void **state) {
    json_t *res = NULL;
    (void)state;
    assert_string_equal(call("{\"id\":1,\"method\":\"nope\"}", NULL), "invalid");
    assert_string_equal(call("{\"id\":1,\"method\":\"room.create\",\"params\":{}}", NULL),
                        "invalid");
    assert_string_equal(call("{\"id\":1,\"method\":\"room.create\",\"params\":{\"room\":\"a b\"}}",
                             NULL), "invalid");
    assert_string_equal(call("{\"id\":1,\"method\":\"room.destroy\",\"params\":{\"room\":\"x\"}}",
                             NULL), "not_found");
    assert_string_equal(call("{\"id\":1,\"method\":\"room.create\",\"params\":{\"room\":\"r1\"}}",
                             NULL), "ok");
    assert_string_equal(call("{\"id\":1,\"method\":\"room.create\",\"params\":{\"room\":\"r1\"}}",
                             NULL), "exists");
    /* a short ICE password is refused and nothing is created */
    assert_string_equal(call("{\"id\":3,\"method\":\"peer.create\",\"params\":{\"room\":\"r1\","
                             "\"peer\":\"p\",\"ice\":{\"ufrag\":\"abcd\",\"pwd\":\"short\"},"
                             "\"dtls\":{" FP ",\"role\":\"server\"}}}", NULL), "invalid");
    assert_int_equal(w.n_peers, 0);
    assert_string_equal(call("{\"id\":1,\"method\":\"sfu.info\"}", &res), "ok");
    assert_int_equal(json_integer_value(json_object_get(res, "rooms")), 1);
    json_decref(res);
}

static void peer_producer_consumer_life_cycle(void **state) {
    json_t *res = NULL;
    (void)state;
    assert_string_equal(call(PEER("pub"), &res), "ok");
    assert_true(json_is_true(json_object_get(json_object_get(res, "ice"), "lite")));
    assert_int_equal(json_array_size(json_object_get(res, "candidates")), 2);
    json_decref(res);
    assert_string_equal(call(PEER("pub"), NULL), "exists");
    assert_string_equal(call(PEER("sub"), NULL), "ok");
    assert_string_equal(call("{\"id\":4,\"method\":\"producer.create\",\"params\":{\"room\":\"r1\","
                             "\"peer\":\"pub\",\"producer\":\"v\",\"kind\":\"video\",\"mid\":\"1\","
                             VIDEO_CODECS ",\"encodings\":[{\"rid\":\"q\"},{\"rid\":\"h\"},"
                             "{\"rid\":\"f\"},{\"rid\":\"x\"}]}}", NULL), "invalid");
    assert_string_equal(call("{\"id\":4,\"method\":\"producer.create\",\"params\":{\"room\":\"r1\","
                             "\"peer\":\"pub\",\"producer\":\"v\",\"kind\":\"video\",\"mid\":\"1\","
                             VIDEO_CODECS ",\"encodings\":[{\"rid\":\"q\"},{\"rid\":\"h\"}]}}",
                             NULL), "ok");
    assert_string_equal(call("{\"id\":5,\"method\":\"consumer.create\",\"params\":{\"room\":\"r1\","
                             "\"peer\":\"sub\",\"consumer\":\"c\",\"producer\":\"v\",\"mid\":\"0\","
                             "\"codecs\":[{\"payload_type\":111,\"name\":\"opus\","
                             "\"clock_rate\":48000}]}}", NULL), "invalid"); /* no common codec */
    assert_string_equal(call("{\"id\":5,\"method\":\"consumer.create\",\"params\":{\"room\":\"r1\","
                             "\"peer\":\"sub\",\"consumer\":\"c\",\"producer\":\"v\",\"mid\":\"0\","
                             "\"paused\":1," VIDEO_CODECS "}}", NULL), "invalid");
    /* created paused (signaling resumes it once the receiver applied the offer) */
    assert_string_equal(call("{\"id\":5,\"method\":\"consumer.create\",\"params\":{\"room\":\"r1\","
                             "\"peer\":\"sub\",\"consumer\":\"c\",\"producer\":\"v\",\"mid\":\"0\","
                             "\"paused\":true," VIDEO_CODECS "}}", &res), "ok");
    assert_true(json_integer_value(json_object_get(res, "ssrc")) > 0);
    assert_true(json_integer_value(json_object_get(res, "rtx_ssrc")) > 0);
    json_decref(res);
    assert_string_equal(call("{\"id\":6,\"method\":\"peer.stats\",\"params\":{\"room\":\"r1\","
                             "\"peer\":\"sub\"}}", &res), "ok");
    assert_int_equal(json_array_size(json_object_get(res, "consumers")), 1);
    assert_true(json_is_true(json_object_get(
        json_object_get(json_array_get(json_object_get(res, "consumers"), 0), "layers"), "paused")));
    assert_string_equal(json_string_value(json_object_get(res, "srtp_profile")), "none");
    json_decref(res);
    assert_string_equal(call("{\"id\":6,\"method\":\"consumer.set_preferences\",\"params\":{"
                             "\"room\":\"r1\",\"consumer\":\"c\",\"paused\":false}}", NULL), "ok");
    assert_string_equal(call("{\"id\":6,\"method\":\"peer.stats\",\"params\":{\"room\":\"r1\","
                             "\"peer\":\"sub\"}}", &res), "ok");
    assert_true(json_is_false(json_object_get(
        json_object_get(json_array_get(json_object_get(res, "consumers"), 0), "layers"), "paused")));
    json_decref(res);
    assert_string_equal(call("{\"id\":7,\"method\":\"producer.destroy\",\"params\":{\"room\":\"r1\","
                             "\"producer\":\"v\"}}", NULL), "ok");
    assert_string_equal(call("{\"id\":8,\"method\":\"consumer.destroy\",\"params\":{\"room\":\"r1\","
                             "\"consumer\":\"c\"}}", NULL), "not_found"); /* ended with it */
    assert_string_equal(call("{\"id\":9,\"method\":\"room.destroy\",\"params\":{\"room\":\"r1\"}}",
                             NULL), "ok");
    assert_int_equal(w.n_peers, 0);
    assert_int_equal(w.n_rooms, 0);
}

/* A check from the browser toward `t` (USERNAME "<sfu ufrag>:webU"), fed to the worker. */
static void feed_check(kn_transport *t) {
    static const uint8_t tid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    char user[64];
    uint8_t buf[256];
    size_t n = 0;
    struct sockaddr_in from = {.sin_family = AF_INET, .sin_port = htons(40000),
                               .sin_addr.s_addr = htonl(0x7f000001)};
    snprintf(user, sizeof(user), "%s:webU", t->ice.ufrag);
    kn_stun_request req = {.tid = tid, .username = user, .username_len = strlen(user),
                           .priority = 1, .controlling = true, .tie_breaker = 7};
    assert_int_equal(kn_stun_write_request(&req, (const uint8_t *)t->ice.pwd, strlen(t->ice.pwd),
                                           buf, sizeof(buf), &n), 0);
    kn_worker_on_packet(&w, (struct sockaddr *)&from, NULL, buf, n, sizeof(buf));
}

#define SET_REMOTE(extra) "{\"id\":11,\"method\":\"peer.set_remote\",\"params\":{\"room\":\"r2\"," \
    "\"peer\":\"sub\",\"ice\":{\"ufrag\":\"webU\",\"pwd\":\"0123456789012345678901\"},\"dtls\":{" \
    FP extra "}}}"

/* The SFU offers (subscribe connection): peer.create without ice/fingerprint, checks
 * dropped and counted until peer.set_remote, answered after it; set_remote only once. */
static void offer_mode_peer(void **state) {
    json_t *res = NULL;
    (void)state;
    assert_string_equal(call("{\"id\":1,\"method\":\"room.create\",\"params\":{\"room\":\"r2\"}}",
                             NULL), "ok");
    /* ice without a fingerprint (or the reverse) is neither mode */
    assert_string_equal(call("{\"id\":2,\"method\":\"peer.create\",\"params\":{\"room\":\"r2\","
                             "\"peer\":\"sub\",\"ice\":{\"ufrag\":\"webU\",\"pwd\":"
                             "\"0123456789012345678901\"}}}", NULL), "invalid");
    assert_string_equal(call("{\"id\":2,\"method\":\"peer.create\",\"params\":{\"room\":\"r2\","
                             "\"peer\":\"sub\",\"dtls\":{\"role\":\"servr\"}}}", NULL), "invalid");
    assert_int_equal(w.n_peers, 0);
    assert_string_equal(call("{\"id\":2,\"method\":\"peer.create\",\"params\":{\"room\":\"r2\","
                             "\"peer\":\"sub\"}}", &res), "ok");
    json_t *dtls = json_object_get(res, "dtls");
    assert_string_equal(json_string_value(json_object_get(dtls, "role")), "server");
    assert_non_null(json_object_get(json_object_get(dtls, "fingerprint"), "value"));
    assert_int_equal(strlen(json_string_value(json_object_get(json_object_get(res, "ice"), "ufrag"))),
                     8);
    json_decref(res);
    kn_transport *t = kn_room_find_transport(kn_worker_find_room(&w, "r2"), "sub");
    assert_non_null(t);
    feed_check(t);
    feed_check(t);
    assert_int_equal(t->stats.drop_stun_early, 2);
    assert_int_equal(t->n_addrs, 0);
    assert_string_equal(call(SET_REMOTE(",\"role\":\"server\""), NULL), "ok");
    assert_true(t->remote_set);
    feed_check(t);
    assert_int_equal(t->stats.drop_stun_early, 2);
    assert_int_equal(t->stats.drop_stun_auth, 0);
    assert_int_equal(t->n_addrs, 1); /* verified: the address is the peer's now */
    assert_string_equal(call(SET_REMOTE(",\"role\":\"server\""), NULL), "state");
    assert_string_equal(call("{\"id\":9,\"method\":\"room.destroy\",\"params\":{\"room\":\"r2\"}}",
                             NULL), "ok");
}

static void set_remote_validation(void **state) {
    json_t *res = NULL;
    (void)state;
    assert_string_equal(call("{\"id\":1,\"method\":\"room.create\",\"params\":{\"room\":\"r2\"}}",
                             NULL), "ok");
    assert_string_equal(call(SET_REMOTE(",\"role\":\"server\""), NULL), "not_found");
    assert_string_equal(call("{\"id\":2,\"method\":\"peer.create\",\"params\":{\"room\":\"r2\","
                             "\"peer\":\"sub\",\"dtls\":{\"role\":\"client\"}}}", &res), "ok");
    assert_string_equal(json_string_value(json_object_get(json_object_get(res, "dtls"), "role")),
                        "client");
    json_decref(res);
    kn_transport *t = kn_room_find_transport(kn_worker_find_room(&w, "r2"), "sub");
    assert_string_equal(call(SET_REMOTE(""), NULL), "invalid"); /* role missing */
    assert_string_equal(call(SET_REMOTE(",\"role\":\"boss\""), NULL), "invalid");
    assert_string_equal(call("{\"id\":11,\"method\":\"peer.set_remote\",\"params\":{\"room\":\"r2\","
                             "\"peer\":\"sub\",\"ice\":{\"ufrag\":\"webU\",\"pwd\":\"short\"},"
                             "\"dtls\":{" FP ",\"role\":\"client\"}}}", NULL), "invalid");
    assert_false(t->remote_set);
    assert_string_equal(call(SET_REMOTE(",\"role\":\"client\""), NULL), "ok");
    assert_true(t->remote_set);
    assert_int_equal(t->role, KN_DTLS_CLIENT);
    assert_string_equal(call("{\"id\":9,\"method\":\"room.destroy\",\"params\":{\"room\":\"r2\"}}",
                             NULL), "ok");
    assert_int_equal(w.n_peers, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errors_and_validation),
        cmocka_unit_test(peer_producer_consumer_life_cycle),
        cmocka_unit_test(offer_mode_peer),
        cmocka_unit_test(set_remote_validation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
