/*
 * test_invite_text.c: the invitation texts: quoted-printable encoding
 * (RFC 2045 §6.7: '=' and 8-bit bytes escaped, trailing spaces escaped, soft
 * breaks within 76 characters, never inside an escape), the message headers,
 * refusal of addresses that would inject headers or recipients, and the SMS.
 * The decoded body as a mail client sees it is checked in test_smtp.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "notify/invite_text.h"

static void qp(const char *in, const char *want) {
    char out[512];
    size_t n;
    assert_int_equal(kn_invite_text_qp(in, strlen(in), out, sizeof(out), &n), 0);
    assert_int_equal(n, strlen(want));
    assert_string_equal(out, want);
}

static void quoted_printable(void **state) {
    (void)state;
    qp("plain\n", "plain\r\n");
    qp("a=b\n", "a=3Db\r\n");
    qp("l\xc3\xa4"
       "dt\n",
       "l=C3=A4dt\r\n"); /* "lädt" in UTF-8 */
    qp("trailing \n", "trailing=20\r\n");
    qp("tab\t\r\nx", "tab=09\r\nx\r\n");
    qp("", "");
    /* 80 letters: soft break after 75. */
    qp("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n"
       "AAAAA\r\n");
    /* 74 letters then "ä": the escape moves whole to the next line. */
    qp("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\xc3\xa4",
       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n"
       "=C3=A4\r\n");
    char small[8];
    size_t n;
    assert_int_equal(kn_invite_text_qp("0123456789", 10, small, sizeof(small), &n), KN_ELIMIT);
}

static kn_invite sample(void) {
    return (kn_invite){.from = "praxis@konsil.example",
                       .to = "p@example.net",
                       .practice = "Praxis\r\nBcc: evil@example.com",
                       .link = "https://k.example/join/abc#code=AB2C-DE3F-GH",
                       .code = "AB2C-DE3F-GH",
                       .start_at = 1796115600,
                       .duration_s = 1500};
}

static void mail_headers_and_line_lengths(void **state) {
    kn_invite in = sample();
    char out[KN_INVITE_MAIL_MAX];
    size_t n;
    (void)state;
    setenv("TZ", "UTC", 1);
    assert_int_equal(kn_invite_text_mail(&in, 1796000000, out, sizeof(out), &n), 0);
    assert_int_equal(strlen(out), n);
    assert_non_null(strstr(out, "From: <praxis@konsil.example>\r\n"));
    assert_non_null(strstr(out, "To: <p@example.net>\r\n"));
    assert_non_null(strstr(out, "Date: Mon, 30 Nov 2026 00:53:20 +0000\r\n"));
    assert_non_null(strstr(out, "@konsil.example>\r\nSubject: "));
    assert_non_null(strstr(out, "Content-Type: text/plain; charset=utf-8\r\n"));
    assert_non_null(strstr(out, "Content-Transfer-Encoding: quoted-printable\r\n"));
    assert_non_null(strstr(out, "Auto-Submitted: auto-generated\r\n\r\nGuten Tag,\r\n"));
    /* The practice name's CR LF became spaces: no injected header. */
    assert_null(strstr(out, "\r\nBcc:"));
    assert_non_null(strstr(out, "Praxis  Bcc: evil@example.com l=C3=A4dt Sie"));
    assert_non_null(strstr(out, "Termin: 01.12.2026, 09:00 Uhr (etwa 25 Minuten)"));
    for (const char *l = out, *e; (e = strstr(l, "\r\n")) != NULL; l = e + 2)
        assert_true(e - l <= 78);
    for (size_t i = 0; i < n; i++) /* 7-bit only */
        assert_true((unsigned char)out[i] < 0x80);
    assert_int_equal(kn_invite_text_mail(&in, 1796000000, out, 1000, &n), KN_ELIMIT);
}

static void refuses_injecting_fields(void **state) {
    kn_invite in = sample();
    char out[KN_INVITE_MAIL_MAX];
    size_t n;
    (void)state;
    in.to = "p@example.net>\r\nBcc: <x@y";
    assert_int_equal(kn_invite_text_mail(&in, 0, out, sizeof(out), &n), KN_EINVAL);
    in.to = "a@b.example, c@d.example";
    assert_int_equal(kn_invite_text_mail(&in, 0, out, sizeof(out), &n), KN_EINVAL);
    in = sample();
    in.from = "nobody";
    assert_int_equal(kn_invite_text_mail(&in, 0, out, sizeof(out), &n), KN_EINVAL);
    in = sample();
    in.link = "https://x/\r\nevil";
    assert_int_equal(kn_invite_text_mail(&in, 0, out, sizeof(out), &n), KN_EINVAL);
    in = sample();
    in.code = NULL;
    assert_int_equal(kn_invite_text_mail(&in, 0, out, sizeof(out), &n), KN_EINVAL);
}

static void sms_text(void **state) {
    kn_invite in = sample();
    char out[KN_INVITE_SMS_MAX];
    (void)state;
    setenv("TZ", "UTC", 1);
    in.practice = "Praxis Weiß";
    assert_int_equal(kn_invite_text_sms(&in, out, sizeof(out)), 0);
    assert_string_equal(out, "Praxis Weiß: Videosprechstunde am 01.12.2026 um 09:00 Uhr. Bitte "
                             "5-15 Min. vorher öffnen: https://k.example/join/abc#code=AB2C-DE3F-GH"
                             " (Code AB2C-DE3F-GH). / Video consultation 2026-12-01 09:00: "
                             "https://k.example/join/abc#code=AB2C-DE3F-GH");
    assert_int_equal(kn_invite_text_sms(&in, out, 40), KN_ELIMIT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoted_printable),
        cmocka_unit_test(mail_headers_and_line_lengths),
        cmocka_unit_test(refuses_injecting_fields),
        cmocka_unit_test(sms_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
