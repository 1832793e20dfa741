/* nfsd/xtx_resolve.c — see xtx_resolve.h. */
#include "xtx_resolve.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "ns.h"
#include "ns_xtx.h"
#include "orphan.h"
#include "peer_delta.h"
#include "peer_prot.h"
#include "server.h"
#include "xtx_round.h"

#define SEEN_MAX 256

struct xtx_resolver {
	struct xtx_seen seen[SEEN_MAX];
	size_t nseen;
	time_t next;
	int running; /* a resolve task is out */
	int warm;    /* a listing was made: records are new from now on */
	time_t guards_next; /* the next expiry of RMDIR tombstones */
};

struct xtx_resolve_task {
	struct strata_server *srv;
	struct xtx_resolver *res;
	int sent;
	struct ns_xtx_rec recs[XTX_RESOLVE_BATCH];
	int failed[XTX_RESOLVE_BATCH];
	size_t n;
};

int xtx_resolver_new(struct xtx_resolver **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void xtx_resolver_free(struct xtx_resolver *r)
{
	free(r);
}

size_t xtx_resolve_due(struct xtx_seen *seen, size_t *n, size_t cap,
		       const uint64_t *txids, size_t nrecs, time_t now,
		       time_t age, size_t *due)
{
	size_t k = 0, ndue = 0;

	/* keep what is still there, in order */
	for (size_t i = 0; i < *n; i++)
		for (size_t j = 0; j < nrecs; j++)
			if (seen[i].txid == txids[j]) {
				seen[k++] = seen[i];
				break;
			}
	*n = k;
	for (size_t j = 0; j < nrecs; j++) {
		size_t i = 0;
		while (i < *n && seen[i].txid != txids[j])
			i++;
		if (i == *n && *n < cap)
			seen[(*n)++] = (struct xtx_seen){ txids[j], now };
		if (i < *n && now - seen[i].first >= age)
			due[ndue++] = j;
	}
	return ndue;
}

/* A COMMITTED record whose transaction is still being run here. */
static int coordinating(struct strata_server *srv, uint64_t txid)
{
	enum ns_xtx_outcome o;

	return ns_xtx_outcome(srv->ns, txid, &o) == 0 && o == NS_XTX_PENDING;
}

/* RMDIR tombstones past NS_RMGUARD_KEEP_S (metadata/ns.h, "RMDIR with
 * several owners"): once a minute, or each tick while more are due. */
static void guards_expire(struct strata_server *srv, struct xtx_resolver *r,
			  time_t now)
{
	size_t n = 0;
	int rc;

	if (now < r->guards_next)
		return;
	rc = ns_rmguard_expire(srv->ns, (uint64_t)time(NULL),
			       NS_RMGUARD_KEEP_S, &n);
	r->guards_next = rc == 1 ? now : now + 60;
	if (rc < 0)
		log_warn("RMDIR tombstones not expired: %d", rc);
	else if (n)
		log_info("dropped %zu RMDIR tombstone(s) older than %d s", n,
			 NS_RMGUARD_KEEP_S);
}

struct xtx_task *xtx_resolve_tick(struct strata_server *srv,
				  struct xtx_resolver *r, time_t now,
				  xtx_wake_fn wake, void *ctx)
{
	struct ns_xtx_rec recs[XTX_RESOLVE_BATCH];
	uint64_t txids[XTX_RESOLVE_BATCH];
	size_t due[XTX_RESOLVE_BATCH], n = 0, ndue;
	struct xtx_resolve_task *rt;
	struct xtx_task *t;
	int cold;

	if (!r || r->running || now < r->next || !srv->peers)
		return NULL;
	r->next = now + 1;
	guards_expire(srv, r, now);
	if (ns_xtx_list(srv->ns, recs, XTX_RESOLVE_BATCH, &n) < 0)
		return NULL;
	cold = !r->warm;
	r->warm = 1;
	if (!n) {
		r->nseen = 0;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		txids[i] = recs[i].txid;
	/* The records of the first listing were there when this process
	 * started: a crash left them, and their names read as in doubt
	 * (NFS4ERR_DELAY) until they are resolved, so at once. (Asking
	 * about one whose coordinator still runs it only hears PENDING.) */
	ndue = xtx_resolve_due(r->seen, &r->nseen, SEEN_MAX, txids, n, now,
			       cold ? 0 : XTX_RESOLVE_AGE, due);
	rt = ndue ? calloc(1, sizeof(*rt)) : NULL;
	if (!rt)
		return NULL;
	rt->srv = srv;
	rt->res = r;
	for (size_t i = 0; i < ndue; i++) {
		const struct ns_xtx_rec *rec = &recs[due[i]];
		if (rec->committed && coordinating(srv, rec->txid))
			continue;
		rt->recs[rt->n++] = *rec;
	}
	t = rt->n ? xtx_task_resolve(srv, rt, wake, ctx) : NULL;
	if (!t) {
		free(rt);
		return NULL;
	}
	r->running = 1;
	return t;
}

static void send_all(struct xtx_resolve_task *rt, struct xround *round)
{
	struct strata_server *srv = rt->srv;

	xround_reset(round);
	for (size_t i = 0; i < rt->n; i++) {
		const struct ns_xtx_rec *rec = &rt->recs[i];
		struct xcall *k;

		if (!rec->committed) {
			peer_xoutcome_args a = { srv->cmap->epoch, srv->node,
						 rec->txid };
			k = xround_call(round, rec->coord, PEER_XOUTCOME,
					(xdrproc_t)xdr_peer_xoutcome_args, &a,
					(xdrproc_t)xdr_int, sizeof(int));
			if (k)
				k->first = i;
			continue;
		}
		for (size_t j = 0; j < rec->nnodes && j < 16; j++) {
			peer_xfinish_args a = { srv->cmap->epoch, srv->node,
						rec->txid, TRUE };
			k = xround_call(round, rec->nodes[j], PEER_XFINISH,
					(xdrproc_t)xdr_peer_xfinish_args, &a,
					(xdrproc_t)xdr_int, sizeof(int));
			if (k)
				k->first = i;
			else
				rt->failed[i] = 1; /* again next time */
		}
	}
}

/* A participant's record: what its coordinator answered. */
static void settle_prepared(struct xtx_resolve_task *rt,
			    const struct ns_xtx_rec *rec, int outcome)
{
	struct ns_xtx_gone gone;
	int rc;

	if (outcome != NS_XTX_COMMITTED && outcome != NS_XTX_ABORTED)
		return; /* pending, or no answer: later */
	rc = ns_xtx_finish(rt->srv->ns, rec->txid, outcome == NS_XTX_COMMITTED,
			   &gone);
	if (!rc)
		orphan_unlinked_all(rt->srv, &gone);
	log_info("xtx %llx of node %u resolved: %s%s",
		 (unsigned long long)rec->txid, rec->coord,
		 outcome == NS_XTX_COMMITTED ? "committed" : "aborted",
		 rc ? " (not applied)" : "");
}

static void apply_all(struct xtx_resolve_task *rt, struct xround *round)
{
	for (unsigned c = 0; c < round->ncalls; c++) {
		const struct xcall *k = &round->calls[c];
		const struct ns_xtx_rec *rec = &rt->recs[k->first];

		if (!rec->committed)
			settle_prepared(rt, rec, xcall_int(k));
		else if (xcall_int(k) != 0)
			rt->failed[k->first] = 1;
	}
	for (size_t i = 0; i < rt->n; i++) {
		const struct ns_xtx_rec *rec = &rt->recs[i];
		if (!rec->committed || rt->failed[i])
			continue;
		if (ns_xtx_forget(rt->srv->ns, rec->txid) == 0)
			log_info("xtx %llx: committed everywhere, forgotten",
				 (unsigned long long)rec->txid);
	}
	delta_ship_kick(rt->srv->deltas);
}

enum xtx_step_rc xtx_resolve_step(struct xtx_resolve_task *rt,
				  struct xround *round)
{
	if (!rt->sent) {
		rt->sent = 1;
		send_all(rt, round);
		return xround_end(round);
	}
	apply_all(rt, round);
	return XTX_DONE;
}

void xtx_resolve_free(struct xtx_resolve_task *rt)
{
	if (!rt)
		return;
	rt->res->running = 0;
	free(rt);
}
