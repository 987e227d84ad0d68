/*
 * prober.c: probe clusters (see prober.h). The rate computation follows
 * libwebrtc's ProbeBitrateEstimator: send rate over first..last send without
 * the last packet, receive rate over first..last arrival without the first,
 * results with receive > 2 x send discarded; when the one-way delay grew over
 * the cluster, the receive rate counts only the queued packets (prober.h).
 * Pure; no allocation.
 */
#include "bwe/prober.h"

#include <string.h>

#include "core/err.h"

void kn_prober_init(kn_prober *p) {
    memset(p, 0, sizeof(*p));
}

static kn_probe_cluster *find(kn_prober *p, int id) {
    for (size_t i = 0; i < KN_PROBER_CLUSTERS; i++)
        if (p->c[i].state != KN_PROBE_FREE && p->c[i].id == id)
            return &p->c[i];
    return NULL;
}

int kn_prober_plan(kn_prober *p, uint32_t bps, bool exponential) {
    if (bps == 0)
        return KN_EINVAL;
    for (size_t i = 0; i < KN_PROBER_CLUSTERS; i++) {
        kn_probe_cluster *c = &p->c[i];
        if (c->state != KN_PROBE_FREE)
            continue;
        memset(c, 0, sizeof(*c));
        c->state = KN_PROBE_QUEUED;
        c->exponential = exponential;
        c->id = p->next_id;
        p->next_id = (int16_t)((p->next_id + 1) & 0x7fff);
        c->bps = bps;
        c->min_bytes = (uint32_t)((uint64_t)bps * KN_PROBER_CLUSTER_US / 8000000);
        if (c->min_bytes < KN_PROBER_MIN_BYTES)
            c->min_bytes = KN_PROBER_MIN_BYTES;
        return c->id;
    }
    return KN_ELIMIT;
}

bool kn_prober_busy(const kn_prober *p) {
    for (size_t i = 0; i < KN_PROBER_CLUSTERS; i++)
        if (p->c[i].state != KN_PROBE_FREE)
            return true;
    return false;
}

/* The queued cluster with the lowest id distance from next_id (oldest first). */
static kn_probe_cluster *oldest_queued(kn_prober *p) {
    kn_probe_cluster *best = NULL;
    int best_age = -1;

    for (size_t i = 0; i < KN_PROBER_CLUSTERS; i++) {
        kn_probe_cluster *c = &p->c[i];
        int age = (p->next_id - c->id) & 0x7fff;
        if (c->state == KN_PROBE_QUEUED && age > best_age) {
            best = c;
            best_age = age;
        }
    }
    return best;
}

int kn_prober_active(kn_prober *p, uint64_t now_us) {
    kn_probe_cluster *c;

    for (size_t i = 0; i < KN_PROBER_CLUSTERS; i++) {
        c = &p->c[i];
        if (c->state != KN_PROBE_SENDING)
            continue;
        if (now_us < c->start_us + KN_PROBER_STALL_US)
            return c->id;
        /* The sender stopped filling it: close it with what was sent. */
        c->state = KN_PROBE_SENT;
        c->done_us = p->last_done_us = now_us;
    }
    if (p->last_done_us != 0 && now_us < p->last_done_us + KN_PROBER_GAP_US)
        return -1;
    if ((c = oldest_queued(p)) == NULL)
        return -1;
    c->state = KN_PROBE_SENDING;
    c->start_us = now_us;
    return c->id;
}

size_t kn_prober_bytes_due(kn_prober *p, uint64_t now_us) {
    int id = kn_prober_active(p, now_us);
    kn_probe_cluster *c = id < 0 ? NULL : find(p, id);
    uint64_t due;

    if (c == NULL)
        return 0;
    due = (uint64_t)c->bps * (now_us - c->start_us + KN_PROBER_AHEAD_US) / 8000000;
    due = due > c->sent_bytes ? due - c->sent_bytes : 0;
    /* Whole packets only, so padding does not come as a train of tiny ones. */
    if (due < KN_PROBER_PAD_MIN && c->min_bytes - c->sent_bytes > due)
        return 0;
    return (size_t)due;
}

void kn_prober_on_sent(kn_prober *p, int id, uint32_t size, uint64_t now_us) {
    kn_probe_cluster *c = find(p, id);

    if (c == NULL || c->state != KN_PROBE_SENDING)
        return;
    c->sent_bytes += size;
    c->sent_pkts++;
    if (c->sent_bytes >= c->min_bytes && c->sent_pkts >= KN_PROBER_MIN_PKTS) {
        c->state = KN_PROBE_SENT;
        c->done_us = now_us;
        p->last_done_us = now_us;
    }
}

static void account(kn_probe_cluster *c, const kn_bwe_pkt *k) {
    c->fb_pkts++;
    if (c->fb_pkts == 1 || k->send_us < c->first_send_us)
        c->first_send_us = k->send_us;
    if (c->fb_pkts == 1 || k->send_us >= c->last_send_us) {
        c->last_send_us = k->send_us;
        c->last_send_size = k->size;
    }
    c->send_bytes += k->size;
    if (k->recv_us == KN_BWE_LOST)
        return;
    c->rx_pkts++;
    if (c->rx_pkts == 1 || k->recv_us < c->first_recv_us) {
        c->first_recv_us = k->recv_us;
        c->first_recv_size = k->size;
    }
    if (c->rx_pkts == 1 || k->recv_us > c->last_recv_us)
        c->last_recv_us = k->recv_us;
    c->recv_bytes += k->size;
    if (c->n_rx < KN_PROBER_RX_MAX && k->send_us >= c->start_us) {
        kn_probe_rx *x = &c->rx[c->n_rx++];
        x->recv_us = k->recv_us;
        x->send_off_us = (uint32_t)(k->send_us - c->start_us);
        x->size = k->size;
    }
}

void kn_prober_on_feedback(kn_prober *p, const kn_bwe_pkt *pk, size_t n) {
    for (size_t i = 0; i < n; i++) {
        kn_probe_cluster *c;
        if (pk[i].probe_id < 0 || (c = find(p, pk[i].probe_id)) == NULL)
            continue;
        if (c->state == KN_PROBE_SENDING || c->state == KN_PROBE_SENT)
            account(c, &pk[i]);
    }
}

/* Kept arrivals in arrival order (insertion sort: feedback is nearly ordered). */
static void sort_rx(kn_probe_cluster *c) {
    for (uint16_t i = 1; i < c->n_rx; i++) {
        kn_probe_rx x = c->rx[i];
        uint16_t j = i;
        for (; j > 0 && c->rx[j - 1].recv_us > x.recv_us; j--)
            c->rx[j] = c->rx[j - 1];
        c->rx[j] = x;
    }
}

static int64_t delay_of(const kn_probe_rx *x) {
    return x->recv_us - (int64_t)x->send_off_us;
}

/* The bottleneck rate from the packets that waited in its queue: from the
 * first one whose delay exceeds the cluster's minimum, the rest left back to
 * back. Returns -1 when the delay did not grow (the link kept up), 0 when it
 * grew but too few packets queued to tell the rate. */
static double queued_rate(kn_probe_cluster *c) {
    int64_t dmin, rise;
    uint16_t q = 0;
    uint32_t bytes = 0;

    if (c->n_rx < 2)
        return -1;
    sort_rx(c);
    dmin = delay_of(&c->rx[0]);
    for (uint16_t i = 1; i < c->n_rx; i++)
        if (delay_of(&c->rx[i]) < dmin)
            dmin = delay_of(&c->rx[i]);
    rise = delay_of(&c->rx[c->n_rx - 1]) - dmin;
    if (rise < KN_PROBER_GROWTH_US)
        return -1;
    /* Above half the growth a packet surely waited (arrival jitter of a
     * browser's timestamps is ~1 ms): a queued run, back to back. */
    while (q < c->n_rx && delay_of(&c->rx[q]) - dmin < KN_PROBER_QUEUED_US + rise / 2)
        q++;
    if (q == c->n_rx || c->n_rx - q < KN_PROBER_MIN_QUEUED)
        return 0;
    for (uint16_t i = q + 1; i < c->n_rx; i++)
        bytes += c->rx[i].size;
    if (c->rx[c->n_rx - 1].recv_us <= c->rx[q].recv_us)
        return 0;
    return (double)bytes * 8e6 / (double)(c->rx[c->n_rx - 1].recv_us - c->rx[q].recv_us);
}

/* libwebrtc: at least 80 % of the minimum packets must have arrived. */
static uint32_t evaluate(kn_probe_cluster *c, bool *limited, bool *unclear) {
    uint64_t send_iv = c->last_send_us - c->first_send_us;
    int64_t recv_iv = c->last_recv_us - c->first_recv_us;
    double send_bps, recv_bps, q_bps;

    *limited = false;
    *unclear = true;
    if (c->rx_pkts * 5 < KN_PROBER_MIN_PKTS * 4 || send_iv == 0 || recv_iv <= 0)
        return 0;
    send_bps = (double)(c->send_bytes - c->last_send_size) * 8e6 / (double)send_iv;
    recv_bps = (double)(c->recv_bytes - c->first_recv_size) * 8e6 / (double)recv_iv;
    if (recv_bps > 2 * send_bps)
        return 0;
    *unclear = false;
    if ((c->fb_pkts - c->rx_pkts) * 100 > KN_PROBER_MAX_LOSS * c->fb_pkts) {
        *limited = true; /* a queue overflowed (or heavy random loss): no rate */
        return 0;
    }
    if ((q_bps = queued_rate(c)) == 0) {
        *limited = true; /* a queue grew, too short to tell the link's rate */
        *unclear = true;
        return 0;
    }
    if (q_bps > 0) {
        recv_bps = q_bps < recv_bps ? q_bps : recv_bps;
        *limited = recv_bps < 0.9 * send_bps; /* else the delay rise was jitter */
    }
    if (recv_bps < 0.9 * send_bps)
        return (uint32_t)(0.95 * recv_bps);
    return (uint32_t)(send_bps < recv_bps ? send_bps : recv_bps);
}

int kn_prober_take_result(kn_prober *p, uint64_t now_us, kn_probe_result *r) {
    for (size_t i = 0; i < KN_PROBER_CLUSTERS; i++) {
        kn_probe_cluster *c = &p->c[i];
        if (c->state != KN_PROBE_SENT)
            continue;
        if (c->fb_pkts < c->sent_pkts && now_us < c->done_us + KN_PROBER_TIMEOUT_US)
            continue;
        r->id = c->id;
        r->exponential = c->exponential;
        r->target_bps = c->bps;
        r->bps = evaluate(c, &r->limited, &r->unclear);
        c->state = KN_PROBE_FREE;
        return 0;
    }
    return KN_ENOENT;
}
