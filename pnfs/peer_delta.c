/*
 * pnfs/peer_delta.c — see peer_delta.h.
 */
#include "peer_delta.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cmap.h"
#include "log.h"
#include "metrics.h"
#include "nfs4_prot.h"
#include "ns.h"
#include "peer_client.h"
#include "peer_prot.h"
#include "server.h"

#define ROUND_MAX 64 /* deltas of one shard per round */
#define APPLIED_RING 256 /* change_info of the last deltas applied */

/* What an owner answered for one delta. */
struct applied {
	uint64_t seq; /* 0: none */
	uint64_t before, after;
	int atomic;
};

struct shard_ship {
	/* Executor thread only. */
	uint8_t pending;     /* deltas may be waiting */
	uint64_t trimmed;    /* dropped up to here */
	uint64_t noted;      /* the last delta an operation made */
	uint64_t noted_at;   /* when pending was set (delta_ship_delay) */
	/* Under the mutex (answers come on link threads). */
	unsigned inflight;   /* calls of the round not answered yet */
	uint8_t failed;      /* one of them failed: send the round again */
	uint64_t round_upto; /* the round's last seq */
	unsigned round_n;
	uint64_t acked;      /* applied at their owners up to here */
	struct applied *ring; /* APPLIED_RING of them, by seq; lazily */
};

struct delta_ship {
	pthread_mutex_t lock; /* the "mutex" fields of struct shard_ship */
	unsigned nshards;
	atomic_uint_fast64_t nacked;
	void (*wake)(void *ctx);
	void *wake_ctx;
	uint64_t delay_ns; /* executor: send deltas this old at least */
	struct delta_waits cur; /* executor: noted since the last take */
	struct shard_ship s[];
};

struct delta_call {
	struct delta_ship *d;
	unsigned shard;
	u_int n;
	uint64_t seq[]; /* the deltas sent, in order */
};

int delta_ship_new(struct delta_ship **out, unsigned nshards,
		   void (*wake)(void *ctx), void *ctx)
{
	struct delta_ship *d =
		calloc(1, sizeof(*d) + nshards * sizeof(d->s[0]));

	if (!d)
		return -ENOMEM;
	pthread_mutex_init(&d->lock, NULL);
	d->nshards = nshards;
	d->wake = wake;
	d->wake_ctx = ctx;
	for (unsigned s = 0; s < nshards; s++)
		d->s[s].pending = 1; /* what a crash left unsent */
	*out = d;
	return 0;
}

void delta_ship_free(struct delta_ship *d)
{
	if (!d)
		return;
	for (unsigned s = 0; s < d->nshards; s++)
		free(d->s[s].ring);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static void waits_add(struct delta_waits *w, unsigned shard, uint64_t seq,
		      uint32_t op, size_t res, uint32_t lead)
{
	if (w->n == DELTA_WAITS_MAX) {
		w->all = 1; /* waits for all; its change_info stays */
		return;
	}
	w->w[w->n].shard = shard;
	w->w[w->n].seq = seq;
	w->w[w->n].op = op;
	w->w[w->n].res = res;
	w->w[w->n].lead = lead;
	w->n++;
}

void delta_ship_note(struct delta_ship *d, unsigned shard, uint64_t seq,
		     uint32_t op, size_t res, uint32_t lead)
{
	if (!d || shard >= d->nshards)
		return;
	if (!d->s[shard].pending)
		d->s[shard].noted_at = metrics_now_ns();
	d->s[shard].pending = 1;
	if (seq > d->s[shard].noted)
		d->s[shard].noted = seq;
	waits_add(&d->cur, shard, seq, op, res, lead);
}

void delta_ship_kick(struct delta_ship *d)
{
	uint64_t now = metrics_now_ns();

	for (unsigned s = 0; d && s < d->nshards; s++)
		if (!d->s[s].pending) {
			d->s[s].pending = 1;
			d->s[s].noted_at = now;
		}
}

void delta_ship_delay(struct delta_ship *d, unsigned ms)
{
	if (d)
		d->delay_ns = (uint64_t)ms * 1000000u;
}

void delta_ship_take(struct delta_ship *d, struct delta_waits *w,
		     size_t base)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->cur.n; i++)
		waits_add(w, d->cur.w[i].shard, d->cur.w[i].seq,
			  d->cur.w[i].op, base ? base + d->cur.w[i].res : 0,
			  d->cur.w[i].lead);
	w->all |= d->cur.all;
	memset(&d->cur, 0, sizeof(d->cur));
}

static uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* Where the change_info4 of wait I is in BUF (LEN bytes), if the op's
 * result there is what was encoded for it: its op number, NFS4_OK, and
 * 20 zero bytes (not atomic, before 0, after 0); else 0. */
static size_t cinfo_at(const struct delta_waits *w, unsigned i,
		       const uint8_t *buf, size_t len)
{
	static const uint8_t zero[20];
	size_t res = w->w[i].res, off = res + 8 + w->w[i].lead;

	if (!res || off + 20 > len)
		return 0;
	if (get_be32(buf + res) != w->w[i].op ||
	    get_be32(buf + res + 4) != NFS4_OK ||
	    memcmp(buf + off, zero, sizeof(zero)))
		return 0;
	return off;
}

void delta_ship_patch(struct delta_ship *d, const struct delta_waits *w,
		      uint8_t *buf, size_t len)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	for (unsigned i = 0; i < w->n; i++) {
		const struct shard_ship *s = &d->s[w->w[i].shard];
		const struct applied *a =
			s->ring ? &s->ring[w->w[i].seq % APPLIED_RING] : NULL;

		size_t off;

		if (!a || a->seq != w->w[i].seq || !a->atomic ||
		    !(off = cinfo_at(w, i, buf, len)))
			continue;
		buf[off + 3] = 1; /* bool atomic: TRUE */
		put_be64(buf + off + 4, a->before);
		put_be64(buf + off + 12, a->after);
	}
	pthread_mutex_unlock(&d->lock);
}

int delta_ship_done(struct delta_ship *d, const struct delta_waits *w)
{
	int done = 1;

	if (!d || (!w->n && !w->all))
		return 1;
	pthread_mutex_lock(&d->lock);
	for (unsigned i = 0; done && i < w->n; i++)
		done = d->s[w->w[i].shard].acked >= w->w[i].seq;
	for (unsigned s = 0; done && w->all && s < d->nshards; s++)
		done = d->s[s].acked >= d->s[s].noted;
	pthread_mutex_unlock(&d->lock);
	return done;
}

uint64_t delta_ship_acked(const struct delta_ship *d)
{
	return d ? atomic_load(&d->nacked) : 0;
}

/* What the owner answered for the deltas of CALL (under the mutex). */
static void keep_answers(struct shard_ship *s, const struct delta_call *call,
			 const peer_delta_res *r)
{
	const peer_cinfo *ci = r->peer_delta_res_u.cinfo.cinfo_val;

	if (r->peer_delta_res_u.cinfo.cinfo_len != call->n)
		return; /* not an answer to these */
	if (!s->ring)
		s->ring = calloc(APPLIED_RING, sizeof(*s->ring));
	for (u_int i = 0; s->ring && i < call->n; i++)
		s->ring[call->seq[i] % APPLIED_RING] = (struct applied){
			call->seq[i], ci[i].before, ci[i].after,
			ci[i].atomic ? 1 : 0 };
}

/* One call of SHARD's round is over, applied (OK) or not. */
static void round_done(struct delta_ship *d, unsigned shard, int ok,
		       const struct delta_call *call, const peer_delta_res *r)
{
	struct shard_ship *s = &d->s[shard];

	pthread_mutex_lock(&d->lock);
	if (ok && call && r)
		keep_answers(s, call, r);
	if (!ok)
		s->failed = 1;
	if (--s->inflight == 0 && !s->failed) {
		s->acked = s->round_upto;
		atomic_fetch_add(&d->nacked, s->round_n);
	}
	pthread_mutex_unlock(&d->lock);
}

/* Link thread: one owner's answer to a round. */
static void delta_answered(void *ctx, int err, void *res)
{
	struct delta_call *call = ctx;
	peer_delta_res *r = res;
	int ok = !err && r && r->stat == PEER_OK;

	round_done(call->d, call->shard, ok, call, r);
	if (call->d->wake)
		call->d->wake(call->d->wake_ctx);
	if (!ok)
		log_debug("peer: deltas of shard %u not applied yet: %s",
			  call->shard, err ? strerror(-err) : "refused");
	if (r) {
		xdr_free((xdrproc_t)xdr_peer_delta_res, (char *)r);
		free(r);
	}
	free(call);
}

void delta_ship_trim(struct strata_server *srv)
{
	struct delta_ship *d = srv->deltas;

	for (unsigned i = 0; d && i < d->nshards; i++) {
		struct shard_ship *s = &d->s[i];
		uint64_t acked;

		pthread_mutex_lock(&d->lock);
		acked = s->acked;
		pthread_mutex_unlock(&d->lock);
		if (acked > s->trimmed && ns_delta_trim(srv->ns, i, acked) == 0)
			s->trimmed = acked;
	}
}

/* The deltas of D (N of them) whose directory NODE owns, in order. */
static u_int pick(const struct cmap *m, unsigned node, const struct ns_delta *d,
		  size_t n, peer_delta *out)
{
	u_int k = 0;

	for (size_t i = 0; i < n; i++) {
		if (cmap_fileid_owner(m, d[i].dir) != node)
			continue;
		out[k++] = (peer_delta){ .seq = d[i].seq, .dir = d[i].dir,
					 .entries = d[i].entries,
					 .subdirs = d[i].subdirs,
					 .sec = d[i].when.sec,
					 .nsec = d[i].when.nsec };
	}
	return k;
}

/* Send one round of shard SHARD: calls to each owner concerned. */
static void send_round(struct strata_server *srv, unsigned shard,
		       const struct ns_delta *dl, size_t n)
{
	struct delta_ship *d = srv->deltas;
	const struct cmap *m = srv->cmap;
	uint8_t want[CMAP_MAX_NODES + 1] = { 0 };
	peer_delta *pd = calloc(n, sizeof(*pd));
	unsigned calls = 0;

	if (!pd) {
		d->s[shard].pending = 1;
		return;
	}
	for (size_t i = 0; i < n; i++)
		want[cmap_fileid_owner(m, dl[i].dir)] = 1;
	for (unsigned node = 1; node <= CMAP_MAX_NODES; node++)
		calls += want[node];
	pthread_mutex_lock(&d->lock);
	d->s[shard].inflight = calls;
	d->s[shard].failed = 0;
	d->s[shard].round_upto = dl[n - 1].seq;
	d->s[shard].round_n = (unsigned)n;
	pthread_mutex_unlock(&d->lock);
	for (unsigned node = 1; node <= CMAP_MAX_NODES; node++) {
		struct delta_call *call;
		peer_delta_args a = { .map_epoch = m->epoch, .from = srv->node,
				      .shard = shard };

		if (!want[node])
			continue;
		a.deltas.deltas_val = pd;
		a.deltas.deltas_len = pick(m, node, dl, n, pd);
		call = malloc(sizeof(*call) +
			      a.deltas.deltas_len * sizeof(call->seq[0]));
		if (call) {
			call->d = d;
			call->shard = shard;
			call->n = a.deltas.deltas_len;
			for (u_int k = 0; k < call->n; k++)
				call->seq[k] = pd[k].seq;
		}
		if (!call || node == srv->node ||
		    peer_call(srv->peers, node, PEER_DELTA,
			      (xdrproc_t)xdr_peer_delta_args, &a,
			      (xdrproc_t)xdr_peer_delta_res,
			      sizeof(peer_delta_res), delta_answered,
			      call) < 0) {
			/* Never answered: count it failed now. (A directory
			 * of this node's own has no delta: map changed.) */
			free(call);
			round_done(d, shard, 0, NULL, NULL);
		}
	}
	free(pd);
}

void delta_ship_send(struct strata_server *srv)
{
	struct delta_ship *d = srv->deltas;
	struct ns_delta dl[ROUND_MAX];

	for (unsigned i = 0; d && srv->peers && i < d->nshards; i++) {
		struct shard_ship *s = &d->s[i];
		uint64_t after;
		size_t n = 0;
		int busy;

		pthread_mutex_lock(&d->lock);
		busy = s->inflight != 0;
		if (!busy && s->failed) {
			s->failed = 0;
			s->pending = 1;
		}
		after = s->acked;
		pthread_mutex_unlock(&d->lock);
		if (busy || !s->pending || !ns_owns_shard(srv->ns, i))
			continue;
		if (d->delay_ns && metrics_now_ns() - s->noted_at < d->delay_ns)
			continue; /* a test's failpoint */
		s->pending = 0;
		if (ns_delta_list(srv->ns, i, after, dl, ROUND_MAX, &n) < 0) {
			s->pending = 1;
			continue;
		}
		if (n == ROUND_MAX)
			s->pending = 1; /* more after this round */
		if (n)
			send_round(srv, i, dl, n);
	}
}
