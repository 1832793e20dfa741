/* tools/strata/residency.c — see residency.h. */
#include "residency.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_tier_walk.h"

struct rwalk {
	unsigned nnodes;
	residency_call_fn call;
	void *ctx;
	ctl_tier_totals *t;
	uint64_t *queue; /* directories to list: [head, n) */
	size_t head, n, cap;
	ctl_tier_linked *linked; /* shares of files of several links */
	size_t nlinked, caplinked;
	uint64_t (*batch)[CTL_TIER_PART_MAX]; /* [nnodes]: inodes to count */
	unsigned *nbatch;                      /* [nnodes] */
	unsigned failed;                       /* the node, on an error */
};

static int push_dir(struct rwalk *w, uint64_t dir)
{
	if (w->head > 0 && w->head == w->n)
		w->head = w->n = 0;
	if (w->head > 0 && w->n == w->cap) { /* room before HEAD: move */
		memmove(w->queue, w->queue + w->head,
			(w->n - w->head) * sizeof(*w->queue));
		w->n -= w->head;
		w->head = 0;
	}
	if (ctl_tier_grow((void **)&w->queue, &w->cap, w->n + 1,
			  sizeof(*w->queue)))
		return -ENOMEM;
	w->queue[w->n++] = dir;
	return 0;
}

static void add_part(ctl_tier_totals *t, const ctl_tier_totals *p)
{
	for (int i = 0; i < 3; i++) {
		t->files[i] += p->files[i];
		t->bytes[i] += p->bytes[i];
	}
	t->ds_bytes += p->ds_bytes;
	t->tier_bytes += p->tier_bytes;
	t->dirs += p->dirs;
	t->others += p->others;
	t->jobs += p->jobs;
}

static int call(struct rwalk *w, unsigned node, ctl_tier_part_args *a,
		ctl_tier_part_res *res)
{
	int rc;

	memset(res, 0, sizeof(*res));
	rc = w->call(w->ctx, node, a, res);
	if (rc == 0 && res->status) {
		rc = -res->status;
		xdr_free((xdrproc_t)xdr_ctl_tier_part_res, (char *)res);
	}
	if (rc < 0)
		w->failed = node;
	return rc;
}

static int count_batch(struct rwalk *w, unsigned node);

/* NODE's answer RES summed into the walk. Inodes of other nodes are
 * batched for them; one a counting call returns (COUNTED) is an error:
 * the node the listing named no longer holds it. */
static int absorb(struct rwalk *w, unsigned node,
		  const ctl_tier_part_res *res, int counted)
{
	int rc = 0;

	add_part(w->t, &res->part);
	for (u_int i = 0; rc == 0 && i < res->dirs.dirs_len; i++)
		rc = push_dir(w, res->dirs.dirs_val[i]);
	if (rc == 0 && res->linked.linked_len &&
	    ctl_tier_grow((void **)&w->linked, &w->caplinked,
		 w->nlinked + res->linked.linked_len, sizeof(*w->linked)))
		rc = -ENOMEM;
	for (u_int i = 0; rc == 0 && i < res->linked.linked_len; i++)
		w->linked[w->nlinked++] = res->linked.linked_val[i];
	for (u_int i = 0; rc == 0 && i < res->remote.remote_len; i++) {
		const ctl_tier_remote *r = &res->remote.remote_val[i];

		if (counted || r->node < 1 || r->node > w->nnodes) {
			w->failed = node;
			return counted ? -EIO : -EREMOTE;
		}
		w->batch[r->node - 1][w->nbatch[r->node - 1]++] = r->fileid;
		if (w->nbatch[r->node - 1] == CTL_TIER_PART_MAX)
			rc = count_batch(w, r->node);
	}
	return rc;
}

/* Count the inodes batched for NODE there. */
static int count_batch(struct rwalk *w, unsigned node)
{
	ctl_tier_part_args a = { 0 };
	ctl_tier_part_res res;
	int rc;

	a.inodes.inodes_len = w->nbatch[node - 1];
	a.inodes.inodes_val = w->batch[node - 1];
	w->nbatch[node - 1] = 0;
	rc = call(w, node, &a, &res);
	if (rc < 0)
		return rc;
	rc = absorb(w, node, &res, 1);
	xdr_free((xdrproc_t)xdr_ctl_tier_part_res, (char *)&res);
	return rc;
}

/* NODE's entries of DIR, chunk by chunk. */
static int list_on(struct rwalk *w, unsigned node, uint64_t dir)
{
	ctl_tier_part_args a = { .dir = dir };
	ctl_tier_part_res res;
	int eof = 0, rc = 0;

	while (rc == 0 && !eof) {
		rc = call(w, node, &a, &res);
		if (rc < 0)
			return rc;
		eof = res.eof;
		if (!eof && res.next == a.cookie) {
			w->failed = node;
			rc = -EIO; /* no progress: never expected */
		}
		a.cookie = res.next;
		if (rc == 0)
			rc = absorb(w, node, &res, 0);
		xdr_free((xdrproc_t)xdr_ctl_tier_part_res, (char *)&res);
	}
	return rc;
}

static int walk(struct rwalk *w, uint64_t dir)
{
	int rc = push_dir(w, dir);

	for (;;) {
		unsigned pending = 0;

		while (rc == 0 && w->head < w->n) {
			uint64_t d = w->queue[w->head++];

			for (unsigned node = 1; rc == 0 && node <= w->nnodes;
			     node++)
				rc = list_on(w, node, d);
		}
		for (unsigned node = 1; rc == 0 && node <= w->nnodes; node++)
			if (w->nbatch[node - 1]) {
				pending = 1;
				rc = count_batch(w, node);
			}
		if (rc < 0 || (!pending && w->head == w->n))
			return rc;
	}
}

int residency_walk(unsigned nnodes, residency_call_fn callfn, void *ctx,
		   uint64_t dir, ctl_tier_totals *t, unsigned *node)
{
	struct rwalk w = { .nnodes = nnodes, .call = callfn, .ctx = ctx,
			   .t = t };
	int rc = -ENOMEM;

	memset(t, 0, sizeof(*t));
	*node = 0;
	w.batch = calloc(nnodes, sizeof(*w.batch));
	w.nbatch = calloc(nnodes, sizeof(*w.nbatch));
	if (w.batch && w.nbatch)
		rc = walk(&w, dir);
	if (rc == 0)
		ctl_tier_add_linked(t, w.linked, w.nlinked);
	if (rc < 0) {
		memset(t, 0, sizeof(*t));
		*node = w.failed;
	}
	free(w.queue);
	free(w.linked);
	free(w.batch);
	free(w.nbatch);
	return rc;
}
