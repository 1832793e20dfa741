/*
 * nfsd/exec.c — see exec.h.
 */
#include "exec.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "log.h"
#include "metrics.h"
#include "ns.h"
#include "orphan.h"
#include "server_run.h"
#include "xprt.h"

struct exec_req {
	struct exec_req *next;
	struct xprt_conn *conn; /* referenced */
	uint8_t *msg;           /* owned; call.args points into it */
	struct rpc_call call;
	uint64_t t_arrive;      /* metrics_now_ns() at exec_submit() */
};

struct exec_reply {
	struct xprt_conn *conn; /* referenced */
	uint8_t *buf;           /* owned */
	size_t len;
	uint64_t t_arrive;      /* of its request */
};

struct exec {
	struct strata_server *srv;
	pthread_t thread;
	pthread_mutex_t lock; /* protects the queue, depth and stop */
	pthread_cond_t work;  /* a request was queued, or stop */
	pthread_cond_t space; /* the queue shrank */
	struct exec_req *head, *tail;
	unsigned depth;
	int stop;
	/* Executor thread only. */
	uint8_t *scratch; /* one reply at a time is built here */
	size_t scratch_cap;
	struct exec_reply out[EXEC_BATCH_MAX];
	uint64_t *place;   /* exec_defer_place() of this batch */
	size_t nplace, place_cap;
};

int exec_defer_place(struct exec *e, uint64_t fileid)
{
	/* Only the executor opens batches (so the list is its own). */
	if (!ns_batch_owned(e->srv->ns))
		return -EINVAL;
	if (e->nplace == e->place_cap) {
		size_t cap = e->place_cap ? 2 * e->place_cap : 64;
		uint64_t *p = realloc(e->place, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		e->place = p;
		e->place_cap = cap;
	}
	e->place[e->nplace++] = fileid;
	return 0;
}

/* Before the commit (and so before the replies): the stripe objects of
 * the files whose first layout the batch handed out, one call per data
 * server, each file then recorded in the batch as placed, or as unsure
 * when its objects could not all be made (those clients' DS I/O then gets
 * STALE and goes through the MDS, whose first write makes them). Made
 * before the commit so that a committed NS_INO_DATA_PLACED always means
 * the objects exist, and a missing one later means lost data
 * (docs/decisions/0019). Executor thread, batch open. */
static void place_all(struct exec *e)
{
	struct strata_server *srv = e->srv;
	int all = 0;

	if (!e->nplace)
		return;
	all = data_place_many(srv, e->place, e->nplace) == 0;
	for (size_t i = 0; i < e->nplace; i++) {
		uint64_t f = e->place[i];
		int rc = all ? 0 : data_place(srv, f);

		if (rc < 0)
			log_warn("fileid %llx: stripe objects not all made "
				 "(%s); its I/O goes through the MDS",
				 (unsigned long long)f, strerror(-rc));
		rc = inode_mark_data(srv, f, rc == 0);
		if (rc < 0 && rc != -ENOENT)
			log_warn("fileid %llx: placement not recorded: %s",
				 (unsigned long long)f, strerror(-rc));
	}
	e->nplace = 0;
}

void exec_submit(struct exec *e, struct xprt_conn *conn, uint8_t *msg,
		 const struct rpc_call *call)
{
	struct exec_req *r = malloc(sizeof(*r));

	if (!r) {
		free(msg); /* the client retransmits */
		return;
	}
	xprt_conn_get(conn);
	r->next = NULL;
	r->conn = conn;
	r->msg = msg;
	r->call = *call;
	r->t_arrive = metrics_now_ns();
	pthread_mutex_lock(&e->lock);
	while (e->depth >= EXEC_QUEUE_MAX && !e->stop)
		pthread_cond_wait(&e->space, &e->lock);
	if (e->tail)
		e->tail->next = r;
	else
		e->head = r;
	e->tail = r;
	e->depth++;
	pthread_cond_signal(&e->work);
	pthread_mutex_unlock(&e->lock);
}

static void req_free(struct exec_req *r)
{
	xprt_conn_put(r->conn);
	free(r->msg);
	free(r);
}

/* Take up to MAX queued requests, oldest first; waits for one unless
 * stopping. Returns the chain (NULL: stop). */
static struct exec_req *take(struct exec *e, unsigned max)
{
	struct exec_req *first, *last;
	unsigned n = 1;

	pthread_mutex_lock(&e->lock);
	while (!e->head && !e->stop)
		pthread_cond_wait(&e->work, &e->lock);
	if (e->stop) {
		pthread_mutex_unlock(&e->lock);
		return NULL;
	}
	first = last = e->head;
	while (n < max && last->next) {
		last = last->next;
		n++;
	}
	e->head = last->next;
	if (!e->head)
		e->tail = NULL;
	last->next = NULL;
	e->depth -= n;
	pthread_cond_broadcast(&e->space);
	pthread_mutex_unlock(&e->lock);
	return first;
}

/* Run one COMPOUND into the scratch buffer and keep a copy of the reply
 * for after the commit. */
static void run_one(struct exec *e, struct exec_req *r, unsigned *nout)
{
	size_t len = server_compound_reply(e->srv, r->conn, &r->call,
					   e->scratch, e->scratch_cap);
	struct exec_reply *o = &e->out[*nout];

	o->buf = malloc(len ? len : 1);
	if (!o->buf)
		return; /* no reply: the client retransmits */
	memcpy(o->buf, e->scratch, len);
	o->len = len;
	o->t_arrive = r->t_arrive;
	o->conn = r->conn;
	xprt_conn_get(o->conn);
	(*nout)++;
}

static void send_all(struct exec *e, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct exec_reply *o = &e->out[i];
		struct iovec iov = { .iov_base = o->buf, .iov_len = o->len };

		if (xprt_send(o->conn, &iov, 1) < 0)
			log_debug("send to %s failed", o->conn->peer);
		metrics_observe(&e->srv->metrics.compound,
				metrics_lat_bounds_ns, METRICS_LAT_BUCKETS,
				metrics_now_ns() - o->t_arrive);
		xprt_conn_put(o->conn);
		free(o->buf);
	}
}

static void run_batch(struct exec *e, struct exec_req *chain)
{
	struct strata_server *srv = e->srv;
	unsigned nout = 0, nreq = 0;
	uint64_t t_commit;
	int rc;

	pthread_mutex_lock(&srv->state_lock);
	rc = ns_batch_begin(srv->ns);
	if (rc) { /* only one executor opens batches: cannot happen */
		log_err("exec: namespace batch: %s", strerror(-rc));
		abort();
	}
	while (chain) {
		struct exec_req *r = chain;
		chain = r->next;
		run_one(e, r, &nout);
		req_free(r);
		nreq++;
	}
	place_all(e);
	t_commit = metrics_now_ns();
	rc = ns_batch_end(srv->ns);
	pthread_mutex_unlock(&srv->state_lock);
	metrics_observe(&srv->metrics.commit, metrics_lat_bounds_ns,
			METRICS_LAT_BUCKETS, metrics_now_ns() - t_commit);
	metrics_observe(&srv->metrics.batch, metrics_batch_bounds,
			METRICS_BATCH_BUCKETS, nreq);
	if (rc) {
		/* The replies would report changes the disk does not hold. */
		log_err("exec: namespace commit failed (%s): stopping so that "
			"clients retry after a restart",
			strerror(-rc));
		abort();
	}
	send_all(e, nout);
}

static void *exec_main(void *arg)
{
	struct exec *e = arg;
	struct exec_req *chain;

	while ((chain = take(e, EXEC_BATCH_MAX)) != NULL)
		run_batch(e, chain);
	return NULL;
}

int exec_start(struct exec **out, struct strata_server *srv)
{
	struct exec *e = calloc(1, sizeof(*e));
	int rc;

	if (!e)
		return -ENOMEM;
	e->srv = srv;
	e->scratch_cap = RPC_REPLY_HDR_LEN + srv->cfg.max_msg;
	e->scratch = malloc(e->scratch_cap);
	if (!e->scratch) {
		free(e);
		return -ENOMEM;
	}
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->work, NULL);
	pthread_cond_init(&e->space, NULL);
	rc = pthread_create(&e->thread, NULL, exec_main, e);
	if (rc) {
		pthread_cond_destroy(&e->space);
		pthread_cond_destroy(&e->work);
		pthread_mutex_destroy(&e->lock);
		free(e->scratch);
		free(e);
		return -rc;
	}
	*out = e;
	return 0;
}

void exec_stop(struct exec *e)
{
	struct exec_req *r;

	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->stop = 1;
	pthread_cond_broadcast(&e->work);
	pthread_cond_broadcast(&e->space);
	pthread_mutex_unlock(&e->lock);
	pthread_join(e->thread, NULL);
	while ((r = e->head) != NULL) {
		e->head = r->next;
		req_free(r);
	}
	pthread_cond_destroy(&e->space);
	pthread_cond_destroy(&e->work);
	pthread_mutex_destroy(&e->lock);
	free(e->place);
	free(e->scratch);
	free(e);
}
