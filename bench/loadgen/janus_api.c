/*
 * janus_api.c: blocking Janus REST calls for setup (see janus_api.h).
 */
#include "janus_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "http_client.h"

#define EVENT_WAIT_POLLS 20 /* long-polls of up to 30 s; Janus answers within ms */
#define EVENT_BATCH 64

/* POSTs `req` (consumed) to url and parses the reply into *out. */
static int post_json(const char *url, json_t *req, json_t **out) {
    char *txt = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (txt == NULL)
        return KN_ENOMEM;
    kn_http_resp r;
    int rc = kn_http_request("POST", url, NULL, "application/json", txt, &r);
    free(txt);
    if (rc != 0)
        return rc;
    *out = json_loads(r.body, 0, NULL);
    kn_http_resp_free(&r);
    return *out ? 0 : KN_EPROTO;
}

static void new_tid(kn_janus *j, char *tid, size_t cap) {
    snprintf(tid, cap, "kn%u", j->next_tid++);
}

static bool is(const json_t *o, const char *janus) {
    const char *v = json_string_value(json_object_get(o, "janus"));
    return v && strcmp(v, janus) == 0;
}

int kn_janus_open(kn_janus *j, const char *base) {
    json_t *r = NULL;
    memset(j, 0, sizeof(*j));
    snprintf(j->base, sizeof(j->base), "%s", base);
    int rc = post_json(base, json_pack("{s:s, s:s}", "janus", "create", "transaction", "kn-create"), &r);
    if (rc != 0)
        return rc;
    json_t *id = json_object_get(json_object_get(r, "data"), "id");
    rc = is(r, "success") && json_is_integer(id) ? 0 : KN_EPROTO;
    if (rc == 0) {
        j->session = (uint64_t)json_integer_value(id);
        snprintf(j->session_url, sizeof(j->session_url), "%s/%llu", base,
                 (unsigned long long)j->session);
    }
    json_decref(r);
    return rc;
}

int kn_janus_attach(kn_janus *j, uint64_t *handle) {
    char tid[32];
    json_t *r = NULL;
    new_tid(j, tid, sizeof(tid));
    int rc = post_json(j->session_url, json_pack("{s:s, s:s, s:s}", "janus", "attach", "plugin",
                                                 "janus.plugin.videoroom", "transaction", tid), &r);
    if (rc != 0)
        return rc;
    json_t *id = json_object_get(json_object_get(r, "data"), "id");
    rc = is(r, "success") && json_is_integer(id) ? 0 : KN_EPROTO;
    if (rc == 0)
        *handle = (uint64_t)json_integer_value(id);
    json_decref(r);
    return rc;
}

/* plugindata.data of a reply, checked for a plugin "error". */
static int take_data(json_t *reply, json_t **data) {
    json_t *d = json_object_get(json_object_get(reply, "plugindata"), "data");
    if (d == NULL)
        return KN_EPROTO;
    if (json_object_get(d, "error")) {
        kn_log(KN_LOG_ERROR, "janus", "videoroom error %lld: %s",
               (long long)json_integer_value(json_object_get(d, "error_code")),
               json_string_value(json_object_get(d, "error")));
    }
    *data = json_incref(d);
    return json_object_get(d, "error") ? KN_EPROTO : 0;
}

/* Takes the event with transaction `tid` out of one long-poll reply (an object, or
 * an array with maxev > 1); everything else (keepalive, webrtcup, media, other
 * publishers' notifications) is dropped. */
static json_t *pick_event(json_t *reply, const char *tid) {
    size_t i;
    json_t *e;
    if (json_is_object(reply)) {
        const char *t = json_string_value(json_object_get(reply, "transaction"));
        return t && strcmp(t, tid) == 0 ? json_incref(reply) : NULL;
    }
    json_array_foreach(reply, i, e) {
        const char *t = json_string_value(json_object_get(e, "transaction"));
        if (t && strcmp(t, tid) == 0)
            return json_incref(e);
    }
    return NULL;
}

/* Long-polls until the event with transaction `tid` arrives. Many rooms produce many
 * unrelated events, so each poll drains up to EVENT_BATCH of them. */
static int wait_event(kn_janus *j, const char *tid, json_t **ev) {
    char url[400];
    snprintf(url, sizeof(url), "%s?maxev=%d", j->session_url, EVENT_BATCH);
    for (int i = 0; i < EVENT_WAIT_POLLS; i++) {
        kn_http_resp r;
        int rc = kn_http_request("GET", url, NULL, NULL, NULL, &r);
        if (rc != 0)
            return rc;
        json_t *reply = json_loads(r.body, 0, NULL);
        kn_http_resp_free(&r);
        *ev = pick_event(reply, tid);
        json_decref(reply);
        if (*ev)
            return 0;
    }
    return KN_ELIMIT;
}

int kn_janus_message(kn_janus *j, uint64_t handle, json_t *body, const char *jsep_type,
                     const char *sdp, json_t **data, char **sdp_out) {
    char tid[32], url[400];
    json_t *r = NULL, *ev = NULL;
    new_tid(j, tid, sizeof(tid));
    snprintf(url, sizeof(url), "%s/%llu", j->session_url, (unsigned long long)handle);
    json_t *req = json_pack("{s:s, s:s, s:o}", "janus", "message", "transaction", tid, "body", body);
    if (jsep_type)
        json_object_set_new(req, "jsep", json_pack("{s:s, s:s}", "type", jsep_type, "sdp", sdp));
    if (sdp_out)
        *sdp_out = NULL;
    int rc = post_json(url, req, &r);
    if (rc != 0)
        return rc;
    if (is(r, "success")) {
        rc = take_data(r, data);
    } else if (!is(r, "ack")) {
        kn_log(KN_LOG_ERROR, "janus", "request failed: %s",
               json_string_value(json_object_get(json_object_get(r, "error"), "reason")));
        rc = KN_EPROTO;
    } else if ((rc = wait_event(j, tid, &ev)) == 0) {
        rc = take_data(ev, data);
        const char *s = json_string_value(json_object_get(json_object_get(ev, "jsep"), "sdp"));
        if (rc == 0 && sdp_out && s && (*sdp_out = strdup(s)) == NULL)
            rc = KN_ENOMEM;
    }
    json_decref(ev);
    json_decref(r);
    return rc;
}

static void *keepalive_main(void *arg) {
    kn_janus *j = arg;
    while (!j->stop) {
        for (int i = 0; i < 200 && !j->stop; i++)
            usleep(100000); /* 20 s, stoppable every 100 ms */
        json_t *r = NULL;
        if (!j->stop &&
            post_json(j->session_url, json_pack("{s:s, s:s}", "janus", "keepalive", "transaction",
                                                "kn-keepalive"), &r) == 0)
            json_decref(r);
    }
    return NULL;
}

int kn_janus_keepalive_start(kn_janus *j) {
    if (pthread_create(&j->keepalive, NULL, keepalive_main, j) != 0)
        return KN_EIO;
    j->keepalive_running = true;
    return 0;
}

void kn_janus_close(kn_janus *j) {
    json_t *r = NULL;
    j->stop = true;
    if (j->keepalive_running)
        pthread_join(j->keepalive, NULL);
    j->keepalive_running = false;
    if (j->session &&
        post_json(j->session_url, json_pack("{s:s, s:s}", "janus", "destroy", "transaction",
                                            "kn-destroy"), &r) == 0)
        json_decref(r);
    j->session = 0;
}
