/*
 * fuzz_config.c: libFuzzer target for the KEY=VALUE settings-file parser
 * (signaling/conf/config.c, kn_sigcfg_parse_text). Checks that a failed parse
 * names a line within the input and that every parsed value stays
 * NUL-terminated inside its field.
 */
#include <stdint.h>
#include <string.h>

#include "conf/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static kn_sigcfg c;
    const char *err = NULL;
    unsigned line = 0;
    size_t lines = 1;
    kn_sigcfg_defaults(&c);
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    int rc = kn_sigcfg_parse_text(&c, (const char *)data, size, &err, &line);
    if (rc != 0 && (err == NULL || line == 0 || line > lines))
        __builtin_trap();
    if (memchr(c.tls_cert, '\0', sizeof(c.tls_cert)) == NULL ||
        memchr(c.metrics_token, '\0', sizeof(c.metrics_token)) == NULL ||
        memchr(c.ext[KN_CFG_SMTP_HOST], '\0', sizeof(c.ext[0])) == NULL)
        __builtin_trap();
    return 0;
}
