/*
 * lo_ifaddrs.c: LD_PRELOAD shim for the benchmark's Janus 1.1.2 reference.
 * Stock Janus skips every IFF_LOOPBACK interface when gathering candidates, so
 * it cannot offer 127.0.0.1 (shared/notes/janus.md). This getifaddrs() calls
 * the real one and clears IFF_LOOPBACK in the returned list; with
 * nat.ice_enforce_list = "lo" Janus then offers exactly 127.0.0.1.
 */
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stddef.h>

int getifaddrs(struct ifaddrs **ifap) {
    int (*real)(struct ifaddrs **) = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
    if (real == NULL)
        return -1;
    int rc = real(ifap);
    if (rc == 0)
        for (struct ifaddrs *i = *ifap; i != NULL; i = i->ifa_next)
            i->ifa_flags &= ~(unsigned)IFF_LOOPBACK;
    return rc;
}
