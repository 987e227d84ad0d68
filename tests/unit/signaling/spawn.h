/*
 * spawn.h: helpers for unit tests that talk to a real local server written
 * in Python (smtp_sink.py, sms_sink.py): a free loopback port, a throwaway
 * certificate for 127.0.0.1 / localhost, and starting a server whose PID is
 * kept so exactly it is stopped. The server's stdout pipe stays open while
 * it runs (a closed pipe would kill it with EPIPE); its stderr goes to a log.
 */
#ifndef KN_TEST_SPAWN_H
#define KN_TEST_SPAWN_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct spawned {
    pid_t pid;
    int out_fd;
} spawned;

static inline uint16_t spawn_free_port(void) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &n) != 0)
        abort();
    close(fd);
    return ntohs(a.sin_port);
}

static inline int spawn_make_cert(const char *crt, const char *key) {
    char cmd[768];
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
             " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout %s -out %s 2>/dev/null",
             key, crt);
    return system(cmd);
}

/* Runs /usr/bin/python3 with argv (NULL-terminated, argv[0] the script) and
 * waits up to 60 s for a line starting with "ready". Returns 0 or -1. */
static inline int spawn_python(spawned *s, const char *log, char *const argv[]) {
    char line[16] = {0};
    char *args[16] = {"python3"};
    struct pollfd pfd;
    int fds[2], ok = 0;

    for (int i = 0; argv[i] != NULL && i < 14; i++)
        args[i + 1] = argv[i];
    if (pipe(fds) != 0)
        return -1;
    s->pid = fork();
    if (s->pid == 0) {
        if (freopen(log, "w", stderr) == NULL)
            _exit(126);
        dup2(fds[1], 1);
        close(fds[0]);
        execv("/usr/bin/python3", args);
        _exit(127);
    }
    close(fds[1]);
    s->out_fd = fds[0];
    pfd = (struct pollfd){.fd = fds[0], .events = POLLIN};
    for (int waited = 0; waited < 60000; waited += 100)
        if (poll(&pfd, 1, 100) == 1) {
            ok = read(fds[0], line, sizeof(line) - 1) > 0 && strncmp(line, "ready", 5) == 0;
            break;
        }
    return ok ? 0 : -1;
}

static inline void spawn_stop(spawned *s) {
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        close(s->out_fd);
        s->pid = 0;
    }
}

#endif
