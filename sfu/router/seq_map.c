/*
 * seq_map.c: offset bookkeeping for kn_seq_map (see seq_map.h). A source
 * switch places the new source right after the last packet sent: seq + 1 and a
 * timestamp advanced by the elapsed wall time (at least 1 tick).
 */
#include "router/seq_map.h"

#include <string.h>

#include "core/err.h"

void kn_seq_map_init(kn_seq_map *m, uint16_t first_seq) {
    memset(m, 0, sizeof(*m));
    m->resync = true;
    m->last_out = (uint16_t)(first_seq - 1);
}

void kn_seq_map_resync(kn_seq_map *m) {
    m->resync = true;
}

static void start_source(kn_seq_map *m, uint16_t in_seq, uint32_t in_ts, uint32_t clock_hz,
                         uint64_t now_ms) {
    uint32_t next_ts = m->last_ts + 1;
    if (m->started && now_ms > m->last_ms) {
        uint64_t ticks = (now_ms - m->last_ms) * clock_hz / 1000u;
        next_ts = m->last_ts + (uint32_t)(ticks > 0 ? ticks : 1);
    } else if (!m->started) {
        next_ts = in_ts; /* first source: keep its clock, only the SSRC changes */
    }
    m->seq_off = (uint16_t)(m->last_out + 1 - in_seq);
    m->ts_off = next_ts - in_ts;
    m->first_in = in_seq;
    m->hi_in = in_seq;
    m->hist[in_seq % KN_SEQ_MAP_HIST] = m->seq_off;
    m->resync = false;
}

/* Records the current offset for every input seq up to in_seq (newer than hi_in). */
static void advance(kn_seq_map *m, uint16_t in_seq) {
    uint16_t gap = (uint16_t)(in_seq - m->hi_in);
    uint16_t from = gap > KN_SEQ_MAP_HIST ? (uint16_t)(in_seq - KN_SEQ_MAP_HIST + 1)
                                          : (uint16_t)(m->hi_in + 1);
    for (uint16_t s = from;; s++) {
        m->hist[s % KN_SEQ_MAP_HIST] = m->seq_off;
        if (s == in_seq)
            break;
    }
    m->hi_in = in_seq;
}

void kn_seq_map_skip(kn_seq_map *m, uint16_t in_seq) {
    if (m->resync || !kn_seq_newer(in_seq, m->hi_in))
        return;
    advance(m, in_seq);
    m->seq_off--;
}

int kn_seq_map_map(kn_seq_map *m, uint16_t in_seq, uint32_t in_ts, uint32_t clock_hz,
                   uint64_t now_ms, uint16_t *out_seq, uint32_t *out_ts) {
    uint16_t off;
    if (m->resync)
        start_source(m, in_seq, in_ts, clock_hz, now_ms);
    else if (in_seq != m->first_in && !kn_seq_newer(in_seq, m->first_in))
        return KN_EPROTO;
    if (kn_seq_newer(in_seq, m->hi_in)) {
        advance(m, in_seq);
        off = m->seq_off;
    } else if ((uint16_t)(m->hi_in - in_seq) < KN_SEQ_MAP_HIST) {
        off = m->hist[in_seq % KN_SEQ_MAP_HIST]; /* late: the number reserved for it */
    } else {
        return KN_EPROTO;
    }
    *out_seq = (uint16_t)(in_seq + off);
    *out_ts = in_ts + m->ts_off;
    if (!m->started || kn_seq_newer(*out_seq, m->last_out)) {
        m->last_out = *out_seq;
        m->last_ts = *out_ts;
        m->last_ms = now_ms;
    }
    m->started = true;
    return 0;
}
