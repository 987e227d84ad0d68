/* test_api_metrics.c: the `metrics` control-API method (sfu/api/api_metrics.c) over a
 * real worker: live peers' counters are summed, a departed peer's counters stay in the
 * totals (peer.destroy and room.destroy), peers closed by reason, layer switches, the
 * estimate histogram's shape, process CPU/RSS, and the hooks without an API server.
 * Also log.set_level. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <uv.h>

#include "api/api.h"
#include "api/api_metrics.h"
#include "api/api_server.h"
#include "core/log.h"
#include "router/room.h"
#include "router/transport.h"
#include "router/worker.h"
#include "srtp/srtp_session.h"

static uv_loop_t loop;
static kn_worker w;
static kn_api_server srv; /* only its totals are used: no socket is opened */

static int setup(void **state) {
    (void)state;
    kn_srtp_global_init();
    uv_loop_init(&loop);
    memset(&srv, 0, sizeof(srv));
    int rc = kn_worker_init(&w, &loop, "127.0.0.1", 0, "127.0.0.1", 0);
    w.api = &srv;
    return rc;
}

static int teardown(void **state) {
    (void)state;
    w.api = NULL;
    kn_worker_close(&w, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    return uv_loop_close(&loop);
}

static json_t *call(const char *text) {
    json_t *req = json_loads(text, 0, NULL);
    assert_non_null(req);
    json_t *resp = kn_api_dispatch(&w, req);
    json_decref(req);
    assert_null(json_object_get(resp, "error"));
    json_t *res = json_incref(json_object_get(resp, "result"));
    json_decref(resp);
    return res;
}

static json_int_t at(json_t *o, const char *a, const char *b) {
    json_t *v = json_object_get(o, a);
    if (b != NULL)
        v = json_object_get(v, b);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

#define FP "\"fingerprint\":{\"algorithm\":\"sha-256\",\"value\":\"" \
    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\"}"
#define PEER(id) "{\"id\":3,\"method\":\"peer.create\",\"params\":{\"room\":\"r1\",\"peer\":\"" id \
    "\",\"ice\":{\"ufrag\":\"abcd\",\"pwd\":\"0123456789012345678901\"},\"dtls\":{" FP \
    ",\"role\":\"server\"}}}"

static void set_stats(const char *peer, uint64_t base) {
    kn_transport *t = kn_room_find_transport(kn_worker_find_room(&w, "r1"), peer);
    assert_non_null(t);
    t->stats.tx_rtp = base;
    t->stats.rx_rtp = base + 1;
    t->stats.nacks_received = base + 2;
    t->stats.plis_sent = base + 3;
    t->stats.drop_srtp_auth = base + 4;
}

static void counters_survive_departures(void **state) {
    (void)state;
    json_decref(call("{\"id\":1,\"method\":\"room.create\",\"params\":{\"room\":\"r1\"}}"));
    json_decref(call(PEER("p1")));
    json_decref(call(PEER("p2")));
    set_stats("p1", 100);
    set_stats("p2", 1000);
    json_t *m = call("{\"id\":2,\"method\":\"metrics\"}");
    assert_int_equal(at(m, "rooms", NULL), 1);
    assert_int_equal(at(m, "peers", NULL), 2);
    assert_int_equal(at(m, "tx", "rtp_packets"), 1100);
    assert_int_equal(at(m, "rx", "rtp_packets"), 1102);
    assert_int_equal(at(m, "rtcp", "nacks_received"), 1104);
    assert_int_equal(at(m, "rtcp", "plis_sent"), 1106);
    assert_int_equal(at(m, "dropped", "srtp_auth"), 1108);
    assert_int_equal(at(m, "peers_closed", "request"), 0);
    assert_true(json_real_value(json_object_get(json_object_get(m, "process"), "cpu_seconds")) > 0);
    assert_true(at(m, "process", "resident_bytes") > 1000000);
    json_decref(m);

    json_decref(call("{\"id\":3,\"method\":\"peer.destroy\",\"params\":{\"room\":\"r1\",\"peer\":\"p1\"}}"));
    m = call("{\"id\":4,\"method\":\"metrics\"}");
    assert_int_equal(at(m, "peers", NULL), 1);
    assert_int_equal(at(m, "tx", "rtp_packets"), 1100); /* p1's 100 kept */
    assert_int_equal(at(m, "peers_closed", "request"), 1);
    json_decref(m);

    json_decref(call("{\"id\":5,\"method\":\"room.destroy\",\"params\":{\"room\":\"r1\"}}"));
    m = call("{\"id\":6,\"method\":\"metrics\"}");
    assert_int_equal(at(m, "rooms", NULL), 0);
    assert_int_equal(at(m, "peers", NULL), 0);
    assert_int_equal(at(m, "tx", "rtp_packets"), 1100);
    assert_int_equal(at(m, "dropped", "srtp_auth"), 1108);
    assert_int_equal(at(m, "peers_closed", "destroyed"), 1);
    assert_int_equal(at(m, "peers_closed", "dtls"), 0);
    json_decref(m);
}

static void switches_and_histogram(void **state) {
    (void)state;
    kn_api_metrics_on_layer_switch(&w);
    kn_api_metrics_on_layer_switch(&w);
    kn_api_metrics_sample(&w); /* no transport has an estimate: no sample */
    json_t *m = call("{\"id\":7,\"method\":\"metrics\"}");
    assert_int_equal(at(m, "layer_switches", NULL), 2);
    json_t *h = json_object_get(m, "bwe_estimate");
    assert_int_equal(json_array_size(json_object_get(h, "bounds_bps")), KN_API_BWE_BUCKETS);
    assert_int_equal(json_array_size(json_object_get(h, "counts")), KN_API_BWE_BUCKETS + 1);
    assert_int_equal(at(h, "samples", NULL), 0);
    for (unsigned i = 1; i < KN_API_BWE_BUCKETS; i++)
        assert_true(kn_api_bwe_bounds[i] > kn_api_bwe_bounds[i - 1]);
    json_decref(m);
    w.api = NULL; /* hooks are no-ops without an API server */
    kn_api_metrics_on_layer_switch(&w);
    w.api = &srv;
    assert_int_equal(srv.totals.layer_switches, 2);
}

static void log_set_level(void **state) {
    (void)state;
    kn_log_level before = kn_log_get_level();
    json_decref(call("{\"id\":8,\"method\":\"log.set_level\",\"params\":{\"level\":\"error\"}}"));
    assert_int_equal(kn_log_get_level(), KN_LOG_ERROR);
    json_t *req = json_loads("{\"id\":9,\"method\":\"log.set_level\",\"params\":{\"level\":\"loud\"}}", 0,
                             NULL);
    json_t *resp = kn_api_dispatch(&w, req);
    assert_string_equal(json_string_value(json_object_get(json_object_get(resp, "error"), "code")),
                        "invalid");
    assert_int_equal(kn_log_get_level(), KN_LOG_ERROR);
    json_decref(req);
    json_decref(resp);
    kn_log_set_level(before);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counters_survive_departures),
        cmocka_unit_test(switches_and_histogram),
        cmocka_unit_test(log_set_level),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
