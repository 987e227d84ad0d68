/*
 * ratelimit.c: token bucket in thousandths of a token, so 50 per second
 * refills exactly 0.05 tokens per millisecond without floating point.
 */
#include "ws/ratelimit.h"

void kn_ratelimit_init(kn_ratelimit *r, uint32_t rate, uint32_t burst, uint64_t now_ms) {
    r->rate = rate;
    r->burst = burst;
    r->milli_tokens = (uint64_t)burst * 1000;
    r->last_ms = now_ms;
}

bool kn_ratelimit_take(kn_ratelimit *r, uint64_t now_ms) {
    uint64_t cap = (uint64_t)r->burst * 1000;
    if (now_ms > r->last_ms) {
        uint64_t add = (now_ms - r->last_ms) * r->rate; /* ms * tokens/s = milli-tokens */
        r->milli_tokens = add >= cap - r->milli_tokens ? cap : r->milli_tokens + add;
        r->last_ms = now_ms;
    }
    if (r->milli_tokens < 1000)
        return false;
    r->milli_tokens -= 1000;
    return true;
}
