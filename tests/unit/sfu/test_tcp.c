/*
 * test_tcp.c: kn_tcp (RFC 6544 passive ICE-TCP, RFC 4571 framing) over real
 * loopback connections: frames split across reads and merged in one read,
 * zero-length and oversize frames closing the connection, framed writes to a
 * bound connection, on_lost only for bound connections, kn_tcp_close_owner,
 * the unauthenticated limit without stalling the listener, and every handle
 * closed (uv_loop_close() == 0).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include "core/err.h"
#include "net/tcp.h"

static uv_loop_t loop;
static kn_tcp t;
static struct sockaddr_in server_addr;
static unsigned frames, lost;
static uint8_t frame[2][64];
static size_t frame_len[2];
static kn_tcp_conn *frame_conn;
static void *lost_owner;
static int owner_a, owner_b;

static void on_frame(void *arg, kn_tcp_conn *c, uint8_t *data, size_t len, size_t cap) {
    (void)arg;
    assert_true(cap >= len);
    if (frames < 2) {
        memcpy(frame[frames], data, len < 64 ? len : 64);
        frame_len[frames] = len;
    }
    frames++;
    frame_conn = c;
}

static void on_lost(void *arg, kn_tcp_conn *c, void *owner) {
    (void)arg;
    (void)c;
    lost++;
    lost_owner = owner;
}

/* Runs the loop until *v reaches want (bounded: 2 s). */
static void run_until(const unsigned *v, unsigned want) {
    for (int i = 0; i < 2000 && *v < want; i++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
}

static void spin(int ms) {
    for (int i = 0; i < ms; i++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
}

static int client(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&server_addr, sizeof(server_addr)), 0);
    return fd;
}

/* True once the server closed fd (recv sees EOF or a reset), running the loop meanwhile. */
static bool closed_by_server(int fd) {
    uint8_t b[16];
    for (int i = 0; i < 2000; i++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            return true;
        usleep(1000);
    }
    return false;
}

static unsigned n_conns(void) {
    unsigned n = 0;
    for (kn_tcp_conn *c = t.conns; c != NULL; c = c->next)
        n++;
    return n;
}

static int setup(void **state) {
    int len = sizeof(server_addr);
    (void)state;
    frames = lost = 0;
    frame_conn = NULL;
    lost_owner = NULL;
    uv_loop_init(&loop);
    if (kn_tcp_init(&t, &loop, "127.0.0.1", 0, on_frame, on_lost, NULL) != 0)
        return -1;
    return uv_tcp_getsockname(&t.listener, (struct sockaddr *)&server_addr, &len);
}

static int teardown(void **state) {
    (void)state;
    kn_tcp_close(&t, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    return uv_loop_close(&loop); /* a forgotten handle fails here */
}

static void split_and_merged_frames_are_reassembled(void **state) {
    /* frame "abc", then a frame split over two writes, then two frames in one write */
    const uint8_t a[] = {0x00, 0x03, 'a', 'b', 'c'};
    const uint8_t b1[] = {0x00}, b2[] = {0x02, 'x'}, b3[] = {'y', 0x00, 0x01, 'z', 0x00, 0x01, 'w'};
    (void)state;
    int fd = client();
    assert_int_equal(write(fd, a, sizeof(a)), sizeof(a));
    run_until(&frames, 1);
    assert_int_equal(frames, 1);
    assert_int_equal(frame_len[0], 3);
    assert_memory_equal(frame[0], "abc", 3);
    assert_int_equal(write(fd, b1, 1), 1);
    spin(20);
    assert_int_equal(write(fd, b2, 2), 2);
    spin(20);
    assert_int_equal(frames, 1); /* still incomplete */
    assert_int_equal(write(fd, b3, sizeof(b3)), sizeof(b3));
    run_until(&frames, 4);
    assert_int_equal(frames, 4);
    assert_int_equal(frame_len[1], 2);
    assert_memory_equal(frame[1], "xy", 2);
    assert_int_equal(t.n_unauth, 1);
    close(fd);
    spin(20);
    assert_int_equal(lost, 0); /* never bound: no on_lost */
    assert_int_equal(n_conns(), 0);
    assert_int_equal(t.n_unauth, 0);
}

static void zero_and_oversize_frames_close_the_connection(void **state) {
    const uint8_t zero[] = {0x00, 0x00};
    const uint8_t big[] = {0x05, 0xdd}; /* 1501 > KN_TCP_MAX_FRAME */
    (void)state;
    int fd = client();
    assert_int_equal(write(fd, zero, 2), 2);
    assert_true(closed_by_server(fd));
    close(fd);
    fd = client();
    assert_int_equal(write(fd, big, 2), 2);
    assert_true(closed_by_server(fd));
    close(fd);
    assert_int_equal(t.oversize, 2);
    assert_int_equal(frames, 0);
}

static void bound_connection_sends_frames_and_reports_loss(void **state) {
    const uint8_t hello[] = {0x00, 0x02, 'h', 'i'};
    uint8_t buf[16];
    (void)state;
    int fd = client();
    assert_int_equal(write(fd, hello, sizeof(hello)), sizeof(hello));
    run_until(&frames, 1);
    kn_tcp_bind(frame_conn, &owner_a);
    assert_int_equal(t.n_unauth, 0);
    assert_int_equal(kn_tcp_send(frame_conn, (const uint8_t *)"pong", 4), 0);
    assert_int_equal(kn_tcp_send(frame_conn, (const uint8_t *)"!", 1), 0);
    size_t got = 0;
    for (int i = 0; i < 2000 && got < 9; i++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        ssize_t n = recv(fd, buf + got, sizeof(buf) - got, MSG_DONTWAIT);
        if (n > 0)
            got += (size_t)n;
        else
            usleep(1000);
    }
    const uint8_t want[] = {0x00, 0x04, 'p', 'o', 'n', 'g', 0x00, 0x01, '!'};
    assert_int_equal(got, sizeof(want));
    assert_memory_equal(buf, want, sizeof(want));
    /* A frame that does not fit the free output buffer is dropped, not queued. */
    uint8_t large[KN_TCP_OUTBUF];
    memset(large, 0, sizeof(large));
    assert_int_equal(kn_tcp_send(frame_conn, large, sizeof(large)), KN_ELIMIT);
    assert_int_equal(frame_conn->dropped, 1);
    close(fd);
    run_until(&lost, 1);
    assert_int_equal(lost, 1);
    assert_ptr_equal(lost_owner, &owner_a);
    assert_int_equal(n_conns(), 0);
}

static void close_owner_closes_only_that_owners_connections(void **state) {
    const uint8_t f[] = {0x00, 0x01, 'q'};
    kn_tcp_conn *ca, *cb;
    (void)state;
    int fa = client(), fb = client();
    assert_int_equal(write(fa, f, sizeof(f)), sizeof(f));
    run_until(&frames, 1);
    ca = frame_conn;
    assert_int_equal(write(fb, f, sizeof(f)), sizeof(f));
    run_until(&frames, 2);
    cb = frame_conn;
    assert_ptr_not_equal(ca, cb);
    kn_tcp_bind(ca, &owner_a);
    kn_tcp_bind(cb, &owner_b);
    kn_tcp_close_owner(&t, &owner_a);
    assert_true(closed_by_server(fa));
    assert_int_equal(lost, 0); /* the owner asked: no on_lost */
    assert_int_equal(n_conns(), 1);
    assert_ptr_equal(t.conns, cb);
    close(fa);
    close(fb);
    run_until(&lost, 1);
    assert_ptr_equal(lost_owner, &owner_b);
}

static void unauthenticated_limit_does_not_stall_the_listener(void **state) {
    int fds[KN_TCP_MAX_UNAUTH + 1];
    (void)state;
    for (int i = 0; i < KN_TCP_MAX_UNAUTH + 1; i++)
        fds[i] = client();
    unsigned rejected = 0;
    for (int i = 0; i < 2000 && rejected == 0; i++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        rejected = (unsigned)t.rejected;
        usleep(1000);
    }
    assert_int_equal(t.rejected, 1);
    assert_true(closed_by_server(fds[KN_TCP_MAX_UNAUTH]));
    assert_int_equal(t.n_unauth, KN_TCP_MAX_UNAUTH);
    /* One leaves; a newcomer is accepted (the listener kept running). */
    close(fds[0]);
    spin(30);
    assert_int_equal(t.n_unauth, KN_TCP_MAX_UNAUTH - 1);
    int late = client();
    spin(30);
    assert_int_equal(t.n_unauth, KN_TCP_MAX_UNAUTH);
    assert_int_equal(t.rejected, 1);
    close(late);
    for (int i = 1; i < KN_TCP_MAX_UNAUTH + 1; i++)
        close(fds[i]);
    spin(30);
    assert_int_equal(n_conns(), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(split_and_merged_frames_are_reassembled, setup, teardown),
        cmocka_unit_test_setup_teardown(zero_and_oversize_frames_close_the_connection, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bound_connection_sends_frames_and_reports_loss, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(close_owner_closes_only_that_owners_connections, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unauthenticated_limit_does_not_stall_the_listener, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
