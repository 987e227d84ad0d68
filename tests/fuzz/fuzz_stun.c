/*
 * fuzz_stun.c: libFuzzer target for kn_stun_parse and the FINGERPRINT /
 * MESSAGE-INTEGRITY checks; a parsed message's transaction id and mapped
 * address are answered with kn_stun_write_success, which must verify.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ice/stun.h"

static const uint8_t key[] = "Zq8mX2vB7nK4pL9sW3dF6gH1";

static void check_answer(const uint8_t *data, const kn_stun *m) {
    kn_stun_addr a = {
        .family = 1, .port = 9, .addr = {127, 0, 0, 1}
    };
    uint8_t out[128];
    kn_stun r;
    size_t n;

    if (m->has_xor_mapped)
        a = m->xor_mapped;
    if (kn_stun_write_success(data + m->tid_off, &a, key, sizeof(key) - 1, out, sizeof(out), &n) !=
            0 ||
        kn_stun_parse(out, n, &r) != 0 || kn_stun_check_fingerprint(out, n, &r) != 0 ||
        kn_stun_check_integrity(out, n, &r, key, sizeof(key) - 1) != 0 ||
        r.xor_mapped.family != a.family || r.xor_mapped.port != a.port ||
        memcmp(r.xor_mapped.addr, a.addr, sizeof(a.addr)) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kn_stun m;

    if (kn_stun_parse(data, size, &m) != 0)
        return 0;
    if (m.has_username && m.username_off + m.username_len > size)
        abort();
    (void)kn_stun_check_fingerprint(data, size, &m);
    (void)kn_stun_check_integrity(data, size, &m, key, sizeof(key) - 1);
    check_answer(data, &m);
    return 0;
}
