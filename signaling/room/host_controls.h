/*
 * host_controls.h: what only a room's host may do to others (issue 7): ask a
 * participant to mute its microphone ("mute-request"), remove one ("kick";
 * its join token is then refused until it expires, its resume token is gone
 * with its place) and end the session for everyone ("end"; the practice
 * records the end through a hook). Also the fatal "removed" error a client
 * sees for the last two. Signaling loop. Protocol: docs/signaling-protocol.md.
 */
#ifndef KN_HOST_CONTROLS_H
#define KN_HOST_CONTROLS_H

#include <stdbool.h>
#include <stdint.h>

#include "room/room.h"
#include "ws/ws_conn.h"
#include "ws/ws_msg.h"

#define KN_HOSTCTL_MAX_BANS 512
#define KN_HOSTCTL_END_S    (4 * 3600) /* an ended room refuses joins at least this long */

struct kn_hub;

typedef struct kn_hostctl {
    struct {
        uint8_t id[16];
        int64_t until_s; /* wall clock; 0: free slot */
    } bans[KN_HOSTCTL_MAX_BANS];
    /* Called once per "end" from a host with the room name, before anyone leaves. */
    void (*on_end)(void *ctx, const char *room);
    void *ctx;
} kn_hostctl;

/* Remembers p's join token as the server keeps it: a SHA-256 prefix (p->token),
 * never the token itself, with its exp claim. */
void kn_hostctl_bind(kn_part *p, const char *token, int64_t exp_s);

/* Refuses p's join token until it expires. A full list drops the ban that ends soonest. */
void kn_hostctl_ban(kn_hostctl *hc, const kn_part *p);

/* True when `token` was banned and the ban still runs at now_s. */
bool kn_hostctl_banned(const kn_hostctl *hc, const char *token, int64_t now_s);

/*
 * Host `from` asks `target` (a participant id) to mute: target gets
 * {"type":"mute-request","by":from}. Returns 0, KN_WS_EFORBIDDEN (from is not
 * a host), KN_ENOENT (no such other participant) or KN_WS_EUNAVAIL (target is
 * reconnecting). Nothing is sent on failure.
 */
int kn_hostctl_mute(kn_room *r, kn_part *from, const char *target);

/* Role and target check of a kick: returns the target, or NULL with *rc set
 * (KN_WS_EFORBIDDEN, KN_ENOENT). */
kn_part *kn_hostctl_kick_target(kn_room *r, kn_part *from, const char *target, int *rc);

/* {"type":"error","code":"forbidden","reason":reason,"fatal":true}, then close 4004.
 * reason: "kicked" or "ended". */
void kn_hostctl_send_removed(kn_wsconn *c, int64_t id, const char *reason);

/* Hub handlers (room/hub.c's table): kick, mute-request, end. */
int kn_hostctl_on_kick(struct kn_hub *h, kn_wsconn *c, const kn_wsmsg *m);
int kn_hostctl_on_mute(struct kn_hub *h, kn_wsconn *c, const kn_wsmsg *m);
int kn_hostctl_on_end(struct kn_hub *h, kn_wsconn *c, const kn_wsmsg *m);

#endif
