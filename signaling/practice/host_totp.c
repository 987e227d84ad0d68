/*
 * host_totp.c: TOTP enrolment for a logged-in host (see practice.h):
 *   POST /api/totp/new    {}      -> {secret (base32), uri (otpauth://)}
 *   POST /api/totp/enable {code}  -> 200 once the code from the app matches
 * The offered secret waits in memory for 10 minutes (one per host); only a
 * confirmed secret reaches the store (kn_host_totp_enable).
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "account/host.h"
#include "account/totp.h"
#include "core/err.h"
#include "core/log.h"
#include "practice/practice.h"

#define PENDING_S 600
#define N_PENDING (sizeof(((kn_practice *)0)->totp_pending) / sizeof(((kn_practice *)0)->totp_pending[0]))

void kn_practice_totp_new(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    (void)body;
    char b32[64], uri[512];
    int64_t now = time(NULL);
    unsigned slot = 0;
    for (unsigned i = 0; i < N_PENDING; i++) { /* this host's slot, else the oldest */
        if (p->totp_pending[i].host_id == h->id) {
            slot = i;
            break;
        }
        if (p->totp_pending[i].expires < p->totp_pending[slot].expires)
            slot = i;
    }
    if (kn_totp_secret_generate(p->totp_pending[slot].secret) != 0 ||
        kn_totp_base32(p->totp_pending[slot].secret, KN_TOTP_SECRET_LEN, b32, sizeof(b32)) != 0 ||
        kn_totp_uri(p->totp_pending[slot].secret, KN_TOTP_SECRET_LEN, "Konsil", h->email, uri,
                    sizeof(uri)) != 0) {
        kn_practice_error(r, 500, "crypto");
        return;
    }
    p->totp_pending[slot].host_id = h->id;
    p->totp_pending[slot].expires = now + PENDING_S;
    kn_practice_json(r, 200, json_pack("{s:s, s:s}", "secret", b32, "uri", uri));
    OPENSSL_cleanse(b32, sizeof(b32));
}

void kn_practice_totp_enable(kn_practice *p, kn_http_req *r, const kn_host *h, json_t *body) {
    const char *code = json_string_value(json_object_get(body, "code"));
    int64_t now = time(NULL);
    for (unsigned i = 0; i < N_PENDING; i++) {
        if (p->totp_pending[i].host_id != h->id || p->totp_pending[i].expires < now)
            continue;
        int rc = code ? kn_host_totp_enable(p->db, h->id, p->totp_pending[i].secret, code, now)
                      : KN_EAUTH;
        if (rc == KN_EAUTH) {
            kn_practice_error(r, 403, "wrong_code");
            return;
        }
        OPENSSL_cleanse(&p->totp_pending[i], sizeof(p->totp_pending[i]));
        if (rc != 0) {
            kn_practice_error(r, 500, "store");
            return;
        }
        KN_LOG_INFO("practice", "host %lld enabled TOTP", (long long)h->id);
        kn_practice_json(r, 200, json_pack("{s:b}", "totp", 1));
        return;
    }
    kn_practice_error(r, 409, "no_pending_secret");
}
