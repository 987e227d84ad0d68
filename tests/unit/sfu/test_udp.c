/*
 * test_udp.c: kn_udp over real loopback sockets: datagrams delivered with their
 * source and a batch callback, queued sends flushed with sendmmsg (also when the
 * queue fills), a bad address or a port in use refused, socket buffers raised
 * past the kernel default, and every handle closed (uv_loop_close() == 0).
 */
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
#include "net/udp.h"

static uv_loop_t loop;
static kn_udp u;
static int peer = -1; /* plain client socket */
static struct sockaddr_in peer_addr, server_addr;
static unsigned got, batches;
static uint8_t last[64];
static size_t last_len;
static struct sockaddr_in last_from;

static void on_recv(void *arg, const struct sockaddr *from, uint8_t *data, size_t len,
                    size_t cap) {
    (void)arg;
    assert_true(cap >= len);
    got++;
    last_len = len < sizeof(last) ? len : sizeof(last);
    memcpy(last, data, last_len);
    memcpy(&last_from, from, sizeof(last_from));
}

static void on_batch(void *arg) {
    (void)arg;
    batches++;
}

static void run_until(const unsigned *counter, unsigned want) {
    for (int i = 0; i < 2000 && *counter < want; i++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
}

static int setup(void **state) {
    socklen_t len = sizeof(peer_addr);
    (void)state;
    got = batches = 0;
    uv_loop_init(&loop);
    if (kn_udp_init(&u, &loop, "127.0.0.1", 0, on_recv, on_batch, NULL) != 0)
        return -1;
    server_addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(kn_udp_port(&u))};
    inet_pton(AF_INET, "127.0.0.1", &server_addr.sin_addr);
    peer = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in any = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &any.sin_addr);
    struct timeval tv = {.tv_sec = 2};
    setsockopt(peer, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    /* Room for a whole queue of small datagrams (each costs ~1 KiB of buffer);
     * SO_RCVBUFFORCE passes net.core.rmem_max when running as root. */
    int rcvbuf = 1 << 20;
    if (setsockopt(peer, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
        setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    if (bind(peer, (struct sockaddr *)&any, sizeof(any)) != 0 ||
        getsockname(peer, (struct sockaddr *)&peer_addr, &len) != 0)
        return -1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    close(peer);
    kn_udp_close(&u, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    return uv_loop_close(&loop); /* a forgotten handle fails here */
}

static void receives_datagrams_with_their_source(void **state) {
    (void)state;
    assert_int_not_equal(kn_udp_port(&u), 0);
    for (int i = 0; i < 3; i++) {
        uint8_t d[3] = {0x80, 0x60, (uint8_t)i};
        assert_int_equal(sendto(peer, d, sizeof(d), 0, (struct sockaddr *)&server_addr,
                                sizeof(server_addr)),
                         3);
    }
    run_until(&got, 3);
    assert_int_equal(got, 3);
    assert_true(batches >= 1);
    assert_int_equal(last_len, 3);
    assert_int_equal(last[2], 2);
    assert_int_equal(last_from.sin_port, peer_addr.sin_port);
    assert_int_equal(last_from.sin_addr.s_addr, peer_addr.sin_addr.s_addr);
    assert_int_equal(u.stats.rx_datagrams, 3);
}

static void queued_sends_are_flushed_in_order(void **state) {
    uint8_t buf[64];
    (void)state;
    for (int i = 0; i < 5; i++) {
        uint8_t *slot = kn_udp_reserve(&u);
        assert_non_null(slot);
        memset(slot, i, 10 + i);
        kn_udp_commit(&u, 10 + (size_t)i, (struct sockaddr *)&peer_addr);
    }
    assert_int_equal(u.txcount, 5);
    kn_udp_flush(&u);
    assert_int_equal(u.txcount, 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(recv(peer, buf, sizeof(buf), 0), 10 + i);
        assert_int_equal(buf[0], i);
    }
    assert_int_equal(u.stats.tx_datagrams, 5);
    assert_int_equal(u.stats.tx_bytes, 10 + 11 + 12 + 13 + 14);
}

static void a_full_queue_flushes_itself(void **state) {
    uint8_t buf[16];
    (void)state;
    for (unsigned i = 0; i < KN_UDP_QUEUE + 10; i++) {
        uint8_t *slot = kn_udp_reserve(&u);
        assert_non_null(slot);
        slot[0] = (uint8_t)i;
        kn_udp_commit(&u, 1, (struct sockaddr *)&peer_addr);
    }
    assert_int_equal(u.txcount, 10);
    /* The uv_check handle flushes the rest after the next loop iteration. */
    uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(u.txcount, 0);
    for (unsigned i = 0; i < KN_UDP_QUEUE + 10; i++) {
        assert_int_equal(recv(peer, buf, sizeof(buf), 0), 1);
        assert_int_equal(buf[0], (uint8_t)i);
    }
    assert_int_equal(u.stats.tx_dropped_full, 0);
}

static void bad_address_and_port_in_use_are_refused(void **state) {
    kn_udp other;
    (void)state;
    assert_int_equal(kn_udp_init(&other, &loop, "not-an-ip", 0, on_recv, NULL, NULL), KN_EINVAL);
    assert_int_equal(kn_udp_init(&other, &loop, "127.0.0.1", kn_udp_port(&u), on_recv, NULL, NULL),
                     KN_EIO);
    /* After KN_EIO its handles are closing; the loop finishes them (checked in teardown). */
    uv_run(&loop, UV_RUN_NOWAIT);
    assert_null(other.rxbuf);
}

static int socket_option(int option) {
    uv_os_fd_t fd;
    int value = 0;
    socklen_t len = sizeof(value);
    assert_int_equal(uv_fileno((uv_handle_t *)&u.handle, &fd), 0);
    assert_int_equal(getsockopt(fd, SOL_SOCKET, option, &value, &len), 0);
    return value;
}

/* Root passes net.core.rmem_max with SO_RCVBUFFORCE; the kernel reports twice the
 * size it books. Without root the buffer still grows to rmem_max (> the default). */
static void socket_buffers_are_raised(void **state) {
    (void)state;
    int want = geteuid() == 0 ? KN_UDP_SOCKET_BUFFER : 212992 + 1;
    assert_true(socket_option(SO_RCVBUF) >= want);
    assert_true(socket_option(SO_SNDBUF) >= want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(receives_datagrams_with_their_source, setup, teardown),
        cmocka_unit_test_setup_teardown(queued_sends_are_flushed_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(a_full_queue_flushes_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_address_and_port_in_use_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(socket_buffers_are_raised, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
