/*
 * nfsd/xtx_round.h — one round of peer calls of a cross-node transaction
 * task (nfsd/xtx_task.h): the calls a step sends, their answers, and the
 * wake-up when the last one is in.
 *
 * Ownership: embedded in its task; a round's answers stay until the next
 * xround_reset() (or the task's end). Threads: xround_reset(),
 * xround_call() and xround_end() on the executor thread; the answers
 * arrive on link threads (peer_client.h), the last one calls WAKE(CTX,
 * TASK) there without locks. PENDING is the only field they share.
 */
#ifndef STRATA_NFSD_XTX_ROUND_H
#define STRATA_NFSD_XTX_ROUND_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <rpc/rpc.h>

#include "cmap.h"
#include "xtx_task.h"

#define XROUND_MAX CMAP_MAX_NODES

struct xround;

struct xcall {
	struct xround *r;
	unsigned node;
	int err;         /* peer_client.h; 0: RES holds the answer */
	void *res;
	xdrproc_t xres;
	size_t first, n; /* the caller's: what the call was about */
};

struct xround {
	struct strata_server *srv;
	struct xcall calls[XROUND_MAX];
	unsigned ncalls;
	atomic_uint pending;
	xtx_wake_fn wake;
	void *wake_ctx;
	struct xtx_task *task;
};

void xround_init(struct xround *r, struct strata_server *srv,
		 xtx_wake_fn wake, void *ctx, struct xtx_task *task);
/* Free the last round's answers; start a new round. */
void xround_reset(struct xround *r);
/* Send PROC to NODE (ARGS encoded now); the call's slot, whose ERR is
 * -EHOSTDOWN at once if it could not be queued. NULL: the round is full. */
struct xcall *xround_call(struct xround *r, unsigned node, uint32_t proc,
			  xdrproc_t xargs, void *args, xdrproc_t xres,
			  size_t rsize);
/* All sent: XTX_WAIT (the last answer wakes the task) or XTX_AGAIN (all
 * are in already: run the next step in the next batch). */
enum xtx_step_rc xround_end(struct xround *r);
/* The int an answer carries (XPREPARE, XFINISH, XOUTCOME), or the call's
 * error. */
int xcall_int(const struct xcall *k);

#endif
