/*
 * janus_flow.c: Janus VideoRoom setup of publisher and subscriber peers (see
 * janus_flow.h). Setup only.
 */
#include "janus_flow.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "sdp_offer.h"

#define ROOM_EXISTS 427 /* JANUS_VIDEOROOM_ERROR_ROOM_EXISTS */

static int create_room(kn_janus *j, uint64_t room, unsigned n_pub) {
    uint64_t h;
    json_t *d = NULL;
    int rc = kn_janus_attach(j, &h);
    if (rc != 0)
        return rc;
    json_t *body = json_pack("{s:s, s:I, s:i, s:i, s:i, s:s, s:s, s:b}", "request", "create",
                             "room", (json_int_t)room, "publishers", (int)n_pub + 1, "bitrate", 0,
                             "fir_freq", 0, "audiocodec", "opus", "videocodec", "vp8",
                             "permanent", 0);
    rc = kn_janus_message(j, h, body, NULL, NULL, &d, NULL);
    if (rc != 0 && json_integer_value(json_object_get(d, "error_code")) == ROOM_EXISTS)
        rc = 0;
    json_decref(d);
    return rc;
}

static kn_offer_params params(const kn_peer *p, const kn_peer_cfg *cfg, const char *fp) {
    return (kn_offer_params){.publish = p->publisher, .ufrag = p->ufrag, .pwd = p->pwd,
                             .fingerprint = fp, .ip = cfg->local_ip,
                             .port = ntohs(p->local.sin_port), .n_layers = cfg->n_layers,
                             .audio_ssrc = p->publisher ? p->tx[0].ssrc : 0};
}

/* join as publisher, then publish with our offer; *feed = the publisher id. */
static int publish(kn_janus *j, uint64_t room, kn_peer *p, const kn_peer_cfg *cfg, const char *fp,
                   uint64_t *feed) {
    static char offer[8192];
    uint64_t h;
    json_t *d = NULL;
    char *sdp = NULL;
    kn_answer ans;
    kn_offer_params op = params(p, cfg, fp);
    int rc = kn_offer_write(&op, offer, sizeof(offer));
    if (rc == 0)
        rc = kn_janus_attach(j, &h);
    if (rc == 0)
        rc = kn_janus_message(j, h, json_pack("{s:s, s:s, s:I}", "request", "join", "ptype",
                                              "publisher", "room", (json_int_t)room),
                              NULL, NULL, &d, NULL);
    if (rc == 0)
        *feed = (uint64_t)json_integer_value(json_object_get(d, "id"));
    json_decref(d);
    d = NULL;
    if (rc == 0)
        rc = kn_janus_message(j, h, json_pack("{s:s}", "request", "publish"), "offer", offer, &d,
                              &sdp);
    if (rc == 0)
        rc = sdp && kn_answer_parse(sdp, &ans) == 0 ? kn_peer_on_answer(p, cfg, &ans) : KN_EPROTO;
    json_decref(d);
    free(sdp);
    return rc;
}

/* join as subscriber of `feed`, answer Janus's offer, start. `substream` 0 is the
 * highest simulcast layer (rid f), as konsil-sfu forwards when nothing limits it:
 * Janus 1.1.2 numbers our rids "q;h;f" high to low (measured: substream 2 delivers
 * rid q; the report's video_pkts_by_layer shows what arrived). */
static int subscribe(kn_janus_flow *f, kn_peer *p, uint64_t room, uint64_t feed,
                     kn_answer *offer) {
    static char answer[8192];
    uint64_t h;
    json_t *d = NULL;
    char *sdp = NULL;
    kn_offer_params op = params(p, f->cfg, f->fingerprint);
    int rc = kn_janus_attach(f->j, &h);
    if (rc == 0)
        rc = kn_janus_message(f->j, h,
                              json_pack("{s:s, s:s, s:I, s:[{s:I, s:i}]}", "request", "join",
                                        "ptype", "subscriber", "room", (json_int_t)room, "streams",
                                        "feed", (json_int_t)feed, "substream", f->substream),
                              NULL, NULL, &d, &sdp);
    json_decref(d);
    d = NULL;
    if (rc == 0 && (sdp == NULL || kn_answer_parse(sdp, offer) != 0))
        rc = KN_EPROTO;
    if (rc == 0)
        rc = kn_sdp_answer_write(&op, offer, answer, sizeof(answer));
    if (rc == 0)
        rc = kn_janus_message(f->j, h, json_pack("{s:s}", "request", "start"), "answer", answer,
                              &d, NULL);
    if (rc == 0) {
        p->ice_controlled = true;
        strcpy(offer->setup, "passive"); /* we answered active: the DTLS client */
    }
    json_decref(d);
    free(sdp);
    return rc;
}

int kn_janus_flow_publish(kn_janus_flow *f, kn_janus *j, uint64_t room, unsigned n_rooms,
                          kn_peer *peers, unsigned n_pub, const kn_peer_cfg *cfg, const char *fp) {
    f->j = j;
    f->room = room;
    f->cfg = cfg;
    f->fingerprint = fp;
    f->feeds = calloc(n_pub, sizeof(*f->feeds));
    int rc = f->feeds ? 0 : KN_ENOMEM;
    for (unsigned r = 0; rc == 0 && r < n_rooms; r++)
        rc = create_room(j, room + r, n_pub / n_rooms);
    for (unsigned i = 0; rc == 0 && i < n_pub; i++)
        if ((rc = publish(j, room + peers[i].room_idx, &peers[i], cfg, fp, &f->feeds[i])) != 0)
            kn_log(KN_LOG_ERROR, "loadgen", "janus: publisher %u: %s", i, kn_strerror(rc));
    return rc;
}

int kn_janus_flow_subscribe(void *flow, kn_peer *p, kn_answer *ans) {
    kn_janus_flow *f = flow;
    int rc = subscribe(f, p, f->room + p->room_idx, f->feeds[p->pub->idx], ans);
    if (rc != 0)
        kn_log(KN_LOG_ERROR, "loadgen", "janus: subscriber %u: %s", p->idx, kn_strerror(rc));
    return rc;
}

void kn_janus_flow_free(kn_janus_flow *f) {
    free(f->feeds);
    f->feeds = NULL;
}
