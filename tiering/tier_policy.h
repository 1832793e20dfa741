/*
 * tiering/tier_policy.h — which files to offload and which to release
 * (issue 16, docs/decisions/0027-tier-jobs.md). A pure function of the
 * rules, a snapshot of the files, the clock and the data servers' fill:
 * no I/O, no state; any thread.
 *
 * Rules name subtrees. A file takes the first rule whose path is a prefix
 * of its path at a component boundary ("/a" matches "/a" and "/a/x", not
 * "/ab"); a file no rule matches is never tiered.
 *
 * Offload (LOCAL -> BOTH): a regular file that is not busy (open for
 * write, holding a write layout or a delegation, pinned: the caller's
 * view), of at least min_size bytes, not accessed for access_idle seconds
 * and not modified for modify_idle seconds. Oldest first (by the later of
 * its access and modification times), ties by fileid.
 *
 * Release (BOTH -> OFFLOADED): a BOTH file not busy, whose rule's
 * release_after (> 0) has passed since it became BOTH or was last
 * accessed, whichever is later (a recall makes a file BOTH again, so a
 * file just brought back is not released at once); and, while the
 * data servers are at or above the high watermark, BOTH files in order of
 * oldest access until the bytes released bring the fill down to the low
 * watermark. If releasing every BOTH file cannot get there, LOCAL files
 * that qualify but for their idle times are offloaded too, oldest first,
 * until their bytes cover the rest (they are released on a later pass,
 * once BOTH).
 */
#ifndef STRATA_TIER_POLICY_H
#define STRATA_TIER_POLICY_H

#include <stddef.h>
#include <stdint.h>

struct tier_rule {
	const char *path;     /* subtree, "/" for all; absolute */
	int never;	      /* 1: files here are never tiered */
	uint64_t min_size;    /* bytes */
	int64_t access_idle;  /* seconds since the last access */
	int64_t modify_idle;  /* seconds since the last modification */
	int64_t release_after; /* seconds as BOTH before release; 0: never */
};

struct tier_policy {
	const struct tier_rule *rules; /* first match wins */
	size_t nrules;
	unsigned high_pct, low_pct; /* watermarks of the data servers' fill;
				      * high 0: no watermark release */
	/* Metadata nodes releasing files from the same data servers, each
	 * its own (decision 0037): a pass frees 1/OWNERS of the bytes
	 * needed (rounded up), so the nodes together free about what is
	 * needed, and the hysteresis's later passes free what is still
	 * missing. 0 or 1: all of it. */
	unsigned owners;
};

/* What the policy needs to know of one regular file. */
struct tier_file {
	uint64_t fileid;
	const char *path;   /* from the root, "/dir/file" */
	uint64_t size;
	int64_t atime, mtime; /* seconds */
	uint32_t residency;   /* enum ns_residency */
	int64_t both_since;   /* seconds: when it became BOTH */
	int busy;	      /* open for write, layout, delegation, pinned */
};

struct tier_fill {
	uint64_t used, capacity; /* bytes on the data servers */
};

/* The picks: indexes into the caller's files array, in the order to act. */
struct tier_picks {
	size_t *offload;
	size_t noffload;
	size_t *release;
	size_t nrelease;
};

/*
 * Choose among FILES[0..N) at NOW. PICKS->offload and PICKS->release must
 * each have room for N indexes. 0, or -EINVAL for a bad policy (low above
 * high, a watermark over 100, a rule path not starting with '/'), -ENOMEM.
 */
int tier_policy_select(const struct tier_policy *p,
		       const struct tier_file *files, size_t n, int64_t now,
		       const struct tier_fill *fill, struct tier_picks *picks);

/*
 * Watermark hysteresis across passes (decision 0032): a pass that must
 * offload before it can release leaves the releases to later passes, and
 * those may see the fill under the high mark after the first release.
 * *DRAINING (the caller's, kept between passes, 0 at first) is set once
 * FILL is at or above P's high mark and cleared once it is at or below
 * the low mark; while it is set, *PASS (the policy for this pass, a copy
 * of P) has the low mark as its high one, so passes go on down to the
 * low mark. A FILL of capacity 0 (none to act on) changes nothing.
 */
void tier_policy_hysteresis(const struct tier_policy *p,
			    const struct tier_fill *fill, int *draining,
			    struct tier_policy *pass);

/* The rule FILE_PATH falls under, or NULL. */
const struct tier_rule *tier_policy_rule(const struct tier_policy *p,
					 const char *file_path);

/*
 * One rule from its configuration form (the `tier_policy` key, one per
 * rule, first match wins):
 *
 *   PATH [never] [min_size=N] [access_idle=T] [modify_idle=T]
 *        [release_after=T]
 *
 * N in bytes with an optional K, M, G or T suffix (powers of 1024); T in
 * seconds with an optional s, m, h or d suffix. Unnamed values are 0
 * (min_size 0: any size; idle 0: at once; release_after 0: never by
 * time). PATH must be absolute. On success R->path points into PATHBUF
 * (CAP bytes, the caller's). 0, or -EINVAL with *WHY naming the fault.
 */
int tier_rule_parse(const char *spec, struct tier_rule *r, char *pathbuf,
		    size_t cap, const char **why);

#endif
