/*
 * hub.h: the room-signaling service of konsil-signaling: every /ws
 * connection, every room, the message dispatch table (join, resume, relay,
 * state, SFU negotiation, kick, leave, ping), per-connection rate limits and
 * the timers (join deadline, silence, resume and P2P grace periods) on one
 * uv timer. Signaling loop. Protocol: docs/signaling-protocol.md.
 */
#ifndef KN_HUB_H
#define KN_HUB_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "ctl/sfu_client.h"
#include "ctl/sfu_pool.h"
#include "room/host_controls.h"
#include "room/room.h"
#include "ws/ws_conn.h"

#define KN_HUB_RATE          50  /* messages per second */
#define KN_HUB_BURST         100
#define KN_HUB_MAX_DROPPED   500 /* rate-limited messages before the connection is closed */
#define KN_HUB_JOIN_MS       10000
#define KN_HUB_SILENCE_MS    45000
#define KN_HUB_TEARDOWN_MS   15000
#define KN_HUB_MAX_ROOMS     1000
#define KN_HUB_MAX_ENDED     256 /* rooms ended by the practice, refused until their tokens expire */

typedef struct kn_hub_opts {
    const char *secret; /* HS256 token key */
    const char *stun_urls, *turn_urls, *turn_secret;
    uint32_t p2p_grace_ms, resume_grace_ms;
} kn_hub_opts;

typedef struct kn_hub {
    uv_loop_t *loop;
    uv_timer_t timer;
    kn_sfupool *pool; /* set by the owner: the konsil-sfu processes rooms are placed on */
    kn_wsconn *conns;
    kn_room *rooms;
    unsigned n_rooms;
    kn_room_ops ops;
    kn_room_cfg cfg;
    char secret[256], stun_urls[1024], turn_urls[1024], turn_secret[256];
    uint64_t sfu_seq; /* names SFU rooms */
    struct {
        char name[65];
        int64_t until_s; /* wall clock; 0: free slot */
    } ended[KN_HUB_MAX_ENDED];
    kn_hostctl hostctl; /* kicked tokens, the practice's end hook (host_controls.c) */
    bool draining;      /* SIGTERM: joins of rooms that do not exist yet are refused */
} kn_hub;

/* Returns 0, KN_EINVAL for a setting too long, or a uv error as KN_EIO. */
int kn_hub_init(kn_hub *h, uv_loop_t *loop, const kn_hub_opts *o);

/* Stops the timer (close callback on the loop) and frees every room. */
void kn_hub_close(kn_hub *h);

/* From ws_conn.c. on_open returns 0 or -1 (refuse). */
int kn_hub_on_open(void *hub, kn_wsconn *c);
void kn_hub_on_text(kn_wsconn *c, const uint8_t *p, size_t len);
void kn_hub_on_binary(kn_wsconn *c);
void kn_hub_on_oversize(kn_wsconn *c);
void kn_hub_on_close(kn_wsconn *c);

/* Sends {"v":1,"type":"error",...}; fatal closes with close_code afterwards. */
void kn_hub_send_error(kn_wsconn *c, int64_t id, int rc, const char *message, bool fatal,
                       int close_code);

int64_t kn_hub_now(const kn_hub *h);

/* Consultation workflow (practice/): "end for all". Every participant of
 * `room` gets a fatal "forbidden" error and leaves; joins with a token for
 * that room are refused until `until_s` (wall clock; the tokens' expiry). */
void kn_hub_end_room(kn_hub *h, const char *room, int64_t until_s);

/* kn_sfupool hooks: room.active_speaker and peer.closed for room SFU peers of
 * pool member `member`; a lost member moves its rooms (kn_sfuroom_on_sfu_lost). */
void kn_hub_on_sfu_event(void *hub, unsigned member, const char *event, json_t *params);
void kn_hub_on_sfu_state(void *hub, unsigned member, bool up);

#endif
