/*
 * prom.h: a writer of the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): "# HELP"
 * and "# TYPE" lines per metric family, then samples `name{k="v",...} value`.
 * Escapes HELP text (\\, \n) and label values (\\, \", \n). Appends to a
 * growing heap buffer; after an allocation failure every call is a no-op and
 * kn_prom_text returns NULL.
 */
#ifndef KN_PROM_H
#define KN_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KN_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef struct kn_prom {
    char *buf;
    size_t len, cap;
    bool failed;
} kn_prom;

void kn_prom_init(kn_prom *p);
void kn_prom_free(kn_prom *p);

/* "# HELP name help" and "# TYPE name type" (type: counter, gauge, histogram, untyped). */
void kn_prom_family(kn_prom *p, const char *name, const char *type, const char *help);

/* One sample. labels: NULL or {"key","value",...,NULL}; keys must be valid
 * label names ([a-zA-Z_][a-zA-Z0-9_]*), values any UTF-8. Integral values up
 * to 2^53 print without exponent; NaN and infinities as NaN, +Inf, -Inf. */
void kn_prom_sample(kn_prom *p, const char *name, const char *const *labels, double value);

/* Histogram samples of `name` (its family written before): name_bucket for
 * each bound (counts are per bucket, not cumulative; the last count is above
 * the last bound) and +Inf, then name_sum and name_count. `labels` as above,
 * at most 4 pairs; "le" is appended. */
void kn_prom_histogram(kn_prom *p, const char *name, const char *const *labels,
                       const double *bounds, const uint64_t *counts, unsigned n_bounds, double sum);

/* True when name is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*). */
bool kn_prom_name_ok(const char *name);

/* The text so far (NUL-terminated), or NULL after a failure. */
const char *kn_prom_text(const kn_prom *p, size_t *len);

#endif
