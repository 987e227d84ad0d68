/*
 * sfu_conf.c: parser of konsil-sfu's --config file (sfu_conf.h). Walks the
 * text line by line with a cursor; values are copied into a small stack buffer
 * only to hand them to the NUL-terminated kn_log_*_parse functions.
 */
#include "conf/sfu_conf.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"

#define VALUE_MAX 32 /* longer values are never a valid level or format */

static bool is_blank(uint8_t c) {
    return c == ' ' || c == '\t' || c == '\r';
}

/* Trims blanks from both ends of [*b, *e). */
static void trim(const uint8_t **b, const uint8_t **e) {
    while (*b < *e && is_blank(**b))
        (*b)++;
    while (*e > *b && is_blank((*e)[-1]))
        (*e)--;
}

static bool key_is(const uint8_t *k, size_t n, const char *name) {
    return n == strlen(name) && memcmp(k, name, n) == 0;
}

static bool key_ok(const uint8_t *k, size_t n) {
    if (n <= 7 || memcmp(k, "KONSIL_", 7) != 0)
        return false;
    for (size_t i = 7; i < n; i++)
        if (!((k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
            return false;
    return true;
}

/* Applies one KEY=VALUE line [b, e) (already known not to be blank or a comment). */
static int apply(const uint8_t *b, const uint8_t *e, kn_sfuconf *out, const char **why) {
    const uint8_t *eq = memchr(b, '=', (size_t)(e - b));
    if (eq == NULL) {
        *why = "expected KEY=VALUE";
        return KN_EINVAL;
    }
    const uint8_t *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
    trim(&kb, &ke);
    trim(&vb, &ve);
    if (!key_ok(kb, (size_t)(ke - kb))) {
        *why = "expected a KONSIL_* setting name";
        return KN_EINVAL;
    }
    bool level = key_is(kb, (size_t)(ke - kb), "KONSIL_LOG_LEVEL");
    bool format = key_is(kb, (size_t)(ke - kb), "KONSIL_LOG_FORMAT");
    if (!level && !format)
        return 0; /* a setting of the unit or entrypoint: needs a restart */
    char v[VALUE_MAX];
    size_t n = (size_t)(ve - vb);
    if (n == 0) { /* empty means unset, as in konsil-signaling's file */
        *(level ? &out->has_level : &out->has_format) = false;
        return 0;
    }
    if (n >= sizeof(v))
        n = sizeof(v) - 1; /* then no name matches */
    memcpy(v, vb, n);
    v[n] = '\0';
    if (level ? kn_log_level_parse(v, &out->level) != 0
              : kn_log_format_parse(v, &out->format) != 0) {
        *why = level ? "KONSIL_LOG_LEVEL: expected error, warn, info or debug"
                     : "KONSIL_LOG_FORMAT: expected text or json";
        return KN_EINVAL;
    }
    *(level ? &out->has_level : &out->has_format) = true;
    return 0;
}

int kn_sfuconf_parse(const uint8_t *p, size_t len, kn_sfuconf *out, unsigned *line,
                     const char **why) {
    memset(out, 0, sizeof(*out));
    *line = 0;
    if (len > KN_SFUCONF_MAX_BYTES) {
        *why = "larger than 64 KiB";
        return KN_ELIMIT;
    }
    const uint8_t *end = p + len;
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        const uint8_t *b = p, *e = nl != NULL ? nl : end;
        ++*line;
        p = nl != NULL ? nl + 1 : end;
        if (memchr(b, '\0', (size_t)(e - b)) != NULL) {
            *why = "line contains NUL";
            return KN_EINVAL;
        }
        trim(&b, &e);
        if (b == e || *b == '#')
            continue;
        int rc = apply(b, e, out, why);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int kn_sfuconf_load(const char *path, kn_sfuconf *out, unsigned *line, const char **why) {
    static uint8_t text[KN_SFUCONF_MAX_BYTES + 1]; /* main loop only */
    FILE *f = fopen(path, "rb");
    *line = 0;
    if (f == NULL) {
        *why = "cannot read the file";
        return KN_EIO;
    }
    size_t n = fread(text, 1, sizeof(text), f);
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) {
        *why = "cannot read the file";
        return KN_EIO;
    }
    return kn_sfuconf_parse(text, n, out, line, why);
}
