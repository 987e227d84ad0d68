/*
 * remb.h: fallback estimator for subscribers without transport-wide CC: follows
 * the receiver's REMB (draft-alvestrand-rmcat-remb-03), lowered by RR loss as
 * GCC's loss controller does (> 10 %: x (1 - 0.5 p); < 2 %: back up by 8 %
 * per report, never above REMB). State embedded; no allocation.
 */
#ifndef KN_REMB_H
#define KN_REMB_H

#include <stdint.h>

#include "bwe/bwe.h"

typedef struct kn_remb {
    uint32_t min_bps, max_bps;
    double remb_bps; /* start_bps until the first REMB */
    double loss_bps; /* loss-limited rate; starts at max */
    uint64_t last_decrease_us;
    uint32_t rtt_us;
} kn_remb;

#endif
