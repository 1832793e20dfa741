/*
 * nfsd/tier_queue.h — the tier worker's queue of requests (nfsd/
 * tier_worker.h, docs/decisions/0031-tier-worker.md): a FIFO of steps
 * (offload, release, recall of one file) and a hash set of the files
 * wanted, so asking "is a recall of this file queued or running?" costs
 * O(1) whatever the queue's length.
 *
 * The recall hook asks that question on the COMPOUND executor, with
 * state_lock held, on every retried access to an offloaded file: under
 * a recall storm (thousands of offloaded files read at once, each READ
 * retried every few milliseconds) a scan of the queue per retry would
 * make the executor's cost grow with the queue.
 *
 * Readers first: a recall a client's access waits for (the recall hook)
 * is urgent: it goes ahead of every request that is not, behind the
 * urgent ones already queued, and a recall of the file already queued
 * behind others is moved up instead (issue 16, "the parts wanted by
 * waiting reads first"; decision 0035 orders the parts within a file).
 * The urgent requests are the FIFO's first ones (urgent_tail the last).
 *
 * The set holds, per fileid, how many requests of each step are queued,
 * whether a recall of it is running and how many steps of any kind are
 * (popped, not yet done: the worker's threads take only a request whose
 * file has none, so one file's steps never overlap). An entry
 * is added by tier_queue_add(), its counts moved by tier_queue_pop() and
 * tier_queue_done(), and the entry removed once all are zero; when the
 * set empties its table shrinks back to the initial size (a storm's
 * table is not kept).
 *
 * Ownership: embedded in struct tier_worker, which initialises and
 * finalises it; every request it hands out is the caller's to free.
 * Threads: none of its own and no lock: every call must hold the
 * owner's lock (the worker's w->lock, which protects the FIFO, the set
 * and the counts alike).
 */
#ifndef STRATA_NFSD_TIER_QUEUE_H
#define STRATA_NFSD_TIER_QUEUE_H

#include <stddef.h>
#include <stdint.h>

enum tier_req_op {
	TIER_REQ_OFFLOAD = 1, /* LOCAL -> BOTH */
	TIER_REQ_RELEASE = 2, /* BOTH -> OFFLOADED, the copy freed */
	TIER_REQ_RECALL = 3,  /* OFFLOADED -> BOTH */
};
#define TIER_REQ_NOPS 3

struct tier_wait; /* a submitter's, on its stack (tier_worker.c) */

/* One queued request; WAITER is a submitter waiting for it, or NULL. */
struct tier_req {
	struct tier_req *next;
	uint64_t fileid;
	enum tier_req_op op;
	struct tier_wait *waiter;
	int urgent; /* a reader waits for it: ahead of the others */
};

struct tier_queue_slot; /* tier_queue.c */

struct tier_queue {
	struct tier_req *head, *tail;
	struct tier_req *urgent_tail;  /* the last urgent one, or NULL */
	size_t len;                    /* requests queued */
	struct tier_queue_slot *slots; /* open addressing, a power of 2 */
	size_t cap, used;              /* slots, entries */
};

void tier_queue_init(struct tier_queue *q);
/* Frees the set; the FIFO must be empty (pop and free every request). */
void tier_queue_fini(struct tier_queue *q);

/* 1 if a request for (FILEID, OP) is queued, or, for a recall, running
 * (popped and not yet done); else 0. */
int tier_queue_wanted(const struct tier_queue *q, uint64_t fileid,
		      enum tier_req_op op);

/*
 * Append a request for (FILEID, OP). Without a WAITER, one already
 * wanted (above) is not queued again: 0. Otherwise 1 with *OUT (may be
 * NULL) the new request, or -ENOMEM (nothing queued).
 */
int tier_queue_add(struct tier_queue *q, uint64_t fileid,
		   enum tier_req_op op, struct tier_wait *waiter,
		   struct tier_req **out);

/*
 * A recall a reader waits for (urgent, above): queued behind the urgent
 * ones and ahead of the rest, or, when a recall of FILEID is already
 * queued behind others, that one moved there. 0 when one is already
 * urgent or running (O(1): what the executor's retries cost), 1 queued
 * or moved, -ENOMEM (nothing queued).
 */
int tier_queue_add_urgent(struct tier_queue *q, uint64_t fileid);

/* The oldest request, taken off the FIFO (NULL if none); its step is
 * running from now until tier_queue_done(). */
struct tier_req *tier_queue_pop(struct tier_queue *q);
/* The oldest request whose file has no step running (popped and not yet
 * done), taken off the FIFO like tier_queue_pop(); NULL if none. Walks
 * past the requests of busy files: O(1) unless the FIFO's head is made
 * of them. */
struct tier_req *tier_queue_pop_idle(struct tier_queue *q);
/* R (popped) has ended: its step is no longer running. Call before
 * freeing R. */
void tier_queue_done(struct tier_queue *q, const struct tier_req *r);

#endif
