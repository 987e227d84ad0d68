/*
 * sfu_sub.c: subscribe negotiation (docs/control-api.md "Offer mode",
 * docs/signaling-protocol.md "sfu.subscribe"). The SFU's payload types and
 * extension ids are fixed per codec, so within one BUNDLE each means the same
 * in every m-section; the browser's answer echoes them.
 */
#include "room/sfu_sub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/err.h"
#include "core/log.h"
#include "sdp/sdp_ctl.h"

#define OFFER_CAP 65536

static const char URI_MID[] = "urn:ietf:params:rtp-hdrext:sdes:mid";
static const char URI_AST[] = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

static const struct {
    const char *name; /* as in kn_sfuprod.codec */
    uint8_t pt, rtx_pt, channels;
    uint32_t clock_rate;
    unsigned fb;
    const char *fmtp;
} codecs[] = {
    {"opus", 111, 0,   2, 48000, 0,                                            "minptime=10;useinbandfec=1"},
    {"VP8",  96,  97,  0, 90000, KN_SDP_FB_NACK | KN_SDP_FB_PLI | KN_SDP_FB_FIR, NULL},
    {"H264", 102, 103, 0, 90000, KN_SDP_FB_NACK | KN_SDP_FB_PLI | KN_SDP_FB_FIR,
     "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"},
};

void kn_sfu_sub_codec(kn_sdp_offer_media *om, const char *codec, kn_sdp_kind kind) {
    unsigned i = kind == KN_SDP_AUDIO ? 0 : strcmp(codec, "H264") == 0 ? 2 : 1;
    om->kind = kind;
    om->codec = codecs[i].name;
    om->pt = codecs[i].pt;
    om->rtx_pt = codecs[i].rtx_pt;
    om->channels = codecs[i].channels;
    om->clock_rate = codecs[i].clock_rate;
    om->fb = codecs[i].fb;
    om->fmtp = codecs[i].fmtp;
    om->n_exts = 2;
    om->exts[0] = (kn_sdp_offer_ext){4, URI_MID};
    om->exts[1] = (kn_sdp_offer_ext){2, URI_AST};
}

static json_t *consumer_codecs(const kn_sfuslot *s) {
    kn_sdp_offer_media om;
    kn_sfu_sub_codec(&om, s->codec, s->kind);
    json_t *fb = json_array();
    if (om.fb & KN_SDP_FB_NACK)
        json_array_append_new(fb, json_string("nack"));
    if (om.fb & KN_SDP_FB_PLI)
        json_array_append_new(fb, json_string("nack pli"));
    if (om.fb & KN_SDP_FB_FIR)
        json_array_append_new(fb, json_string("ccm fir"));
    json_t *c = json_pack("{s:i, s:s, s:i, s:o}", "payload_type", om.pt, "name", om.codec,
                          "clock_rate", (int)om.clock_rate, "rtcp_fb", fb);
    if (c && om.channels)
        json_object_set_new(c, "channels", json_integer(om.channels));
    if (c && om.rtx_pt)
        json_object_set_new(c, "rtx_payload_type", json_integer(om.rtx_pt));
    json_t *exts = json_array();
    for (unsigned i = 0; i < om.n_exts; i++)
        json_array_append_new(exts, json_pack("{s:i, s:s}", "id", om.exts[i].id, "uri",
                                              om.exts[i].uri));
    return json_pack("{s:[o], s:o}", "codecs", c, "header_extensions", exts);
}

/* ---- what the subscriber should receive ---- */

static bool producer_alive(kn_room *r, const char *part, const char *producer) {
    kn_part *q = kn_room_find(r, part);
    kn_sfupart *qs = q ? q->sfu : NULL;
    if (qs == NULL || qs->pub != KN_PUB_READY)
        return false;
    for (unsigned i = 0; i < qs->n_prod; i++)
        if (strcmp(qs->prod[i].id, producer) == 0)
            return true;
    return false;
}

static bool covered(const kn_sfupart *sp, const char *producer) {
    for (unsigned i = 0; i < sp->n_slots; i++)
        if ((sp->slots[i].live || sp->slots[i].rejected) &&
            strcmp(sp->slots[i].producer, producer) == 0)
            return true;
    return false;
}

/* A left publisher's slots go inactive; returns true when any changed. */
static bool retire_gone(kn_sfupart *sp, kn_room *r) {
    bool changed = false;
    for (unsigned i = 0; i < sp->n_slots; i++) {
        kn_sfuslot *s = &sp->slots[i];
        if (s->part[0] == '\0' || producer_alive(r, s->part, s->producer))
            continue;
        s->live = s->rejected = s->held = false;
        s->part[0] = s->producer[0] = s->consumer[0] = '\0';
        s->ssrc = s->rtx_ssrc = 0;
        changed = true;
    }
    return changed;
}

/* A free slot for `kind`: an inactive one of that kind (mid reused), else a new mid. */
static int free_slot(kn_sfupart *sp, kn_sdp_kind kind) {
    for (unsigned i = 0; i < sp->n_slots; i++)
        if (sp->slots[i].part[0] == '\0' && sp->slots[i].kind == kind)
            return (int)i;
    if (sp->n_slots == KN_SDP_MAX_MEDIA)
        return -1;
    kn_sfuslot *s = &sp->slots[sp->n_slots];
    memset(s, 0, sizeof(*s));
    snprintf(s->mid, sizeof(s->mid), "%u", sp->n_slots);
    s->kind = kind;
    return sp->n_slots++;
}

/* Next producer of another participant that no slot carries; false when none. */
static bool next_wanted(kn_sfupart *sp, kn_room *r, kn_part **who, const kn_sfuprod **prod) {
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++) {
        kn_part *q = &r->parts[i];
        kn_sfupart *qs = q->used && q != sp->part ? q->sfu : NULL;
        if (qs == NULL || qs->pub != KN_PUB_READY)
            continue;
        for (unsigned k = 0; k < qs->n_prod; k++)
            if (!covered(sp, qs->prod[k].id)) {
                *who = q;
                *prod = &qs->prod[k];
                return true;
            }
    }
    return false;
}

/* ---- control requests ---- */

static bool stale(kn_sfupart *sp) {
    if (sp->sub_req_gen == sp->sub_gen)
        return false;
    sp->sub_busy = false;
    kn_sfu_sub_sync(sp);
    return true;
}

static void on_consumer(void *arg, int rc, json_t *result, const char *message) {
    kn_sfupart *sp = arg;
    if (kn_sfupart_release(sp) || stale(sp))
        return;
    sp->sub_busy = false;
    kn_sfuslot *s = &sp->slots[sp->pending_slot];
    json_int_t ssrc = json_integer_value(json_object_get(result, "ssrc"));
    json_int_t rtx = json_integer_value(json_object_get(result, "rtx_ssrc"));
    if (rc == 0 && (ssrc <= 0 || ssrc > UINT32_MAX || rtx < 0 || rtx > UINT32_MAX))
        rc = KN_EPROTO;
    if (rc != 0) {
        KN_LOG_WARN("rooms", "consumer.create for %s failed: %s (%s)", sp->id, kn_strerror(rc),
                    message ? message : "");
        s->rejected = true; /* counted as carried: no retry loop; inactive in the offer */
    } else {
        s->live = s->held = true;
        s->ssrc = (uint32_t)ssrc;
        s->rtx_ssrc = (uint32_t)rtx;
    }
    sp->pending_slot = -1;
    sp->sub_changed = true;
    kn_sfu_sub_sync(sp);
}

static void consume(kn_sfupart *sp, kn_part *who, const kn_sfuprod *prod, int slot) {
    kn_sfuslot *s = &sp->slots[slot];
    s->live = s->rejected = s->held = false;
    snprintf(s->part, sizeof(s->part), "%s", who->id);
    snprintf(s->producer, sizeof(s->producer), "%s", prod->id);
    snprintf(s->codec, sizeof(s->codec), "%s", prod->codec);
    snprintf(s->consumer, sizeof(s->consumer), "%s.c%u", sp->sub_peer, ++sp->n_consumers);
    json_t *p = consumer_codecs(s);
    if (p)
        json_object_update_new(p, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "room", sp->room,
                                            "peer", sp->sub_peer, "consumer", s->consumer,
                                            "producer", s->producer, "mid", s->mid, "paused",
                                            1)); /* resumed by the answer: resume_offered() */
    sp->pending_slot = slot;
    sp->sub_busy = true;
    sp->sub_req_gen = sp->sub_gen;
    if (kn_sfupart_request(sp, "consumer.create", p, on_consumer) != 0) {
        sp->sub_busy = false;
        s->rejected = true;
        sp->pending_slot = -1;
    }
}

static void on_peer(void *arg, int rc, json_t *result, const char *message) {
    kn_sfupart *sp = arg;
    if (kn_sfupart_release(sp) || stale(sp))
        return;
    sp->sub_busy = false;
    if (rc == 0 && (rc = kn_sdp_ctl_read_peer(result, &sp->sub_t)) == 0) {
        kn_sfu_sub_sync(sp);
        return;
    }
    KN_LOG_WARN("rooms", "subscribe peer.create for %s failed: %s (%s)", sp->id, kn_strerror(rc),
                message ? message : "");
    kn_sfuroom_fire(sp->ctl, "peer.destroy",
                    json_pack("{s:s, s:s}", "room", sp->room, "peer", sp->sub_peer));
    kn_sfu_sub_reset(sp); /* a later change of producers tries again */
}

static void create_peer(kn_sfupart *sp) {
    kn_sfuroom_ensure(sp->part->room);
    snprintf(sp->sub_peer, sizeof(sp->sub_peer), "%s.sub%u", sp->id, sp->sub_gen + 1);
    if (RAND_bytes((uint8_t *)&sp->session_id, sizeof(sp->session_id)) != 1)
        sp->session_id = (uint64_t)sp->sub_gen << 32;
    sp->session_id &= 0x7fffffffffffffffULL;
    sp->version = 0;
    sp->sub_busy = sp->sub_sent = true;
    sp->sub_req_gen = sp->sub_gen;
    if (kn_sfupart_request(sp, "peer.create",
                           json_pack("{s:s, s:s}", "room", sp->room, "peer", sp->sub_peer),
                           on_peer) != 0)
        sp->sub_busy = sp->sub_sent = false;
}

/* ---- the offer ---- */

static json_t *tracks_json(const kn_sfupart *sp) {
    json_t *a = json_array();
    for (unsigned i = 0; i < sp->n_slots; i++) {
        const kn_sfuslot *s = &sp->slots[i];
        json_array_append_new(a, json_pack("{s:s, s:s?, s:s}", "mid", s->mid, "participant",
                                           s->live ? s->part : NULL, "kind",
                                           s->kind == KN_SDP_AUDIO ? "audio" : "video"));
    }
    return a;
}

static int build_offer(const kn_sfupart *sp, kn_sdp_offer *of) {
    memset(of, 0, sizeof(*of));
    of->session_id = sp->session_id;
    of->version = sp->version + 1;
    of->rcvr_rtt = true;
    of->n_media = sp->n_slots;
    for (unsigned i = 0; i < sp->n_slots; i++) {
        const kn_sfuslot *s = &sp->slots[i];
        kn_sdp_offer_media *om = &of->media[i];
        kn_sfu_sub_codec(om, s->live ? s->codec : "VP8", s->kind);
        snprintf(om->mid, sizeof(om->mid), "%s", s->mid);
        om->live = s->live;
        om->ssrc = s->ssrc;
        om->rtx_ssrc = om->rtx_pt ? s->rtx_ssrc : 0;
        snprintf(om->stream, sizeof(om->stream), "%s", s->live ? s->part : "-");
        snprintf(om->track, sizeof(om->track), "%s", s->live ? s->consumer : "-");
    }
    return 0;
}

static void send_offer(kn_sfupart *sp) {
    kn_sdp_offer *of = malloc(sizeof(*of));
    char *buf = malloc(OFFER_CAP);
    size_t n = 0;
    int rc = of && buf ? build_offer(sp, of) : KN_ENOMEM;
    if (rc == 0)
        rc = kn_sdp_offer_write(of, &sp->sub_t, buf, OFFER_CAP, &n);
    if (rc == 0) {
        json_t *m = json_pack("{s:i, s:s, s:I, s:s#, s:o}", "v", 1, "type", "sfu.subscribe",
                              "revision", (json_int_t)(sp->revision + 1), "sdp", buf, (int)n,
                              "tracks", tracks_json(sp));
        if (m != NULL) {
            sp->revision++;
            sp->version++;
            sp->offered = sp->n_slots;
            sp->offer_out = true;
            sp->sub_changed = false;
            json_decref(sp->last_offer);
            sp->last_offer = json_incref(m);
            kn_sfupart_send(sp, m);
        }
    } else {
        KN_LOG_WARN("rooms", "cannot write the subscribe offer for %s: %s", sp->id,
                    kn_strerror(rc));
    }
    free(of);
    free(buf);
}

void kn_sfu_sub_sync(kn_sfupart *sp) {
    kn_part *who;
    const kn_sfuprod *prod;
    if (sp->part == NULL || sp->sub_busy || sp->offer_out)
        return; /* the answer or the callback syncs again */
    kn_room *r = sp->part->room;
    if (retire_gone(sp, r))
        sp->sub_changed = true;
    while (next_wanted(sp, r, &who, &prod)) {
        if (!sp->sub_sent) {
            create_peer(sp);
            return;
        }
        int slot = free_slot(sp, prod->kind);
        if (slot < 0)
            break; /* 20 m-sections: nothing more fits */
        consume(sp, who, prod, slot);
        if (sp->sub_busy)
            return;
    }
    if (sp->sub_changed && sp->sub_sent && sp->n_slots > 0)
        send_offer(sp);
}

/* ---- the answer ---- */

static void on_set_remote(void *arg, int rc, json_t *result, const char *message) {
    kn_sfupart *sp = arg;
    (void)result;
    if (kn_sfupart_release(sp) || stale(sp))
        return;
    sp->sub_busy = false;
    if (rc != 0) {
        KN_LOG_WARN("rooms", "peer.set_remote for %s failed: %s (%s)", sp->id, kn_strerror(rc),
                    message ? message : "");
        kn_sfupart_error(sp, -1, rc == KN_EINVAL ? KN_EINVAL : KN_WS_EUNAVAIL,
                         "the SFU refused the subscribe answer");
        return;
    }
    sp->sub_remote = true;
    kn_sfu_sub_sync(sp);
}

static int check_creds(const kn_sdp_creds *c) {
    if (c->ufrag.len < 4 || c->ufrag.len > 256 || c->pwd.len < 22 || c->pwd.len > 256 ||
        !kn_str_ieq(c->fp_alg, "sha-256") || c->fp_value.len != 95 ||
        (c->setup != KN_SDP_ACTIVE && c->setup != KN_SDP_PASSIVE))
        return KN_EINVAL;
    return 0;
}

static void set_remote(kn_sfupart *sp, const kn_sdp_creds *c) {
    json_t *p = json_pack("{s:s, s:s, s:{s:s#, s:s#}, s:{s:{s:s, s:s#}, s:s}}", "room", sp->room,
                          "peer", sp->sub_peer, "ice", "ufrag", c->ufrag.p, (int)c->ufrag.len,
                          "pwd", c->pwd.p, (int)c->pwd.len, "dtls", "fingerprint", "algorithm",
                          "sha-256", "value", c->fp_value.p, (int)c->fp_value.len, "role",
                          c->setup == KN_SDP_ACTIVE ? "server" : "client");
    sp->sub_busy = true;
    sp->sub_req_gen = sp->sub_gen;
    if (kn_sfupart_request(sp, "peer.set_remote", p, on_set_remote) != 0)
        sp->sub_busy = false;
}

/*
 * Consumers start paused and are resumed here, once the browser has applied the
 * offer that signals them (it sends the answer after setLocalDescription). Media
 * sent earlier arrives for an m-section the browser does not know yet: Firefox
 * then binds the SSRC by its payload type, unique in the old BUNDLE, to an
 * earlier receiver that has no MID binding yet (its publisher's media not
 * flowing yet); that receiver owns the SSRC in Firefox's call, and the new
 * m-section never gets a packet of it (tests/browser/harness_sfu_join_loop.mjs).
 */
static void resume_offered(kn_sfupart *sp) {
    for (unsigned i = 0; i < sp->offered && i < sp->n_slots; i++) {
        kn_sfuslot *s = &sp->slots[i];
        if (!s->live || !s->held)
            continue;
        s->held = false;
        kn_sfuroom_fire(sp->ctl, "consumer.set_preferences",
                        json_pack("{s:s, s:s, s:b}", "room", sp->room, "consumer", s->consumer,
                                  "paused", 0));
    }
}

/* Rejected m-sections (port 0) end their consumers. */
static void drop_rejected(kn_sfupart *sp, const kn_sdp *ans) {
    for (unsigned i = 0; i < ans->n_media && i < sp->n_slots; i++) {
        kn_sfuslot *s = &sp->slots[i];
        if (ans->media[i].port != 0 || ans->media[i].bundle_only || !s->live)
            continue;
        kn_sfuroom_fire(sp->ctl, "consumer.destroy",
                        json_pack("{s:s, s:s}", "room", sp->room, "consumer", s->consumer));
        s->live = false;
        s->rejected = true;
    }
}

int kn_sfu_sub_answer(kn_sfupart *sp, const kn_wsmsg *m) {
    if (sp == NULL || !sp->offer_out)
        return KN_ESTATE;
    if (m->revision < sp->revision)
        return 0; /* stale: ignored */
    if (m->revision != sp->revision)
        return KN_EINVAL;
    kn_sdp *ans = malloc(sizeof(*ans));
    if (ans == NULL)
        return KN_ENOMEM;
    int rc = kn_sdp_parse((const uint8_t *)m->sdp, m->sdp_len, ans);
    kn_sdp_creds c;
    if (rc == 0 && ans->n_media != sp->offered)
        rc = KN_EINVAL;
    if (rc == 0) {
        c = kn_sdp_media_creds(ans, &ans->media[0]);
        rc = check_creds(&c);
    }
    if (rc != 0) {
        free(ans);
        return KN_EINVAL;
    }
    sp->offer_out = false;
    json_decref(sp->last_offer);
    sp->last_offer = NULL;
    drop_rejected(sp, ans);
    resume_offered(sp);
    if (!sp->sub_remote && !sp->sub_busy)
        set_remote(sp, &c); /* once per peer: later answers keep ICE/DTLS */
    free(ans);
    kn_sfu_sub_sync(sp);
    return 0;
}

void kn_sfu_sub_reset(kn_sfupart *sp) {
    sp->sub_gen++;
    sp->sub_sent = sp->sub_remote = sp->sub_busy = sp->offer_out = sp->sub_changed = false;
    sp->pending_slot = -1;
    sp->n_slots = 0;
    sp->offered = 0;
    json_decref(sp->last_offer);
    sp->last_offer = NULL;
}

int kn_sfu_sub_find(const kn_sfupart *sp, const char *part, const char *mid) {
    int audio = -1;
    for (unsigned i = 0; sp != NULL && i < sp->n_slots; i++) {
        const kn_sfuslot *s = &sp->slots[i];
        if (!s->live)
            continue;
        if (mid != NULL && strcmp(s->mid, mid) == 0)
            return (int)i;
        if (part != NULL && strcmp(s->part, part) == 0) {
            if (s->kind == KN_SDP_VIDEO)
                return (int)i;
            audio = (int)i;
        }
    }
    return audio;
}
