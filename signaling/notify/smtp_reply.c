/*
 * smtp_reply.c: SMTP reply and EHLO extension parsing (see smtp_reply.h).
 */
#include "notify/smtp_reply.h"

#include <string.h>

#include "core/err.h"

typedef struct line {
    size_t start, text, end, next; /* offsets: line, text, before CR/LF, after LF */
    int code;
    int more; /* '-' continuation */
} line;

static int digit(uint8_t c, uint8_t lo, uint8_t hi) {
    return c >= lo && c <= hi;
}

/* One line at `off`: "NNN" [("-" / " ") text] CRLF (RFC 5321 §4.2). */
static int parse_line(const uint8_t *p, size_t len, size_t off, line *l) {
    const uint8_t *lf = memchr(p + off, '\n', len - off);
    size_t end;

    if (lf == NULL)
        return len - off > KN_SMTP_LINE_MAX ? KN_EPROTO : KN_ETRUNC;
    end = (size_t)(lf - p);
    l->start = off;
    l->next = end + 1;
    if (end > off && p[end - 1] == '\r')
        end--;
    if (end - off > KN_SMTP_LINE_MAX || end - off < 3)
        return KN_EPROTO;
    if (!digit(p[off], '2', '5') || !digit(p[off + 1], '0', '5') || !digit(p[off + 2], '0', '9'))
        return KN_EPROTO;
    l->code = (p[off] - '0') * 100 + (p[off + 1] - '0') * 10 + (p[off + 2] - '0');
    l->end = end;
    l->more = 0;
    l->text = off + 3;
    if (end == off + 3)
        return 0;
    if (p[off + 3] != ' ' && p[off + 3] != '-')
        return KN_EPROTO;
    l->more = p[off + 3] == '-';
    l->text = off + 4;
    for (size_t i = l->text; i < end; i++)
        if (p[i] == '\r' || p[i] == '\0')
            return KN_EPROTO;
    return 0;
}

int kn_smtp_reply_parse(const uint8_t *p, size_t len, kn_smtp_reply *out) {
    size_t off = 0;
    line l;
    int rc;

    memset(out, 0, sizeof(*out));
    do {
        if (out->nlines == KN_SMTP_LINES_MAX)
            return KN_EPROTO;
        if ((rc = parse_line(p, len, off, &l)) != 0)
            return rc;
        if (out->nlines == 0) {
            out->code = l.code;
            out->text_off = l.text;
            out->text_len = l.end - l.text;
        } else if (l.code != out->code) {
            return KN_EPROTO;
        }
        out->nlines++;
        off = l.next;
    } while (l.more);
    out->len = off;
    return 0;
}

static int word_eq(const uint8_t *p, size_t n, const char *w) {
    size_t wl = strlen(w);
    if (n != wl)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c >= 'a' && c <= 'z')
            c = (uint8_t)(c - 'a' + 'A');
        if (c != (uint8_t)w[i])
            return 0;
    }
    return 1;
}

static uint64_t decimal(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n && digit(p[i], '0', '9'); i++) {
        if (v > (UINT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    return v;
}

/* Applies one extension line "KEYWORD [param ...]" from p[a..b). */
static void extension(const uint8_t *p, size_t a, size_t b, kn_smtp_ehlo *e) {
    size_t k = a, s;

    while (k < b && p[k] != ' ')
        k++;
    if (word_eq(p + a, k - a, "STARTTLS"))
        e->starttls = 1;
    else if (word_eq(p + a, k - a, "8BITMIME"))
        e->eightbitmime = 1;
    else if (word_eq(p + a, k - a, "SMTPUTF8"))
        e->smtputf8 = 1;
    else if (word_eq(p + a, k - a, "SIZE") && k < b)
        e->size = decimal(p + k + 1, b - k - 1);
    else if (word_eq(p + a, k - a, "AUTH"))
        for (s = k; s < b; s = k) {
            while (s < b && p[s] == ' ')
                s++;
            for (k = s; k < b && p[k] != ' ';)
                k++;
            e->auth_plain |= word_eq(p + s, k - s, "PLAIN");
            e->auth_login |= word_eq(p + s, k - s, "LOGIN");
        }
}

int kn_smtp_reply_ehlo(const uint8_t *p, const kn_smtp_reply *r, kn_smtp_ehlo *out) {
    size_t off = 0;
    line l;

    memset(out, 0, sizeof(*out));
    if (r->code != 250)
        return KN_EINVAL;
    for (size_t i = 0; i < r->nlines; i++) {
        if (parse_line(p, r->len, off, &l) != 0)
            return KN_EINVAL;
        if (i > 0)
            extension(p, l.text, l.end, out);
        off = l.next;
    }
    return 0;
}
