/* nfsd/xtx_round.c — see xtx_round.h. */
#include "xtx_round.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "peer_client.h"
#include "server.h"

void xround_init(struct xround *r, struct strata_server *srv,
		 xtx_wake_fn wake, void *ctx, struct xtx_task *task)
{
	memset(r, 0, sizeof(*r));
	r->srv = srv;
	r->wake = wake;
	r->wake_ctx = ctx;
	r->task = task;
	atomic_init(&r->pending, 0);
}

static void answered(void *ctx, int err, void *res)
{
	struct xcall *k = ctx;
	struct xround *r = k->r;

	k->err = err;
	k->res = res;
	if (atomic_fetch_sub(&r->pending, 1) == 1)
		r->wake(r->wake_ctx, r->task);
}

void xround_reset(struct xround *r)
{
	for (unsigned i = 0; i < r->ncalls; i++) {
		struct xcall *k = &r->calls[i];
		if (k->res) {
			xdr_free(k->xres, k->res);
			free(k->res);
		}
	}
	memset(r->calls, 0, sizeof(r->calls));
	r->ncalls = 0;
	atomic_store(&r->pending, 1); /* the round's own hold: xround_end */
}

struct xcall *xround_call(struct xround *r, unsigned node, uint32_t proc,
			  xdrproc_t xargs, void *args, xdrproc_t xres,
			  size_t rsize)
{
	struct xcall *k;

	if (r->ncalls >= XROUND_MAX)
		return NULL;
	k = &r->calls[r->ncalls++];
	k->r = r;
	k->node = node;
	k->xres = xres;
	atomic_fetch_add(&r->pending, 1);
	if (!r->srv->peers ||
	    peer_call(r->srv->peers, node, proc, xargs, args, xres, rsize,
		      answered, k) < 0) {
		k->err = -EHOSTDOWN; /* never sent: no answer comes */
		atomic_fetch_sub(&r->pending, 1);
	}
	return k;
}

enum xtx_step_rc xround_end(struct xround *r)
{
	return atomic_fetch_sub(&r->pending, 1) == 1 ? XTX_AGAIN : XTX_WAIT;
}

int xcall_int(const struct xcall *k)
{
	if (k->err)
		return k->err;
	return k->res ? *(int *)k->res : -EPROTO;
}
