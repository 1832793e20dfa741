/*
 * tools/strata-bench/cpu.h -- CPU time a server process has used, from
 * /proc/PID/stat (utime + stime, which cover all of the process's
 * threads).  Any thread.
 */
#ifndef STRATA_BENCH_CPU_H
#define STRATA_BENCH_CPU_H

#include <sys/types.h>

/* Seconds of CPU PID has used so far, or -1.0 if it cannot be read. */
double cpu_seconds(pid_t pid);

#endif
