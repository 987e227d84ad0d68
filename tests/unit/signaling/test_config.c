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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(parses_text),
        cmocka_unit_test(rejects_bad_values),
        cmocka_unit_test(environment_wins),
        cmocka_unit_test(secret_created_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
