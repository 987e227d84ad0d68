/*
 * layout.c: peer numbering of a kn-loadgen run (see layout.h).
 */
#include "layout.h"

#include "core/err.h"

#define MAX_PEERS 100000u

int kn_lg_layout_check(const kn_lg_layout *l) {
    if (l->rooms == 0)
        return l->publishers > 0 && l->publishers + l->subscribers <= MAX_PEERS ? 0 : KN_EINVAL;
    if (l->room_size < 2 || l->room_size > 64 || l->rooms > MAX_PEERS / (l->room_size * l->room_size))
        return KN_EINVAL;
    return 0;
}

unsigned kn_lg_layout_publishers(const kn_lg_layout *l) {
    return l->rooms ? l->rooms * l->room_size : l->publishers;
}

unsigned kn_lg_layout_total(const kn_lg_layout *l) {
    if (l->rooms == 0)
        return l->publishers + l->subscribers;
    return l->rooms * l->room_size * l->room_size; /* M publishers + M (M-1) subscribers */
}

int kn_lg_layout_slot(const kn_lg_layout *l, unsigned i, kn_lg_slot *out) {
    unsigned np = kn_lg_layout_publishers(l);
    if (kn_lg_layout_check(l) != 0 || i >= kn_lg_layout_total(l))
        return KN_EINVAL;
    *out = (kn_lg_slot){.publisher = i < np};
    if (l->rooms == 0) {
        out->participant = out->publisher ? i : (i - np) % np;
        out->pub = out->publisher ? i : out->participant;
        return 0;
    }
    unsigned m = l->room_size;
    if (out->publisher) {
        out->room = i / m;
        out->participant = i % m;
        out->pub = i;
        return 0;
    }
    unsigned k = i - np, per_room = m * (m - 1);
    out->room = k / per_room;
    out->participant = k % per_room / (m - 1);
    unsigned other = k % (m - 1); /* the other participants, skipping itself */
    if (other >= out->participant)
        other++;
    out->pub = out->room * m + other;
    return 0;
}
