/*
 * host_controls.c: the host's controls over other participants (mute-request,
 * kick, end) and the ban list of kicked join tokens (SHA-256 prefixes, held
 * until the token's own expiry). Role checks happen here before anything
 * changes: a guest or listener gets "forbidden" and the room is untouched.
 * Signaling loop. Protocol: docs/signaling-protocol.md ("Host controls").
 */
#include "room/host_controls.h"

#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/err.h"
#include "core/log.h"
#include "room/hub.h"

static void token_id(const char *token, uint8_t out[16]) {
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL) != 1 || n < 16)
        memset(md, 0, 16); /* never matches a real digest's use: banned() skips zero ids */
    memcpy(out, md, 16);
}

static bool id_zero(const uint8_t id[16]) {
    static const uint8_t zero[16];
    return memcmp(id, zero, 16) == 0;
}

void kn_hostctl_bind(kn_part *p, const char *token, int64_t exp_s) {
    token_id(token, p->token.id);
    p->token.exp_s = exp_s;
}

void kn_hostctl_ban(kn_hostctl *hc, const kn_part *p) {
    if (id_zero(p->token.id))
        return;
    unsigned slot = 0;
    for (unsigned i = 0; i < KN_HOSTCTL_MAX_BANS; i++)
        if (hc->bans[i].until_s < hc->bans[slot].until_s)
            slot = i;
    memcpy(hc->bans[slot].id, p->token.id, 16);
    hc->bans[slot].until_s = p->token.exp_s;
}

bool kn_hostctl_banned(const kn_hostctl *hc, const char *token, int64_t now_s) {
    uint8_t id[16];
    bool hit = false;
    token_id(token, id);
    if (id_zero(id))
        return false;
    for (unsigned i = 0; i < KN_HOSTCTL_MAX_BANS; i++)
        hit |= hc->bans[i].until_s > now_s && CRYPTO_memcmp(hc->bans[i].id, id, 16) == 0;
    return hit;
}

static kn_part *other(kn_room *r, kn_part *from, const char *target, int *rc) {
    if (from->role != KN_ROLE_HOST) {
        *rc = KN_WS_EFORBIDDEN;
        return NULL;
    }
    kn_part *t = kn_room_find(r, target);
    if (t == NULL || t == from) {
        *rc = KN_ENOENT;
        return NULL;
    }
    *rc = 0;
    return t;
}

kn_part *kn_hostctl_kick_target(kn_room *r, kn_part *from, const char *target, int *rc) {
    return other(r, from, target, rc);
}

int kn_hostctl_mute(kn_room *r, kn_part *from, const char *target) {
    int rc;
    kn_part *t = other(r, from, target, &rc);
    if (t == NULL)
        return rc;
    if (!t->connected || t->conn == NULL)
        return KN_WS_EUNAVAIL;
    json_t *m = json_pack("{s:i, s:s, s:s}", "v", 1, "type", "mute-request", "by", from->id);
    if (m == NULL)
        return KN_ENOMEM;
    r->ops->send(r->ops->ctx, t, m);
    return 0;
}

void kn_hostctl_send_removed(kn_wsconn *c, int64_t id, const char *reason) {
    bool ended = strcmp(reason, "ended") == 0;
    json_t *m = json_pack("{s:i, s:s, s:s, s:s, s:s, s:b}", "v", 1, "type", "error", "code",
                          "forbidden", "reason", reason, "message",
                          ended ? "the practice ended the consultation" : "removed by the host",
                          "fatal", 1);
    if (m && id >= 0)
        json_object_set_new(m, "id", json_integer(id));
    kn_wsconn_send(c, m);
    kn_wsconn_close(c, 4004, "forbidden");
}

static void reply(kn_wsconn *c, const char *type, int64_t id, const char *target) {
    json_t *r = json_pack("{s:i, s:s}", "v", 1, "type", type);
    if (r && target)
        json_object_set_new(r, "participant_id", json_string(target));
    if (r && id >= 0)
        json_object_set_new(r, "id", json_integer(id));
    kn_wsconn_send(c, r);
}

int kn_hostctl_on_kick(struct kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    int rc;
    kn_part *t = other(c->room, c->part, m->target, &rc);
    if (t == NULL)
        return rc;
    /* its join token stops working; the resume token goes with its place */
    kn_hostctl_ban(&h->hostctl, t);
    if (t->conn != NULL)
        kn_hostctl_send_removed(t->conn, -1, "kicked");
    KN_LOG_INFO("rooms", "%s kicked %s from room %s", c->part->id, t->id, c->room->name);
    kn_room_leave(c->room, t, "kicked", kn_hub_now(h));
    reply(c, "kicked", m->id, m->target);
    return 0;
}

int kn_hostctl_on_mute(struct kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    int rc = kn_hostctl_mute(c->room, c->part, m->target);
    if (rc != 0)
        return rc;
    KN_LOG_INFO("rooms", "%s asked %s to mute in room %s", c->part->id, m->target, c->room->name);
    (void)h;
    reply(c, "mute-requested", m->id, m->target);
    return 0;
}

int kn_hostctl_on_end(struct kn_hub *h, kn_wsconn *c, const kn_wsmsg *m) {
    (void)m;
    if (c->part->role != KN_ROLE_HOST)
        return KN_WS_EFORBIDDEN;
    kn_room *r = c->room;
    char room[sizeof(r->name)];
    int64_t until = (int64_t)time(NULL) + KN_HOSTCTL_END_S;
    memcpy(room, r->name, sizeof(room));
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++) /* no token of theirs works again */
        if (r->parts[i].used && r->parts[i].token.exp_s > until)
            until = r->parts[i].token.exp_s;
    KN_LOG_INFO("rooms", "%s ended room %s for all", c->part->id, room);
    if (h->hostctl.on_end != NULL)
        h->hostctl.on_end(h->hostctl.ctx, room);
    kn_hub_end_room(h, room, until); /* c's participant leaves too: it gets the ended error */
    return 0;
}
