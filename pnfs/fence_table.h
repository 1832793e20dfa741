/*
 * pnfs/fence_table.h — fences by fileid: FILEID's DS handles of a data
 * generation below FENCE are refused (CTL_FENCE,
 * docs/decisions/0030-data-generations.md). One fence per fileid, the
 * highest asked for: a fence never goes down.
 *
 * Two users, one table each:
 *   - a data server (pnfs/ds_state.h) checks every client READ and WRITE
 *     against its table; it is in memory only, so a restarted data
 *     server starts empty;
 *   - the metadata server (pnfs/cluster.h, struct cluster) keeps every
 *     fence it asked for and sends the whole table on each new control
 *     connection, after authentication and before the identity
 *     handshake (pnfs/cluster.c): a data server answers client I/O with
 *     NFS4ERR_DELAY until its verdict (decision 0019), so a restarted one
 *     never serves a fenced handle in between. It forgets a removed
 *     file's fence once its data is reclaimed (nothing of it is left).
 *
 * The MDS's table is in memory only too: an MDS restart starts empty.
 * That is safe because every DS handle needs an MDS-signed stateid of the
 * MDS's current boot (decision 0008: a data server refuses other boots'
 * stateids once the new MDS authenticates), so the layouts a fence was
 * against die with the old boot, and the tier's drain at start fences
 * each copy it frees again before dropping it.
 *
 * Owner: whoever made it (ds_state, struct cluster). Threads: any; the
 * table's own mutex, held only inside these calls.
 */
#ifndef STRATA_PNFS_FENCE_TABLE_H
#define STRATA_PNFS_FENCE_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct fence_table;

struct fence_entry {
	uint64_t fileid;
	uint64_t fence;
};

int fence_table_new(struct fence_table **out);
void fence_table_free(struct fence_table *t);

/* Raise FILEID's fence to FENCE (never lowers it). 0 or -ENOMEM. */
int fence_table_raise(struct fence_table *t, uint64_t fileid, uint64_t fence);
/* FILEID's fence; 0 when it has none. */
uint64_t fence_table_get(struct fence_table *t, uint64_t fileid);
/* Forget FILEID's fence. */
void fence_table_forget(struct fence_table *t, uint64_t fileid);
/* A copy of every fence in *OUT (malloc'd, the caller frees it; NULL
 * when the table is empty), their number in *N. 0 or -ENOMEM. */
int fence_table_copy(struct fence_table *t, struct fence_entry **out,
		     size_t *n);

#endif
