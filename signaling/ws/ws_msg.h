/*
 * ws_msg.h: parser and validator of the room signaling messages a client sends
 * (docs/signaling-protocol.md, version 1). Pure: one JSON text in, a typed
 * message out, nothing else touched. Every field a handler reads is checked
 * here, so handlers never see a malformed message.
 */
#ifndef KN_WS_MSG_H
#define KN_WS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define KN_WSMSG_MAX_LEN       65536
#define KN_WSMSG_MAX_SDP       60000
#define KN_WSMSG_MAX_PSEUDONYM 32 /* characters */
#define KN_WSMSG_PART_ID_LEN   9  /* "p" + 8 hex */
#define KN_WSMSG_RESUME_LEN    22 /* base64url of 16 bytes */
#define KN_WSMSG_MAX_MID       15 /* sfu.preferences mid: [A-Za-z0-9] */

/* Protocol errors beyond core/err.h (only inside signaling/ws and room/). */
enum {
    KN_WS_EFORBIDDEN = -64, /* "forbidden": the role may not do this */
    KN_WS_ETOOLARGE = -65,  /* "too_large" */
    KN_WS_ERATE = -66,      /* "rate_limited" */
    KN_WS_EUNAVAIL = -67,   /* "unavailable": SFU down or target reconnecting */
};

typedef enum {
    KN_WSMSG_JOIN = 0,
    KN_WSMSG_RESUME,
    KN_WSMSG_PING,
    KN_WSMSG_LEAVE,
    KN_WSMSG_STATE,
    KN_WSMSG_P2P_OFFER,
    KN_WSMSG_P2P_ANSWER,
    KN_WSMSG_P2P_CANDIDATE,
    KN_WSMSG_P2P_READY,
    KN_WSMSG_KICK,
    KN_WSMSG_SFU_PUBLISH,
    KN_WSMSG_SFU_UNPUBLISH,
    KN_WSMSG_SFU_SUB_ANSWER,
    KN_WSMSG_SFU_PREFS,
    KN_WSMSG_MUTE_REQUEST,
    KN_WSMSG_END,
    KN_WSMSG_N_TYPES
} kn_wsmsg_type;

/* A boolean field that may be absent. */
typedef enum { KN_WSMSG_UNSET = 0, KN_WSMSG_FALSE, KN_WSMSG_TRUE } kn_wsmsg_bool;

typedef struct kn_wsmsg {
    json_t *root; /* owned; strings below point into it */
    kn_wsmsg_type type;
    int64_t id; /* -1 when absent */
    const char *token;     /* join */
    const char *pseudonym; /* join, NULL when absent */
    kn_wsmsg_bool audio, video; /* join, state */
    const char *resume_token;   /* resume */
    const char *to;             /* p2p.*: target participant id */
    const char *target;         /* kick, mute-request: participant_id; sfu.preferences: participant */
    const char *sdp;            /* p2p.offer/answer, sfu.publish, sfu.subscribe.answer */
    size_t sdp_len;
    json_t *candidate; /* p2p.candidate: object or JSON null, borrowed from root */
    int64_t epoch;     /* p2p.ready */
    int64_t revision;  /* sfu.subscribe.answer */
    const char *mid;   /* sfu.preferences (instead of participant) */
    int max_spatial, max_temporal; /* sfu.preferences: 0..2, -1 when absent */
    kn_wsmsg_bool paused;          /* sfu.preferences */
    /* On failure: a static one-line reason naming the field. */
    const char *error;
} kn_wsmsg;

/*
 * Parses and validates one client message. Returns 0 (the caller then calls
 * kn_wsmsg_free), or, with out->error set and nothing to free,
 *   KN_EINVAL  malformed JSON, not an object, unknown type, a missing or
 *              malformed field, a wrong version (join/resume need "v":1),
 *   KN_WS_ETOOLARGE  the text is longer than KN_WSMSG_MAX_LEN or an sdp
 *              longer than KN_WSMSG_MAX_SDP.
 * out->id is set whenever the message is an object with a valid "id", also on
 * failure, so the error can echo it.
 */
int kn_wsmsg_parse(const uint8_t *p, size_t len, kn_wsmsg *out);

void kn_wsmsg_free(kn_wsmsg *m);

/* The wire name of a type ("join", "p2p.offer", ...). */
const char *kn_wsmsg_type_name(kn_wsmsg_type t);

/* Protocol error code for a KN_E* code ("invalid", "unauthorized", ...). */
const char *kn_wsmsg_error_code(int rc);

/* A static English "message" for an error a handler of type t returned
 * (e.g. "the participant is reconnecting" for unavailable on a p2p.* relay);
 * never a bare code name. */
const char *kn_wsmsg_error_text(kn_wsmsg_type t, int rc);

/* True for a participant id as the server makes them: "p" + 8 lowercase hex. */
bool kn_wsmsg_part_id_ok(const char *s);

/* True for 1..32 UTF-8 characters without control characters. */
bool kn_wsmsg_pseudonym_ok(const char *s);

#endif
