/*
 * layer_query.c: parser of the WHEP layer-selection query (layer_query.h).
 */
#include "whip/layer_query.h"

#include <string.h>

#include "core/err.h"

/* "0".."2" → 0..2, else -1. */
static int digit_0_2(const char *v, size_t n) {
    return n == 1 && v[0] >= '0' && v[0] <= '2' ? v[0] - '0' : -1;
}

/* "q"/"h"/"f" → 0/1/2 (the rids konsil's clients publish), else -1. */
static int rid_layer(const char *v, size_t n) {
    static const char rids[] = "qhf";
    const char *hit = n == 1 ? memchr(rids, v[0], 3) : NULL;
    return hit ? (int)(hit - rids) : -1;
}

static int set_once(int *field, int value, const char **reason, const char *bad) {
    if (value < 0 || *field >= 0) {
        *reason = bad;
        return KN_EINVAL;
    }
    *field = value;
    return 0;
}

static int one_arg(const char *a, size_t n, kn_layer_query *out, int *layer, const char **reason) {
    const char *eq = memchr(a, '=', n);
    size_t kl = eq ? (size_t)(eq - a) : n;
    const char *v = eq ? eq + 1 : a + n;
    size_t vl = eq ? n - kl - 1 : 0;
    if (kl == 11 && memcmp(a, "max_spatial", 11) == 0)
        return set_once(&out->max_spatial, digit_0_2(v, vl), reason,
                        "max_spatial must be given once as 0, 1 or 2");
    if (kl == 12 && memcmp(a, "max_temporal", 12) == 0)
        return set_once(&out->max_temporal, digit_0_2(v, vl), reason,
                        "max_temporal must be given once as 0, 1 or 2");
    if (kl == 5 && memcmp(a, "layer", 5) == 0)
        return set_once(layer, rid_layer(v, vl), reason, "layer must be given once as q, h or f");
    return 0;
}

int kn_layer_query_parse(const char *q, size_t len, kn_layer_query *out, const char **reason) {
    int layer = -1;
    out->max_spatial = out->max_temporal = -1;
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(q + i, '&', len - i);
        size_t n = amp ? (size_t)(amp - (q + i)) : len - i;
        int rc = one_arg(q + i, n, out, &layer, reason);
        if (rc != 0)
            return rc;
        i += n + 1;
    }
    if (layer >= 0 && out->max_spatial >= 0) {
        *reason = "give either layer or max_spatial";
        return KN_EINVAL;
    }
    if (layer >= 0)
        out->max_spatial = layer;
    return 0;
}
