/*
 * sfu_pool.h: the konsil-sfu processes one konsil-signaling uses. Either its
 * own children (KONSIL_SFU_PROCESSES of them, default one per online CPU;
 * member i: control socket STATE/sfu-<i>.sock, UDP + ICE-TCP media port
 * KONSIL_MEDIA_PORT + i, --exit-with-parent, restarted with backoff by
 * sfu_child.c) or a list of remote SFUs (KONSIL_SFU, comma list). Each member
 * has one control connection (sfu_client.c); events and up/down changes go to
 * the owner with the member's index. Placement: kn_sfupool_choose picks the up
 * member with the fewest participants, then the fewest rooms, then the lowest
 * index; rooms report what they hold with kn_sfupool_load. Signaling loop.
 */
#ifndef KN_SFU_POOL_H
#define KN_SFU_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "ctl/sfu_client.h"

#define KN_SFUPOOL_MAX 64

typedef struct kn_sfupool kn_sfupool;

typedef struct kn_sfupool_hooks {
    void (*on_event)(void *arg, unsigned member, const char *event, json_t *params);
    void (*on_state)(void *arg, unsigned member, bool up);
    void *arg;
} kn_sfupool_hooks;

typedef struct kn_sfupool_opts {
    const char *remote;      /* comma list of unix:/tcp: addresses; "" = own children */
    const char *secret;      /* auth secret for tcp: addresses (may be "") */
    unsigned processes;      /* own children; 0 = one per online CPU */
    const char *exe;         /* konsil-sfu (own children only) */
    const char *state_dir;   /* absolute; sockets sfu-<i>.sock (own children only) */
    uint16_t media_port;     /* member i: media_port + i (own children only) */
    const char *announce_ip; /* own children only */
} kn_sfupool_opts;

/* One member's load as placement sees it. */
typedef struct kn_sfupool_load {
    bool up;
    unsigned parts, rooms;
} kn_sfupool_load;

/*
 * Starts every member (spawns own children, connects every control client).
 * Returns 0, KN_EINVAL (a bad address, too many members, or media ports past
 * 65535; *why names it) or KN_ENOMEM.
 */
int kn_sfupool_start(uv_loop_t *loop, const kn_sfupool_opts *o, const kn_sfupool_hooks *hooks,
                     kn_sfupool **out, const char **why);

unsigned kn_sfupool_size(const kn_sfupool *p);

/* The member's control connection (lives as long as the pool; reconnects itself). */
kn_sfuctl *kn_sfupool_ctl(kn_sfupool *p, unsigned member);

/* PID of the member's own child, or 0 (remote member, or not running). */
int kn_sfupool_pid(const kn_sfupool *p, unsigned member);

/* Restarts of the member's own child since the pool started (0 for a remote member). */
unsigned kn_sfupool_restarts(const kn_sfupool *p, unsigned member);

/* The member's placement load (participants and rooms signaling placed on it) and
 * whether its control link is up. */
kn_sfupool_load kn_sfupool_load_of(const kn_sfupool *p, unsigned member);

/* True when the members are own children (not KONSIL_SFU remote SFUs). */
bool kn_sfupool_own(const kn_sfupool *p);

/* The member's control address ("unix:/..." or "tcp:..."). */
const char *kn_sfupool_address(const kn_sfupool *p, unsigned member);

/* Adds (or with negative deltas removes) participants and rooms to a member's load. */
void kn_sfupool_load_add(kn_sfupool *p, unsigned member, int parts, int rooms);

/* A room that was on `member` when it was lost and has moved on: for a remote
 * member (which may still hold it, e.g. after a network break) room.destroy is
 * sent once its control connection is up again. At most KN_SFUPOOL_ORPHANS per
 * member are remembered (then the oldest is forgotten); own children are
 * restarted instead, so nothing is kept for them. */
#define KN_SFUPOOL_ORPHANS 256
void kn_sfupool_orphan(kn_sfupool *p, unsigned member, const char *room);

/* Index of the least-loaded up member for a new room, or -1 when none is up. */
int kn_sfupool_place(const kn_sfupool *p);

/* The placement rule over n loads: the up entry with the fewest parts, then the
 * fewest rooms, then the lowest index; -1 when none is up. Pure. */
int kn_sfupool_choose(const kn_sfupool_load *loads, unsigned n);

/* Number of own children "auto" means: online CPUs (at least 1, at most KN_SFUPOOL_MAX). */
unsigned kn_sfupool_auto_processes(void);

/* Destroys every control connection and stops every child; done(arg) once all are gone. */
void kn_sfupool_stop(kn_sfupool *p, void (*done)(void *arg), void *arg);

#endif
