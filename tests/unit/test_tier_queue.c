/*
 * tests/unit/test_tier_queue.c -- the tier worker's queue and its set of
 * wanted files (nfsd/tier_queue.h, docs/decisions/0031): a recall storm
 * (many distinct files, each asked for again and again, as the executor's
 * recall hook does on every retried access) queues each file exactly
 * once; a file whose recall is running is not queued again, and once it
 * is done it can be wanted again; a waiter's request is always queued;
 * offloads and releases are deduplicated while queued only; and the
 * hash set agrees with a plain scan of the FIFO over a long random mix
 * of adds, pops and completions (deletions shift entries back); and
 * tier_queue_pop_idle() takes the oldest request of a file with no step
 * running (the worker's threads never run two steps of one file); a
 * recall a reader waits for goes ahead of the other steps, behind the
 * earlier such recalls, and moves a queued recall of its file up.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tier_queue.h"

#define STORM 5000
#define RUNMAX 64

/* Fileids as the namespace makes them: a shard in the high bits over a
 * counter. */
static uint64_t fid(unsigned i)
{
	return ((uint64_t)(i % 16) << 56) | (1000 + i / 16);
}

/* The hook's call: a recall without a waiter. */
static int want_recall(struct tier_queue *q, uint64_t fileid)
{
	return tier_queue_add(q, fileid, TIER_REQ_RECALL, NULL, NULL);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_storm_each_file_once(void **state)
{
	struct tier_queue q;
	uint64_t *seen = calloc(STORM, sizeof(*seen));
	size_t n = 0, queued = 0;
	struct tier_req *r;

	(void)state;
	assert_non_null(seen);
	tier_queue_init(&q);
	/* Eight passes over the files, as retries arrive: pass P asks for
	 * every file whose index is 0 mod P+1, the first pass for all. */
	for (unsigned pass = 0; pass < 8; pass++)
		for (unsigned i = 0; i < STORM; i++)
			if (i % (pass + 1) == 0) {
				int rc = want_recall(&q, fid(i));

				assert_true(rc == 0 || rc == 1);
				assert_int_equal(rc, pass == 0);
				queued += (size_t)rc;
			}
	assert_int_equal(queued, STORM);
	assert_int_equal(q.len, STORM);
	/* The worker takes them one by one; while one runs, its retries
	 * queue nothing, and when it is done it may be wanted again. */
	while ((r = tier_queue_pop(&q)) != NULL) {
		seen[n++] = r->fileid;
		assert_int_equal(r->op, TIER_REQ_RECALL);
		assert_true(tier_queue_wanted(&q, r->fileid, TIER_REQ_RECALL));
		assert_int_equal(want_recall(&q, r->fileid), 0);
		tier_queue_done(&q, r);
		assert_false(tier_queue_wanted(&q, r->fileid,
					       TIER_REQ_RECALL));
		free(r);
	}
	assert_int_equal(n, STORM);
	assert_int_equal(q.len, 0);
	assert_int_equal(q.used, 0);
	qsort(seen, n, sizeof(*seen), cmp_u64);
	for (size_t i = 1; i < n; i++)
		assert_true(seen[i - 1] != seen[i]);
	/* After completion every file can be wanted again, once. */
	for (unsigned i = 0; i < STORM; i++) {
		assert_int_equal(want_recall(&q, fid(i)), 1);
		assert_int_equal(want_recall(&q, fid(i)), 0);
	}
	assert_int_equal(q.len, STORM);
	while ((r = tier_queue_pop(&q)) != NULL) {
		tier_queue_done(&q, r);
		free(r);
	}
	tier_queue_fini(&q);
	free(seen);
}

static void test_waiters_and_other_steps(void **state)
{
	struct tier_queue q;
	struct tier_wait *w = (struct tier_wait *)&q; /* any non-NULL */
	struct tier_req *r, *mine = NULL;

	(void)state;
	tier_queue_init(&q);
	/* A waiter's request is queued even when one is wanted already,
	 * and what it queues counts as wanted. */
	assert_int_equal(tier_queue_add(&q, 7, TIER_REQ_RECALL, w, &mine), 1);
	assert_non_null(mine);
	assert_ptr_equal(mine->waiter, w);
	assert_int_equal(want_recall(&q, 7), 0);
	assert_int_equal(tier_queue_add(&q, 7, TIER_REQ_RECALL, w, NULL), 1);
	assert_int_equal(q.len, 2);
	/* Offloads and releases: deduplicated while queued, not running. */
	assert_int_equal(tier_queue_add(&q, 8, TIER_REQ_OFFLOAD, NULL, NULL),
			 1);
	assert_int_equal(tier_queue_add(&q, 8, TIER_REQ_OFFLOAD, NULL, NULL),
			 0);
	assert_int_equal(tier_queue_add(&q, 8, TIER_REQ_RELEASE, NULL, NULL),
			 1);
	assert_false(tier_queue_wanted(&q, 8, TIER_REQ_RECALL));
	assert_int_equal(tier_queue_add(&q, 8, 0, NULL, NULL), -EINVAL);
	for (int i = 0; i < 2; i++) { /* the two recalls of 7 */
		r = tier_queue_pop(&q);
		assert_int_equal(r->fileid, 7);
		tier_queue_done(&q, r);
		assert_int_equal(tier_queue_wanted(&q, 7, TIER_REQ_RECALL),
				 i == 0);
		free(r);
	}
	r = tier_queue_pop(&q); /* the offload of 8, now running */
	assert_int_equal(r->op, TIER_REQ_OFFLOAD);
	assert_false(tier_queue_wanted(&q, 8, TIER_REQ_OFFLOAD));
	assert_true(tier_queue_wanted(&q, 8, TIER_REQ_RELEASE));
	assert_int_equal(tier_queue_add(&q, 8, TIER_REQ_OFFLOAD, NULL, NULL),
			 1);
	tier_queue_done(&q, r);
	free(r);
	while ((r = tier_queue_pop(&q)) != NULL) {
		tier_queue_done(&q, r);
		free(r);
	}
	assert_int_equal(q.used, 0);
	tier_queue_fini(&q);
}

/* A request of a file with a step running waits: the worker's threads
 * take the oldest one of an idle file (tier_queue_pop_idle). */
static void test_pop_idle_skips_busy_files(void **state)
{
	struct tier_queue q;
	struct tier_req *a, *b, *r;

	(void)state;
	tier_queue_init(&q);
	assert_int_equal(tier_queue_add(&q, 1, TIER_REQ_OFFLOAD, NULL, NULL),
			 1);
	assert_int_equal(tier_queue_add(&q, 1, TIER_REQ_RELEASE, NULL, NULL),
			 1);
	assert_int_equal(tier_queue_add(&q, 2, TIER_REQ_RECALL, NULL, NULL),
			 1);
	a = tier_queue_pop_idle(&q);
	assert_int_equal(a->fileid, 1);
	assert_int_equal(a->op, TIER_REQ_OFFLOAD);
	b = tier_queue_pop_idle(&q); /* the release of 1 waits */
	assert_int_equal(b->fileid, 2);
	assert_null(tier_queue_pop_idle(&q));
	assert_int_equal(q.len, 1);
	tier_queue_done(&q, a);
	free(a);
	r = tier_queue_pop_idle(&q);
	assert_int_equal(r->fileid, 1);
	assert_int_equal(r->op, TIER_REQ_RELEASE);
	assert_null(q.head);
	assert_null(q.tail);
	/* the FIFO's tail is kept right when its last request is taken */
	assert_int_equal(tier_queue_add(&q, 3, TIER_REQ_OFFLOAD, NULL, NULL),
			 1);
	assert_ptr_equal(q.head, q.tail);
	tier_queue_done(&q, r);
	tier_queue_done(&q, b);
	free(r);
	free(b);
	r = tier_queue_pop(&q);
	tier_queue_done(&q, r);
	free(r);
	assert_int_equal(q.used, 0);
	tier_queue_fini(&q);
}

/* Pop everything: the fileids in order (at most MAX). */
static size_t drain(struct tier_queue *q, uint64_t *out, size_t max)
{
	struct tier_req *r;
	size_t n = 0;

	while ((r = tier_queue_pop(q)) != NULL) {
		if (n < max)
			out[n++] = r->fileid;
		tier_queue_done(q, r);
		free(r);
	}
	return n;
}

static void test_readers_first(void **state)
{
	struct tier_queue q;
	uint64_t got[8];
	struct tier_req *r;

	(void)state;
	tier_queue_init(&q);
	/* the policy's steps, and a recall asked by hand, queued first */
	assert_int_equal(tier_queue_add(&q, 1, TIER_REQ_OFFLOAD, NULL, NULL),
			 1);
	assert_int_equal(tier_queue_add(&q, 2, TIER_REQ_RELEASE, NULL, NULL),
			 1);
	assert_int_equal(want_recall(&q, 3), 1);
	assert_int_equal(tier_queue_add(&q, 4, TIER_REQ_OFFLOAD, NULL, NULL),
			 1);
	/* readers wait for 5, then 6: ahead of all, in their order */
	assert_int_equal(tier_queue_add_urgent(&q, 5), 1);
	assert_int_equal(tier_queue_add_urgent(&q, 6), 1);
	assert_int_equal(tier_queue_add_urgent(&q, 5), 0); /* once */
	/* a reader of 3: its queued recall moves up, behind 6; again: no-op */
	assert_int_equal(tier_queue_add_urgent(&q, 3), 1);
	assert_int_equal(tier_queue_add_urgent(&q, 3), 0);
	assert_int_equal(q.len, 6);
	/* a running recall is not queued again */
	r = tier_queue_pop(&q);
	assert_int_equal(r->fileid, 5);
	assert_int_equal(tier_queue_add_urgent(&q, 5), 0);
	tier_queue_done(&q, r);
	free(r);
	/* a new urgent one after some were taken: still ahead of the rest */
	assert_int_equal(tier_queue_add_urgent(&q, 7), 1);
	assert_int_equal(drain(&q, got, 8), 6);
	assert_true(got[0] == 6 && got[1] == 3 && got[2] == 7 &&
		    got[3] == 1 && got[4] == 2 && got[5] == 4);
	assert_null(q.urgent_tail);
	assert_null(q.tail);
	assert_int_equal(q.used, 0);
	/* urgent into an empty queue, then a plain add goes behind it */
	assert_int_equal(tier_queue_add_urgent(&q, 8), 1);
	assert_int_equal(tier_queue_add(&q, 9, TIER_REQ_OFFLOAD, NULL, NULL),
			 1);
	assert_int_equal(tier_queue_add_urgent(&q, 10), 1);
	assert_int_equal(drain(&q, got, 8), 3);
	assert_true(got[0] == 8 && got[1] == 10 && got[2] == 9);
	tier_queue_fini(&q);
}

/* An urgent recall of FILEID in the FIFO. */
static int ref_urgent(const struct tier_queue *q, uint64_t fileid)
{
	for (const struct tier_req *r = q->head; r; r = r->next)
		if (r->fileid == fileid && r->urgent)
			return 1;
	return 0;
}

static int ref_wanted_running(struct tier_req **run, size_t nrun,
			      uint64_t fileid)
{
	for (size_t i = 0; i < nrun; i++)
		if (run[i]->fileid == fileid && run[i]->op == TIER_REQ_RECALL)
			return 1;
	return 0;
}

/* The urgent requests are the FIFO's first ones, the last of them
 * urgent_tail; the tail is the last request. */
static void check_urgent_prefix(const struct tier_queue *q)
{
	const struct tier_req *last_urgent = NULL, *last = NULL;
	int seen_plain = 0;

	for (const struct tier_req *r = q->head; r; last = r, r = r->next) {
		if (r->urgent) {
			assert_false(seen_plain);
			last_urgent = r;
		} else {
			seen_plain = 1;
		}
	}
	assert_ptr_equal(q->urgent_tail, last_urgent);
	assert_ptr_equal(q->tail, last);
}

/* The reference for tier_queue_pop_idle: the oldest request whose file
 * has no step in RUN. */
static const struct tier_req *ref_idle(const struct tier_queue *q,
				       struct tier_req **run, size_t nrun)
{
	for (const struct tier_req *r = q->head; r; r = r->next) {
		size_t i = 0;

		while (i < nrun && run[i]->fileid != r->fileid)
			i++;
		if (i == nrun)
			return r;
	}
	return NULL;
}

/* The reference: a request for (FILEID, OP) in the FIFO, or a running
 * recall of FILEID. */
static int ref_wanted(const struct tier_queue *q, struct tier_req **run,
		      size_t nrun, uint64_t fileid, enum tier_req_op op)
{
	for (const struct tier_req *r = q->head; r; r = r->next)
		if (r->fileid == fileid && r->op == op)
			return 1;
	for (size_t i = 0; op == TIER_REQ_RECALL && i < nrun; i++)
		if (run[i]->fileid == fileid && run[i]->op == op)
			return 1;
	return 0;
}

static void test_matches_a_scan(void **state)
{
	struct tier_queue q;
	struct tier_req *run[RUNMAX], *r;
	size_t nrun = 0;
	unsigned seed = 12345;

	(void)state;
	tier_queue_init(&q);
	for (int step = 0; step < 200000; step++) {
		unsigned x = (seed = seed * 1103515245u + 12345u) >> 8;
		/* few distinct files, so they collide and come back often */
		uint64_t f = fid(x % 300);
		enum tier_req_op op = (enum tier_req_op)(1 + (x >> 10) % 3);
		unsigned what = (x >> 14) % 10;

		if (what == 4 && op == TIER_REQ_RECALL) {
			/* a reader's: not again once urgent or running */
			int no = ref_urgent(&q, f) ||
				 ref_wanted_running(run, nrun, f);

			assert_int_equal(tier_queue_add_urgent(&q, f), !no);
		} else if (what < 5) {
			int want = ref_wanted(&q, run, nrun, f, op);

			assert_int_equal(tier_queue_add(&q, f, op, NULL, NULL),
					 !want);
		} else if (what < 7 && nrun < RUNMAX) {
			r = tier_queue_pop(&q);
			if (r)
				run[nrun++] = r;
		} else if (what < 8 && nrun < RUNMAX) {
			const struct tier_req *want = ref_idle(&q, run, nrun);

			r = tier_queue_pop_idle(&q);
			assert_ptr_equal(r, want);
			if (r)
				run[nrun++] = r;
		} else if (nrun) {
			size_t i = (x >> 18) % nrun;

			tier_queue_done(&q, run[i]);
			free(run[i]);
			run[i] = run[--nrun];
		}
		for (unsigned o = 1; o <= 3; o++)
			assert_int_equal(
				tier_queue_wanted(&q, f, (enum tier_req_op)o),
				ref_wanted(&q, run, nrun, f,
					   (enum tier_req_op)o));
		check_urgent_prefix(&q);
	}
	while (nrun) {
		tier_queue_done(&q, run[--nrun]);
		free(run[nrun]);
	}
	while ((r = tier_queue_pop(&q)) != NULL) {
		tier_queue_done(&q, r);
		free(r);
	}
	assert_int_equal(q.used, 0);
	tier_queue_fini(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storm_each_file_once),
		cmocka_unit_test(test_waiters_and_other_steps),
		cmocka_unit_test(test_pop_idle_skips_busy_files),
		cmocka_unit_test(test_readers_first),
		cmocka_unit_test(test_matches_a_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
