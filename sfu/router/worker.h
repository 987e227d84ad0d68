/*
 * worker.h: the state of one konsil-sfu process: its loop, packet pool, UDP
 * socket, ICE-TCP listener, DTLS context, rooms, and the two lookups packets
 * need before they reach a transport (local ICE ufrag → transport for STUN,
 * remote address → transport for everything else, filled only after a
 * verified check). Owns a 20 ms tick that drives DTLS timers, NACKs, RTCP
 * reports and consent expiry. Media loop only.
 */
#ifndef KN_WORKER_H
#define KN_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "dtls/dtls.h"
#include "net/pktbuf.h"
#include "net/tcp.h"
#include "net/udp.h"

typedef struct kn_room kn_room;
typedef struct kn_transport kn_transport;
typedef struct kn_api_server kn_api_server;

#define KN_ADDR_SLOTS  4096 /* open addressing; at most KN_ADDR_SLOTS / 2 entries */
#define KN_UFRAG_BUCKETS 256
#define KN_POOL_SLOTS  16384 /* default --pool-packets; ~27 MB at most, touched as used */

typedef struct kn_addr_entry {
    struct sockaddr_storage addr; /* ss_family 0 = empty */
    kn_transport *t;
    bool tomb;
} kn_addr_entry;

typedef struct kn_worker_stats {
    uint64_t stun_unknown_ufrag, stun_auth_failed, stun_malformed;
    uint64_t unknown_addr, unknown_kind, pool_empty;
} kn_worker_stats;

typedef struct kn_worker {
    uv_loop_t *loop;
    kn_pktbuf_pool pool;
    kn_udp udp;
    kn_tcp tcp;
    kn_dtls_ctx *dtls_ctx;
    uv_timer_t tick;       /* backstop: packet batches run the tick once it is due */
    uint64_t next_tick_ms; /* loop time the next tick is due */
    uv_timer_t probe; /* KN_BWE_PROBE_MS, runs only while a transport probes */
    uint64_t next_report_ms;
    kn_room *rooms;
    unsigned n_rooms, n_peers;
    kn_addr_entry *addrs;
    unsigned n_addrs;
    kn_transport *ufrags[KN_UFRAG_BUCKETS];
    kn_api_server *api; /* events go here; may be NULL in tests */
    char announce_ip[64];
    uint16_t port;
    uint64_t consent_ms; /* RFC 7675 consent timeout; KN_CONSENT_MS unless changed after init */
    uint32_t max_pub_bps; /* REMB cap toward every publisher (0: none configured) */
    kn_worker_stats stats;
    int pending_close;
    void (*close_cb)(struct kn_worker *w);
} kn_worker;

/* Starts UDP and TCP on bind_ip:port (both the same port number) and the tick,
 * with a packet pool of pool_packets slots (0: KN_POOL_SLOTS).
 * Returns 0, KN_EINVAL (bad ip), KN_ENOMEM, KN_ECRYPTO, KN_EIO. On failure
 * everything allocated is freed, but socket handles may still be closing: run
 * the loop (uv_run) before freeing or reusing `w`. */
int kn_worker_init(kn_worker *w, uv_loop_t *loop, const char *bind_ip, uint16_t port,
                   const char *announce_ip, uint32_t pool_packets);
/* Destroys every room and closes every handle; cb runs when all are closed. */
void kn_worker_close(kn_worker *w, void (*cb)(kn_worker *w));

kn_room *kn_worker_find_room(kn_worker *w, const char *id);
void kn_worker_link_room(kn_worker *w, kn_room *r);
void kn_worker_unlink_room(kn_worker *w, kn_room *r);

void kn_worker_add_ufrag(kn_worker *w, kn_transport *t);
void kn_worker_remove_ufrag(kn_worker *w, kn_transport *t);
/* Maps `addr` to t (replacing any other owner). Returns 0 or KN_ELIMIT. */
int kn_worker_addr_set(kn_worker *w, const struct sockaddr *addr, kn_transport *t);
void kn_worker_addr_remove(kn_worker *w, const struct sockaddr *addr);
kn_transport *kn_worker_addr_find(kn_worker *w, const struct sockaddr *addr);

/* Milliseconds on the loop clock (uv_now). */
uint64_t kn_worker_now(const kn_worker *w);

/* Handles one datagram from UDP (tcp_conn NULL) or an ICE-TCP frame. */
void kn_worker_on_packet(kn_worker *w, const struct sockaddr *from, kn_tcp_conn *conn,
                         uint8_t *data, size_t len, size_t cap);

/* Starts the probe padding timer (no-op when running); it stops itself when
 * no transport probes any more. */
void kn_worker_probe_start(kn_worker *w);

/* Emits a control API event (steals params). */
void kn_worker_emit(kn_worker *w, const char *name, void *params /* json_t * */);

#endif
