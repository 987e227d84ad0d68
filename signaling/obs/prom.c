/*
 * prom.c: Prometheus text format 0.0.4 writer (prom.h). Control plane of
 * konsil-signaling; allocates a buffer that doubles as it fills.
 */
#include "obs/prom.h"

#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kn_prom_init(kn_prom *p) {
    memset(p, 0, sizeof(*p));
}

void kn_prom_free(kn_prom *p) {
    free(p->buf);
    memset(p, 0, sizeof(*p));
}

static bool reserve(kn_prom *p, size_t more) {
    if (p->failed)
        return false;
    if (p->len + more + 1 <= p->cap)
        return true;
    size_t cap = p->cap ? p->cap : 4096;
    while (cap < p->len + more + 1)
        cap *= 2;
    char *b = realloc(p->buf, cap);
    if (b == NULL) {
        p->failed = true;
        return false;
    }
    p->buf = b;
    p->cap = cap;
    return true;
}

static void put(kn_prom *p, const char *s, size_t n) {
    if (!reserve(p, n))
        return;
    memcpy(p->buf + p->len, s, n);
    p->len += n;
    p->buf[p->len] = '\0';
}

static void puts_(kn_prom *p, const char *s) {
    put(p, s, strlen(s));
}

/* Escapes backslash and newline, and the double quote when `quote`. */
static void put_escaped(kn_prom *p, const char *s, bool quote) {
    for (; *s != '\0'; s++) {
        if (*s == '\\')
            put(p, "\\\\", 2);
        else if (*s == '\n')
            put(p, "\\n", 2);
        else if (*s == '"' && quote)
            put(p, "\\\"", 2);
        else
            put(p, s, 1);
    }
}

static bool label_name_ok(const char *s) {
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    for (s++; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

bool kn_prom_name_ok(const char *s) {
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' || *s == ':'))
        return false;
    for (s++; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == ':'))
            return false;
    return true;
}

void kn_prom_family(kn_prom *p, const char *name, const char *type, const char *help) {
    puts_(p, "# HELP ");
    puts_(p, name);
    puts_(p, " ");
    put_escaped(p, help, false);
    puts_(p, "\n# TYPE ");
    puts_(p, name);
    puts_(p, " ");
    puts_(p, type);
    puts_(p, "\n");
}

static void put_value(kn_prom *p, double v) {
    char num[40];
    if (v != v)
        snprintf(num, sizeof(num), "NaN");
    else if (v > DBL_MAX || v < -DBL_MAX)
        snprintf(num, sizeof(num), v > 0 ? "+Inf" : "-Inf");
    else if (v >= -9007199254740992.0 && v <= 9007199254740992.0 && v == (double)(int64_t)v)
        snprintf(num, sizeof(num), "%.0f", v);
    else
        snprintf(num, sizeof(num), "%.15g", v);
    puts_(p, num);
}

static void put_labels(kn_prom *p, const char *const *labels) {
    if (labels == NULL || labels[0] == NULL)
        return;
    puts_(p, "{");
    for (unsigned i = 0; labels[i] != NULL && labels[i + 1] != NULL; i += 2) {
        if (!label_name_ok(labels[i])) {
            p->failed = true; /* a programming error: refuse to write broken text */
            return;
        }
        if (i > 0)
            puts_(p, ",");
        puts_(p, labels[i]);
        puts_(p, "=\"");
        put_escaped(p, labels[i + 1], true);
        puts_(p, "\"");
    }
    puts_(p, "}");
}

void kn_prom_sample(kn_prom *p, const char *name, const char *const *labels, double value) {
    if (!kn_prom_name_ok(name)) {
        p->failed = true;
        return;
    }
    puts_(p, name);
    put_labels(p, labels);
    puts_(p, " ");
    put_value(p, value);
    puts_(p, "\n");
}

void kn_prom_histogram(kn_prom *p, const char *name, const char *const *labels,
                       const double *bounds, const uint64_t *counts, unsigned n_bounds,
                       double sum) {
    const char *l[11];
    char metric[128], le[40];
    unsigned n = 0;
    while (labels != NULL && labels[n] != NULL && n < 8)
        n++;
    for (unsigned i = 0; i < n; i++)
        l[i] = labels[i];
    l[n] = "le";
    l[n + 1] = le;
    l[n + 2] = NULL;
    snprintf(metric, sizeof(metric), "%s_bucket", name);
    uint64_t cum = 0;
    for (unsigned i = 0; i <= n_bounds; i++) {
        cum += counts[i];
        if (i < n_bounds)
            snprintf(le, sizeof(le), "%.15g", bounds[i]);
        else
            snprintf(le, sizeof(le), "+Inf");
        kn_prom_sample(p, metric, l, (double)cum);
    }
    snprintf(metric, sizeof(metric), "%s_sum", name);
    kn_prom_sample(p, metric, labels, sum);
    snprintf(metric, sizeof(metric), "%s_count", name);
    kn_prom_sample(p, metric, labels, (double)cum);
}

const char *kn_prom_text(const kn_prom *p, size_t *len) {
    *len = p->failed ? 0 : p->len;
    if (p->failed)
        return NULL;
    return p->buf != NULL ? p->buf : "";
}
