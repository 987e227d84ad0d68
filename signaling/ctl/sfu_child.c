/*
 * sfu_child.c: spawn / restart-with-backoff / stop of one konsil-sfu child on
 * the signaling loop. The uv_process_t lives in the supervisor and is closed
 * after each exit before the next spawn; the kill and restart timers are
 * closed on stop.
 */
#include "ctl/sfu_child.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"

#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000
#define STABLE_MS      10000 /* a child that ran this long resets the backoff */
#define KILL_AFTER_MS  3000

struct kn_sfuchild {
    uv_loop_t *loop;
    uv_process_t proc;
    uv_timer_t restart, kill;
    bool running, proc_open, stopping;
    unsigned backoff_ms, open_handles, starts;
    uint64_t started_ms;
    char exe[512], port[8], ip[64], control[600];
    void (*done)(void *arg);
    void *done_arg;
};

static void spawn(kn_sfuchild *s);

static void on_restart_timer(uv_timer_t *t) {
    spawn(t->data);
}

static void finish_if_idle(kn_sfuchild *s) {
    if (!s->stopping || s->running || s->proc_open || s->open_handles > 0)
        return;
    void (*done)(void *) = s->done;
    void *arg = s->done_arg;
    free(s);
    if (done)
        done(arg);
}

static void on_handle_closed(uv_handle_t *h) {
    kn_sfuchild *s = h->data;
    if (h == (uv_handle_t *)&s->proc)
        s->proc_open = false;
    else
        s->open_handles--;
    finish_if_idle(s);
}

static void child_on_exit(uv_process_t *p, int64_t status, int sig) {
    kn_sfuchild *s = p->data;
    uint64_t ran = uv_now(s->loop) - s->started_ms;
    s->running = false;
    uv_close((uv_handle_t *)&s->proc, on_handle_closed);
    if (s->stopping) {
        KN_LOG_INFO("sfu-child", "konsil-sfu exited (status %lld, signal %d)", (long long)status,
                    sig);
        uv_close((uv_handle_t *)&s->kill, on_handle_closed); /* also stops it */
        return;
    }
    if (ran >= STABLE_MS)
        s->backoff_ms = BACKOFF_MIN_MS;
    KN_LOG_WARN("sfu-child", "konsil-sfu pid %d (port %s) died (status %lld, signal %d); "
                "restart in %u ms", s->proc.pid, s->port, (long long)status, sig, s->backoff_ms);
    uv_timer_start(&s->restart, on_restart_timer, s->backoff_ms, 0);
    s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
}

static void spawn(kn_sfuchild *s) {
    char *args[] = {s->exe, "--port",    s->port,    "--announce-ip",
                    s->ip,  "--control", s->control, "--exit-with-parent", NULL};
    uv_stdio_container_t stdio[3] = {
        {.flags = UV_IGNORE},
        { .flags = UV_INHERIT_FD,      .data.fd = 1},
        { .flags = UV_INHERIT_FD,      .data.fd = 2},
    };
    uv_process_options_t o = {
        .exit_cb = child_on_exit, .file = s->exe, .args = args, .stdio_count = 3, .stdio = stdio};
    if (s->proc_open) { /* previous process handle still closing: try again shortly */
        uv_timer_start(&s->restart, on_restart_timer, 50, 0);
        return;
    }
    if (strncmp(s->control, "unix:", 5) == 0)
        unlink(s->control + 5); /* a stale socket from a killed child */
    s->proc.data = s;
    s->started_ms = uv_now(s->loop);
    int rc = uv_spawn(s->loop, &s->proc, &o);
    s->proc_open = true;
    if (rc != 0) {
        KN_LOG_ERROR("sfu-child", "cannot start %s: %s; retry in %u ms", s->exe, uv_strerror(rc),
                     s->backoff_ms);
        uv_close((uv_handle_t *)&s->proc, on_handle_closed);
        uv_timer_start(&s->restart, on_restart_timer, s->backoff_ms, 0);
        s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
        return;
    }
    s->running = true;
    s->starts++;
    KN_LOG_INFO("sfu-child", "started konsil-sfu pid %d (port %s, control %s)", s->proc.pid,
                s->port, s->control);
}

int kn_sfuchild_start(uv_loop_t *loop, const kn_sfuchild_opts *opts, kn_sfuchild **out) {
    kn_sfuchild *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return KN_ENOMEM;
    if (strlen(opts->exe) >= sizeof(s->exe) || strlen(opts->announce_ip) >= sizeof(s->ip) ||
        strlen(opts->control) >= sizeof(s->control)) {
        free(s);
        return KN_EINVAL;
    }
    strcpy(s->exe, opts->exe);
    strcpy(s->ip, opts->announce_ip);
    strcpy(s->control, opts->control);
    snprintf(s->port, sizeof(s->port), "%u", opts->media_port);
    s->loop = loop;
    s->backoff_ms = BACKOFF_MIN_MS;
    uv_timer_init(loop, &s->restart);
    uv_timer_init(loop, &s->kill);
    s->restart.data = s->kill.data = s;
    s->open_handles = 2;
    spawn(s);
    *out = s;
    return 0;
}

int kn_sfuchild_pid(const kn_sfuchild *s) {
    return s->running ? s->proc.pid : 0;
}

unsigned kn_sfuchild_restarts(const kn_sfuchild *s) {
    return s->starts > 0 ? s->starts - 1 : 0;
}

void kn_sfuchild_restart(kn_sfuchild *s) {
    if (!s->running || s->stopping)
        return;
    KN_LOG_WARN("sfu-child", "konsil-sfu pid %d: control connection lost; SIGKILL to restart it",
                s->proc.pid);
    uv_process_kill(&s->proc, SIGKILL);
}

static void on_kill_timer(uv_timer_t *t) {
    kn_sfuchild *s = t->data;
    if (s->running) {
        KN_LOG_WARN("sfu-child", "konsil-sfu ignored SIGTERM for 3 s; SIGKILL");
        uv_process_kill(&s->proc, SIGKILL);
    }
}

void kn_sfuchild_stop(kn_sfuchild *s, void (*done)(void *arg), void *arg) {
    s->stopping = true;
    s->done = done;
    s->done_arg = arg;
    uv_timer_stop(&s->restart);
    uv_close((uv_handle_t *)&s->restart, on_handle_closed);
    if (!s->running) {
        uv_close((uv_handle_t *)&s->kill, on_handle_closed);
        return;
    }
    /* The kill timer is closed by child_on_exit, so it can still fire. */
    uv_process_kill(&s->proc, SIGTERM);
    uv_timer_start(&s->kill, on_kill_timer, KILL_AFTER_MS, 0);
}

int kn_sfuchild_find_exe(char *buf, size_t cap) {
    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return KN_EIO;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash == NULL)
        return KN_EIO;
    *slash = '\0';
    if ((size_t)snprintf(buf, cap, "%s/konsil-sfu", self) >= cap)
        return KN_EIO;
    return 0;
}
