/*
 * recv_stream.c: RFC 3550 Appendix A receiver bookkeeping and the NACK list of
 * one incoming SSRC.
 */
#include "router/recv_stream.h"

#include <string.h>

#include "router/seq_map.h"

void kn_recv_stream_init(kn_recv_stream *s, uint32_t ssrc, uint32_t clock_hz) {
    memset(s, 0, sizeof(*s));
    s->ssrc = ssrc;
    s->clock_hz = clock_hz ? clock_hz : 90000;
}

static void nack_remove(kn_recv_stream *s, unsigned i) {
    s->nacks[i] = s->nacks[--s->n_nacks];
}

static bool nack_take(kn_recv_stream *s, uint16_t seq) {
    for (unsigned i = 0; i < s->n_nacks; i++)
        if (s->nacks[i].seq == seq) {
            nack_remove(s, i);
            return true;
        }
    return false;
}

static void nack_add_gap(kn_recv_stream *s, uint16_t from, uint16_t to) {
    for (uint16_t q = from; q != to; q++) {
        if (s->n_nacks == KN_RECV_NACK_MAX)
            nack_remove(s, 0); /* forget the oldest-looking entry, keep the newest */
        s->nacks[s->n_nacks++] = (kn_recv_nack){.seq = q};
    }
}

static void update_jitter(kn_recv_stream *s, uint32_t ts, uint64_t now_ms) {
    int64_t arrival = (int64_t)(now_ms * s->clock_hz / 1000u);
    int64_t transit = arrival - (int64_t)ts;
    if (s->received > 1) {
        int64_t d = transit - s->last_transit;
        if (d < 0)
            d = -d;
        s->jitter += ((double)d - s->jitter) / 16.0; /* RFC 3550 A.8 */
    }
    s->last_transit = transit;
}

bool kn_recv_stream_on_rtp(kn_recv_stream *s, uint16_t seq, uint32_t ts, size_t len, bool rtx,
                           uint64_t now_ms) {
    s->last_ms = now_ms;
    s->packets++;
    s->bytes += len;
    s->window_bytes += len;
    s->recent_packets++;
    if (rtx)
        s->rtx_packets++;
    if (!s->started) {
        s->started = true;
        s->max_seq = seq;
        s->base_seq = seq;
        s->received = 1;
        return true;
    }
    if (kn_seq_newer(seq, s->max_seq)) {
        uint16_t gap = (uint16_t)(seq - s->max_seq);
        if (gap > 1 && gap <= KN_RECV_NACK_GAP_MAX)
            nack_add_gap(s, (uint16_t)(s->max_seq + 1), seq);
        if (seq < s->max_seq)
            s->cycles += 0x10000;
        s->max_seq = seq;
        s->received++;
        if (!rtx)
            update_jitter(s, ts, now_ms);
        return true;
    }
    if (nack_take(s, seq)) {
        s->received++;
        return true;
    }
    return false; /* a duplicate, or too late to have been asked for */
}

void kn_recv_stream_on_sr(kn_recv_stream *s, uint64_t ntp, uint64_t now_ms) {
    s->sr_lsr = (uint32_t)(ntp >> 16);
    s->sr_at_ms = now_ms;
}

int64_t kn_recv_stream_lost(const kn_recv_stream *s) {
    if (!s->started)
        return 0;
    int64_t expected = (int64_t)(s->cycles + s->max_seq) - (int64_t)s->base_seq + 1;
    int64_t lost = expected - (int64_t)s->received;
    return lost > 0 ? lost : 0;
}

void kn_recv_stream_fill_rb(kn_recv_stream *s, uint64_t now_ms, kn_rtcp_rb *rb) {
    uint64_t expected = (uint64_t)(s->cycles + s->max_seq) - s->base_seq + 1;
    uint64_t exp_int = expected - s->expected_prior;
    uint64_t rec_int = s->received - s->received_prior;
    int64_t lost_int = (int64_t)exp_int - (int64_t)rec_int;
    int64_t lost = kn_recv_stream_lost(s);

    memset(rb, 0, sizeof(*rb));
    rb->ssrc = s->ssrc;
    rb->fraction_lost = (exp_int == 0 || lost_int <= 0) ? 0 : (uint8_t)((lost_int << 8) / exp_int);
    rb->cumulative_lost = lost > 0x7fffff ? 0x7fffff : (int32_t)lost;
    rb->ext_highest_seq = s->cycles + s->max_seq;
    rb->jitter = (uint32_t)s->jitter;
    if (s->sr_at_ms != 0) {
        rb->lsr = s->sr_lsr;
        rb->dlsr = (uint32_t)((now_ms - s->sr_at_ms) * 65536u / 1000u);
    }
    s->expected_prior = expected;
    s->received_prior = s->received;
}

size_t kn_recv_stream_nacks_due(kn_recv_stream *s, uint64_t now_ms, uint32_t rtt_ms,
                                uint16_t *seqs, size_t cap) {
    size_t n = 0;
    for (unsigned i = 0; i < s->n_nacks && n < cap;) {
        kn_recv_nack *k = &s->nacks[i];
        if (k->retries >= KN_RECV_NACK_RETRIES) {
            nack_remove(s, i);
            continue;
        }
        if (k->last_ms == 0 || now_ms >= k->last_ms + rtt_ms + 10) {
            k->retries++;
            k->last_ms = now_ms;
            seqs[n++] = k->seq;
        }
        i++;
    }
    s->nacks_sent += n;
    return n;
}
