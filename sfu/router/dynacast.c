/*
 * dynacast.c: needed simulcast encodings of one producer, debounced (see
 * dynacast.h).
 */
#include "router/dynacast.h"

#include <string.h>

static unsigned clamp_n(unsigned n) {
    return n > KN_DYNACAST_MAX_ENC ? KN_DYNACAST_MAX_ENC : n;
}

void kn_dynacast_init(kn_dynacast *d, unsigned n, uint64_t now_ms) {
    memset(d, 0, sizeof(*d));
    n = clamp_n(n);
    d->active = (uint8_t)((1u << n) - 1);
    for (unsigned i = 0; i < n; i++)
        d->needed_ms[i] = now_ms;
}

unsigned kn_dynacast_consumer_needs(bool paused, uint8_t max_spatial, unsigned n) {
    n = clamp_n(n);
    if (paused || n == 0)
        return 0;
    unsigned top = max_spatial < n - 1 ? max_spatial : n - 1;
    return (1u << (top + 1)) - 1;
}

bool kn_dynacast_update(kn_dynacast *d, unsigned needed, unsigned n, uint64_t now_ms) {
    n = clamp_n(n);
    if (needed != 0)
        needed |= 1u; /* the lowest layer stays while anyone watches */
    uint8_t active = 0;
    for (unsigned i = 0; i < n; i++) {
        if (needed & (1u << i))
            d->needed_ms[i] = now_ms;
        if (now_ms < d->needed_ms[i] + KN_DYNACAST_HOLD_MS)
            active |= (uint8_t)(1u << i);
    }
    bool changed = active != d->active;
    d->active = active;
    return changed;
}
