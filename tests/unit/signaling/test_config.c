/*
 * test_config.c: settings (KEY=VALUE text, value checks, environment over
 * file), the state directory's token secret (created once, then reused) and
 * the self-signed certificate files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/config.h"
#include "conf/selfsigned.h"
#include "core/err.h"

static void defaults(void **state) {
    kn_sigcfg c;
    (void)state;
    kn_sigcfg_defaults(&c);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8443);
    assert_true(c.tls);
    assert_int_equal(c.media_port, 10000);
    assert_string_equal(c.announce_ip, "127.0.0.1");
    assert_string_equal(c.sfu, "");
    assert_string_equal(c.token_secret, "");
}

static void parses_text(void **state) {
    kn_sigcfg c;
    const char *err = NULL;
    unsigned line = 0;
    static const char text[] = "# Konsil\n\nKONSIL_LISTEN = 0.0.0.0:9443\r\nKONSIL_TLS=off\n"
                               "KONSIL_SFU=tcp:10.0.0.2:7000\nKONSIL_SFU_SECRET=s3cret\n"
                               "KONSIL_MEDIA_PORT=40000\nKONSIL_LISTEN=[::1]:8444";
    (void)state;
    kn_sigcfg_defaults(&c);
    assert_int_equal(kn_sigcfg_parse_text(&c, text, strlen(text), &err, &line), 0);
    assert_string_equal(c.listen_host, "::1");
    assert_int_equal(c.listen_port, 8444);
    assert_false(c.tls);
    assert_string_equal(c.sfu, "tcp:10.0.0.2:7000");
    assert_string_equal(c.sfu_secret, "s3cret");
    assert_int_equal(c.media_port, 40000);
    assert_int_equal(line, 8);
}

static void rejects_bad_values(void **state) {
    kn_sigcfg c;
    const char *err = NULL;
    unsigned line = 0;
    (void)state;
    kn_sigcfg_defaults(&c);
    assert_int_equal(kn_sigcfg_set(&c, "KONSIL_TLS", "yes", &err), KN_EINVAL);
    assert_int_equal(kn_sigcfg_set(&c, "KONSIL_LISTEN", "8443", &err), KN_EINVAL);
    assert_int_equal(kn_sigcfg_set(&c, "KONSIL_LISTEN", "h:70000", &err), KN_EINVAL);
    assert_int_equal(kn_sigcfg_set(&c, "KONSIL_MEDIA_PORT", "0", &err), KN_EINVAL);
    assert_int_equal(kn_sigcfg_set(&c, "KONSIL_SFU", "http://x", &err), KN_EINVAL);
    assert_int_equal(kn_sigcfg_set(&c, "KONSIL_NOPE", "1", &err), KN_ENOENT);
    assert_int_equal(kn_sigcfg_parse_text(&c, "KONSIL_TLS=on\nnonsense\n", 23, &err, &line),
                     KN_EINVAL);
    assert_int_equal(line, 2);
    assert_string_equal(err, "expected KEY=VALUE");
    assert_int_equal(c.listen_port, 8443); /* failed sets changed nothing */
}

static void environment_wins(void **state) {
    char dir[] = "/tmp/kn-cfg-XXXXXX", file[64];
    kn_sigcfg c;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof(file), "%s/konsil.conf", dir);
    FILE *f = fopen(file, "w");
    fputs("KONSIL_MEDIA_PORT=20000\nKONSIL_ANNOUNCE_IP=192.0.2.9\n", f);
    fclose(f);
    setenv("KONSIL_MEDIA_PORT", "30000", 1);
    setenv("KONSIL_STATE_DIR", dir, 1);
    assert_int_equal(kn_sigcfg_load(&c, file), 0);
    assert_int_equal(c.media_port, 30000);
    assert_string_equal(c.announce_ip, "192.0.2.9");
    assert_string_equal(c.state_dir, dir);
    setenv("KONSIL_TLS", "maybe", 1);
    assert_int_equal(kn_sigcfg_load(&c, file), KN_EINVAL);
    unsetenv("KONSIL_TLS");
    unsetenv("KONSIL_MEDIA_PORT");
    unsetenv("KONSIL_STATE_DIR");
    unlink(file);
    rmdir(dir);
}

static void secret_created_once(void **state) {
    char dir[] = "/tmp/kn-cfg-XXXXXX", path[128], first[256];
    kn_sigcfg c;
    struct stat st;
    (void)state;
    assert_non_null(mkdtemp(dir));
    kn_sigcfg_defaults(&c);
    snprintf(c.state_dir, sizeof(c.state_dir), "%s/state", dir);
    assert_int_equal(kn_sigcfg_resolve_secret(&c), 0);
    assert_int_equal(strlen(c.token_secret), 64);
    strcpy(first, c.token_secret);
    snprintf(path, sizeof(path), "%s/state/token-secret", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    c.token_secret[0] = '\0';
    assert_int_equal(kn_sigcfg_resolve_secret(&c), 0);
    assert_string_equal(c.token_secret, first);
    strcpy(c.token_secret, "given");
    assert_int_equal(kn_sigcfg_resolve_secret(&c), 0);
    assert_string_equal(c.token_secret, "given");
    char cert[256], key[256];
    assert_int_equal(kn_selfsigned_ensure(c.state_dir, cert, key, sizeof(cert)), 0);
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(cert, &st), 0);
    assert_true(st.st_size > 300);
    unlink(cert);
    unlink(key);
    unlink(path);
    snprintf(path, sizeof(path), "%s/state", dir);
    rmdir(path);
    rmdir(dir);
}

static void operations_settings(void **state) {
    kn_sigcfg c;
    const char *err = NULL;
    unsigned line = 0;
    static const char text[] = "KONSIL_METRICS_TOKEN = t0k3n\nKONSIL_DRAIN_TIMEOUT=120\n"
                               "KONSIL_LOG_LEVEL=debug\nKONSIL_LOG_FORMAT=json\n"
                               "KONSIL_METRICS_TIMEOUT_MS=500\nKONSIL_SMTP_HOST=mail.example.org\n"
                               "KONSIL_SMS_URL=https://sms.example.org/v1/send\n";
    (void)state;
    kn_sigcfg_defaults(&c);
    assert_int_equal(c.drain_timeout_s, 3600);
    assert_int_equal(c.metrics_timeout_ms, 2000);
    assert_int_equal(c.log_level, KN_LOG_INFO);
    assert_int_equal(c.log_format, KN_LOG_TEXT);
    assert_string_equal(c.ext[KN_CFG_RETENTION_DAYS], "90");
    assert_int_equal(kn_sigcfg_parse_text(&c, text, strlen(text), &err, &line), 0);
    assert_string_equal(c.metrics_token, "t0k3n");
    assert_int_equal(c.drain_timeout_s, 120);
    assert_int_equal(c.metrics_timeout_ms, 500);
    assert_int_equal(c.log_level, KN_LOG_DEBUG);
    assert_int_equal(c.log_format, KN_LOG_JSON);
    assert_string_equal(c.ext[KN_CFG_SMTP_HOST], "mail.example.org");
    assert_string_equal(c.ext[KN_CFG_SMS_URL], "https://sms.example.org/v1/send");
    static const char *const bad[][2] = {
        {"KONSIL_DRAIN_TIMEOUT", "-1"},      {"KONSIL_DRAIN_TIMEOUT", "604801"},
        {"KONSIL_DRAIN_TIMEOUT", "1h"},      {"KONSIL_LOG_LEVEL", "verbose"},
        {"KONSIL_LOG_FORMAT", "xml"},        {"KONSIL_METRICS_TIMEOUT_MS", "50"},
        {"KONSIL_RETENTION_DAYS", "91"},     {"KONSIL_RETENTION_DAYS", "0"},
        {"KONSIL_SMTP_PORT", "70000"},       {"KONSIL_SMTP_STARTTLS", "yes"},
        {"KONSIL_SMS_URL", "http://sms.example.org/x"}, {"KONSIL_SMTP_HOST", "a\nb"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = NULL;
        assert_int_equal(kn_sigcfg_set(&c, bad[i][0], bad[i][1], &err), KN_EINVAL);
        assert_non_null(err);
    }
    assert_int_equal(c.drain_timeout_s, 120); /* failed sets changed nothing */
    assert_int_equal(c.log_level, KN_LOG_DEBUG);
}

/* Settings set only in the file are exported for the modules that read the
 * environment; what the environment set at start wins again on reload. */
static void file_exports_and_reload(void **state) {
    char dir[] = "/tmp/kn-cfg-XXXXXX", file[64];
    static kn_sigcfg c, r;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof(file), "%s/konsil.conf", dir);
    FILE *f = fopen(file, "w");
    fputs("KONSIL_SMTP_HOST=relay.example.org\nKONSIL_LOG_LEVEL=warn\nKONSIL_DRAIN_TIMEOUT=5\n", f);
    fclose(f);
    unsetenv("KONSIL_SMTP_HOST");
    unsetenv("KONSIL_LOG_LEVEL");
    setenv("KONSIL_DRAIN_TIMEOUT", "7", 1);
    setenv("KONSIL_STATE_DIR", dir, 1);
    assert_int_equal(kn_sigcfg_load(&c, file), 0);
    assert_string_equal(getenv("KONSIL_SMTP_HOST"), "relay.example.org");
    assert_int_equal(c.log_level, KN_LOG_WARN);
    assert_int_equal(c.drain_timeout_s, 7);
    f = fopen(file, "w");
    fputs("KONSIL_LOG_LEVEL=debug\nKONSIL_DRAIN_TIMEOUT=9\n", f);
    fclose(f);
    assert_int_equal(kn_sigcfg_reload(&r, file, &c), 0);
    assert_int_equal(r.log_level, KN_LOG_DEBUG); /* from the file: reloaded */
    assert_int_equal(r.drain_timeout_s, 7);      /* from the environment: kept */
    f = fopen(file, "w");
    fputs("KONSIL_LOG_LEVEL=loud\n", f);
    fclose(f);
    assert_int_equal(kn_sigcfg_reload(&r, file, &c), KN_EINVAL);
    unsetenv("KONSIL_SMTP_HOST");
    unsetenv("KONSIL_LOG_LEVEL");
    unsetenv("KONSIL_LOG_FORMAT");
    unsetenv("KONSIL_RETENTION_DAYS");
    unsetenv("KONSIL_SMTP_STARTTLS");
    unsetenv("KONSIL_DRAIN_TIMEOUT");
    unsetenv("KONSIL_STATE_DIR");
    unlink(file);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(parses_text),
        cmocka_unit_test(rejects_bad_values),
        cmocka_unit_test(environment_wins),
        cmocka_unit_test(secret_created_once),
        cmocka_unit_test(operations_settings),
        cmocka_unit_test(file_exports_and_reload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
