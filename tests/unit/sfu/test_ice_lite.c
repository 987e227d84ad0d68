/* test_ice_lite.c: only checks with the right USERNAME halves and MESSAGE-INTEGRITY
 * (the SFU's password) are accepted; the response maps the request's source. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "core/err.h"
#include "ice/ice_lite.h"

static const uint8_t tid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

static size_t make_check(const kn_ice_creds *c, const char *username, const char *pwd,
                         uint8_t *buf, size_t cap) {
    kn_stun_request req = {.tid = tid, .username = username, .username_len = strlen(username),
                           .priority = 1853817087, .controlling = true, .tie_breaker = 42,
                           .use_candidate = true};
    size_t n = 0;
    (void)c;
    assert_int_equal(kn_stun_write_request(&req, (const uint8_t *)pwd, strlen(pwd), buf, cap, &n),
                     0);
    return n;
}

static void creds(kn_ice_creds *c) {
    memset(c, 0, sizeof(*c));
    assert_int_equal(kn_ice_lite_gen(c), 0);
    assert_int_equal(strlen(c->ufrag), KN_ICE_UFRAG_LEN);
    assert_int_equal(strlen(c->pwd), KN_ICE_PWD_LEN);
    strcpy(c->remote_ufrag, "Zr8k");
}

static void valid_check_is_answered_to_its_source(void **state) {
    kn_ice_creds c;
    kn_stun msg, resp;
    uint8_t buf[512], out[512];
    char user[300];
    const char *uf;
    size_t ufl, n;
    struct sockaddr_in from = {.sin_family = AF_INET, .sin_port = htons(50000)};
    (void)state;
    creds(&c);
    snprintf(user, sizeof(user), "%s:%s", c.ufrag, c.remote_ufrag);
    size_t len = make_check(&c, user, c.pwd, buf, sizeof(buf));
    assert_int_equal(kn_ice_lite_parse_check(buf, len, &msg, &uf, &ufl), 0);
    assert_int_equal(ufl, KN_ICE_UFRAG_LEN);
    assert_memory_equal(uf, c.ufrag, ufl);
    assert_true(msg.use_candidate);
    assert_int_equal(kn_ice_lite_verify(buf, len, &msg, &c), 0);
    inet_pton(AF_INET, "192.0.2.2", &from.sin_addr);
    assert_int_equal(kn_ice_lite_respond(buf, &msg, &c, (struct sockaddr *)&from, out, sizeof(out),
                                         &n), 0);
    assert_int_equal(kn_stun_parse(out, n, &resp), 0);
    assert_int_equal(resp.type, KN_STUN_BINDING_SUCCESS);
    assert_memory_equal(out + resp.tid_off, tid, 12);
    assert_true(resp.has_xor_mapped);
    assert_int_equal(resp.xor_mapped.port, 50000);
    assert_memory_equal(resp.xor_mapped.addr, &from.sin_addr, 4);
    assert_int_equal(kn_stun_check_integrity(out, n, &resp, (const uint8_t *)c.pwd, strlen(c.pwd)),
                     0);
}

static void wrong_password_or_username_is_rejected(void **state) {
    kn_ice_creds c;
    kn_stun msg;
    uint8_t buf[512];
    char user[300];
    const char *uf;
    size_t ufl;
    (void)state;
    creds(&c);
    snprintf(user, sizeof(user), "%s:%s", c.ufrag, c.remote_ufrag);
    size_t len = make_check(&c, user, "not-the-sfu-password-at-all", buf, sizeof(buf));
    assert_int_equal(kn_ice_lite_parse_check(buf, len, &msg, &uf, &ufl), 0);
    assert_int_equal(kn_ice_lite_verify(buf, len, &msg, &c), KN_EAUTH);

    snprintf(user, sizeof(user), "%s:other", c.ufrag); /* another remote ufrag */
    len = make_check(&c, user, c.pwd, buf, sizeof(buf));
    assert_int_equal(kn_ice_lite_parse_check(buf, len, &msg, &uf, &ufl), 0);
    assert_int_equal(kn_ice_lite_verify(buf, len, &msg, &c), KN_EAUTH);

    len = make_check(&c, "nocolon", c.pwd, buf, sizeof(buf));
    assert_int_equal(kn_ice_lite_parse_check(buf, len, &msg, &uf, &ufl), KN_EINVAL);

    snprintf(user, sizeof(user), "%s:%s", c.ufrag, c.remote_ufrag);
    len = make_check(&c, user, c.pwd, buf, sizeof(buf));
    buf[len - 1] ^= 1; /* FINGERPRINT no longer matches */
    assert_int_equal(kn_ice_lite_parse_check(buf, len, &msg, &uf, &ufl), KN_EAUTH);
    for (size_t n = 0; n < 20; n++)
        assert_true(kn_ice_lite_parse_check(buf, n, &msg, &uf, &ufl) < 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_check_is_answered_to_its_source),
        cmocka_unit_test(wrong_password_or_username_is_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
