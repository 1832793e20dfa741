/*
 * tools/strata-bench/wl.h -- internals shared by the workload files
 * (workloads.c: runner; group.c: directories; wl_large.c, wl_meta.c,
 * wl_small.c: the workloads).
 *
 * struct run is one execution of a workload.  Its setup and finish run on
 * lane 0 with no other lane active; during the timed phase the lanes only
 * read it, except for the atomics (work counter, totals, failure flag).
 */
#ifndef STRATA_BENCH_WL_H
#define STRATA_BENCH_WL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "bench.h"
#include "nfsfile.h"

struct run {
	struct bench *b;
	enum wl_id id;
	uint64_t nitems;          /* counted workloads: items 0..nitems-1 */
	uint64_t deadline_ns;     /* random workloads: run until then */
	atomic_ullong next;       /* next item */
	atomic_ullong bytes;      /* payload moved */
	atomic_ullong ds_io, mds_io; /* I/Os through layouts / the MDS */
	atomic_int failed;
	atomic_ullong verify_errors, verify_wrong; /* "verify" only */
	atomic_ullong xdev;       /* "rename": answered NFS4ERR_XDEV */
	struct nfile file;        /* the large file, opened by setup */
};

struct wl_ops {
	const char *name;
	enum wl_group group;
	int bytes_unit;           /* report MiB/s first */
	int (*setup)(struct run *r, struct lane *l);
	int (*item)(struct run *r, struct lane *l, uint64_t i);
	int (*finish)(struct run *r, struct lane *l); /* may be NULL */
};

extern const struct wl_ops WL_SEQWRITE_OPS, WL_SEQREAD_OPS,
	WL_RANDWRITE_OPS, WL_RANDREAD_OPS, WL_CREATE_OPS, WL_STAT_OPS,
	WL_RENAME_OPS, WL_REMOVE_OPS, WL_SMALLWRITE_OPS, WL_SMALLREAD_OPS, WL_VERIFY_OPS,
	WL_CLEAN_META_OPS, WL_CLEAN_SMALL_OPS;

/* Run workload ID untimed (to make another one's input).  0 or -1 with
 * L->err (L is lane 0). */
int wl_prepare(struct bench *b, struct lane *l, enum wl_id id);

/* Count one I/O of F (for the io column). */
static inline void run_count_io(struct run *r, const struct nfile *f,
				uint64_t bytes)
{
	atomic_fetch_add(f->has_layout ? &r->ds_io : &r->mds_io, 1);
	atomic_fetch_add(&r->bytes, bytes);
}

/* ---- group.c ---- */

/* Make (or find) the directories of group G.  0 or -1 with L->err. */
int group_ready(struct bench *b, struct lane *l, enum wl_group g);
/* Remove group G's directories (its files must be gone). */
int group_remove(struct bench *b, struct lane *l, enum wl_group g);
/* Name and export-relative path of file I of group G (meta, small). */
void group_file(const struct bench *b, enum wl_group g, uint64_t i,
		const struct fh **dir, char *name, size_t namecap,
		char *path, size_t pathcap);
/* Name and path of the large file. */
void group_large_file(const struct bench *b, char *path, size_t cap);
#define LARGE_NAME "data"

#endif
