/*
 * waiting.c: the waiting room's entries and queue order (see waiting.h).
 * A fixed table; positions are counted on demand (at most KN_WAIT_MAX).
 */
#include "practice/waiting.h"

#include <string.h>

#include "core/log.h"

const char *kn_wait_state_name(kn_wait_state s) {
    static const char *const names[] = {"waiting",  "called",   "admitted",
                                        "in_room",  "rejected", "ended"};
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "ended";
}

static bool live(const kn_wait_entry *x) {
    return x->used && x->state != KN_WAIT_ENDED && x->state != KN_WAIT_REJECTED;
}

kn_wait_entry *kn_waiting_by_ticket(kn_waiting *w, const char *ticket) {
    for (unsigned i = 0; i < KN_WAIT_MAX; i++)
        if (w->e[i].used && strcmp(w->e[i].ticket, ticket) == 0)
            return &w->e[i];
    return NULL;
}

kn_wait_entry *kn_waiting_by_invite(kn_waiting *w, int64_t practice_id, const char *invite) {
    for (unsigned i = 0; i < KN_WAIT_MAX; i++)
        if (live(&w->e[i]) && w->e[i].practice_id == practice_id &&
            strcmp(w->e[i].invite, invite) == 0)
            return &w->e[i];
    return NULL;
}

void kn_waiting_set(kn_waiting *w, kn_wait_entry *x, kn_wait_state s, int64_t now_ms) {
    x->state = s;
    x->changed_ms = now_ms;
    w->version++;
}

kn_wait_entry *kn_waiting_add(kn_waiting *w, const kn_invitee *inv, const kn_appointment *a,
                              int64_t now_s, int64_t now_ms) {
    kn_wait_entry *old = kn_waiting_by_invite(w, a->practice_id, inv->public_id), *x = NULL;
    if (old != NULL) /* the same person again (reload, second device): the newer page wins */
        kn_waiting_set(w, old, KN_WAIT_ENDED, now_ms);
    for (unsigned i = 0; i < KN_WAIT_MAX && x == NULL; i++)
        if (!w->e[i].used)
            x = &w->e[i];
    if (x == NULL)
        return NULL;
    memset(x, 0, sizeof(*x));
    if (kn_appointment_new_public_id(x->ticket) != 0)
        return NULL;
    x->used = true;
    strcpy(x->invite, inv->public_id);
    strcpy(x->pseudonym, inv->pseudonym);
    x->role = inv->role;
    x->practice_id = a->practice_id;
    x->appt_id = a->id;
    strcpy(x->appt_public, a->public_id);
    x->appt_type = a->type;
    x->seq = ++w->next_seq;
    x->since_s = now_s;
    x->last_seen_ms = now_ms;
    /* keep an earlier place in the queue when the same person came back */
    if (old != NULL && old->seq < x->seq)
        x->seq = old->seq;
    kn_waiting_set(w, x, KN_WAIT_WAITING, now_ms);
    return x;
}

unsigned kn_waiting_position(const kn_waiting *w, const kn_wait_entry *x) {
    if (x->state != KN_WAIT_WAITING)
        return 0;
    unsigned pos = 1;
    for (unsigned i = 0; i < KN_WAIT_MAX; i++) {
        const kn_wait_entry *o = &w->e[i];
        if (o != x && o->used && o->state == KN_WAIT_WAITING && o->practice_id == x->practice_id &&
            o->seq < x->seq)
            pos++;
    }
    return pos;
}

unsigned kn_waiting_expire(kn_waiting *w, int64_t now_ms) {
    unsigned n = 0;
    for (unsigned i = 0; i < KN_WAIT_MAX; i++) {
        kn_wait_entry *x = &w->e[i];
        if (!x->used || x->pending != NULL)
            continue;
        bool waiting = x->state == KN_WAIT_WAITING || x->state == KN_WAIT_CALLED ||
                       x->state == KN_WAIT_ADMITTED;
        bool gone = waiting ? now_ms - x->last_seen_ms >= KN_WAIT_GONE_MS
                            : now_ms - x->changed_ms >= KN_WAIT_LINGER_MS;
        if (!gone)
            continue;
        if (waiting)
            KN_LOG_INFO("waiting", "%s left the waiting room", x->pseudonym);
        memset(x, 0, sizeof(*x));
        w->version++;
        n++;
    }
    return n;
}
