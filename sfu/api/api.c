/*
 * api.c: dispatch table and handlers of the control API.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "api/api_metrics.h"
#include "api/api_params.h"
#include "api/api_stats.h"
#include "core/err.h"
#include "core/log.h"
#include "router/consumer.h"
#include "router/producer.h"
#include "router/room.h"
#include "router/transport.h"
#include "router/worker.h"
#include "srtp/srtp_session.h"

enum { KN_API_ROOM = 1, KN_API_PEER = 2 };

typedef struct kn_api_call {
    kn_worker *w;
    kn_room *room;
    kn_transport *peer;
    char err[KN_API_ERR_MAX];
} kn_api_call;

typedef int (*kn_api_handler)(kn_api_call *call, json_t *params, json_t **result);

struct kn_api_method {
    const char *name;
    kn_api_handler fn;
    unsigned needs;
};

static json_t *candidates(kn_worker *w) {
    char foundation[16];
    snprintf(foundation, sizeof(foundation), "%u", (unsigned)w->port);
    /* RFC 8445 §5.1.2.1 type preference host 126; TCP below UDP (RFC 6544 §4.2). */
    return json_pack("[{s:s,s:i,s:s,s:I,s:s,s:i,s:s},{s:s,s:i,s:s,s:I,s:s,s:i,s:s,s:s}]",
                     "foundation", "1", "component", 1, "transport", "udp", "priority",
                     (json_int_t)2130706431, "ip", w->announce_ip, "port", w->port, "type",
                     "host", "foundation", "2", "component", 1, "transport", "tcp", "priority",
                     (json_int_t)1015022079, "ip", w->announce_ip, "port", w->port, "type",
                     "host", "tcptype", "passive");
}

static json_t *fingerprint(kn_worker *w) {
    return json_pack("{s:s,s:s}", "algorithm", "sha-256", "value",
                     kn_dtls_ctx_fingerprint(w->dtls_ctx));
}

static int api_sfu_info(kn_api_call *call, json_t *params, json_t **result) {
    (void)params;
    kn_worker *w = call->w;
    json_t *pool = json_pack("{s:I,s:I,s:I,s:I}", "slots", (json_int_t)w->pool.count, "in_use",
                             (json_int_t)w->pool.in_use, "peak", (json_int_t)w->pool.peak,
                             "empty", (json_int_t)w->stats.pool_empty);
    *result = json_pack("{s:s,s:s,s:o,s:o,s:i,s:i,s:o}", "version", KN_VERSION, "srtp_backend",
                        kn_srtp_backend(), "fingerprint", fingerprint(w), "candidates",
                        candidates(w), "rooms", w->n_rooms, "peers", w->n_peers, "pool", pool);
    return 0;
}

static int api_metrics(kn_api_call *call, json_t *params, json_t **result) {
    (void)params;
    *result = kn_api_metrics(call->w);
    return *result != NULL ? 0 : KN_ENOMEM;
}

/* params: {"level": "error"|"warn"|"info"|"debug"} (signaling forwards its SIGHUP reload). */
static int api_log_set_level(kn_api_call *call, json_t *params, json_t **result) {
    const char *name = json_string_value(json_object_get(params, "level"));
    kn_log_level level;
    if (name == NULL || kn_log_level_parse(name, &level) != 0) {
        snprintf(call->err, sizeof(call->err), "params.level: expected error, warn, info or debug");
        return KN_EINVAL;
    }
    if (level != kn_log_get_level())
        KN_LOG_INFO("api", "log level %s", name);
    kn_log_set_level(level);
    *result = json_object();
    return 0;
}

static int api_room_create(kn_api_call *call, json_t *params, json_t **result) {
    const char *id;
    kn_room *r;
    int rc = kn_api_get_id(params, "room", &id, call->err);
    if (rc == 0 && (rc = kn_room_create(call->w, id, &r)) == 0)
        *result = json_object();
    return rc;
}

static int api_room_destroy(kn_api_call *call, json_t *params, json_t **result) {
    (void)params;
    kn_room_destroy(call->room);
    *result = json_object();
    return 0;
}

static int parse_role(json_t *dtls, kn_transport_opts *o, char *err) {
    const char *role;
    int rc;
    o->role = KN_DTLS_SERVER;
    if (json_object_get(dtls, "role") == NULL)
        return 0; /* offer mode: the SFU offers actpass and expects an active answer */
    if ((rc = kn_api_get_str(dtls, "params.dtls", "role", 6, 6, &role, err)) != 0)
        return rc;
    if (strcmp(role, "client") == 0)
        o->role = KN_DTLS_CLIENT;
    else if (strcmp(role, "server") != 0)
        return snprintf(err, KN_API_ERR_MAX, "params.dtls.role: not server or client"), KN_EINVAL;
    return 0;
}

/* The remote side's ICE credentials, DTLS fingerprint and the SFU's role. */
static int parse_remote(kn_api_call *call, json_t *params, kn_transport_opts *o) {
    json_t *ice = json_object_get(params, "ice"), *dtls = json_object_get(params, "dtls");
    json_t *fp = json_object_get(dtls, "fingerprint");
    int rc;
    if ((rc = kn_api_get_str(ice, "params.ice", "ufrag", 4, 256, &o->remote_ufrag, call->err)) !=
            0 ||
        (rc = kn_api_get_str(ice, "params.ice", "pwd", 22, 256, &o->remote_pwd, call->err)) != 0 ||
        (rc = kn_api_get_str(fp, "params.dtls.fingerprint", "algorithm", 1, 16, &o->fp_alg,
                             call->err)) != 0 ||
        (rc = kn_api_get_str(fp, "params.dtls.fingerprint", "value", 1, 200, &o->fp_value,
                             call->err)) != 0)
        return rc;
    if (json_object_get(dtls, "role") == NULL)
        return snprintf(call->err, KN_API_ERR_MAX, "params.dtls.role: missing"), KN_EINVAL;
    if ((rc = parse_role(dtls, o, call->err)) != 0)
        return rc;
    kn_fingerprint parsed;
    if (kn_fingerprint_parse(o->fp_alg, o->fp_value, &parsed) != 0) {
        snprintf(call->err, sizeof(call->err), "params.dtls.fingerprint: malformed");
        return KN_EINVAL;
    }
    return 0;
}

/* With `ice` the remote side offered (or answered) already; without `ice` and
 * `dtls.fingerprint` the SFU offers and peer.set_remote completes the peer. */
static int parse_peer(kn_api_call *call, json_t *params, kn_transport_opts *o) {
    json_t *dtls = json_object_get(params, "dtls");
    int rc;
    memset(o, 0, sizeof(*o));
    if ((rc = kn_api_get_id(params, "peer", &o->id, call->err)) != 0)
        return rc;
    if (json_object_get(params, "ice") != NULL || json_object_get(dtls, "fingerprint") != NULL)
        return parse_remote(call, params, o);
    return parse_role(dtls, o, call->err);
}

static int api_peer_create(kn_api_call *call, json_t *params, json_t **result) {
    kn_transport_opts o;
    kn_transport *t;
    int rc = parse_peer(call, params, &o);
    if (rc != 0 || (rc = kn_transport_create(call->room, &o, &t)) != 0)
        return rc;
    *result = json_pack("{s:{s:s,s:s,s:b},s:{s:o,s:s},s:o}", "ice", "ufrag", t->ice.ufrag, "pwd",
                        t->ice.pwd, "lite", 1, "dtls", "fingerprint", fingerprint(call->w),
                        "role", o.role == KN_DTLS_SERVER ? "server" : "client", "candidates",
                        candidates(call->w));
    return 0;
}

static int api_peer_set_remote(kn_api_call *call, json_t *params, json_t **result) {
    kn_transport_opts o;
    memset(&o, 0, sizeof(o));
    int rc = parse_remote(call, params, &o);
    if (rc == 0 && call->peer->remote_set) {
        snprintf(call->err, sizeof(call->err), "peer %s: remote parameters already set",
                 call->peer->id);
        return KN_ESTATE;
    }
    if (rc != 0 || (rc = kn_transport_set_remote(call->peer, &o)) != 0)
        return rc;
    *result = json_object();
    return 0;
}

static int api_peer_destroy(kn_api_call *call, json_t *params, json_t **result) {
    (void)params;
    kn_transport_destroy(call->peer, NULL);
    *result = json_object();
    return 0;
}

static int api_peer_stats(kn_api_call *call, json_t *params, json_t **result) {
    (void)params;
    *result = kn_api_peer_stats(call->peer);
    return *result != NULL ? 0 : KN_ENOMEM;
}

static int api_producer_create(kn_api_call *call, json_t *params, json_t **result) {
    kn_rtp_params rp;
    const char *id;
    kn_producer *p;
    int rc;
    if ((rc = kn_api_get_id(params, "producer", &id, call->err)) != 0 ||
        (rc = kn_api_parse_producer(params, &rp, call->err)) != 0)
        return rc;
    if (kn_room_find_producer(call->room, id) != NULL)
        return KN_EEXIST;
    if ((rc = kn_producer_create(call->peer, id, &rp, &p)) != 0)
        return rc;
    *result = json_object();
    return 0;
}

static int get_producer(kn_api_call *call, json_t *params, kn_producer **p) {
    const char *id;
    int rc = kn_api_get_id(params, "producer", &id, call->err);
    if (rc != 0)
        return rc;
    if ((*p = kn_room_find_producer(call->room, id)) == NULL)
        return KN_ENOENT;
    return 0;
}

static int get_consumer(kn_api_call *call, json_t *params, kn_consumer **c) {
    const char *id;
    int rc = kn_api_get_id(params, "consumer", &id, call->err);
    if (rc != 0)
        return rc;
    if ((*c = kn_room_find_consumer(call->room, id)) == NULL)
        return KN_ENOENT;
    return 0;
}

static int api_producer_destroy(kn_api_call *call, json_t *params, json_t **result) {
    kn_producer *p;
    int rc = get_producer(call, params, &p);
    if (rc != 0)
        return rc;
    kn_producer_destroy(p);
    *result = json_object();
    return 0;
}

static int api_consumer_create(kn_api_call *call, json_t *params, json_t **result) {
    kn_rtp_params rp;
    const char *id;
    kn_producer *p;
    kn_consumer *c;
    int rc;
    if ((rc = kn_api_get_id(params, "consumer", &id, call->err)) != 0 ||
        (rc = get_producer(call, params, &p)) != 0 ||
        (rc = kn_api_parse_consumer(params, &rp, call->err)) != 0)
        return rc;
    json_t *paused = json_object_get(params, "paused");
    if (paused != NULL && !json_is_boolean(paused)) {
        snprintf(call->err, sizeof(call->err), "params.paused: not a boolean");
        return KN_EINVAL;
    }
    if (kn_room_find_consumer(call->room, id) != NULL)
        return KN_EEXIST;
    rp.kind = p->params.kind;
    if ((rc = kn_consumer_create(call->peer, p, id, &rp, &c)) != 0) {
        if (rc == KN_EINVAL)
            snprintf(call->err, sizeof(call->err), "params.codecs: no codec of the producer");
        return rc;
    }
    if (json_is_true(paused)) /* before any packet: nothing leaks until set_preferences */
        kn_consumer_set_preferences(c, c->sel.max_spatial, c->sel.max_temporal, true,
                                    kn_worker_now(call->w));
    *result = json_pack("{s:I}", "ssrc", (json_int_t)c->send.ssrc);
    if (c->send.rtx_ssrc != 0)
        json_object_set_new(*result, "rtx_ssrc", json_integer(c->send.rtx_ssrc));
    return 0;
}

static int api_consumer_destroy(kn_api_call *call, json_t *params, json_t **result) {
    kn_consumer *c;
    int rc = get_consumer(call, params, &c);
    if (rc != 0)
        return rc;
    kn_consumer_destroy(c);
    *result = json_object();
    return 0;
}

static int api_consumer_request_keyframe(kn_api_call *call, json_t *params, json_t **result) {
    kn_consumer *c;
    int rc = get_consumer(call, params, &c);
    if (rc != 0)
        return rc;
    kn_consumer_on_keyframe_request(c, false, kn_worker_now(call->w));
    *result = json_object();
    return 0;
}

/* Each field is optional (unchanged when absent); all are checked before any applies. */
static int get_layer(json_t *params, const char *key, uint8_t cur, uint8_t max, uint8_t *out,
                     char *err) {
    json_t *v = json_object_get(params, key);
    *out = cur;
    if (v == NULL)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        return snprintf(err, KN_API_ERR_MAX, "params.%s: not 0..%u", key, max), KN_EINVAL;
    *out = (uint8_t)json_integer_value(v);
    return 0;
}

static int api_consumer_set_preferences(kn_api_call *call, json_t *params, json_t **result) {
    kn_consumer *c;
    uint8_t spatial, temporal;
    json_t *paused = json_object_get(params, "paused");
    int rc = get_consumer(call, params, &c);
    if (rc != 0 ||
        (rc = get_layer(params, "max_spatial", c->sel.max_spatial, KN_LAYER_MAX_SPATIAL, &spatial,
                        call->err)) != 0 ||
        (rc = get_layer(params, "max_temporal", c->sel.max_temporal, KN_LAYER_MAX_TEMPORAL,
                        &temporal, call->err)) != 0)
        return rc;
    if (paused != NULL && !json_is_boolean(paused)) {
        snprintf(call->err, sizeof(call->err), "params.paused: not a boolean");
        return KN_EINVAL;
    }
    kn_consumer_set_preferences(c, spatial, temporal,
                                paused != NULL ? json_is_true(paused) : c->sel.paused,
                                kn_worker_now(call->w));
    *result = json_object();
    return 0;
}

static const struct kn_api_method methods[] = {
    {"sfu.info",                  api_sfu_info,                  0                        },
    {"metrics",                   api_metrics,                   0                        },
    {"log.set_level",             api_log_set_level,             0                        },
    {"room.create",               api_room_create,               0                        },
    {"room.destroy",              api_room_destroy,              KN_API_ROOM              },
    {"peer.create",               api_peer_create,               KN_API_ROOM              },
    {"peer.set_remote",           api_peer_set_remote,           KN_API_ROOM | KN_API_PEER},
    {"peer.destroy",              api_peer_destroy,              KN_API_ROOM | KN_API_PEER},
    {"peer.stats",                api_peer_stats,                KN_API_ROOM | KN_API_PEER},
    {"producer.create",           api_producer_create,           KN_API_ROOM | KN_API_PEER},
    {"producer.destroy",          api_producer_destroy,          KN_API_ROOM              },
    {"consumer.create",           api_consumer_create,           KN_API_ROOM | KN_API_PEER},
    {"consumer.destroy",          api_consumer_destroy,          KN_API_ROOM              },
    {"consumer.request_keyframe", api_consumer_request_keyframe, KN_API_ROOM              },
    {"consumer.set_preferences",  api_consumer_set_preferences,  KN_API_ROOM              },
};

static int resolve(kn_api_call *call, unsigned needs, json_t *params) {
    const char *id;
    int rc;
    if (needs & KN_API_ROOM) {
        if ((rc = kn_api_get_id(params, "room", &id, call->err)) != 0)
            return rc;
        if ((call->room = kn_worker_find_room(call->w, id)) == NULL) {
            snprintf(call->err, sizeof(call->err), "room %s", id);
            return KN_ENOENT;
        }
    }
    if (needs & KN_API_PEER) {
        if ((rc = kn_api_get_id(params, "peer", &id, call->err)) != 0)
            return rc;
        if ((call->peer = kn_room_find_transport(call->room, id)) == NULL) {
            snprintf(call->err, sizeof(call->err), "peer %s", id);
            return KN_ENOENT;
        }
    }
    return 0;
}

static json_t *error_response(json_t *id, int rc, const char *msg) {
    return json_pack("{s:O?,s:{s:s,s:s}}", "id", id, "error", "code", kn_strerror(rc), "message",
                     msg[0] ? msg : kn_strerror(rc));
}

json_t *kn_api_dispatch(kn_worker *w, json_t *request) {
    json_t *id = json_object_get(request, "id");
    const char *name = json_string_value(json_object_get(request, "method"));
    json_t *params = json_object_get(request, "params");
    kn_api_call call = {.w = w};
    json_t *result = NULL;

    if (id != NULL && !json_is_integer(id))
        return error_response(NULL, KN_EINVAL, "id: not an integer");
    if (params != NULL && !json_is_object(params))
        return error_response(id, KN_EINVAL, "params: not an object");
    for (size_t i = 0; name != NULL && i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (strcmp(methods[i].name, name) != 0)
            continue;
        json_t *empty = params ? NULL : json_object();
        int rc = resolve(&call, methods[i].needs, params ? params : empty);
        if (rc == 0)
            rc = methods[i].fn(&call, params ? params : empty, &result);
        json_decref(empty);
        if (rc != 0)
            return error_response(id, rc, call.err);
        return json_pack("{s:O?,s:o}", "id", id, "result", result ? result : json_object());
    }
    return error_response(id, KN_EINVAL, "method: unknown");
}
