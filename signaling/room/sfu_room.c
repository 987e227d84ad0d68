/*
 * sfu_room.c: the SFU side of a room: per-participant state and its
 * lifetime (held by in-flight control requests), the publish negotiation
 * (WHIP-style: plan the offer, peer.create with its ICE/DTLS, producer.create
 * per accepted m-line, answer with ice-lite, setup:passive, simulcast:recv and
 * rcvr-rtt), preferences, events and teardown. Subscribe offers: sfu_sub.c.
 */
#include "room/sfu_room.h"
#include "room/sfu_dynacast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/err.h"
#include "core/log.h"
#include "room/hub.h"
#include "room/sfu_sub.h"
#include "sdp/sdp_ctl.h"
#include "whip/plan.h"
#include "ws/ws_conn.h"

#define ANSWER_CAP 65536

typedef struct kn_pubop {
    int64_t id; /* the sfu.publish message id, -1 */
    unsigned media_i;
    char *body;
    kn_sdp sdp;
    kn_sdp_answer ans;
    kn_plan plan;
} kn_pubop;

/* ---- room ---- */

int kn_sfuroom_attach(kn_room *r, kn_sfupool *pool) {
    uint8_t raw[8];
    if (r->sfu != NULL)
        return 0;
    kn_sfuroom *sr = calloc(1, sizeof(*sr));
    if (sr == NULL)
        return KN_ENOMEM;
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        free(sr);
        return KN_ECRYPTO;
    }
    strcpy(sr->name, "r.");
    for (unsigned i = 0; i < sizeof(raw); i++)
        snprintf(sr->name + 2 + 2 * i, 3, "%02x", raw[i]);
    sr->pool = pool;
    sr->member = -1;
    r->sfu = sr;
    return 0;
}

int kn_sfuroom_place(kn_room *r) {
    kn_sfuroom *sr = r->sfu;
    if (sr->member >= 0)
        return 0;
    int m = sr->pool ? kn_sfupool_place(sr->pool) : -1;
    if (m < 0)
        return KN_WS_EUNAVAIL;
    sr->member = m;
    sr->ctl = kn_sfupool_ctl(sr->pool, (unsigned)m);
    sr->created = false;
    kn_sfupool_load_add(sr->pool, (unsigned)m, 0, 1);
    KN_LOG_INFO("rooms", "room %s uses SFU room %s on sfu %d (pid %d)", r->name, sr->name, m,
                kn_sfupool_pid(sr->pool, (unsigned)m));
    return 0;
}

/* The room leaves its member (after room.destroy, or the member was lost). */
static void unplace(kn_sfuroom *sr) {
    if (sr->member < 0)
        return;
    kn_sfupool_load_add(sr->pool, (unsigned)sr->member, 0, -1);
    sr->member = -1;
    sr->ctl = NULL;
    sr->created = false;
}

void kn_sfuroom_free(kn_room *r) {
    if (r->sfu != NULL)
        unplace(r->sfu);
    free(r->sfu);
    r->sfu = NULL;
}

static void ignore_cb(void *arg, int rc, json_t *result, const char *message) {
    (void)arg;
    (void)result;
    if (rc != 0 && rc != KN_EIO && rc != KN_ENOENT)
        KN_LOG_WARN("rooms", "sfu cleanup request failed: %s (%s)", kn_strerror(rc),
                    message ? message : "");
}

void kn_sfuroom_fire(kn_sfuctl *ctl, const char *method, json_t *params) {
    if (ctl == NULL || !kn_sfuctl_up(ctl) ||
        kn_sfuctl_request(ctl, method, params, ignore_cb, NULL) != 0)
        json_decref(params);
}

void kn_sfuroom_ensure(kn_room *r) {
    kn_sfuroom *sr = r->sfu;
    if (sr->created)
        return;
    sr->created = true; /* requests run in order: the peer.create after this finds the room */
    kn_sfuroom_fire(sr->ctl, "room.create", json_pack("{s:s}", "room", sr->name));
}

/* ---- participant state ---- */

kn_sfupart *kn_sfupart_get(kn_room *r, kn_part *p) {
    kn_sfuroom *sr = r->sfu;
    if (p->sfu != NULL)
        return p->sfu;
    if (sr == NULL || kn_sfuroom_place(r) != 0)
        return NULL;
    kn_sfupart *sp = calloc(1, sizeof(*sp));
    if (sp == NULL)
        return NULL;
    sp->part = p;
    strcpy(sp->id, p->id);
    strcpy(sp->room, sr->name);
    sp->ctl = sr->ctl;
    sp->member = sr->member;
    sp->pending_slot = -1;
    kn_sfupool_load_add(sr->pool, (unsigned)sp->member, 1, 0);
    p->sfu = sp;
    return sp;
}

static void pubop_free(kn_sfupart *sp) {
    if (sp->op != NULL)
        free(sp->op->body);
    free(sp->op);
    sp->op = NULL;
}

static void sfupart_free_if_done(kn_sfupart *sp) {
    if (sp->part != NULL || sp->pending > 0)
        return;
    pubop_free(sp);
    json_decref(sp->last_offer);
    free(sp);
}

bool kn_sfupart_release(kn_sfupart *sp) {
    sp->pending--;
    if (sp->part != NULL)
        return false;
    sfupart_free_if_done(sp);
    return true;
}

int kn_sfupart_request(kn_sfupart *sp, const char *method, json_t *params, kn_sfuctl_cb cb) {
    int rc = params ? kn_sfuctl_request(sp->ctl, method, params, cb, sp) : KN_ENOMEM;
    if (rc == 0)
        sp->pending++;
    return rc;
}

void kn_sfupart_send(kn_sfupart *sp, json_t *msg) {
    if (sp->part == NULL || sp->part->conn == NULL) {
        json_decref(msg);
        return;
    }
    kn_wsconn_send(sp->part->conn, msg);
}

void kn_sfupart_error(kn_sfupart *sp, int64_t id, int rc, const char *message) {
    if (sp->part != NULL && sp->part->conn != NULL)
        kn_hub_send_error(sp->part->conn, id, rc, message, false, 0);
}

static void send_closed(kn_sfupart *sp, const char *which) {
    kn_sfupart_send(sp, json_pack("{s:i, s:s, s:s}", "v", 1, "type", "sfu.closed", "which", which));
}

/* Ends the publish peer on the SFU (its producers first, so consumers end at once). */
static void destroy_pub(kn_sfupart *sp) {
    for (unsigned i = 0; i < sp->n_prod; i++)
        kn_sfuroom_fire(sp->ctl, "producer.destroy",
                        json_pack("{s:s, s:s}", "room", sp->room, "producer", sp->prod[i].id));
    if (sp->pub_sent)
        kn_sfuroom_fire(sp->ctl, "peer.destroy",
                        json_pack("{s:s, s:s}", "room", sp->room, "peer", sp->pub_peer));
    sp->pub_sent = false;
    sp->n_prod = 0;
    sp->pub = KN_PUB_NONE;
    pubop_free(sp);
}

/* Detaches sp from its participant; with `tell_sfu` its peers are destroyed. */
static void sfupart_kill(kn_sfupart *sp, bool tell_sfu) {
    if (tell_sfu) {
        destroy_pub(sp);
        if (sp->sub_sent)
            kn_sfuroom_fire(sp->ctl, "peer.destroy",
                            json_pack("{s:s, s:s}", "room", sp->room, "peer", sp->sub_peer));
    }
    kn_sfuroom *sr = sp->part->room->sfu;
    if (sr != NULL && sr->pool != NULL)
        kn_sfupool_load_add(sr->pool, (unsigned)sp->member, -1, 0);
    sp->part->sfu = NULL;
    sp->part = NULL;
    sfupart_free_if_done(sp);
}

/* ---- publish ---- */

static int sfu_error(int rc) {
    return rc == KN_EINVAL ? KN_EINVAL : KN_WS_EUNAVAIL;
}

static void publish_fail(kn_sfupart *sp, int rc, const char *what, const char *message) {
    char line[200];
    KN_LOG_WARN("rooms", "publish of %s: %s failed: %s (%s)", sp->id, what, kn_strerror(rc),
                message ? message : "");
    snprintf(line, sizeof(line), "%s failed: %s", what, message && *message ? message
                                                                            : kn_strerror(rc));
    kn_sfupart_error(sp, sp->op ? sp->op->id : -1, sfu_error(rc), line);
    destroy_pub(sp);
}

static void publish_finish(kn_sfupart *sp) {
    kn_pubop *o = sp->op;
    char *buf = malloc(ANSWER_CAP);
    size_t n = 0;
    int rc = buf ? kn_sdp_answer_write(&o->sdp, &o->ans, buf, ANSWER_CAP, &n) : KN_ENOMEM;
    if (rc != 0) {
        free(buf);
        publish_fail(sp, rc, "answer", "cannot write the answer");
        return;
    }
    json_t *m = json_pack("{s:i, s:s, s:s#}", "v", 1, "type", "sfu.publish.answer", "sdp", buf,
                          (int)n);
    free(buf);
    if (m && o->id >= 0)
        json_object_set_new(m, "id", json_integer(o->id));
    kn_sfupart_send(sp, m);
    sp->pub = KN_PUB_READY;
    pubop_free(sp);
    KN_LOG_INFO("rooms", "%s publishes %u track(s) in room %s", sp->id, sp->n_prod,
                sp->part->room->name);
    kn_sfuroom_sync(sp->part->room, sp->part);
}

static void publish_step(kn_sfupart *sp);

static void on_producer(void *arg, int rc, json_t *result, const char *message) {
    kn_sfupart *sp = arg;
    (void)result;
    if (kn_sfupart_release(sp) || sp->op == NULL)
        return;
    if (rc != 0) {
        publish_fail(sp, rc, "producer.create", message);
        return;
    }
    sp->n_prod++;
    sp->op->media_i++;
    publish_step(sp);
}

static void publish_step(kn_sfupart *sp) {
    kn_pubop *o = sp->op;
    while (o->media_i < o->sdp.n_media && !o->ans.media[o->media_i].accepted)
        o->media_i++;
    if (o->media_i == o->sdp.n_media || sp->n_prod == KN_SFU_MAX_PROD) {
        publish_finish(sp);
        return;
    }
    unsigned i = o->media_i;
    const kn_sdp_media *m = &o->sdp.media[i];
    kn_sfuprod *pr = &sp->prod[sp->n_prod];
    snprintf(pr->id, sizeof(pr->id), "%s.m%u", sp->pub_peer, i);
    pr->kind = m->kind;
    snprintf(pr->codec, sizeof(pr->codec), "%s",
             kn_sdp_ctl_codec_name(m->codecs[o->ans.media[i].codec].name));
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s#, s:o, s:o, s:o}", "room", sp->room, "peer",
                          sp->pub_peer, "producer", pr->id, "kind",
                          m->kind == KN_SDP_AUDIO ? "audio" : "video", "mid", m->mid.p,
                          (int)m->mid.len, "codecs", kn_sdp_ctl_codecs(m, &o->ans.media[i]),
                          "header_extensions", kn_sdp_ctl_extensions(m, false), "encodings",
                          kn_sdp_ctl_encodings(m));
    int rc = kn_sfupart_request(sp, "producer.create", p, on_producer);
    if (rc != 0)
        publish_fail(sp, rc, "producer.create", NULL);
}

static void on_pub_peer(void *arg, int rc, json_t *result, const char *message) {
    kn_sfupart *sp = arg;
    if (kn_sfupart_release(sp) || sp->op == NULL)
        return;
    if (rc == 0 && (rc = kn_sdp_ctl_read_peer(result, &sp->op->ans)) != 0)
        message = "unusable ICE/DTLS parameters";
    if (rc != 0) {
        publish_fail(sp, rc, "peer.create", message);
        return;
    }
    publish_step(sp);
}

/* Parses and plans the offer into a new op; on failure *why names the reason. */
static int publish_plan(const kn_wsmsg *m, kn_pubop **out, const char **why) {
    kn_pubop *o = calloc(1, sizeof(*o));
    if (o == NULL || (o->body = malloc(m->sdp_len)) == NULL) {
        free(o);
        return KN_ENOMEM;
    }
    memcpy(o->body, m->sdp, m->sdp_len);
    o->id = m->id;
    int rc = kn_sdp_parse((const uint8_t *)o->body, m->sdp_len, &o->sdp);
    if (rc != 0)
        *why = o->sdp.error;
    else if ((rc = kn_plan_offer(&o->sdp, NULL, 0, &o->ans, &o->plan, why)) != 0)
        rc = KN_EINVAL;
    if (rc != 0) {
        free(o->body);
        free(o);
        return rc == KN_ENOMEM ? rc : KN_EINVAL;
    }
    o->ans.sending = false;
    o->ans.rcvr_rtt = true;
    o->ans.session_id = o->sdp.session_id ^ 0x4b6f6e73696cULL;
    *out = o;
    return 0;
}

static int publish_start(kn_room *r, kn_sfupart *sp) {
    const kn_sdp_creds *c = &sp->op->plan.creds;
    kn_sfuroom_ensure(r);
    snprintf(sp->pub_peer, sizeof(sp->pub_peer), "%s.pub%u", sp->id, ++sp->gen);
    json_t *p = json_pack("{s:s, s:s, s:{s:s#, s:s#}, s:{s:{s:s, s:s#}, s:s}}", "room", sp->room,
                          "peer", sp->pub_peer, "ice", "ufrag", c->ufrag.p, (int)c->ufrag.len,
                          "pwd", c->pwd.p, (int)c->pwd.len, "dtls", "fingerprint", "algorithm",
                          "sha-256", "value", c->fp_value.p, (int)c->fp_value.len, "role",
                          sp->op->plan.sfu_role);
    int rc = kn_sfupart_request(sp, "peer.create", p, on_pub_peer);
    if (rc != 0) {
        pubop_free(sp);
        return KN_WS_EUNAVAIL;
    }
    sp->pub = KN_PUB_BUSY;
    sp->pub_sent = true;
    return 0;
}

int kn_sfuroom_publish(kn_room *r, kn_part *p, const kn_wsmsg *m) {
    const char *why = NULL;
    kn_pubop *o;
    if (p->role == KN_ROLE_LISTENER)
        return KN_WS_EFORBIDDEN;
    if (r->mode != KN_MODE_SFU || (p->sfu && ((kn_sfupart *)p->sfu)->pub != KN_PUB_NONE))
        return KN_ESTATE;
    kn_sfuroom *sr = r->sfu;
    if (sr == NULL || kn_sfuroom_place(r) != 0 || !kn_sfuctl_up(sr->ctl))
        return KN_WS_EUNAVAIL;
    int rc = publish_plan(m, &o, &why);
    if (rc == KN_EINVAL && p->conn != NULL) {
        kn_hub_send_error(p->conn, m->id, KN_EINVAL, why ? why : "bad SDP", false, 0);
        return 0;
    }
    if (rc != 0)
        return rc;
    kn_sfupart *sp = kn_sfupart_get(r, p);
    if (sp == NULL) {
        free(o->body);
        free(o);
        return KN_ENOMEM;
    }
    sp->op = o;
    return publish_start(r, sp);
}

int kn_sfuroom_unpublish(kn_room *r, kn_part *p) {
    kn_sfupart *sp = p->sfu;
    if (sp == NULL || sp->pub == KN_PUB_NONE)
        return KN_ESTATE;
    destroy_pub(sp);
    kn_sfuroom_sync(r, p);
    return 0;
}

/* ---- subscribe, preferences ---- */

int kn_sfuroom_sub_answer(kn_room *r, kn_part *p, const kn_wsmsg *m) {
    (void)r;
    return kn_sfu_sub_answer(p->sfu, m);
}

static void on_prefs(void *arg, int rc, json_t *result, const char *message) {
    kn_sfupart *sp = arg;
    (void)result;
    if (kn_sfupart_release(sp) || rc == 0 || rc == KN_ENOENT)
        return; /* not_found: the consumer ended meanwhile */
    kn_sfupart_error(sp, -1, sfu_error(rc), message && *message ? message : kn_strerror(rc));
}

int kn_sfuroom_preferences(kn_room *r, kn_part *p, const kn_wsmsg *m) {
    kn_sfupart *sp = p->sfu;
    if (r->mode != KN_MODE_SFU)
        return KN_ESTATE;
    int i = kn_sfu_sub_find(sp, m->target, m->mid);
    if (i < 0)
        return KN_ENOENT;
    const kn_sfuslot *s = &sp->slots[i];
    if (s->kind == KN_SDP_AUDIO && (m->max_spatial >= 0 || m->max_temporal >= 0))
        return KN_EINVAL;
    json_t *params =
        json_pack("{s:s, s:s}", "room", sp->room, "consumer", s->consumer);
    if (params && m->max_spatial >= 0)
        json_object_set_new(params, "max_spatial", json_integer(m->max_spatial));
    if (params && m->max_temporal >= 0)
        json_object_set_new(params, "max_temporal", json_integer(m->max_temporal));
    if (params && m->paused != KN_WSMSG_UNSET)
        json_object_set_new(params, "paused", json_boolean(m->paused == KN_WSMSG_TRUE));
    return kn_sfupart_request(sp, "consumer.set_preferences", params, on_prefs) == 0
               ? 0
               : KN_WS_EUNAVAIL;
}

/* Has another participant than p a ready publish connection? */
static bool others_publish(kn_room *r, const kn_part *p) {
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++) {
        const kn_part *q = &r->parts[i];
        if (q->used && q != p && q->sfu && ((kn_sfupart *)q->sfu)->pub == KN_PUB_READY)
            return true;
    }
    return false;
}

void kn_sfuroom_sync(kn_room *r, const kn_part *except) {
    for (unsigned i = 0; r->sfu && i < KN_ROOM_MAX_PARTS; i++) {
        kn_part *p = &r->parts[i];
        if (!p->used || p == except || (p->sfu == NULL && !others_publish(r, p)))
            continue;
        kn_sfupart *sp = kn_sfupart_get(r, p);
        if (sp != NULL)
            kn_sfu_sub_sync(sp);
    }
}

/* ---- lifetime events ---- */

/* sfu.closed for the publish and/or subscribe connection, reason sfu_lost. */
static void send_lost(void *conn, bool pub, bool sub) {
    json_t *m = json_pack("{s:i, s:s, s:s, s:s}", "v", 1, "type", "sfu.closed", "which", "publish",
                          "reason", "sfu_lost");
    if (m != NULL && pub)
        kn_wsconn_send(conn, json_incref(m));
    if (m != NULL && sub) {
        json_object_set_new(m, "which", json_string("subscribe"));
        kn_wsconn_send(conn, json_incref(m));
    }
    json_decref(m);
}

void kn_sfuroom_part_gone(kn_room *r, kn_part *p) {
    if (p->sfu == NULL)
        return;
    sfupart_kill(p->sfu, true);
    kn_sfuroom_sync(r, p);
}

void kn_sfuroom_resumed(kn_part *p) {
    kn_sfupart *sp = p->sfu;
    if (p->sfu_lost) { /* its connections died with the process while it was away */
        p->sfu_lost = false;
        send_lost(p->conn, true, true);
    }
    if (sp != NULL && sp->offer_out && sp->last_offer != NULL)
        kn_sfupart_send(sp, json_incref(sp->last_offer));
}

void kn_sfuroom_teardown(kn_room *r) {
    kn_sfuroom *sr = r->sfu;
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++)
        if (r->parts[i].used && r->parts[i].sfu != NULL)
            sfupart_kill(r->parts[i].sfu, true);
    if (sr != NULL && sr->created)
        kn_sfuroom_fire(sr->ctl, "room.destroy", json_pack("{s:s}", "room", sr->name));
    if (sr != NULL)
        unplace(sr); /* the next SFU session is placed afresh */
}

void kn_sfuroom_on_sfu_lost(kn_room *r, unsigned member) {
    kn_sfuroom *sr = r->sfu;
    if (sr == NULL || sr->member != (int)member)
        return;
    unsigned n = 0;
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++) {
        kn_part *p = &r->parts[i];
        if (!p->used || p->sfu == NULL)
            continue;
        kn_sfupart *sp = p->sfu;
        bool had_pub = sp->pub != KN_PUB_NONE, had_sub = sp->sub_sent;
        sfupart_kill(sp, false); /* the process and its peers are gone */
        if (p->conn != NULL)
            send_lost(p->conn, had_pub, had_sub);
        else
            p->sfu_lost = true;
        n++;
    }
    if (sr->created) /* a remote SFU that was only unreachable may still hold it */
        kn_sfupool_orphan(sr->pool, member, sr->name);
    unplace(sr);
    /* Move now, so the clients' new publish connections find a live process. */
    if (r->mode == KN_MODE_SFU && r->n > 0 && kn_sfuroom_place(r) == 0)
        KN_LOG_WARN("rooms", "sfu %u lost: room %s (%u SFU participants) moved to sfu %d",
                    member, r->name, n, sr->member);
    else
        KN_LOG_WARN("rooms", "sfu %u lost: room %s (%u SFU participants) waits for a live sfu",
                    member, r->name, n);
}

static kn_part *find_producer(kn_room *r, const char *producer) {
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++) {
        kn_sfupart *sp = r->parts[i].used ? r->parts[i].sfu : NULL;
        for (unsigned k = 0; sp && k < sp->n_prod; k++)
            if (strcmp(sp->prod[k].id, producer) == 0)
                return &r->parts[i];
    }
    return NULL;
}

static void on_peer_closed(kn_room *r, const char *peer, const char *reason) {
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++) {
        kn_sfupart *sp = r->parts[i].used ? r->parts[i].sfu : NULL;
        if (sp == NULL)
            continue;
        if (sp->pub_sent && strcmp(sp->pub_peer, peer) == 0) {
            KN_LOG_INFO("rooms", "sfu closed publish peer of %s (%s)", sp->id, reason);
            sp->pub_sent = false; /* gone on the SFU already */
            sp->n_prod = 0;
            sp->pub = KN_PUB_NONE;
            pubop_free(sp);
            send_closed(sp, "publish");
            kn_sfuroom_sync(r, &r->parts[i]);
            return;
        }
        if (sp->sub_sent && strcmp(sp->sub_peer, peer) == 0) {
            KN_LOG_INFO("rooms", "sfu closed subscribe peer of %s (%s)", sp->id, reason);
            kn_sfu_sub_reset(sp);
            send_closed(sp, "subscribe");
            kn_sfu_sub_sync(sp); /* a fresh peer and offer */
            return;
        }
    }
}

void kn_sfuroom_on_event(kn_room *r, const char *event, json_t *params) {
    if (kn_sfu_dynacast_on_event(r, event, params))
        return;
    if (strcmp(event, "room.active_speaker") == 0) {
        const char *producer = json_string_value(json_object_get(params, "producer"));
        kn_part *p = producer ? find_producer(r, producer) : NULL;
        if (p != NULL && r->mode == KN_MODE_SFU) {
            KN_LOG_INFO("rooms", "active speaker in room %s: %s", r->name, p->id);
            kn_room_broadcast(r, NULL,
                              json_pack("{s:i, s:s, s:s}", "v", 1, "type", "active-speaker",
                                        "participant_id", p->id));
        }
        return;
    }
    if (strcmp(event, "peer.closed") == 0) {
        const char *peer = json_string_value(json_object_get(params, "peer"));
        const char *reason = json_string_value(json_object_get(params, "reason"));
        if (peer != NULL && reason != NULL && strcmp(reason, "destroyed") != 0)
            on_peer_closed(r, peer, reason);
    }
}
