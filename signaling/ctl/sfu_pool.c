/*
 * sfu_pool.c: the members of the SFU pool (own children or remote SFUs),
 * their control connections and load counters, and the placement rule.
 * Owns one kn_sfuchild and one kn_sfuctl per member; both live until
 * kn_sfupool_stop. Signaling loop.
 */
#include "ctl/sfu_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "ctl/sfu_child.h"

#define KN_SFUPOOL_ROOM_LEN 65 /* control-API identifiers: 1-64 characters */

typedef struct member {
    kn_sfupool *pool;
    unsigned index;
    char address[700];
    kn_sfuctl *ctl;
    kn_sfuchild *child;
    kn_sfupool_load load;
    char (*orphans)[KN_SFUPOOL_ROOM_LEN]; /* rooms to destroy when up again (remote only) */
    unsigned n_orphans, next_orphan;
} member;

struct kn_sfupool {
    unsigned n, stopping; /* stopping: members still closing, plus one while asking */
    bool closing;         /* no more hooks to the owner */
    kn_sfupool_hooks hooks;
    void (*done)(void *arg);
    void *done_arg;
    member m[KN_SFUPOOL_MAX];
};

unsigned kn_sfupool_auto_processes(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > KN_SFUPOOL_MAX ? KN_SFUPOOL_MAX : (unsigned)n;
}

int kn_sfupool_choose(const kn_sfupool_load *l, unsigned n) {
    int best = -1;
    for (unsigned i = 0; i < n; i++) {
        if (!l[i].up)
            continue;
        if (best < 0 || l[i].parts < l[best].parts ||
            (l[i].parts == l[best].parts && l[i].rooms < l[best].rooms))
            best = (int)i;
    }
    return best;
}

int kn_sfupool_place(const kn_sfupool *p) {
    kn_sfupool_load l[KN_SFUPOOL_MAX];
    for (unsigned i = 0; i < p->n; i++) {
        l[i] = p->m[i].load;
        l[i].up = !p->closing && p->m[i].ctl != NULL && kn_sfuctl_up(p->m[i].ctl);
    }
    return kn_sfupool_choose(l, p->n);
}

void kn_sfupool_load_add(kn_sfupool *p, unsigned member, int parts, int rooms) {
    kn_sfupool_load *l = &p->m[member].load;
    l->parts = (int)l->parts + parts < 0 ? 0 : (unsigned)((int)l->parts + parts);
    l->rooms = (int)l->rooms + rooms < 0 ? 0 : (unsigned)((int)l->rooms + rooms);
}

unsigned kn_sfupool_size(const kn_sfupool *p) {
    return p->n;
}

kn_sfuctl *kn_sfupool_ctl(kn_sfupool *p, unsigned member) {
    return member < p->n ? p->m[member].ctl : NULL;
}

int kn_sfupool_pid(const kn_sfupool *p, unsigned member) {
    return member < p->n && p->m[member].child ? kn_sfuchild_pid(p->m[member].child) : 0;
}

unsigned kn_sfupool_restarts(const kn_sfupool *p, unsigned member) {
    return member < p->n && p->m[member].child ? kn_sfuchild_restarts(p->m[member].child) : 0;
}

kn_sfupool_load kn_sfupool_load_of(const kn_sfupool *p, unsigned member) {
    kn_sfupool_load l = {0};
    if (member < p->n) {
        l = p->m[member].load;
        l.up = !p->closing && p->m[member].ctl != NULL && kn_sfuctl_up(p->m[member].ctl);
    }
    return l;
}

bool kn_sfupool_own(const kn_sfupool *p) {
    return p->n > 0 && p->m[0].child != NULL;
}

const char *kn_sfupool_address(const kn_sfupool *p, unsigned member) {
    return member < p->n ? p->m[member].address : "";
}

/* ---- rooms left behind on a remote member ---- */

void kn_sfupool_orphan(kn_sfupool *p, unsigned idx, const char *room) {
    member *m = &p->m[idx];
    if (m->child != NULL || strlen(room) >= KN_SFUPOOL_ROOM_LEN)
        return;
    if (m->orphans == NULL)
        m->orphans = calloc(KN_SFUPOOL_ORPHANS, KN_SFUPOOL_ROOM_LEN);
    if (m->orphans == NULL)
        return; /* the SFU's consent timeout still ends the peers */
    strcpy(m->orphans[m->next_orphan], room);
    m->next_orphan = (m->next_orphan + 1) % KN_SFUPOOL_ORPHANS;
    if (m->n_orphans < KN_SFUPOOL_ORPHANS)
        m->n_orphans++;
}

static void on_orphan_destroyed(void *arg, int rc, json_t *result, const char *message) {
    (void)result;
    member *m = arg;
    if (rc != 0 && rc != KN_ENOENT && rc != KN_EIO)
        KN_LOG_WARN("sfu-pool", "sfu %u: room.destroy of a left-behind room failed: %s (%s)",
                    m->index, kn_strerror(rc), message ? message : "");
}

static void destroy_orphans(member *m) {
    for (unsigned i = 0; i < m->n_orphans; i++) {
        json_t *params = json_pack("{s:s}", "room", m->orphans[i]);
        if (params != NULL)
            kn_sfuctl_request(m->ctl, "room.destroy", params, on_orphan_destroyed, m);
    }
    if (m->n_orphans > 0)
        KN_LOG_INFO("sfu-pool",
                    "sfu %u back: destroyed %u room(s) that moved away while it was "
                    "unreachable",
                    m->index, m->n_orphans);
    m->n_orphans = m->next_orphan = 0;
}

/* ---- control connection hooks: tag with the member index ---- */

static void member_on_event(void *arg, const char *event, json_t *params) {
    member *m = arg;
    if (!m->pool->closing && m->pool->hooks.on_event)
        m->pool->hooks.on_event(m->pool->hooks.arg, m->index, event, params);
}

static void member_on_state(void *arg, bool up) {
    member *m = arg;
    int pid = kn_sfupool_pid(m->pool, m->index);
    if (m->pool->closing)
        return;
    if (up)
        destroy_orphans(m);
    KN_LOG_INFO("sfu-pool", "sfu %u (%s, pid %d) %s", m->index, m->address, pid,
                up ? "up" : "down");
    if (m->pool->hooks.on_state)
        m->pool->hooks.on_state(m->pool->hooks.arg, m->index, up);
    /* Signaling forgot the member's rooms: a child that still runs (only its control
     * connection broke) would keep them and their peers, so it starts afresh. */
    if (!up && m->child != NULL)
        kn_sfuchild_restart(m->child);
}

/* ---- start ---- */

/* Splits the comma list into member addresses. */
static int add_remote(kn_sfupool *p, const char *list, const char **why) {
    const char *s = list;
    while (*s != '\0') {
        size_t len = strcspn(s, ",");
        if (len == 0 || len >= sizeof(p->m[0].address) || p->n == KN_SFUPOOL_MAX) {
            *why = "KONSIL_SFU: empty or too long entry, or more than 64 entries";
            return KN_EINVAL;
        }
        memcpy(p->m[p->n].address, s, len);
        p->m[p->n].address[len] = '\0';
        p->n++;
        s += len + (s[len] == ',');
    }
    return 0;
}

static int add_children(kn_sfupool *p, const kn_sfupool_opts *o, const char **why) {
    unsigned n = o->processes ? o->processes : kn_sfupool_auto_processes();
    if (n > KN_SFUPOOL_MAX || (unsigned)o->media_port + n - 1 > 65535) {
        *why = "KONSIL_MEDIA_PORT + KONSIL_SFU_PROCESSES - 1 is past 65535";
        return KN_EINVAL;
    }
    for (unsigned i = 0; i < n; i++) {
        member *m = &p->m[i];
        if ((size_t)snprintf(m->address, sizeof(m->address), "unix:%s/sfu-%u.sock", o->state_dir,
                             i) >= sizeof(m->address)) {
            *why = "state directory path too long";
            return KN_EINVAL;
        }
    }
    p->n = n;
    return 0;
}

static int start_members(uv_loop_t *loop, kn_sfupool *p, const kn_sfupool_opts *o, bool own,
                         const char **why) {
    for (unsigned i = 0; i < p->n; i++) {
        member *m = &p->m[i];
        m->pool = p;
        m->index = i;
        int rc = 0;
        if (own) {
            kn_sfuchild_opts co = {o->exe, (uint16_t)(o->media_port + i), o->announce_ip,
                                   m->address};
            rc = kn_sfuchild_start(loop, &co, &m->child);
        }
        kn_sfuctl_hooks h = {member_on_event, member_on_state, m};
        if (rc == 0)
            rc = kn_sfuctl_create(loop, m->address, o->secret, &h, &m->ctl);
        if (rc != 0) {
            *why = rc == KN_EINVAL ? "bad SFU control address" : "cannot start the SFU pool";
            return rc;
        }
        if (own)
            KN_LOG_INFO("sfu-pool", "sfu %u: media port %u (udp, ice-tcp), control %s", i,
                        o->media_port + i, m->address);
    }
    return 0;
}

int kn_sfupool_start(uv_loop_t *loop, const kn_sfupool_opts *o, const kn_sfupool_hooks *hooks,
                     kn_sfupool **out, const char **why) {
    kn_sfupool *p = calloc(1, sizeof(*p));
    bool own = o->remote == NULL || o->remote[0] == '\0';
    *why = "out of memory";
    if (p == NULL)
        return KN_ENOMEM;
    p->hooks = *hooks;
    int rc = own ? add_children(p, o, why) : add_remote(p, o->remote, why);
    if (rc == 0)
        rc = start_members(loop, p, o, own, why);
    *out = p; /* also on failure: kn_sfupool_stop releases what started */
    return rc;
}

/* ---- stop ---- */

static void one_stopped(void *arg) {
    kn_sfupool *p = arg;
    if (--p->stopping > 0)
        return;
    for (unsigned i = 0; i < p->n; i++)
        free(p->m[i].orphans);
    void (*done)(void *) = p->done;
    void *done_arg = p->done_arg;
    free(p);
    if (done)
        done(done_arg);
}

void kn_sfupool_stop(kn_sfupool *p, void (*done)(void *arg), void *arg) {
    p->done = done;
    p->done_arg = arg;
    p->closing = true;
    p->stopping = 1; /* held until every member was asked */
    for (unsigned i = 0; i < p->n; i++) {
        member *m = &p->m[i];
        if (m->ctl) {
            p->stopping++;
            kn_sfuctl_destroy(m->ctl, one_stopped, p); /* fails pending requests first */
            m->ctl = NULL;
        }
        if (m->child) {
            p->stopping++;
            kn_sfuchild_stop(m->child, one_stopped, p);
            m->child = NULL;
        }
    }
    one_stopped(p);
}
