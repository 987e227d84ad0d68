/*
 * fuzz_control_msg.c: libFuzzer target for the signaling side of the control
 * API: line framing (signaling/ctl/ctl_msg.c) over the whole input, then the
 * response/event parser on every line.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ctl/ctl_msg.h"

static int on_line(void *arg, const uint8_t *line, size_t len) {
    kn_ctl_msg m;
    (void)arg;
    if (kn_ctl_msg_parse(line, len, &m) == 0)
        kn_ctl_msg_free(&m);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static kn_ctl_framer framer;
    kn_ctl_msg m;
    framer.len = 0;
    kn_ctl_framer_push(&framer, data, size, on_line, NULL);
    if (kn_ctl_msg_parse(data, size, &m) == 0)
        kn_ctl_msg_free(&m);
    return 0;
}
