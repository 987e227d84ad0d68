/*
 * proc_usage.c: process CPU from getrusage, resident memory from
 * /proc/self/statm (procfs: answered from kernel memory, never waits on a
 * disk). See proc_usage.h.
 */
#include "core/proc_usage.h"

#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

void kn_proc_usage_read(kn_proc_usage *u) {
    struct rusage ru;
    long pages = 0, resident = 0;
    u->cpu_seconds = 0;
    u->resident_bytes = 0;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        u->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
                         ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    long page = sysconf(_SC_PAGESIZE);
    if (resident > 0 && page > 0)
        u->resident_bytes = (uint64_t)resident * (uint64_t)page;
}
