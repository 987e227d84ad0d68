/*
 * log.h: one-line logs to stderr with a level and a module tag, as text or as
 * one JSON object per line ({"ts","level","module","msg"}). Hot paths never
 * call these per packet; they use kn_log_ratelimited(), which prints at most
 * once per interval per call site and counts what it suppressed.
 */
#ifndef KN_LOG_H
#define KN_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef enum { KN_LOG_ERROR, KN_LOG_WARN, KN_LOG_INFO, KN_LOG_DEBUG } kn_log_level;

typedef struct kn_log_limit {
    uint64_t next_ms;    /* earliest time the next line may print */
    uint64_t suppressed; /* lines dropped since the last one printed */
} kn_log_limit;

typedef enum { KN_LOG_TEXT, KN_LOG_JSON } kn_log_format;

void kn_log_set_level(kn_log_level level);
kn_log_level kn_log_get_level(void);
void kn_log_set_format(kn_log_format format);
/* "error", "warn", "info" or "debug" → *out. Returns 0 or KN_EINVAL. */
int kn_log_level_parse(const char *name, kn_log_level *out);
const char *kn_log_level_name(kn_log_level level);
/* "text" or "json" → *out. Returns 0 or KN_EINVAL. */
int kn_log_format_parse(const char *name, kn_log_format *out);
/* Writes msg as the body of a JSON string (without quotes) into buf, cut at
 * cap - 1 bytes on a character boundary; always NUL-terminates (cap >= 1). */
void kn_log_json_escape(const char *msg, char *buf, size_t cap);
void kn_log(kn_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prints when `limit` allows (at most one line per 5 s), else counts it. */
void kn_log_ratelimited(kn_log_limit *limit, kn_log_level level, const char *module,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define KN_LOG_ERROR(mod, ...) kn_log(KN_LOG_ERROR, mod, __VA_ARGS__)
#define KN_LOG_WARN(mod, ...)  kn_log(KN_LOG_WARN, mod, __VA_ARGS__)
#define KN_LOG_INFO(mod, ...)  kn_log(KN_LOG_INFO, mod, __VA_ARGS__)
#define KN_LOG_DEBUG(mod, ...) kn_log(KN_LOG_DEBUG, mod, __VA_ARGS__)

#endif
