/*
 * fixture.h: loads SDP fixtures from tests/unit/signaling/fixtures/ (ctest runs
 * unit tests with tests/unit as the working directory) into an exact-size heap
 * buffer, so ASan catches reads past the end.
 */
#ifndef KN_TEST_FIXTURE_H
#define KN_TEST_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline uint8_t *fixture_load(const char *name, size_t *len) {
    char path[256];
    static uint8_t tmp[65536];
    snprintf(path, sizeof(path), "signaling/fixtures/%s", name);
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (f == NULL)
        return NULL;
    *len = fread(tmp, 1, sizeof(tmp), f);
    fclose(f);
    uint8_t *p = malloc(*len ? *len : 1);
    if (p != NULL)
        for (size_t i = 0; i < *len; i++)
            p[i] = tmp[i];
    return p;
}

#endif
