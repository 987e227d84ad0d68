/*
 * fuzz_sfu_conf.c: libFuzzer target for konsil-sfu's --config parser
 * (sfu/conf/sfu_conf.c, kn_sfuconf_parse). Checks that a failed parse names a
 * line within the input with a message, and that parsed values are valid
 * enum members.
 */
#include <stdint.h>
#include <string.h>

#include "conf/sfu_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kn_sfuconf c;
    const char *why = NULL;
    unsigned line = 0;
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    int rc = kn_sfuconf_parse(data, size, &c, &line, &why);
    if (rc != 0 && (why == NULL || (size <= KN_SFUCONF_MAX_BYTES && (line == 0 || line > lines))))
        __builtin_trap();
    if (rc == 0 && ((c.has_level && (c.level < KN_LOG_ERROR || c.level > KN_LOG_DEBUG)) ||
                    (c.has_format && c.format != KN_LOG_TEXT && c.format != KN_LOG_JSON)))
        __builtin_trap();
    return 0;
}
