/* log.c: stderr logging with levels, text or JSON lines, and per-call-site
 * rate limits. One fprintf per line, so lines of one process never interleave. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/err.h"

static kn_log_level current_level = KN_LOG_INFO;
static kn_log_format current_format = KN_LOG_TEXT;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void kn_log_set_level(kn_log_level level) {
    current_level = level;
}

kn_log_level kn_log_get_level(void) {
    return current_level;
}

void kn_log_set_format(kn_log_format format) {
    current_format = format;
}

int kn_log_level_parse(const char *name, kn_log_level *out) {
    for (int i = 0; i < 4; i++)
        if (strcmp(name, level_names[i]) == 0) {
            *out = (kn_log_level)i;
            return 0;
        }
    return KN_EINVAL;
}

const char *kn_log_level_name(kn_log_level level) {
    return (unsigned)level < 4 ? level_names[level] : "info";
}

int kn_log_format_parse(const char *name, kn_log_format *out) {
    if (strcmp(name, "text") == 0)
        *out = KN_LOG_TEXT;
    else if (strcmp(name, "json") == 0)
        *out = KN_LOG_JSON;
    else
        return KN_EINVAL;
    return 0;
}

/* RFC 8259 §7: quote, backslash and control characters are escaped; other
 * bytes (UTF-8) pass through. Stops before an escape that would not fit. */
void kn_log_json_escape(const char *msg, char *buf, size_t cap) {
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)msg; *p != '\0'; p++) {
        char esc[7];
        size_t len = 0;
        if (*p == '"' || *p == '\\') {
            esc[len++] = '\\';
            esc[len++] = (char)*p;
        } else if (*p == '\n' || *p == '\r' || *p == '\t') {
            esc[len++] = '\\';
            esc[len++] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't';
        } else if (*p < 0x20 || *p == 0x7f) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 15];
            len = 6;
        } else {
            esc[len++] = (char)*p;
        }
        if (n + len >= cap) { /* cut: drop a partial UTF-8 sequence at the end */
            while (n > 0 && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
                n--;
            if (n > 0 && ((unsigned char)buf[n - 1] & 0xc0) == 0xc0)
                n--;
            break;
        }
        memcpy(buf + n, esc, len);
        n += len;
    }
    buf[n] = '\0';
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void log_line(kn_log_level level, const char *module, const char *fmt, va_list ap) {
    char msg[2048], esc[4096];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (current_format == KN_LOG_TEXT) {
        fprintf(stderr, "%02d:%02d:%02d.%03ld %-5s %-10s %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
                ts.tv_nsec / 1000000, level_names[level], module, msg);
        return;
    }
    kn_log_json_escape(msg, esc, sizeof(esc));
    fprintf(stderr,
            "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\",\"module\":\"%s\","
            "\"msg\":\"%s\"}\n",
            tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000, level_names[level], module, esc);
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
