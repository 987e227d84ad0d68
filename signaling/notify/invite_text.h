/*
 * invite_text.h: the invitation a patient receives, in German and English:
 * date and time, what they need (camera, microphone, a current browser,
 * at least 1 Mbit/s up and down, joining 5-15 minutes early), the personal
 * link and the access code. Builds the whole RFC 5322 message (UTF-8,
 * quoted-printable) for kn_smtp_send and a short SMS text. Pure functions
 * apart from reading the process time zone (TZ, e.g. Europe/Berlin) for
 * the local time shown.
 */
#ifndef KN_INVITE_TEXT_H
#define KN_INVITE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define KN_INVITE_MAIL_MAX 8192
#define KN_INVITE_SMS_MAX  320

typedef struct kn_invite {
    const char *from;     /* sender address (KONSIL_SMTP_FROM) */
    const char *to;       /* recipient address; used here only, never stored */
    const char *practice; /* practice name shown in the text */
    const char *link;     /* kn_access_code_link() */
    const char *code;     /* grouped access code "XXXX-XXXX-XX" */
    int64_t start_at;     /* Unix seconds */
    int32_t duration_s;
} kn_invite;

/*
 * Writes the message (headers with Date and Message-ID from `now`, a
 * blank line, the quoted-printable body) to out and its length to *n.
 * Returns 0, KN_EINVAL (an address fails kn_smtp_address_ok, or a field is
 * missing) or KN_ELIMIT (cap too small).
 */
int kn_invite_text_mail(const kn_invite *in, int64_t now, char *out, size_t cap, size_t *n);

/* The same invitation as one SMS (German, then English, link with code).
 * Returns 0, KN_EINVAL or KN_ELIMIT. */
int kn_invite_text_sms(const kn_invite *in, char *out, size_t cap);

/* Quoted-printable (RFC 2045 §6.7) of `in`, lines at most 76 characters,
 * LF in the input becomes CRLF. Returns 0 or KN_ELIMIT. */
int kn_invite_text_qp(const char *in, size_t len, char *out, size_t cap, size_t *n);

#endif
