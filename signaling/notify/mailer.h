/*
 * mailer.h: sends one message with kn_smtp_send on libuv's thread pool
 * (uv_queue_work), so SMTP's blocking network steps never stall the
 * signaling loop; the callback runs back on the loop. The job copies the
 * configuration, recipient and message and wipes them when done: the
 * recipient address exists only in memory for the duration of the send.
 */
#ifndef KN_MAILER_H
#define KN_MAILER_H

#include <stddef.h>

#include <uv.h>

#include "notify/smtp.h"

/* rc is kn_smtp_send's result; err its reason ("" on success), valid only
 * during the call. */
typedef void (*kn_mailer_cb)(void *ctx, int rc, const char *err);

/*
 * Queues the send. Returns 0 (cb will run exactly once), KN_EINVAL (bad
 * recipient), KN_ENOMEM or KN_EIO (uv_queue_work failed; cb will not run).
 */
int kn_mailer_send(uv_loop_t *loop, const kn_smtp_config *cfg, const char *rcpt, const char *msg,
                   size_t len, kn_mailer_cb cb, void *ctx);

#endif
