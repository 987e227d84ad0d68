/* log.c: stderr logging with levels and per-call-site rate limits. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static kn_log_level current_level = KN_LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void kn_log_set_level(kn_log_level level) {
    current_level = level;
}

kn_log_level kn_log_get_level(void) {
    return current_level;
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void log_line(kn_log_level level, const char *module, const char *fmt, va_list ap) {
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    fprintf(stderr, "%02d:%02d:%02d.%03ld %-5s %-10s ", tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000, level_names[level], module);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void kn_log(kn_log_level level, const char *module, const char *fmt, ...) {
    if (level > current_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    log_line(level, module, fmt, ap);
    va_end(ap);
}

void kn_log_ratelimited(kn_log_limit *limit, kn_log_level level, const char *module,
                        const char *fmt, ...) {
    if (level > current_level)
        return;
    uint64_t now = now_ms();
    if (now < limit->next_ms) {
        limit->suppressed++;
        return;
    }
    if (limit->suppressed > 0)
        kn_log(level, module, "(%llu similar lines suppressed)",
               (unsigned long long)limit->suppressed);
    limit->suppressed = 0;
    limit->next_ms = now + 5000;
    va_list ap;
    va_start(ap, fmt);
    log_line(level, module, fmt, ap);
    va_end(ap);
}
