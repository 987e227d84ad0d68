/*
 * proc_usage.h: this process's CPU time and resident memory, as both
 * konsil-sfu (`metrics`) and konsil-signaling (GET /metrics) report them.
 */
#ifndef KN_CORE_PROC_USAGE_H
#define KN_CORE_PROC_USAGE_H

#include <stdint.h>

typedef struct kn_proc_usage {
    double cpu_seconds;      /* user + system, from getrusage(RUSAGE_SELF); 0 if it fails */
    uint64_t resident_bytes; /* /proc/self/statm resident pages * page size; 0 if unreadable */
} kn_proc_usage;

/* Fills *u; never fails (unreadable sources leave their field 0). */
void kn_proc_usage_read(kn_proc_usage *u);

#endif
