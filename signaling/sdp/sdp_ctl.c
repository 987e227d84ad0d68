/*
 * sdp_ctl.c: SDP ↔ control-API parameter translation (docs/control-api.md
 * "producer.create", "consumer.create", "peer.create"). Every string taken
 * from the SFU is checked against a character set before it goes into SDP.
 */
#include "sdp/sdp_ctl.h"

#include <string.h>

#include "core/err.h"

json_t *kn_sdp_ctl_codecs(const kn_sdp_media *m, const kn_sdp_answer_media *am) {
    const kn_sdp_codec *c = &m->codecs[am->codec];
    json_t *fb = json_array();
    unsigned bits = c->fb & kn_sdp_supported_fb(m->kind);
    static const char *const names[] = {"nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"};
    for (unsigned i = 0; i < 5; i++)
        if (bits & (1u << i))
            json_array_append_new(fb, json_string(names[i]));
    json_t *j = json_pack("{s:i, s:s#, s:i, s:o}", "payload_type", c->pt, "name", c->name.p,
                          (int)c->name.len, "clock_rate", (int)c->clock_rate, "rtcp_fb", fb);
    if (j && c->channels)
        json_object_set_new(j, "channels", json_integer(c->channels));
    if (j && am->rtx >= 0)
        json_object_set_new(j, "rtx_payload_type", json_integer(m->codecs[am->rtx].pt));
    return json_pack("[o]", j);
}

json_t *kn_sdp_ctl_extensions(const kn_sdp_media *m, bool sending) {
    json_t *a = json_array();
    for (unsigned i = 0; i < m->n_extmaps; i++) {
        const kn_sdp_extmap *e = &m->extmaps[i];
        if (!kn_sdp_ext_supported(e->uri) || (e->dir == KN_SDP_SENDONLY && sending) ||
            (e->dir == KN_SDP_RECVONLY && !sending))
            continue;
        json_array_append_new(
            a, json_pack("{s:i, s:s#}", "id", e->id, "uri", e->uri.p, (int)e->uri.len));
    }
    return a;
}

static bool is_rtx_ssrc(const kn_sdp_media *m, uint32_t ssrc) {
    for (unsigned i = 0; i < m->n_fids; i++)
        if (m->fids[i].rtx_ssrc == ssrc)
            return true;
    return false;
}

json_t *kn_sdp_ctl_encodings(const kn_sdp_media *m) {
    json_t *a = json_array();
    for (unsigned i = 0; i < m->n_rids && json_array_size(a) < 3; i++)
        if (m->rids[i].send)
            json_array_append_new(
                a, json_pack("{s:s#}", "rid", m->rids[i].id.p, (int)m->rids[i].id.len));
    for (unsigned i = 0; json_array_size(a) == 0 && i < m->n_ssrcs; i++) {
        uint32_t ssrc = m->ssrcs[i].ssrc;
        if (is_rtx_ssrc(m, ssrc))
            continue;
        json_t *e = json_pack("{s:I}", "ssrc", (json_int_t)ssrc);
        for (unsigned f = 0; f < m->n_fids; f++)
            if (m->fids[f].ssrc == ssrc)
                json_object_set_new(e, "rtx_ssrc", json_integer(m->fids[f].rtx_ssrc));
        json_array_append_new(a, e);
    }
    if (json_array_size(a) == 0)
        json_array_append_new(a, json_object());
    return a;
}

const char *kn_sdp_ctl_codec_name(kn_str name) {
    return kn_str_ieq(name, "opus") ? "opus" : kn_str_ieq(name, "VP8") ? "VP8" : "H264";
}

static bool chars_ok(const char *s, size_t max, const char *allowed) {
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= max && strspn(s, allowed) == n;
}

#define ICE_CHARS  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
#define ADDR_CHARS "0123456789abcdefABCDEF.:"

static int read_candidate(json_t *c, kn_sdp_candidate *out) {
    const char *tr = json_string_value(json_object_get(c, "transport"));
    const char *ip = json_string_value(json_object_get(c, "ip"));
    const char *fnd = json_string_value(json_object_get(c, "foundation"));
    json_int_t port = json_integer_value(json_object_get(c, "port"));
    json_int_t prio = json_integer_value(json_object_get(c, "priority"));
    if (tr == NULL || (strcmp(tr, "udp") != 0 && strcmp(tr, "tcp") != 0) ||
        !chars_ok(ip, sizeof(out->ip) - 1, ADDR_CHARS) || !chars_ok(fnd, 32, ICE_CHARS) ||
        port <= 0 || port > 65535 || prio <= 0 || prio > UINT32_MAX)
        return KN_EPROTO;
    out->tcp = strcmp(tr, "tcp") == 0;
    strcpy(out->ip, ip);
    strcpy(out->foundation, fnd);
    out->port = (uint16_t)port;
    out->priority = (uint32_t)prio;
    return 0;
}

int kn_sdp_ctl_read_peer(json_t *r, kn_sdp_answer *a) {
    json_t *ice = json_object_get(r, "ice"),
           *fp = json_object_get(json_object_get(r, "dtls"), "fingerprint");
    const char *ufrag = json_string_value(json_object_get(ice, "ufrag"));
    const char *pwd = json_string_value(json_object_get(ice, "pwd"));
    const char *alg = json_string_value(json_object_get(fp, "algorithm"));
    const char *value = json_string_value(json_object_get(fp, "value"));
    json_t *cands = json_object_get(r, "candidates"), *c;
    size_t i;
    if (!chars_ok(ufrag, 256, ICE_CHARS) || !chars_ok(pwd, 256, ICE_CHARS) ||
        !chars_ok(alg, sizeof(a->fp_alg) - 1, "sha-256") ||
        !chars_ok(value, sizeof(a->fp_value) - 1, "0123456789ABCDEFabcdef:") ||
        !json_is_array(cands))
        return KN_EPROTO;
    strcpy(a->ice_ufrag, ufrag);
    strcpy(a->ice_pwd, pwd);
    strcpy(a->fp_alg, alg);
    strcpy(a->fp_value, value);
    a->n_candidates = 0;
    json_array_foreach(cands, i, c) {
        if (a->n_candidates == KN_SDP_MAX_CANDIDATES)
            break;
        if (read_candidate(c, &a->candidates[a->n_candidates]) == 0)
            a->n_candidates++;
    }
    return a->n_candidates > 0 ? 0 : KN_EPROTO;
}
