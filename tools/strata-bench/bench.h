/*
 * tools/strata-bench/bench.h -- what a benchmark run is: the options from
 * the command line, the client, and the state of each group of workloads
 * (the directory it works in and whether its input files are there).
 *
 * Threads: struct bench is owned by the main thread; workload lanes only
 * read it while a workload runs (the group state changes between
 * workloads, on the main thread).
 */
#ifndef STRATA_BENCH_BENCH_H
#define STRATA_BENCH_BENCH_H

#include <stdint.h>
#include <sys/types.h>

#include "client.h"

#define MAX_PIDS 16
#define RAND_IO 4096u
#define SMALL_SIZE 4096u

enum wl_id {
	WL_SEQWRITE, WL_SEQREAD, WL_RANDWRITE, WL_RANDREAD,
	WL_CREATE, WL_STAT, WL_RENAME, WL_REMOVE, WL_SMALLWRITE, WL_SMALLREAD,
	WL_VERIFY,                       /* a check, not in "all" */
	WL_USER_COUNT,                   /* the ones --workload names */
	WL_CLEAN_META = WL_USER_COUNT,   /* internal: remove what is left */
	WL_CLEAN_SMALL,
	WL_COUNT
};

/* Workloads that share a directory and input files. */
enum wl_group { G_LARGE, G_META, G_SMALL, G_COUNT };

struct bench_opts {
	struct client_opts client;
	unsigned workloads;        /* bit (1 << wl_id) per selected workload */
	uint64_t size;             /* large file, bytes */
	uint32_t files, dirs;      /* metadata and small-file workloads */
	double duration;           /* random workloads, seconds */
	int npids;
	pid_t pids[MAX_PIDS];
	char pid_names[MAX_PIDS][32];
	const char *label;
	int tsv;
	char tag[64];              /* directory prefix under the export */
	int keep;                  /* leave the files behind */
};

struct group {
	int ready;                 /* directories made or found */
	struct fh dir;             /* <export>/<tag>-<group> */
	struct fh *sub;            /* [dirs] subdirectories (meta, small) */
	int have_input;            /* the files the readers need are there */
};

struct bench {
	const struct bench_opts *o;
	struct client *cl;
	struct group grp[G_COUNT];
};

#endif
