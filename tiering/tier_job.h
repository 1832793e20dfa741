/*
 * tiering/tier_job.h — the tier's state machine: offload (RESIDENT ->
 * BOTH), release (BOTH -> OFFLOADED), recall (OFFLOADED -> BOTH), the
 * draining of delete and release records, and recovery after a crash
 * (issue 16, docs/decisions/0027-tier-jobs.md).
 *
 * The engine moves bytes between the data servers and the object store
 * and asks the namespace to commit each step; it reaches all three
 * through interfaces, never the server above it:
 *
 *   backend  the object store (tier_backend.h);
 *   data     the file's data copies on the data servers, named by
 *            (fileid, data generation) (struct tier_data_ops);
 *   meta     the namespace's residency steps with their durable records
 *            (struct tier_meta_ops, with the semantics of
 *            metadata/ns_tier.h; tier_meta_ns is that interface over a
 *            struct ns).
 *
 * Each flow is a sequence of steps, each durable before the next begins:
 *
 *   offload  begin (job) -> put object -> HEAD (size, etag) -> commit
 *            (BOTH + object record, or, if the file changed meanwhile,
 *            a delete record) ; any failure: abort (delete record).
 *   release  HEAD (the object is there, of its size) -> release
 *            (OFFLOADED, layout_gen + 1, release record) -> fence the old
 *            copy -> drop it -> forget the release record.
 *   recall   begin (job, new generation) -> get / write parts (one
 *            ranged GET and one write each, in the order the engine's
 *            part map gives: parts waiting readers asked for first;
 *            tier_parts.h), the first GET's answer stating the object's
 *            size and etag as recorded before anything is written
 *            (tier_get_obj: a HEAD where the store's answer lacks them;
 *            an empty file's a HEAD alone) -> sync -> commit (BOTH at
 *            the new generation) ; any failure: abort (release record
 *            for the partial copy). While it runs, tier_recall_read()
 *            serves reads of the parts already written.
 *
 * A crash between any two steps leaves each file with a full data copy
 * or a verified object or both (ns_tier.h); tier_recover() then gives up
 * every job left, and tier_drain() deletes what the delete records name
 * and frees what the release records name.
 *
 * Threads: every call blocks on the object store and the data servers,
 * so tier worker threads only, never the COMPOUND executor; the one
 * exception is tier_recall_read(), which reads the data servers only
 * (like any MDS READ) and takes the part map's mutex. Calls for
 * different files may run at once on one engine; two calls for one file
 * are kept apart by the job record (-EBUSY). tier_recover() only while no
 * other call runs (at start). The engine holds no mutable state of its
 * own: the struct is the caller's, read only during calls; the part map
 * it points to has its own lock (tier_parts.h).
 *
 * Errors: 0 or -errno; ST (may be NULL) says what failed in one line.
 */
#ifndef STRATA_TIER_JOB_H
#define STRATA_TIER_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "ns_tier.h"
#include "tier_backend.h"
#include "tier_parts.h"

/* The data servers' copies of regular files. A copy is named by (fileid,
 * data generation); drop of a missing copy succeeds. 0 or -errno.
 * fence: clients' handles of FILEID's copies below generation BELOW are
 * refused from now on, also by a data server that restarts later
 * (docs/decisions/0030); the engine fences a copy before it drops it, so
 * a client holding a layout of the old copy is sent back to the metadata
 * server rather than finding it half gone. NULL: nothing to fence (no
 * client reads the copies directly). */
struct tier_data_ops {
	int (*read)(void *arg, uint64_t fileid, uint64_t data_gen,
		    uint64_t off, void *buf, size_t len);
	int (*write)(void *arg, uint64_t fileid, uint64_t data_gen,
		     uint64_t off, const void *buf, size_t len);
	/* Make the copy's writes durable. */
	int (*sync)(void *arg, uint64_t fileid, uint64_t data_gen);
	int (*drop)(void *arg, uint64_t fileid, uint64_t data_gen);
	int (*fence)(void *arg, uint64_t fileid, uint64_t below);
	/* Make the copy's objects, empty, before its first write (a recall
	 * makes a copy of a new generation, none of whose objects exist):
	 * saves the write that fails on a missing object and the sync's
	 * own making of them. Optional: NULL, or a call that makes nothing,
	 * is correct too (write and sync make what is missing). */
	int (*create)(void *arg, uint64_t fileid, uint64_t data_gen);
};

/* The namespace's steps and lists: metadata/ns_tier.h, with ARG for the
 * struct ns. */
struct tier_meta_ops {
	int (*offload_begin)(void *arg, uint64_t fileid,
			     struct ns_tier_job *job);
	int (*offload_commit)(void *arg, const struct ns_tier_job *job,
			      const struct ns_tier_obj *obj, int *committed);
	int (*job_abort)(void *arg, const struct ns_tier_job *job);
	int (*release)(void *arg, uint64_t fileid, uint64_t *old_gen);
	int (*recall_begin)(void *arg, uint64_t fileid,
			    struct ns_tier_job *job, struct ns_tier_obj *obj);
	int (*recall_commit)(void *arg, const struct ns_tier_job *job);
	int (*obj_get)(void *arg, uint64_t fileid, struct ns_tier_obj *obj);
	int (*objs)(void *arg, const struct ns_tier_obj *after,
		    struct ns_tier_obj *v, size_t max, size_t *n);
	int (*jobs)(void *arg, const struct ns_tier_job *after,
		    struct ns_tier_job *v, size_t max, size_t *n);
	int (*dels)(void *arg, const struct ns_tier_obj *after,
		    struct ns_tier_obj *v, size_t max, size_t *n);
	int (*del_done)(void *arg, const struct ns_tier_obj *v, size_t n);
	int (*rels)(void *arg, const struct ns_tier_rel *after,
		    struct ns_tier_rel *v, size_t max, size_t *n);
	int (*rel_done)(void *arg, const struct ns_tier_rel *v, size_t n);
};

/* ns_tier.h over a struct ns (ARG): tier_meta_ns.c. */
extern const struct tier_meta_ops tier_meta_ns;

struct tier_engine {
	struct tier_backend *backend;
	const char *prefix; /* of the keys (tier_key.h) */
	const struct tier_data_ops *data;
	void *data_arg;
	const struct tier_meta_ops *meta;
	void *meta_arg;
	size_t chunk; /* bytes per recall GET and write (a part); 0: 4 MiB */
	/* 1 if FILEID's object must stay although its delete record is
	 * written: a file unlinked while open is still read (decision
	 * 0018); its delete waits for a later drain. NULL: none. Called
	 * on the draining thread. */
	int (*keep)(void *arg, uint64_t fileid);
	void *keep_arg;
	/* The recalls running and their parts in (tier_parts.h), shared by
	 * the engine's callers and tier_recall_read(); NULL: a recall is
	 * fetched in order and nothing is read before its commit. */
	struct tier_parts *parts;
	/* 1 if FILEID's objects are this engine's to collect: several
	 * metadata nodes share one object store, each owning the files of
	 * its partitions (decision 0037); the orphan collector leaves the
	 * others' objects alone (tier_gc.h). NULL: every fileid. Called on
	 * the collector's thread. */
	int (*mine)(void *arg, uint64_t fileid);
	void *mine_arg;
};

/* Offload FILEID (LOCAL). *COMMITTED = 1 when it became BOTH, 0 when it
 * changed during the upload (its object is then on the delete list). */
int tier_offload(const struct tier_engine *e, uint64_t fileid,
		 int *committed, struct tier_status *st);
/* Release FILEID (BOTH) and free its old data copy. */
int tier_release(const struct tier_engine *e, uint64_t fileid,
		 struct tier_status *st);
/* Recall FILEID (OFFLOADED): a verified copy at a new generation, BOTH. */
int tier_recall(const struct tier_engine *e, uint64_t fileid,
		struct tier_status *st);
/* A read of FILEID (OFFLOADED; LEN bytes at OFF, the caller clamped it
 * to the size) while its recall runs, from the parts written already
 * (tier_parts.h): *N bytes (1..LEN; 0 for LEN 0 or OFF at the end) read
 * into BUF, exact: the parts are the verified object's bytes; fewer
 * than LEN when a later part of the range is not in (it is asked for).
 * -EAGAIN: the first byte's part is not in (it goes to the front of the
 * fetch order), or no recall of FILEID is running (e->parts NULL too).
 * Blocks on the data servers (one read), never on the object store;
 * any thread (the COMPOUND executor). */
int tier_recall_read(const struct tier_engine *e, uint64_t fileid,
		     uint64_t off, void *buf, size_t len, size_t *n);

/* After a crash, before any other call: give up every job left (their
 * objects and partial copies go on the delete and release lists).
 * *N gets the count. */
int tier_recover(const struct tier_engine *e, size_t *n,
		 struct tier_status *st);
/* Delete the objects the delete records name (but those the keep hook
 * holds) and free the copies the release records name, forgetting each
 * record once done. A failure
 * keeps its record for the next drain and is returned after the rest
 * was tried. *DELETED and *FREED (may be NULL) get the counts. */
int tier_drain(const struct tier_engine *e, size_t *deleted, size_t *freed,
	       struct tier_status *st);

#endif
