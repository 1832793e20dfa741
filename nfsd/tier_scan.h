/*
 * nfsd/tier_scan.h — one pass of the object tier's policy over the
 * namespace (issue 16, docs/decisions/0032-tier-policy.md): every regular
 * file with its path, size, times, residency and whether it is busy, then
 * tiering/tier_policy.h's choice, as fileids to offload and to release.
 *
 * A file's access time is the later of its atime and its last use seen by
 * this MDS (USED, tier_heat.h); the time it became BOTH is when this MDS
 * saw it become so (BOTH), or this MDS's start. The caller's busy()
 * answers for each file a rule covers: TIER_FREE, TIER_BUSY (open for
 * writing, a delegation, a layout of a client that has it open) or
 * TIER_HELD (only layouts of clients that closed it hold it: the Linux
 * client keeps a layout after CLOSE until its inode is evicted, decision
 * 0017, so without more every file a client wrote would stay busy for
 * ever). A held file the policy would pick were it free lands in the
 * result's recall list: the caller recalls its layouts, and a later pass
 * picks it once they are returned (or picks nothing, if the recall
 * brought its client back: the LAYOUTGET is a use).
 *
 * Threads: the tier thread (it reads the namespace in its own read
 * transactions; never the executor, whose state it only reads through
 * busy()). Cost: one inode walk, and a path (ns_path: a directory listing
 * per level) for each regular file unless the only rule is "/".
 */
#ifndef STRATA_NFSD_TIER_SCAN_H
#define STRATA_NFSD_TIER_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "tier_heat.h"
#include "tier_policy.h"

struct ns;
struct strata_server;

struct tier_scan_ctx {
	struct ns *ns;
	const struct tier_policy *policy;
	struct tier_heat *used; /* last open or layout; may be NULL */
	struct tier_heat *both; /* when it became BOTH here; may be NULL */
	int (*busy)(void *arg, uint64_t fileid); /* enum tier_busy */
	void *arg;
	struct tier_fill fill;  /* the data servers' fill (capacity 0: none) */
	int64_t now;            /* seconds */
};

enum tier_busy {
	TIER_FREE = 0,
	TIER_BUSY = 1,
	TIER_HELD = 2, /* only by layouts of clients without an open */
};

struct tier_scan_result {
	uint64_t *offload, *release; /* fileids, in the order to act */
	size_t noffload, nrelease;
	uint64_t *recall;            /* held files it would pick: their */
	size_t nrecall;              /* layouts to recall */
	size_t files;                /* regular files looked at */
};

/* One pass. 0 (R filled; free with tier_scan_result_free), or -errno
 * (-EINVAL a bad policy, -ENOMEM, a namespace error). */
int tier_scan(const struct tier_scan_ctx *c, struct tier_scan_result *r);
void tier_scan_result_free(struct tier_scan_result *r);

/* busy() for a running MDS (ARG its struct strata_server): TIER_BUSY if
 * FILEID has an open with write access, a delegation not revoked, or a
 * layout whose client has the file open; TIER_HELD if it has layouts of
 * clients that have it closed, and nothing else of the above. Takes
 * srv->state_lock. */
int tier_scan_busy_state(void *arg, uint64_t fileid);

#endif
