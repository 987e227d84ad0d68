/*
 * clip.h: the load generator's in-memory media. At startup a synthetic moving
 * test pattern is encoded once with libvpx (VP8, one track per simulcast layer,
 * keyframes every KN_CLIP_KEY_INTERVAL frames) and a tone with a slow vibrato
 * with libopus (20 ms frames); every video frame is packetized (vp8_pack.h) to
 * RTP payloads of at most KN_CLIP_MAX_PAYLOAD bytes. Publishers replay the clip
 * in a loop with fresh sequence numbers, timestamps and picture ids, so sending
 * costs a copy and an SRTP protect, never an encode.
 *
 * Each payload also gets a 64-bit content hash (of the bytes after the VP8
 * descriptor, or of the whole Opus packet) and a per-track lookup table from
 * hash to packet index: the SFU forwards these bytes untouched, so a subscriber
 * can tell which clip packet it received (used for latency, see lat.h).
 * Allocates only in kn_clip_build; read-only afterwards.
 */
#ifndef KN_CLIP_H
#define KN_CLIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KN_CLIP_MAX_PAYLOAD 1200
#define KN_CLIP_LAYERS 3
#define KN_CLIP_FPS 30
#define KN_CLIP_SECONDS 4
#define KN_CLIP_KEY_INTERVAL 60 /* frames: a keyframe every 2 s */
#define KN_CLIP_OPUS_FRAME_MS 20

typedef struct kn_clip_pkt {
    uint32_t off;     /* into track->data */
    uint16_t len;
    uint16_t frame;   /* frame index in the track */
    bool marker;      /* last packet of its frame */
    bool unique;      /* no other packet of the track has the same hash */
    uint64_t hash;
} kn_clip_pkt;

typedef struct kn_clip_frame {
    uint32_t first_pkt;
    uint16_t n_pkts;
    bool keyframe;
} kn_clip_frame;

typedef struct kn_clip_track {
    const char *rid;        /* "q", "h", "f" for video layers, NULL for audio */
    unsigned width, height; /* 0 for audio */
    unsigned kbps;
    uint32_t frame_ticks;   /* RTP clock ticks per frame: 3000 (90 kHz / 30) or 960 */
    uint32_t frame_us;      /* 33333 or 20000 */
    kn_clip_frame *frames;
    size_t n_frames;
    kn_clip_pkt *pkts;
    size_t n_pkts;
    uint8_t *data;
    size_t data_len;
    uint32_t *lookup;       /* open addressing: packet index + 1, 0 = empty */
    size_t lookup_cap;      /* power of two */
    uint64_t bytes;         /* payload bytes of one loop, for the bitrate check */
} kn_clip_track;

typedef struct kn_clip {
    kn_clip_track video[KN_CLIP_LAYERS]; /* q 320x180, h 640x360, f 1280x720 */
    kn_clip_track audio;
} kn_clip;

/* Encodes and packetizes everything. n_layers 1..3 (the lowest first).
 * Returns 0, KN_ENOMEM, or KN_EPROTO when libvpx/libopus fail (logged). */
int kn_clip_build(kn_clip *c, unsigned n_layers);

/* The same, with the top layer (n_layers - 1) at top_kbps (1..100000; 0 = its default)
 * over the pattern plus per-pixel noise, so it compresses poorly and its frames fill
 * KN_CLIP_MAX_PAYLOAD-byte packets (the raw packet-rate benchmark, bench/s6_pps.sh). */
int kn_clip_build_top(kn_clip *c, unsigned n_layers, unsigned top_kbps);

/* Frees everything; accepts a zeroed clip. */
void kn_clip_free(kn_clip *c);

/* FNV-1a 64 over p[0..len). */
uint64_t kn_clip_hash(const uint8_t *p, size_t len);

/* Packet index in `t` whose content hash is h, or -1. */
long kn_clip_find(const kn_clip_track *t, uint64_t h);

/* First keyframe at or after frame f (wrapping to 0). */
size_t kn_clip_next_keyframe(const kn_clip_track *t, size_t f);

#endif
