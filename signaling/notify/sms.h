/*
 * sms.h: invitations by SMS through a configurable HTTP gateway:
 *   POST {KONSIL_SMS_URL}  Authorization: Bearer {KONSIL_SMS_TOKEN}
 *   Content-Type: application/json   {"to": "+4915112345678", "text": "..."}
 * Any 2xx answer counts as accepted. HTTPS with a verified certificate;
 * plain http only to a loopback host (a local relay). The phone number is
 * used for this one request and never stored. Sending blocks: kn_sms_queue
 * runs it on libuv's thread pool. The status-line parser is pure and fuzzed
 * (tests/fuzz/fuzz_sms_status.c).
 */
#ifndef KN_SMS_H
#define KN_SMS_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "notify/mailer.h"

typedef struct kn_sms_config {
    int tls;
    char host[256];
    uint16_t port;
    char path[512];
    char token[512];
    char ca_file[256]; /* empty: system trust store */
    int timeout_ms;
} kn_sms_config;

/* Parses "https://HOST[:PORT]/PATH" (or "http://" with HOST 127.0.0.1,
 * [::1] or localhost) into c->tls, host, port, path. Returns 0 or KN_EINVAL. */
int kn_sms_url_parse(const char *url, kn_sms_config *c);

/* KONSIL_SMS_URL, KONSIL_SMS_TOKEN, KONSIL_SMS_CAFILE. Returns 0, KN_ENOENT
 * when the URL is unset (SMS off) or KN_EINVAL. */
int kn_sms_config_from_env(kn_sms_config *c);

/* E.164: '+' and 8 to 15 digits. */
int kn_sms_phone_ok(const char *to);

/* Writes the whole HTTP/1.1 request. Returns 0, KN_EINVAL (phone) or
 * KN_ELIMIT (cap) or KN_ENOMEM. */
int kn_sms_request(const kn_sms_config *c, const char *to, const char *text, char *out, size_t cap,
                   size_t *n);

/* Parses the status line "HTTP/1.x NNN reason CRLF" at the front of p.
 * Returns 0 with *status, KN_ETRUNC (line not complete), KN_EPROTO. */
int kn_sms_status_parse(const uint8_t *p, size_t len, int *status);

/* Sends one SMS. Returns 0 (2xx), KN_EINVAL, KN_EIO, KN_ECRYPTO, KN_EAUTH
 * (401 / 403), KN_EPROTO (any other status or a malformed answer), KN_ENOMEM. */
int kn_sms_send(const kn_sms_config *c, const char *to, const char *text, char *err, size_t errcap);

/* kn_sms_send on the thread pool; cb on the loop, exactly once after a 0
 * return. Returns 0, KN_EINVAL, KN_ENOMEM, KN_EIO. */
int kn_sms_queue(uv_loop_t *loop, const kn_sms_config *c, const char *to, const char *text,
                 kn_mailer_cb cb, void *ctx);

#endif
