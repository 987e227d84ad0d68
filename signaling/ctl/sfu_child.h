/*
 * sfu_child.h: supervises the konsil-sfu child that konsil-signaling starts
 * when no KONSIL_SFU is configured: spawns it with uv_spawn, restarts it with
 * backoff when it dies, and stops it with SIGTERM, then SIGKILL after 3 s.
 */
#ifndef KN_SFU_CHILD_H
#define KN_SFU_CHILD_H

#include <stdint.h>

#include <uv.h>

typedef struct kn_sfuchild kn_sfuchild;

typedef struct kn_sfuchild_opts {
    const char *exe;         /* path of konsil-sfu */
    uint16_t media_port;     /* --port */
    const char *announce_ip; /* --announce-ip */
    const char *control;     /* --control, e.g. "unix:/var/lib/konsil/sfu-0.sock" */
} kn_sfuchild_opts;

/* Copies opts and spawns the child. Returns 0, KN_EINVAL or KN_ENOMEM; a failed
 * spawn is retried with backoff like a crash. */
int kn_sfuchild_start(uv_loop_t *loop, const kn_sfuchild_opts *opts, kn_sfuchild **out);

/* PID of the running child, or 0. */
int kn_sfuchild_pid(const kn_sfuchild *s);

/* Successful spawns after the first one (crash restarts and kn_sfuchild_restart). */
unsigned kn_sfuchild_restarts(const kn_sfuchild *s);

/* Kills a running child (SIGKILL) so that it is restarted like after a crash:
 * used when its control connection was lost while it still ran, since its rooms
 * are then gone from signaling's view. No-op when it is not running. */
void kn_sfuchild_restart(kn_sfuchild *s);

/* Stops restarting, sends SIGTERM (SIGKILL after 3 s) and calls done(arg) once
 * the child has exited and every handle is closed; then s is freed. */
void kn_sfuchild_stop(kn_sfuchild *s, void (*done)(void *arg), void *arg);

/* Finds konsil-sfu next to the running binary (/proc/self/exe). Returns 0 or KN_EIO. */
int kn_sfuchild_find_exe(char *buf, size_t cap);

#endif
