/*
 * sfu_dynacast.c: producer.layers_needed → sfu.layers to the publisher (see
 * sfu_dynacast.h).
 */
#include "room/sfu_dynacast.h"

#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "room/sfu_room.h"

int kn_sfu_dynacast_msg(json_t *params, json_t **msg) {
    *msg = NULL;
    json_t *encs = json_object_get(params, "encodings");
    size_t n = json_array_size(encs);
    if (!json_is_array(encs) || n == 0 || n > KN_SFU_DYNACAST_MAX_ENC)
        return KN_EINVAL;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(encs, i);
        if (!json_is_string(json_object_get(e, "rid")) ||
            !json_is_boolean(json_object_get(e, "active")))
            return KN_EINVAL;
    }
    json_t *out = json_array();
    for (size_t i = 0; out != NULL && i < n; i++) {
        json_t *e = json_array_get(encs, i);
        if (json_array_append_new(out, json_pack("{s:O,s:O}", "rid", json_object_get(e, "rid"),
                                                 "active", json_object_get(e, "active"))) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    *msg = out ? json_pack("{s:i,s:s,s:s,s:o}", "v", 1, "type", "sfu.layers", "kind", "video",
                           "encodings", out)
               : NULL;
    return *msg != NULL ? 0 : KN_ENOMEM;
}

/* The SFU state of the participant publishing `producer`, or NULL. */
static kn_sfupart *publisher_of(kn_room *r, const char *producer) {
    for (unsigned i = 0; i < KN_ROOM_MAX_PARTS; i++) {
        kn_sfupart *sp = r->parts[i].used ? r->parts[i].sfu : NULL;
        for (unsigned k = 0; sp != NULL && k < sp->n_prod; k++)
            if (sp->prod[k].kind == KN_SDP_VIDEO && strcmp(sp->prod[k].id, producer) == 0)
                return sp;
    }
    return NULL;
}

bool kn_sfu_dynacast_on_event(kn_room *r, const char *event, json_t *params) {
    json_t *msg;
    if (strcmp(event, "producer.layers_needed") != 0)
        return false;
    const char *producer = json_string_value(json_object_get(params, "producer"));
    kn_sfupart *sp = producer != NULL && r->mode == KN_MODE_SFU ? publisher_of(r, producer) : NULL;
    if (sp == NULL)
        return true;
    int rc = kn_sfu_dynacast_msg(params, &msg);
    if (rc != 0) {
        KN_LOG_WARN("rooms", "producer.layers_needed for %s: %s", producer, kn_strerror(rc));
        return true;
    }
    KN_LOG_DEBUG("rooms", "sfu.layers to %s for %s", sp->id, producer);
    kn_sfupart_send(sp, msg);
    return true;
}
