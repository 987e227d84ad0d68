/* sdp_out.c: bounded appender shared by the SDP answer and offer writers. */
#include "sdp/sdp_out.h"

#include <stdarg.h>
#include <stdio.h>

void kn_sdp_out_put(kn_sdp_out *o, const char *fmt, ...) {
    va_list ap;
    if (o->full)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->cap - o->len) {
        o->full = true;
        return;
    }
    o->len += (size_t)n;
}
