/*
 * registry.c: linked lists of sessions and rooms (at most KN_REG_MAX_SESSIONS
 * sessions, enforced by the caller before it allocates).
 */
#include "whip/registry.h"

#include <stdlib.h>
#include <string.h>

kn_wsess *kn_registry_find(kn_registry *g, const char *room, const char *id) {
    for (kn_wsess *s = g->sessions; s != NULL; s = s->next)
        if (strcmp(s->id, id) == 0 && strcmp(s->room, room) == 0)
            return s;
    return NULL;
}

kn_wsess *kn_registry_first_publisher(kn_registry *g, const char *room) {
    kn_wsess *best = NULL;
    for (kn_wsess *s = g->sessions; s != NULL; s = s->next)
        if (!s->viewer && strcmp(s->room, room) == 0 && (best == NULL || s->seq < best->seq))
            best = s;
    return best;
}

void kn_registry_add(kn_registry *g, kn_wsess *s) {
    s->seq = ++g->seq;
    s->next = g->sessions;
    g->sessions = s;
    g->n_sessions++;
}

void kn_registry_remove(kn_registry *g, kn_wsess *s) {
    for (kn_wsess **pp = &g->sessions; *pp != NULL; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            g->n_sessions--;
            return;
        }
}

kn_wroom *kn_registry_room(kn_registry *g, const char *name) {
    for (kn_wroom *r = g->rooms; r != NULL; r = r->next)
        if (strcmp(r->name, name) == 0)
            return r;
    return NULL;
}

kn_wroom *kn_registry_room_add(kn_registry *g, const char *name) {
    kn_wroom *r = kn_registry_room(g, name);
    if (r != NULL)
        return r;
    if (strlen(name) >= sizeof(r->name) || (r = calloc(1, sizeof(*r))) == NULL)
        return NULL;
    strcpy(r->name, name);
    r->next = g->rooms;
    g->rooms = r;
    return r;
}

void kn_registry_room_remove(kn_registry *g, kn_wroom *r) {
    for (kn_wroom **pp = &g->rooms; *pp != NULL; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            free(r);
            return;
        }
}

void kn_registry_clear(kn_registry *g) {
    while (g->sessions != NULL) {
        kn_wsess *s = g->sessions;
        g->sessions = s->next;
        free(s);
    }
    while (g->rooms != NULL) {
        kn_wroom *r = g->rooms;
        g->rooms = r->next;
        free(r);
    }
    g->n_sessions = 0;
}
