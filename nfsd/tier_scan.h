/*
 * nfsd/tier_scan.h — one pass of the object tier's policy over the
 * namespace (issue 16, docs/decisions/0032-tier-policy.md): every regular
 * file with its path, size, times, residency and whether it is busy, then
 * tiering/tier_policy.h's choice, as fileids to offload and to release.
 *
 * A file's access time is the later of its atime and its last use seen by
 * this MDS (USED, tier_heat.h); the time it became BOTH is when this MDS
 * saw it become so (BOTH), or this MDS's start. The caller's busy()
 * answers for each file the policy could pick (open for writing, a
 * layout, a delegation): it takes whatever lock it needs.
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
	int (*busy)(void *arg, uint64_t fileid);
	void *arg;
	struct tier_fill fill;  /* the data servers' fill (capacity 0: none) */
	int64_t now;            /* seconds */
};

struct tier_scan_result {
	uint64_t *offload, *release; /* fileids, in the order to act */
	size_t noffload, nrelease;
	size_t files;                /* regular files looked at */
};

/* One pass. 0 (R filled; free with tier_scan_result_free), or -errno
 * (-EINVAL a bad policy, -ENOMEM, a namespace error). */
int tier_scan(const struct tier_scan_ctx *c, struct tier_scan_result *r);
void tier_scan_result_free(struct tier_scan_result *r);

/* busy() for a running MDS (ARG its struct strata_server): FILEID has an
 * open with write access, a layout or a delegation not revoked. Takes
 * srv->state_lock. */
int tier_scan_busy_state(void *arg, uint64_t fileid);

#endif
