/*
 * pnfs/ctl_tier_part.h — CTL_TIER_PART (pnfs/ctl_prot.x): this node's
 * part of a directory's subtree, for `strata residency DIR` on a cluster
 * whose partitions several metadata nodes own (docs/decisions/0037). The
 * caller walks the subtree breadth first over every node and sums the
 * answers (tools/strata/residency.h); each call here is one bounded step
 * of it:
 *
 *   list   up to CTL_TIER_PART_MAX of this node's entries of a directory
 *          (the runs of cookies of the partitions it owns, in partition
 *          order; ns_readdir_ex), from a cookie an earlier answer gave;
 *   count  up to CTL_TIER_PART_MAX inodes, names whose inode an earlier
 *          answer (of any node) said is this node's.
 *
 * Each inode is counted as ctl_prot.x says: directories to list further,
 * files of one link summed here, files of several links returned (the
 * caller counts each fileid once: a file may be named on several nodes),
 * inodes of other nodes returned with their owner (OWNER, the cluster
 * map's). The server keeps no state between calls.
 *
 * Reads the namespace only (read transactions, one per listing batch,
 * never held across calls). Threads: the caller's (a control
 * connection's receive thread). Memory: RES's arrays, allocated here
 * (at most CTL_TIER_PART_MAX entries each): free them with
 * xdr_free(xdr_ctl_tier_part_res) once the reply is sent.
 */
#ifndef STRATA_PNFS_CTL_TIER_PART_H
#define STRATA_PNFS_CTL_TIER_PART_H

#include <stdint.h>

#include "ctl_prot.h"

struct ns;

/* The node (1-based) that holds FILEID's inode; 0 unknown. */
typedef unsigned (*ctl_tier_owner_fn)(void *ctx, uint64_t fileid);

/* One step of A into RES (zeroed first; RES->status 0 or a positive
 * errno, ctl_prot.x). SELF is this node's id: an inode the namespace
 * says is elsewhere but OWNER gives to SELF (or to no one) is EIO. */
void ctl_tier_part(struct ns *ns, unsigned self, ctl_tier_owner_fn owner,
		   void *octx, const ctl_tier_part_args *a,
		   ctl_tier_part_res *res);

#endif
