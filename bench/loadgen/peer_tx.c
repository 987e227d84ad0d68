/*
 * peer_tx.c: publisher media and RTCP of a load generator peer (see peer_tx.h).
 * Per packet: build header and extension block, copy the clip payload, write the
 * picture id, protect, send; nothing is allocated after kn_peer_tx_init.
 */
#include "peer_tx.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "core/bytes.h"
#include "core/err.h"
#include "rtp/rtcp.h"
#include "rtp/rtcp_fb.h"
#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"

#define MAX_LATE_US 200000 /* a stream further behind than this skips ahead */
#define SR_INTERVAL_US 1000000

static uint8_t tx_buf[1500 + KN_SRTP_MAX_TRAILER];

int kn_peer_tx_init(kn_peer *p, const kn_clip *clip, unsigned n_layers) {
    p->n_tx = 1 + n_layers;
    if ((p->tx = calloc(p->n_tx, sizeof(*p->tx))) == NULL)
        return KN_ENOMEM;
    for (unsigned i = 0; i < p->n_tx; i++) {
        kn_pub_stream *s = &p->tx[i];
        s->audio = i == 0;
        s->track = s->audio ? &clip->audio : &clip->video[i - 1];
        RAND_bytes((uint8_t *)&s->ssrc, sizeof(s->ssrc));
        RAND_bytes((uint8_t *)&s->seq, sizeof(s->seq));
        RAND_bytes((uint8_t *)&s->ts_base, sizeof(s->ts_base));
        RAND_bytes((uint8_t *)&s->pic, sizeof(s->pic));
        s->pic &= 0x7fff;
        if ((s->send_us = calloc(s->track->n_pkts, sizeof(*s->send_us))) == NULL)
            return KN_ENOMEM;
    }
    return 0;
}

void kn_peer_tx_free(kn_peer *p) {
    for (unsigned i = 0; p->tx && i < p->n_tx; i++)
        free(p->tx[i].send_us);
    free(p->tx);
    p->tx = NULL;
    p->n_tx = 0;
}

void kn_peer_tx_start(kn_peer *p, uint64_t now) {
    /* Publishers connect together: spread their frame clocks (and so their keyframe
     * bursts) over one video frame interval, in a fixed order by peer index. */
    uint64_t offset = (uint64_t)p->idx * 7919u % (1000000u / KN_CLIP_FPS);
    for (unsigned i = 0; i < p->n_tx; i++) {
        p->tx[i].next_us = p->tx[i].pace_next_us = now + offset;
        p->tx[i].frame = 0; /* frame 0 is a keyframe */
        p->tx[i].in_frame = false;
    }
    p->next_rtcp_us = now + SR_INTERVAL_US;
}

/* Extension block: mid, rid (video), transport-cc, audio level (audio). */
static size_t write_ext(kn_peer *p, const kn_pub_stream *s, uint8_t *buf, size_t cap) {
    uint8_t twcc[2], level = 0x80 | 30; /* voice, -30 dBov */
    kn_put_u16(twcc, p->twcc_seq++);
    kn_rtp_ext_src el[4];
    size_t n = 0, len = 0;
    el[n++] = (kn_rtp_ext_src){KN_LG_EXT_MID, 1, (const uint8_t *)(s->audio ? "0" : "1")};
    if (!s->audio)
        el[n++] = (kn_rtp_ext_src){KN_LG_EXT_RID, 1, (const uint8_t *)s->track->rid};
    el[n++] = (kn_rtp_ext_src){KN_LG_EXT_TWCC, 2, twcc};
    if (s->audio)
        el[n++] = (kn_rtp_ext_src){KN_LG_EXT_AUDIO_LEVEL, 1, &level};
    if (kn_rtp_ext_write(el, n, buf, cap, &len) != 0)
        return 0;
    return len;
}

/* Builds and sends the packet a ring entry describes (first send or a NACK answer). */
static void send_entry(kn_peer *p, kn_pub_stream *s, const kn_ring_ent *e) {
    const kn_clip_pkt *cp = &s->track->pkts[e->clip_pkt];
    kn_rtp h = {.marker = cp->marker, .pt = s->audio ? KN_LG_PT_OPUS : KN_LG_PT_VP8,
                .seq = e->seq, .ts = e->ts, .ssrc = s->ssrc, .extension = true};
    size_t n;
    kn_rtp_write(&h, tx_buf, sizeof(tx_buf), &n);
    size_t ext = write_ext(p, s, tx_buf + n, sizeof(tx_buf) - n);
    if (ext == 0)
        return;
    n += ext;
    uint8_t *pl = tx_buf + n;
    memcpy(pl, s->track->data + cp->off, cp->len);
    if (!s->audio) { /* vp8_pack.c's descriptor: X|S, I, then M | 15-bit picture id */
        pl[2] = (uint8_t)(0x80 | e->pic >> 8);
        pl[3] = (uint8_t)e->pic;
    }
    n += cp->len;
    s->packets++;
    s->octets += cp->len;
    kn_peer_send_srtp(p, tx_buf, n, sizeof(tx_buf), false);
}

/* Sends packet k of the current frame (s->frame, timestamp s->cur_ts). */
static void send_frame_pkt(kn_peer *p, kn_pub_stream *s, unsigned k, uint64_t now) {
    const kn_clip_frame *f = &s->track->frames[s->frame];
    kn_ring_ent *e = &s->ring[s->seq % KN_PEER_RING];
    *e = (kn_ring_ent){.seq = s->seq, .pic = s->pic, .ts = s->cur_ts,
                       .clip_pkt = f->first_pkt + k, .valid = true};
    s->seq++;
    s->send_us[e->clip_pkt] = now;
    send_entry(p, s, e);
}

static void begin_frame(kn_pub_stream *s) {
    if (s->want_key) {
        s->frame = kn_clip_next_keyframe(s->track, s->frame);
        s->want_key = false;
    }
    s->cur_ts = s->ts_base + (uint32_t)(s->frames_sent * s->track->frame_ticks);
    s->cur_k = 0;
    s->in_frame = true;
}

static void end_frame(kn_pub_stream *s) {
    s->pic = (s->pic + 1) & 0x7fff;
    s->frames_sent++;
    s->frame = (s->frame + 1) % s->track->n_frames;
    s->in_frame = false;
}

/* Unpaced: the whole frame at once. */
static void send_frame(kn_peer *p, kn_pub_stream *s, uint64_t now) {
    begin_frame(s);
    for (unsigned k = 0; k < s->track->frames[s->frame].n_pkts; k++)
        send_frame_pkt(p, s, k, now);
    end_frame(s);
}

/* Paced (--pace F, video only): packets leave at F x the layer's bitrate, each
 * after the previous one's serialization time at that rate, as a browser's
 * pacer spreads a frame; a frame that is due while the previous one is still
 * being paced waits for it. */
static void paced_tick(kn_peer *p, kn_pub_stream *s, uint64_t now) {
    double bytes_per_us = p->pace * s->track->kbps / 8000.0;
    for (;;) {
        if (!s->in_frame) {
            if (now < s->next_us)
                return;
            begin_frame(s);
            if (s->pace_next_us < s->next_us)
                s->pace_next_us = s->next_us; /* the pacer was idle: no catching up */
            if (s->pace_next_us + MAX_LATE_US < now)
                s->pace_next_us = now; /* the loop stalled: do not burst the backlog */
            s->next_us += s->track->frame_us;
        }
        const kn_clip_frame *f = &s->track->frames[s->frame];
        while (s->cur_k < f->n_pkts && now >= s->pace_next_us) {
            uint16_t len = s->track->pkts[f->first_pkt + s->cur_k].len;
            send_frame_pkt(p, s, s->cur_k++, now);
            s->pace_next_us += (uint64_t)(len / bytes_per_us) + 1;
        }
        if (s->cur_k < f->n_pkts)
            return;
        end_frame(s);
    }
}

static uint64_t ntp_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t sec = (uint64_t)ts.tv_sec + 2208988800ull;
    return sec << 32 | (((uint64_t)ts.tv_nsec << 32) / 1000000000ull);
}

static void send_sr(kn_peer *p, kn_pub_stream *s, uint64_t now) {
    size_t n, m;
    uint64_t ahead = s->next_us > now ? s->next_us - now : 0; /* next frame's ts is for next_us */
    uint32_t clock = s->audio ? 48000 : 90000;
    uint32_t next_ts = s->ts_base + (uint32_t)(s->frames_sent * s->track->frame_ticks);
    kn_rtcp_sr sr = {.ssrc = s->ssrc, .ntp = ntp_now(),
                     .rtp_ts = next_ts - (uint32_t)(ahead * clock / 1000000),
                     .packet_count = s->packets, .octet_count = s->octets};
    if (kn_rtcp_sr_write(&sr, NULL, 0, tx_buf, sizeof(tx_buf), &n) != 0 ||
        kn_rtcp_sdes_write_cname(s->ssrc, "kn-loadgen", 10, tx_buf + n, sizeof(tx_buf) - n, &m) != 0)
        return;
    p->c.sr_out++;
    kn_peer_send_srtp(p, tx_buf, n + m, sizeof(tx_buf), true);
}

void kn_peer_tx_tick(kn_peer *p, uint64_t now) {
    for (unsigned i = 0; i < p->n_tx; i++) {
        kn_pub_stream *s = &p->tx[i];
        if (now > s->next_us + MAX_LATE_US)
            s->next_us = now; /* the loop stalled: do not burst the backlog */
        if (p->pace > 0 && !s->audio) {
            paced_tick(p, s, now);
            continue;
        }
        while (now >= s->next_us) {
            send_frame(p, s, now);
            s->next_us += s->track->frame_us;
        }
    }
    if (now >= p->next_rtcp_us) {
        for (unsigned i = 0; i < p->n_tx; i++)
            send_sr(p, &p->tx[i], now);
        p->next_rtcp_us = now + SR_INTERVAL_US;
    }
}

static kn_pub_stream *stream_by_ssrc(kn_peer *p, uint32_t ssrc) {
    for (unsigned i = 0; i < p->n_tx; i++)
        if (p->tx[i].ssrc == ssrc)
            return &p->tx[i];
    return NULL;
}

static void on_nack(kn_peer *p, const uint8_t *b, size_t len) {
    kn_rtcp_fb fb;
    uint16_t seqs[256];
    size_t n = 0;
    int rc = kn_rtcp_nack_parse(b, len, &fb, seqs, 256, &n);
    kn_pub_stream *s = stream_by_ssrc(p, fb.media_ssrc);
    if ((rc != 0 && rc != KN_ELIMIT) || s == NULL)
        return;
    p->c.nacks_in++;
    for (size_t i = 0; i < n; i++) {
        const kn_ring_ent *e = &s->ring[seqs[i] % KN_PEER_RING];
        if (e->valid && e->seq == seqs[i]) {
            send_entry(p, s, e);
            p->c.rtx_out++;
        } else {
            p->c.rtx_missed++;
        }
    }
}

static void on_psfb(kn_peer *p, const uint8_t *b, size_t len, uint8_t fmt) {
    kn_rtcp_fb fb;
    kn_rtcp_fir_entry fe[8];
    size_t n = 0;
    kn_pub_stream *s;
    if (fmt == KN_RTCP_FB_PLI && kn_rtcp_pli_parse(b, len, &fb) == 0 &&
        (s = stream_by_ssrc(p, fb.media_ssrc)) != NULL) {
        p->c.plis_in++;
        s->want_key = true;
    } else if (fmt == KN_RTCP_FB_FIR && kn_rtcp_fir_parse(b, len, &fb, fe, 8, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            if ((s = stream_by_ssrc(p, fe[i].ssrc)) != NULL) {
                p->c.firs_in++;
                s->want_key = true;
            }
    }
}

void kn_peer_tx_on_rtcp(kn_peer *p, const uint8_t *b, size_t len, uint64_t now) {
    kn_rtcp_iter it;
    kn_rtcp_pkt pk;
    (void)now;
    if (kn_rtcp_validate(b, len) != 0)
        return;
    kn_rtcp_iter_init(&it, b, len);
    while (kn_rtcp_iter_next(&it, &pk) == 0) {
        if (pk.pt == KN_RTCP_RTPFB && pk.count == KN_RTCP_FB_NACK)
            on_nack(p, b + pk.off, pk.len);
        else if (pk.pt == KN_RTCP_PSFB)
            on_psfb(p, b + pk.off, pk.len, pk.count);
    }
}
