/*
 * nfsd/xtx_task.h — cross-node transactions run by the server
 * (metadata/ns_xtx.h; docs/decisions/0024, "Cross-node transactions in
 * the server").
 *
 * A task is one piece of two-phase-commit work that waits for other
 * nodes between its steps:
 *
 *   - an OPERATION task: a front's RENAME, REMOVE or LINK that touches other
 *     nodes' partitions (the entry's owner stopped the COMPOUND before it:
 *     COMPOUND_XTX, nfsd/subcompound.h). The front coordinates: it plans
 *     with its own namespace, reading other nodes' keys (PEER_XREAD), has
 *     each other node store its part (PEER_XPREPARE), commits its own part
 *     with the COMMITTED record (the commit point), then, in the next
 *     batch (after that commit), has them apply it (PEER_XFINISH) before
 *     the client's reply leaves, and forgets it. A stale plan (a CHECK
 *     failed) is aborted and planned again, three times at most;
 *   - a RESOLVER task (xtx_resolve.h): finishes what a crash or a lost
 *     call left.
 *
 * xtx_step() runs one step. It returns XTX_WAIT when it sent peer calls:
 * the last answer calls WAKE(CTX, task) on a link thread, and the caller
 * runs the task's next step in a later batch; XTX_AGAIN when the next
 * step must run in a later batch (after this batch's commit); XTX_DONE
 * when the task ended (xtx_result()).
 *
 * Ownership: the caller (the executor) owns a task between steps and
 * frees it after XTX_DONE; while it waits, the peer calls in flight point
 * into it, so it is never freed then (each call is answered exactly
 * once, peer_client.h).
 *
 * Threads: xtx_step() on the executor thread with its batch open and
 * srv->state_lock held; WAKE on a link thread, without locks.
 */
#ifndef STRATA_NFSD_XTX_TASK_H
#define STRATA_NFSD_XTX_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "nfs4_prot.h"

struct strata_server;
struct compound;
struct xtx_task;

enum xtx_step_rc { XTX_WAIT = 0, XTX_AGAIN = 1, XTX_DONE = 2 };

typedef void (*xtx_wake_fn)(void *ctx, struct xtx_task *t);

/* The operation at OP (AVAIL bytes of C's arguments: its op number, then
 * RENAME4args, REMOVE4args or LINK4args), with C's filehandles and caller, as a task
 * that also carries JOB (the caller's, given back by xtx_job()). NULL
 * with *ST the op's answer when it cannot run as a transaction. */
struct xtx_task *xtx_task_op(struct strata_server *srv, struct compound *c,
			     const uint8_t *op, size_t avail, void *job,
			     xtx_wake_fn wake, void *ctx, nfsstat4 *st);

struct xtx_resolve_task;
/* A resolver's work (xtx_resolve.h) as a task; NULL: no memory (RT is
 * then still the caller's). */
struct xtx_task *xtx_task_resolve(struct strata_server *srv,
				  struct xtx_resolve_task *rt,
				  xtx_wake_fn wake, void *ctx);

enum xtx_step_rc xtx_step(struct xtx_task *t);

/* After XTX_DONE of an operation task: its op's result (op number,
 * status, resok) as XDR in *RES (N bytes, the task's), the op's status,
 * and how many argument bytes the op took. */
nfsstat4 xtx_result(const struct xtx_task *t, const uint8_t **res, size_t *n,
		    size_t *consumed);
void *xtx_job(const struct xtx_task *t);
void xtx_task_free(struct xtx_task *t);

/* ---- pure helpers (tests/unit/test_xtx_task.c) ---------------------- */

/* A transaction id unique across the cluster and its restarts: node (16
 * bits), the node's boot epoch (16), a counter (32). */
uint64_t xtx_txid_make(unsigned node, uint32_t boot_epoch, uint32_t n);

/* PARTS[p] = 1 for each of NPARTS partitions OWNER[p] == NODE; the
 * count. */
unsigned xtx_parts_of(const uint8_t *owner, unsigned nparts, unsigned node,
		      uint8_t *parts);

/* The NFS status for a namespace error of a plan or a step. */
nfsstat4 xtx_status(int rc);

#endif
