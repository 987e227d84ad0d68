/*
 * whip_flow.c: one WHIP publish or WHEP view request as a chain of control-API
 * calls (docs/control-api.md): [room.create] → peer.create → producer.create
 * or consumer.create per accepted m-line (a WHEP layer query adds
 * consumer.set_preferences after each video consumer) → answer. The op outlives its HTTP
 * request if the client leaves; then the SFU peer is destroyed at the end.
 */
#include "whip/whip_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/err.h"
#include "core/log.h"
#include "sdp/sdp_answer.h"
#include "sdp/sdp_ctl.h"
#include "whip/plan.h"

typedef struct op {
    kn_whip *w;
    kn_http_req *req; /* NULL once the client went away */
    kn_wroom *room;   /* one user held by this op */
    kn_wsess *s;      /* the new session, registered on success */
    bool peer_created;
    unsigned media_i;
    char stream[33];                /* the publisher's msid stream id */
    kn_track src[KN_SDP_MAX_MEDIA]; /* viewer: the publisher's tracks at start */
    uint8_t n_src;
    uint8_t *body; /* owned copy of the offer; sdp points into it */
    kn_plan plan;
    kn_layer_query layers; /* viewer: asked max_spatial / max_temporal (-1: none) */
    kn_sdp sdp;
    kn_sdp_answer ans;
} op;

static void step_peer(op *o);
static void step_media(op *o);

int kn_whip_http_status(int rc) {
    switch (rc) {
    case KN_EINVAL:
        return 400;
    case KN_ENOENT:
        return 404;
    case KN_EEXIST:
        return 409;
    case KN_ELIMIT:
    case KN_ESTATE:
    case KN_EIO:
        return 503;
    default:
        return 502;
    }
}

static void ignore_cb(void *arg, int rc, json_t *result, const char *message) {
    (void)arg;
    (void)result;
    if (rc != 0 && rc != KN_EIO)
        KN_LOG_WARN("whip", "cleanup request failed: %s (%s)", kn_strerror(rc), message);
}

void kn_whip_room_release(kn_whip *w, kn_wroom *room) {
    if (room == NULL || --room->users > 0)
        return;
    if (w->ctl && kn_sfuctl_up(w->ctl))
        kn_sfuctl_request(w->ctl, "room.destroy", json_pack("{s:s}", "room", room->name), ignore_cb,
                          NULL);
    kn_registry_room_remove(&w->reg, room);
}

static void op_detach(void *arg) {
    ((op *)arg)->req = NULL;
}

static void op_free(op *o) {
    o->w->n_ops--;
    if (o->req != NULL)
        o->req->op = NULL;
    kn_whip_room_release(o->w, o->room);
    free(o->s);
    free(o->body);
    free(o);
}

static void op_fail(op *o, int status, const char *reason) {
    if (o->peer_created && kn_sfuctl_up(o->w->ctl))
        kn_sfuctl_request(o->w->ctl, "peer.destroy",
                          json_pack("{s:s, s:s}", "room", o->room->name, "peer", o->s->id),
                          ignore_cb, NULL);
    if (o->req != NULL) {
        o->req->headers |= KN_HTTP_H_CORS;
        kn_http_respond_text(o->req, status, reason);
    }
    op_free(o);
}

static void sfu_fail(op *o, const char *what, int rc, const char *message) {
    char line[200];
    KN_LOG_WARN("whip", "%s failed: %s (%s)", what, kn_strerror(rc), message ? message : "");
    snprintf(line, sizeof(line), "%s failed: %s", what, kn_strerror(rc));
    op_fail(o, kn_whip_http_status(rc), line);
}

/* ---- writing the answer ---- */

static void finish(op *o) {
    char *buf = malloc(KN_HTTP_MAX_BODY);
    size_t n = 0;
    int rc = buf ? kn_sdp_answer_write(&o->sdp, &o->ans, buf, KN_HTTP_MAX_BODY, &n) : KN_ENOMEM;
    if (rc != 0) {
        free(buf);
        op_fail(o, 500, "cannot write the answer");
        return;
    }
    if (o->req == NULL) { /* nobody to answer: give the SFU peer back */
        free(buf);
        op_fail(o, 0, "");
        return;
    }
    kn_registry_add(&o->w->reg, o->s);
    o->room->users++;
    snprintf(o->req->location, sizeof(o->req->location), "/%s/%s/%s",
             o->s->viewer ? "whep" : "whip", o->s->room, o->s->id);
    o->req->headers |= KN_HTTP_H_CORS;
    kn_http_respond(o->req, 201, "application/sdp", buf, n);
    KN_LOG_INFO("whip", "%s %s in room %s with %u track(s)", o->s->viewer ? "viewer" : "publisher",
                o->s->id, o->s->room, o->s->n_tracks);
    free(buf);
    o->s = NULL; /* owned by the registry now */
    op_free(o);
}

/* ---- producer.create / consumer.create per accepted m-line ---- */

static void track_name(op *o, unsigned i, kn_track *t) {
    const kn_sdp_media *m = &o->sdp.media[i];
    const kn_sdp_codec *c = &m->codecs[o->ans.media[i].codec];
    snprintf(t->id, sizeof(t->id), "%s-m%u", o->s->id, i);
    t->kind = m->kind;
    snprintf(t->codec, sizeof(t->codec), "%s", kn_sdp_ctl_codec_name(c->name));
}

static void on_layers(void *arg, int rc, json_t *result, const char *message) {
    op *o = arg;
    (void)result;
    if (rc != 0) {
        sfu_fail(o, "consumer.set_preferences", rc, message);
        return;
    }
    o->media_i++;
    step_media(o);
}

/* WHEP layer query: the new video consumer's preferences, before any media flows
 * (the answer is not out yet). True when a request is under way. */
static bool set_layers(op *o) {
    const kn_layer_query *q = &o->layers;
    if (q->max_spatial < 0 && q->max_temporal < 0)
        return false;
    json_t *p = json_pack("{s:s, s:s}", "room", o->room->name, "consumer",
                          o->s->tracks[o->s->n_tracks - 1].id);
    if (p && q->max_spatial >= 0)
        json_object_set_new(p, "max_spatial", json_integer(q->max_spatial));
    if (p && q->max_temporal >= 0)
        json_object_set_new(p, "max_temporal", json_integer(q->max_temporal));
    int rc = p ? kn_sfuctl_request(o->w->ctl, "consumer.set_preferences", p, on_layers, o)
               : KN_ENOMEM;
    if (rc != 0)
        sfu_fail(o, "consumer.set_preferences", rc, NULL);
    return true;
}

static void on_media(void *arg, int rc, json_t *result, const char *message) {
    op *o = arg;
    kn_sdp_answer_media *am = &o->ans.media[o->media_i];
    if (rc != 0) {
        sfu_fail(o, o->s->viewer ? "consumer.create" : "producer.create", rc, message);
        return;
    }
    if (o->s->viewer) {
        json_int_t ssrc = json_integer_value(json_object_get(result, "ssrc"));
        json_int_t rtx = json_integer_value(json_object_get(result, "rtx_ssrc"));
        if (ssrc <= 0 || ssrc > UINT32_MAX || rtx < 0 || rtx > UINT32_MAX) {
            op_fail(o, 502, "consumer.create returned no ssrc");
            return;
        }
        am->ssrc = (uint32_t)ssrc;
        am->rtx_ssrc = am->rtx >= 0 ? (uint32_t)rtx : 0;
        if (o->sdp.media[o->media_i].kind == KN_SDP_VIDEO && set_layers(o))
            return; /* continues in on_layers */
    }
    o->media_i++;
    step_media(o);
}

static json_t *media_params(op *o, unsigned i, const kn_track *t) {
    const kn_sdp_media *m = &o->sdp.media[i];
    bool viewer = o->s->viewer;
    json_t *p =
        json_pack("{s:s, s:s, s:s#, s:o, s:o}", "room", o->room->name, "peer", o->s->id, "mid",
                  m->mid.p, (int)m->mid.len, "codecs", kn_sdp_ctl_codecs(m, &o->ans.media[i]),
                  "header_extensions", kn_sdp_ctl_extensions(m, viewer));
    if (p == NULL)
        return NULL;
    if (viewer) {
        json_object_set_new(p, "consumer", json_string(t->id));
        json_object_set_new(p, "producer", json_string(o->src[o->plan.track[i]].id));
    } else {
        json_object_set_new(p, "producer", json_string(t->id));
        json_object_set_new(p, "kind", json_string(m->kind == KN_SDP_AUDIO ? "audio" : "video"));
        json_object_set_new(p, "encodings", kn_sdp_ctl_encodings(m));
    }
    return p;
}

static void step_media(op *o) {
    while (o->media_i < o->sdp.n_media && !o->ans.media[o->media_i].accepted)
        o->media_i++;
    if (o->media_i == o->sdp.n_media) {
        finish(o);
        return;
    }
    unsigned i = o->media_i;
    kn_track *t = &o->s->tracks[o->s->n_tracks++];
    track_name(o, i, t);
    json_t *params = media_params(o, i, t);
    int rc =
        params ? kn_sfuctl_request(o->w->ctl, o->s->viewer ? "consumer.create" : "producer.create",
                                   params, on_media, o)
               : KN_ENOMEM;
    if (rc != 0)
        sfu_fail(o, "media request", rc, NULL);
}

/* ---- peer.create ---- */

static void on_peer(void *arg, int rc, json_t *result, const char *message) {
    op *o = arg;
    if (rc != 0) {
        sfu_fail(o, "peer.create", rc, message);
        return;
    }
    o->peer_created = true;
    if (kn_sdp_ctl_read_peer(result, &o->ans) != 0) {
        op_fail(o, 502, "peer.create returned unusable ICE/DTLS parameters");
        return;
    }
    step_media(o);
}

static void step_peer(op *o) {
    const kn_sdp_creds *c = &o->plan.creds;
    json_t *p =
        json_pack("{s:s, s:s, s:{s:s#, s:s#}, s:{s:{s:s, s:s#}, s:s}}", "room", o->room->name,
                  "peer", o->s->id, "ice", "ufrag", c->ufrag.p, (int)c->ufrag.len, "pwd", c->pwd.p,
                  (int)c->pwd.len, "dtls", "fingerprint", "algorithm", "sha-256", "value",
                  c->fp_value.p, (int)c->fp_value.len, "role", o->plan.sfu_role);
    int rc = p ? kn_sfuctl_request(o->w->ctl, "peer.create", p, on_peer, o) : KN_ENOMEM;
    if (rc != 0)
        sfu_fail(o, "peer.create", rc, NULL);
}

static void on_room(void *arg, int rc, json_t *result, const char *message) {
    op *o = arg;
    (void)result;
    if (rc != 0 && rc != KN_EEXIST) {
        sfu_fail(o, "room.create", rc, message);
        return;
    }
    step_peer(o);
}

/* ---- start ---- */

static int new_session_id(char *out) {
    uint8_t raw[16];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return KN_ENOMEM;
    for (unsigned i = 0; i < sizeof(raw); i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

static op *op_create(kn_whip *w, kn_http_req *r, const char *room, const kn_wsess *publisher) {
    op *o = calloc(1, sizeof(*o));
    if (o == NULL || (o->s = calloc(1, sizeof(*o->s))) == NULL ||
        (o->body = malloc(r->body_len ? r->body_len : 1)) == NULL ||
        new_session_id(o->s->id) != 0 || new_session_id(o->s->stream) != 0) {
        if (o)
            free(o->s);
        free(o);
        return NULL;
    }
    o->w = w;
    w->n_ops++;
    memcpy(o->body, r->body, r->body_len);
    snprintf(o->s->room, sizeof(o->s->room), "%s", room);
    o->s->viewer = publisher != NULL;
    if (publisher != NULL) {
        memcpy(o->src, publisher->tracks, sizeof(o->src));
        o->n_src = publisher->n_tracks;
        strcpy(o->stream, publisher->stream);
    }
    return o;
}

void kn_whip_flow_start(kn_whip *w, kn_http_req *r, const char *room, const kn_wsess *publisher,
                        const kn_layer_query *layers) {
    const char *reason = NULL;
    char line[200];
    op *o = op_create(w, r, room, publisher);
    if (o == NULL) {
        kn_http_respond_text(r, 503, "out of memory");
        return;
    }
    o->layers.max_spatial = publisher && layers ? layers->max_spatial : -1;
    o->layers.max_temporal = publisher && layers ? layers->max_temporal : -1;
    if (kn_sdp_parse(o->body, r->body_len, &o->sdp) != 0) {
        snprintf(line, sizeof(line), "bad SDP: %s (line %u)", o->sdp.error, o->sdp.error_line);
        kn_http_respond_text(r, 400, line);
        op_free(o);
        return;
    }
    if (kn_plan_offer(&o->sdp, publisher ? o->src : NULL, o->n_src, &o->ans, &o->plan, &reason)) {
        kn_http_respond_text(r, 400, reason);
        op_free(o);
        return;
    }
    o->ans.sending = publisher != NULL;
    /* A receive-only browser learns its RTT only from DLRR (RFC 3611); without it
     * its NACK retries wait a default 100 ms and a lost retransmission freezes video. */
    o->ans.rcvr_rtt = true;
    o->ans.session_id = o->sdp.session_id ^ 0x4b6f6e73696cULL;
    snprintf(o->ans.msid_stream, sizeof(o->ans.msid_stream), "%s", o->stream);
    o->req = r;
    r->op = o;
    r->op_detach = op_detach;
    bool known = kn_registry_room(&w->reg, room) != NULL;
    if ((o->room = kn_registry_room_add(&w->reg, room)) == NULL) {
        op_fail(o, 503, "out of memory");
        return;
    }
    o->room->users++;
    int rc = known ? 0
                   : kn_sfuctl_request(w->ctl, "room.create", json_pack("{s:s}", "room", room),
                                       on_room, o);
    if (rc != 0)
        sfu_fail(o, "room.create", rc, NULL);
    else if (known)
        step_peer(o);
}
