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
 *
 * Threads: the caller's (a control connection's receive thread, never
 * the COMPOUND executor: a walk of a large tree takes as long as the
 * tree is large). No lock is taken. Memory: the stack of directories
 * still to list and the multi-link files, freed before return.
 */
#ifndef STRATA_PNFS_CTL_TIER_WALK_H
#define STRATA_PNFS_CTL_TIER_WALK_H

#include <stdint.h>

#include "ctl_prot.h"

#define CTL_TIER_WALK_CHUNK 256

struct ns;

/* Totals of the subtree under directory DIR (DIR itself not counted in
 * T->dirs) into T (zeroed first). 0, or -errno: -ENOMEM, or the
 * namespace's error reading DIR itself. */
int ctl_tier_walk(struct ns *ns, uint64_t dir, ctl_tier_totals *t);

#endif
