/*
 * fuzz_sms_status.c: libFuzzer target for the SMS gateway's HTTP status-line
 * parser (signaling/notify/sms.c, kn_sms_status_parse).
 */
#include <stdint.h>

#include "notify/sms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int status = 0;
    if (kn_sms_status_parse(data, size, &status) == 0 && (status < 100 || status > 599))
        __builtin_trap();
    return 0;
}
