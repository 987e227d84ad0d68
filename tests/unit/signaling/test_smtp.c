/*
 * test_smtp.c: the SMTP client and mailer against a real local server
 * (signaling/smtp_sink.py on Debian's python3-aiosmtpd, started here on
 * 127.0.0.1; its PIDs are kept and exactly those are stopped). Checks the
 * invitation as received (envelope, TLS, AUTH, headers, decoded German and
 * English body with link and code), sending through uv_queue_work, wrong
 * password, untrusted certificate, missing STARTTLS, plain delivery with
 * dot-stuffing, an unreachable server and the environment settings.
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
#include <jansson.h>
#include <uv.h>

#include "core/err.h"
#include "notify/invite_text.h"
#include "notify/mailer.h"
#include "notify/smtp.h"
#include "spawn.h"

typedef struct sink {
    spawned proc;
    uint16_t port;
    char out[128];
} sink;

static char dir[] = "/tmp/kn_smtp_XXXXXX";
static char cert[160], key[160], other_cert[160], other_key[160];
static sink tls_sink, plain_sink;

static int sink_start(sink *s, const char *name, int plain) {
    char port[8], log[160];
    char *argv[] = {"signaling/smtp_sink.py",    port, s->out, cert, key, "konsil", "s3cret-pass",
                    plain ? "--plain" : "--tls", NULL};

    s->port = spawn_free_port();
    snprintf(port, sizeof(port), "%u", s->port);
    snprintf(s->out, sizeof(s->out), "%s/%s", dir, name);
    snprintf(log, sizeof(log), "%s.log", s->out);
    if (mkdir(s->out, 0700) != 0)
        return -1;
    return spawn_python(&s->proc, log, argv);
}

static int group_setup(void **state) {
    (void)state;
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    snprintf(other_cert, sizeof(other_cert), "%s/other.pem", dir);
    snprintf(other_key, sizeof(other_key), "%s/other_key.pem", dir);
    if (spawn_make_cert(cert, key) != 0 || spawn_make_cert(other_cert, other_key) != 0)
        return -1;
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    if (sink_start(&tls_sink, "tls", 0) != 0 || sink_start(&plain_sink, "plain", 1) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state) {
    char cmd[64];
    (void)state;
    spawn_stop(&tls_sink.proc);
    spawn_stop(&plain_sink.proc);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static kn_smtp_config tls_config(void) {
    kn_smtp_config c = {.port = tls_sink.port, .starttls = 1, .timeout_ms = 10000};
    strcpy(c.host, "127.0.0.1");
    strcpy(c.user, "konsil");
    strcpy(c.password, "s3cret-pass");
    strcpy(c.from, "praxis@konsil.example");
    strcpy(c.ca_file, cert);
    return c;
}

/* Loads OUT/N.json written by the sink for the n-th accepted message. */
static json_t *received(const sink *s, int n) {
    char path[192];
    snprintf(path, sizeof(path), "%s/%d.json", s->out, n);
    for (int i = 0; i < 100 && access(path, R_OK) != 0; i++)
        usleep(50000);
    json_t *j = json_load_file(path, 0, NULL);
    assert_non_null(j);
    return j;
}

static const char *jstr(json_t *j, const char *k) {
    const char *v = json_string_value(json_object_get(j, k));
    assert_non_null(v);
    return v;
}

/* Sends and compares the result, showing the client's reason on a mismatch. */
static void expect_send(const kn_smtp_config *c, const char *msg, int want, char *err) {
    int rc = kn_smtp_send(c, "p@example.net", msg, strlen(msg), err, 256);
    if (rc != want)
        fail_msg("want %s, got %s: %s", kn_strerror(want), kn_strerror(rc), err);
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

static void invitation_arrives_over_starttls_with_auth(void **state) {
    kn_smtp_config c = tls_config();
    kn_invite inv = {.from = c.from,
                     .to = "patient@example.net",
                     .practice = "Praxis Dr. Weiß",
                     .link = "https://konsil.example/join/Q2xhcmEtMjAyNi0xMi0w#code=AB2C-DE3F-GH",
                     .code = "AB2C-DE3F-GH",
                     .start_at = 1796115600, /* 2026-12-01 09:00 UTC */
                     .duration_s = 1800};
    char msg[KN_INVITE_MAIL_MAX];
    size_t n;
    done d = {0};
    uv_loop_t loop;
    (void)state;

    assert_int_equal(kn_invite_text_mail(&inv, 1796000000, msg, sizeof(msg), &n), 0);
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(kn_mailer_send(&loop, &c, inv.to, msg, n, on_sent, &d), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    assert_int_equal(d.called, 1);
    if (d.rc != 0)
        fail_msg("send failed: %s (%s)", kn_strerror(d.rc), d.err);

    json_t *j = received(&tls_sink, 1);
    assert_string_equal(jstr(j, "mail_from"), "praxis@konsil.example");
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "rcpt_tos"), 0)),
                        "patient@example.net");
    assert_true(json_is_true(json_object_get(j, "tls")));
    assert_true(json_is_true(json_object_get(j, "authenticated")));
    assert_string_equal(jstr(j, "to"), "patient@example.net");
    assert_string_equal(jstr(j, "subject"),
                        "Einladung zur Videosprechstunde / Invitation to a video consultation");
    assert_string_equal(jstr(j, "cte"), "quoted-printable");
    const char *body = jstr(j, "body");
    static const char *const must[] = {
        "Praxis Dr. Weiß lädt Sie zu einer Videosprechstunde ein.",
        "Termin: 01.12.2026, 10:00 Uhr (etwa 30 Minuten)", /* Europe/Berlin */
        "https://konsil.example/join/Q2xhcmEtMjAyNi0xMi0w#code=AB2C-DE3F-GH",
        "geben Sie ihn ein: AB2C-DE3F-GH",
        "Kamera und Mikrofon",
        "einen aktuellen Browser",
        "mindestens 1 Mbit/s im Upload und im Download",
        "5 bis 15 Minuten vor dem Termin",
        "Appointment: 2026-12-01, 10:00 (about 30 minutes)",
        "a camera and a microphone",
        "a current browser",
        "at least 1 Mbit/s upload and download",
        "5 to 15 minutes before your appointment",
    };
    for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
        if (strstr(body, must[i]) == NULL)
            fail_msg("body lacks \"%s\":\n%s", must[i], body);
    /* Every raw line obeys RFC 5322's 78-character recommendation. */
    const char *raw = jstr(j, "raw");
    for (const char *l = raw, *e; *l; l = e + 1) {
        if ((e = strchr(l, '\n')) == NULL)
            break;
        assert_true(e - l <= 78);
    }
    json_decref(j);
}

static void wrong_password_is_kn_eauth(void **state) {
    kn_smtp_config c = tls_config();
    char err[256];
    (void)state;
    strcpy(c.password, "wrong");
    expect_send(&c, "Subject: x\n\nx\n", KN_EAUTH, err);
    assert_non_null(strstr(err, "535"));
}

static void untrusted_certificate_is_refused(void **state) {
    kn_smtp_config c = tls_config();
    char err[256];
    (void)state;
    strcpy(c.ca_file, other_cert);
    expect_send(&c, "Subject: x\n\nx\n", KN_ECRYPTO, err);
    assert_non_null(strstr(err, "TLS handshake"));
    c = tls_config();
    strcpy(c.host, "localhost"); /* DNS name in the certificate: verifies too */
    expect_send(&c, "Subject: x\n\nx\n", 0, err);
}

static void starttls_required_but_not_offered(void **state) {
    kn_smtp_config c = tls_config();
    char err[256];
    (void)state;
    c.port = plain_sink.port;
    expect_send(&c, "Subject: x\n\nx\n", KN_EPROTO, err);
    assert_string_equal(err, "server does not offer STARTTLS");
    c.starttls = 0; /* a password is never sent without TLS */
    expect_send(&c, "Subject: x\n\nx\n", KN_EPROTO, err);
    assert_string_equal(err, "refusing AUTH without TLS");
}

static void plain_delivery_dot_stuffing(void **state) {
    kn_smtp_config c = {.port = plain_sink.port, .starttls = 0, .timeout_ms = 10000};
    static const char msg[] = "Subject: dots\nTo: <p@example.net>\n\n.leading dot\n.\n..two\nend";
    char err[256];
    (void)state;
    strcpy(c.host, "127.0.0.1");
    strcpy(c.from, "praxis@konsil.example");
    expect_send(&c, msg, 0, err);
    json_t *j = received(&plain_sink, 1);
    assert_true(json_is_false(json_object_get(j, "tls")));
    assert_string_equal(jstr(j, "subject"), "dots");
    assert_string_equal(jstr(j, "body"), ".leading dot\n.\n..two\nend\n");
    json_decref(j);
}

static void bad_addresses_and_unreachable_server(void **state) {
    kn_smtp_config c = tls_config();
    char err[256];
    (void)state;
    assert_int_equal(kn_smtp_send(&c, "p@example.net>\r\nRCPT TO:<x@y", "x", 1, err, sizeof(err)),
                     KN_EINVAL);
    assert_int_equal(kn_smtp_send(&c, "no-at", "x", 1, err, sizeof(err)), KN_EINVAL);
    assert_int_equal(kn_mailer_send(NULL, &c, "a@b,c@d", "x", 1, on_sent, NULL), KN_EINVAL);
    c.port = spawn_free_port(); /* nobody listens */
    assert_int_equal(kn_smtp_send(&c, "p@example.net", "x", 1, err, sizeof(err)), KN_EIO);
}

static void settings_from_environment(void **state) {
    kn_smtp_config c;
    (void)state;
    unsetenv("KONSIL_SMTP_HOST");
    unsetenv("KONSIL_SMTP_PORT");
    unsetenv("KONSIL_SMTP_STARTTLS");
    unsetenv("KONSIL_SMTP_USER");
    setenv("KONSIL_SMTP_FROM", "praxis@konsil.example", 1);
    assert_int_equal(kn_smtp_config_from_env(&c), KN_ENOENT);
    setenv("KONSIL_SMTP_HOST", "mail.example.org", 1);
    assert_int_equal(kn_smtp_config_from_env(&c), 0);
    assert_int_equal(c.port, 587);
    assert_int_equal(c.starttls, 1);
    setenv("KONSIL_SMTP_STARTTLS", "off", 1);
    assert_int_equal(kn_smtp_config_from_env(&c), 0);
    assert_int_equal(c.port, 25);
    setenv("KONSIL_SMTP_USER", "u", 1);
    assert_int_equal(kn_smtp_config_from_env(&c), KN_EINVAL); /* AUTH in clear */
    setenv("KONSIL_SMTP_STARTTLS", "yes", 1);
    assert_int_equal(kn_smtp_config_from_env(&c), KN_EINVAL);
    setenv("KONSIL_SMTP_STARTTLS", "on", 1);
    setenv("KONSIL_SMTP_PORT", "2525", 1);
    setenv("KONSIL_SMTP_PASSWORD", "pw", 1);
    assert_int_equal(kn_smtp_config_from_env(&c), 0);
    assert_int_equal(c.port, 2525);
    assert_string_equal(c.user, "u");
    assert_string_equal(c.password, "pw");
    setenv("KONSIL_SMTP_PORT", "70000", 1);
    assert_int_equal(kn_smtp_config_from_env(&c), KN_EINVAL);
    setenv("KONSIL_SMTP_PORT", "587", 1);
    setenv("KONSIL_SMTP_FROM", "not an address", 1);
    assert_int_equal(kn_smtp_config_from_env(&c), KN_EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invitation_arrives_over_starttls_with_auth),
        cmocka_unit_test(wrong_password_is_kn_eauth),
        cmocka_unit_test(untrusted_certificate_is_refused),
        cmocka_unit_test(starttls_required_but_not_offered),
        cmocka_unit_test(plain_delivery_dot_stuffing),
        cmocka_unit_test(bad_addresses_and_unreachable_server),
        cmocka_unit_test(settings_from_environment),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
