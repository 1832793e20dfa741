/*
 * nfsd/tier_worker.h — the object tier's thread in strata-mds (issue 16,
 * docs/decisions/0031-tier-worker.md): it runs the tier's state machine
 * (tiering/tier_job.h) over the namespace (tier_meta_ns), the data
 * servers (pnfs/tier_ds.h) and the configured backend (cfg.tier,
 * tiering/tier_backend.h), up to tier_workers requests at once
 * (TIER_WORKERS_DEFAULT), from a queue; two steps of one file never
 * overlap (tier_queue_pop_idle).
 *
 *   start    opens the backend, starts the threads and sets the server's
 *            recall hook (srv->tier_recall_wanted, nfsd/residency.h);
 *            the lead thread first gives up every job a crash left
 *            (tier_recover) and drains the delete and release records
 *            (tier_drain) before any thread serves the queue, and drains
 *            again every TIER_DRAIN_S seconds (between requests as well
 *            as when idle); a failed request is followed by a drain
 *            before its waiter is answered; it runs the policy's
 *            pass when due (nfsd/tier_auto.h) and the orphan collector
 *            every tier_gc_interval (tiering/tier_gc.h: deletes objects
 *            nothing refers to once seen so for tier_gc_grace). A drain
 *            and a collector pass run alone: no step starts until it
 *            ends, and it starts once the running steps have ended;
 *   hook     an access to an offloaded file (READ, WRITE, SETATTR of a
 *            size, LAYOUTGET) queues its recall ahead of every policy
 *            and manual step (a reader waits: tier_queue_add_urgent(),
 *            decision 0035): at most one recall per
 *            file is queued or running at a time (the executor calls the
 *            hook again on every retried access); whether one is costs
 *            O(1), a hash set of wanted files beside the FIFO
 *            (nfsd/tier_queue.h);
 *   parts    a recall fetches its object in parts (the engine's chunk)
 *            and publishes which are back in a part map (w->parts,
 *            tiering/tier_parts.h); the executor's READ of an offloaded
 *            file is served from them (srv->tier_read_parts), or asks
 *            for its part, which the recall fetches next (decision
 *            0035); the memory is one part buffer per thread, as before;
 *   submit   offload, release or recall of one file by hand (CTL_TIER,
 *            pnfs/ctl_tier.h): queued, and, when asked, waited for.
 *
 * The executor never waits on the tier: the hook takes only the worker's
 * own mutex (w->lock, which protects the queue, its set of wanted files
 * and the worker's counts), for a set lookup and a list append. Every call of the state machine (which
 * blocks on the object store and the data servers) runs on a tier
 * thread; submit with WAIT blocks its caller (a control connection's
 * receive thread), never the executor.
 *
 * Ownership: created by server_start() for an MDS with data servers and a
 * tier (srv->tier), halted by server_stop() before the transports stop
 * (a waiting submitter is released with -ECANCELED), freed after the
 * executor stopped (the hook may be running until then).
 * Threads: submit, the hook and tier_worker_halt() from any thread (the
 * hook with state_lock held); the threads take state_lock only
 * briefly, to ask whether a removed file is still open (decision 0018).
 */
#ifndef STRATA_NFSD_TIER_WORKER_H
#define STRATA_NFSD_TIER_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "tier_queue.h" /* enum tier_req_op */

#define TIER_DRAIN_S 10
#define TIER_RECALL_TIMEOUT_DEFAULT 300
#define TIER_GC_INTERVAL_DEFAULT 3600 /* s between orphan collector passes */
#define TIER_GC_GRACE_DEFAULT 86400   /* s an orphan is seen before delete */
#define TIER_PREFIX_DEFAULT "strata"
#define TIER_WORKERS_DEFAULT 4 /* steps at once (tier_workers) */
#define TIER_WORKERS_MAX 16

struct strata_config;
struct strata_server;
struct tier_worker;

/* 0, or -errno with the reason logged (a backend that cannot be opened,
 * a tier without data servers). */
int tier_worker_start(struct tier_worker **out, struct strata_server *srv);
/* Stop taking requests, release waiting submitters (-ECANCELED), let the
 * running steps end and join the threads. The hook stays callable (a no-op
 * from now on). */
void tier_worker_halt(struct tier_worker *w);
/* After halt and once nothing can call the hook. NULL is a no-op. */
void tier_worker_free(struct tier_worker *w);

/*
 * Queue OP on FILEID. WAIT 0: 0 once queued (a recall already queued or
 * running for the file counts as queued). WAIT 1: the request's result:
 * 0 done (a recall of a file that is no longer offloaded is done too),
 * -EAGAIN an offload whose file changed meanwhile (nothing kept), or the
 * state machine's -errno (ns_tier.h: -EALREADY not in the state the step
 * starts from, -EBUSY another job under way); MSG (CAP bytes, may be
 * NULL) gets the tier's one-line status of a failure. -ECANCELED when
 * the worker stops first, -ENOMEM.
 */
int tier_worker_submit(struct tier_worker *w, uint64_t fileid,
		       enum tier_req_op op, int wait, char *msg, size_t cap);

/* What the worker did since it started, for `strata tier status`
 * (CTL_TIER_STATUS, pnfs/ctl_tier.h) and the strata_tier_* metrics
 * (nfsd/metrics_text.h). Counts of the worker's own steps: a step done
 * by hand or by a recall the hook queued alike. */
struct tier_worker_stats {
	int64_t started;            /* unix seconds */
	uint64_t queued;            /* requests waiting */
	uint32_t running_op;        /* enum tier_req_op running, 0 none */
	uint64_t running_fileid;
	uint64_t done[TIER_REQ_NOPS];   /* [op - 1]: steps done */
	uint64_t failed[TIER_REQ_NOPS]; /* and failed (-EAGAIN included) */
	uint64_t recalls_nothing;   /* recalls of a file no longer offloaded:
				       answered done, nothing moved, not in
				       done[] */
	uint64_t bytes_up;          /* object bytes stored by offloads */
	uint64_t bytes_down;        /* object bytes read back by recalls */
	uint64_t recovered;         /* jobs a crash left, given up at start */
	uint64_t drains, drain_failures;
	uint64_t deleted, freed;    /* by every drain: objects deleted,
				       data copies freed */
	int64_t last_drain;         /* unix seconds; 0 none yet */
	int last_drain_rc;          /* 0 or -errno */
	uint64_t last_deleted, last_freed;
	/* Recall by parts (tiering/tier_parts.h, decision 0035): READs of
	 * offloaded files answered from parts a running recall brought
	 * back, told to wait for their part, and parts moved to the front
	 * of a recall's fetch order by such a wait. */
	uint64_t part_reads_served, part_reads_waited, parts_asked;
};

/* A copy of W's counts, taken under W's lock (briefly; any thread but
 * one holding it). */
void tier_worker_stats(struct tier_worker *w, struct tier_worker_stats *out);

/* srv->tier_recall_stuck (ARG the worker): FILEID's recalls have failed
 * without a success in between for tier_recall_timeout seconds
 * (TIER_RECALL_TIMEOUT_DEFAULT). Takes only the failure table's mutex. */
int tier_worker_recall_stuck(void *arg, uint64_t fileid);

/* srv->tier_read_parts (ARG the worker): tier_recall_read() of the
 * recalls running (decision 0035). Takes the part map's mutex; blocks
 * on the data servers for one read, never on the object store. */
int tier_worker_read_parts(void *arg, uint64_t fileid, uint64_t off,
			   void *buf, size_t len, size_t *n);

/* The recall hook (srv->tier_recall_wanted; ARG is the worker). */
void tier_worker_recall_wanted(void *arg, uint64_t fileid);

/* The key prefix CFG names (tier_prefix, or TIER_PREFIX_DEFAULT). */
const char *tier_worker_prefix(const struct strata_config *cfg);

#endif
