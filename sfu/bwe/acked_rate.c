/*
 * acked_rate.c: acknowledged-bitrate estimator (see acked_rate.h); constants
 * of libwebrtc's bitrate_estimator.cc (uncertainty scale 10, noise 5).
 */
#include "bwe/acked_rate.h"

#define INITIAL_WINDOW_US 500000
#define WINDOW_US         150000
#define UNCERTAINTY       10.0
#define NOISE             5.0

void kn_acked_rate_init(kn_acked_rate *r) {
    r->prev_us = -1;
    r->window_us = 0;
    r->sum_bytes = 0;
    r->kbps = -1;
    r->var = 50;
}

/* Returns a sample in kbit/s when a window completed, else -1. */
static double window_sample(kn_acked_rate *r, int64_t now_us, uint32_t size, int64_t win_us) {
    double sample = -1;

    if (now_us < r->prev_us) {
        r->prev_us = -1;
        r->sum_bytes = 0;
        r->window_us = 0;
    }
    if (r->prev_us >= 0) {
        r->window_us += now_us - r->prev_us;
        if (now_us - r->prev_us > win_us) {
            r->sum_bytes = 0;
            r->window_us %= win_us;
        }
    }
    r->prev_us = now_us;
    if (r->window_us >= win_us) {
        sample = (double)r->sum_bytes * 8 * 1000 / (double)win_us; /* kbit/s */
        r->window_us -= win_us;
        r->sum_bytes = 0;
    }
    r->sum_bytes += size;
    return sample;
}

void kn_acked_rate_on_packet(kn_acked_rate *r, int64_t recv_us, uint32_t size) {
    int64_t win = r->kbps < 0 ? INITIAL_WINDOW_US : WINDOW_US;
    double s = window_sample(r, recv_us, size, win), unc, svar, pvar, d;

    if (s < 0)
        return;
    if (r->kbps < 0) {
        r->kbps = s;
        return;
    }
    d = r->kbps - s;
    unc = UNCERTAINTY * (d < 0 ? -d : d) / (r->kbps > 0 ? r->kbps : 1);
    svar = unc * unc;
    pvar = r->var + NOISE;
    if (svar + pvar <= 0) {
        r->kbps = s;
        return;
    }
    r->kbps = (svar * r->kbps + pvar * s) / (svar + pvar);
    if (r->kbps < 0)
        r->kbps = 0;
    r->var = svar * pvar / (svar + pvar);
}

double kn_acked_rate_bps(const kn_acked_rate *r) {
    return r->kbps < 0 ? 0 : r->kbps * 1000;
}
