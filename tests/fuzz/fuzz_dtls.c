/*
 * fuzz_dtls.c: feeds the input as one received datagram into a fresh server-role kn_dtls
 * (dtls/dtls.c), as a ClientHello from an unknown peer would arrive. The process context
 * (certificate, SSL_CTX) is created once. Must never crash, leak or read out of bounds.
 * Seeds in corpus/dtls/: a real ClientHello from kn_dtls in the client role, and the two
 * fragments of the same ClientHello split the way Firefox splits a long one
 * (written by tests/unit/sfu/test_dtls.c with KONSIL_DTLS_CORPUS_DIR set).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dtls/dtls.h"

static void discard(void *arg, const uint8_t *p, size_t len) {
    (void)arg;
    (void)p;
    (void)len;
}

static kn_dtls_ctx *fuzz_ctx(void) {
    static kn_dtls_ctx *ctx;
    if (ctx == NULL && kn_dtls_ctx_create(&ctx) != 0)
        abort();
    return ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kn_dtls_ctx *ctx = fuzz_ctx();
    kn_dtls d;

    if (kn_dtls_init(&d, ctx, KN_DTLS_SERVER, "sha-256", kn_dtls_ctx_fingerprint(ctx), discard,
                     NULL) != 0)
        abort();
    kn_dtls_on_record(&d, data, size);
    if (kn_dtls_timeout_ms(&d) == 0)
        kn_dtls_on_timeout(&d);
    kn_dtls_close(&d);
    return 0;
}
