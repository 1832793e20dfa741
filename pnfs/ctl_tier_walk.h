/*
 * pnfs/ctl_tier_walk.h — the residency totals of a directory's subtree
 * for `strata residency DIR` (CTL_TIER_QUERY of a directory, issue 16):
 * files per residency state and their bytes, bytes on the data servers
 * and in the object tier, tier jobs under way.
 *
 * The walk reads the namespace only (LMDB read transactions, never a
 * write), directory by directory, depth first with its own stack: each
 * listing is read in chunks of CTL_TIER_WALK_CHUNK names (one read
 * transaction per chunk, ns_readdir_ex), so no transaction stays open
 * across the whole walk however large the tree. A regular file with
 * several links is counted once (its fileids are deduplicated at the
 * end). What changes during the walk may or may not be counted: the
 * totals are a consistent count of no single instant (as `du`'s).
 *
 * Several MDS nodes (docs/decisions/0024): a name whose inode, or a
 * directory whose further entries, are on a partition this node does not
 * own cannot be read here; each is counted in T->skipped, not followed.
 * (`strata residency` of such a cluster walks every node instead, with
 * CTL_TIER_PART: ctl_tier_part.h, docs/decisions/0037.)
 *
 * Threads: the caller's (a control connection's receive thread, never
 * the COMPOUND executor: a walk of a large tree takes as long as the
 * tree is large). No lock is taken. Memory: the stack of directories
 * still to list and the multi-link files, freed before return.
 */
#ifndef STRATA_PNFS_CTL_TIER_WALK_H
#define STRATA_PNFS_CTL_TIER_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_prot.h"

#define CTL_TIER_WALK_CHUNK 256

struct ns;

/* Totals of the subtree under directory DIR (DIR itself not counted in
 * T->dirs) into T (zeroed first). 0, or -errno: -ENOMEM, or the
 * namespace's error reading DIR itself. */
int ctl_tier_walk(struct ns *ns, uint64_t dir, ctl_tier_totals *t);

/* The pieces, shared with the walk over several nodes (ctl_tier_part.h,
 * and the CLI's sum of the nodes' answers, tools/strata/residency.h). */

/* What ctl_tier_count() found. */
enum {
	CTL_TIER_GONE = 0,    /* no such inode (removed since listed) */
	CTL_TIER_COUNTED = 1, /* added to T: a file of one link, other */
	CTL_TIER_DIR = 2,     /* a directory: T->dirs counted, to list */
	CTL_TIER_LINKED = 3,  /* a file of several links: its share in *F,
				 not added (count each fileid once) */
};
/* Inode FILEID counted into T, or its share into *F; one of the above,
 * or -errno (-EREMOTE: the inode is on another node's partition). */
int ctl_tier_count(struct ns *ns, uint64_t fileid, ctl_tier_totals *t,
		   ctl_tier_linked *f);
/* The N shares F of files of several links added to T, each fileid once
 * (F is sorted by fileid). */
void ctl_tier_add_linked(ctl_tier_totals *t, ctl_tier_linked *f, size_t n);
/* The array *P of *CAP elements of SIZE bytes grown (doubling, from 64)
 * to hold NEED: 0 or -ENOMEM (*P then unchanged). */
int ctl_tier_grow(void **p, size_t *cap, size_t need, size_t size);

#endif
