/*
 * fuzz_control_api.c: one control API line (JSON) into kn_api_dispatch over a worker
 * created once (UDP/TCP on 127.0.0.1, port 0). Every room an input created is
 * destroyed afterwards, so inputs do not pile up state. Each input line is one
 * request; the response must always be an object with "result" or "error".
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "api/api.h"
#include "router/room.h"
#include "router/worker.h"
#include "srtp/srtp_session.h"

static uv_loop_t loop;
static kn_worker worker;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!ready) {
        kn_srtp_global_init();
        uv_loop_init(&loop);
        if (kn_worker_init(&worker, &loop, "127.0.0.1", 0, "127.0.0.1", 0) != 0)
            abort();
        ready = 1;
    }
    /* One request per line, as on the socket; later lines build on earlier ones. */
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_t *req = json_loadb(p, n, JSON_REJECT_DUPLICATES, NULL);
        p += n + 1;
        if (req == NULL || !json_is_object(req)) {
            json_decref(req);
            continue;
        }
        json_t *resp = kn_api_dispatch(&worker, req);
        if (resp == NULL || (json_object_get(resp, "result") == NULL &&
                             json_object_get(resp, "error") == NULL))
            abort();
        json_decref(resp);
        json_decref(req);
    }
    while (worker.rooms != NULL)
        kn_room_destroy(worker.rooms);
    return 0;
}
