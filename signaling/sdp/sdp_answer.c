/*
 * sdp_answer.c: codec choice and the SFU's SDP answer (RFC 8829 §5.3, RFC 8839
 * ice-lite, RFC 8842 setup, RFC 8843 BUNDLE, RFC 8853 simulcast, RFC 5576 ssrc).
 * Writes with a bounded appender; allocates nothing.
 */
#include "sdp/sdp_answer.h"

#include <string.h>

#include "core/err.h"
#include "sdp/sdp_out.h"

static const char *const supported_exts[] = {
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
};

static const struct {
    unsigned bit;
    const char *text;
} fb_names[] = {
    {KN_SDP_FB_NACK, "nack"        },
    {KN_SDP_FB_PLI,  "nack pli"    },
    {KN_SDP_FB_FIR,  "ccm fir"     },
    {KN_SDP_FB_REMB, "goog-remb"   },
    {KN_SDP_FB_TWCC, "transport-cc"},
};

bool kn_sdp_ext_supported(kn_str uri) {
    for (size_t i = 0; i < sizeof(supported_exts) / sizeof(supported_exts[0]); i++)
        if (kn_str_eq(uri, supported_exts[i]))
            return true;
    return false;
}

unsigned kn_sdp_supported_fb(kn_sdp_kind kind) {
    if (kind == KN_SDP_AUDIO)
        return KN_SDP_FB_TWCC;
    return KN_SDP_FB_NACK | KN_SDP_FB_PLI | KN_SDP_FB_FIR | KN_SDP_FB_REMB | KN_SDP_FB_TWCC;
}

kn_sdp_setup kn_sdp_answer_setup(kn_sdp_setup offered) {
    return offered == KN_SDP_PASSIVE ? KN_SDP_ACTIVE : KN_SDP_PASSIVE;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* H.264 we forward: packetization-mode=1, profile_idc 0x42 with constraint_set1
 * (constrained baseline, the "42e01f family"; RFC 6184 §8.1). */
static bool h264_ok(const kn_sdp_codec *c) {
    kn_str mode, plid;
    if (!kn_sdp_fmtp_get(c->fmtp, "packetization-mode", &mode) || !kn_str_eq(mode, "1"))
        return false;
    if (!kn_sdp_fmtp_get(c->fmtp, "profile-level-id", &plid) || plid.len != 6)
        return false;
    int iop_hi = hexval(plid.p[2]);
    return hexval(plid.p[0]) == 4 && hexval(plid.p[1]) == 2 && iop_hi >= 0 && (iop_hi & 0x4) &&
           hexval(plid.p[3]) >= 0 && hexval(plid.p[4]) >= 0 && hexval(plid.p[5]) >= 0;
}

static int find_codec(const kn_sdp_media *m, const char *name) {
    for (int i = 0; i < m->n_codecs; i++) {
        const kn_sdp_codec *c = &m->codecs[i];
        if (!c->has_rtpmap || !kn_str_ieq(c->name, name))
            continue;
        if (m->kind == KN_SDP_AUDIO && (c->clock_rate != 48000 || c->channels != 2))
            continue;
        if (m->kind == KN_SDP_VIDEO && c->clock_rate != 90000)
            continue;
        if (kn_str_ieq(c->name, "H264") && !h264_ok(c))
            continue;
        return i;
    }
    return -1;
}

int kn_sdp_choose_codec(const kn_sdp_media *m, int *codec, int *rtx) {
    if (m->kind == KN_SDP_AUDIO)
        return kn_sdp_choose_codec_named(m, "opus", codec, rtx);
    if (kn_sdp_choose_codec_named(m, "VP8", codec, rtx) == 0)
        return 0;
    return kn_sdp_choose_codec_named(m, "H264", codec, rtx);
}

int kn_sdp_choose_codec_named(const kn_sdp_media *m, const char *name, int *codec, int *rtx) {
    int i = -1;
    bool audio_name = strcmp(name, "opus") == 0;
    if ((m->kind == KN_SDP_AUDIO) == audio_name && m->kind != KN_SDP_OTHER)
        i = find_codec(m, name);
    if (i < 0)
        return KN_ENOENT;
    *codec = i;
    *rtx = -1;
    for (int j = 0; j < m->n_codecs && m->kind == KN_SDP_VIDEO; j++)
        if (m->codecs[j].has_rtpmap && kn_str_ieq(m->codecs[j].name, "rtx") &&
            m->codecs[j].apt == m->codecs[i].pt) {
            *rtx = j;
            break;
        }
    return 0;
}


static const char *setup_name(kn_sdp_setup s) {
    return s == KN_SDP_ACTIVE ? "active" : "passive";
}

static void write_session(kn_sdp_out *o, const kn_sdp *offer, const kn_sdp_answer *a) {
    kn_sdp_out_put(o, "v=0\r\no=- %llu 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n",
        (unsigned long long)a->session_id);
    kn_sdp_out_put(o, "a=group:BUNDLE");
    for (unsigned i = 0; i < offer->n_media; i++)
        if (a->media[i].accepted)
            kn_sdp_out_put(o, " %.*s", (int)offer->media[i].mid.len, offer->media[i].mid.p);
    kn_sdp_out_put(o, "\r\n");
    if (a->sending)
        kn_sdp_out_put(o, "a=msid-semantic: WMS %s\r\n", a->msid_stream);
}

/* Echo supported extensions with the offer's ids; an extension the offerer
 * only sends (or only receives) is kept only when the flow matches ours. */
static void write_extmaps(kn_sdp_out *o, const kn_sdp_media *m, bool sending) {
    for (unsigned i = 0; i < m->n_extmaps; i++) {
        const kn_sdp_extmap *e = &m->extmaps[i];
        if (!kn_sdp_ext_supported(e->uri))
            continue;
        if ((e->dir == KN_SDP_SENDONLY && sending) || (e->dir == KN_SDP_RECVONLY && !sending))
            continue;
        const char *dir = e->dir == KN_SDP_SENDONLY   ? "/recvonly"
                          : e->dir == KN_SDP_RECVONLY ? "/sendonly"
                                                      : "";
        kn_sdp_out_put(o, "a=extmap:%u%s %.*s\r\n", e->id, dir, (int)e->uri.len, e->uri.p);
    }
}

static void write_codecs(kn_sdp_out *o, const kn_sdp_media *m, const kn_sdp_answer_media *am) {
    const kn_sdp_codec *c = &m->codecs[am->codec];
    kn_sdp_out_put(o, "a=rtpmap:%u %.*s/%u", c->pt, (int)c->name.len, c->name.p, c->clock_rate);
    kn_sdp_out_put(o, c->channels ? "/%u\r\n" : "\r\n", c->channels);
    unsigned fb = c->fb & kn_sdp_supported_fb(m->kind);
    for (size_t i = 0; i < sizeof(fb_names) / sizeof(fb_names[0]); i++)
        if (fb & fb_names[i].bit)
            kn_sdp_out_put(o, "a=rtcp-fb:%u %s\r\n", c->pt, fb_names[i].text);
    if (c->fmtp.len > 0)
        kn_sdp_out_put(o, "a=fmtp:%u %.*s\r\n", c->pt, (int)c->fmtp.len, c->fmtp.p);
    if (am->rtx >= 0) {
        const kn_sdp_codec *r = &m->codecs[am->rtx];
        kn_sdp_out_put(o, "a=rtpmap:%u rtx/%u\r\na=fmtp:%u apt=%u\r\n", r->pt, r->clock_rate, r->pt, c->pt);
    }
}

static void write_simulcast(kn_sdp_out *o, const kn_sdp_media *m) {
    unsigned n = 0;
    for (unsigned i = 0; i < m->n_rids; i++)
        if (m->rids[i].send)
            kn_sdp_out_put(o, "a=rid:%.*s recv\r\n", (int)m->rids[i].id.len, m->rids[i].id.p);
    for (unsigned i = 0; i < m->n_rids; i++)
        if (m->rids[i].send)
            kn_sdp_out_put(o, "%s%.*s", n++ ? ";" : "a=simulcast:recv ", (int)m->rids[i].id.len,
                m->rids[i].id.p);
    if (n > 0)
        kn_sdp_out_put(o, "\r\n");
}

static void write_ssrcs(kn_sdp_out *o, const kn_sdp_answer *a, const kn_sdp_answer_media *am,
                        const kn_sdp_media *m) {
    kn_sdp_out_put(o, "a=msid:%s %s-%.*s\r\n", a->msid_stream, a->msid_stream, (int)m->mid.len, m->mid.p);
    if (am->rtx_ssrc != 0)
        kn_sdp_out_put(o, "a=ssrc-group:FID %u %u\r\n", am->ssrc, am->rtx_ssrc);
    kn_sdp_out_put(o, "a=ssrc:%u cname:konsil\r\n", am->ssrc);
    if (am->rtx_ssrc != 0)
        kn_sdp_out_put(o, "a=ssrc:%u cname:konsil\r\n", am->rtx_ssrc);
}

static void write_candidates(kn_sdp_out *o, const kn_sdp_answer *a) {
    for (unsigned i = 0; i < a->n_candidates; i++) {
        const kn_sdp_candidate *c = &a->candidates[i];
        kn_sdp_out_put(o, "a=candidate:%s 1 %s %u %s %u typ host%s\r\n", c->foundation, c->tcp ? "tcp" : "udp",
            c->priority, c->ip, c->port, c->tcp ? " tcptype passive" : "");
    }
    kn_sdp_out_put(o, "a=end-of-candidates\r\n");
}

static void write_media(kn_sdp_out *o, const kn_sdp_media *m, const kn_sdp_answer *a,
                        const kn_sdp_answer_media *am) {
    if (!am->accepted) {
        kn_sdp_out_put(o, "m=%.*s 0 %.*s %.*s\r\nc=IN IP4 0.0.0.0\r\n", (int)m->type.len, m->type.p,
            (int)m->proto.len, m->proto.p, (int)m->fmts.len, m->fmts.p);
        if (m->mid.len > 0)
            kn_sdp_out_put(o, "a=mid:%.*s\r\n", (int)m->mid.len, m->mid.p);
        kn_sdp_out_put(o, "a=inactive\r\n");
        return;
    }
    const kn_sdp_codec *c = &m->codecs[am->codec];
    kn_sdp_out_put(o, "m=%.*s 9 %.*s %u", (int)m->type.len, m->type.p, (int)m->proto.len, m->proto.p, c->pt);
    kn_sdp_out_put(o, am->rtx >= 0 ? " %u\r\n" : "\r\n", am->rtx >= 0 ? m->codecs[am->rtx].pt : 0);
    kn_sdp_out_put(o, "c=IN IP4 0.0.0.0\r\na=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", a->ice_ufrag, a->ice_pwd);
    kn_sdp_out_put(o, "a=fingerprint:%s %s\r\na=setup:%s\r\n", a->fp_alg, a->fp_value, setup_name(a->setup));
    kn_sdp_out_put(o, "a=mid:%.*s\r\n", (int)m->mid.len, m->mid.p);
    write_extmaps(o, m, a->sending);
    kn_sdp_out_put(o, a->sending ? "a=sendonly\r\n" : "a=recvonly\r\n");
    kn_sdp_out_put(o, "a=rtcp-mux\r\n");
    if (m->rtcp_rsize)
        kn_sdp_out_put(o, "a=rtcp-rsize\r\n");
    if (a->rcvr_rtt)
        kn_sdp_out_put(o, "a=rtcp-xr:rcvr-rtt=all\r\n");
    write_codecs(o, m, am);
    if (a->sending)
        write_ssrcs(o, a, am, m);
    else
        write_simulcast(o, m);
    write_candidates(o, a);
}

int kn_sdp_answer_write(const kn_sdp *offer, const kn_sdp_answer *a, char *buf, size_t cap,
                        size_t *n) {
    kn_sdp_out o = {buf, cap, 0, cap == 0};
    unsigned accepted = 0;
    for (unsigned i = 0; i < offer->n_media; i++)
        accepted += a->media[i].accepted;
    if (accepted == 0)
        return KN_EINVAL;
    write_session(&o, offer, a);
    for (unsigned i = 0; i < offer->n_media; i++)
        write_media(&o, &offer->media[i], a, &a->media[i]);
    if (o.full)
        return KN_ELIMIT;
    *n = o.len;
    return 0;
}
