/*
 * fuzz_signaling_msg.c: libFuzzer target for room signaling messages
 * (signaling/ws/ws_msg.c): parse, validate, free.
 */
#include <stdint.h>

#include "ws/ws_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kn_wsmsg m;
    if (kn_wsmsg_parse(data, size, &m) == 0)
        kn_wsmsg_free(&m);
    return 0;
}
