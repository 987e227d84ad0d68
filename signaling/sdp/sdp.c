/*
 * sdp.c: SDP offer parser (RFC 8866 §5 line grammar) for WebRTC offers from
 * Chromium, Firefox and aiortc. A table of small attribute handlers fills a
 * kn_sdp whose strings point into the caller's bytes. Pure; allocates nothing.
 */
#include "sdp/sdp.h"

#include <string.h>
#include <strings.h>

#include "core/err.h"

bool kn_str_eq(kn_str s, const char *lit) {
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.p, lit, n) == 0;
}

bool kn_str_ieq(kn_str s, const char *lit) {
    size_t n = strlen(lit);
    return s.len == n && strncasecmp(s.p, lit, n) == 0;
}

/* Splits off the text before the first `sep` (or all of *rest) and advances past it. */
static kn_str next_token(kn_str *rest, char sep) {
    kn_str t = {rest->p, 0};
    while (t.len < rest->len && rest->p[t.len] != sep)
        t.len++;
    size_t skip = t.len < rest->len ? t.len + 1 : t.len;
    rest->p += skip;
    rest->len -= skip;
    return t;
}

/* Decimal without sign; KN_EINVAL if empty, not all digits or above `max`. */
static int parse_uint(kn_str s, uint64_t max, uint64_t *v) {
    uint64_t x = 0;
    if (s.len == 0 || s.len > 20)
        return KN_EINVAL;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return KN_EINVAL;
        uint64_t d = (uint64_t)(s.p[i] - '0');
        if (x > (max - d) / 10)
            return KN_EINVAL;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

static int fail(kn_sdp *sdp, int rc, const char *reason) {
    if (sdp->error == NULL)
        sdp->error = reason;
    return rc;
}

const kn_sdp_codec *kn_sdp_codec_by_pt(const kn_sdp_media *m, unsigned pt) {
    for (unsigned i = 0; i < m->n_codecs; i++)
        if (m->codecs[i].pt == pt)
            return &m->codecs[i];
    return NULL;
}

static kn_sdp_codec *codec_by_pt_str(kn_sdp_media *m, kn_str s) {
    uint64_t pt;
    if (parse_uint(s, 127, &pt) != 0)
        return NULL;
    return (kn_sdp_codec *)kn_sdp_codec_by_pt(m, (unsigned)pt);
}

static kn_sdp_dir parse_dir(kn_str s) {
    if (kn_str_eq(s, "sendrecv"))
        return KN_SDP_SENDRECV;
    if (kn_str_eq(s, "sendonly"))
        return KN_SDP_SENDONLY;
    if (kn_str_eq(s, "recvonly"))
        return KN_SDP_RECVONLY;
    if (kn_str_eq(s, "inactive"))
        return KN_SDP_INACTIVE;
    return KN_SDP_DIR_NONE;
}

/* ---- attribute handlers; m is NULL at session level ---- */

typedef int (*attr_fn)(kn_sdp *sdp, kn_sdp_media *m, kn_str v);

static kn_sdp_creds *creds_of(kn_sdp *sdp, kn_sdp_media *m) {
    return m ? &m->creds : &sdp->creds;
}

static int a_ufrag(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    if (v.len == 0)
        return fail(sdp, KN_EINVAL, "empty ice-ufrag");
    creds_of(sdp, m)->ufrag = v;
    return 0;
}

static int a_pwd(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    if (v.len == 0)
        return fail(sdp, KN_EINVAL, "empty ice-pwd");
    creds_of(sdp, m)->pwd = v;
    return 0;
}

static int a_fingerprint(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    kn_str alg = next_token(&v, ' ');
    if (alg.len == 0 || v.len == 0)
        return fail(sdp, KN_EINVAL, "bad fingerprint");
    creds_of(sdp, m)->fp_alg = alg;
    creds_of(sdp, m)->fp_value = v;
    return 0;
}

static int a_setup(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    kn_sdp_setup s = kn_str_eq(v, "actpass")   ? KN_SDP_ACTPASS
                     : kn_str_eq(v, "active")  ? KN_SDP_ACTIVE
                     : kn_str_eq(v, "passive") ? KN_SDP_PASSIVE
                                               : KN_SDP_SETUP_NONE;
    if (s == KN_SDP_SETUP_NONE && !kn_str_eq(v, "holdconn"))
        return fail(sdp, KN_EINVAL, "bad setup");
    creds_of(sdp, m)->setup = s;
    return 0;
}

static int a_group(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    (void)m;
    kn_str sem = next_token(&v, ' ');
    if (!kn_str_eq(sem, "BUNDLE") || sdp->n_bundle > 0)
        return 0; /* only the first BUNDLE group counts (RFC 8843 §7.2) */
    while (v.len > 0) {
        kn_str mid = next_token(&v, ' ');
        if (mid.len == 0)
            continue;
        if (sdp->n_bundle == KN_SDP_MAX_BUNDLE)
            return fail(sdp, KN_ELIMIT, "too many BUNDLE mids");
        sdp->bundle[sdp->n_bundle++] = mid;
    }
    return 0;
}

static int a_ice_lite(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    (void)m;
    (void)v;
    sdp->ice_lite = true;
    return 0;
}

static int a_mid(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    if (v.len == 0 || v.len > 32)
        return fail(sdp, KN_EINVAL, "bad mid");
    m->mid = v;
    return 0;
}

static int a_rtcp_mux(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    (void)sdp;
    (void)v;
    m->rtcp_mux = true;
    return 0;
}

static int a_bundle_only(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    (void)sdp;
    (void)v;
    m->bundle_only = true;
    return 0;
}

static int a_rtcp_rsize(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    (void)sdp;
    (void)v;
    m->rtcp_rsize = true;
    return 0;
}

/* a=rtpmap:<pt> <name>/<clock>[/<channels>] (RFC 8866 §6.6) */
static int a_rtpmap(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    kn_sdp_codec *c = codec_by_pt_str(m, next_token(&v, ' '));
    kn_str name = next_token(&v, '/');
    kn_str clock = next_token(&v, '/');
    uint64_t rate, ch = 0;
    if (name.len == 0 || parse_uint(clock, 10000000, &rate) != 0 ||
        (v.len > 0 && parse_uint(v, 255, &ch) != 0))
        return fail(sdp, KN_EINVAL, "bad rtpmap");
    if (c == NULL)
        return 0; /* a payload type the m-line does not list */
    c->has_rtpmap = true;
    c->name = name;
    c->clock_rate = (uint32_t)rate;
    c->channels = (uint8_t)ch;
    return 0;
}

bool kn_sdp_fmtp_get(kn_str fmtp, const char *key, kn_str *val) {
    while (fmtp.len > 0) {
        kn_str param = next_token(&fmtp, ';');
        while (param.len > 0 && param.p[0] == ' ') {
            param.p++;
            param.len--;
        }
        if (kn_str_eq(next_token(&param, '='), key)) {
            *val = param;
            return true;
        }
    }
    return false;
}

static int a_fmtp(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    kn_sdp_codec *c = codec_by_pt_str(m, next_token(&v, ' '));
    kn_str apt_s;
    uint64_t apt;
    (void)sdp;
    if (c == NULL)
        return 0;
    c->fmtp = v;
    if (kn_sdp_fmtp_get(v, "apt", &apt_s) && parse_uint(apt_s, 127, &apt) == 0)
        c->apt = (int)apt;
    return 0;
}

static unsigned fb_bit(kn_str fb) {
    if (kn_str_eq(fb, "nack"))
        return KN_SDP_FB_NACK;
    if (kn_str_eq(fb, "nack pli"))
        return KN_SDP_FB_PLI;
    if (kn_str_eq(fb, "ccm fir"))
        return KN_SDP_FB_FIR;
    if (kn_str_eq(fb, "goog-remb"))
        return KN_SDP_FB_REMB;
    if (kn_str_eq(fb, "transport-cc"))
        return KN_SDP_FB_TWCC;
    return 0;
}

static int a_rtcp_fb(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    kn_str pt = next_token(&v, ' ');
    unsigned bit = fb_bit(v);
    (void)sdp;
    if (kn_str_eq(pt, "*")) {
        for (unsigned i = 0; i < m->n_codecs; i++)
            m->codecs[i].fb |= bit;
        return 0;
    }
    kn_sdp_codec *c = codec_by_pt_str(m, pt);
    if (c != NULL)
        c->fb |= bit;
    return 0;
}

/* a=extmap:<id>[/<direction>] <uri> [<attributes>] (RFC 8285 §8) */
static int a_extmap(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    kn_str head = next_token(&v, ' ');
    kn_str uri = next_token(&v, ' ');
    kn_str id_s = next_token(&head, '/');
    uint64_t id;
    if (parse_uint(id_s, 255, &id) != 0 || id == 0 || uri.len == 0)
        return fail(sdp, KN_EINVAL, "bad extmap");
    if (m == NULL)
        return 0; /* session-level extmaps are not used by browsers */
    if (m->n_extmaps == KN_SDP_MAX_EXTMAPS)
        return fail(sdp, KN_ELIMIT, "too many extmaps");
    kn_sdp_extmap *e = &m->extmaps[m->n_extmaps++];
    e->id = (uint16_t)id;
    e->dir = parse_dir(head);
    e->uri = uri;
    return 0;
}

/* a=rid:<id> send|recv [params] (RFC 8851 §10) */
static int a_rid(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    kn_str id = next_token(&v, ' ');
    kn_str dir = next_token(&v, ' ');
    if (id.len == 0 || id.len > 16 || (!kn_str_eq(dir, "send") && !kn_str_eq(dir, "recv")))
        return fail(sdp, KN_EINVAL, "bad rid");
    for (size_t i = 0; i < id.len; i++) {
        char ch = id.p[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return fail(sdp, KN_EINVAL, "bad rid");
    }
    if (m->n_rids == KN_SDP_MAX_RIDS)
        return fail(sdp, KN_ELIMIT, "too many rids");
    m->rids[m->n_rids].id = id;
    m->rids[m->n_rids].send = kn_str_eq(dir, "send");
    m->n_rids++;
    return 0;
}

static int a_simulcast(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    (void)sdp;
    m->simulcast = v;
    return 0;
}

static int a_msid(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    (void)sdp;
    m->msid = v;
    return 0;
}

/* a=ssrc:<ssrc> <attribute>[:<value>] (RFC 5576 §4.1) */
static int a_ssrc(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    uint64_t ssrc;
    if (parse_uint(next_token(&v, ' '), UINT32_MAX, &ssrc) != 0)
        return fail(sdp, KN_EINVAL, "bad ssrc");
    kn_sdp_ssrc *s = NULL;
    for (unsigned i = 0; i < m->n_ssrcs; i++)
        if (m->ssrcs[i].ssrc == ssrc)
            s = &m->ssrcs[i];
    if (s == NULL) {
        if (m->n_ssrcs == KN_SDP_MAX_SSRCS)
            return fail(sdp, KN_ELIMIT, "too many ssrcs");
        s = &m->ssrcs[m->n_ssrcs++];
        s->ssrc = (uint32_t)ssrc;
    }
    kn_str name = next_token(&v, ':');
    if (kn_str_eq(name, "cname"))
        s->cname = v;
    else if (kn_str_eq(name, "msid"))
        s->msid = v;
    return 0;
}

static int a_ssrc_group(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    kn_str sem = next_token(&v, ' ');
    uint64_t a, b;
    if (!kn_str_eq(sem, "FID"))
        return 0; /* SIM and FEC-FR groups are not used */
    if (parse_uint(next_token(&v, ' '), UINT32_MAX, &a) != 0 ||
        parse_uint(next_token(&v, ' '), UINT32_MAX, &b) != 0)
        return fail(sdp, KN_EINVAL, "bad ssrc-group");
    if (m->n_fids == KN_SDP_MAX_FID)
        return fail(sdp, KN_ELIMIT, "too many ssrc-groups");
    m->fids[m->n_fids].ssrc = (uint32_t)a;
    m->fids[m->n_fids].rtx_ssrc = (uint32_t)b;
    m->n_fids++;
    return 0;
}

static int a_direction(kn_sdp *sdp, kn_sdp_media *m, kn_str name) {
    (void)sdp;
    m->dir = parse_dir(name);
    return 0;
}

struct attr_entry {
    const char *name;
    attr_fn fn;
    bool session_ok; /* allowed before the first m-line */
    bool media_ok;
};

static const struct attr_entry attrs[] = {
    {"ice-ufrag",   a_ufrag,       true,  true },
    {"ice-pwd",     a_pwd,         true,  true },
    {"fingerprint", a_fingerprint, true,  true },
    {"setup",       a_setup,       true,  true },
    {"group",       a_group,       true,  false},
    {"ice-lite",    a_ice_lite,    true,  false},
    {"extmap",      a_extmap,      true,  true },
    {"mid",         a_mid,         false, true },
    {"rtcp-mux",    a_rtcp_mux,    false, true },
    {"rtcp-rsize",  a_rtcp_rsize,  false, true },
    {"bundle-only", a_bundle_only, false, true },
    {"rtpmap",      a_rtpmap,      false, true },
    {"fmtp",        a_fmtp,        false, true },
    {"rtcp-fb",     a_rtcp_fb,     false, true },
    {"rid",         a_rid,         false, true },
    {"simulcast",   a_simulcast,   false, true },
    {"msid",        a_msid,        false, true },
    {"ssrc",        a_ssrc,        false, true },
    {"ssrc-group",  a_ssrc_group,  false, true },
};

static int parse_attribute(kn_sdp *sdp, kn_sdp_media *m, kn_str v) {
    kn_str name = next_token(&v, ':');
    if (m != NULL && parse_dir(name) != KN_SDP_DIR_NONE)
        return a_direction(sdp, m, name);
    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        if (!kn_str_eq(name, attrs[i].name))
            continue;
        if ((m == NULL && !attrs[i].session_ok) || (m != NULL && !attrs[i].media_ok))
            return 0; /* misplaced but harmless: ignore as RFC 8866 §5 allows */
        return attrs[i].fn(sdp, m, v);
    }
    return 0;
}

/* m=<media> <port> <proto> <fmt> ... (RFC 8866 §5.14) */
static int parse_media_line(kn_sdp *sdp, kn_str v) {
    if (sdp->n_media == KN_SDP_MAX_MEDIA)
        return fail(sdp, KN_ELIMIT, "too many m-lines");
    kn_sdp_media *m = &sdp->media[sdp->n_media++];
    uint64_t port;
    m->type = next_token(&v, ' ');
    kn_str port_s = next_token(&v, ' ');
    if (parse_uint(next_token(&port_s, '/'), 65535, &port) != 0) /* <port>[/<count>] */
        return fail(sdp, KN_EINVAL, "bad m-line port");
    m->port = (uint16_t)port;
    m->proto = next_token(&v, ' ');
    m->fmts = v;
    if (m->type.len == 0 || m->proto.len == 0 || v.len == 0)
        return fail(sdp, KN_EINVAL, "bad m-line");
    m->kind = kn_str_eq(m->type, "audio")   ? KN_SDP_AUDIO
              : kn_str_eq(m->type, "video") ? KN_SDP_VIDEO
                                            : KN_SDP_OTHER;
    if (m->kind == KN_SDP_OTHER)
        return 0; /* formats of data channels etc. are not payload types */
    while (v.len > 0) {
        kn_str fmt = next_token(&v, ' ');
        uint64_t pt;
        if (fmt.len == 0)
            continue;
        if (parse_uint(fmt, 127, &pt) != 0)
            return fail(sdp, KN_EINVAL, "bad payload type");
        if (kn_sdp_codec_by_pt(m, (unsigned)pt) != NULL)
            continue;
        if (m->n_codecs == KN_SDP_MAX_CODECS)
            return fail(sdp, KN_ELIMIT, "too many payload types");
        kn_sdp_codec *c = &m->codecs[m->n_codecs++];
        c->pt = (uint8_t)pt;
        c->apt = -1;
    }
    return 0;
}

/* o=<username> <sess-id> <sess-version> IN IP4 <address> */
static int parse_origin(kn_sdp *sdp, kn_str v) {
    uint64_t id;
    next_token(&v, ' ');
    if (parse_uint(next_token(&v, ' '), UINT64_MAX, &id) != 0)
        return fail(sdp, KN_EINVAL, "bad o-line");
    sdp->session_id = id;
    return 0;
}

static int parse_line(kn_sdp *sdp, kn_str line, bool first) {
    if (line.len < 2 || line.p[1] != '=')
        return fail(sdp, KN_EINVAL, "line is not <type>=<value>");
    char type = line.p[0];
    kn_str v = {line.p + 2, line.len - 2};
    kn_sdp_media *m = sdp->n_media ? &sdp->media[sdp->n_media - 1] : NULL;
    if (first)
        return type == 'v' && kn_str_eq(v, "0") ? 0 : fail(sdp, KN_EINVAL, "first line is not v=0");
    switch (type) {
    case 'm':
        return parse_media_line(sdp, v);
    case 'a':
        if (m != NULL && m->kind == KN_SDP_OTHER)
            return 0;
        return parse_attribute(sdp, m, v);
    case 'o':
        return m == NULL ? parse_origin(sdp, v) : 0;
    default:
        return 0;
    }
}

/* Offer-wide checks that single lines cannot make. */
static int check_offer(kn_sdp *sdp) {
    if (sdp->n_media == 0)
        return fail(sdp, KN_EINVAL, "no m-line");
    for (unsigned i = 0; i < sdp->n_media; i++) {
        kn_sdp_media *m = &sdp->media[i];
        for (unsigned j = 0; j < i; j++)
            if (m->mid.len > 0 && m->mid.len == sdp->media[j].mid.len &&
                memcmp(m->mid.p, sdp->media[j].mid.p, m->mid.len) == 0)
                return fail(sdp, KN_EINVAL, "duplicate mid");
    }
    return 0;
}

int kn_sdp_parse(const uint8_t *p, size_t len, kn_sdp *out) {
    kn_str rest = {(const char *)p, len};
    unsigned lineno = 0, nonempty = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    while (rest.len > 0) {
        kn_str line = next_token(&rest, '\n');
        lineno++;
        if (line.len > 0 && line.p[line.len - 1] == '\r')
            line.len--;
        if (line.len == 0)
            continue; /* tolerate blank lines, e.g. a trailing CRLF pair */
        if (memchr(line.p, '\0', line.len) != NULL) {
            rc = fail(out, KN_EINVAL, "NUL byte in SDP");
            goto done;
        }
        if ((rc = parse_line(out, line, nonempty++ == 0)) != 0)
            goto done;
    }
    if (nonempty == 0) {
        rc = fail(out, KN_EINVAL, "empty SDP");
        goto done;
    }
    rc = check_offer(out);
done:
    if (rc != 0)
        out->error_line = lineno;
    return rc;
}

kn_sdp_creds kn_sdp_media_creds(const kn_sdp *sdp, const kn_sdp_media *m) {
    kn_sdp_creds c = m->creds;
    if (c.ufrag.len == 0)
        c.ufrag = sdp->creds.ufrag;
    if (c.pwd.len == 0)
        c.pwd = sdp->creds.pwd;
    if (c.fp_alg.len == 0) {
        c.fp_alg = sdp->creds.fp_alg;
        c.fp_value = sdp->creds.fp_value;
    }
    if (c.setup == KN_SDP_SETUP_NONE)
        c.setup = sdp->creds.setup;
    return c;
}
