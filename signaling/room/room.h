/*
 * room.h: one consultation room of the signaling server: participants (ids,
 * roles, pseudonyms, mute/camera state, connected or held for resume), the
 * mode (P2P with two, SFU from three, back to P2P after a grace period) and
 * the make-before-break teardown of SFU peers. Pure state machine over a
 * caller-supplied clock (milliseconds); it talks outward only through
 * kn_room_ops (messages to participants, SFU teardown), so tests drive it
 * without sockets. Signaling loop. Protocol: docs/signaling-protocol.md.
 */
#ifndef KN_ROOM_H
#define KN_ROOM_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "ws/ws_msg.h"

#define KN_ROOM_MAX_PARTS 9

typedef enum { KN_ROLE_HOST = 0, KN_ROLE_GUEST, KN_ROLE_LISTENER } kn_role;
typedef enum { KN_MODE_P2P = 0, KN_MODE_SFU } kn_mode;

typedef struct kn_room kn_room;

typedef struct kn_part {
    bool used;
    char id[KN_WSMSG_PART_ID_LEN + 1];
    char resume[KN_WSMSG_RESUME_LEN + 1];
    kn_role role;
    char pseudonym[4 * KN_WSMSG_MAX_PSEUDONYM + 1];
    bool audio, video, connected, p2p_ready;
    bool sfu_lost;      /* its SFU process was lost while it was away: tell it on resume */
    uint64_t seq;       /* join order within the room */
    int64_t gone_at_ms; /* when its socket went (connected == false) */
    void *conn;         /* the owner's connection; NULL while held */
    void *sfu;          /* the owner's SFU state for this participant */
    struct {
        uint8_t id[16];
        int64_t exp_s;
    } token; /* host_controls.c: SHA-256 prefix and exp of its join token */
    kn_room *room;
} kn_part;

typedef struct kn_room_ops {
    /* Delivers msg (consumed) to p's connection; p is connected. */
    void (*send)(void *ctx, kn_part *p, json_t *msg);
    /* iceServers for p's join reply (new reference or NULL). */
    json_t *(*ice_servers)(void *ctx, const kn_part *p);
    /* Ends every SFU peer of the room (after the switch back to P2P); may be NULL. */
    void (*sfu_teardown)(void *ctx, kn_room *r);
    /* p leaves now: drop its connection and its SFU peers. */
    void (*part_gone)(void *ctx, kn_part *p);
    void *ctx;
} kn_room_ops;

typedef struct kn_room_cfg {
    uint32_t p2p_grace_ms;    /* two participants this long → back to P2P */
    uint32_t resume_grace_ms; /* a dropped participant is held this long */
    uint32_t teardown_ms;     /* SFU peers end at the latest this long after mode p2p */
} kn_room_cfg;

struct kn_room {
    kn_room *next;
    char name[65];
    kn_part parts[KN_ROOM_MAX_PARTS];
    unsigned n;
    uint64_t seq;
    kn_mode mode;
    int64_t epoch;
    char pair[2][KN_WSMSG_PART_ID_LEN + 1]; /* P2P pair of the last mode message */
    int64_t two_since_ms;                   /* SFU mode with <= 2 participants since; -1 */
    int64_t teardown_at_ms;                 /* pending SFU teardown deadline; -1 */
    bool sfu_live;                          /* SFU peers may exist */
    void *sfu;                              /* the owner's SFU state for the room */
    const kn_room_ops *ops;
    const kn_room_cfg *cfg;
};

void kn_room_init(kn_room *r, const char *name, const kn_room_ops *ops, const kn_room_cfg *cfg);

/*
 * Adds a participant bound to `conn`, sends it `joined` (id echoed when id >=
 * 0), tells the others and updates the mode. Returns 0 and sets *out, or
 * KN_ELIMIT when the room is full, or KN_ECRYPTO when no random id could be
 * made. Nothing changes on failure.
 */
int kn_room_join(kn_room *r, kn_role role, const char *pseudonym, kn_wsmsg_bool audio,
                 kn_wsmsg_bool video, void *conn, int64_t id, int64_t now, kn_part **out);

/* p's socket went away: hold it for resume_grace_ms and tell the others. */
void kn_room_detach(kn_room *r, kn_part *p, int64_t now);

/* p comes back on `conn`: `joined` with resumed:true to it, connected:true to the others. */
void kn_room_resume(kn_room *r, kn_part *p, void *conn, int64_t id);

/* p is gone now (reason "left", "timeout", "kicked"); calls ops->part_gone first. */
void kn_room_leave(kn_room *r, kn_part *p, const char *reason, int64_t now);

/* Mute/camera change. Returns 0 or KN_WS_EFORBIDDEN (a listener turning on media). */
int kn_room_set_state(kn_room *r, kn_part *p, kn_wsmsg_bool audio, kn_wsmsg_bool video);

/*
 * Relays a validated p2p.offer/answer/candidate from `from` to m->to with
 * "from" instead of "to". Returns 0, KN_ENOENT (no such participant in this
 * room, or itself) or KN_WS_EUNAVAIL (it is reconnecting).
 */
int kn_room_relay(kn_room *r, kn_part *from, const kn_wsmsg *m);

/* P2P media of p decodes after mode p2p `epoch`; stale epochs are ignored. */
void kn_room_p2p_ready(kn_room *r, kn_part *p, int64_t epoch, int64_t now);

/* Runs the timers (resume expiry, back to P2P, teardown deadline). */
void kn_room_tick(kn_room *r, int64_t now);

kn_part *kn_room_find(kn_room *r, const char *id);
kn_part *kn_room_find_resume(kn_room *r, const char *token);

/* Sends msg to every connected participant except `except` (may be NULL); consumes msg. */
void kn_room_broadcast(kn_room *r, const kn_part *except, json_t *msg);

/* {"id","role","pseudonym","audio","video","connected"} */
json_t *kn_room_part_json(const kn_part *p);

/* The mode object as p sees it. */
json_t *kn_room_mode_json(const kn_room *r, const kn_part *p);

const char *kn_room_role_name(kn_role role);
/* Returns 0 and sets *out for "host", "guest", "listener"; else KN_EINVAL. */
int kn_room_role_parse(const char *s, kn_role *out);

#endif
