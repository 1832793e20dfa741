/*
 * tools/strata-bench/workloads.h -- running workloads.
 *
 * A workload has an untimed setup on lane 0 (directories, its input files,
 * opening the large file), a timed phase in which every lane runs its own
 * thread and takes work items (an item number from a shared counter, or
 * random offsets until a deadline), and a timed finish on lane 0 (COMMIT,
 * LAYOUTCOMMIT, CLOSE).  The first failing lane stops the others.
 *
 * Input files: seqread and the random workloads read the file seqwrite
 * wrote, stat and remove work on the files create made, smallread on the
 * files smallwrite wrote.  A workload whose input is not there (run alone)
 * makes it first, untimed.  After the last selected workload of a group
 * its directory is removed, unless --keep.  After a failure nothing is
 * removed, so the files can be looked at.
 *
 * Main thread only (it starts and joins the lane threads itself).
 */
#ifndef STRATA_BENCH_WORKLOADS_H
#define STRATA_BENCH_WORKLOADS_H

#include "bench.h"

/* wl_id of NAME ("seqwrite" ...), or -1. */
int wl_parse(const char *name);
const char *wl_name(enum wl_id id);

/* Run workload ID, timed, and print its result line; then clean up its
 * group if no later selected workload uses it.  0, or -1 after printing
 * the error to stderr. */
int bench_run(struct bench *b, enum wl_id id);

#endif
