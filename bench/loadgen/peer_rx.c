/*
 * peer_rx.c: subscriber receive statistics and feedback (see peer_rx.h).
 */
#include "peer_rx.h"

#include <string.h>

#include "core/bytes.h"
#include "rtp/rtcp.h"
#include "rtp/rtcp_fb.h"
#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"
#include "rtp/vp8.h"

#define RR_INTERVAL_US 1000000
#define TWCC_INTERVAL_US 100000
#define TWCC_MAX_STATUS 1000
#define PLI_INTERVAL_US 1000000
#define MAX_NACK 64

static uint8_t fb_buf[2048 + KN_SRTP_MAX_TRAILER];

static kn_sub_stream *stream_get(kn_peer *p, uint32_t ssrc, bool video) {
    for (unsigned i = 0; i < p->n_rx; i++)
        if (p->rx[i].ssrc == ssrc)
            return &p->rx[i];
    if (p->n_rx == KN_PEER_MAX_STREAMS)
        return NULL;
    kn_sub_stream *s = &p->rx[p->n_rx++];
    memset(s, 0, sizeof(*s));
    s->ssrc = ssrc;
    s->video = video;
    return s;
}

static bool seen(const kn_sub_stream *s, uint32_t ext) {
    uint32_t i = ext % KN_PEER_RX_WINDOW;
    return s->seen[i / 8] >> (i % 8) & 1;
}

static void mark(kn_sub_stream *s, uint32_t ext, bool on) {
    uint32_t i = ext % KN_PEER_RX_WINDOW;
    if (on)
        s->seen[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        s->seen[i / 8] &= (uint8_t)~(1u << (i % 8));
}

static void send_nack(kn_peer *p, kn_sub_stream *s, uint32_t from, uint32_t to) {
    uint16_t seqs[MAX_NACK];
    size_t n = 0, len;
    if (to - from > MAX_NACK)
        from = to - MAX_NACK;
    for (uint32_t e = from; e < to; e++)
        seqs[n++] = (uint16_t)e;
    if (n && kn_rtcp_nack_write(p->rtcp_ssrc, s->ssrc, seqs, n, fb_buf, sizeof(fb_buf), &len) == 0) {
        p->c.nacks_out++;
        kn_peer_send_srtp(p, fb_buf, len, sizeof(fb_buf), true);
    }
}

static void send_pli(kn_peer *p, kn_sub_stream *s, uint64_t now) {
    size_t len;
    if (now < s->last_pli_us + PLI_INTERVAL_US)
        return;
    s->last_pli_us = now;
    if (kn_rtcp_pli_write(p->rtcp_ssrc, s->ssrc, fb_buf, sizeof(fb_buf), &len) == 0) {
        p->c.plis_out++;
        kn_peer_send_srtp(p, fb_buf, len, sizeof(fb_buf), true);
    }
}

/* Returns the extended seq; true in *newest when it advanced the highest. */
static uint32_t track_seq(kn_peer *p, kn_sub_stream *s, uint16_t seq, bool *newest) {
    if (!s->started) {
        s->started = true;
        s->max_ext = s->first_ext = s->w_base = 65536u + seq - 1;
        s->rr_prior_max = s->max_ext;
    }
    uint32_t ext = s->max_ext + (uint32_t)(int16_t)(seq - (uint16_t)s->max_ext);
    *newest = (int32_t)(ext - s->max_ext) > 0;
    if (!*newest)
        return ext;
    if (ext - s->max_ext > KN_PEER_RX_WINDOW)
        memset(s->seen, 0, sizeof(s->seen));
    else
        for (uint32_t e = s->max_ext + 1; e != ext; e++)
            mark(s, e, false);
    if (ext - s->max_ext > 1 && s->max_ext != s->first_ext)
        send_nack(p, s, s->max_ext + 1, ext);
    mark(s, ext, false);
    s->max_ext = ext;
    return ext;
}

static void jitter(kn_sub_stream *s, uint32_t ts, uint64_t now) {
    uint32_t clock = s->video ? 90000 : 48000;
    int64_t transit = (int64_t)(now * clock / 1000000) - ts;
    if (s->last_transit != 0) {
        int64_t d = transit - s->last_transit;
        s->jitter += ((double)(d < 0 ? -d : d) - s->jitter) / 16.0;
    }
    s->last_transit = transit;
}

/* Counts a gap between frame completions (or up to the window's end) > KN_PEER_FREEZE_US. */
static void freeze_check(kn_sub_stream *s, uint64_t since, uint64_t now) {
    if (now <= since || now - since <= KN_PEER_FREEZE_US)
        return;
    if (kn_peer_stall.last_to_us > since && kn_peer_stall.last_from_us < now) {
        s->w_gen_freezes++; /* the gap overlaps our own stall */
    } else {
        s->w_freezes++;
        s->w_freeze_us += now - since;
    }
}

static void frame_done(kn_peer *p, kn_sub_stream *s, kn_pending_frame *f, uint64_t now) {
    f->done = true;
    if (p->first_frame_us == 0)
        p->first_frame_us = now;
    if (s->have_frame && (int32_t)(f->ts - s->last_frame_ts) <= 0)
        return; /* completed after a newer frame: does not count toward smoothness */
    if (p->in_window) {
        s->w_frames++;
        s->w_keyframes += f->key;
        freeze_check(s, s->have_frame && s->last_frame_us > p->window_start_us ? s->last_frame_us
                                                                                : p->window_start_us,
                     now);
    }
    s->have_frame = true;
    s->last_frame_ts = f->ts;
    s->last_frame_us = now;
}

static void frame_check(kn_peer *p, kn_sub_stream *s, kn_pending_frame *f, uint64_t now) {
    if (f->done || !f->has_start || !f->has_end || f->end - f->start >= KN_PEER_RX_WINDOW)
        return;
    for (uint32_t e = f->start; e != f->end + 1; e++)
        if (!seen(s, e))
            return;
    frame_done(p, s, f, now);
}

static kn_pending_frame *frame_slot(kn_sub_stream *s, uint32_t ts) {
    kn_pending_frame *oldest = &s->pend[0];
    for (unsigned i = 0; i < KN_PEER_PENDING_FRAMES; i++) {
        kn_pending_frame *f = &s->pend[i];
        if (f->used && f->ts == ts)
            return f;
        if (!f->used || (oldest->used && (int32_t)(f->ts - oldest->ts) < 0))
            oldest = f;
    }
    memset(oldest, 0, sizeof(*oldest));
    oldest->used = true;
    oldest->ts = ts;
    return oldest;
}

/* verified: the payload was decrypted, so the VP8 descriptor tells a frame's first
 * packet (S=1, PID=0) and keyframes. Otherwise (--verify-sample, payload still
 * encrypted) only the clear RTP header is read: a frame starts at the packet after
 * the previous frame's marker packet, and keyframes are not told apart. */
static void on_video(kn_peer *p, kn_sub_stream *s, const kn_rtp *r, const uint8_t *b,
                     uint32_t ext, uint64_t now, bool verified) {
    kn_vp8 d;
    if (verified && kn_vp8_parse(b + r->payload_off, r->payload_len, &d) != 0)
        return;
    kn_pending_frame *f = frame_slot(s, r->ts);
    if (verified ? d.s && d.pid == 0 : s->have_end && ext == s->last_end_ext + 1) {
        f->has_start = true;
        f->start = ext;
        f->key = verified && d.keyframe;
    }
    if (r->marker) {
        f->has_end = true;
        f->end = ext;
        if (!s->have_end || (int32_t)(ext - s->last_end_ext) > 0) {
            s->have_end = true;
            s->last_end_ext = ext;
        }
    }
    for (unsigned i = 0; i < KN_PEER_PENDING_FRAMES; i++)
        if (s->pend[i].used)
            frame_check(p, s, &s->pend[i], now);
    uint64_t since = s->have_frame ? s->last_frame_us : p->connected_us;
    if (now - since > PLI_INTERVAL_US)
        send_pli(p, s, now);
}

/* Latency of an in-order packet: find the clip packet by content (lat.h). */
static void latency(kn_peer *p, const kn_rtp *r, const uint8_t *b, bool video, uint64_t now) {
    const kn_peer *pub = p->pub;
    const uint8_t *pl = b + r->payload_off;
    size_t len = r->payload_len;
    kn_vp8 d;
    if (pub == NULL || !p->in_window)
        return;
    if (video && kn_vp8_parse(pl, len, &d) == 0) {
        uint64_t h = kn_clip_hash(pl + d.hdr_len, len - d.hdr_len);
        for (unsigned l = 1; l < pub->n_tx; l++) {
            long i = kn_clip_find(pub->tx[l].track, h);
            if (i >= 0 && pub->tx[l].track->pkts[i].unique && pub->tx[l].send_us[i]) {
                kn_lat_add(p->lat, now - pub->tx[l].send_us[i]);
                p->c.layer_pkts[l - 1]++;
                return;
            }
        }
    } else if (!video) {
        long i = kn_clip_find(pub->tx[0].track, kn_clip_hash(pl, len));
        if (i >= 0 && pub->tx[0].track->pkts[i].unique && pub->tx[0].send_us[i]) {
            kn_lat_add(p->lat, now - pub->tx[0].send_us[i]);
            return;
        }
    }
    p->c.lat_unmatched++;
}

static void twcc_record(kn_peer *p, const uint8_t *b, const kn_rtp *r, uint64_t now) {
    kn_rtp_ext ext;
    const kn_rtp_ext_elem *e;
    uint16_t seq;
    uint8_t id = p->ans.twcc_id > 0 ? (uint8_t)p->ans.twcc_id : KN_LG_EXT_TWCC;
    if (kn_rtp_ext_parse(b, r, &ext) != 0 || (e = kn_rtp_ext_find(&ext, id)) == NULL ||
        kn_rtp_ext_twcc_seq(b, e, &seq) != 0)
        return;
    if (!p->twcc_started) {
        p->twcc_started = true;
        p->twcc_max = p->twcc_next = 65536u + seq;
    }
    uint32_t x = p->twcc_max + (uint32_t)(int16_t)(seq - (uint16_t)p->twcc_max);
    if ((int32_t)(x - p->twcc_next) < 0)
        return; /* already reported */
    if ((int32_t)(x - p->twcc_max) > 0)
        p->twcc_max = x;
    p->twcc_arrival[x % KN_PEER_TWCC_RING] = now + 1;
}

/* RTX (RFC 4588 §4): padding-only probes are only counted; a retransmission becomes
 * its original (OSN, the video stream's SSRC, payload after the OSN). Returns the
 * video stream, or NULL when there is nothing to count. */
static kn_sub_stream *unwrap_rtx(kn_peer *p, const uint8_t *b, kn_rtp *r) {
    if (r->payload_len < 2) {
        p->c.rtx_padding_in++;
        return NULL;
    }
    for (unsigned i = 0; i < p->n_rx; i++)
        if (p->rx[i].video) {
            r->seq = kn_get_u16(b + r->payload_off);
            r->payload_off += 2;
            r->payload_len -= 2;
            r->ssrc = p->rx[i].ssrc;
            r->pt = (uint8_t)p->ans.video_pt;
            p->c.rtx_in++;
            return &p->rx[i];
        }
    return NULL;
}

static void on_rtp(kn_peer *p, uint8_t *b, size_t len, uint64_t now, bool verified) {
    kn_rtp r;
    bool newest;
    if (kn_rtp_parse(b, len, &r) != 0)
        return;
    twcc_record(p, b, &r, now); /* every packet, probes included (the sender's estimator) */
    kn_sub_stream *s;
    if (p->ans.rtx_pt >= 0 && r.pt == p->ans.rtx_pt) {
        if (!verified)
            return; /* the OSN is encrypted: callers decrypt every RTX packet */
        if ((s = unwrap_rtx(p, b, &r)) == NULL)
            return;
    }
    bool video = r.pt == p->ans.video_pt;
    if ((!video && r.pt != p->ans.audio_pt) || (s = stream_get(p, r.ssrc, video)) == NULL) {
        p->c.rtp_unknown++;
        return;
    }
    if (p->first_rtp_us == 0)
        p->first_rtp_us = now;
    uint32_t ext = track_seq(p, s, r.seq, &newest);
    if (!newest && (s->max_ext - ext >= KN_PEER_RX_WINDOW || seen(s, ext)))
        return; /* duplicate or too old to tell */
    mark(s, ext, true);
    s->received++;
    if ((int32_t)(ext - s->w_base) > 0)
        s->w_received++;
    if (newest) {
        jitter(s, r.ts, now);
        if (verified)
            latency(p, &r, b, video, now);
    }
    if (video)
        on_video(p, s, &r, b, ext, now, verified);
}

void kn_peer_rx_on_rtp(kn_peer *p, uint8_t *b, size_t len, uint64_t now) {
    on_rtp(p, b, len, now, true);
}

void kn_peer_rx_on_rtp_clear(kn_peer *p, uint8_t *b, size_t len, uint64_t now) {
    p->c.rtp_unverified++;
    on_rtp(p, b, len, now, false);
}

void kn_peer_rx_on_rtcp(kn_peer *p, const uint8_t *b, size_t len, uint64_t now) {
    kn_rtcp_iter it;
    kn_rtcp_pkt pk;
    kn_rtcp_sr sr;
    if (kn_rtcp_validate(b, len) != 0)
        return;
    kn_rtcp_iter_init(&it, b, len);
    while (kn_rtcp_iter_next(&it, &pk) == 0) {
        if (pk.pt != KN_RTCP_SR || kn_rtcp_sr_parse(b + pk.off, pk.len, &sr) != 0)
            continue;
        for (unsigned i = 0; i < p->n_rx; i++)
            if (p->rx[i].ssrc == sr.ssrc) {
                p->rx[i].lsr = (uint32_t)(sr.ntp >> 16);
                p->rx[i].lsr_us = now;
            }
    }
}

static void report_block(kn_sub_stream *s, uint64_t now, kn_rtcp_rb *rb) {
    uint32_t expected_int = s->max_ext - s->rr_prior_max;
    uint64_t received_int = s->received - s->rr_prior_received;
    int64_t lost_int = (int64_t)expected_int - (int64_t)received_int;
    int64_t cum = (int64_t)(s->max_ext - s->first_ext) - (int64_t)s->received;
    memset(rb, 0, sizeof(*rb));
    rb->ssrc = s->ssrc;
    rb->fraction_lost = expected_int == 0 || lost_int <= 0 ? 0 : (uint8_t)((lost_int << 8) / expected_int);
    rb->cumulative_lost = (int32_t)(cum > 8388607 ? 8388607 : cum < -8388608 ? -8388608 : cum);
    rb->ext_highest_seq = s->max_ext - 65536u;
    rb->jitter = (uint32_t)s->jitter;
    rb->lsr = s->lsr;
    rb->dlsr = s->lsr_us ? (uint32_t)((now - s->lsr_us) * 65536 / 1000000) : 0;
    s->rr_prior_max = s->max_ext;
    s->rr_prior_received = s->received;
}

static void send_rr(kn_peer *p, uint64_t now) {
    kn_rtcp_rb rb[KN_PEER_MAX_STREAMS];
    size_t n = 0, len;
    for (unsigned i = 0; i < p->n_rx; i++)
        if (p->rx[i].started)
            report_block(&p->rx[i], now, &rb[n++]);
    if (kn_rtcp_rr_write(p->rtcp_ssrc, rb, n, fb_buf, sizeof(fb_buf), &len) == 0) {
        p->c.rr_out++;
        kn_peer_send_srtp(p, fb_buf, len, sizeof(fb_buf), true);
    }
}

/* Fills statuses for [from, to]; stops early at a delta the format cannot carry. */
static size_t twcc_statuses(kn_peer *p, uint32_t from, uint32_t to, int64_t ref_ticks,
                            kn_twcc_status *st) {
    int64_t prev = ref_ticks;
    size_t n = 0;
    for (uint32_t x = from; x != to + 1; x++, n++) {
        uint64_t a = p->twcc_arrival[x % KN_PEER_TWCC_RING];
        st[n] = (kn_twcc_status){.seq = (uint16_t)x, .status = KN_TWCC_NOT_RECEIVED};
        if (a == 0)
            continue;
        int64_t t = (int64_t)((a - 1) / 250), d = t - prev;
        if (d < -32768 || d > 32767)
            break;
        st[n].status = d >= 0 && d <= 255 ? KN_TWCC_SMALL_DELTA : KN_TWCC_LARGE_DELTA;
        st[n].delta_us = (int32_t)(d * 250);
        prev = t;
    }
    return n;
}

static void send_twcc(kn_peer *p) {
    static kn_twcc_status st[TWCC_MAX_STATUS];
    if (!p->twcc_started || (int32_t)(p->twcc_max - p->twcc_next) < 0 || p->n_rx == 0)
        return;
    uint32_t from = p->twcc_next, to = p->twcc_max;
    if (to - from >= TWCC_MAX_STATUS)
        from = to - TWCC_MAX_STATUS + 1;
    uint64_t first = 0;
    for (uint32_t x = from; x != to + 1 && first == 0; x++)
        first = p->twcc_arrival[x % KN_PEER_TWCC_RING];
    int64_t ref = (int64_t)((first - 1) / 64000);
    size_t n = twcc_statuses(p, from, to, ref * 256, st), len;
    kn_twcc h = {.sender_ssrc = p->rtcp_ssrc, .media_ssrc = p->rx[0].ssrc,
                 .base_seq = (uint16_t)from, .ref_time = (int32_t)(ref & 0x7fffff),
                 .fb_count = p->twcc_fb_count++};
    if (n == 0 || kn_twcc_write(&h, st, n, fb_buf, sizeof(fb_buf), &len) != 0)
        return;
    for (uint32_t x = p->twcc_next; x != from + (uint32_t)n; x++)
        p->twcc_arrival[x % KN_PEER_TWCC_RING] = 0;
    p->twcc_next = from + (uint32_t)n;
    p->c.twcc_out++;
    kn_peer_send_srtp(p, fb_buf, len, sizeof(fb_buf), true);
}

void kn_peer_rx_tick(kn_peer *p, uint64_t now) {
    if (now >= p->next_twcc_us) {
        send_twcc(p);
        p->next_twcc_us = now + TWCC_INTERVAL_US;
    }
    if (now >= p->next_rtcp_us) {
        send_rr(p, now);
        p->next_rtcp_us = now + RR_INTERVAL_US;
    }
    for (unsigned i = 0; i < p->n_rx; i++) {
        kn_sub_stream *s = &p->rx[i];
        uint64_t since = s->have_frame ? s->last_frame_us : p->connected_us;
        if (s->video && now - since > PLI_INTERVAL_US)
            send_pli(p, s, now);
    }
}

void kn_peer_rx_window_end(kn_peer *p, uint64_t now) {
    for (unsigned i = 0; i < p->n_rx; i++) {
        kn_sub_stream *s = &p->rx[i];
        if (s->video)
            freeze_check(s, s->last_frame_us > p->window_start_us ? s->last_frame_us
                                                                  : p->window_start_us, now);
    }
}

void kn_peer_rx_window_start(kn_peer *p) {
    memset(p->c.layer_pkts, 0, sizeof(p->c.layer_pkts));
    p->c.lat_unmatched = 0;
    for (unsigned i = 0; i < p->n_rx; i++) {
        kn_sub_stream *s = &p->rx[i];
        s->w_base = s->max_ext;
        s->w_received = s->w_frames = s->w_keyframes = s->w_freezes = s->w_freeze_us = 0;
        s->w_gen_freezes = 0;
    }
    memset(p->lat, 0, sizeof(*p->lat));
}
