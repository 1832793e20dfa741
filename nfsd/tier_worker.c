/* nfsd/tier_worker.c — see tier_worker.h. */
#include "tier_worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmap.h"
#include "log.h"
#include "ns_tier.h"
#include "orphan.h"
#include "server.h"
#include "tier_backend.h"
#include "tier_auto.h"
#include "tier_heat.h"
#include "tier_ds.h"
#include "tier_failstep.h"
#include "tier_gc.h"
#include "tier_job.h"

/* A submitter waiting for its request's result, on its stack; woken by
 * its own condition variable (with --parallel N control connections
 * waiting, a broadcast per finished step would wake all of them). */
struct tier_wait {
	pthread_cond_t cond;
	int done;
	int rc;
	char msg[TIER_MSG_MAX];
};

/* One of the worker's threads: index 0 is the lead (recovery, drains,
 * the policy, the orphan collector, and steps), the others run steps. */
struct tier_thread {
	struct tier_worker *w;
	unsigned idx;
	pthread_t tid;
};

struct tier_worker {
	struct strata_server *srv;
	struct tier_backend *backend;
	struct tier_engine engine;
	/* The recalls running and their parts back (tiering/tier_parts.h,
	 * own lock): engine.parts; and the engine the executor's reads of
	 * them go through (the data servers unwrapped by the failpoint,
	 * which counts the tier thread's steps only). */
	struct tier_parts *parts;
	struct tier_engine reader;
	char prefix[128];
	struct tier_thread threads[TIER_WORKERS_MAX];
	unsigned nthreads, nstarted;
	pthread_mutex_t lock; /* everything below */
	pthread_cond_t cond;  /* work for a thread; a step ended (waiters
				 have their own, struct tier_wait) */
	struct tier_queue queue; /* requests, and the files wanted */
	/* popped, being served, per thread */
	const struct tier_req *running[TIER_WORKERS_MAX];
	unsigned busy;  /* steps running */
	int exclusive;  /* a drain or collector pass runs alone: no step
			   starts, it waits for busy == 0 */
	int recovered;  /* the lead's recovery is done: steps may run */
	struct tier_worker_stats stats;
	int stop;
	struct tier_auto *autop; /* the policy, NULL without one; its own
				    locking (tier_auto.h) */
	/* Files whose recall has failed since (the first failure, seconds),
	 * forgotten when one succeeds: the stuck hook. Own mutex. */
	struct tier_heat *failing;
	int64_t recall_timeout;
	/* The orphan collector (tiering/tier_gc.h): tier thread only. */
	struct tier_gc_seen gc_seen;
	int64_t gc_next, gc_interval, gc_grace;
	/* The failpoint tier-step (tests only, tier_failstep.h), or NULL. */
	struct tier_failstep *failstep;
};

const char *tier_worker_prefix(const struct strata_config *cfg)
{
	return cfg->tier_prefix[0] ? cfg->tier_prefix : TIER_PREFIX_DEFAULT;
}

/* ---- the backend ----------------------------------------------------- */

static void log_hook(void *arg, int level, const char *line)
{
	(void)arg;
	strata_log(level, "tier: %s", line);
}

/* Fill TC from the server's configuration: "dir:PATH" or
 * "s3:ENDPOINT/BUCKET" (config.c checked the form). ENDPOINT is a buffer
 * of CAP bytes the s3 endpoint is cut into. */
static int backend_config(const struct strata_config *cfg,
			  struct tier_config *tc, char *endpoint, size_t cap)
{
	const char *spec = cfg->tier, *slash;

	tier_config_defaults(tc);
	tc->log = log_hook;
	if (!strncmp(spec, "dir:", 4)) {
		tc->kind = TIER_KIND_DIR;
		tc->dir = spec + 4;
		return 0;
	}
	slash = strrchr(spec, '/');
	if (strncmp(spec, "s3:", 3) || !slash ||
	    (size_t)(slash - spec - 3) >= cap)
		return -EINVAL;
	memcpy(endpoint, spec + 3, (size_t)(slash - spec - 3));
	endpoint[slash - spec - 3] = 0;
	tc->kind = TIER_KIND_S3;
	tc->endpoint = endpoint;
	tc->bucket = slash + 1;
	if (cfg->tier_region[0])
		tc->region = cfg->tier_region;
	tc->credentials_file =
		cfg->tier_credentials[0] ? cfg->tier_credentials : NULL;
	tc->ca_file = cfg->tier_ca_file[0] ? cfg->tier_ca_file : NULL;
	return 0;
}

static int open_backend(struct tier_worker *w)
{
	const struct strata_config *cfg = &w->srv->cfg;
	struct tier_config tc;
	struct tier_status st;
	char endpoint[4096];
	int rc;

	memset(&st, 0, sizeof(st));
	rc = backend_config(cfg, &tc, endpoint, sizeof(endpoint));
	if (rc == 0)
		rc = tier_open(&tc, &w->backend, &st);
	if (rc < 0)
		log_err("tier %s: cannot open: %s (%s)", cfg->tier,
			strerror(-rc), st.msg);
	return rc;
}

/* ---- the engine's hooks ---------------------------------------------- */

/* A file unlinked while still open keeps its object (decision 0018). */
static int keep_open(void *arg, uint64_t fileid)
{
	struct strata_server *srv = arg;
	int held;

	pthread_mutex_lock(&srv->state_lock);
	held = orphan_find(srv, fileid) != NULL;
	pthread_mutex_unlock(&srv->state_lock);
	return held;
}

/* Several owners share the object store: the orphan collector judges only
 * the objects of this node's files (decision 0037). Pure: the map is
 * fixed while the server runs. */
static int owned_here(void *arg, uint64_t fileid)
{
	const struct strata_server *srv = arg;

	return cmap_fileid_owner(srv->cmap, fileid) == srv->node;
}

/* ---- the queue --------------------------------------------------------- */

/* The next request for thread IDX, of a file with no step running
 * (tier_queue_pop_idle), counted busy; NULL when stopping. The lead
 * (IDX 0) gets NULL too after waiting up to TIER_DRAIN_S seconds (less
 * when the policy or the collector is due sooner), so it can drain; the
 * others wait for a request. Under w->lock. */
static struct tier_req *take(struct tier_worker *w, unsigned idx)
{
	struct tier_req *r = NULL;

	if (!w->stop && w->recovered && !w->exclusive)
		r = tier_queue_pop_idle(&w->queue);
	if (r) {
		w->busy++;
		w->running[idx] = r;
	}
	return r;
}

static struct tier_req *dequeue(struct tier_worker *w, unsigned idx)
{
	struct tier_req *r = NULL;
	struct timespec until;

	while (idx != 0 && !w->stop && !(r = take(w, idx)))
		pthread_cond_wait(&w->cond, &w->lock);
	if (idx != 0)
		return w->stop ? NULL : r;
	if (!(r = take(w, idx)) && !w->stop) {
		int64_t wait = TIER_DRAIN_S;

		int64_t gc = w->gc_next - (int64_t)time(NULL);

		if (w->autop) {
			int64_t due = tier_auto_wait(w->autop, time(NULL));

			wait = due < wait ? due : wait;
		}
		wait = gc < wait ? (gc > 0 ? gc : 0) : wait;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait;
		pthread_cond_timedwait(&w->cond, &w->lock, &until);
		r = take(w, idx);
	}
	return r;
}

/* Run alone from here to exclusive_end(): wait for any other thread's
 * turn alone and for every running step to end; no step starts
 * meanwhile. The caller runs no step itself. Called without w->lock. */
static void exclusive_begin(struct tier_worker *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->exclusive)
		pthread_cond_wait(&w->cond, &w->lock);
	w->exclusive = 1;
	while (w->busy)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

static void exclusive_end(struct tier_worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->exclusive = 0;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* R (popped) has ended: answer its waiter (if any) and free R. Under
 * w->lock. */
static void finish(struct tier_worker *w, struct tier_req *r, int rc,
		   const char *msg)
{
	tier_queue_done(&w->queue, r);
	if (r->waiter) {
		r->waiter->rc = rc;
		snprintf(r->waiter->msg, sizeof(r->waiter->msg), "%s",
			 msg ? msg : "");
		r->waiter->done = 1;
		pthread_cond_signal(&r->waiter->cond);
	}
	/* a file no longer busy, one step fewer */
	pthread_cond_broadcast(&w->cond);
	free(r);
}

/* ---- the thread -------------------------------------------------------- */

static const char *op_name(enum tier_req_op op)
{
	return op == TIER_REQ_OFFLOAD   ? "offload"
	       : op == TIER_REQ_RELEASE ? "release"
					: "recall";
}

/* Run one request on the engine: 0 or -errno (above); -EALREADY of a
 * recall is the caller's to read as done. */
static int run(struct tier_worker *w, const struct tier_req *r,
	       struct tier_status *st)
{
	int committed = 0, rc;

	switch (r->op) {
	case TIER_REQ_OFFLOAD:
		rc = tier_offload(&w->engine, r->fileid, &committed, st);
		return rc == 0 && !committed ? -EAGAIN : rc;
	case TIER_REQ_RELEASE:
		return tier_release(&w->engine, r->fileid, st);
	case TIER_REQ_RECALL:
		return tier_recall(&w->engine, r->fileid, st);
	}
	return -EINVAL;
}

/* Not concurrent with any step: recovery's, or inside exclusive_begin(). */
static void drain(struct tier_worker *w)
{
	struct tier_status st;
	size_t deleted = 0, freed = 0;
	int rc;

	memset(&st, 0, sizeof(st));
	rc = tier_drain(&w->engine, &deleted, &freed, &st);
	if (rc < 0)
		log_warn("tier: drain: %s (%s); retried in %d s",
			 strerror(-rc), st.msg, TIER_DRAIN_S);
	else if (deleted || freed)
		log_info("tier: drain: %zu objects deleted, %zu copies freed",
			 deleted, freed);
	pthread_mutex_lock(&w->lock);
	w->stats.drains++;
	w->stats.drain_failures += rc < 0;
	w->stats.deleted += deleted;
	w->stats.freed += freed;
	w->stats.last_drain = (int64_t)time(NULL);
	w->stats.last_drain_rc = rc < 0 ? rc : 0;
	w->stats.last_deleted = deleted;
	w->stats.last_freed = freed;
	pthread_mutex_unlock(&w->lock);
}

/* At start, before any request: jobs a crash left are given up, then
 * what they and earlier steps left is drained. */
static void recover(struct tier_worker *w)
{
	struct tier_status st;
	size_t n = 0;
	int rc;

	memset(&st, 0, sizeof(st));
	rc = tier_recover(&w->engine, &n, &st);
	if (rc < 0)
		log_err("tier: recovery: %s (%s)", strerror(-rc), st.msg);
	else
		log_info("tier: recovery: %zu jobs given up", n);
	pthread_mutex_lock(&w->lock);
	w->stats.recovered = n;
	pthread_mutex_unlock(&w->lock);
	drain(w);
}

/* A step that answered -EALREADY found the file where it takes it: an
 * offload a file with a verified object (BOTH or OFFLOADED), a release
 * a file already OFFLOADED, a recall one not OFFLOADED (any more: its
 * data is back). An operator's `strata tier offload` of a BOTH file is
 * then done, not an error. A release of a LOCAL file stays one: there
 * is no object to release to. */
static int already_there(struct tier_worker *w, const struct tier_req *r)
{
	struct ns_inode ino;

	if (ns_getattr(w->srv->ns, r->fileid, &ino) < 0)
		return 0;
	switch (r->op) {
	case TIER_REQ_OFFLOAD:
		return ino.residency != NS_RES_LOCAL;
	case TIER_REQ_RELEASE:
		return ino.residency == NS_RES_OFFLOADED;
	case TIER_REQ_RECALL:
		return ino.residency != NS_RES_OFFLOADED;
	}
	return 0;
}

/* The object bytes R's step moved, once it succeeded: an offload's
 * object as committed (or, if a write dropped it meanwhile, the file's
 * size before the step, SIZE0); a recall's object, read before the step
 * (OBJ0). */
static uint64_t moved(struct tier_worker *w, const struct tier_req *r,
		      uint64_t size0, uint64_t obj0)
{
	struct ns_tier_obj obj;

	if (r->op == TIER_REQ_RECALL)
		return obj0;
	if (r->op != TIER_REQ_OFFLOAD)
		return 0;
	return ns_tier_obj_get(w->srv->ns, r->fileid, &obj) == 0 ? obj.size
								 : size0;
}

/* Count R's end: RC 0 or -errno, NOTHING a recall with nothing to do,
 * BYTES what it moved. Under w->lock. */
static void count(struct tier_worker *w, const struct tier_req *r, int rc,
		  int nothing, uint64_t bytes)
{
	struct tier_worker_stats *s = &w->stats;

	if (rc < 0) {
		s->failed[r->op - 1]++;
		return;
	}
	if (nothing) {
		s->recalls_nothing += r->op == TIER_REQ_RECALL;
		return;
	}
	s->done[r->op - 1]++;
	if (r->op == TIER_REQ_OFFLOAD)
		s->bytes_up += bytes;
	else if (r->op == TIER_REQ_RECALL)
		s->bytes_down += bytes;
}

/* A recall of FILEID ended with RC: the first of a run of failures is
 * remembered, a success forgets it (tier_worker_recall_stuck). */
static void note_recall(struct tier_worker *w, uint64_t fileid, int rc)
{
	if (rc == 0)
		tier_heat_forget(w->failing, fileid);
	else if (rc != -ECANCELED && tier_heat_last(w->failing, fileid) == 0)
		tier_heat_touch(w->failing, fileid, (int64_t)time(NULL));
}

/* Serve R, taken by thread IDX (counted busy by take()). */
static void serve(struct tier_worker *w, struct tier_req *r, unsigned idx)
{
	struct tier_status st;
	struct ns_inode ino;
	struct ns_tier_obj obj;
	uint64_t t0 = metrics_now_ns(), size0 = 0, obj0 = 0, bytes = 0;
	int rc, nothing = 0;

	if (r->op == TIER_REQ_OFFLOAD &&
	    ns_getattr(w->srv->ns, r->fileid, &ino) == 0)
		size0 = ino.size;
	if (r->op == TIER_REQ_RECALL &&
	    ns_tier_obj_get(w->srv->ns, r->fileid, &obj) == 0)
		obj0 = obj.size;
	memset(&st, 0, sizeof(st));
	tier_failstep_begin(w->failstep, op_name(r->op), r->fileid);
	rc = run(w, r, &st);
	tier_failstep_end(w->failstep);
	if (rc == -EALREADY && already_there(w, r)) {
		log_info("tier: %s of fileid %llx: already %s, nothing to do",
			 op_name(r->op), (unsigned long long)r->fileid,
			 r->op == TIER_REQ_RECALL ? "back" : "done");
		rc = 0;
		nothing = 1;
	} else if (rc < 0)
		log_warn("tier: %s of fileid %llx: %s (%s)", op_name(r->op),
			 (unsigned long long)r->fileid, strerror(-rc), st.msg);
	else if (rc == 0)
		log_info("tier: %s of fileid %llx done in %llu ms",
			 op_name(r->op), (unsigned long long)r->fileid,
			 (unsigned long long)((metrics_now_ns() - t0) /
					      1000000));
	if (rc == 0 && !nothing)
		bytes = moved(w, r, size0, obj0);
	/* a recall makes the file BOTH again: its retention starts over
	 * (tier_policy.h), or the next pass would release it at once */
	if (rc == 0 && (r->op == TIER_REQ_OFFLOAD || r->op == TIER_REQ_RECALL) &&
	    w->autop)
		tier_auto_became_both(w->autop, r->fileid, time(NULL));
	if (r->op == TIER_REQ_RECALL)
		note_recall(w, r->fileid, rc);
	pthread_mutex_lock(&w->lock);
	w->busy--;
	/* a thread in exclusive_begin() may be waiting for busy == 0; not
	 * waking it here deadlocks with a failed step that now waits for
	 * that thread's turn alone to end */
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (rc < 0) {
		/* An aborted job leaves records to drain, before the waiter
		 * hears of it; R's file stays busy meanwhile. */
		exclusive_begin(w);
		drain(w);
		exclusive_end(w);
	}
	pthread_mutex_lock(&w->lock);
	count(w, r, rc, nothing, bytes);
	w->running[idx] = NULL;
	finish(w, r, rc, rc < 0 ? st.msg : NULL);
	pthread_mutex_unlock(&w->lock);
}

/* Drain when the last drain is TIER_DRAIN_S old, also between requests
 * (a steady stream of them never lets the queue's wait time out). Called
 * without w->lock. */
static void drain_if_due(struct tier_worker *w, time_t *last)
{
	if (server_now() - *last < TIER_DRAIN_S)
		return;
	exclusive_begin(w);
	drain(w);
	exclusive_end(w);
	*last = server_now();
}

/* The policy's pass when due: what it picks is queued like a manual
 * step, without a waiter (decision 0032). Called without w->lock. */
static void policy_if_due(struct tier_worker *w)
{
	struct tier_scan_result r;
	int64_t now = time(NULL);

	if (!w->autop || tier_auto_wait(w->autop, now) > 0)
		return;
	if (tier_auto_pass(w->autop, now, &r) < 0)
		return;
	for (size_t i = 0; i < r.noffload; i++)
		(void)tier_worker_submit(w, r.offload[i], TIER_REQ_OFFLOAD, 0,
					 NULL, 0);
	for (size_t i = 0; i < r.nrelease; i++)
		(void)tier_worker_submit(w, r.release[i], TIER_REQ_RELEASE, 0,
					 NULL, 0);
	tier_scan_result_free(&r);
}

/* The orphan collector's pass when due (decision 0032): objects nothing
 * refers to, seen so for gc_grace seconds, are deleted; it fails closed
 * (an error while listing deletes nothing). Called without w->lock. */
static void gc_if_due(struct tier_worker *w)
{
	struct tier_gc_report rep;
	struct tier_status st;
	int64_t now = time(NULL);
	int rc;

	if (now < w->gc_next)
		return;
	w->gc_next = now + w->gc_interval;
	memset(&rep, 0, sizeof(rep));
	memset(&st, 0, sizeof(st));
	/* alone: an object being uploaded is referred to by nothing yet */
	exclusive_begin(w);
	rc = tier_gc_pass(&w->engine, &w->gc_seen, now, w->gc_grace, 0, &rep,
			  &st);
	exclusive_end(w);
	if (rc < 0)
		log_warn("tier: orphan collector: %s (%s); nothing deleted",
			 strerror(-rc), st.msg);
	else if (rep.orphans || rep.delete_errors || rep.upload_orphans)
		log_info("tier: orphan collector: %zu objects listed, %zu "
			 "orphans (%zu younger than %lld s), %zu deleted, %zu "
			 "delete errors; %zu unfinished uploads, %zu orphaned, "
			 "%zu aborted, %zu abort errors", rep.listed,
			 rep.orphans, rep.young, (long long)w->gc_grace,
			 rep.deleted, rep.delete_errors, rep.uploads,
			 rep.upload_orphans, rep.aborted, rep.abort_errors);
}

/* The lead thread: recovery before any step, then steps, drains, the
 * policy and the collector. */
static void *tier_lead(struct tier_worker *w)
{
	struct tier_req *r;
	time_t last;

	recover(w);
	last = server_now();
	pthread_mutex_lock(&w->lock);
	w->recovered = 1;
	pthread_cond_broadcast(&w->cond);
	while (!w->stop) {
		r = dequeue(w, 0);
		pthread_mutex_unlock(&w->lock);
		if (r)
			serve(w, r, 0);
		pthread_mutex_lock(&w->lock);
		if (w->stop)
			break;
		pthread_mutex_unlock(&w->lock);
		drain_if_due(w, &last);
		policy_if_due(w);
		gc_if_due(w);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void *tier_main(void *arg)
{
	struct tier_thread *t = arg;
	struct tier_worker *w = t->w;
	struct tier_req *r;

	if (t->idx == 0)
		return tier_lead(w);
	pthread_mutex_lock(&w->lock);
	while ((r = dequeue(w, t->idx)) != NULL) {
		pthread_mutex_unlock(&w->lock);
		serve(w, r, t->idx);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* ---- the interface ----------------------------------------------------- */

int tier_worker_submit(struct tier_worker *w, uint64_t fileid,
		       enum tier_req_op op, int wait, char *msg, size_t cap)
{
	struct tier_wait waiter = { .done = 0 };
	int rc;

	pthread_mutex_lock(&w->lock);
	if (w->stop) {
		pthread_mutex_unlock(&w->lock);
		return -ECANCELED;
	}
	if (wait)
		pthread_cond_init(&waiter.cond, NULL);
	rc = tier_queue_add(&w->queue, fileid, op, wait ? &waiter : NULL,
			    NULL);
	if (rc == 1)
		pthread_cond_broadcast(&w->cond);
	while (rc == 1 && wait && !waiter.done)
		pthread_cond_wait(&waiter.cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	if (wait) /* answered (done seen under the lock), or never queued */
		pthread_cond_destroy(&waiter.cond);
	if (rc < 0)
		return rc;
	if (!wait)
		return 0;
	if (msg && cap)
		snprintf(msg, cap, "%s", waiter.msg);
	return waiter.rc;
}

void tier_worker_stats(struct tier_worker *w, struct tier_worker_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	if (w->parts) {
		struct tier_parts_counts pc;

		tier_parts_counts(w->parts, &pc);
		out->part_reads_served = pc.reads_served;
		out->part_reads_waited = pc.reads_waited;
		out->parts_asked = pc.parts_asked;
	}
	out->queued = w->queue.len;
	out->running_op = 0;
	out->running_fileid = 0;
	for (unsigned i = 0; i < w->nthreads; i++) {
		if (!w->running[i])
			continue;
		out->running_op = (uint32_t)w->running[i]->op;
		out->running_fileid = w->running[i]->fileid;
		break;
	}
	pthread_mutex_unlock(&w->lock);
}

int tier_worker_recall_stuck(void *arg, uint64_t fileid)
{
	struct tier_worker *w = arg;
	int64_t since = tier_heat_last(w->failing, fileid);

	return since > 0 && (int64_t)time(NULL) - since >= w->recall_timeout;
}

int tier_worker_read_parts(void *arg, uint64_t fileid, uint64_t off,
			   void *buf, size_t len, size_t *n)
{
	struct tier_worker *w = arg;

	return tier_recall_read(&w->reader, fileid, off, buf, len, n);
}

/* A reader waits: the recall goes ahead of the other steps
 * (tier_queue_add_urgent()). */
void tier_worker_recall_wanted(void *arg, uint64_t fileid)
{
	struct tier_worker *w = arg;
	int rc;

	pthread_mutex_lock(&w->lock);
	rc = w->stop ? 0 : tier_queue_add_urgent(&w->queue, fileid);
	if (rc == 1)
		pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (rc == -ENOMEM)
		log_warn("tier: no memory to queue the recall of fileid %llx",
			 (unsigned long long)fileid);
}

int tier_worker_start(struct tier_worker **out, struct strata_server *srv)
{
	struct tier_worker *w;
	int rc;

	if (!srv->cluster || !srv->ns) {
		log_err("tier %s: the object tier needs data servers",
			srv->cfg.tier);
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->srv = srv;
	snprintf(w->prefix, sizeof(w->prefix), "%s",
		 tier_worker_prefix(&srv->cfg));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	tier_queue_init(&w->queue);
	w->stats.started = (int64_t)time(NULL);
	w->recall_timeout = srv->cfg.tier_recall_timeout
				    ? srv->cfg.tier_recall_timeout
				    : TIER_RECALL_TIMEOUT_DEFAULT;
	w->failing = tier_heat_new(0, 0);
	w->gc_interval = srv->cfg.tier_gc_interval ? srv->cfg.tier_gc_interval
						   : TIER_GC_INTERVAL_DEFAULT;
	w->gc_grace = srv->cfg.tier_gc_grace ? srv->cfg.tier_gc_grace
					     : TIER_GC_GRACE_DEFAULT;
	w->gc_next = (int64_t)time(NULL) + w->gc_interval;
	rc = w->failing ? tier_parts_new(&w->parts) : -ENOMEM;
	if (rc == 0)
		rc = open_backend(w);
	if (rc == 0)
		rc = tier_auto_new(&w->autop, srv, (int64_t)time(NULL));
	if (rc < 0) {
		tier_worker_free(w);
		return rc;
	}
	w->engine = (struct tier_engine){
		.backend = w->backend,
		.prefix = w->prefix,
		.data = &tier_ds_ops,
		.data_arg = srv->cluster,
		.meta = &tier_meta_ns,
		.meta_arg = srv->ns,
		.keep = keep_open,
		.keep_arg = srv,
		.parts = w->parts,
		.mine = srv->owns_all ? NULL : owned_here,
		.mine_arg = srv,
	};
	w->reader = w->engine;
	if (srv->cfg.failpoint == FAILPOINT_TIER_STEP) {
		w->failstep = tier_failstep_new(srv->cfg.failpoint_step);
		if (!w->failstep) {
			tier_worker_free(w);
			return -ENOMEM;
		}
		tier_failstep_wrap(w->failstep, &w->engine);
		log_warn("failpoint tier-step:%lu: the tier's steps are "
			 "counted and logged%s; one tier thread",
			 srv->cfg.failpoint_step,
			 srv->cfg.failpoint_step ? ", the MDS exits before that "
						   "step of a request" : "");
	}
	w->nthreads = srv->cfg.tier_workers ? srv->cfg.tier_workers
					    : TIER_WORKERS_DEFAULT;
	if (w->nthreads > TIER_WORKERS_MAX)
		w->nthreads = TIER_WORKERS_MAX;
	/* The failpoint counts one request's steps at a time
	 * (tier_failstep.h: the tier thread only). */
	if (w->failstep)
		w->nthreads = 1;
	for (unsigned i = 0; i < w->nthreads; i++) {
		w->threads[i] = (struct tier_thread){ .w = w, .idx = i };
		rc = -pthread_create(&w->threads[i].tid, NULL, tier_main,
				     &w->threads[i]);
		if (rc < 0) {
			tier_worker_free(w);
			return rc;
		}
		w->nstarted++;
	}
	srv->tier_recall_arg = w;
	srv->tier_recall_wanted = tier_worker_recall_wanted;
	srv->tier_recall_stuck = tier_worker_recall_stuck;
	srv->tier_read_parts = tier_worker_read_parts;
	if (w->autop) {
		srv->tier_used_arg = w->autop;
		srv->tier_used = tier_auto_used;
	}
	log_info("tier: %s, keys under %s/, %u steps at once", srv->cfg.tier,
		 w->prefix, w->nthreads);
	*out = w;
	return 0;
}

void tier_worker_halt(struct tier_worker *w)
{
	struct tier_req *r;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	while ((r = tier_queue_pop(&w->queue)) != NULL)
		finish(w, r, -ECANCELED, "the server is stopping");
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < w->nstarted; i++)
		pthread_join(w->threads[i].tid, NULL);
	w->nstarted = 0;
}

void tier_worker_free(struct tier_worker *w)
{
	if (!w)
		return;
	tier_worker_halt(w);
	if (w->backend)
		tier_close(w->backend);
	tier_queue_fini(&w->queue);
	tier_auto_free(w->autop);
	tier_heat_free(w->failing);
	tier_gc_seen_free(&w->gc_seen);
	tier_parts_free(w->parts);
	tier_failstep_free(w->failstep);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
