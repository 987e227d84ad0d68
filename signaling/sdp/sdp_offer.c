/*
 * sdp_offer.c: the SFU's subscribe offer (RFC 8829 §5.2 as an ICE-lite
 * offerer, RFC 8842 actpass, RFC 8843 BUNDLE, RFC 5576 ssrc/FID, RFC 3611
 * rcvr-rtt). Writes through sdp_out.h; allocates nothing.
 */
#include "sdp/sdp_offer.h"


#include "core/err.h"
#include "sdp/sdp_out.h"


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

static void write_session(kn_sdp_out *o, const kn_sdp_offer *of) {
    kn_sdp_out_put(o, "v=0\r\no=- %llu %llu IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n",
        (unsigned long long)of->session_id, (unsigned long long)of->version);
    kn_sdp_out_put(o, "a=group:BUNDLE");
    for (unsigned i = 0; i < of->n_media; i++)
        kn_sdp_out_put(o, " %s", of->media[i].mid);
    kn_sdp_out_put(o, "\r\na=msid-semantic: WMS *\r\n");
}

static void write_codec(kn_sdp_out *o, const kn_sdp_offer_media *m) {
    kn_sdp_out_put(o, "a=rtpmap:%u %s/%u", m->pt, m->codec, m->clock_rate);
    kn_sdp_out_put(o, m->channels ? "/%u\r\n" : "\r\n", m->channels);
    for (size_t i = 0; i < sizeof(fb_names) / sizeof(fb_names[0]); i++)
        if (m->fb & fb_names[i].bit)
            kn_sdp_out_put(o, "a=rtcp-fb:%u %s\r\n", m->pt, fb_names[i].text);
    if (m->fmtp != NULL && m->fmtp[0] != '\0')
        kn_sdp_out_put(o, "a=fmtp:%u %s\r\n", m->pt, m->fmtp);
    if (m->rtx_pt != 0)
        kn_sdp_out_put(o, "a=rtpmap:%u rtx/%u\r\na=fmtp:%u apt=%u\r\n", m->rtx_pt, m->clock_rate, m->rtx_pt,
            m->pt);
}

static void write_ssrcs(kn_sdp_out *o, const kn_sdp_offer_media *m) {
    kn_sdp_out_put(o, "a=msid:%s %s\r\n", m->stream, m->track);
    if (m->rtx_ssrc != 0)
        kn_sdp_out_put(o, "a=ssrc-group:FID %u %u\r\n", m->ssrc, m->rtx_ssrc);
    kn_sdp_out_put(o, "a=ssrc:%u cname:konsil\r\na=ssrc:%u msid:%s %s\r\n", m->ssrc, m->ssrc, m->stream,
        m->track);
    if (m->rtx_ssrc != 0)
        kn_sdp_out_put(o, "a=ssrc:%u cname:konsil\r\na=ssrc:%u msid:%s %s\r\n", m->rtx_ssrc, m->rtx_ssrc,
            m->stream, m->track);
}

static void write_candidates(kn_sdp_out *o, const kn_sdp_answer *t) {
    for (unsigned i = 0; i < t->n_candidates; i++) {
        const kn_sdp_candidate *c = &t->candidates[i];
        kn_sdp_out_put(o, "a=candidate:%s 1 %s %u %s %u typ host%s\r\n", c->foundation, c->tcp ? "tcp" : "udp",
            c->priority, c->ip, c->port, c->tcp ? " tcptype passive" : "");
    }
    kn_sdp_out_put(o, "a=end-of-candidates\r\n");
}

static void write_media(kn_sdp_out *o, const kn_sdp_offer *of, const kn_sdp_offer_media *m,
                        const kn_sdp_answer *t) {
    kn_sdp_out_put(o, "m=%s 9 UDP/TLS/RTP/SAVPF %u", m->kind == KN_SDP_AUDIO ? "audio" : "video", m->pt);
    kn_sdp_out_put(o, m->rtx_pt ? " %u\r\n" : "\r\n", m->rtx_pt);
    kn_sdp_out_put(o, "c=IN IP4 0.0.0.0\r\na=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", t->ice_ufrag, t->ice_pwd);
    kn_sdp_out_put(o, "a=fingerprint:%s %s\r\na=setup:actpass\r\na=mid:%s\r\n", t->fp_alg, t->fp_value,
        m->mid);
    for (unsigned i = 0; i < m->n_exts; i++)
        kn_sdp_out_put(o, "a=extmap:%u %s\r\n", m->exts[i].id, m->exts[i].uri);
    kn_sdp_out_put(o, m->live ? "a=sendonly\r\n" : "a=inactive\r\n");
    kn_sdp_out_put(o, "a=rtcp-mux\r\na=rtcp-rsize\r\n");
    if (of->rcvr_rtt)
        kn_sdp_out_put(o, "a=rtcp-xr:rcvr-rtt=all\r\n");
    write_codec(o, m);
    if (m->live)
        write_ssrcs(o, m);
    write_candidates(o, t);
}

int kn_sdp_offer_write(const kn_sdp_offer *of, const kn_sdp_answer *t, char *buf, size_t cap,
                       size_t *n) {
    kn_sdp_out o = {buf, cap, 0, cap == 0};
    if (of->n_media == 0 || of->n_media > KN_SDP_MAX_MEDIA)
        return KN_EINVAL;
    for (unsigned i = 0; i < of->n_media; i++)
        if (of->media[i].live && of->media[i].ssrc == 0)
            return KN_EINVAL;
    write_session(&o, of);
    for (unsigned i = 0; i < of->n_media; i++)
        write_media(&o, of, &of->media[i], t);
    if (o.full)
        return KN_ELIMIT;
    *n = o.len;
    return 0;
}
