/*
 * test_sms.c: the SMS gateway client: URL and phone validation, the request
 * as written, HTTP status-line parsing (every truncation, malformed lines),
 * settings from the environment, and sending to a real local gateway
 * (signaling/sms_sink.py, Python's http.server; its PIDs kept and stopped):
 * HTTPS with a verified throwaway certificate through the thread pool,
 * plain http to loopback, a wrong token (401), an untrusted certificate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>
#include <uv.h>

#include "core/err.h"
#include "notify/sms.h"
#include "spawn.h"

static char dir[] = "/tmp/kn_sms_XXXXXX";
static char cert[160], key[160], other[160], other_key[160], out_tls[160], out_plain[160];
static spawned tls_gw, plain_gw;
static uint16_t tls_port, plain_port;

static int start(spawned *s, uint16_t *port, char *out, const char *name, const char *mode) {
    char p[8], log[192];
    char *argv[] = {"signaling/sms_sink.py", p, out, cert, key, "tok-123", (char *)mode, NULL};
    *port = spawn_free_port();
    snprintf(p, sizeof(p), "%u", *port);
    snprintf(out, 160, "%s/%s", dir, name);
    snprintf(log, sizeof(log), "%s.log", out);
    return mkdir(out, 0700) == 0 ? spawn_python(s, log, argv) : -1;
}

static int group_setup(void **state) {
    (void)state;
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    snprintf(other, sizeof(other), "%s/other.pem", dir);
    snprintf(other_key, sizeof(other_key), "%s/other_key.pem", dir);
    if (spawn_make_cert(cert, key) != 0 || spawn_make_cert(other, other_key) != 0)
        return -1;
    if (start(&tls_gw, &tls_port, out_tls, "tls", "--tls") != 0 ||
        start(&plain_gw, &plain_port, out_plain, "plain", "--plain") != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state) {
    char cmd[64];
    (void)state;
    spawn_stop(&tls_gw);
    spawn_stop(&plain_gw);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void url_parse(void **state) {
    kn_sms_config c;
    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(kn_sms_url_parse("https://sms.example.org/v1/send?x=1", &c), 0);
    assert_int_equal(c.tls, 1);
    assert_string_equal(c.host, "sms.example.org");
    assert_int_equal(c.port, 443);
    assert_string_equal(c.path, "/v1/send?x=1");
    assert_int_equal(kn_sms_url_parse("https://[2001:db8::1]:8443/s", &c), 0);
    assert_string_equal(c.host, "2001:db8::1");
    assert_int_equal(c.port, 8443);
    assert_int_equal(kn_sms_url_parse("http://127.0.0.1:9000/s", &c), 0);
    assert_int_equal(c.tls, 0);
    static const char *const bad[] = {
        "http://sms.example.org/s", /* plain http only to loopback */
        "ftp://x/s",
        "https://",
        "https:///s",
        "https://h:0/s",
        "https://h:70000/s",
        "https://h",
        "https://h/a b",
        "https://h/a\r\nX: y",
        "https://h_x/s",
        "https://[::1/s",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (kn_sms_url_parse(bad[i], &c) != KN_EINVAL)
            fail_msg("accepted %s", bad[i]);
}

static void phone_numbers(void **state) {
    (void)state;
    assert_true(kn_sms_phone_ok("+4915112345678"));
    assert_true(kn_sms_phone_ok("+12345678"));
    assert_false(kn_sms_phone_ok("+1234567"));
    assert_false(kn_sms_phone_ok("+1234567890123456"));
    assert_false(kn_sms_phone_ok("015112345678"));
    assert_false(kn_sms_phone_ok("+49 151 12345678"));
    assert_false(kn_sms_phone_ok(NULL));
}

static void request_bytes(void **state) {
    kn_sms_config c = {.tls = 1, .port = 443};
    char out[1024];
    size_t n;
    (void)state;
    strcpy(c.host, "sms.example.org");
    strcpy(c.path, "/send");
    strcpy(c.token, "tok");
    assert_int_equal(kn_sms_request(&c, "+4915112345678", "Hallo \"Welt\" ü", out, sizeof(out), &n),
                     0);
    assert_string_equal(out, "POST /send HTTP/1.1\r\nHost: sms.example.org:443\r\n"
                             "Authorization: Bearer tok\r\nContent-Type: application/json\r\n"
                             "Content-Length: 50\r\nConnection: close\r\n"
                             "User-Agent: konsil-signaling\r\n\r\n"
                             "{\"to\":\"+4915112345678\",\"text\":\"Hallo \\\"Welt\\\" ü\"}");
    assert_int_equal(n, strlen(out));
    assert_int_equal(kn_sms_request(&c, "+49", "x", out, sizeof(out), &n), KN_EINVAL);
    assert_int_equal(kn_sms_request(&c, "+4915112345678", "\xff", out, sizeof(out), &n), KN_EINVAL);
    assert_int_equal(kn_sms_request(&c, "+4915112345678", "x", out, 40, &n), KN_ELIMIT);
}

static void status_line(void **state) {
    static const char ok[] = "HTTP/1.1 202 Accepted\r\n";
    int st = 0;
    (void)state;
    assert_int_equal(kn_sms_status_parse((const uint8_t *)ok, strlen(ok), &st), 0);
    assert_int_equal(st, 202);
    for (size_t n = 0; n < strlen(ok); n++)
        assert_int_equal(kn_sms_status_parse((const uint8_t *)ok, n, &st), KN_ETRUNC);
    assert_int_equal(kn_sms_status_parse((const uint8_t *)"HTTP/1.0 401\r\n", 14, &st), 0);
    assert_int_equal(st, 401);
    static const char *const bad[] = {
        "HTTP/2 200 OK\r\n",  "HTTP/1.1 20 OK\r\n",  "HTTP/1.1 2000 OK\r\n", "HTTP/1.1 600 X\r\n",
        "HTTP/1.1 099 X\r\n", "http/1.1 200 OK\r\n", "HTTP/1.2 200 OK\r\n",  "\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(kn_sms_status_parse((const uint8_t *)bad[i], strlen(bad[i]), &st),
                         KN_EPROTO);
}

static void settings_from_environment(void **state) {
    kn_sms_config c;
    (void)state;
    unsetenv("KONSIL_SMS_URL");
    assert_int_equal(kn_sms_config_from_env(&c), KN_ENOENT);
    setenv("KONSIL_SMS_URL", "https://sms.example.org/send", 1);
    unsetenv("KONSIL_SMS_TOKEN");
    assert_int_equal(kn_sms_config_from_env(&c), KN_EINVAL);
    setenv("KONSIL_SMS_TOKEN", "tok", 1);
    assert_int_equal(kn_sms_config_from_env(&c), 0);
    assert_string_equal(c.token, "tok");
    setenv("KONSIL_SMS_TOKEN", "tok\r\nX-Evil: 1", 1);
    assert_int_equal(kn_sms_config_from_env(&c), KN_EINVAL);
}

static kn_sms_config gw(int tls) {
    kn_sms_config c = {.tls = tls, .port = tls ? tls_port : plain_port, .timeout_ms = 10000};
    strcpy(c.host, "127.0.0.1");
    strcpy(c.path, "/api/sms");
    strcpy(c.token, "tok-123");
    strcpy(c.ca_file, cert);
    return c;
}

static json_t *received(const char *out, int n) {
    char path[192];
    snprintf(path, sizeof(path), "%s/%d.json", out, n);
    json_t *j = json_load_file(path, 0, NULL);
    assert_non_null(j);
    return j;
}

typedef struct done {
    int called, rc;
    char err[256];
} done;

static void on_sent(void *ctx, int rc, const char *err) {
    done *d = ctx;
    d->called++;
    d->rc = rc;
    snprintf(d->err, sizeof(d->err), "%s", err);
}

static void sends_over_https_from_the_pool(void **state) {
    kn_sms_config c = gw(1);
    uv_loop_t loop;
    done d = {0};
    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(
        kn_sms_queue(&loop, &c, "+4915112345678", "Termin 10:00 Uhr, Code AB2C", on_sent, &d), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    assert_int_equal(d.called, 1);
    if (d.rc != 0)
        fail_msg("%s: %s", kn_strerror(d.rc), d.err);
    json_t *j = received(out_tls, 1);
    assert_string_equal(json_string_value(json_object_get(j, "path")), "/api/sms");
    assert_string_equal(json_string_value(json_object_get(j, "auth")), "Bearer tok-123");
    assert_string_equal(json_string_value(json_object_get(j, "ctype")), "application/json");
    json_t *b = json_object_get(j, "body");
    assert_string_equal(json_string_value(json_object_get(b, "to")), "+4915112345678");
    assert_string_equal(json_string_value(json_object_get(b, "text")),
                        "Termin 10:00 Uhr, Code AB2C");
    json_decref(j);
}

static void wrong_token_and_untrusted_certificate(void **state) {
    kn_sms_config c = gw(1);
    char err[256];
    (void)state;
    strcpy(c.token, "nope");
    assert_int_equal(kn_sms_send(&c, "+4915112345678", "x", err, sizeof(err)), KN_EAUTH);
    assert_string_equal(err, "SMS gateway answered 401");
    c = gw(1);
    strcpy(c.ca_file, other);
    assert_int_equal(kn_sms_send(&c, "+4915112345678", "x", err, sizeof(err)), KN_ECRYPTO);
    c.port = spawn_free_port();
    assert_int_equal(kn_sms_send(&c, "+4915112345678", "x", err, sizeof(err)), KN_EIO);
}

static void plain_http_to_loopback(void **state) {
    kn_sms_config c = gw(0);
    char err[256];
    (void)state;
    if (kn_sms_send(&c, "+4915112345678", "plain", err, sizeof(err)) != 0)
        fail_msg("%s", err);
    json_t *j = received(out_plain, 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "body"), "text")),
                        "plain");
    json_decref(j);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_parse),
        cmocka_unit_test(phone_numbers),
        cmocka_unit_test(request_bytes),
        cmocka_unit_test(status_line),
        cmocka_unit_test(settings_from_environment),
        cmocka_unit_test(sends_over_https_from_the_pool),
        cmocka_unit_test(wrong_token_and_untrusted_certificate),
        cmocka_unit_test(plain_http_to_loopback),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
