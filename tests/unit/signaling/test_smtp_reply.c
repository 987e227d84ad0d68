/*
 * test_smtp_reply.c: SMTP reply parsing (RFC 5321 §4.2) on replies as
 * Postfix and aiosmtpd send them: single and multi-line replies, every
 * truncation asks for more, malformed codes and separators, differing codes,
 * line and line-count limits, and the EHLO extension list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "notify/smtp_reply.h"

/* Postfix's EHLO answer (multi-line, RFC 5321 §4.1.1.1). */
static const char ehlo[] = "250-mail.example.org\r\n" /* greeting line, skipped */
                           "250-PIPELINING\r\n"
                           "250-SIZE 10240000\r\n"    /* RFC 1870 */
                           "250-STARTTLS\r\n"         /* RFC 3207 */
                           "250-auth login Plain\r\n" /* RFC 4954; case-insensitive */
                           "250-8BITMIME\r\n"
                           "250 SMTPUTF8\r\n"
                           "354 next reply starts here\r\n";

static int parse(const char *s, size_t n, kn_smtp_reply *r) {
    return kn_smtp_reply_parse((const uint8_t *)s, n, r);
}

static void single_line(void **state) {
    static const char s[] = "220 mail.example.org ESMTP\r\n";
    kn_smtp_reply r;
    (void)state;
    assert_int_equal(parse(s, strlen(s), &r), 0);
    assert_int_equal(r.code, 220);
    assert_int_equal(r.len, strlen(s));
    assert_int_equal(r.nlines, 1);
    assert_int_equal(r.text_len, 22);
    assert_memory_equal(s + r.text_off, "mail.example.org ESMTP", 22);
    assert_int_equal(parse("250\r\n", 5, &r), 0); /* code without text */
    assert_int_equal(r.code, 250);
    assert_int_equal(r.text_len, 0);
    assert_int_equal(parse("354 go\n", 7, &r), 0); /* bare LF */
    assert_int_equal(r.len, 7);
}

static void multi_line_stops_at_last_line(void **state) {
    kn_smtp_reply r;
    (void)state;
    assert_int_equal(parse(ehlo, strlen(ehlo), &r), 0);
    assert_int_equal(r.code, 250);
    assert_int_equal(r.nlines, 7);
    assert_int_equal(r.len, strlen(ehlo) - strlen("354 next reply starts here\r\n"));
    assert_int_equal(parse(ehlo + r.len, strlen(ehlo) - r.len, &r), 0);
    assert_int_equal(r.code, 354);
}

static void every_truncation_asks_for_more(void **state) {
    kn_smtp_reply r;
    size_t full;
    (void)state;
    assert_int_equal(parse(ehlo, strlen(ehlo), &r), 0);
    full = r.len;
    for (size_t n = 0; n < full; n++)
        assert_int_equal(parse(ehlo, n, &r), KN_ETRUNC);
}

static void malformed(void **state) {
    static const char *const bad[] = {
        "25 x\r\n",     "2a0 x\r\n", "650 x\r\n",          "160 x\r\n",
        "260 x\r\n",    "250_x\r\n", "250-a\r\n251 b\r\n", "250-a\r\n550 b\r\n",
        "250 a\rb\r\n", "\r\n",      "250-a\r\nxyz\r\n",   "250 a\0b\r\n",
    };
    kn_smtp_reply r;
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t n = strlen(bad[i]);
        if (i == 11)
            n = 10;
        assert_int_equal(parse(bad[i], n, &r), KN_EPROTO);
    }
}

static void limits(void **state) {
    static char buf[8192];
    kn_smtp_reply r;
    size_t n = 0;
    (void)state;
    memset(buf, 'x', sizeof(buf)); /* an endless first line */
    memcpy(buf, "250 ", 4);
    assert_int_equal(parse(buf, KN_SMTP_LINE_MAX + 2, &r), KN_EPROTO);
    assert_int_equal(parse(buf, KN_SMTP_LINE_MAX, &r), KN_ETRUNC);
    for (int i = 0; i < KN_SMTP_LINES_MAX; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "250-l%d\r\n", i);
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "250 end\r\n");
    assert_int_equal(parse(buf, n, &r), KN_EPROTO);
    assert_int_equal(parse(buf + 8, n - 8, &r), 0); /* one line fewer fits */
    assert_int_equal(r.nlines, KN_SMTP_LINES_MAX);
}

static void ehlo_extensions(void **state) {
    static const char plain[] = "250-h\r\n250 AUTH=LOGIN\r\n"; /* old-style AUTH= is not AUTH */
    kn_smtp_reply r;
    kn_smtp_ehlo e;
    (void)state;
    assert_int_equal(parse(ehlo, strlen(ehlo), &r), 0);
    assert_int_equal(kn_smtp_reply_ehlo((const uint8_t *)ehlo, &r, &e), 0);
    assert_int_equal(e.starttls, 1);
    assert_int_equal(e.auth_plain, 1);
    assert_int_equal(e.auth_login, 1);
    assert_int_equal(e.eightbitmime, 1);
    assert_int_equal(e.smtputf8, 1);
    assert_int_equal(e.size, 10240000);
    assert_int_equal(parse(plain, strlen(plain), &r), 0);
    assert_int_equal(kn_smtp_reply_ehlo((const uint8_t *)plain, &r, &e), 0);
    assert_int_equal(e.auth_login + e.auth_plain + e.starttls, 0);
    assert_int_equal(parse("220 hi\r\n", 8, &r), 0);
    assert_int_equal(kn_smtp_reply_ehlo((const uint8_t *)"220 hi\r\n", &r, &e), KN_EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_line),
        cmocka_unit_test(multi_line_stops_at_last_line),
        cmocka_unit_test(every_truncation_asks_for_more),
        cmocka_unit_test(malformed),
        cmocka_unit_test(limits),
        cmocka_unit_test(ehlo_extensions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
