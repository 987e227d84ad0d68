/*
 * test_host_controls.c: the host's controls (signaling/room/host_controls.c)
 * over a room driven without sockets: only a host may ask another participant
 * to mute (a guest's request changes nothing and sends nothing), the request
 * reaches exactly its target, a reconnecting target is "unavailable"; a kicked
 * participant's join token is banned until its own expiry (a hash, not the
 * token) while other tokens still work; the new client messages parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "room/host_controls.h"
#include "room/room.h"
#include "signaling/room_capture.h"
#include "ws/ws_msg.h"

static void mute_only_by_host(void **state) {
    kn_room r;
    kn_room_init(&r, "r1", &ops, &cfg);
    kn_part *host = join(&r, KN_ROLE_HOST, 0, 0);
    kn_part *a = join(&r, KN_ROLE_GUEST, 1, 0);
    kn_part *b = join(&r, KN_ROLE_GUEST, 2, 0);
    capture_reset(state);
    /* a guest may not: nothing is sent, nothing changes */
    assert_int_equal(kn_hostctl_mute(&r, a, b->id), KN_WS_EFORBIDDEN);
    assert_int_equal(kn_hostctl_mute(&r, a, host->id), KN_WS_EFORBIDDEN);
    assert_int_equal(n_log, 0);
    /* the host: exactly the target gets it, naming the host */
    assert_int_equal(kn_hostctl_mute(&r, host, b->id), 0);
    assert_int_equal(n_log, 1);
    assert_ptr_equal(log_[0].to, b);
    assert_string_equal(json_string_value(json_object_get(log_[0].msg, "type")), "mute-request");
    assert_string_equal(json_string_value(json_object_get(log_[0].msg, "by")), host->id);
    /* itself, an unknown id: not found */
    assert_int_equal(kn_hostctl_mute(&r, host, host->id), KN_ENOENT);
    assert_int_equal(kn_hostctl_mute(&r, host, "p00000000"), KN_ENOENT);
    /* a reconnecting target cannot be reached */
    kn_room_detach(&r, a, 100);
    capture_reset(state);
    assert_int_equal(kn_hostctl_mute(&r, host, a->id), KN_WS_EUNAVAIL);
    assert_int_equal(count("mute-request"), 0);
}

static void kick_target_rules(void **state) {
    kn_room r;
    int rc = 1;
    (void)state;
    kn_room_init(&r, "r1", &ops, &cfg);
    kn_part *host = join(&r, KN_ROLE_HOST, 0, 0);
    kn_part *a = join(&r, KN_ROLE_GUEST, 1, 0);
    kn_part *l = join(&r, KN_ROLE_LISTENER, 2, 0);
    assert_null(kn_hostctl_kick_target(&r, a, host->id, &rc));
    assert_int_equal(rc, KN_WS_EFORBIDDEN);
    assert_null(kn_hostctl_kick_target(&r, l, a->id, &rc));
    assert_int_equal(rc, KN_WS_EFORBIDDEN);
    assert_null(kn_hostctl_kick_target(&r, host, host->id, &rc));
    assert_int_equal(rc, KN_ENOENT);
    assert_ptr_equal(kn_hostctl_kick_target(&r, host, a->id, &rc), a);
    assert_int_equal(rc, 0);
    assert_int_equal(r.n, 3); /* the check alone removes nobody */
}

static void ban_until_token_expiry(void **state) {
    static kn_hostctl hc;
    kn_room r;
    (void)state;
    memset(&hc, 0, sizeof(hc));
    kn_room_init(&r, "r1", &ops, &cfg);
    kn_part *a = join(&r, KN_ROLE_GUEST, 1, 0);
    const char *tok = "eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoicjEifQ.c2lnbmF0dXJl";
    kn_hostctl_bind(a, tok, 5000);
    /* the token itself is not kept: only 16 bytes of its SHA-256 */
    assert_null(memmem(&a->token, sizeof(a->token), "eyJ", 3));
    assert_false(kn_hostctl_banned(&hc, tok, 1000));
    kn_hostctl_ban(&hc, a);
    assert_true(kn_hostctl_banned(&hc, tok, 1000));
    assert_true(kn_hostctl_banned(&hc, tok, 4999));
    assert_false(kn_hostctl_banned(&hc, tok, 5000)); /* the token has expired by then anyway */
    assert_false(
        kn_hostctl_banned(&hc, "eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoicjEifQ.c2lnbmF0dXJm", 1000));
    /* a full list drops the ban that ends soonest */
    for (int64_t i = 0; i < KN_HOSTCTL_MAX_BANS; i++) {
        char t[32];
        snprintf(t, sizeof(t), "token-%lld", (long long)i);
        kn_hostctl_bind(a, t, 10000 + i);
        kn_hostctl_ban(&hc, a);
    }
    assert_false(kn_hostctl_banned(&hc, tok, 1000));
    assert_true(kn_hostctl_banned(&hc, "token-0", 1000));
    kn_hostctl_bind(a, "token-new", 20000);
    kn_hostctl_ban(&hc, a);
    assert_false(kn_hostctl_banned(&hc, "token-0", 1000));
    assert_true(kn_hostctl_banned(&hc, "token-1", 1000));
    assert_true(kn_hostctl_banned(&hc, "token-new", 1000));
}

static void messages_parse(void **state) {
    kn_wsmsg m;
    (void)state;
    static const char ok[] =
        "{\"type\":\"mute-request\",\"id\":7,\"participant_id\":\"p0123abcd\"}";
    assert_int_equal(kn_wsmsg_parse((const uint8_t *)ok, strlen(ok), &m), 0);
    assert_int_equal(m.type, KN_WSMSG_MUTE_REQUEST);
    assert_string_equal(m.target, "p0123abcd");
    assert_int_equal(m.id, 7);
    kn_wsmsg_free(&m);
    static const char bad[] = "{\"type\":\"mute-request\",\"participant_id\":\"P0123ABCD\"}";
    assert_int_equal(kn_wsmsg_parse((const uint8_t *)bad, strlen(bad), &m), KN_EINVAL);
    static const char none[] = "{\"type\":\"mute-request\"}";
    assert_int_equal(kn_wsmsg_parse((const uint8_t *)none, strlen(none), &m), KN_EINVAL);
    static const char end[] = "{\"type\":\"end\",\"v\":1}";
    assert_int_equal(kn_wsmsg_parse((const uint8_t *)end, strlen(end), &m), 0);
    assert_int_equal(m.type, KN_WSMSG_END);
    assert_string_equal(kn_wsmsg_type_name(m.type), "end");
    kn_wsmsg_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(mute_only_by_host, capture_reset, capture_reset),
        cmocka_unit_test_setup_teardown(kick_target_rules, capture_reset, capture_reset),
        cmocka_unit_test_setup_teardown(ban_until_token_expiry, capture_reset, capture_reset),
        cmocka_unit_test_setup_teardown(messages_parse, capture_reset, capture_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
