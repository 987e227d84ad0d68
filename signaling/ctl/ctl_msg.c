/*
 * ctl_msg.c: line framing and response/event parsing for the control API
 * (docs/control-api.md "Transport" and "Messages"). Pure apart from jansson's
 * allocation of the parsed tree.
 */
#include "ctl/ctl_msg.h"

#include <string.h>

#include "core/err.h"

static const struct {
    const char *name;
    int code;
} codes[] = {
    {"invalid",      KN_EINVAL},
    {"not_found",    KN_ENOENT},
    {"exists",       KN_EEXIST},
    {"limit",        KN_ELIMIT},
    {"no_memory",    KN_ENOMEM},
    {"state",        KN_ESTATE},
    {"unauthorized", KN_EAUTH },
    {"protocol",     KN_EPROTO},
};

int kn_ctl_code_to_err(const char *code) {
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(codes[i].name, code) == 0)
            return codes[i].code;
    return KN_EPROTO;
}

static int parse_response(json_t *root, kn_ctl_msg *out) {
    json_t *id = json_object_get(root, "id");
    json_t *result = json_object_get(root, "result");
    json_t *error = json_object_get(root, "error");
    if (!json_is_integer(id) || (result != NULL) == (error != NULL))
        return KN_EPROTO;
    out->type = KN_CTL_RESPONSE;
    out->id = json_integer_value(id);
    if (result != NULL) {
        if (!json_is_object(result))
            return KN_EPROTO;
        out->result = result;
        return 0;
    }
    out->err_code = json_string_value(json_object_get(error, "code"));
    out->err_message = json_string_value(json_object_get(error, "message"));
    if (out->err_code == NULL)
        return KN_EPROTO;
    if (out->err_message == NULL)
        out->err_message = "";
    return 0;
}

static int parse_event(json_t *root, kn_ctl_msg *out) {
    json_t *params = json_object_get(root, "params");
    out->event = json_string_value(json_object_get(root, "event"));
    if (out->event == NULL || (params != NULL && !json_is_object(params)))
        return KN_EPROTO;
    out->type = KN_CTL_EVENT;
    out->params = params;
    return 0;
}

int kn_ctl_msg_parse(const uint8_t *p, size_t len, kn_ctl_msg *out) {
    memset(out, 0, sizeof(*out));
    json_t *root = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, NULL);
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        return KN_EINVAL;
    }
    int rc = json_object_get(root, "event") ? parse_event(root, out) : parse_response(root, out);
    if (rc != 0) {
        json_decref(root);
        memset(out, 0, sizeof(*out));
        return rc;
    }
    out->root = root;
    return 0;
}

void kn_ctl_msg_free(kn_ctl_msg *m) {
    json_decref(m->root);
    memset(m, 0, sizeof(*m));
}

int kn_ctl_framer_push(kn_ctl_framer *f, const uint8_t *p, size_t len, kn_ctl_line_fn on_line,
                       void *arg) {
    while (len > 0) {
        const uint8_t *nl = memchr(p, '\n', len);
        size_t chunk = nl ? (size_t)(nl - p) : len;
        if (f->len + chunk > KN_CTL_MAX_LINE)
            return KN_ELIMIT;
        memcpy(f->buf + f->len, p, chunk);
        f->len += chunk;
        if (nl == NULL)
            return 0;
        p += chunk + 1;
        len -= chunk + 1;
        size_t line = f->len;
        f->len = 0;
        if (line == 0)
            continue;
        int rc = on_line(arg, (const uint8_t *)f->buf, line);
        if (rc != 0)
            return rc;
    }
    return 0;
}
