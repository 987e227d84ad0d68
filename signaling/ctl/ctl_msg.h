/*
 * ctl_msg.h: the signaling side of the konsil-sfu control API framing
 * (docs/control-api.md): newline-delimited JSON, at most 64 KiB per line.
 * kn_ctl_framer splits a byte stream into lines; kn_ctl_msg_parse reads one
 * response or event line. No I/O here.
 */
#ifndef KN_CTL_MSG_H
#define KN_CTL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define KN_CTL_MAX_LINE 65536

typedef enum { KN_CTL_RESPONSE = 1, KN_CTL_EVENT } kn_ctl_type;

typedef struct kn_ctl_msg {
    kn_ctl_type type;
    int64_t id;                         /* responses */
    json_t *result;                     /* responses without error; borrowed from root */
    const char *err_code, *err_message; /* responses with error; borrowed from root */
    const char *event;                  /* events */
    json_t *params;                     /* events; borrowed from root, may be NULL */
    json_t *root;                       /* owned: release with kn_ctl_msg_free */
} kn_ctl_msg;

/*
 * Parses one line (without the '\n'). Returns 0,
 *   KN_EINVAL when it is not a JSON object,
 *   KN_EPROTO when it is neither {"id":int,"result":obj} / {"id":int,"error":
 *             {"code":str,...}} nor {"event":str,"params"?:obj}.
 * On failure nothing is owned.
 */
int kn_ctl_msg_parse(const uint8_t *p, size_t len, kn_ctl_msg *out);
void kn_ctl_msg_free(kn_ctl_msg *m);

/* Maps an error code name to KN_E* ("invalid" → KN_EINVAL; unknown → KN_EPROTO). */
int kn_ctl_code_to_err(const char *code);

typedef struct kn_ctl_framer {
    size_t len;
    char buf[KN_CTL_MAX_LINE + 1];
} kn_ctl_framer;

typedef int (*kn_ctl_line_fn)(void *arg, const uint8_t *line, size_t len);

/*
 * Appends bytes and calls on_line for each complete line (empty lines are
 * skipped). Returns 0, KN_ELIMIT for a line longer than KN_CTL_MAX_LINE, or
 * the first non-zero value on_line returned (the rest is then dropped).
 */
int kn_ctl_framer_push(kn_ctl_framer *f, const uint8_t *p, size_t len, kn_ctl_line_fn on_line,
                       void *arg);

#endif
