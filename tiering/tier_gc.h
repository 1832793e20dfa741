/*
 * tiering/tier_gc.h — the orphan collector: objects of the tier that
 * nothing refers to (issue 16, docs/decisions/0027-tier-jobs.md).
 *
 * Orphans come from what the records cannot cover: a crash of a put
 * between its temporary object and the job's abort, a namespace restored
 * from a backup, a bug. One pass:
 *
 *   1. list every key under <prefix>/v1/ (tier_list_all(): one failing
 *      page fails the listing);
 *   2. then read every reference: object records, jobs, delete records
 *      (read after the listing, so an upload that began before the
 *      listing is seen as its job, or as what replaced it);
 *   3. a listed key that is not the tier's canonical form is foreign and
 *      never touched, nor is one of a file another metadata node owns
 *      (the engine's mine(): that node's collector judges it); one
 *      referenced by an object record or a job is
 *      live; one with a delete record is left to the drain; the rest are
 *      orphans.
 *   4. An orphan is deleted only once it has been seen orphaned for at
 *      least GRACE seconds (listings carry no dates the collector could
 *      trust across stores, so the collector remembers when it first saw
 *      each one, in SEEN, which the caller keeps between passes).
 *   5. Unfinished multipart uploads (a crash, or the store unreachable
 *      when a failed upload was to be aborted, leaves them: S3 keeps
 *      their parts, unlisted, for ever) are listed with the objects, and
 *      one of the tier's key form that no job names is aborted once seen
 *      so for GRACE seconds (a job names the upload under way; jobs run
 *      on the collector's thread, so none is between its steps during a
 *      pass). A backend without multipart uploads lists none.
 *
 * Fails closed: any error while listing or reading the references ends
 * the pass with nothing deleted (and SEEN unchanged). A failed delete is
 * counted and the pass goes on; the object stays an orphan for the next.
 *
 * Threads: a tier worker thread; SEEN belongs to the caller, one pass at
 * a time. The backend and meta interfaces are tier_job.h's.
 */
#ifndef STRATA_TIER_GC_H
#define STRATA_TIER_GC_H

#include <stddef.h>
#include <stdint.h>

#include "tier_job.h"
#include "tier_key.h"

/* Orphans seen by earlier passes and when first seen (seconds). */
struct tier_gc_seen {
	struct tier_gc_orphan {
		struct tier_key k;
		int64_t first;
	} *v, *u; /* objects; unfinished uploads */
	size_t n, nu;
};
void tier_gc_seen_free(struct tier_gc_seen *s);

struct tier_gc_report {
	size_t listed, live, foreign, pending_delete;
	size_t others; /* the tier's form, of another node's files (the
			  engine's mine()): never touched */
	size_t orphans;	/* not referenced */
	size_t young;	/* orphans still within the grace */
	size_t deleted, delete_errors;
	size_t uploads;	       /* unfinished uploads of the tier's form */
	size_t upload_orphans; /* no job names them */
	size_t aborted, abort_errors;
};

/* One pass at NOW (seconds) over the engine's backend and namespace.
 * DRY_RUN: count, delete nothing. 0 or -errno (nothing deleted). */
int tier_gc_pass(const struct tier_engine *e, struct tier_gc_seen *seen,
		 int64_t now, int64_t grace, int dry_run,
		 struct tier_gc_report *rep, struct tier_status *st);

#endif
