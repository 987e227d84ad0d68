/*
 * transport_rtcp.c: RTCP in and out for one transport (see transport_rtcp.h).
 */
#include "router/transport_rtcp.h"

#include <string.h>
#include <time.h>

#include "core/err.h"
#include "router/consumer.h"
#include "router/producer.h"
#include "router/rtcp_xr.h"
#include "router/transport.h"
#include "router/transport_bwe.h"
#include "router/worker.h"
#include "rtp/rtcp.h"
#include "rtp/rtcp_fb.h"

#define MAX_NACK_SEQS 256

uint64_t kn_ntp_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t sec = (uint64_t)ts.tv_sec + 2208988800u; /* 1900 → 1970 */
    uint64_t frac = ((uint64_t)ts.tv_nsec << 32) / 1000000000u;
    return sec << 32 | frac;
}

static kn_consumer *consumer_by_ssrc(kn_transport *t, uint32_t ssrc) {
    for (kn_consumer *c = t->consumers; c != NULL; c = c->next)
        if (c->send.ssrc == ssrc || (c->send.rtx_ssrc != 0 && c->send.rtx_ssrc == ssrc))
            return c;
    return NULL;
}

static kn_recv_stream *recv_by_ssrc(kn_transport *t, uint32_t ssrc) {
    for (kn_producer *p = t->producers; p != NULL; p = p->next)
        for (unsigned i = 0; i < p->params.n_encodings; i++)
            if (p->enc[i].bound && p->enc[i].rs.ssrc == ssrc)
                return &p->enc[i].rs;
    return NULL;
}

static void on_report_blocks(kn_transport *t, const uint8_t *p, size_t rb_off, unsigned n) {
    uint64_t ntp = kn_ntp_now();
    for (unsigned i = 0; i < n; i++) {
        kn_rtcp_rb rb;
        kn_rtcp_rb_read(p + rb_off + 24 * i, &rb);
        kn_consumer *c = consumer_by_ssrc(t, rb.ssrc);
        if (c == NULL)
            continue;
        kn_send_stream_on_rb(&c->send, &rb, ntp);
        if (c->send.rtt_valid) {
            t->rtt_ms = c->send.rtt_ms;
            t->rtt_ms_f = c->send.rtt_q16 * 1000.0 / 65536.0;
        }
        kn_transport_bwe_on_rb(t, c, &rb);
    }
}

static void on_feedback(kn_transport *t, const uint8_t *p, size_t len, uint64_t now_ms) {
    kn_rtcp_fb fb;
    if (kn_rtcp_fb_parse(p, len, &fb) != 0) {
        t->stats.drop_malformed++;
        return;
    }
    if (fb.pt == KN_RTCP_RTPFB && fb.fmt == KN_RTCP_FB_NACK) {
        uint16_t seqs[MAX_NACK_SEQS];
        size_t n = 0;
        int rc = kn_rtcp_nack_parse(p, len, &fb, seqs, MAX_NACK_SEQS, &n);
        kn_consumer *c = consumer_by_ssrc(t, fb.media_ssrc);
        t->stats.nacks_received++;
        if ((rc == 0 || rc == KN_ELIMIT) && c != NULL)
            kn_consumer_on_nack(c, seqs, n);
        return;
    }
    if (fb.pt == KN_RTCP_RTPFB && fb.fmt == KN_RTCP_FB_TWCC) {
        kn_transport_bwe_on_twcc(t, p, len);
        return;
    }
    if (fb.pt != KN_RTCP_PSFB)
        return;
    if (fb.fmt == KN_RTCP_FB_AFB) {
        kn_transport_bwe_on_remb(t, p, len);
    } else if (fb.fmt == KN_RTCP_FB_PLI) {
        kn_consumer *c = consumer_by_ssrc(t, fb.media_ssrc);
        t->stats.plis_received++;
        if (c != NULL)
            kn_consumer_on_keyframe_request(c, false, now_ms);
    } else if (fb.fmt == KN_RTCP_FB_FIR) {
        kn_rtcp_fir_entry e[4];
        size_t n = 0;
        t->stats.firs_received++;
        if (kn_rtcp_fir_parse(p, len, &fb, e, 4, &n) != 0 && n == 0)
            return;
        for (size_t i = 0; i < n; i++) {
            kn_consumer *c = consumer_by_ssrc(t, e[i].ssrc);
            if (c != NULL)
                kn_consumer_on_keyframe_request(c, true, now_ms);
        }
    }
}

/* RFC 3611 §4.4: remember the receiver's last RRTR (one slot per SSRC, the
 * oldest replaced) so the next SR toward it carries a DLRR block. */
static void on_xr(kn_transport *t, const uint8_t *p, size_t len) {
    kn_rtcp_xr xr;
    if (kn_rtcp_xr_parse(p, len, &xr) != 0) {
        t->stats.drop_malformed++;
        return;
    }
    if (!xr.has_rrtr || xr.ssrc == 0)
        return;
    kn_xr_rrtr *slot = &t->rrtr[0];
    for (unsigned i = 0; i < KN_XR_RRTR_SLOTS; i++) {
        kn_xr_rrtr *r = &t->rrtr[i];
        if (r->ssrc == xr.ssrc || r->ssrc == 0) {
            slot = r;
            break;
        }
        if (r->rx_ntp < slot->rx_ntp)
            slot = r;
    }
    *slot = (kn_xr_rrtr){.ssrc = xr.ssrc, .lrr = kn_ntp_compact(xr.rrtr_ntp),
                         .rx_ntp = kn_ntp_now()};
    t->stats.xr_rrtr_received++;
}

/* Appends an XR with one DLRR block (every remembered RRTR) from `ssrc` at
 * buf; returns the bytes written (0 when there is nothing to answer). */
static size_t write_dlrr(kn_transport *t, uint32_t ssrc, uint64_t ntp, uint8_t *buf, size_t cap) {
    kn_rtcp_dlrr_item items[KN_XR_RRTR_SLOTS];
    size_t n = 0, len = 0;
    for (unsigned i = 0; i < KN_XR_RRTR_SLOTS; i++) {
        const kn_xr_rrtr *r = &t->rrtr[i];
        if (r->ssrc == 0)
            continue;
        items[n++] = (kn_rtcp_dlrr_item){.ssrc = r->ssrc, .lrr = r->lrr,
                                         .dlrr = kn_ntp_compact(ntp - r->rx_ntp)};
    }
    if (n == 0 || kn_rtcp_xr_dlrr_write(ssrc, items, n, buf, cap, &len) != 0)
        return 0;
    t->stats.xr_dlrr_sent++;
    return len;
}

static void on_packet(kn_transport *t, const uint8_t *p, size_t len, uint8_t pt,
                      uint64_t now_ms) {
    if (pt == KN_RTCP_SR) {
        kn_rtcp_sr sr;
        if (kn_rtcp_sr_parse(p, len, &sr) != 0)
            return;
        kn_recv_stream *rs = recv_by_ssrc(t, sr.ssrc);
        if (rs != NULL)
            kn_recv_stream_on_sr(rs, sr.ntp, now_ms);
        on_report_blocks(t, p, sr.rb_off, sr.rb_count);
    } else if (pt == KN_RTCP_RR) {
        kn_rtcp_rr rr;
        if (kn_rtcp_rr_parse(p, len, &rr) == 0)
            on_report_blocks(t, p, rr.rb_off, rr.rb_count);
    } else if (pt == KN_RTCP_RTPFB || pt == KN_RTCP_PSFB) {
        on_feedback(t, p, len, now_ms);
    } else if (pt == KN_RTCP_XR) {
        on_xr(t, p, len);
    }
}

void kn_transport_on_rtcp(kn_transport *t, uint8_t *p, size_t len, uint64_t now_ms) {
    kn_rtcp_iter it;
    kn_rtcp_pkt pkt;
    if (kn_srtp_session_unprotect_rtcp(&t->srtp, p, &len) != 0) {
        t->stats.drop_srtp_auth++;
        return;
    }
    if (kn_rtcp_validate(p, len) != 0) {
        t->stats.drop_malformed++;
        return;
    }
    t->stats.rx_rtcp++;
    kn_rtcp_iter_init(&it, p, len);
    while (kn_rtcp_iter_next(&it, &pkt) == 0)
        on_packet(t, p + pkt.off, pkt.len, pkt.pt, now_ms);
}

void kn_transport_send_nacks(kn_transport *t, uint64_t now_ms) {
    uint16_t seqs[KN_RECV_NACK_MAX];
    uint8_t buf[KN_MTU];
    size_t n, len;
    for (kn_producer *p = t->producers; p != NULL; p = p->next) {
        if (p->params.n_codecs == 0 || !(p->params.codecs[0].fb & KN_FB_NACK))
            continue;
        for (unsigned i = 0; i < p->params.n_encodings; i++) {
            kn_producer_enc *e = &p->enc[i];
            if (!e->bound ||
                (n = kn_recv_stream_nacks_due(&e->rs, now_ms, t->rtt_ms, seqs,
                                              KN_RECV_NACK_MAX)) == 0)
                continue;
            if (kn_rtcp_nack_write(t->rtcp_ssrc, e->rs.ssrc, seqs, n, buf, sizeof(buf), &len) ==
                0) {
                kn_transport_send_rtcp(t, buf, len);
                t->stats.nacks_sent++;
            }
        }
    }
}

void kn_transport_send_twcc(kn_transport *t) {
    uint8_t buf[KN_MTU];
    size_t len;
    /* A burst larger than one packet's statuses goes out in a few packets. */
    for (int i = 0; i < 4; i++) {
        if (kn_twcc_rec_write(&t->twcc_rx, t->rtcp_ssrc, buf, sizeof(buf), &len) != 0 || len == 0)
            return;
        if (kn_transport_send_rtcp(t, buf, len) == 0)
            t->stats.twcc_sent++;
    }
}

void kn_transport_request_keyframe(kn_transport *t, uint32_t media_ssrc, uint32_t fb) {
    uint8_t buf[64];
    size_t len;
    static uint8_t fir_seq;
    int rc;
    if (!(fb & KN_FB_PLI) && (fb & KN_FB_FIR)) {
        rc = kn_rtcp_fir_write(t->rtcp_ssrc, media_ssrc, fir_seq++, buf, sizeof(buf), &len);
        t->stats.firs_sent++;
    } else {
        rc = kn_rtcp_pli_write(t->rtcp_ssrc, media_ssrc, buf, sizeof(buf), &len);
        t->stats.plis_sent++;
    }
    if (rc == 0)
        kn_transport_send_rtcp(t, buf, len);
}

static void send_rr(kn_transport *t, uint64_t now_ms) {
    kn_rtcp_rb rb[KN_RTCP_MAX_RB];
    uint8_t buf[KN_MTU];
    size_t n = 0, len;
    for (kn_producer *p = t->producers; p != NULL; p = p->next)
        for (unsigned i = 0; i < p->params.n_encodings && n < KN_RTCP_MAX_RB; i++)
            if (p->enc[i].bound && p->enc[i].rs.packets > 0)
                kn_recv_stream_fill_rb(&p->enc[i].rs, now_ms, &rb[n++]);
    if (n > 0 && kn_rtcp_rr_write(t->rtcp_ssrc, rb, n, buf, sizeof(buf), &len) == 0)
        kn_transport_send_rtcp(t, buf, len);
}

static void send_srs(kn_transport *t, uint64_t now_ms) {
    uint8_t buf[KN_MTU];
    size_t len;
    uint64_t ntp = kn_ntp_now();
    for (kn_consumer *c = t->consumers; c != NULL; c = c->next) {
        kn_rtcp_sr sr;
        if (c->send.packets == 0)
            continue;
        kn_send_stream_fill_sr(&c->send, ntp, now_ms, &sr);
        if (kn_rtcp_sr_write(&sr, NULL, 0, buf, sizeof(buf), &len) != 0)
            continue;
        /* libwebrtc keys the receiver RTT by the XR's sender SSRC (the media
         * SSRC it receives), so each consumer's SR carries its own DLRR. */
        len += write_dlrr(t, c->send.ssrc, ntp, buf + len, sizeof(buf) - len);
        kn_transport_send_rtcp(t, buf, len);
    }
}

static void update_bitrates(kn_transport *t, uint64_t now_ms) {
    for (kn_producer *p = t->producers; p != NULL; p = p->next)
        for (unsigned i = 0; i < p->params.n_encodings; i++) {
            kn_recv_stream *rs = &p->enc[i].rs;
            uint64_t span = now_ms - rs->window_start_ms;
            if (span == 0)
                continue;
            rs->bitrate_bps = rs->window_bytes * 8000u / span;
            rs->window_bytes = 0;
            rs->window_start_ms = now_ms;
        }
}

void kn_transport_send_reports(kn_transport *t, uint64_t now_ms) {
    send_rr(t, now_ms);
    send_srs(t, now_ms);
    update_bitrates(t, now_ms);
}
