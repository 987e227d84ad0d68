/*
 * sdp_out.h: the bounded text appender the SDP writers share. Writes into a
 * caller buffer; once a line does not fit, `full` is set and later appends are
 * ignored, so a writer checks one flag at the end. Allocates nothing.
 */
#ifndef KN_SDP_OUT_H
#define KN_SDP_OUT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kn_sdp_out {
    char *buf;
    size_t cap, len;
    bool full;
} kn_sdp_out;

/* Appends printf-formatted text, or sets o->full when it would not fit. */
void kn_sdp_out_put(kn_sdp_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
