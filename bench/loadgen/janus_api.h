/*
 * janus_api.h: the Janus 1.1.2 REST API (janus.plugin.videoroom) as the load
 * generator needs it during setup: a session, one handle per PeerConnection,
 * plugin messages with an optional JSEP, and the asynchronous reply fetched
 * from the session's long-poll (GET /janus/<session>?maxev=1) by transaction.
 * Blocking (setup only, before the media loop). A keepalive thread POSTs
 * {"janus":"keepalive"} every 20 s so the session (60 s timeout) outlives the
 * run without the media loop ever blocking. Uses http_client.h and jansson.
 */
#ifndef KN_JANUS_API_H
#define KN_JANUS_API_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

typedef struct kn_janus {
    char base[256];   /* e.g. http://127.0.0.1:8088/janus */
    char session_url[320];
    uint64_t session;
    unsigned next_tid;
    pthread_t keepalive;
    bool keepalive_running;
    volatile bool stop;
} kn_janus;

/* Creates a session. Returns 0, KN_EIO (HTTP), KN_EPROTO (unexpected reply). */
int kn_janus_open(kn_janus *j, const char *base);

/* Attaches janus.plugin.videoroom; *handle is the new handle id. */
int kn_janus_attach(kn_janus *j, uint64_t *handle);

/*
 * Sends a plugin message (`body` is consumed) with an optional JSEP
 * (jsep_type "offer"/"answer" and sdp). A synchronous "success" reply returns
 * its plugindata.data; an "ack" waits (up to 20 s) for the event with the same
 * transaction and returns its plugindata.data, with the event's jsep.sdp copied
 * into *sdp_out (malloc'd, NULL if none) when sdp_out != NULL. *data is owned by
 * the caller (json_decref). Returns 0, KN_EIO, KN_EPROTO (an "error" reply or a
 * plugin error, logged), KN_ELIMIT (timeout).
 */
int kn_janus_message(kn_janus *j, uint64_t handle, json_t *body, const char *jsep_type,
                     const char *sdp, json_t **data, char **sdp_out);

/* Starts the keepalive thread. Returns 0 or KN_EIO. */
int kn_janus_keepalive_start(kn_janus *j);

/* Stops the keepalive thread and destroys the session (best effort). */
void kn_janus_close(kn_janus *j);

#endif
