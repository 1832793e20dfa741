/*
 * pnfs/ds_state.h — what a data server knows about the metadata nodes'
 * state: each node's boot epoch (its stateids of other boots are stale;
 * a stateid names its node: nfsd/stateid_fmt.h, decision 0036), the
 * stateids the nodes revoked, and per-file fences (DS handles of a data generation below a
 * file's fence are refused: docs/decisions/0030). The MDS pushes all
 * three over the control protocol (pnfs/ctl_prot.x: AUTH, REVOKE, FENCE);
 * the DS checks every READ/WRITE against them (nfsd/ops/op_ds_io.c).
 *
 * Kept in memory. A DS that has not yet heard from the MDS (just started)
 * answers client I/O with NFS4ERR_DELAY; the MDS authenticates as soon as
 * it reconnects and re-sends the revocations it keeps (pnfs/cluster.c).
 * Fences (pnfs/fence_table.h) are not persisted here: a DS restart
 * forgets them, and the MDS, which keeps them, sends them all again when
 * it reconnects, before it lets the data server serve (pnfs/cluster.c).
 * And once an old generation's objects are dropped, a handle of it gets
 * NFS4ERR_STALE anyway (missing object).
 *
 * Ownership: created by server_start() for ROLE_DS, owned by the server.
 * Threads: any; one mutex inside protects everything.
 */
#ifndef STRATA_PNFS_DS_STATE_H
#define STRATA_PNFS_DS_STATE_H

#include <stdint.h>

struct ds_state;

int ds_state_new(struct ds_state **out);
void ds_state_free(struct ds_state *d);

/* Metadata node NODE (1..DS_STATE_MAX_NODE; 1 alone) (re)authenticated
 * with its boot epoch. 0, or -EINVAL for a node out of range. */
#define DS_STATE_MAX_NODE 255
int ds_state_set_epoch(struct ds_state *d, unsigned node, uint32_t epoch);
/* 1 and *epoch set once node NODE has told its epoch; 0 before (or a
 * node out of range). */
int ds_state_epoch(struct ds_state *d, unsigned node, uint32_t *epoch);

void ds_state_revoke(struct ds_state *d, const uint8_t other[12]);
int ds_state_revoked(struct ds_state *d, const uint8_t other[12]);

/* Raise FILEID's fence to data generation FENCE (never lowers it): DS
 * handles of an older generation are refused from then on. 0 or
 * -ENOMEM. */
int ds_state_fence(struct ds_state *d, uint64_t fileid, uint64_t fence);
uint64_t ds_state_fence_of(struct ds_state *d, uint64_t fileid);

#endif
