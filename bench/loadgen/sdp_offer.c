/*
 * sdp_offer.c: writes the load generator's WHIP/WHEP offers and parses the
 * answers (see sdp_offer.h). Setup only.
 */
#include "sdp_offer.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"

typedef struct out {
    char *p;
    size_t cap, len;
    bool full;
} out;

__attribute__((format(printf, 2, 3))) static void put(out *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->cap - o->len)
        o->full = true;
    else
        o->len += (size_t)n;
}

static void put_transport(out *o, const kn_offer_params *p, const char *mid) {
    put(o, "c=IN IP4 %s\r\na=rtcp:9 IN IP4 0.0.0.0\r\n", p->ip);
    put(o, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", p->ufrag, p->pwd);
    put(o, "a=fingerprint:sha-256 %s\r\na=setup:actpass\r\na=mid:%s\r\n", p->fingerprint, mid);
    put(o, "a=candidate:1 1 udp 2130706431 %s %u typ host\r\na=end-of-candidates\r\n", p->ip,
        p->port);
    put(o, "a=extmap:%d http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n",
        KN_LG_EXT_TWCC);
    put(o, "a=extmap:%d urn:ietf:params:rtp-hdrext:sdes:mid\r\n", KN_LG_EXT_MID);
}

static void put_audio(out *o, const kn_offer_params *p) {
    put(o, "m=audio %u UDP/TLS/RTP/SAVPF %d\r\n", p->port, KN_LG_PT_OPUS);
    put_transport(o, p, "0");
    put(o, "a=extmap:%d urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", KN_LG_EXT_AUDIO_LEVEL);
    put(o, "a=%s\r\na=rtcp-mux\r\na=rtcp-rsize\r\n", p->publish ? "sendonly" : "recvonly");
    put(o, "a=rtpmap:%d opus/48000/2\r\na=rtcp-fb:%d transport-cc\r\n", KN_LG_PT_OPUS,
        KN_LG_PT_OPUS);
    put(o, "a=fmtp:%d minptime=10;useinbandfec=1\r\n", KN_LG_PT_OPUS);
    if (p->publish)
        put(o, "a=msid:kn-loadgen audio0\r\na=ssrc:%u cname:kn-loadgen\r\n", p->audio_ssrc);
}

static void put_video(out *o, const kn_offer_params *p) {
    static const char *rids[] = {"q", "h", "f"};
    if (p->publish)
        put(o, "m=video %u UDP/TLS/RTP/SAVPF %d\r\n", p->port, KN_LG_PT_VP8);
    else /* viewers take RTX (RFC 4588) like browsers: repairs and bandwidth probes */
        put(o, "m=video %u UDP/TLS/RTP/SAVPF %d %d\r\n", p->port, KN_LG_PT_VP8, KN_LG_PT_RTX);
    put_transport(o, p, "1");
    put(o, "a=%s\r\na=rtcp-mux\r\na=rtcp-rsize\r\n", p->publish ? "sendonly" : "recvonly");
    put(o, "a=rtpmap:%d VP8/90000\r\n", KN_LG_PT_VP8);
    put(o, "a=rtcp-fb:%d transport-cc\r\na=rtcp-fb:%d ccm fir\r\n", KN_LG_PT_VP8, KN_LG_PT_VP8);
    put(o, "a=rtcp-fb:%d nack\r\na=rtcp-fb:%d nack pli\r\n", KN_LG_PT_VP8, KN_LG_PT_VP8);
    if (!p->publish) {
        put(o, "a=rtpmap:%d rtx/90000\r\na=fmtp:%d apt=%d\r\n", KN_LG_PT_RTX, KN_LG_PT_RTX,
            KN_LG_PT_VP8);
        return;
    }
    put(o, "a=extmap:%d urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n", KN_LG_EXT_RID);
    put(o, "a=extmap:%d urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n", KN_LG_EXT_RRID);
    put(o, "a=msid:kn-loadgen video0\r\n");
    for (unsigned i = 0; i < p->n_layers; i++)
        put(o, "a=rid:%s send\r\n", rids[i]);
    for (unsigned i = 0; i < p->n_layers; i++)
        put(o, "%s%s", i ? ";" : "a=simulcast:send ", rids[i]);
    put(o, "\r\n");
}

int kn_offer_write(const kn_offer_params *p, char *buf, size_t cap) {
    if (p->publish && (p->n_layers < 1 || p->n_layers > 3))
        return KN_EINVAL;
    out o = {.p = buf, .cap = cap};
    put(&o, "v=0\r\no=kn-loadgen %u 2 IN IP4 %s\r\ns=-\r\nt=0 0\r\n", p->port, p->ip);
    put(&o, "a=group:BUNDLE 0 1\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS *\r\n");
    put_audio(&o, p);
    put_video(&o, p);
    return o.full ? KN_ELIMIT : 0;
}

/* Copies the rest of the line after `prefix` into dst. */
static void line_value(const char *line, size_t skip, char *dst, size_t cap) {
    const char *v = line + skip;
    size_t n = strcspn(v, "\r\n");
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

static void parse_candidate(const char *v, kn_answer *a) {
    char proto[8], ip[64];
    unsigned comp, port;
    unsigned long prio;
    if (a->has_cand || sscanf(v, "%*s %u %7s %lu %63s %u typ", &comp, proto, &prio, ip, &port) != 5)
        return;
    if (strcasecmp(proto, "udp") != 0 || comp != 1 || port == 0 || port > 65535)
        return;
    memset(&a->cand, 0, sizeof(a->cand));
    a->cand.sin_family = AF_INET;
    a->cand.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, ip, &a->cand.sin_addr) == 1)
        a->has_cand = true;
}

static void add_ssrc(kn_answer *a, uint32_t ssrc) {
    for (unsigned i = 0; i < a->n_ssrcs; i++)
        if (a->ssrcs[i] == ssrc)
            return;
    if (a->n_ssrcs < KN_LG_MAX_SSRCS)
        a->ssrcs[a->n_ssrcs++] = ssrc;
}

static void parse_mline(const char *l, kn_answer *a) {
    if (a->n_mlines == KN_LG_MAX_MLINES)
        return;
    kn_sdp_mline *m = &a->mlines[a->n_mlines++];
    memset(m, 0, sizeof(*m));
    m->pt = -1;
    sscanf(l, "m=%11s", m->kind);
}

static kn_sdp_mline *cur_mline(kn_answer *a) {
    return a->n_mlines ? &a->mlines[a->n_mlines - 1] : NULL;
}

static void parse_extmap(const char *l, kn_answer *a) {
    int id;
    char uri[200];
    if (sscanf(l, "a=extmap:%d%*[^ ] %199s", &id, uri) != 2 &&
        sscanf(l, "a=extmap:%d %199s", &id, uri) != 2)
        return;
    if (strstr(uri, "transport-wide-cc") && !a->twcc_id)
        a->twcc_id = id;
    if (strcmp(uri, "urn:ietf:params:rtp-hdrext:sdes:mid") == 0 && !a->mid_id)
        a->mid_id = id;
}

static void parse_line(const char *l, kn_answer *a) {
    char tmp[256];
    int pt;
    unsigned long ssrc;
    kn_sdp_mline *m = cur_mline(a);
    if (strncmp(l, "m=", 2) == 0)
        parse_mline(l, a);
    else if (strncmp(l, "a=mid:", 6) == 0 && m)
        line_value(l, 6, m->mid, sizeof(m->mid));
    else if (strncmp(l, "a=extmap:", 9) == 0)
        parse_extmap(l, a);
    else if (strncmp(l, "a=ice-ufrag:", 12) == 0 && !a->ufrag[0])
        line_value(l, 12, a->ufrag, sizeof(a->ufrag));
    else if (strncmp(l, "a=ice-pwd:", 10) == 0 && !a->pwd[0])
        line_value(l, 10, a->pwd, sizeof(a->pwd));
    else if (strncmp(l, "a=ice-lite", 10) == 0)
        a->ice_lite = true;
    else if (strncmp(l, "a=setup:", 8) == 0 && !a->setup[0])
        line_value(l, 8, a->setup, sizeof(a->setup));
    else if (strncmp(l, "a=fingerprint:", 14) == 0 && !a->fp[0]) {
        line_value(l, 14, tmp, sizeof(tmp));
        char *sp = strchr(tmp, ' ');
        size_t al = sp ? (size_t)(sp - tmp) : 0, vl = sp ? strlen(sp + 1) : 0;
        if (sp && al < sizeof(a->fp_alg) && vl < sizeof(a->fp)) {
            memcpy(a->fp_alg, tmp, al);
            a->fp_alg[al] = '\0';
            memcpy(a->fp, sp + 1, vl + 1);
        }
    } else if (strncmp(l, "a=candidate:", 12) == 0)
        parse_candidate(l + 12, a);
    else if (sscanf(l, "a=rtpmap:%d %255s", &pt, tmp) == 2) {
        bool opus = strncasecmp(tmp, "opus/", 5) == 0, vp8 = strncasecmp(tmp, "VP8/", 4) == 0;
        if (opus && a->audio_pt < 0)
            a->audio_pt = pt;
        if (vp8 && a->video_pt < 0)
            a->video_pt = pt;
        if (strncasecmp(tmp, "rtx/", 4) == 0 && a->rtx_pt < 0)
            a->rtx_pt = pt;
        if ((opus || vp8) && m && m->pt < 0)
            m->pt = pt;
    } else if (sscanf(l, "a=ssrc:%lu", &ssrc) == 1)
        add_ssrc(a, (uint32_t)ssrc);
}

int kn_answer_parse(const char *sdp, kn_answer *a) {
    memset(a, 0, sizeof(*a));
    a->audio_pt = a->video_pt = a->rtx_pt = -1;
    for (const char *l = sdp; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
        parse_line(l, a);
    if (!a->ufrag[0] || !a->pwd[0] || !a->fp[0] || !a->has_cand)
        return KN_EPROTO;
    return 0;
}

static void put_answer_mline(out *o, const kn_offer_params *p, const kn_answer *offer,
                             const kn_sdp_mline *m) {
    bool video = strcmp(m->kind, "video") == 0;
    if (m->pt < 0 || (!video && strcmp(m->kind, "audio") != 0)) {
        put(o, "m=%s 0 UDP/TLS/RTP/SAVPF 0\r\na=mid:%s\r\na=inactive\r\n", m->kind, m->mid);
        return;
    }
    put(o, "m=%s 9 UDP/TLS/RTP/SAVPF %d\r\nc=IN IP4 %s\r\n", m->kind, m->pt, p->ip);
    put(o, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", p->ufrag, p->pwd);
    put(o, "a=fingerprint:sha-256 %s\r\na=setup:active\r\na=mid:%s\r\n", p->fingerprint, m->mid);
    put(o, "a=candidate:1 1 udp 2130706431 %s %u typ host\r\na=end-of-candidates\r\n", p->ip,
        p->port);
    if (offer->mid_id)
        put(o, "a=extmap:%d urn:ietf:params:rtp-hdrext:sdes:mid\r\n", offer->mid_id);
    if (offer->twcc_id)
        put(o, "a=extmap:%d http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n",
            offer->twcc_id);
    put(o, "a=recvonly\r\na=rtcp-mux\r\n");
    put(o, video ? "a=rtpmap:%d VP8/90000\r\n" : "a=rtpmap:%d opus/48000/2\r\n", m->pt);
    put(o, "a=rtcp-fb:%d transport-cc\r\n", m->pt);
    if (video)
        put(o, "a=rtcp-fb:%d ccm fir\r\na=rtcp-fb:%d nack\r\na=rtcp-fb:%d nack pli\r\n", m->pt,
            m->pt, m->pt);
}

int kn_sdp_answer_write(const kn_offer_params *p, const kn_answer *offer, char *buf, size_t cap) {
    out o = {.p = buf, .cap = cap};
    unsigned usable = 0;
    put(&o, "v=0\r\no=kn-loadgen %u 2 IN IP4 %s\r\ns=-\r\nt=0 0\r\n", p->port, p->ip);
    put(&o, "a=group:BUNDLE");
    for (unsigned i = 0; i < offer->n_mlines; i++)
        if (offer->mlines[i].pt >= 0) {
            put(&o, " %s", offer->mlines[i].mid);
            usable++;
        }
    put(&o, "\r\na=msid-semantic: WMS *\r\n");
    for (unsigned i = 0; i < offer->n_mlines; i++)
        put_answer_mline(&o, p, offer, &offer->mlines[i]);
    if (usable == 0)
        return KN_EPROTO;
    return o.full ? KN_ELIMIT : 0;
}
