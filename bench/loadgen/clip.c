/*
 * clip.c: builds the load generator's in-memory media (see clip.h): a synthetic
 * test pattern encoded with libvpx per simulcast layer, a tone encoded with
 * libopus, packetized and indexed by content hash. Startup only.
 */
#include "clip.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <opus/opus.h>
#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

#include "core/err.h"
#include "core/log.h"
#include "vp8_pack.h"

#define HASH_PREFIX 64 /* bytes hashed: enough to tell compressed packets apart */
#define MAX_PKTS_PER_FRAME 256

static const struct {
    const char *rid;
    unsigned w, h, kbps;
} layer_spec[KN_CLIP_LAYERS] = {
    {"q", 320, 180, 150},
    {"h", 640, 360, 500},
    {"f", 1280, 720, 1200},
};

uint64_t kn_clip_hash(const uint8_t *p, size_t len) {
    uint64_t h = 0xcbf29ce484222325ull ^ len;
    size_t n = len < HASH_PREFIX ? len : HASH_PREFIX;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Grows the track's arrays for one more frame of up to `bytes` payload bytes. */
static int track_reserve(kn_clip_track *t, size_t bytes, size_t *data_cap, size_t *pkt_cap) {
    if (t->data_len + bytes > *data_cap) {
        size_t cap = (*data_cap ? *data_cap * 2 : 1 << 20) + bytes;
        uint8_t *d = realloc(t->data, cap);
        if (d == NULL)
            return KN_ENOMEM;
        t->data = d;
        *data_cap = cap;
    }
    if (t->n_pkts + MAX_PKTS_PER_FRAME > *pkt_cap) {
        size_t cap = *pkt_cap * 2 + MAX_PKTS_PER_FRAME;
        kn_clip_pkt *p = realloc(t->pkts, cap * sizeof(*p));
        if (p == NULL)
            return KN_ENOMEM;
        t->pkts = p;
        *pkt_cap = cap;
    }
    return 0;
}

/* Appends payloads p[0..n) (lens[i] bytes each, back to back) as frame `f`;
 * `skip` bytes of each payload (the descriptor) are left out of the hash. */
static void track_add_frame(kn_clip_track *t, size_t f, bool key, const uint8_t *p,
                            const uint16_t *lens, size_t n, size_t skip) {
    t->frames[f].first_pkt = (uint32_t)t->n_pkts;
    t->frames[f].n_pkts = (uint16_t)n;
    t->frames[f].keyframe = key;
    for (size_t i = 0; i < n; i++) {
        kn_clip_pkt *k = &t->pkts[t->n_pkts++];
        k->off = (uint32_t)t->data_len;
        k->len = lens[i];
        k->frame = (uint16_t)f;
        k->marker = i + 1 == n;
        k->hash = kn_clip_hash(p + skip, lens[i] - skip);
        memcpy(t->data + t->data_len, p, lens[i]);
        t->data_len += lens[i];
        t->bytes += lens[i];
        p += lens[i];
    }
}

static int track_index(kn_clip_track *t) {
    size_t cap = 16;
    while (cap < t->n_pkts * 2)
        cap *= 2;
    if ((t->lookup = calloc(cap, sizeof(*t->lookup))) == NULL)
        return KN_ENOMEM;
    t->lookup_cap = cap;
    for (size_t i = 0; i < t->n_pkts; i++) {
        t->pkts[i].unique = true;
        long j = kn_clip_find(t, t->pkts[i].hash);
        if (j >= 0) {
            t->pkts[i].unique = false;
            t->pkts[j].unique = false;
            continue;
        }
        size_t s = t->pkts[i].hash & (cap - 1);
        while (t->lookup[s] != 0)
            s = (s + 1) & (cap - 1);
        t->lookup[s] = (uint32_t)i + 1;
    }
    return 0;
}

long kn_clip_find(const kn_clip_track *t, uint64_t h) {
    if (t->lookup_cap == 0)
        return -1;
    for (size_t s = h & (t->lookup_cap - 1);; s = (s + 1) & (t->lookup_cap - 1)) {
        uint32_t v = t->lookup[s];
        if (v == 0)
            return -1;
        if (t->pkts[v - 1].hash == h)
            return (long)v - 1;
    }
}

size_t kn_clip_next_keyframe(const kn_clip_track *t, size_t f) {
    for (size_t i = 0; i < t->n_frames; i++) {
        size_t g = (f + i) % t->n_frames;
        if (t->frames[g].keyframe)
            return g;
    }
    return 0;
}

/* Deterministic per-pixel noise (xorshift32) over the luma plane: with it a layer
 * compresses poorly, so a high --top-kbps yields mostly full-size packets. */
static void add_noise(vpx_image_t *img, unsigned w, unsigned h, size_t f) {
    uint32_t x32 = 0x9e3779b9u ^ (uint32_t)(f * 2654435761u);
    for (unsigned y = 0; y < h; y++) {
        uint8_t *row = img->planes[0] + (size_t)y * (size_t)img->stride[0];
        for (unsigned x = 0; x < w; x++) {
            x32 ^= x32 << 13;
            x32 ^= x32 >> 17;
            x32 ^= x32 << 5;
            int v = row[x] + (int)(x32 & 63) - 32;
            row[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

/* Moving gradient, a bouncing box and blocky texture, so every frame differs. */
static void draw_pattern(vpx_image_t *img, unsigned w, unsigned h, size_t f) {
    unsigned bx = (unsigned)(f * 7 * w / 320) % (w - w / 8), by = (unsigned)(f * 3 * h / 180) % (h - h / 8);
    for (unsigned y = 0; y < h; y++) {
        uint8_t *row = img->planes[0] + (size_t)y * (size_t)img->stride[0];
        for (unsigned x = 0; x < w; x++) {
            unsigned cell = ((x * 16 / w) * 31 + (y * 9 / h) * 17 + (unsigned)f / 5) & 63;
            unsigned v = ((x + y + (unsigned)f * 4) & 255) / 2 + cell;
            if (x >= bx && x < bx + w / 8 && y >= by && y < by + h / 8)
                v = 235;
            row[x] = (uint8_t)(v > 255 ? 255 : v);
        }
    }
    for (int pl = 1; pl < 3; pl++)
        for (unsigned y = 0; y < (h + 1) / 2; y++) {
            uint8_t *row = img->planes[pl] + (size_t)y * (size_t)img->stride[pl];
            for (unsigned x = 0; x < (w + 1) / 2; x++)
                row[x] = (uint8_t)(128 + (pl == 1 ? 40 : -40) * sin((double)(x + f) / 40.0));
        }
}

static int vpx_setup(vpx_codec_ctx_t *enc, const kn_clip_track *t) {
    vpx_codec_enc_cfg_t cfg;
    if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK)
        return KN_EPROTO;
    cfg.g_w = t->width;
    cfg.g_h = t->height;
    cfg.g_timebase.num = 1;
    cfg.g_timebase.den = KN_CLIP_FPS;
    cfg.g_threads = 1;
    cfg.g_lag_in_frames = 0;
    cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
    cfg.rc_end_usage = VPX_CBR;
    cfg.rc_target_bitrate = t->kbps;
    cfg.rc_dropframe_thresh = 0; /* one output frame per input frame */
    cfg.kf_mode = VPX_KF_DISABLED; /* keyframes forced at KN_CLIP_KEY_INTERVAL */
    if (vpx_codec_enc_init(enc, vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK)
        return KN_EPROTO;
    vpx_codec_control(enc, VP8E_SET_CPUUSED, 8);
    return 0;
}

/* Encodes one frame and packetizes what comes out (exactly one frame). */
static int encode_frame(vpx_codec_ctx_t *enc, vpx_image_t *img, kn_clip_track *t, size_t f,
                        size_t *data_cap, size_t *pkt_cap) {
    static uint8_t buf[MAX_PKTS_PER_FRAME * KN_CLIP_MAX_PAYLOAD];
    uint16_t lens[MAX_PKTS_PER_FRAME];
    vpx_enc_frame_flags_t flags = f % KN_CLIP_KEY_INTERVAL == 0 ? VPX_EFLAG_FORCE_KF : 0;
    if (vpx_codec_encode(enc, img, (vpx_codec_pts_t)f, 1, flags, VPX_DL_REALTIME) != VPX_CODEC_OK)
        return KN_EPROTO;
    vpx_codec_iter_t it = NULL;
    const vpx_codec_cx_pkt_t *pkt;
    size_t got = 0;
    while ((pkt = vpx_codec_get_cx_data(enc, &it)) != NULL) {
        if (pkt->kind != VPX_CODEC_CX_FRAME_PKT || got++)
            continue;
        size_t n;
        int rc = kn_vp8_pack(pkt->data.frame.buf, pkt->data.frame.sz, 0, KN_CLIP_MAX_PAYLOAD, buf,
                             sizeof(buf), lens, MAX_PKTS_PER_FRAME, &n);
        if (rc == 0)
            rc = track_reserve(t, pkt->data.frame.sz + n * KN_VP8_PACK_DESC_LEN, data_cap, pkt_cap);
        if (rc != 0)
            return rc;
        track_add_frame(t, f, (pkt->data.frame.flags & VPX_FRAME_IS_KEY) != 0, buf, lens, n,
                        KN_VP8_PACK_DESC_LEN);
    }
    return got == 1 ? 0 : KN_EPROTO;
}

/* kbps 0: the layer's default bitrate and pattern; else that bitrate over a noisy pattern. */
static int build_video(kn_clip_track *t, unsigned layer, unsigned kbps) {
    vpx_codec_ctx_t enc;
    vpx_image_t img;
    size_t data_cap = 0, pkt_cap = 0;
    int rc;

    t->rid = layer_spec[layer].rid;
    t->width = layer_spec[layer].w;
    t->height = layer_spec[layer].h;
    t->kbps = kbps ? kbps : layer_spec[layer].kbps;
    t->frame_ticks = 90000 / KN_CLIP_FPS;
    t->frame_us = 1000000 / KN_CLIP_FPS;
    t->n_frames = KN_CLIP_FPS * KN_CLIP_SECONDS;
    if ((t->frames = calloc(t->n_frames, sizeof(*t->frames))) == NULL)
        return KN_ENOMEM;
    if ((rc = vpx_setup(&enc, t)) != 0)
        return rc;
    rc = KN_ENOMEM;
    if (vpx_img_alloc(&img, VPX_IMG_FMT_I420, t->width, t->height, 16) == NULL)
        goto out;
    for (size_t f = 0; f < t->n_frames; f++) {
        draw_pattern(&img, t->width, t->height, f);
        if (kbps)
            add_noise(&img, t->width, t->height, f);
        if ((rc = encode_frame(&enc, &img, t, f, &data_cap, &pkt_cap)) != 0)
            break;
    }
    vpx_img_free(&img);
    if (rc == 0)
        rc = track_index(t);
out:
    vpx_codec_destroy(&enc);
    return rc;
}

static int build_audio(kn_clip_track *t) {
    int err;
    size_t data_cap = 0, pkt_cap = 0;
    int16_t pcm[960];
    uint8_t out[1275];
    OpusEncoder *enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
    if (enc == NULL)
        return KN_EPROTO;
    opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));
    t->frame_ticks = 960;
    t->frame_us = KN_CLIP_OPUS_FRAME_MS * 1000;
    t->n_frames = KN_CLIP_SECONDS * 1000 / KN_CLIP_OPUS_FRAME_MS;
    t->kbps = 32;
    int rc = KN_ENOMEM;
    if ((t->frames = calloc(t->n_frames, sizeof(*t->frames))) == NULL)
        goto out;
    double phase = 0;
    for (size_t f = 0; f < t->n_frames; f++) {
        for (size_t i = 0; i < 960; i++) {
            double sec = (double)(f * 960 + i) / 48000.0;
            phase += 2 * M_PI * (440.0 + 60.0 * sin(2 * M_PI * 0.7 * sec)) / 48000.0;
            pcm[i] = (int16_t)(8000 * sin(phase));
        }
        opus_int32 n = opus_encode(enc, pcm, 960, out, sizeof(out));
        rc = n > 0 ? track_reserve(t, (size_t)n, &data_cap, &pkt_cap) : KN_EPROTO;
        if (rc != 0)
            goto out;
        uint16_t len = (uint16_t)n;
        track_add_frame(t, f, false, out, &len, 1, 0);
    }
    rc = track_index(t);
out:
    opus_encoder_destroy(enc);
    return rc;
}

int kn_clip_build(kn_clip *c, unsigned n_layers) {
    return kn_clip_build_top(c, n_layers, 0);
}

int kn_clip_build_top(kn_clip *c, unsigned n_layers, unsigned top_kbps) {
    int rc;
    memset(c, 0, sizeof(*c));
    if (n_layers < 1 || n_layers > KN_CLIP_LAYERS || top_kbps > 100000)
        return KN_EINVAL;
    for (unsigned l = 0; l < n_layers; l++)
        if ((rc = build_video(&c->video[l], l, l + 1 == n_layers ? top_kbps : 0)) != 0)
            goto fail;
    if ((rc = build_audio(&c->audio)) != 0)
        goto fail;
    return 0;
fail:
    kn_log(KN_LOG_ERROR, "loadgen", "building the media clip failed: %s", kn_strerror(rc));
    kn_clip_free(c);
    return rc;
}

static void track_free(kn_clip_track *t) {
    free(t->frames);
    free(t->pkts);
    free(t->data);
    free(t->lookup);
    memset(t, 0, sizeof(*t));
}

void kn_clip_free(kn_clip *c) {
    for (unsigned l = 0; l < KN_CLIP_LAYERS; l++)
        track_free(&c->video[l]);
    track_free(&c->audio);
}
