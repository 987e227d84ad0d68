/*
 * mailer.c: SMTP sends off the loop through uv_queue_work (see mailer.h).
 * The work callback runs on a pool thread and touches only its own job.
 */
#include "notify/mailer.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/err.h"

typedef struct job {
    uv_work_t req;
    kn_smtp_config cfg;
    char rcpt[KN_SMTP_STR];
    char *msg;
    size_t len;
    int rc;
    char err[256];
    kn_mailer_cb cb;
    void *ctx;
} job;

static void job_free(job *j) {
    OPENSSL_cleanse(j->msg, j->len);
    free(j->msg);
    OPENSSL_cleanse(j, sizeof(*j));
    free(j);
}

static void on_work(uv_work_t *req) {
    job *j = req->data;
    j->rc = kn_smtp_send(&j->cfg, j->rcpt, j->msg, j->len, j->err, sizeof(j->err));
}

static void on_done(uv_work_t *req, int status) {
    job *j = req->data;
    if (status == UV_ECANCELED)
        j->rc = KN_EIO;
    j->cb(j->ctx, j->rc, j->err);
    job_free(j);
}

int kn_mailer_send(uv_loop_t *loop, const kn_smtp_config *cfg, const char *rcpt, const char *msg,
                   size_t len, kn_mailer_cb cb, void *ctx) {
    job *j;

    if (!kn_smtp_address_ok(rcpt) || cb == NULL)
        return KN_EINVAL;
    if ((j = calloc(1, sizeof(*j))) == NULL || (j->msg = malloc(len ? len : 1)) == NULL) {
        free(j);
        return KN_ENOMEM;
    }
    j->cfg = *cfg;
    memcpy(j->rcpt, rcpt, strlen(rcpt) + 1);
    memcpy(j->msg, msg, len);
    j->len = len;
    j->cb = cb;
    j->ctx = ctx;
    j->req.data = j;
    if (uv_queue_work(loop, &j->req, on_work, on_done) != 0) {
        job_free(j);
        return KN_EIO;
    }
    return 0;
}
