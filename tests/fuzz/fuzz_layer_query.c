/*
 * fuzz_layer_query.c: libFuzzer target for the WHEP layer-selection query
 * parser (signaling/whip/layer_query.c); results must stay in range.
 */
#include <stdint.h>
#include <stdlib.h>

#include "whip/layer_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kn_layer_query q;
    const char *reason = NULL;
    if (kn_layer_query_parse((const char *)data, size, &q, &reason) == 0 &&
        (q.max_spatial < -1 || q.max_spatial > 2 || q.max_temporal < -1 || q.max_temporal > 2))
        abort();
    return 0;
}
