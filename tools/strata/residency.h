/*
 * tools/strata/residency.h — `strata residency DIR` on a cluster whose
 * partitions several metadata nodes own (docs/decisions/0037): the
 * totals of DIR's subtree, walked breadth first over every node with
 * CTL_TIER_PART (pnfs/ctl_prot.x, pnfs/ctl_tier_part.h) and summed here.
 *
 * A directory's entries are on the nodes owning hash(dir, name), so each
 * directory found is listed on every node, chunk by chunk; a name whose
 * inode another node holds comes back with that node and is counted
 * there (in batches of CTL_TIER_PART_MAX); a file of several links comes
 * back as its share and is counted once per fileid at the end, however
 * many nodes name it. The totals are then the whole subtree's, SKIPPED
 * 0, as one node's walk of a cluster of one (pnfs/ctl_tier_walk.h): a
 * consistent count of no single instant.
 *
 * Any call that fails (a node down, unreachable, or answering an error)
 * ends the walk with that error and the node: no total is given rather
 * than a smaller one.
 *
 * Memory: the directories still to list (one level of the tree at
 * most), the shares of files of several links, and a batch of inodes per
 * node. Single-threaded; the transport is the caller's (CALL), so the
 * walk is tested over namespaces without a server (tests/unit).
 */
#ifndef STRATA_TOOLS_RESIDENCY_H
#define STRATA_TOOLS_RESIDENCY_H

#include <stdint.h>

#include "ctl_prot.h"

/* CTL_TIER_PART of A to metadata node NODE (1..nnodes) into RES
 * (zeroed by the caller; freed here with xdr_free once read). 0, or
 * -errno of the transport. */
typedef int (*residency_call_fn)(void *ctx, unsigned node,
				 ctl_tier_part_args *a,
				 ctl_tier_part_res *res);

/* Totals of the subtree under directory DIR (its fileid; DIR itself not
 * counted) over NNODES nodes into T (zeroed first). 0, or -errno with T
 * zeroed and *NODE the node whose call failed or whose answer is wrong
 * (0: -ENOMEM here): the transport's error, the node's status as -errno,
 * -EREMOTE an answer naming a node outside 1..NNODES, -EIO a listing
 * that does not progress or an inode its owner no longer holds (a
 * partition moved during the walk: ask again). */
int residency_walk(unsigned nnodes, residency_call_fn call, void *ctx,
		   uint64_t dir, ctl_tier_totals *t, unsigned *node);

#endif
