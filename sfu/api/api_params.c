/*
 * api_params.c: field-by-field checks of control API parameters; each error
 * names the field the way docs/control-api.md spells it.
 */
#include "api/api_params.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"

static int fail(char *err, const char *path, const char *key, const char *why) {
    snprintf(err, KN_API_ERR_MAX, "%s%s%s: %s", path, key[0] ? "." : "", key, why);
    return KN_EINVAL;
}

int kn_api_get_str(json_t *obj, const char *path, const char *key, size_t min, size_t max,
                   const char **out, char *err) {
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return fail(err, path, key, "missing");
    if (!json_is_string(v))
        return fail(err, path, key, "not a string");
    size_t n = json_string_length(v);
    if (n < min || n > max || strlen(json_string_value(v)) != n)
        return fail(err, path, key, "bad length");
    *out = json_string_value(v);
    return 0;
}

int kn_api_get_id(json_t *params, const char *key, const char **out, char *err) {
    int rc = kn_api_get_str(params, "params", key, 1, KN_ID_MAX, out, err);
    if (rc != 0)
        return rc;
    for (const char *s = *out; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-'))
            return fail(err, "params", key, "bad character");
    return 0;
}

static int get_int(json_t *obj, const char *path, const char *key, long min, long max, bool opt,
                   long *out, char *err) {
    json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        if (opt)
            return 1;
        return fail(err, path, key, "missing");
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return fail(err, path, key, "out of range");
    *out = (long)json_integer_value(v);
    return 0;
}

static const struct {
    const char *name;
    uint32_t bit;
} fb_names[] = {
    {"nack", KN_FB_NACK},         {"nack pli", KN_FB_PLI},         {"ccm fir", KN_FB_FIR},
    {"goog-remb", KN_FB_REMB},    {"transport-cc", KN_FB_TWCC},
};

static int parse_fb(json_t *arr, const char *path, uint32_t *fb, char *err) {
    size_t i;
    json_t *v;
    *fb = 0;
    if (arr == NULL)
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > 16)
        return fail(err, path, "rtcp_fb", "not an array of at most 16");
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v))
            return fail(err, path, "rtcp_fb", "not a string");
        for (size_t k = 0; k < sizeof(fb_names) / sizeof(fb_names[0]); k++)
            if (strcmp(json_string_value(v), fb_names[k].name) == 0)
                *fb |= fb_names[k].bit;
    }
    return 0;
}

static int parse_codec(json_t *o, const char *path, kn_codec *c, char *err) {
    const char *name;
    long v;
    int rc;
    if (!json_is_object(o))
        return fail(err, path, "", "not an object");
    if ((rc = get_int(o, path, "payload_type", 0, 127, false, &v, err)) != 0)
        return rc;
    c->pt = (uint8_t)v;
    if ((rc = kn_api_get_str(o, path, "name", 1, 7, &name, err)) != 0)
        return rc;
    if (strcasecmp(name, "opus") != 0 && strcasecmp(name, "VP8") != 0 &&
        strcasecmp(name, "H264") != 0)
        return fail(err, path, "name", "unsupported codec");
    snprintf(c->name, sizeof(c->name), "%s", name);
    if ((rc = get_int(o, path, "clock_rate", 1000, 192000, false, &v, err)) != 0)
        return rc;
    c->clock_rate = (uint32_t)v;
    if ((rc = get_int(o, path, "channels", 1, 8, true, &v, err)) < 0)
        return rc;
    c->channels = rc == 0 ? (uint8_t)v : 1;
    if ((rc = get_int(o, path, "rtx_payload_type", 1, 127, true, &v, err)) < 0)
        return rc;
    c->rtx_pt = rc == 0 ? (uint8_t)v : 0;
    if (c->rtx_pt == c->pt)
        return fail(err, path, "rtx_payload_type", "equals payload_type");
    return parse_fb(json_object_get(o, "rtcp_fb"), path, &c->fb, err);
}

static int parse_codecs(json_t *params, kn_rtp_params *out, char *err) {
    json_t *arr = json_object_get(params, "codecs");
    char path[48];
    if (!json_is_array(arr) || json_array_size(arr) < 1 || json_array_size(arr) > KN_MAX_CODECS)
        return fail(err, "params", "codecs", "not an array of 1-8 codecs");
    out->n_codecs = (unsigned)json_array_size(arr);
    for (unsigned i = 0; i < out->n_codecs; i++) {
        snprintf(path, sizeof(path), "params.codecs[%u]", i);
        int rc = parse_codec(json_array_get(arr, i), path, &out->codecs[i], err);
        if (rc != 0)
            return rc;
        for (unsigned j = 0; j < i; j++)
            if (out->codecs[j].pt == out->codecs[i].pt)
                return fail(err, path, "payload_type", "duplicate");
    }
    return 0;
}

static uint8_t ext_kind(const char *uri) {
    if (strcmp(uri, "urn:ietf:params:rtp-hdrext:sdes:mid") == 0)
        return KN_EXT_MID;
    if (strcmp(uri, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id") == 0)
        return KN_EXT_RID;
    if (strcmp(uri, "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id") == 0)
        return KN_EXT_RRID;
    if (strcmp(uri, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01") ==
        0)
        return KN_EXT_TWCC;
    if (strcmp(uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level") == 0)
        return KN_EXT_AUDIO_LEVEL;
    return KN_EXT_OTHER;
}

static int parse_exts(json_t *params, kn_rtp_params *out, char *err) {
    json_t *arr = json_object_get(params, "header_extensions");
    char path[48];
    if (arr == NULL)
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > KN_MAX_EXTS)
        return fail(err, "params", "header_extensions", "not an array of at most 16");
    out->n_exts = (unsigned)json_array_size(arr);
    for (unsigned i = 0; i < out->n_exts; i++) {
        json_t *o = json_array_get(arr, i);
        kn_hdrext *e = &out->exts[i];
        const char *uri;
        long id;
        int rc;
        snprintf(path, sizeof(path), "params.header_extensions[%u]", i);
        if (!json_is_object(o))
            return fail(err, path, "", "not an object");
        if ((rc = get_int(o, path, "id", 1, 255, false, &id, err)) != 0 ||
            (rc = kn_api_get_str(o, path, "uri", 1, KN_URI_MAX, &uri, err)) != 0)
            return rc;
        for (unsigned j = 0; j < i; j++)
            if (out->exts[j].id == id)
                return fail(err, path, "id", "duplicate");
        e->id = (uint8_t)id;
        snprintf(e->uri, sizeof(e->uri), "%s", uri);
        e->kind = ext_kind(uri);
    }
    return 0;
}

static int parse_encoding(json_t *o, const char *path, kn_encoding *e, char *err) {
    long v;
    int rc;
    const char *rid;
    if (!json_is_object(o))
        return fail(err, path, "", "not an object");
    if (json_object_get(o, "rid") != NULL) {
        if ((rc = kn_api_get_str(o, path, "rid", 1, KN_RID_MAX, &rid, err)) != 0)
            return rc;
        snprintf(e->rid, sizeof(e->rid), "%s", rid);
    }
    if ((rc = get_int(o, path, "ssrc", 1, 0xffffffffL, true, &v, err)) < 0)
        return rc;
    e->ssrc = rc == 0 ? (uint32_t)v : 0;
    if ((rc = get_int(o, path, "rtx_ssrc", 1, 0xffffffffL, true, &v, err)) < 0)
        return rc;
    e->rtx_ssrc = rc == 0 ? (uint32_t)v : 0;
    if (e->rtx_ssrc != 0 && e->ssrc == 0)
        return fail(err, path, "rtx_ssrc", "without ssrc");
    return 0;
}

static int parse_encodings(json_t *params, kn_rtp_params *out, char *err) {
    json_t *arr = json_object_get(params, "encodings");
    char path[48];
    if (arr == NULL) {
        out->n_encodings = 1;
        return 0;
    }
    if (!json_is_array(arr) || json_array_size(arr) < 1 ||
        json_array_size(arr) > KN_MAX_ENCODINGS)
        return fail(err, "params", "encodings", "not an array of 1-3 encodings");
    out->n_encodings = (unsigned)json_array_size(arr);
    for (unsigned i = 0; i < out->n_encodings; i++) {
        snprintf(path, sizeof(path), "params.encodings[%u]", i);
        int rc = parse_encoding(json_array_get(arr, i), path, &out->encodings[i], err);
        if (rc != 0)
            return rc;
        if (out->n_encodings > 1 && out->encodings[i].rid[0] == '\0' &&
            out->encodings[i].ssrc == 0)
            return fail(err, path, "rid", "simulcast encoding without rid or ssrc");
    }
    return 0;
}

static int parse_common(json_t *params, kn_rtp_params *out, char *err) {
    const char *mid;
    int rc;
    memset(out, 0, sizeof(*out));
    if ((rc = kn_api_get_str(params, "params", "mid", 1, KN_MID_MAX, &mid, err)) != 0)
        return rc;
    snprintf(out->mid, sizeof(out->mid), "%s", mid);
    if ((rc = parse_codecs(params, out, err)) != 0)
        return rc;
    return parse_exts(params, out, err);
}

int kn_api_parse_producer(json_t *params, kn_rtp_params *out, char *err) {
    const char *kind;
    int rc = parse_common(params, out, err);
    if (rc != 0)
        return rc;
    if ((rc = kn_api_get_str(params, "params", "kind", 5, 5, &kind, err)) != 0)
        return rc;
    if (strcmp(kind, "audio") == 0)
        out->kind = KN_KIND_AUDIO;
    else if (strcmp(kind, "video") == 0)
        out->kind = KN_KIND_VIDEO;
    else
        return fail(err, "params", "kind", "not audio or video");
    return parse_encodings(params, out, err);
}

int kn_api_parse_consumer(json_t *params, kn_rtp_params *out, char *err) {
    int rc = parse_common(params, out, err);
    out->n_encodings = 1;
    return rc;
}
