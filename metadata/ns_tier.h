/*
 * metadata/ns_tier.h — the object tier's durable records in the namespace
 * (issue 16, docs/decisions/0027-tier-jobs.md).
 *
 * A regular file's data is on the data servers (NS_RES_LOCAL), in an object
 * of the tier only (NS_RES_OFFLOADED), or in both (NS_RES_BOTH). The
 * records below live in a per-shard LMDB database "tier" on the file's
 * shard, and every change of residency writes them in the same transaction
 * (or group-commit batch) as the inode, so after a crash the namespace
 * holds either the whole step or none of it:
 *
 *   job       one per file at most, while an offload (upload) or a recall
 *             (download) is under way: the object version being written
 *             or read, the inode's change and size when the job began,
 *             the data generation read or written.
 *   object    the object the inode refers to while BOTH or OFFLOADED:
 *             (fileid, generation, version), its size and etag. Objects
 *             are named by that triple (tiering/tier_key.h); a version is
 *             never reused, so an object is never overwritten.
 *   delete    an object to delete from the tier. Written by the change
 *             that drops the inode's reference (a write, a size change,
 *             the last unlink, an offload given up), never otherwise: an
 *             object is deleted only through such a record.
 *   release   a data copy (fileid, data generation) on the data servers
 *             to free: written when an offloaded file drops its copy
 *             (release) and when a recall is given up (its partial copy).
 *
 * Invariant (checked by tests/unit/test_tier_jobs.c after a crash at every
 * step): a file is LOCAL with its data copy, BOTH with its data copy and a
 * verified object, or OFFLOADED with a verified object; never neither.
 * "Verified": the offload commit is given the object's size and etag as the
 * store stated them after the upload (the answer to it, or a HEAD:
 * tiering/tier_backend.h tier_put), and refuses a size other than the
 * file's.
 *
 * Data generations: the inode's layout_gen names the current data copy.
 * Release bumps it (the old copy goes on the release list); a recall
 * writes a new copy at layout_gen + 1 and its commit makes that current;
 * a recall given up retires its generation. So a generation names one
 * copy only, ever.
 *
 * Threads: any thread (the namespace's contract, ns.h). A call made by
 * the owner of an open batch joins the batch. Errors: 0 or -errno;
 * -ENOENT no such file (or record), -EBUSY a job is already under way,
 * -EALREADY the file is not in the state the step starts from, -EINVAL a
 * bad argument (not a regular file, a bad record), -EIO.
 */
#ifndef STRATA_METADATA_NS_TIER_H
#define STRATA_METADATA_NS_TIER_H

#include <stddef.h>
#include <stdint.h>

#include "ns.h"

#define NS_TIER_ETAG_MAX 64 /* as ns_inode.object_etag */

enum ns_tier_job_kind {
	NS_TIER_OFFLOAD = 1, /* LOCAL -> BOTH: uploading */
	NS_TIER_RECALL = 2,  /* OFFLOADED -> BOTH: downloading */
};

/* One object of the tier: the key's triple plus what a HEAD said. */
struct ns_tier_obj {
	uint64_t fileid;
	uint32_t gen; /* the inode's generation */
	uint64_t ver; /* data version: unique per file, never reused */
	uint64_t size;
	char etag[NS_TIER_ETAG_MAX]; /* NUL-terminated; "" in a delete */
};

/* A job record. */
struct ns_tier_job {
	uint64_t fileid;
	uint32_t kind;     /* enum ns_tier_job_kind */
	uint32_t gen;      /* the inode's generation */
	uint64_t ver;      /* the object's version (offload: a new one) */
	uint64_t change;   /* the inode's change when the job began */
	uint64_t size;     /* the file's size then (recall: the object's) */
	uint64_t data_gen; /* offload: the copy read; recall: the copy made */
	int64_t started;   /* seconds (server clock) */
};

/* A data copy to free: FILEID's objects on the data servers at DATA_GEN. */
struct ns_tier_rel {
	uint64_t fileid;
	uint64_t data_gen;
};

/*
 * Begin an offload of regular file FILEID, which must be LOCAL with no job:
 * a new version is taken from the shard's counter and the job written
 * (*JOB gets it). -EALREADY when the file is BOTH or OFFLOADED.
 */
int ns_tier_offload_begin(struct ns *ns, uint64_t fileid,
			  struct ns_tier_job *job);
/*
 * End offload JOB whose object OBJ (the job's triple, with the size and
 * etag a HEAD returned) is stored. In one transaction: if the file is
 * still the one the job began on (same generation, change and size, still
 * LOCAL) it becomes BOTH with OBJ as its object and *COMMITTED = 1;
 * otherwise (written, truncated or removed meanwhile) the object goes on
 * the delete list and *COMMITTED = 0. Either way the job is gone.
 * -EINVAL when OBJ is not the job's object or its size is not the job's,
 * -ENAMETOOLONG for an etag of NS_TIER_ETAG_MAX bytes or more.
 * -ENOENT when there is no such job.
 */
int ns_tier_offload_commit(struct ns *ns, const struct ns_tier_job *job,
			   const struct ns_tier_obj *obj, int *committed);
/*
 * Give JOB up (a failure, or recovery after a crash): the job goes, and
 * an offload's object goes on the delete list (it may or may not exist),
 * a recall's partial copy on the release list, and the file's layout_gen
 * moves past the recall's generation (a later recall writes a new one,
 * never the one the release record frees). -ENOENT: no such job.
 */
int ns_tier_job_abort(struct ns *ns, const struct ns_tier_job *job);

/*
 * Release BOTH file FILEID's data copy: OFFLOADED, layout_gen + 1, and the
 * old copy on the release list (*OLD_GEN), in one transaction. The inode's
 * change is not bumped (its data is the same). -EALREADY unless BOTH,
 * -EBUSY with a job.
 */
int ns_tier_release(struct ns *ns, uint64_t fileid, uint64_t *old_gen);

/*
 * Begin a recall of OFFLOADED file FILEID: a recall job for a new copy at
 * layout_gen + 1. *JOB gets it and *OBJ the object to read. -EALREADY
 * unless OFFLOADED, -EBUSY with a job (a recall under way: wait for it).
 */
int ns_tier_recall_begin(struct ns *ns, uint64_t fileid,
			 struct ns_tier_job *job, struct ns_tier_obj *obj);
/* End recall JOB whose copy is written and durable: BOTH, layout_gen =
 * the job's data_gen, the job gone, in one transaction. -ENOENT: no such
 * job; -EALREADY: the file is no longer the one the job began on (then
 * give the job up with ns_tier_job_abort()). */
int ns_tier_recall_commit(struct ns *ns, const struct ns_tier_job *job);

/* The job of FILEID (-ENOENT: none); the object FILEID refers to
 * (-ENOENT: LOCAL). */
int ns_tier_job_get(struct ns *ns, uint64_t fileid, struct ns_tier_job *job);
int ns_tier_obj_get(struct ns *ns, uint64_t fileid, struct ns_tier_obj *obj);

/*
 * Lists, shard by shard in key order, up to MAX records after the one
 * named by AFTER (NULL: from the start); *N gets the count, less than MAX
 * only at the end. Each shard is read in its own transaction.
 */
int ns_tier_jobs(struct ns *ns, const struct ns_tier_job *after,
		 struct ns_tier_job *v, size_t max, size_t *n);
int ns_tier_objs(struct ns *ns, const struct ns_tier_obj *after,
		 struct ns_tier_obj *v, size_t max, size_t *n);
int ns_tier_dels(struct ns *ns, const struct ns_tier_obj *after,
		 struct ns_tier_obj *v, size_t max, size_t *n);
int ns_tier_rels(struct ns *ns, const struct ns_tier_rel *after,
		 struct ns_tier_rel *v, size_t max, size_t *n);
/* Forget N delete (release) records once the objects (copies) are gone:
 * one transaction. Forgetting an absent record succeeds. */
int ns_tier_del_done(struct ns *ns, const struct ns_tier_obj *v, size_t n);
int ns_tier_rel_done(struct ns *ns, const struct ns_tier_rel *v, size_t n);

/*
 * Check the invariants above (called by ns_fsck(), which adds what it
 * finds): a BOTH or OFFLOADED file has an object record matching it; an
 * object record belongs to such a file; a recall job's file is OFFLOADED
 * at the generation before the job's; no delete record names a file's
 * object, no release record a file's current copy. Jobs as such are not
 * violations (a crash leaves them for recovery). REPORT gets each one;
 * returns their number, or -errno.
 */
int ns_tier_fsck(struct ns *ns, ns_fsck_report report, void *ctx);

#endif
