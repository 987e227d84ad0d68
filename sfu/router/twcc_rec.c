/*
 * twcc_rec.c: transport-wide sequence arrivals in a ring indexed by the
 * unwrapped sequence number, turned into feedback statuses (receive deltas in
 * 250 us ticks, RFC-draft §3.1) when the feedback is written.
 */
#include "router/twcc_rec.h"

#include <string.h>

#include "core/err.h"
#include "rtp/rtcp_fb.h"

#define TICK_US     250
#define REF_UNIT_US 64000
#define LARGE_MIN   (-32768 * TICK_US)
#define LARGE_MAX   (32767 * TICK_US)

void kn_twcc_rec_init(kn_twcc_rec *r) {
    memset(r, 0, sizeof(*r));
}

/* The 64-bit sequence closest to `highest` whose low 16 bits are seq. */
static int64_t unwrap(int64_t highest, uint16_t seq) {
    int64_t d = (int16_t)(uint16_t)(seq - (uint16_t)highest);
    return highest + d;
}

static uint64_t *slot(kn_twcc_rec *r, int64_t seq) {
    return &r->arrival_us[(uint64_t)seq & (KN_TWCC_REC_WINDOW - 1)];
}

void kn_twcc_rec_on_packet(kn_twcc_rec *r, uint16_t seq, uint32_t media_ssrc, uint64_t now_us) {
    if (!r->started) {
        r->started = true;
        r->t0_us = now_us;
        r->next = r->highest = seq;
        memset(r->arrival_us, 0, sizeof(r->arrival_us));
    }
    int64_t s = unwrap(r->highest, seq);
    if (s < r->next || s <= r->highest - KN_TWCC_REC_WINDOW)
        return; /* reported already, or too late to matter */
    if (s > r->highest) {
        /* Slots between the old highest and s are reused: mark them not received. */
        for (int64_t k = r->highest + 1; k < s && k > s - KN_TWCC_REC_WINDOW; k++)
            *slot(r, k) = 0;
        r->highest = s;
        if (r->next <= s - KN_TWCC_REC_WINDOW)
            r->next = s - KN_TWCC_REC_WINDOW + 1; /* unreported and overwritten: skipped */
    }
    *slot(r, s) = now_us - r->t0_us + 1;
    r->media_ssrc = media_ssrc;
}

/* Fills statuses for r->next.. and returns how many, stopping before a delta the
 * format cannot carry. *ref is the reference time in 64 ms units. */
static size_t fill(kn_twcc_rec *r, kn_twcc_status *st, int32_t *ref) {
    int64_t last = r->highest - r->next + 1;
    size_t n = last > KN_TWCC_REC_MAX_FB ? KN_TWCC_REC_MAX_FB : (size_t)last;
    int64_t prev_tick = -1;
    size_t i;
    for (i = 0; i < n; i++) {
        uint64_t a = *slot(r, r->next + (int64_t)i);
        st[i] = (kn_twcc_status){.seq = (uint16_t)(r->next + (int64_t)i)};
        if (a == 0)
            continue;
        int64_t tick = (int64_t)((a - 1) / TICK_US);
        if (prev_tick < 0) {
            *ref = (int32_t)(((a - 1) / REF_UNIT_US) & 0x7fffff);
            prev_tick = (int64_t)((uint64_t)*ref * (REF_UNIT_US / TICK_US));
        }
        int64_t d = (tick - prev_tick) * TICK_US;
        if (d < LARGE_MIN || d > LARGE_MAX)
            break; /* next packet starts a new feedback with its own reference */
        st[i].status = d >= 0 && d <= 255 * TICK_US ? KN_TWCC_SMALL_DELTA : KN_TWCC_LARGE_DELTA;
        st[i].delta_us = (int32_t)d;
        prev_tick = tick;
    }
    return i;
}

int kn_twcc_rec_write(kn_twcc_rec *r, uint32_t sender_ssrc, uint8_t *buf, size_t cap, size_t *n) {
    kn_twcc_status st[KN_TWCC_REC_MAX_FB];
    int32_t ref = 0;
    int rc;

    *n = 0;
    if (!r->started || r->highest < r->next)
        return 0;
    size_t count = fill(r, st, &ref);
    if (count == 0) {
        r->next++; /* cannot happen for a received first status; never stall */
        return 0;
    }
    kn_twcc hdr = {.sender_ssrc = sender_ssrc,
                   .media_ssrc = r->media_ssrc,
                   .base_seq = (uint16_t)r->next,
                   .ref_time = ref,
                   .fb_count = r->fb_count};
    if ((rc = kn_twcc_write(&hdr, st, count, buf, cap, n)) != 0)
        return rc;
    r->fb_count++;
    r->next += (int64_t)count;
    return 0;
}
