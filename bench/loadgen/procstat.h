/*
 * procstat.h: what the benchmark reads about processes from /proc: CPU seconds
 * (utime + stime of /proc/<pid>/stat, the process itself and all its threads,
 * not its children, in clock ticks of 10 ms; and the nanosecond run time of
 * each live thread from /proc/<pid>/task/<tid>/schedstat) and RSS, and the
 * packet/byte counters of the network namespace a process lives in
 * (/proc/<pid>/net/dev, all interfaces summed). The generator's own CPU comes
 * from kn_proc_usage_read (sfu/core); a whole core's busy time from /proc/stat
 * (whether other processes shared the server's core). Called at window start
 * and end only.
 */
#ifndef KN_PROCSTAT_H
#define KN_PROCSTAT_H

#include <stdint.h>
#include <sys/types.h>

#define KN_PROCSTAT_MAX_THREADS 512

typedef struct kn_procstat {
    double cpu_s; /* utime + stime: every thread, exited ones too; 10 ms steps */
    double run_s; /* sum of the live threads' schedstat run time; ns steps */
    unsigned n_tids; /* 0 when the task list could not be read whole */
    pid_t tids[KN_PROCSTAT_MAX_THREADS];
    uint64_t rss_kb;
} kn_procstat;

typedef struct kn_netdev {
    uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets;
} kn_netdev;

/* Returns 0 or KN_ENOENT when the process is gone, KN_EPROTO for an unreadable stat. */
int kn_procstat_read(pid_t pid, kn_procstat *out);
/* CPU seconds the process used between two reads: the schedstat run time when every
 * thread alive at the first read still lived at the second (threads started in between
 * count whole), else the tick-based utime + stime. *precise says which one it is. */
double kn_procstat_cpu_between(const kn_procstat *a, const kn_procstat *b, int *precise);
int kn_procstat_netdev(pid_t pid, kn_netdev *out);

/* The only CPU a process may run on (sched_getaffinity), or -1 when it may use several. */
int kn_procstat_pinned_cpu(pid_t pid);

/* Busy and total seconds of one CPU from /proc/stat (busy = all but idle and iowait;
 * steal counts as busy: the core was not ours). Returns 0 or KN_ENOENT/KN_EPROTO. */
int kn_procstat_cpu_times(int cpu, double *busy_s, double *total_s);

#endif
