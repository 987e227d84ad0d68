/*
 * procstat.c: /proc readers for the benchmark (see procstat.h).
 */
#include "procstat.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/err.h"

int kn_procstat_read(pid_t pid, kn_procstat *out) {
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return KN_ENOENT;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* comm may hold spaces and parentheses: fields restart after the last ')' */
    char *p = strrchr(buf, ')');
    unsigned long utime, stime;
    long rss;
    if (p == NULL || sscanf(p + 2,
                            "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d "
                            "%*d %*d %*u %*u %ld",
                            &utime, &stime, &rss) != 3)
        return KN_EPROTO;
    long hz = sysconf(_SC_CLK_TCK);
    out->cpu_s = (double)(utime + stime) / (double)hz;
    out->rss_kb = (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
    return 0;
}

int kn_procstat_netdev(pid_t pid, kn_netdev *out) {
    char path[64], line[512];
    snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return KN_ENOENT;
    memset(out, 0, sizeof(*out));
    while (fgets(line, sizeof(line), f)) {
        char *c = strchr(line, ':');
        unsigned long long rb, rp, tb, tp;
        if (c && sscanf(c + 1, "%llu %llu %*u %*u %*u %*u %*u %*u %llu %llu", &rb, &rp, &tb, &tp) == 4) {
            out->rx_bytes += rb;
            out->rx_packets += rp;
            out->tx_bytes += tb;
            out->tx_packets += tp;
        }
    }
    fclose(f);
    return 0;
}

double kn_procstat_self_cpu(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int kn_procstat_pinned_cpu(pid_t pid) {
    cpu_set_t set;
    if (sched_getaffinity(pid, sizeof(set), &set) != 0 || CPU_COUNT(&set) != 1)
        return -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set))
            return c;
    return -1;
}

int kn_procstat_cpu_times(int cpu, double *busy_s, double *total_s) {
    char line[512], name[16];
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL)
        return KN_ENOENT;
    snprintf(name, sizeof(name), "cpu%d ", cpu);
    int rc = KN_EPROTO;
    while (fgets(line, sizeof(line), f)) {
        unsigned long long v[8] = {0};
        if (strncmp(line, name, strlen(name)) != 0 ||
            sscanf(line + strlen(name), "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 5)
            continue;
        double hz = (double)sysconf(_SC_CLK_TCK), tot = 0;
        for (int i = 0; i < 8; i++)
            tot += (double)v[i];
        *total_s = tot / hz;
        *busy_s = (tot - (double)v[3] - (double)v[4]) / hz;
        rc = 0;
        break;
    }
    fclose(f);
    return rc;
}
