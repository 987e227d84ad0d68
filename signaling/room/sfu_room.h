/*
 * sfu_room.h: the SFU side of a consultation room in SFU mode
 * (docs/signaling-protocol.md "sfu.*", docs/control-api.md): one SFU room per
 * signaling room, per participant a publish peer (client offers, WHIP-style
 * answer: peer.create with the offer's ICE/DTLS, producer.create per m-line)
 * and a subscribe peer (SFU offers: peer.create in offer mode,
 * consumer.create per remote producer, re-offers as publishers come and go),
 * per-tile consumer preferences, active-speaker and peer.closed events, and
 * the teardown after the switch back to P2P. Places the room on the least
 * loaded konsil-sfu process of the pool when its SFU side starts; it stays
 * there until the teardown or until that process is lost, when the room moves
 * to a live one and its clients rebuild their SFU connections (sfu.closed
 * with reason sfu_lost). Owns a heap kn_sfupart per participant (kn_part.sfu)
 * that outlives the participant while a control request is in flight.
 * Signaling loop.
 */
#ifndef KN_SFU_ROOM_H
#define KN_SFU_ROOM_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "ctl/sfu_client.h"
#include "ctl/sfu_pool.h"
#include "room/room.h"
#include "sdp/sdp_offer.h"
#include "ws/ws_msg.h"

#define KN_SFU_MAX_PROD 4 /* producers of one publish connection */
#define KN_SFU_ID_LEN   48
#define KN_SFU_PEER_LEN 24 /* "p" + 8 hex + ".sub" + a 32-bit counter */

typedef struct kn_sfuroom {
    char name[40]; /* the SFU room: "r." + 16 hex, never a signaling room name */
    bool created;  /* room.create sent since the last room.destroy */
    kn_sfupool *pool;
    int member;     /* pool member carrying the room; -1: not placed */
    kn_sfuctl *ctl; /* that member's control connection; NULL: not placed */
} kn_sfuroom;

typedef struct kn_sfuprod {
    char id[KN_SFU_ID_LEN];
    kn_sdp_kind kind;
    char codec[8]; /* "opus", "VP8", "H264" */
} kn_sfuprod;

/* One m-section of a subscribe connection. */
typedef struct kn_sfuslot {
    char mid[8];
    kn_sdp_kind kind;
    bool live;                    /* a consumer forwards into it (a=sendonly) */
    bool rejected;                /* the answer rejected it or consumer.create failed */
    bool held;                    /* consumer created paused: resumed by the next answer */
    char part[KN_WSMSG_PART_ID_LEN + 1]; /* publisher; "" once it left (a=inactive) */
    char producer[KN_SFU_ID_LEN];
    char consumer[KN_SFU_ID_LEN];
    char codec[8];
    uint32_t ssrc, rtx_ssrc;
} kn_sfuslot;

typedef enum { KN_PUB_NONE = 0, KN_PUB_BUSY, KN_PUB_READY } kn_pub_state;

struct kn_pubop;

typedef struct kn_sfupart {
    kn_part *part; /* NULL once the participant is gone or the SFU side torn down */
    char id[KN_WSMSG_PART_ID_LEN + 1];
    char room[40]; /* the SFU room name */
    kn_sfuctl *ctl;
    int member;       /* pool member counting this participant in its load */
    unsigned pending; /* control requests in flight whose callback uses this struct */
    unsigned gen;     /* publish peer generation: <id>.pub<gen> (a republish gets a new id) */
    /* publish */
    kn_pub_state pub;
    bool pub_sent; /* peer.create sent for pub_peer */
    char pub_peer[KN_SFU_PEER_LEN];
    uint8_t n_prod;
    kn_sfuprod prod[KN_SFU_MAX_PROD];
    struct kn_pubop *op; /* the publish negotiation in flight */
    /* subscribe */
    bool sub_sent, sub_remote, sub_busy, sub_changed, offer_out;
    unsigned sub_gen, sub_req_gen; /* <id>.sub<sub_gen+1>; a request answered after a reset is stale */
    int pending_slot;              /* slot of the consumer.create in flight, -1 */
    char sub_peer[KN_SFU_PEER_LEN];
    kn_sdp_answer sub_t; /* the SFU's ICE/DTLS parameters and candidates */
    uint64_t session_id, version;
    int64_t revision;
    unsigned offered, n_consumers;
    json_t *last_offer; /* the outstanding sfu.subscribe, resent after resume */
    uint8_t n_slots;
    kn_sfuslot slots[KN_SDP_MAX_MEDIA];
} kn_sfupart;

/* Makes r->sfu for a room (random SFU room name, not placed yet). Returns 0,
 * KN_ENOMEM or KN_ECRYPTO. */
int kn_sfuroom_attach(kn_room *r, kn_sfupool *pool);

/* Places the room on the least-loaded up pool member unless it is placed
 * already. Returns 0 or KN_WS_EUNAVAIL (no member up). */
int kn_sfuroom_place(kn_room *r);

/* Frees r->sfu (the room is empty; its peers are gone already). */
void kn_sfuroom_free(kn_room *r);

/* Handlers of the client messages; return 0 or a KN_E* / KN_WS_E* for an error reply. */
int kn_sfuroom_publish(kn_room *r, kn_part *p, const kn_wsmsg *m);
int kn_sfuroom_unpublish(kn_room *r, kn_part *p);
int kn_sfuroom_sub_answer(kn_room *r, kn_part *p, const kn_wsmsg *m);
int kn_sfuroom_preferences(kn_room *r, kn_part *p, const kn_wsmsg *m);

/* Brings every participant's subscribe connection (except `except`) up to date. */
void kn_sfuroom_sync(kn_room *r, const kn_part *except);

/* p is leaving: its producers and peers end, the others are re-offered. */
void kn_sfuroom_part_gone(kn_room *r, kn_part *p);

/* p resumed: resends its unanswered sfu.subscribe, or the sfu.closed it
 * missed while its SFU process was lost. */
void kn_sfuroom_resumed(kn_part *p);

/* Back to P2P: peer.destroy for every participant's peers, then room.destroy. */
void kn_sfuroom_teardown(kn_room *r);

/* Control-API events: room.active_speaker, peer.closed (r: the room named in params). */
void kn_sfuroom_on_event(kn_room *r, const char *event, json_t *params);

/* Pool member `member` went down: when r is on it, every SFU peer of r is gone,
 * r moves to another up member (or waits for the next publish to be placed)
 * and its clients get sfu.closed with "reason":"sfu_lost". */
void kn_sfuroom_on_sfu_lost(kn_room *r, unsigned member);

/* ---- shared with sfu_sub.c ---- */

/* Sends msg (consumed) to the participant's connection, if any. */
void kn_sfupart_send(kn_sfupart *sp, json_t *msg);
/* Sends an error reply to the participant. */
void kn_sfupart_error(kn_sfupart *sp, int64_t id, int rc, const char *message);
/* Control request with sp held until its callback; returns 0 or the request error. */
int kn_sfupart_request(kn_sfupart *sp, const char *method, json_t *params, kn_sfuctl_cb cb);
/* Called first in every callback: drops the hold; true when sp was freed (stop). */
bool kn_sfupart_release(kn_sfupart *sp);
/* The participant's state, created on first use; NULL on allocation failure. */
kn_sfupart *kn_sfupart_get(kn_room *r, kn_part *p);
/* Sends room.create once per SFU room lifetime. */
void kn_sfuroom_ensure(kn_room *r);
/* Fire-and-forget control request (errors logged). */
void kn_sfuroom_fire(kn_sfuctl *ctl, const char *method, json_t *params);

#endif
