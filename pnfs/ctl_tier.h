/*
 * pnfs/ctl_tier.h — CTL_TIER on the metadata server (pnfs/ctl_prot.x,
 * docs/decisions/0031-tier-worker.md): the object tier's steps on one
 * file by hand (offload, release, recall: queued on the tier worker,
 * nfsd/tier_worker.h, and waited for when asked) and its residency
 * (state, bytes on the data servers and in the tier, object key, job;
 * of a directory, totals over its subtree; CTL_TIER_QUERY_ONE: without
 * them); or (CTL_TIER_STATUS) the tier
 * as a whole: the backend, the worker's queue and counts since start, the
 * last drain, the namespace's totals and its files per residency state.
 *
 * A file is named by its path from the namespace's root, as a client sees
 * it under a mount of "/" (components looked up one by one; "." and ".."
 * are refused), or by its fileid, or by a path below a directory's
 * fileid. On a cluster whose partitions several nodes own, a name whose
 * entry, or a file whose inode, is another node's ends the call with
 * EREMOTE and where to go on (RES->node, ->fileid, ->rest: the caller
 * asks that node; docs/decisions/0037).
 *
 * Threads: the control connection's receive thread (a step waited for,
 * or a directory's walk, blocks it, never the COMPOUND executor). RES's
 * strings point into buffers of the caller's (MSG, KEY) and, for
 * RES->rest, into A's path (keep A until the reply is sent). 0 or a
 * positive errno in RES->status:
 * -ENOENT no such path or fileid, -ENODEV a step without a tier,
 * -EINVAL a step on what is not a regular file or a bad path, and the
 * step's own errors (tier_worker_submit()).
 */
#ifndef STRATA_PNFS_CTL_TIER_H
#define STRATA_PNFS_CTL_TIER_H

#include "ctl_prot.h"

struct strata_server;

/* MSG and KEY: buffers of CTL_TIER_MSG_MAX and CTL_TIER_KEY_MAX bytes
 * that RES's strings point to; STATS the one RES->stats points to for
 * CTL_TIER_STATUS (its strings point into the server's configuration);
 * TOTALS the one RES->totals points to for CTL_TIER_QUERY of a directory
 * (its subtree walked, pnfs/ctl_tier_walk.h; RES->ds_bytes and
 * ->tier_bytes are then the subtree's). */
void ctl_tier(struct strata_server *srv, const ctl_tier_args *a,
	      ctl_tier_res *res, char *msg, char *key,
	      ctl_tier_stats *stats, ctl_tier_totals *totals);

/* CTL_TIER_PART (ctl_prot.x, pnfs/ctl_tier_part.h) on this node's
 * namespace, inodes of other nodes named by the cluster map. RES's
 * arrays are allocated: xdr_free() them once the reply is sent. */
void ctl_tier_part_serve(struct strata_server *srv,
			 const ctl_tier_part_args *a, ctl_tier_part_res *res);

#endif
