/*
 * test_ctl_msg.c: control-API framing (lines split across reads, empty lines,
 * the 64 KiB limit) and response/event parsing (docs/control-api.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "ctl/ctl_msg.h"

static int parse(const char *s, kn_ctl_msg *m) {
    return kn_ctl_msg_parse((const uint8_t *)s, strlen(s), m);
}

static void response_result(void **state) {
    kn_ctl_msg m;
    (void)state;
    assert_int_equal(parse("{\"id\":7,\"result\":{\"ssrc\":1234}}", &m), 0);
    assert_int_equal(m.type, KN_CTL_RESPONSE);
    assert_int_equal(m.id, 7);
    assert_int_equal(json_integer_value(json_object_get(m.result, "ssrc")), 1234);
    assert_null(m.err_code);
    kn_ctl_msg_free(&m);
}

static void response_error(void **state) {
    kn_ctl_msg m;
    (void)state;
    assert_int_equal(parse("{\"id\":8,\"error\":{\"code\":\"invalid\",\"message\":\"params.ice."
                           "ufrag: missing\"}}",
                           &m),
                     0);
    assert_null(m.result);
    assert_string_equal(m.err_code, "invalid");
    assert_string_equal(m.err_message, "params.ice.ufrag: missing");
    assert_int_equal(kn_ctl_code_to_err(m.err_code), KN_EINVAL);
    kn_ctl_msg_free(&m);
    assert_int_equal(kn_ctl_code_to_err("exists"), KN_EEXIST);
    assert_int_equal(kn_ctl_code_to_err("not_found"), KN_ENOENT);
    assert_int_equal(kn_ctl_code_to_err("whatever"), KN_EPROTO);
}

static void event(void **state) {
    kn_ctl_msg m;
    (void)state;
    assert_int_equal(parse("{\"event\":\"peer.closed\",\"params\":{\"room\":\"r\",\"peer\":\"p\","
                           "\"reason\":\"consent\"}}",
                           &m),
                     0);
    assert_int_equal(m.type, KN_CTL_EVENT);
    assert_string_equal(m.event, "peer.closed");
    assert_string_equal(json_string_value(json_object_get(m.params, "peer")), "p");
    kn_ctl_msg_free(&m);
}

static void rejects_bad_messages(void **state) {
    kn_ctl_msg m;
    (void)state;
    assert_int_equal(parse("", &m), KN_EINVAL);
    assert_int_equal(parse("[1,2]", &m), KN_EINVAL);
    assert_int_equal(parse("{\"id\":1", &m), KN_EINVAL);
    assert_int_equal(parse("{\"id\":\"1\",\"result\":{}}", &m), KN_EPROTO);
    assert_int_equal(parse("{\"id\":1}", &m), KN_EPROTO);
    assert_int_equal(parse("{\"id\":1,\"result\":{},\"error\":{\"code\":\"x\"}}", &m), KN_EPROTO);
    assert_int_equal(parse("{\"id\":1,\"result\":5}", &m), KN_EPROTO);
    assert_int_equal(parse("{\"id\":1,\"error\":{}}", &m), KN_EPROTO);
    assert_int_equal(parse("{\"event\":5}", &m), KN_EPROTO);
    assert_int_equal(parse("{\"event\":\"x\",\"params\":[]}", &m), KN_EPROTO);
    assert_int_equal(parse("{\"id\":1,\"id\":2,\"result\":{}}", &m), KN_EINVAL); /* duplicate */
    assert_null(m.root);
}

typedef struct lines {
    int n;
    char last[128];
} lines;

static int collect(void *arg, const uint8_t *line, size_t len) {
    lines *l = arg;
    l->n++;
    memcpy(l->last, line, len < 127 ? len : 127);
    l->last[len < 127 ? len : 127] = '\0';
    return strncmp(l->last, "stop", 4) == 0 ? KN_EPROTO : 0;
}

static void framing(void **state) {
    kn_ctl_framer *f = calloc(1, sizeof(*f));
    lines l = {0};
    (void)state;
    const char *a = "{\"id\":1,", *b = "\"result\":{}}\n\n{\"event\":\"x\"}\n{\"id\"";
    assert_int_equal(kn_ctl_framer_push(f, (const uint8_t *)a, strlen(a), collect, &l), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(kn_ctl_framer_push(f, (const uint8_t *)b, strlen(b), collect, &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.last, "{\"event\":\"x\"}");
    assert_int_equal(f->len, 5); /* the partial line waits */
    assert_int_equal(kn_ctl_framer_push(f, (const uint8_t *)"}\nstop\nmore\n", 12, collect, &l),
                     KN_EPROTO);
    assert_int_equal(l.n, 4); /* "more" is dropped after the callback's error */
    free(f);
}

static void line_limit(void **state) {
    kn_ctl_framer *f = calloc(1, sizeof(*f));
    uint8_t *big = malloc(KN_CTL_MAX_LINE + 1);
    lines l = {0};
    (void)state;
    memset(big, 'x', KN_CTL_MAX_LINE + 1);
    assert_int_equal(kn_ctl_framer_push(f, big, KN_CTL_MAX_LINE, collect, &l), 0);
    assert_int_equal(kn_ctl_framer_push(f, (const uint8_t *)"\n", 1, collect, &l), 0);
    assert_int_equal(l.n, 1); /* exactly 64 KiB is allowed */
    assert_int_equal(kn_ctl_framer_push(f, big, KN_CTL_MAX_LINE + 1, collect, &l), KN_ELIMIT);
    free(big);
    free(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(response_result), cmocka_unit_test(response_error),
        cmocka_unit_test(event),           cmocka_unit_test(rejects_bad_messages),
        cmocka_unit_test(framing),         cmocka_unit_test(line_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
