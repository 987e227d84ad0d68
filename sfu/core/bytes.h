/*
 * bytes.h: reads and writes of network-order integers over caller-owned bytes.
 * A failed read returns KN_ETRUNC and leaves the cursor where it was; parsers
 * never cast wire bytes to structs.
 */
#ifndef KN_BYTES_H
#define KN_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct kn_cursor {
    const uint8_t *p;
    const uint8_t *end;
} kn_cursor;

static inline kn_cursor kn_cursor_make(const uint8_t *p, size_t len) {
    kn_cursor c = {p, p + len};
    return c;
}

static inline size_t kn_cursor_left(const kn_cursor *c) {
    return (size_t)(c->end - c->p);
}

static inline int kn_read_u8(kn_cursor *c, uint8_t *v) {
    if (c->end - c->p < 1)
        return KN_ETRUNC;
    *v = c->p[0];
    c->p += 1;
    return 0;
}

static inline int kn_read_u16(kn_cursor *c, uint16_t *v) {
    if (c->end - c->p < 2)
        return KN_ETRUNC;
    *v = (uint16_t)((c->p[0] << 8) | c->p[1]);
    c->p += 2;
    return 0;
}

static inline int kn_read_u24(kn_cursor *c, uint32_t *v) {
    if (c->end - c->p < 3)
        return KN_ETRUNC;
    *v = ((uint32_t)c->p[0] << 16) | ((uint32_t)c->p[1] << 8) | c->p[2];
    c->p += 3;
    return 0;
}

static inline int kn_read_u32(kn_cursor *c, uint32_t *v) {
    if (c->end - c->p < 4)
        return KN_ETRUNC;
    *v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) | ((uint32_t)c->p[2] << 8) |
         c->p[3];
    c->p += 4;
    return 0;
}

static inline int kn_read_skip(kn_cursor *c, size_t n) {
    if (kn_cursor_left(c) < n)
        return KN_ETRUNC;
    c->p += n;
    return 0;
}

/* Unchecked accessors for offsets a parser has already bounds-checked. */
static inline uint16_t kn_get_u16(const uint8_t *p) {
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t kn_get_u32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void kn_put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void kn_put_u24(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

static inline void kn_put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#endif
