/*
 * nfsd/exec.c — see exec.h.
 */
#include "exec.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compound.h"
#include "subcompound.h"
#include "data.h"
#include "log.h"
#include "metrics.h"
#include "ns.h"
#include "orphan.h"
#include "peer_client.h"
#include "peer_delta.h"
#include "peer_prot.h"
#include "peer_svc.h"
#include "server.h"
#include "session.h"
#include "server_run.h"
#include "xprt.h"
#include "xtx_resolve.h"
#include "xtx_task.h"

/* A front's COMPOUND whose rest runs on other nodes (compound.h): it
 * waits for their answer outside the executor and comes back through
 * the queue to go on. */
struct exec_job {
	struct exec *e;
	struct compound_job cj;
	struct rpc_call call;   /* cj.c.call points here */
	uint8_t *msg;           /* owned; call.args points into it */
	uint8_t *buf;           /* owned: RPC reply header + COMPOUND4res */
	size_t cap;
	struct xprt_conn *conn; /* referenced */
	uint64_t t_arrive;
	int err;                /* the peer's answer (peer_client.h) */
	peer_compound_res *res;
	/* Sent, and the answer lost (the owner may have run it): sent again
	 * with retry set until the owner answers, or DEADLINE passes. */
	int retry;
	time_t deadline;
	struct exec_job *next_parked;
	/* Directory deltas its ops made: its reply waits for them
	 * (pnfs/peer_delta.h). */
	struct delta_waits waits;
};

struct exec_req {
	struct exec_req *next;
	struct xprt_conn *conn; /* referenced */
	uint8_t *msg;           /* owned; call.args points into it */
	struct rpc_call call;
	uint64_t t_arrive;      /* metrics_now_ns() at exec_submit() */
	struct exec_job *job;   /* a job coming back, or NULL */
	struct xtx_task *task;  /* a transaction's next step, or NULL */
};

struct exec_reply {
	struct xprt_conn *conn; /* referenced */
	uint8_t *buf;           /* owned */
	size_t len;
	uint64_t t_arrive;      /* of its request */
	struct delta_waits waits; /* held until these are applied */
	uint64_t until;         /* held: sent anyway after this (ns) */
	/* The session slot whose cached copy of this reply (after the RPC
	 * header) the deltas' change_info must reach too: a replay answers
	 * the bytes the first reply carried (RFC 8881 §2.10.6.1). */
	struct compound_ref slot;
	int has_slot;
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
	uint8_t *subres;  /* an owner's sub-compound results (peer_svc.h) */
	/* Reply buffers of finished jobs, for the next ones (scratch_cap
	 * bytes each: a malloc of that size per forwarded COMPOUND costs an
	 * mmap and its page faults). */
	uint8_t *spare[EXEC_BATCH_MAX];
	unsigned nspare;
	struct exec_reply out[EXEC_BATCH_MAX];
	uint64_t *place;   /* exec_defer_place() of this batch */
	size_t nplace, place_cap;
	struct exec_job *parked; /* waiting to be sent again (job_park) */
	time_t next_retry;
	/* Replies waiting for their directory deltas (pnfs/peer_delta.h). */
	struct exec_reply *held;
	size_t nheld, held_cap;
	int woken; /* under LOCK: an owner answered deltas (exec_wake) */
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
		/* Only files at generation 0 are deferred here
		 * (inode_place_data()). */
		int rc = all ? 0 : data_place(srv, f, 0);

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

/* Append R; with WAIT, first wait while the queue is full. */
static void enqueue(struct exec *e, struct exec_req *r, int wait)
{
	pthread_mutex_lock(&e->lock);
	while (wait && e->depth >= EXEC_QUEUE_MAX && !e->stop)
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

void exec_submit(struct exec *e, struct xprt_conn *conn, uint8_t *msg,
		 const struct rpc_call *call)
{
	struct exec_req *r = malloc(sizeof(*r));

	if (!r) {
		xprt_msg_free(conn, msg); /* the client retransmits */
		return;
	}
	xprt_conn_get(conn);
	r->next = NULL;
	r->conn = conn;
	r->msg = msg;
	r->call = *call;
	r->t_arrive = metrics_now_ns();
	r->job = NULL;
	r->task = NULL;
	enqueue(e, r, 1);
}

static void job_free(struct exec_job *j)
{
	if (j->res) {
		xdr_free((xdrproc_t)xdr_peer_compound_res, (char *)j->res);
		free(j->res);
	}
	xprt_msg_free(j->conn, j->msg); /* before the conn may go */
	xprt_conn_put(j->conn);
	free(j->buf);
	free(j);
}

/* A task dropped unfinished (stopping): its job goes unanswered. */
static void task_drop(struct xtx_task *t)
{
	struct exec_job *j = xtx_job(t);

	if (j)
		job_free(j);
	xtx_task_free(t);
}

static void req_free(struct exec_req *r)
{
	if (r->job)
		job_free(r->job);
	if (r->task)
		task_drop(r->task);
	xprt_msg_free(r->conn, r->msg); /* before the conn may go */
	if (r->conn)
		xprt_conn_put(r->conn);
	free(r);
}

/* Link thread (peer_client.h): the owner answered, or could not. Back
 * into the queue; the executor goes on with it in a batch. */
static void job_answered(void *ctx, int err, void *res)
{
	struct exec_job *j = ctx;
	struct exec *e = j->e;
	struct exec_req *r = calloc(1, sizeof(*r));

	j->err = err;
	j->res = res;
	if (!r) {
		job_free(j); /* no reply: the client retransmits */
		return;
	}
	r->job = j;
	enqueue(e, r, 0); /* never waits: a link thread must not block */
}

/* Link thread (xtx_task.h), or the executor: run task T's next step in
 * a later batch. */
static void task_wake(void *ctx, struct xtx_task *t)
{
	struct exec *e = ctx;
	struct exec_req *r = calloc(1, sizeof(*r));

	if (!r) {
		log_err("exec: no memory to go on with a transaction");
		return; /* its client retransmits; the resolver finishes it */
	}
	r->task = t;
	enqueue(e, r, 0); /* never waits: a link thread must not block */
}

/* Take up to MAX queued requests, oldest first; waits for one unless
 * stopping, or for a second (*IDLE set, NULL returned: leases are checked
 * without requests too, e.g. on a front whose clients went quiet).
 * Returns the chain (NULL: stop, or idle). */
static struct exec_req *take(struct exec *e, unsigned max, int *idle)
{
	struct exec_req *first, *last;
	unsigned n = 1;
	struct timespec until;

	*idle = 0;
	clock_gettime(CLOCK_REALTIME, &until);
	if (e->nheld) { /* replies wait for deltas: look again soon */
		until.tv_nsec += 50 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	} else {
		until.tv_sec += 1;
	}
	pthread_mutex_lock(&e->lock);
	while (!e->head && !e->stop && !*idle && !e->woken)
		*idle = pthread_cond_timedwait(&e->work, &e->lock, &until) ==
			ETIMEDOUT;
	if (e->woken && !e->head && !e->stop)
		*idle = 1; /* held replies to look at */
	e->woken = 0;
	if (e->stop || !e->head) {
		pthread_mutex_unlock(&e->lock);
		return NULL;
	}
	*idle = 0;
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

static void send_all(struct exec *e, unsigned n);

/* A reply to send after the commit: BUF (owned, LEN bytes) to CONN, once
 * the directory deltas in WAITS (may be NULL) were applied. */
static void keep_reply(struct exec *e, struct xprt_conn *conn, uint8_t *buf,
		       size_t len, uint64_t t_arrive,
		       const struct delta_waits *waits, unsigned *nout)
{
	struct exec_reply *o = &e->out[*nout];

	memset(o, 0, sizeof(*o));
	o->buf = buf;
	o->len = len;
	o->t_arrive = t_arrive;
	o->conn = conn;
	if (waits)
		o->waits = *waits;
	xprt_conn_get(conn);
	(*nout)++;
}

/* The reply is copied out (it is short); the buffer goes back to the
 * spares. */
static void job_done(struct exec *e, struct exec_job *j, size_t len,
		     unsigned *nout)
{
	uint8_t *copy = malloc(RPC_REPLY_HDR_LEN + len);

	if (copy) {
		rpc_reply_accepted(j->buf, j->call.xid, ACCEPT_SUCCESS);
		memcpy(copy, j->buf, RPC_REPLY_HDR_LEN + len);
		keep_reply(e, j->conn, copy, RPC_REPLY_HDR_LEN + len,
			   j->t_arrive, &j->waits, nout);
		if (j->cj.has_session && j->cj.c.cachethis) {
			e->out[*nout - 1].slot = j->cj.c.ref;
			e->out[*nout - 1].has_slot = 1;
		}
	}
	if (e->nspare < EXEC_BATCH_MAX) {
		e->spare[e->nspare++] = j->buf;
		j->buf = NULL;
	}
	job_free(j);
}

/* Send J's rest to its owner; J is the link's until job_answered(). */
static void job_forward(struct exec *e, struct exec_job *j, unsigned *nout)
{
	peer_compound_args a;
	int ok;

	j->e = e;
	ok = compound_sub_args(&j->cj, &a) == 0 && e->srv->peers;
	if (ok) {
		a.retry = j->retry ? TRUE : FALSE;
		ok = peer_call(e->srv->peers, j->cj.stop.node, PEER_COMPOUND,
			       (xdrproc_t)xdr_peer_compound_args, &a,
			       (xdrproc_t)xdr_peer_compound_res,
			       sizeof(peer_compound_res), job_answered,
			       j) == 0;
	}
	if (ok) {
		atomic_fetch_add(&e->srv->metrics.subs_sent, 1);
		return;
	}
	/* RFC 8881 §15.1.1.3: the client retries after a while. */
	log_debug("forward to node %u: not sent", j->cj.stop.node);
	job_done(e, j, compound_fail(&j->cj, NFS4ERR_DELAY), nout);
}

/* J was sent and its answer lost (the connection dropped, or it timed
 * out), or it is being sent again and the owner is still out of reach:
 * the owner may have run it. Answering NFS4ERR_DELAY would make the
 * client send it again as a new request, which the owner would run
 * again (a CREATE would come back EXIST). So J waits, its slot in use,
 * and is sent again with retry set: the owner answers from the record it
 * kept if it ran J (peer_svc.c), or runs it now. */
static int job_answer_lost(const struct exec_job *j)
{
	return j->err == -EPIPE || j->err == -ETIMEDOUT ||
	       (j->retry && (j->err == -EHOSTDOWN ||
			     (j->res && j->res->stat == PEER_EAUTH)));
}

static void job_park(struct exec *e, struct exec_job *j)
{
	struct strata_server *srv = e->srv;

	if (!j->retry) {
		j->retry = 1;
		j->deadline = server_now() + srv->cfg.lease_time +
			      srv->cfg.grace_time;
		log_info("forward to node %u: answer lost (%s): sending it "
			 "again until the node answers (%u s at most)",
			 j->cj.stop.node, strerror(-j->err),
			 srv->cfg.lease_time + srv->cfg.grace_time);
	}
	if (j->res) {
		xdr_free((xdrproc_t)xdr_peer_compound_res, (char *)j->res);
		free(j->res);
		j->res = NULL;
	}
	j->err = 0;
	j->next_parked = e->parked;
	e->parked = j;
}

/* Once a second: send the parked jobs again (at most a batch's worth),
 * or give up on those past their deadline with NFS4ERR_IO: whether the
 * owner ran them is unknown, and an error is better than a wrong answer. */
static void retry_parked(struct exec *e)
{
	struct strata_server *srv = e->srv;
	time_t now = server_now();
	struct exec_job *list, *keep = NULL;
	unsigned nout = 0;

	if (!e->parked || now < e->next_retry)
		return;
	e->next_retry = now + 1;
	list = e->parked;
	e->parked = NULL;
	pthread_mutex_lock(&srv->state_lock);
	while (list) {
		struct exec_job *j = list;

		list = j->next_parked;
		if (nout >= EXEC_BATCH_MAX) {
			j->next_parked = keep;
			keep = j;
		} else if (now >= j->deadline) {
			log_warn("forward to node %u: no answer in time: "
				 "NFS4ERR_IO", j->cj.stop.node);
			job_done(e, j, compound_fail(&j->cj, NFS4ERR_IO),
				 &nout);
		} else {
			compound_job_refind(&j->cj);
			job_forward(e, j, &nout);
		}
	}
	pthread_mutex_unlock(&srv->state_lock);
	while (keep) {
		struct exec_job *j = keep;

		keep = j->next_parked;
		j->next_parked = e->parked;
		e->parked = j;
	}
	send_all(e, nout);
}

static void job_xtx(struct exec *e, struct exec_job *j, unsigned *nout);

/* J after a step of its COMPOUND: RC says what comes next. */
static void job_next(struct exec *e, struct exec_job *j, int rc, size_t len,
		     unsigned *nout)
{
	if (rc == COMPOUND_FORWARD)
		job_forward(e, j, nout);
	else if (rc == COMPOUND_XTX)
		job_xtx(e, j, nout);
	else
		job_done(e, j, len, nout);
}

/* Run task T's step; at its end, J (if any) goes on with the op's
 * result. */
static void task_run(struct exec *e, struct xtx_task *t, unsigned *nout)
{
	struct exec_job *j;
	const uint8_t *res;
	size_t n, consumed, len = 0;
	nfsstat4 st;
	int rc = COMPOUND_DONE;

	switch (xtx_step(t)) {
	case XTX_WAIT:
		return;
	case XTX_AGAIN:
		task_wake(e, t);
		return;
	default:
		break;
	}
	j = xtx_job(t);
	if (j) {
		st = xtx_result(t, &res, &n, &consumed);
		if (n)
			rc = compound_resume_op(&j->cj, st, res, n, consumed,
						&len);
		else
			len = compound_fail(&j->cj, st);
		delta_ship_take(e->srv->deltas, &j->waits, RPC_REPLY_HDR_LEN);
		job_next(e, j, rc, len, nout);
	}
	xtx_task_free(t);
}

/* J stopped before a RENAME or REMOVE that touches other nodes'
 * partitions: this front coordinates it (xtx_task.h). */
static void job_xtx(struct exec *e, struct exec_job *j, unsigned *nout)
{
	const struct rpc_call *call = j->cj.c.call;
	size_t at = j->cj.stop.in_pos;
	struct xtx_task *t;
	nfsstat4 st;

	j->e = e;
	t = xtx_task_op(e->srv, &j->cj.c, call->args + at,
			call->args_len - at, j, task_wake, e, &st);
	if (!t) {
		j->cj.c.xtx = 0;
		job_done(e, j, compound_fail(&j->cj, st), nout);
		return;
	}
	task_run(e, t, nout);
}

/* Its owner answered J (or could not be reached): go on. */
static void job_resume(struct exec *e, struct exec_job *j, unsigned *nout)
{
	size_t len = 0;
	int rc = COMPOUND_DONE;

	if (job_answer_lost(j)) {
		job_park(e, j);
		return;
	}
	if (j->err || !j->res || j->res->stat != PEER_OK) {
		if (j->err != -ESHUTDOWN)
			log_debug("forward to node %u: %s", j->cj.stop.node,
				  j->err ? strerror(-j->err) : "refused");
		len = compound_fail(&j->cj, NFS4ERR_DELAY);
	} else {
		rc = compound_resume(&j->cj, &j->res->peer_compound_res_u.ok,
				     &len);
		delta_ship_take(e->srv->deltas, &j->waits, RPC_REPLY_HDR_LEN);
	}
	if (j->res) {
		xdr_free((xdrproc_t)xdr_peer_compound_res, (char *)j->res);
		free(j->res);
		j->res = NULL;
	}
	job_next(e, j, rc, len, nout);
}

/* A front's COMPOUND in a cluster: it may stop at an op another node
 * owns (compound_begin). The request's message moves into the job. */
static void run_front(struct exec *e, struct exec_req *r, unsigned *nout)
{
	struct strata_server *srv = e->srv;
	struct exec_job *j = calloc(1, sizeof(*j));
	size_t len = 0;
	int garbage = 0, rc;

	if (j)
		j->buf = e->nspare ? e->spare[--e->nspare]
				   : malloc(e->scratch_cap);
	if (!j || !j->buf) {
		free(j);
		return; /* the client retransmits */
	}
	j->cap = e->scratch_cap;
	j->call = r->call;
	j->msg = r->msg;
	r->msg = NULL;
	j->conn = r->conn;
	xprt_conn_get(j->conn);
	j->t_arrive = r->t_arrive;
	client_expire(srv);
	rc = compound_begin(&j->cj, srv, j->conn, &j->call,
			    j->buf + RPC_REPLY_HDR_LEN,
			    j->cap - RPC_REPLY_HDR_LEN, &len, &garbage);
	delta_ship_take(srv->deltas, &j->waits, RPC_REPLY_HDR_LEN);
	if (garbage) {
		rpc_reply_accepted(j->buf, j->call.xid, ACCEPT_GARBAGE_ARGS);
		keep_reply(e, j->conn, j->buf, RPC_REPLY_HDR_LEN, j->t_arrive,
			   NULL, nout);
		j->buf = NULL;
		job_free(j);
	} else {
		job_next(e, j, rc, len, nout);
	}
}

/* Run one request into the scratch buffer and keep a copy of the reply
 * for after the commit: a COMPOUND of a client, a sub-compound of
 * another node (peer_svc.h), or a front's COMPOUND coming back. */
static void run_one(struct exec *e, struct exec_req *r, unsigned *nout)
{
	size_t len, results_at = 0;
	struct exec_reply *o = &e->out[*nout];

	if (r->job) {
		struct exec_job *j = r->job;
		r->job = NULL;
		job_resume(e, j, nout);
		return;
	}
	if (r->task) {
		struct xtx_task *t = r->task;
		r->task = NULL;
		task_run(e, t, nout);
		return;
	}
	if (r->call.prog == STRATA_PEER_PROG) {
		len = peer_svc_reply(e->srv, r->conn, &r->call, e->scratch,
				     e->scratch_cap, e->subres,
				     e->srv->cfg.max_msg, &results_at);
	} else if (!e->srv->owns_all) {
		run_front(e, r, nout);
		return;
	} else {
		len = server_compound_reply(e->srv, r->conn, &r->call,
					    e->scratch, e->scratch_cap);
	}

	o->buf = malloc(len ? len : 1);
	if (!o->buf)
		return; /* no reply: the client retransmits */
	memcpy(o->buf, e->scratch, len);
	o->len = len;
	o->t_arrive = r->t_arrive;
	o->conn = r->conn;
	memset(&o->waits, 0, sizeof(o->waits));
	delta_ship_take(e->srv->deltas, &o->waits, results_at);
	xprt_conn_get(o->conn);
	(*nout)++;
}

/* The change_info the deltas patched into O's reply goes into the copy
 * its slot cached when the COMPOUND finished (compound_loop_finish), if
 * the slot still holds that reply; else a replay would answer the
 * "not atomic, zeros" the owner first wrote (seen: pynfs SEQ9b through a
 * front). Takes state_lock. */
static void recache_patched(struct exec *e, const struct exec_reply *o)
{
	struct strata_server *srv = e->srv;
	struct nfs_session *s;
	struct nfs_slot *slot;

	if (!o->has_slot || !o->waits.n || o->len < RPC_REPLY_HDR_LEN)
		return;
	pthread_mutex_lock(&srv->state_lock);
	s = session_find(srv, (const char *)o->slot.session);
	slot = s && o->slot.slot < s->fore.ca_maxrequests
		       ? &s->slots[o->slot.slot]
		       : NULL;
	if (slot && slot->cached && !slot->in_use &&
	    slot->seqid == o->slot.seqid &&
	    slot->reply_len == o->len - RPC_REPLY_HDR_LEN)
		memcpy(slot->reply, o->buf + RPC_REPLY_HDR_LEN,
		       slot->reply_len);
	pthread_mutex_unlock(&srv->state_lock);
}

static void send_one(struct exec *e, struct exec_reply *o)
{
	struct iovec iov = { .iov_base = o->buf, .iov_len = o->len };

	delta_ship_patch(e->srv->deltas, &o->waits, o->buf, o->len);
	recache_patched(e, o);
	if (xprt_send(o->conn, &iov, 1) < 0)
		log_debug("send to %s failed", o->conn->peer);
	metrics_observe(&e->srv->metrics.compound, metrics_lat_bounds_ns,
			METRICS_LAT_BUCKETS, metrics_now_ns() - o->t_arrive);
	xprt_conn_put(o->conn);
	free(o->buf);
}

/* O waits for directory deltas: keep it (a copy) until they are applied
 * or DELTA_WAIT_MS passed. 0, or -ENOMEM (then it is sent now). */
static int hold(struct exec *e, const struct exec_reply *o)
{
	if (e->nheld == e->held_cap) {
		size_t cap = e->held_cap ? 2 * e->held_cap : 16;
		struct exec_reply *h = realloc(e->held, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		e->held = h;
		e->held_cap = cap;
	}
	e->held[e->nheld] = *o;
	e->held[e->nheld].until =
		metrics_now_ns() + (uint64_t)DELTA_WAIT_MS * 1000000u;
	e->nheld++;
	return 0;
}

/* Send the held replies whose deltas were applied, or that waited long
 * enough (the directory's owner is slow or down: the change_info says
 * "not atomic" anyway, and the delta goes on being sent). */
static void release_held(struct exec *e)
{
	uint64_t now = e->nheld ? metrics_now_ns() : 0;
	size_t k = 0;

	for (size_t i = 0; i < e->nheld; i++) {
		struct exec_reply *o = &e->held[i];

		if (delta_ship_done(e->srv->deltas, &o->waits) ||
		    now >= o->until) {
			if (now >= o->until)
				log_debug("reply sent before its directory "
					  "deltas were applied");
			send_one(e, o);
		} else {
			e->held[k++] = *o;
		}
	}
	e->nheld = k;
}

static void send_all(struct exec *e, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct exec_reply *o = &e->out[i];

		if (delta_ship_done(e->srv->deltas, &o->waits) || hold(e, o))
			send_one(e, o);
	}
}

void exec_wake(struct exec *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->woken = 1;
	pthread_cond_signal(&e->work);
	pthread_mutex_unlock(&e->lock);
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
	delta_ship_trim(srv);
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
	if (srv->failpoint_exit) {
		log_warn("failpoint: exiting after the commit, "
			 "before %u repl%s", nout, nout == 1 ? "y" : "ies");
		_exit(137);
	}
	send_all(e, nout);
	delta_ship_send(srv);
	release_held(e);
}

/* Once a second at most: a task for the transaction records a crash or
 * a lost call left here (xtx_resolve.h); it runs in the next batch. */
static void resolve_tick(struct exec *e)
{
	struct strata_server *srv = e->srv;
	struct xtx_task *t;

	if (!srv->xtx_res)
		return;
	pthread_mutex_lock(&srv->state_lock);
	t = xtx_resolve_tick(srv, srv->xtx_res, server_now(), task_wake, e);
	pthread_mutex_unlock(&srv->state_lock);
	if (t)
		task_wake(e, t);
}

static void *exec_main(void *arg)
{
	struct exec *e = arg;
	struct exec_req *chain;
	int idle;

	for (;;) {
		chain = take(e, EXEC_BATCH_MAX, &idle);
		if (chain) {
			run_batch(e, chain);
		} else if (idle) {
			pthread_mutex_lock(&e->srv->state_lock);
			client_expire(e->srv);
			pthread_mutex_unlock(&e->srv->state_lock);
			delta_ship_send(e->srv);
			release_held(e);
		} else {
			break;
		}
		retry_parked(e);
		resolve_tick(e);
	}
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
	e->subres = malloc(srv->cfg.max_msg);
	if (!e->scratch || !e->subres) {
		free(e->subres);
		free(e->scratch);
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
	while (e->parked) {
		struct exec_job *j = e->parked;

		e->parked = j->next_parked;
		job_free(j);
	}
	for (size_t i = 0; i < e->nheld; i++) { /* unanswered, as queued */
		xprt_conn_put(e->held[i].conn);
		free(e->held[i].buf);
	}
	free(e->held);
	pthread_cond_destroy(&e->space);
	pthread_cond_destroy(&e->work);
	pthread_mutex_destroy(&e->lock);
	free(e->place);
	while (e->nspare)
		free(e->spare[--e->nspare]);
	free(e->subres);
	free(e->scratch);
	free(e);
}
