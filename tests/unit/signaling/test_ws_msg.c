/*
 * test_ws_msg.c: room signaling message validation (signaling/ws/ws_msg.c),
 * the per-connection token bucket (ws/ratelimit.c) and TURN REST credentials
 * (ws/turn.c, vector computed with Python's hmac/base64).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "ws/ratelimit.h"
#include "ws/turn.h"
#include "ws/ws_msg.h"

static int parse(const char *s, kn_wsmsg *m) {
    return kn_wsmsg_parse((const uint8_t *)s, strlen(s), m);
}

static void join_ok(void **state) {
    kn_wsmsg m;
    (void)state;
    assert_int_equal(parse("{\"v\":1,\"type\":\"join\",\"id\":4,\"token\":\"a.b.c\","
                           "\"pseudonym\":\"Gast \xc3\xbc\",\"audio\":false}",
                           &m),
                     0);
    assert_int_equal(m.type, KN_WSMSG_JOIN);
    assert_int_equal(m.id, 4);
    assert_string_equal(m.token, "a.b.c");
    assert_string_equal(m.pseudonym, "Gast \xc3\xbc");
    assert_int_equal(m.audio, KN_WSMSG_FALSE);
    assert_int_equal(m.video, KN_WSMSG_UNSET);
    kn_wsmsg_free(&m);
}

static void rejects_with_reason(void **state) {
    static const struct {
        const char *text;
        int rc;
    } bad[] = {
        {"",                                                              KN_EINVAL       },
        {"[1]",                                                           KN_EINVAL       },
        {"{\"type\":\"join\",\"token\":\"t\"}",                           KN_EINVAL       }, /* no v */
        {"{\"v\":2,\"type\":\"join\",\"token\":\"t\"}",                   KN_EINVAL       },
        {"{\"v\":1,\"type\":\"join\"}",                                   KN_EINVAL       },
        {"{\"v\":1,\"type\":\"join\",\"token\":\"t\",\"pseudonym\":\"\"}", KN_EINVAL       },
        {"{\"v\":1,\"type\":\"join\",\"token\":\"t\",\"pseudonym\":\"a\\nb\"}", KN_EINVAL },
        {"{\"v\":1,\"type\":\"join\",\"token\":\"t\",\"pseudonym\":\"123456789012345678901234567890123\"}", KN_EINVAL},
        {"{\"v\":1,\"type\":\"join\",\"token\":\"t\",\"audio\":1}",       KN_EINVAL       },
        {"{\"type\":\"nope\"}",                                           KN_EINVAL       },
        {"{\"type\":\"ping\",\"id\":-1}",                                 KN_EINVAL       },
        {"{\"type\":\"ping\",\"id\":\"1\"}",                              KN_EINVAL       },
        {"{\"type\":\"ping\",\"type\":\"ping\"}",                         KN_EINVAL       }, /* duplicate key */
        {"{\"type\":\"state\"}",                                          KN_EINVAL       },
        {"{\"type\":\"p2p.offer\",\"to\":\"p0000000g\",\"sdp\":\"v=0\"}", KN_EINVAL       },
        {"{\"type\":\"p2p.offer\",\"to\":\"p00000000\"}",                 KN_EINVAL       },
        {"{\"type\":\"p2p.candidate\",\"to\":\"p00000000\"}",             KN_EINVAL       },
        {"{\"type\":\"p2p.candidate\",\"to\":\"p00000000\",\"candidate\":\"x\"}", KN_EINVAL},
        {"{\"type\":\"p2p.ready\",\"epoch\":0}",                          KN_EINVAL       },
        {"{\"v\":1,\"type\":\"resume\",\"resume_token\":\"short\"}",      KN_EINVAL       },
        {"{\"type\":\"kick\",\"participant_id\":\"x\"}",                  KN_EINVAL       },
        {"{\"type\":\"p2p.offer\",\"to\":\"p00000000\",\"sdp\":\"a\\u0000b\"}", KN_EINVAL},
        {"{\"type\":\"sfu.publish\"}",                                    KN_EINVAL       },
        {"{\"type\":\"sfu.publish\",\"sdp\":7}",                          KN_EINVAL       },
        {"{\"type\":\"sfu.subscribe.answer\",\"sdp\":\"v=0\"}",          KN_EINVAL       }, /* no revision */
        {"{\"type\":\"sfu.subscribe.answer\",\"revision\":0,\"sdp\":\"v=0\"}", KN_EINVAL},
        {"{\"type\":\"sfu.subscribe.answer\",\"revision\":1}",            KN_EINVAL       },
        {"{\"type\":\"sfu.preferences\",\"max_spatial\":1}",              KN_EINVAL       }, /* no target */
        {"{\"type\":\"sfu.preferences\",\"participant\":\"p00000000\"}",  KN_EINVAL       }, /* nothing to set */
        {"{\"type\":\"sfu.preferences\",\"participant\":\"p00000000\",\"mid\":\"1\",\"paused\":true}", KN_EINVAL},
        {"{\"type\":\"sfu.preferences\",\"participant\":\"p00000000\",\"max_spatial\":3}", KN_EINVAL},
        {"{\"type\":\"sfu.preferences\",\"participant\":\"p00000000\",\"max_temporal\":-1}", KN_EINVAL},
        {"{\"type\":\"sfu.preferences\",\"participant\":\"p00000000\",\"paused\":1}", KN_EINVAL},
        {"{\"type\":\"sfu.preferences\",\"mid\":\"a-b\",\"paused\":true}", KN_EINVAL   },
        {"{\"type\":\"sfu.preferences\",\"mid\":\"1234567890123456\",\"paused\":true}", KN_EINVAL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        kn_wsmsg m;
        int rc = parse(bad[i].text, &m);
        if (rc != bad[i].rc)
            fail_msg("case %zu (%s): %d", i, bad[i].text, rc);
        assert_non_null(m.error);
        assert_null(m.root);
    }
}

static void id_echoed_on_failure(void **state) {
    kn_wsmsg m;
    (void)state;
    assert_int_equal(parse("{\"type\":\"state\",\"id\":9}", &m), KN_EINVAL);
    assert_int_equal(m.id, 9);
}

static void relay_fields(void **state) {
    kn_wsmsg m;
    (void)state;
    assert_int_equal(parse("{\"type\":\"p2p.candidate\",\"to\":\"p0a1b2c3d\",\"candidate\":null}", &m),
                     0);
    assert_string_equal(m.to, "p0a1b2c3d");
    assert_true(json_is_null(m.candidate));
    kn_wsmsg_free(&m);
    assert_int_equal(parse("{\"type\":\"p2p.answer\",\"to\":\"p0a1b2c3d\",\"sdp\":\"v=0\\r\\n\"}", &m),
                     0);
    assert_int_equal(m.sdp_len, 5);
    kn_wsmsg_free(&m);
    assert_int_equal(parse("{\"type\":\"p2p.ready\",\"epoch\":7,\"v\":1}", &m), 0);
    assert_int_equal(m.epoch, 7);
    kn_wsmsg_free(&m);
}

static void sfu_messages(void **state) {
    kn_wsmsg m;
    (void)state;
    assert_int_equal(parse("{\"type\":\"sfu.publish\",\"id\":12,\"sdp\":\"v=0\\r\\n\"}", &m), 0);
    assert_int_equal(m.type, KN_WSMSG_SFU_PUBLISH);
    assert_int_equal(m.id, 12);
    assert_int_equal(m.sdp_len, 5);
    kn_wsmsg_free(&m);
    assert_int_equal(parse("{\"type\":\"sfu.unpublish\"}", &m), 0);
    assert_int_equal(m.type, KN_WSMSG_SFU_UNPUBLISH);
    kn_wsmsg_free(&m);
    assert_int_equal(parse("{\"type\":\"sfu.subscribe.answer\",\"revision\":3,\"sdp\":\"v=0\"}", &m),
                     0);
    assert_int_equal(m.type, KN_WSMSG_SFU_SUB_ANSWER);
    assert_int_equal(m.revision, 3);
    kn_wsmsg_free(&m);
    assert_int_equal(parse("{\"type\":\"sfu.preferences\",\"participant\":\"p0a1b2c3d\","
                           "\"max_spatial\":0,\"paused\":false}",
                           &m),
                     0);
    assert_int_equal(m.type, KN_WSMSG_SFU_PREFS);
    assert_string_equal(m.target, "p0a1b2c3d");
    assert_null(m.mid);
    assert_int_equal(m.max_spatial, 0);
    assert_int_equal(m.max_temporal, -1);
    assert_int_equal(m.paused, KN_WSMSG_FALSE);
    kn_wsmsg_free(&m);
    assert_int_equal(parse("{\"type\":\"sfu.preferences\",\"mid\":\"3\",\"max_temporal\":1}", &m), 0);
    assert_string_equal(m.mid, "3");
    assert_null(m.target);
    assert_int_equal(m.max_spatial, -1);
    assert_int_equal(m.max_temporal, 1);
    assert_int_equal(m.paused, KN_WSMSG_UNSET);
    kn_wsmsg_free(&m);
}

static void size_limits(void **state) {
    kn_wsmsg m;
    (void)state;
    size_t n = KN_WSMSG_MAX_SDP + 1;
    char *s = malloc(n + 100);
    int k = sprintf(s, "{\"type\":\"p2p.offer\",\"to\":\"p00000000\",\"sdp\":\"");
    memset(s + k, 'x', n);
    strcpy(s + k + n, "\"}");
    assert_int_equal(parse(s, &m), KN_WS_ETOOLARGE);
    s[k + n - 1] = '"'; /* exactly KN_WSMSG_MAX_SDP */
    s[k + n] = '}';
    s[k + n + 1] = '\0';
    assert_int_equal(parse(s, &m), 0);
    kn_wsmsg_free(&m);
    assert_int_equal(kn_wsmsg_parse((const uint8_t *)s, KN_WSMSG_MAX_LEN + 1, &m), KN_WS_ETOOLARGE);
    free(s);
}

static void error_codes(void **state) {
    (void)state;
    assert_string_equal(kn_wsmsg_error_code(KN_EAUTH), "unauthorized");
    assert_string_equal(kn_wsmsg_error_code(KN_WS_EFORBIDDEN), "forbidden");
    assert_string_equal(kn_wsmsg_error_code(KN_WS_ERATE), "rate_limited");
    assert_string_equal(kn_wsmsg_error_code(KN_ELIMIT), "limit");
    assert_string_equal(kn_wsmsg_error_code(KN_ENOENT), "not_found");
}

/* Every error the protocol sends: documented code + English message, never a
 * bare code name or "unknown" (the room client showed "unknown" before). */
static void error_messages(void **state) {
    (void)state;
    static const struct {
        kn_wsmsg_type t;
        int rc;
        const char *code, *text;
    } pairs[] = {
        {KN_WSMSG_P2P_OFFER, KN_WS_EUNAVAIL, "unavailable", "the participant is reconnecting"},
        {KN_WSMSG_P2P_CANDIDATE, KN_WS_EUNAVAIL, "unavailable", "the participant is reconnecting"},
        {KN_WSMSG_MUTE_REQUEST, KN_WS_EUNAVAIL, "unavailable", "the participant is reconnecting"},
        {KN_WSMSG_SFU_PUBLISH, KN_WS_EUNAVAIL, "unavailable", "the media server is unavailable"},
        {KN_WSMSG_JOIN, KN_WS_EUNAVAIL, "unavailable", "temporarily unavailable, try again later"},
        {KN_WSMSG_KICK, KN_WS_EFORBIDDEN, "forbidden", "only the host may do this"},
        {KN_WSMSG_END, KN_WS_EFORBIDDEN, "forbidden", "only the host may do this"},
        {KN_WSMSG_STATE, KN_WS_EFORBIDDEN, "forbidden", "a listener cannot send audio or video"},
        {KN_WSMSG_SFU_PUBLISH, KN_WS_EFORBIDDEN, "forbidden", "a listener cannot send audio or video"},
        {KN_WSMSG_P2P_OFFER, KN_ENOENT, "not_found", "no such participant in this room"},
        {KN_WSMSG_SFU_PUBLISH, KN_ESTATE, "state", "not in SFU mode, or already publishing"},
        {KN_WSMSG_SFU_UNPUBLISH, KN_ESTATE, "state", "no publish connection"},
        {KN_WSMSG_SFU_SUB_ANSWER, KN_ESTATE, "state", "no subscribe offer outstanding"},
        {KN_WSMSG_JOIN, KN_ESTATE, "state", "already joined"},
        {KN_WSMSG_PING, KN_WS_ERATE, "rate_limited", "too many messages"},
        {KN_WSMSG_PING, KN_WS_ETOOLARGE, "too_large", "message too large"},
        {KN_WSMSG_JOIN, KN_ELIMIT, "limit", "room full"},
        {KN_WSMSG_JOIN, KN_EAUTH, "unauthorized", "not authorized"},
        {KN_WSMSG_SFU_PREFS, KN_EINVAL, "invalid", "invalid message"},
        {KN_WSMSG_P2P_OFFER, KN_ENOMEM, "internal", "internal server error"},
        {KN_WSMSG_SFU_PUBLISH, KN_ECRYPTO, "internal", "internal server error"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        assert_string_equal(kn_wsmsg_error_code(pairs[i].rc), pairs[i].code);
        assert_string_equal(kn_wsmsg_error_text(pairs[i].t, pairs[i].rc), pairs[i].text);
    }
    static const int all[] = {KN_EINVAL, KN_ETRUNC, KN_EPROTO, KN_EAUTH, KN_ELIMIT,
                              KN_ENOMEM, KN_ENOENT, KN_EEXIST, KN_ESTATE, KN_EIO,
                              KN_ECRYPTO, KN_WS_EFORBIDDEN, KN_WS_ETOOLARGE, KN_WS_ERATE,
                              KN_WS_EUNAVAIL};
    for (int t = 0; t < KN_WSMSG_N_TYPES; t++)
        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
            const char *text = kn_wsmsg_error_text((kn_wsmsg_type)t, all[i]);
            assert_non_null(strchr(text, ' ')); /* a sentence, not a code name */
            assert_null(strstr(text, "unknown"));
        }
}

static void bucket(void **state) {
    kn_ratelimit r;
    (void)state;
    kn_ratelimit_init(&r, 50, 100, 1000);
    for (int i = 0; i < 100; i++)
        assert_true(kn_ratelimit_take(&r, 1000));
    assert_false(kn_ratelimit_take(&r, 1000));
    assert_false(kn_ratelimit_take(&r, 1019)); /* 0.95 tokens */
    assert_true(kn_ratelimit_take(&r, 1020));  /* 20 ms = 1 token */
    assert_false(kn_ratelimit_take(&r, 1020));
    int passed = 0; /* one second of flooding: 50 pass */
    for (uint64_t t = 1021; t <= 2020; t++)
        passed += kn_ratelimit_take(&r, t);
    assert_int_equal(passed, 50);
    int burst = 0; /* idle for 10 s: the bucket holds at most 100 */
    while (kn_ratelimit_take(&r, 12020))
        burst++;
    assert_int_equal(burst, 100);
}

static void turn_vector(void **state) {
    char cred[32];
    (void)state;
    assert_int_equal(kn_turn_credential("turn-shared-secret", "1760000000:p3f9a0c1d", cred,
                                        sizeof(cred)),
                     0);
    assert_string_equal(cred, "Hqu0FKKu/xRc6yIwyExryWxEGpQ=");
    assert_int_equal(kn_turn_credential("s", "u", cred, 28), KN_ELIMIT);
}

static void ice_servers(void **state) {
    (void)state;
    json_t *a = kn_turn_ice_servers("", "turn:10.0.0.1:3478?transport=udp,turns:t.example:5349",
                                    "turn-shared-secret", "p3f9a0c1d", 1760000000 - KN_TURN_TTL_S);
    char *s = json_dumps(a, JSON_COMPACT);
    assert_string_equal(s, "[{\"urls\":[\"stun:10.0.0.1:3478\"]},{\"urls\":[\"turn:10.0.0.1:3478?"
                           "transport=udp\",\"turns:t.example:5349\"],\"username\":\"1760000000:"
                           "p3f9a0c1d\",\"credential\":\"Hqu0FKKu/xRc6yIwyExryWxEGpQ=\"}]");
    free(s);
    json_decref(a);
    a = kn_turn_ice_servers("stun:s.example:3478", "turn:10.0.0.1:3478", "", "p", 0);
    s = json_dumps(a, JSON_COMPACT); /* no secret: TURN left out */
    assert_string_equal(s, "[{\"urls\":[\"stun:s.example:3478\"]}]");
    free(s);
    json_decref(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(join_ok),      cmocka_unit_test(rejects_with_reason),
        cmocka_unit_test(id_echoed_on_failure), cmocka_unit_test(relay_fields),
        cmocka_unit_test(size_limits),  cmocka_unit_test(error_codes), cmocka_unit_test(error_messages),
        cmocka_unit_test(bucket),       cmocka_unit_test(turn_vector),
        cmocka_unit_test(ice_servers),  cmocka_unit_test(sfu_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
