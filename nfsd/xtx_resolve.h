/*
 * nfsd/xtx_resolve.h — finishing the cross-node transactions a crash or
 * a lost call left (metadata/ns_xtx.h "Recovery"; decision 0024).
 *
 * Every node looks at its transaction records once a second (at most)
 * and, for each one older than XTX_RESOLVE_AGE seconds as this process
 * has seen it:
 *   - PREPARED (a participant's): asks the coordinator (PEER_XOUTCOME);
 *     COMMITTED: applies it; ABORTED (no record and not live there:
 *     presumed abort): drops it; PENDING or no answer: asks again later.
 *   - COMMITTED (a coordinator's, not live: its task ended or the node
 *     restarted): sends COMMIT again to each participant (PEER_XFINISH;
 *     an unknown txid there is already finished) and forgets the record
 *     once all of them answered.
 * The age keeps the resolver out of the way of transactions in progress
 * (their coordinator sends FINISH itself within a round trip). Records
 * of the first listing after the start are due at once: a crash left
 * them, and the names they write answer NFS4ERR_DELAY until resolved
 * (ns_xlock_in_doubt, metadata/ns_internal.h).
 *
 * Ownership: struct xtx_resolver belongs to the server (srv->xtx_res),
 * made at start. A resolve task (at most one at a time) is owned like
 * any task (xtx_task.h). Threads: executor thread only, batch open and
 * srv->state_lock held.
 */
#ifndef STRATA_NFSD_XTX_RESOLVE_H
#define STRATA_NFSD_XTX_RESOLVE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "xtx_task.h"

#define XTX_RESOLVE_AGE 3    /* seconds a record waits before resolving */
#define XTX_RESOLVE_BATCH 32 /* records resolved by one task */

struct strata_server;
struct xtx_resolver;
struct xtx_resolve_task;
struct xround;

int xtx_resolver_new(struct xtx_resolver **out);
void xtx_resolver_free(struct xtx_resolver *r);

/* Once a second at most (NOW), and while no resolve task of R runs: a
 * task for the records old enough, or NULL (none, or not yet). */
struct xtx_task *xtx_resolve_tick(struct strata_server *srv,
				  struct xtx_resolver *r, time_t now,
				  xtx_wake_fn wake, void *ctx);

/* Called by xtx_step() / xtx_task_free() (xtx_task.c). */
enum xtx_step_rc xtx_resolve_step(struct xtx_resolve_task *rt,
				  struct xround *round);
void xtx_resolve_free(struct xtx_resolve_task *rt);

/* Pure (tests): update SEEN (N of them, CAP room) with the txids of
 * RECS (NRECS) first seen at NOW, dropping those no longer there; then
 * the indices of RECS seen at least AGE seconds ago go into DUE. Returns
 * how many are due. */
struct xtx_seen {
	uint64_t txid;
	time_t first;
};
size_t xtx_resolve_due(struct xtx_seen *seen, size_t *n, size_t cap,
		       const uint64_t *txids, size_t nrecs, time_t now,
		       time_t age, size_t *due);

#endif
