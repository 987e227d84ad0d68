/*
 * ws_msg.c: validation table for client messages of the room signaling
 * protocol (docs/signaling-protocol.md): one small checker per type, run after
 * the common envelope (type, id, v) is checked.
 */
#include "ws/ws_msg.h"

#include <string.h>

#include "core/err.h"

typedef int (*check_fn)(json_t *o, kn_wsmsg *m);

static int fail(kn_wsmsg *m, int rc, const char *why) {
    m->error = why;
    return rc;
}

bool kn_wsmsg_part_id_ok(const char *s) {
    if (s == NULL || strlen(s) != KN_WSMSG_PART_ID_LEN || s[0] != 'p')
        return false;
    return strspn(s + 1, "0123456789abcdef") == KN_WSMSG_PART_ID_LEN - 1;
}

/* UTF-8 well-formedness is jansson's job (it rejects invalid UTF-8); here:
 * count characters and refuse C0/C1 controls and DEL. */
bool kn_wsmsg_pseudonym_ok(const char *s) {
    size_t chars = 0;
    const unsigned char *c = (const unsigned char *)s;
    if (s == NULL)
        return false;
    for (; *c; c++) {
        if (*c < 0x20 || *c == 0x7f)
            return false;
        if (c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f)
            return false;
        if ((*c & 0xc0) != 0x80)
            chars++;
    }
    return chars >= 1 && chars <= KN_WSMSG_MAX_PSEUDONYM;
}

static int opt_bool(json_t *o, const char *key, kn_wsmsg_bool *out, kn_wsmsg *m, const char *why) {
    json_t *v = json_object_get(o, key);
    if (v == NULL) {
        *out = KN_WSMSG_UNSET;
        return 0;
    }
    if (!json_is_boolean(v))
        return fail(m, KN_EINVAL, why);
    *out = json_is_true(v) ? KN_WSMSG_TRUE : KN_WSMSG_FALSE;
    return 0;
}

static int need_string(json_t *o, const char *key, size_t max, const char **out, size_t *len,
                       kn_wsmsg *m, const char *why) {
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fail(m, KN_EINVAL, why);
    if (json_string_length(v) > max)
        return fail(m, KN_WS_ETOOLARGE, why);
    *out = json_string_value(v);
    if (len)
        *len = json_string_length(v);
    return strlen(*out) == json_string_length(v) ? 0 : fail(m, KN_EINVAL, why); /* no NUL */
}

static int need_int(json_t *o, const char *key, int64_t min, int64_t *out, kn_wsmsg *m,
                    const char *why) {
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > INT32_MAX)
        return fail(m, KN_EINVAL, why);
    *out = json_integer_value(v);
    return 0;
}

static int need_part(json_t *o, const char *key, const char **out, kn_wsmsg *m, const char *why) {
    const char *s = json_string_value(json_object_get(o, key));
    if (!kn_wsmsg_part_id_ok(s))
        return fail(m, KN_EINVAL, why);
    *out = s;
    return 0;
}

static int check_version(json_t *o, kn_wsmsg *m, bool required) {
    json_t *v = json_object_get(o, "v");
    if (v == NULL && !required)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) != 1)
        return fail(m, KN_EINVAL, "v: must be 1");
    return 0;
}

static int check_none(json_t *o, kn_wsmsg *m) {
    (void)o;
    (void)m;
    return 0;
}

static int check_join(json_t *o, kn_wsmsg *m) {
    int rc;
    if ((rc = check_version(o, m, true)) != 0 ||
        (rc = need_string(o, "token", 4096, &m->token, NULL, m, "token: missing or too long")) !=
            0 ||
        (rc = opt_bool(o, "audio", &m->audio, m, "audio: must be a boolean")) != 0 ||
        (rc = opt_bool(o, "video", &m->video, m, "video: must be a boolean")) != 0)
        return rc;
    json_t *ps = json_object_get(o, "pseudonym");
    if (ps == NULL)
        return 0;
    m->pseudonym = json_string_value(ps);
    if (!kn_wsmsg_pseudonym_ok(m->pseudonym) || strlen(m->pseudonym) != json_string_length(ps))
        return fail(m, KN_EINVAL, "pseudonym: 1-32 characters, no control characters");
    return 0;
}

static int check_resume(json_t *o, kn_wsmsg *m) {
    int rc;
    if ((rc = check_version(o, m, true)) != 0)
        return rc;
    const char *t = json_string_value(json_object_get(o, "resume_token"));
    static const char b64url[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    if (t == NULL || strlen(t) != KN_WSMSG_RESUME_LEN || strspn(t, b64url) != KN_WSMSG_RESUME_LEN)
        return fail(m, KN_EINVAL, "resume_token: 22 base64url characters");
    m->resume_token = t;
    return 0;
}

static int check_state(json_t *o, kn_wsmsg *m) {
    int rc;
    if ((rc = opt_bool(o, "audio", &m->audio, m, "audio: must be a boolean")) != 0 ||
        (rc = opt_bool(o, "video", &m->video, m, "video: must be a boolean")) != 0)
        return rc;
    if (m->audio == KN_WSMSG_UNSET && m->video == KN_WSMSG_UNSET)
        return fail(m, KN_EINVAL, "state: audio or video required");
    return 0;
}

static int check_p2p_sdp(json_t *o, kn_wsmsg *m) {
    int rc = need_part(o, "to", &m->to, m, "to: participant id");
    return rc ? rc
              : need_string(o, "sdp", KN_WSMSG_MAX_SDP, &m->sdp, &m->sdp_len, m,
                            "sdp: missing or too long");
}

static int check_p2p_candidate(json_t *o, kn_wsmsg *m) {
    int rc = need_part(o, "to", &m->to, m, "to: participant id");
    if (rc)
        return rc;
    m->candidate = json_object_get(o, "candidate");
    if (m->candidate == NULL || !(json_is_object(m->candidate) || json_is_null(m->candidate)))
        return fail(m, KN_EINVAL, "candidate: object or null");
    return 0;
}

static int check_p2p_ready(json_t *o, kn_wsmsg *m) {
    return need_int(o, "epoch", 1, &m->epoch, m, "epoch: integer >= 1");
}

static int check_kick(json_t *o, kn_wsmsg *m) {
    return need_part(o, "participant_id", &m->target, m, "participant_id: participant id");
}

static int check_sdp_only(json_t *o, kn_wsmsg *m) {
    return need_string(o, "sdp", KN_WSMSG_MAX_SDP, &m->sdp, &m->sdp_len, m,
                       "sdp: missing or too long");
}

static int check_sub_answer(json_t *o, kn_wsmsg *m) {
    int rc = need_int(o, "revision", 1, &m->revision, m, "revision: integer >= 1");
    return rc ? rc : check_sdp_only(o, m);
}

static int opt_layer(json_t *o, const char *key, int *out, kn_wsmsg *m, const char *why) {
    json_t *v = json_object_get(o, key);
    *out = -1;
    if (v == NULL)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 2)
        return fail(m, KN_EINVAL, why);
    *out = (int)json_integer_value(v);
    return 0;
}

static bool mid_ok(const char *s) {
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    size_t n = s ? strlen(s) : 0;
    return n >= 1 && n <= KN_WSMSG_MAX_MID && strspn(s, alnum) == n;
}

/* Exactly one of participant / mid; at least one of max_spatial, max_temporal, paused. */
static int check_prefs(json_t *o, kn_wsmsg *m) {
    int rc;
    json_t *part = json_object_get(o, "participant"), *mid = json_object_get(o, "mid");
    if ((part == NULL) == (mid == NULL))
        return fail(m, KN_EINVAL, "participant or mid: exactly one");
    if (part != NULL && (rc = need_part(o, "participant", &m->target, m,
                                        "participant: participant id")) != 0)
        return rc;
    if (mid != NULL) {
        m->mid = json_string_value(mid);
        if (!mid_ok(m->mid) || strlen(m->mid) != json_string_length(mid))
            return fail(m, KN_EINVAL, "mid: 1-15 characters [A-Za-z0-9]");
    }
    if ((rc = opt_layer(o, "max_spatial", &m->max_spatial, m, "max_spatial: 0, 1 or 2")) != 0 ||
        (rc = opt_layer(o, "max_temporal", &m->max_temporal, m, "max_temporal: 0, 1 or 2")) != 0 ||
        (rc = opt_bool(o, "paused", &m->paused, m, "paused: must be a boolean")) != 0)
        return rc;
    if (m->max_spatial < 0 && m->max_temporal < 0 && m->paused == KN_WSMSG_UNSET)
        return fail(m, KN_EINVAL, "max_spatial, max_temporal or paused required");
    return 0;
}

static const struct {
    const char *name;
    check_fn check;
} types[KN_WSMSG_N_TYPES] = {
    [KN_WSMSG_JOIN] = {"join", check_join},
    [KN_WSMSG_RESUME] = {"resume", check_resume},
    [KN_WSMSG_PING] = {"ping", check_none},
    [KN_WSMSG_LEAVE] = {"leave", check_none},
    [KN_WSMSG_STATE] = {"state", check_state},
    [KN_WSMSG_P2P_OFFER] = {"p2p.offer", check_p2p_sdp},
    [KN_WSMSG_P2P_ANSWER] = {"p2p.answer", check_p2p_sdp},
    [KN_WSMSG_P2P_CANDIDATE] = {"p2p.candidate", check_p2p_candidate},
    [KN_WSMSG_P2P_READY] = {"p2p.ready", check_p2p_ready},
    [KN_WSMSG_KICK] = {"kick", check_kick},
    [KN_WSMSG_SFU_PUBLISH] = {"sfu.publish", check_sdp_only},
    [KN_WSMSG_SFU_UNPUBLISH] = {"sfu.unpublish", check_none},
    [KN_WSMSG_SFU_SUB_ANSWER] = {"sfu.subscribe.answer", check_sub_answer},
    [KN_WSMSG_SFU_PREFS] = {"sfu.preferences", check_prefs},
    [KN_WSMSG_MUTE_REQUEST] = {"mute-request", check_kick},
    [KN_WSMSG_END] = {"end", check_none},
};

const char *kn_wsmsg_type_name(kn_wsmsg_type t) {
    return (unsigned)t < KN_WSMSG_N_TYPES && types[t].name ? types[t].name : "?";
}

static int envelope(json_t *o, kn_wsmsg *m) {
    json_t *id = json_object_get(o, "id");
    if (id != NULL) {
        if (!json_is_integer(id) || json_integer_value(id) < 0 ||
            json_integer_value(id) > INT32_MAX)
            return fail(m, KN_EINVAL, "id: integer 0..2^31-1");
        m->id = json_integer_value(id);
    }
    const char *type = json_string_value(json_object_get(o, "type"));
    if (type == NULL)
        return fail(m, KN_EINVAL, "type: missing");
    for (unsigned i = 0; i < KN_WSMSG_N_TYPES; i++)
        if (types[i].name != NULL && strcmp(type, types[i].name) == 0) {
            m->type = (kn_wsmsg_type)i;
            return check_version(o, m, false);
        }
    return fail(m, KN_EINVAL, "type: unknown");
}

int kn_wsmsg_parse(const uint8_t *p, size_t len, kn_wsmsg *out) {
    json_error_t jerr;
    int rc;
    memset(out, 0, sizeof(*out));
    out->id = -1;
    if (len > KN_WSMSG_MAX_LEN)
        return fail(out, KN_WS_ETOOLARGE, "message larger than 64 KiB");
    json_t *o = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, &jerr);
    if (o == NULL)
        return fail(out, KN_EINVAL, "malformed JSON");
    if (!json_is_object(o)) {
        json_decref(o);
        return fail(out, KN_EINVAL, "not a JSON object");
    }
    if ((rc = envelope(o, out)) != 0 || (rc = types[out->type].check(o, out)) != 0) {
        int64_t id = out->id;
        const char *why = out->error;
        json_decref(o);
        memset(out, 0, sizeof(*out));
        out->id = id;
        out->error = why;
        return rc;
    }
    out->root = o;
    return 0;
}

void kn_wsmsg_free(kn_wsmsg *m) {
    json_decref(m->root);
    m->root = NULL;
}

const char *kn_wsmsg_error_code(int rc) {
    switch (rc) {
    case KN_EINVAL:
    case KN_EPROTO:
    case KN_ETRUNC:
        return "invalid";
    case KN_EAUTH:
        return "unauthorized";
    case KN_WS_EFORBIDDEN:
        return "forbidden";
    case KN_ENOENT:
        return "not_found";
    case KN_ESTATE:
        return "state";
    case KN_ELIMIT:
        return "limit";
    case KN_WS_ETOOLARGE:
        return "too_large";
    case KN_WS_ERATE:
        return "rate_limited";
    case KN_WS_EUNAVAIL:
    case KN_EIO:
        return "unavailable";
    default:
        return "internal";
    }
}

static const char *unavail_text(kn_wsmsg_type t) {
    switch (t) {
    case KN_WSMSG_P2P_OFFER:
    case KN_WSMSG_P2P_ANSWER:
    case KN_WSMSG_P2P_CANDIDATE:
    case KN_WSMSG_MUTE_REQUEST:
        return "the participant is reconnecting";
    case KN_WSMSG_SFU_PUBLISH:
    case KN_WSMSG_SFU_UNPUBLISH:
    case KN_WSMSG_SFU_SUB_ANSWER:
    case KN_WSMSG_SFU_PREFS:
        return "the media server is unavailable";
    default:
        return "temporarily unavailable, try again later";
    }
}

static const char *state_text(kn_wsmsg_type t) {
    switch (t) {
    case KN_WSMSG_SFU_PUBLISH:
        return "not in SFU mode, or already publishing";
    case KN_WSMSG_SFU_UNPUBLISH:
        return "no publish connection";
    case KN_WSMSG_SFU_SUB_ANSWER:
        return "no subscribe offer outstanding";
    case KN_WSMSG_SFU_PREFS:
        return "not in SFU mode";
    case KN_WSMSG_JOIN:
    case KN_WSMSG_RESUME:
        return "already joined";
    default:
        return "not possible in the current state";
    }
}

const char *kn_wsmsg_error_text(kn_wsmsg_type t, int rc) {
    switch (rc) {
    case KN_EINVAL:
    case KN_EPROTO:
    case KN_ETRUNC:
        return "invalid message";
    case KN_EAUTH:
        return "not authorized";
    case KN_WS_EFORBIDDEN:
        return t == KN_WSMSG_KICK || t == KN_WSMSG_MUTE_REQUEST || t == KN_WSMSG_END
                   ? "only the host may do this"
                   : "a listener cannot send audio or video";
    case KN_ENOENT:
        return t == KN_WSMSG_SFU_PREFS ? "no such participant or mid in the subscription"
                                       : "no such participant in this room";
    case KN_ESTATE:
        return state_text(t);
    case KN_ELIMIT:
        return "room full";
    case KN_WS_ETOOLARGE:
        return "message too large";
    case KN_WS_ERATE:
        return "too many messages";
    case KN_WS_EUNAVAIL:
    case KN_EIO:
        return unavail_text(t);
    default:
        return "internal server error";
    }
}
