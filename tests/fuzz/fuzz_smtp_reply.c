/*
 * fuzz_smtp_reply.c: libFuzzer target for the SMTP reply and EHLO extension
 * parser (signaling/notify/smtp_reply.c): parses consecutive replies from
 * the input the way the client's read loop does, reading extensions from each.
 */
#include <stdint.h>
#include <string.h>

#include "notify/smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kn_smtp_reply r;
    kn_smtp_ehlo e;
    size_t off = 0;
    while (off < size && kn_smtp_reply_parse(data + off, size - off, &r) == 0) {
        if (r.len == 0 || r.len > size - off || r.text_off + r.text_len > r.len)
            __builtin_trap();
        kn_smtp_reply_ehlo(data + off, &r, &e);
        off += r.len;
    }
    return 0;
}
