/*
 * test_sfu_conf.c: konsil-sfu's --config parser (sfu/conf/sfu_conf.c): the
 * log settings it applies, the KONSIL_* keys it ignores, the lines it refuses
 * (with their line number), the size limit, and reading a file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/sfu_conf.h"
#include "core/err.h"

static int parse(const char *text, kn_sfuconf *c, unsigned *line, const char **why) {
    return kn_sfuconf_parse((const uint8_t *)text, strlen(text), c, line, why);
}

/* /etc/konsil/sfu.env as the systemd unit reads it, plus the log settings. */
static void reads_log_settings_of_an_env_file(void **state) {
    kn_sfuconf c;
    unsigned line;
    const char *why = NULL;
    (void)state;
    static const char text[] = "# sfu.env\n"
                               "KONSIL_MEDIA_PORT=10000\n"         /* ignored: a flag */
                               "KONSIL_ANNOUNCE_IP=203.0.113.10\n" /* ignored: a flag */
                               "  KONSIL_LOG_LEVEL = debug \r\n"   /* blanks, CRLF trimmed */
                               "\n"
                               "KONSIL_LOG_FORMAT=json"; /* no final newline */
    assert_int_equal(parse(text, &c, &line, &why), 0);
    assert_true(c.has_level);
    assert_int_equal(c.level, KN_LOG_DEBUG);
    assert_true(c.has_format);
    assert_int_equal(c.format, KN_LOG_JSON);
    assert_int_equal(line, 6);
}

static void absent_and_empty_mean_unset(void **state) {
    kn_sfuconf c;
    unsigned line;
    const char *why = NULL;
    (void)state;
    assert_int_equal(parse("KONSIL_SFU=tcp:127.0.0.1:7000\n", &c, &line, &why), 0);
    assert_false(c.has_level);
    assert_false(c.has_format);
    /* the last one wins; an empty value unsets an earlier one */
    assert_int_equal(parse("KONSIL_LOG_LEVEL=warn\nKONSIL_LOG_LEVEL=\nKONSIL_LOG_FORMAT=text\n"
                           "KONSIL_LOG_FORMAT=json\n",
                           &c, &line, &why),
                     0);
    assert_false(c.has_level);
    assert_true(c.has_format);
    assert_int_equal(c.format, KN_LOG_JSON);
    assert_int_equal(parse("", &c, &line, &why), 0);
    assert_false(c.has_level);
}

static void refuses_bad_lines_naming_them(void **state) {
    static const struct {
        const char *text;
        unsigned line;
        const char *why;
    } bad[] = {
        {"# ok\nKONSIL_LOG_LEVEL=loud\n",                          2,
         "KONSIL_LOG_LEVEL: expected error, warn, info or debug"                                                },
        {"KONSIL_LOG_FORMAT=xml\n",                                1, "KONSIL_LOG_FORMAT: expected text or json"},
        {"KONSIL_LOG_LEVEL=debugdebugdebugdebugdebugdebugdebug\n", 1,
         "KONSIL_LOG_LEVEL: expected error, warn, info or debug"                                                }, /* longer than the buffer */
        {"\n\nKONSIL_LOG_LEVEL\n",                                 3, "expected KEY=VALUE"                      },
        {"LOG_LEVEL=debug\n",                                      1, "expected a KONSIL_* setting name"        },
        {"KONSIL_=x\n",                                            1, "expected a KONSIL_* setting name"        },
        {"KONSIL_log_level=debug\n",                               1, "expected a KONSIL_* setting name"        },
        {"=debug\n",                                               1, "expected a KONSIL_* setting name"        },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        kn_sfuconf c;
        unsigned line = 0;
        const char *why = NULL;
        assert_int_equal(parse(bad[i].text, &c, &line, &why), KN_EINVAL);
        assert_int_equal(line, bad[i].line);
        assert_string_equal(why, bad[i].why);
    }
}

static void refuses_nul_and_oversize(void **state) {
    static uint8_t big[KN_SFUCONF_MAX_BYTES + 1];
    static const uint8_t nul[] = "KONSIL_LOG_LEVEL=de\0bug\n";
    kn_sfuconf c;
    unsigned line;
    const char *why = NULL;
    (void)state;
    assert_int_equal(kn_sfuconf_parse(nul, sizeof(nul) - 1, &c, &line, &why), KN_EINVAL);
    assert_string_equal(why, "line contains NUL");
    memset(big, '#', sizeof(big));
    assert_int_equal(kn_sfuconf_parse(big, sizeof(big) - 1, &c, &line, &why), 0);
    assert_int_equal(kn_sfuconf_parse(big, sizeof(big), &c, &line, &why), KN_ELIMIT);
}

static void loads_a_file(void **state) {
    char path[] = "/tmp/kn-sfuconf-XXXXXX";
    kn_sfuconf c;
    unsigned line;
    const char *why = NULL;
    (void)state;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] = "KONSIL_LOG_LEVEL=error\n";
    assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
    close(fd);
    assert_int_equal(kn_sfuconf_load(path, &c, &line, &why), 0);
    assert_true(c.has_level);
    assert_int_equal(c.level, KN_LOG_ERROR);
    unlink(path);
    assert_int_equal(kn_sfuconf_load(path, &c, &line, &why), KN_EIO);
    assert_int_equal(line, 0);
    assert_string_equal(why, "cannot read the file");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_log_settings_of_an_env_file),
        cmocka_unit_test(absent_and_empty_mean_unset),
        cmocka_unit_test(refuses_bad_lines_naming_them),
        cmocka_unit_test(refuses_nul_and_oversize),
        cmocka_unit_test(loads_a_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
