/*
 * fuzz_jwt.c: libFuzzer target for HS256 token verification
 * (signaling/auth/jwt.c) and the base64url decoder.
 */
#include <stdint.h>
#include <string.h>

#include "auth/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char secret[] = "fuzz-secret";
    kn_jwt_claims claims;
    uint8_t raw[4096];
    kn_jwt_verify(data, size, (const uint8_t *)secret, strlen(secret), 1800000000, &claims);
    kn_b64url_decode((const char *)data, size, raw, sizeof(raw));
    return 0;
}
