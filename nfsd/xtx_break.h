/*
 * nfsd/xtx_break.h — recalls before a cross-node transaction changes a
 * file (decision 0024, "Recalls before a transaction").
 *
 * On one node a REMOVE or RENAME recalls other clients' delegations on the
 * files whose names it touches, and the layouts of a file that may go
 * away, and answers NFS4ERR_DELAY until they are back (RFC 8881 §10.4.6,
 * §12.5.5; nfsd/ops/op_remove.c). Across nodes the files' state lives at
 * the owners of their inodes, which are the nodes that write those inode
 * records in the transaction: each node checks its own part before it
 * takes part (the coordinator before its decision, a participant before
 * it prepares) and refuses while a recall is under way; the coordinator
 * then aborts the attempt and the client gets NFS4ERR_DELAY, as on one
 * node, and sends the operation again.
 *
 * The client that asked keeps its own delegations and layouts, as on one
 * node: the front passes its client id along (PEER_XPREPARE's clientid),
 * and a partition owner knows that client by its stub (nfsd/session.h).
 *
 * Threads: the executor, srv->state_lock held.
 */
#ifndef STRATA_NFSD_XTX_BREAK_H
#define STRATA_NFSD_XTX_BREAK_H

#include <stddef.h>
#include <stdint.h>

struct strata_server;

/* Recall what conflicts with the inode records of REC (this node's part,
 * LEN bytes; ns_xtx_record_inodes): every delegation on each file it
 * changes, and the layouts of each file it takes out, of every client
 * but the one whose operation it is (ASKER, its client id at its front;
 * here the client or its stub; 0: none known). 0 when none is left, else
 * -EBUSY (recalls sent): the transaction does not take part yet. */
int xtx_break(struct strata_server *srv, uint64_t asker, const uint8_t *rec,
	      size_t len);

#endif
