/*
 * smtp_reply.h: SMTP reply parsing (RFC 5321 §4.2): one possibly multi-line
 * reply ("250-a" ... "250 z") from the front of a receive buffer, and the
 * extensions an EHLO reply announces (§4.1.1.1; STARTTLS RFC 3207, AUTH
 * RFC 4954, SIZE RFC 1870). Pure functions over (p, len): no allocation,
 * no globals. Fuzzed by tests/fuzz/fuzz_smtp_reply.c.
 */
#ifndef KN_SMTP_REPLY_H
#define KN_SMTP_REPLY_H

#include <stddef.h>
#include <stdint.h>

#define KN_SMTP_LINE_MAX  1000 /* RFC 5321 §4.5.3.1.5 allows 512; be lenient */
#define KN_SMTP_LINES_MAX 64

typedef struct kn_smtp_reply {
    int code;        /* 200..599, the same on every line */
    size_t len;      /* bytes of the whole reply including the last line end */
    size_t nlines;   /* 1..KN_SMTP_LINES_MAX */
    size_t text_off; /* first line's text (after "NNN " / "NNN-"), offset into p */
    size_t text_len;
} kn_smtp_reply;

/*
 * Parses the reply at the front of `p`. Lines end in CRLF (a bare LF is
 * accepted). Returns 0,
 *   KN_ETRUNC when the last line has not arrived yet (read more),
 *   KN_EPROTO for a malformed code, a separator other than ' ' / '-', codes
 *             that differ between lines, a line longer than KN_SMTP_LINE_MAX
 *             or more than KN_SMTP_LINES_MAX lines.
 */
int kn_smtp_reply_parse(const uint8_t *p, size_t len, kn_smtp_reply *out);

typedef struct kn_smtp_ehlo {
    int starttls;
    int auth_plain;
    int auth_login;
    int eightbitmime;
    int smtputf8;
    uint64_t size; /* 0 when not announced or unlimited */
} kn_smtp_ehlo;

/* Reads the extensions from a parsed EHLO reply `r` over the same bytes `p`
 * (keywords case-insensitive, first line is the greeting and skipped).
 * Returns 0 or KN_EINVAL when r->code is not 250. */
int kn_smtp_reply_ehlo(const uint8_t *p, const kn_smtp_reply *r, kn_smtp_ehlo *out);

#endif
