/* test_sfu_dynacast.c: room/sfu_dynacast.c, the sfu.layers message built from
 * the SFU's producer.layers_needed event (docs/signaling-protocol.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"
#include "room/sfu_dynacast.h"

static json_t *parse(const char *s) {
    json_t *j = json_loads(s, 0, NULL);
    assert_non_null(j);
    return j;
}

static void builds_sfu_layers(void **state) {
    (void)state;
    json_t *ev = parse("{\"room\":\"r.1\",\"peer\":\"p1.pub1\",\"producer\":\"p1.v\",\"encodings\":"
                       "[{\"rid\":\"q\",\"active\":true},{\"rid\":\"h\",\"active\":false},"
                       "{\"rid\":\"f\",\"active\":false}]}");
    json_t *msg = NULL;
    assert_int_equal(kn_sfu_dynacast_msg(ev, &msg), 0);
    char *s = json_dumps(msg, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(s, "{\"encodings\":[{\"active\":true,\"rid\":\"q\"},{\"active\":false,"
                           "\"rid\":\"h\"},{\"active\":false,\"rid\":\"f\"}],\"kind\":\"video\","
                           "\"type\":\"sfu.layers\",\"v\":1}");
    free(s);
    json_decref(msg);
    json_decref(ev);
}

static void refuses_malformed_events(void **state) {
    (void)state;
    const char *bad[] = {
        "{\"producer\":\"p\"}",
        "{\"encodings\":[]}",
        "{\"encodings\":{\"rid\":\"q\",\"active\":true}}",
        "{\"encodings\":[{\"rid\":\"q\"}]}",
        "{\"encodings\":[{\"rid\":1,\"active\":true}]}",
        "{\"encodings\":[{\"rid\":\"q\",\"active\":1}]}",
        "{\"encodings\":[{\"rid\":\"a\",\"active\":true},{\"rid\":\"b\",\"active\":true},"
        "{\"rid\":\"c\",\"active\":true},{\"rid\":\"d\",\"active\":true},{\"rid\":\"e\",\"active\":true}]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *ev = parse(bad[i]), *msg = NULL;
        assert_int_equal(kn_sfu_dynacast_msg(ev, &msg), KN_EINVAL);
        assert_null(msg);
        json_decref(ev);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builds_sfu_layers),
        cmocka_unit_test(refuses_malformed_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
