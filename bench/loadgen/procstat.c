/*
 * procstat.c: /proc readers for the benchmark (see procstat.h).
 */
#include "procstat.h"

#include <dirent.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"

/* Thread run times: the first field of schedstat is nanoseconds on the CPU. A thread
 * that exits between the directory listing and its read is left out (n_tids stays). */
static void read_threads(pid_t pid, kn_procstat *out) {
    char path[320];
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    out->run_s = 0;
    out->n_tids = 0;
    if (d == NULL)
        return;
    bool whole = true;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        if (out->n_tids == KN_PROCSTAT_MAX_THREADS) {
            whole = false;
            break;
        }
        snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
        FILE *f = fopen(path, "r");
        unsigned long long ns;
        if (f == NULL)
            continue;
        if (fscanf(f, "%llu", &ns) == 1) {
            out->run_s += (double)ns / 1e9;
            out->tids[out->n_tids++] = (pid_t)atoi(e->d_name);
        }
        fclose(f);
    }
    closedir(d);
    if (!whole)
        out->n_tids = 0;
}

static bool has_tid(const kn_procstat *s, pid_t tid) {
    for (unsigned i = 0; i < s->n_tids; i++)
        if (s->tids[i] == tid)
            return true;
    return false;
}

double kn_procstat_cpu_between(const kn_procstat *a, const kn_procstat *b, int *precise) {
    bool all_alive = a->n_tids > 0 && b->n_tids > 0;
    for (unsigned i = 0; all_alive && i < a->n_tids; i++)
        all_alive = has_tid(b, a->tids[i]);
    *precise = all_alive;
    return all_alive ? b->run_s - a->run_s : b->cpu_s - a->cpu_s;
}

int kn_procstat_read(pid_t pid, kn_procstat *out) {
    char path[64], buf[1024];
    read_threads(pid, out);
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
