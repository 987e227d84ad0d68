/*
 * room.c: rooms, lookups by id across a room's transports, and the fan-out of
 * one producer packet to its consumers (a direct loop, no callbacks).
 */
#include "router/room.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "router/consumer.h"
#include "router/producer.h"
#include "router/transport.h"
#include "router/worker.h"

int kn_room_create(kn_worker *w, const char *id, kn_room **out) {
    if (kn_worker_find_room(w, id) != NULL)
        return KN_EEXIST;
    kn_room *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return KN_ENOMEM;
    r->w = w;
    kn_active_speaker_init(&r->speaker);
    snprintf(r->id, sizeof(r->id), "%s", id);
    kn_worker_link_room(w, r);
    *out = r;
    return 0;
}

void kn_room_destroy(kn_room *r) {
    while (r->transports != NULL)
        kn_transport_destroy(r->transports, "destroyed");
    kn_worker_unlink_room(r->w, r);
    free(r);
}

kn_transport *kn_room_find_transport(kn_room *r, const char *id) {
    for (kn_transport *t = r->transports; t != NULL; t = t->next)
        if (strcmp(t->id, id) == 0)
            return t;
    return NULL;
}

kn_producer *kn_room_find_producer(kn_room *r, const char *id) {
    for (kn_transport *t = r->transports; t != NULL; t = t->next)
        for (kn_producer *p = t->producers; p != NULL; p = p->next)
            if (strcmp(p->id, id) == 0)
                return p;
    return NULL;
}

kn_consumer *kn_room_find_consumer(kn_room *r, const char *id) {
    for (kn_transport *t = r->transports; t != NULL; t = t->next)
        for (kn_consumer *c = t->consumers; c != NULL; c = c->next)
            if (strcmp(c->id, id) == 0)
                return c;
    return NULL;
}

void kn_room_on_tick(kn_room *r, uint64_t now_ms) {
    if (!kn_active_speaker_on_tick(&r->speaker, now_ms))
        return;
    const kn_producer *p = r->speaker.current; /* keys are producers */
    kn_worker_emit(r->w, "room.active_speaker",
                   json_pack("{s:s,s:s}", "room", r->id, "producer", p->id));
}

void kn_room_fanout(kn_producer *p, unsigned enc, const uint8_t *pkt, size_t len,
                    bool keyframe, uint64_t now_ms) {
    for (kn_consumer *c = p->consumers; c != NULL; c = c->next_of_prod)
        kn_consumer_on_rtp(c, enc, pkt, len, keyframe, now_ms);
}
