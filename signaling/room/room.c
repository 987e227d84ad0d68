/*
 * room.c: participants and mode of one consultation room
 * (docs/signaling-protocol.md, "mode"). Slots never move, so a kn_part
 * pointer stays valid until kn_room_leave.
 */
#include "room/room.h"

#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "auth/jwt.h"
#include "core/err.h"

static const char *const role_names[] = {"host", "guest", "listener"};

const char *kn_room_role_name(kn_role role) {
    return (unsigned)role < 3 ? role_names[role] : "?";
}

int kn_room_role_parse(const char *s, kn_role *out) {
    for (unsigned i = 0; i < 3; i++)
        if (strcmp(s, role_names[i]) == 0) {
            *out = (kn_role)i;
            return 0;
        }
    return KN_EINVAL;
}

void kn_room_init(kn_room *r, const char *name, const kn_room_ops *ops, const kn_room_cfg *cfg) {
    memset(r, 0, sizeof(*r));
    snprintf(r->name, sizeof(r->name), "%s", name);
    r->ops = ops;
    r->cfg = cfg;
    r->two_since_ms = r->teardown_at_ms = -1;
}

kn_part *kn_room_find(kn_room *r, const char *id) {
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++)
        if (r->parts[i].used && strcmp(r->parts[i].id, id) == 0)
            return &r->parts[i];
    return NULL;
}

kn_part *kn_room_find_resume(kn_room *r, const char *token) {
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++)
        if (r->parts[i].used && CRYPTO_memcmp(r->parts[i].resume, token, KN_WSMSG_RESUME_LEN) == 0)
            return &r->parts[i];
    return NULL;
}

json_t *kn_room_part_json(const kn_part *p) {
    return json_pack("{s:s, s:s, s:s, s:b, s:b, s:b}", "id", p->id, "role",
                     kn_room_role_name(p->role), "pseudonym", p->pseudonym, "audio", p->audio,
                     "video", p->video, "connected", p->connected);
}

static json_t *msg(const char *type) {
    return json_pack("{s:i, s:s}", "v", 1, "type", type);
}

static void send_to(kn_room *r, kn_part *p, json_t *m) {
    if (m == NULL)
        return;
    if (p->conn == NULL) {
        json_decref(m);
        return;
    }
    r->ops->send(r->ops->ctx, p, m);
}

void kn_room_broadcast(kn_room *r, const kn_part *except, json_t *m) {
    if (m == NULL)
        return;
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++)
        if (r->parts[i].used && &r->parts[i] != except)
            send_to(r, &r->parts[i], json_incref(m));
    json_decref(m);
}

static void broadcast_part(kn_room *r, const kn_part *p, const char *type) {
    json_t *m = msg(type);
    if (m)
        json_object_set_new(m, "participant", kn_room_part_json(p));
    kn_room_broadcast(r, p, m);
}

/* ---- mode ---- */

/* The other participant of a P2P room for p, or NULL. */
static kn_part *p2p_peer(kn_room *r, const kn_part *p) {
    for (unsigned i = 0; r->n == 2 && i < KN_ROOM_MAX_PARTS; i++)
        if (r->parts[i].used && &r->parts[i] != p)
            return &r->parts[i];
    return NULL;
}

json_t *kn_room_mode_json(const kn_room *r, const kn_part *p) {
    if (r->mode == KN_MODE_SFU)
        return json_pack("{s:s, s:I}", "mode", "sfu", "epoch", (json_int_t)r->epoch);
    kn_part *peer = p2p_peer((kn_room *)r, p);
    return json_pack("{s:s, s:I, s:s?, s:b}", "mode", "p2p", "epoch", (json_int_t)r->epoch, "peer",
                     peer ? peer->id : NULL, "offerer", peer != NULL && p->seq > peer->seq);
}

static void send_mode(kn_room *r) {
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++) {
        kn_part *p = &r->parts[i];
        if (!p->used)
            continue;
        json_t *m = msg("mode"), *mode = kn_room_mode_json(r, p);
        if (m && mode)
            json_object_update(m, mode);
        json_decref(mode);
        send_to(r, p, m);
    }
}

static void remember_pair(kn_room *r) {
    unsigned k = 0;
    memset(r->pair, 0, sizeof(r->pair));
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS && k < 2; i++)
        if (r->parts[i].used)
            strcpy(r->pair[k++], r->parts[i].id);
}

static bool pair_changed(kn_room *r) {
    char old[2][KN_WSMSG_PART_ID_LEN + 1];
    memcpy(old, r->pair, sizeof(old));
    remember_pair(r);
    return memcmp(old, r->pair, sizeof(old)) != 0;
}

static void teardown(kn_room *r) {
    r->teardown_at_ms = -1;
    if (!r->sfu_live)
        return;
    r->sfu_live = false;
    if (r->ops->sfu_teardown != NULL)
        r->ops->sfu_teardown(r->ops->ctx, r);
    json_t *m = msg("sfu.closed");
    if (m)
        json_object_set_new(m, "which", json_string("all"));
    kn_room_broadcast(r, NULL, m);
}

static void to_p2p(kn_room *r, int64_t now) {
    r->mode = KN_MODE_P2P;
    r->two_since_ms = -1;
    r->epoch++;
    remember_pair(r);
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++)
        r->parts[i].p2p_ready = false;
    send_mode(r);
    if (r->n == 2)
        r->teardown_at_ms = now + r->cfg->teardown_ms;
    else
        teardown(r); /* nobody to keep media flowing for */
}

/* Called after every change of the participant set. */
static void evaluate(kn_room *r, int64_t now) {
    if (r->n >= 3) {
        r->two_since_ms = -1;
        if (r->mode != KN_MODE_SFU) {
            r->mode = KN_MODE_SFU;
            r->epoch++;
            r->teardown_at_ms = -1; /* SFU peers still up are used again */
            r->sfu_live = true;
            send_mode(r);
        }
        return;
    }
    if (r->mode == KN_MODE_SFU) {
        if (r->two_since_ms < 0)
            r->two_since_ms = now;
        return;
    }
    if (pair_changed(r)) {
        r->epoch++;
        send_mode(r);
    }
}

/* ---- participants ---- */

static int make_ids(kn_room *r, kn_part *p) {
    uint8_t raw[20];
    do {
        if (RAND_bytes(raw, sizeof(raw)) != 1)
            return KN_ECRYPTO;
        for (unsigned i = 0; i < 4; i++)
            snprintf(p->id + 1 + 2 * i, 3, "%02x", raw[i]);
        p->id[0] = 'p';
    } while (kn_room_find(r, p->id) != NULL);
    kn_b64url_encode(raw + 4, 16, p->resume, sizeof(p->resume));
    return 0;
}

static kn_part *free_slot(kn_room *r) {
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++)
        if (!r->parts[i].used)
            return &r->parts[i];
    return NULL;
}

static void send_joined(kn_room *r, kn_part *p, int64_t id, bool resumed) {
    json_t *m = msg("joined"), *others = json_array();
    for (unsigned i = 0; others && i < KN_ROOM_MAX_PARTS; i++)
        if (r->parts[i].used && &r->parts[i] != p)
            json_array_append_new(others, kn_room_part_json(&r->parts[i]));
    json_t *ice = r->ops->ice_servers(r->ops->ctx, p);
    if (m == NULL || others == NULL ||
        json_object_update_missing_new(
            m, json_pack("{s:s, s:o, s:o, s:o, s:o, s:s, s:i, s:i, s:i}", "room", r->name, "self",
                         kn_room_part_json(p), "participants", others, "mode",
                         kn_room_mode_json(r, p), "ice_servers", ice ? ice : json_array(),
                         "resume_token", p->resume, "resume_grace_ms", (int)r->cfg->resume_grace_ms,
                         "heartbeat_ms", 15000, "max_message", KN_WSMSG_MAX_LEN)) != 0) {
        json_decref(m);
        return;
    }
    if (id >= 0)
        json_object_set_new(m, "id", json_integer(id));
    if (resumed)
        json_object_set_new(m, "resumed", json_true());
    send_to(r, p, m);
}

int kn_room_join(kn_room *r, kn_role role, const char *pseudonym, kn_wsmsg_bool audio,
                 kn_wsmsg_bool video, void *conn, int64_t id, int64_t now, kn_part **out) {
    kn_part *p = free_slot(r), tmp;
    if (p == NULL)
        return KN_ELIMIT;
    memset(&tmp, 0, sizeof(tmp));
    if (make_ids(r, &tmp) != 0)
        return KN_ECRYPTO;
    tmp.used = tmp.connected = true;
    tmp.role = role;
    snprintf(tmp.pseudonym, sizeof(tmp.pseudonym), "%s",
             pseudonym ? pseudonym : kn_room_role_name(role));
    tmp.audio = role != KN_ROLE_LISTENER && audio != KN_WSMSG_FALSE;
    tmp.video = role != KN_ROLE_LISTENER && video != KN_WSMSG_FALSE;
    tmp.seq = ++r->seq;
    tmp.room = r;
    *p = tmp; /* conn NULL while the others hear of it: p gets one `joined` */
    r->n++;
    broadcast_part(r, p, "participant-joined");
    evaluate(r, now);
    p->conn = conn;
    send_joined(r, p, id, false);
    *out = p;
    return 0;
}

void kn_room_detach(kn_room *r, kn_part *p, int64_t now) {
    p->conn = NULL;
    if (!p->connected)
        return;
    p->connected = false;
    p->gone_at_ms = now;
    broadcast_part(r, p, "participant-updated");
}

void kn_room_resume(kn_room *r, kn_part *p, void *conn, int64_t id) {
    p->conn = conn;
    p->connected = true;
    send_joined(r, p, id, true);
    broadcast_part(r, p, "participant-updated");
}

void kn_room_leave(kn_room *r, kn_part *p, const char *reason, int64_t now) {
    r->ops->part_gone(r->ops->ctx, p);
    json_t *m = msg("participant-left");
    if (m)
        json_object_update_new(m, json_pack("{s:s, s:s}", "participant_id", p->id, "reason",
                                            reason));
    memset(p, 0, sizeof(*p));
    r->n--;
    kn_room_broadcast(r, NULL, m);
    evaluate(r, now);
}

int kn_room_set_state(kn_room *r, kn_part *p, kn_wsmsg_bool audio, kn_wsmsg_bool video) {
    if (p->role == KN_ROLE_LISTENER && (audio == KN_WSMSG_TRUE || video == KN_WSMSG_TRUE))
        return KN_WS_EFORBIDDEN;
    if (audio != KN_WSMSG_UNSET)
        p->audio = audio == KN_WSMSG_TRUE;
    if (video != KN_WSMSG_UNSET)
        p->video = video == KN_WSMSG_TRUE;
    broadcast_part(r, p, "participant-updated");
    return 0;
}

int kn_room_relay(kn_room *r, kn_part *from, const kn_wsmsg *m) {
    kn_part *to = kn_room_find(r, m->to);
    if (to == NULL || to == from)
        return KN_ENOENT;
    if (to->conn == NULL)
        return KN_WS_EUNAVAIL;
    json_t *out = msg(kn_wsmsg_type_name(m->type));
    if (out == NULL)
        return KN_ENOMEM;
    json_object_set_new(out, "from", json_string(from->id));
    if (m->type == KN_WSMSG_P2P_CANDIDATE)
        json_object_set(out, "candidate", m->candidate);
    else
        json_object_set_new(out, "sdp", json_stringn(m->sdp, m->sdp_len));
    send_to(r, to, out);
    return 0;
}

void kn_room_p2p_ready(kn_room *r, kn_part *p, int64_t epoch, int64_t now) {
    (void)now;
    if (r->mode != KN_MODE_P2P || epoch != r->epoch || r->teardown_at_ms < 0)
        return;
    p->p2p_ready = true;
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++)
        if (r->parts[i].used && !r->parts[i].p2p_ready)
            return;
    teardown(r);
}

void kn_room_tick(kn_room *r, int64_t now) {
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++) {
        kn_part *p = &r->parts[i];
        if (p->used && !p->connected && now - p->gone_at_ms >= r->cfg->resume_grace_ms)
            kn_room_leave(r, p, "timeout", now);
    }
    if (r->mode == KN_MODE_SFU && r->two_since_ms >= 0 &&
        now - r->two_since_ms >= r->cfg->p2p_grace_ms)
        to_p2p(r, now);
    if (r->teardown_at_ms >= 0 && now >= r->teardown_at_ms)
        teardown(r);
}
