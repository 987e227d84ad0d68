/*
 * invite_text.c: invitation e-mail and SMS texts in German and English (see
 * invite_text.h). The texts are here, not in templates, so a test can check
 * every sentence a patient relies on.
 */
#include "notify/invite_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "core/err.h"
#include "notify/smtp.h"

static const char body_fmt[] =
    "Guten Tag,\n"
    "\n"
    "%s lädt Sie zu einer Videosprechstunde ein.\n"
    "\n"
    "Termin: %s, %s Uhr (etwa %d Minuten)\n"
    "\n"
    "So nehmen Sie teil:\n"
    "1. Öffnen Sie 5 bis 15 Minuten vor dem Termin diesen Link:\n"
    "   %s\n"
    "2. Ist der Zugangscode nicht schon eingetragen, geben Sie ihn ein: %s\n"
    "3. Erlauben Sie Kamera und Mikrofon und warten Sie im Warteraum, bis Sie\n"
    "   aufgerufen werden.\n"
    "\n"
    "Sie brauchen:\n"
    "- ein Gerät mit Kamera und Mikrofon (Computer, Tablet oder Smartphone),\n"
    "- einen aktuellen Browser (Chrome, Edge, Firefox oder Safari),\n"
    "- eine Internetverbindung mit mindestens 1 Mbit/s im Upload und im Download,\n"
    "- einen ruhigen Ort, an dem Sie ungestört sprechen können.\n"
    "\n"
    "Link und Zugangscode gelten nur für Sie und nur für diesen Termin.\n"
    "Bitte geben Sie sie nicht weiter.\n"
    "\n"
    "-- English --\n"
    "\n"
    "Hello,\n"
    "\n"
    "%s invites you to a video consultation.\n"
    "\n"
    "Appointment: %s, %s (about %d minutes)\n"
    "\n"
    "How to join:\n"
    "1. Open this link 5 to 15 minutes before your appointment:\n"
    "   %s\n"
    "2. If the access code is not filled in already, enter it: %s\n"
    "3. Allow camera and microphone and wait in the waiting room until you\n"
    "   are called in.\n"
    "\n"
    "You need:\n"
    "- a device with a camera and a microphone (computer, tablet or phone),\n"
    "- a current browser (Chrome, Edge, Firefox or Safari),\n"
    "- an internet connection of at least 1 Mbit/s upload and download,\n"
    "- a quiet place where you can talk undisturbed.\n"
    "\n"
    "The link and access code are for you and this appointment only.\n"
    "Please do not share them.\n"
    "\n"
    "Diese Nachricht wurde automatisch versandt. / This message was sent automatically.\n";

typedef struct sink {
    char *p;
    size_t cap, n;
    int overflow;
} sink;

static void put(sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sink *s, const char *fmt, ...) {
    va_list ap;
    int w;

    va_start(ap, fmt);
    w = vsnprintf(s->p + s->n, s->cap - s->n, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= s->cap - s->n)
        s->overflow = 1;
    else
        s->n += (size_t)w;
}

static int qp_line(const unsigned char *l, size_t len, sink *s) {
    size_t col = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = l[i];
        int last = i + 1 == len;
        int plain = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
        size_t w = plain ? 1 : 3;
        if (col + w > 75) { /* soft break: '=' ends a line of at most 76 */
            put(s, "=\r\n");
            col = 0;
        }
        if (plain)
            put(s, "%c", c);
        else
            put(s, "=%02X", c);
        col += w;
    }
    put(s, "\r\n");
    return s->overflow ? KN_ELIMIT : 0;
}

int kn_invite_text_qp(const char *in, size_t len, char *out, size_t cap, size_t *n) {
    sink s = {out, cap, 0, 0};
    size_t start = 0;

    if (cap == 0)
        return KN_ELIMIT;
    out[0] = '\0';
    for (size_t i = 0; i <= len; i++) {
        if (i < len && in[i] != '\n')
            continue;
        if (i == len && start == len)
            break;
        size_t e = i > start && in[i - 1] == '\r' ? i - 1 : i;
        if (qp_line((const unsigned char *)in + start, e - start, &s) != 0)
            return KN_ELIMIT;
        start = i + 1;
    }
    *n = s.n;
    return 0;
}

/* Practice names come from the database; keep them on one line. */
static void clean(const char *in, char *out, size_t cap) {
    size_t i = 0;
    for (; in[i] != '\0' && i + 1 < cap; i++)
        out[i] = (unsigned char)in[i] < 0x20 || in[i] == 0x7f ? ' ' : in[i];
    out[i] = '\0';
}

static int fields_ok(const kn_invite *in) {
    return in->practice != NULL && in->link != NULL && in->code != NULL &&
           strpbrk(in->link, "\r\n ") == NULL && strpbrk(in->code, "\r\n ") == NULL &&
           in->duration_s > 0;
}

static void local_times(int64_t t, char de[16], char en[16], char hm[8]) {
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(de, 16, "%d.%m.%Y", &tm);
    strftime(en, 16, "%Y-%m-%d", &tm);
    strftime(hm, 8, "%H:%M", &tm);
}

static void headers(const kn_invite *in, int64_t now, sink *s) {
    time_t tt = (time_t)now;
    struct tm tm;
    char date[64];
    uint8_t r[12] = {0};

    gmtime_r(&tt, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    RAND_bytes(r, sizeof(r));
    put(s, "From: <%s>\r\nTo: <%s>\r\nDate: %s\r\n", in->from, in->to, date);
    put(s, "Message-ID: <");
    for (size_t i = 0; i < sizeof(r); i++)
        put(s, "%02x", r[i]);
    put(s, ".%lld%s>\r\n", (long long)now, strchr(in->from, '@'));
    put(s, "Subject: Einladung zur Videosprechstunde / Invitation to a video consultation\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: quoted-printable\r\n"
           "Content-Language: de, en\r\n"
           "Auto-Submitted: auto-generated\r\n\r\n");
}

int kn_invite_text_mail(const kn_invite *in, int64_t now, char *out, size_t cap, size_t *n) {
    char body[4096];
    char practice[128], de[16], en[16], hm[8];
    sink s = {out, cap, 0, 0};
    size_t qn;
    int w, min;

    if (!kn_smtp_address_ok(in->from) || !kn_smtp_address_ok(in->to) || !fields_ok(in))
        return KN_EINVAL;
    clean(in->practice, practice, sizeof(practice));
    local_times(in->start_at, de, en, hm);
    min = (in->duration_s + 59) / 60;
    w = snprintf(body, sizeof(body), body_fmt, practice, de, hm, min, in->link, in->code, practice,
                 en, hm, min, in->link, in->code);
    if (w < 0 || (size_t)w >= sizeof(body))
        return KN_ELIMIT;
    headers(in, now, &s);
    if (s.overflow || kn_invite_text_qp(body, (size_t)w, out + s.n, cap - s.n, &qn) != 0)
        return KN_ELIMIT;
    *n = s.n + qn;
    return 0;
}

int kn_invite_text_sms(const kn_invite *in, char *out, size_t cap) {
    char practice[64], de[16], en[16], hm[8];
    int w;

    if (!fields_ok(in))
        return KN_EINVAL;
    clean(in->practice, practice, sizeof(practice));
    local_times(in->start_at, de, en, hm);
    w = snprintf(out, cap,
                 "%s: Videosprechstunde am %s um %s Uhr. Bitte 5-15 Min. vorher öffnen: %s "
                 "(Code %s). / Video consultation %s %s: %s",
                 practice, de, hm, in->link, in->code, en, hm, in->link);
    return w < 0 || (size_t)w >= cap ? KN_ELIMIT : 0;
}
