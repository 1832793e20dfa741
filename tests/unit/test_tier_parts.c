/*
 * tests/unit/test_tier_parts.c -- recall by parts (issue 16,
 * docs/decisions/0035-recall-by-parts.md): the part map
 * (tiering/tier_parts.c) and the recall and its reads
 * (tiering/tier_recall.c), on a real namespace, the dir backend and data
 * copies in memory (tier_job_harness.h):
 *
 *   - the map alone: the fetch order (in order; a part asked for goes
 *     first, oldest ask first, then on after it; nothing twice), the
 *     readers' answers (none, wait, in, a short range, the end), and the
 *     end of a recall waiting for a reader that holds it;
 *   - a read in the middle of a large cold file is served, byte exact,
 *     while its recall still runs (the recall runs on a thread whose
 *     writes to the copy pass a gate the test opens one at a time), and
 *     the parts that reads ask for are fetched next;
 *   - a crash at every step of a recall with reads served from its
 *     parts: after the restart (namespace reopened, a new part map,
 *     recovery, a drain) the file is OFFLOADED with nothing partial
 *     left or readable, fsck is clean, and a new recall brings it back
 *     exact.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "test_ns_util.h"
#include "tier_job_harness.h"
#include "tier_parts.h"
#include "tier_test_log.h"

#define PREFIX "t"
#define CHUNK (64u * 1024)
#define NPARTS 16
#define BIGLEN ((size_t)NPARTS * CHUNK + 3) /* 17 parts, the last 3 B */
#define WAIT_S 30 /* deadline of every poll */

/* ---- the map alone ------------------------------------------------------ */

static void test_map_order(void **state)
{
	struct tier_parts *p;
	struct tier_parts_rec *r, *ref;
	uint64_t gen = 0, avail = 0;

	(void)state;
	assert_int_equal(tier_parts_new(&p), 0);
	assert_int_equal(tier_parts_want(p, 7, 0, 10, &gen, &avail, &ref),
			 TIER_PARTS_NONE);
	assert_int_equal(tier_parts_begin(p, 7, 3, 10 * 100 + 5, 100, &r), 0);
	assert_int_equal(tier_parts_begin(p, 7, 4, 10, 100, &ref), -EBUSY);
	/* In order while nobody asks. */
	assert_int_equal(tier_parts_next(p, r), 0);
	tier_parts_in(p, r, 0);
	/* A read of part 0 is served, with the copy's generation. */
	assert_int_equal(tier_parts_want(p, 7, 50, 20, &gen, &avail, &ref),
			 TIER_PARTS_IN);
	assert_true(gen == 3 && avail == 20);
	tier_parts_put(p, ref, 1);
	/* A read of parts 6-7: waits, both asked, 6 first. Then part 3. */
	assert_int_equal(tier_parts_want(p, 7, 650, 100, &gen, &avail, &ref),
			 TIER_PARTS_WAIT);
	assert_int_equal(tier_parts_want(p, 7, 650, 100, &gen, &avail, &ref),
			 TIER_PARTS_WAIT); /* asked again: not twice */
	assert_int_equal(tier_parts_want(p, 7, 310, 1, &gen, &avail, &ref),
			 TIER_PARTS_WAIT);
	assert_int_equal(tier_parts_next(p, r), 6);
	tier_parts_in(p, r, 6);
	/* Part 6 in, 7 not: a short read up to the end of 6. */
	assert_int_equal(tier_parts_want(p, 7, 650, 100, &gen, &avail, &ref),
			 TIER_PARTS_IN);
	assert_true(avail == 50);
	tier_parts_put(p, ref, 1);
	assert_int_equal(tier_parts_next(p, r), 7);
	tier_parts_in(p, r, 7);
	assert_int_equal(tier_parts_next(p, r), 3);
	tier_parts_in(p, r, 3);
	/* On after the last fetched, round to the start, each part once. */
	assert_int_equal(tier_parts_next(p, r), 4);
	tier_parts_in(p, r, 4);
	assert_int_equal(tier_parts_next(p, r), 5);
	tier_parts_in(p, r, 5);
	for (int want = 8; want <= 10; want++) {
		assert_int_equal(tier_parts_next(p, r), want);
		tier_parts_in(p, r, (uint64_t)want);
	}
	assert_int_equal(tier_parts_next(p, r), 1);
	tier_parts_in(p, r, 1);
	assert_int_equal(tier_parts_next(p, r), 2);
	tier_parts_in(p, r, 2);
	assert_int_equal(tier_parts_next(p, r), -1);
	/* The end of the object (1,005 bytes): the last part is 5 bytes; a
	 * read past it is in with nothing to read. */
	assert_int_equal(tier_parts_want(p, 7, 1000, 100, &gen, &avail, &ref),
			 TIER_PARTS_IN);
	assert_true(avail == 5);
	tier_parts_put(p, ref, 1);
	assert_int_equal(tier_parts_want(p, 7, 2000, 100, &gen, &avail, &ref),
			 TIER_PARTS_IN);
	assert_true(avail == 0);
	tier_parts_put(p, ref, 0);
	tier_parts_end(p, r);
	assert_int_equal(tier_parts_want(p, 7, 0, 10, &gen, &avail, &ref),
			 TIER_PARTS_NONE);
	{
		struct tier_parts_counts c;

		tier_parts_counts(p, &c);
		assert_true(c.reads_served == 3 && c.reads_waited == 3);
		assert_true(c.parts_asked == 3);
	}
	tier_parts_free(p);
}

struct ender {
	struct tier_parts *p;
	struct tier_parts_rec *r;
	pthread_mutex_t lock;
	int done;
};

static void *end_thread(void *arg)
{
	struct ender *e = arg;

	tier_parts_end(e->p, e->r);
	pthread_mutex_lock(&e->lock);
	e->done = 1;
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

/* The end of a recall takes it out for new readers at once, and returns
 * only once the reader holding it let go. */
static void test_map_end_waits_for_reader(void **state)
{
	struct ender e = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct tier_parts_rec *ref;
	uint64_t gen, avail;
	pthread_t t;
	time_t until = time(NULL) + WAIT_S;
	int done;

	(void)state;
	assert_int_equal(tier_parts_new(&e.p), 0);
	assert_int_equal(tier_parts_begin(e.p, 9, 1, 100, 100, &e.r), 0);
	tier_parts_in(e.p, e.r, 0);
	assert_int_equal(tier_parts_want(e.p, 9, 0, 10, &gen, &avail, &ref),
			 TIER_PARTS_IN);
	assert_int_equal(pthread_create(&t, NULL, end_thread, &e), 0);
	/* Poll until the end has taken it out (a new reader finds none). */
	for (;;) {
		struct tier_parts_rec *r2;
		enum tier_parts_answer a =
			tier_parts_want(e.p, 9, 0, 10, &gen, &avail, &r2);

		if (a == TIER_PARTS_NONE)
			break;
		tier_parts_put(e.p, r2, 0);
		assert_true(time(NULL) < until);
		sched_yield();
	}
	pthread_mutex_lock(&e.lock);
	done = e.done;
	pthread_mutex_unlock(&e.lock);
	assert_int_equal(done, 0); /* the first reader still holds it */
	tier_parts_put(e.p, ref, 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(e.done, 1);
	tier_parts_free(e.p);
}

/* ---- a recall with reads, on a thread ------------------------------------ */

/* Data copies behind a gate: write K (from 1) waits until the test
 * allows it; the offsets written are kept in order. Reads pass. The
 * test reads the copies only while the recall is parked at the gate, so
 * the memory copies are never touched by two threads at once. */
struct gate {
	struct memds *in;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	long allowed, parked, writes;
	uint64_t order[64];
};

static int gd_read(void *a, uint64_t fileid, uint64_t gen, uint64_t off,
		   void *buf, size_t len)
{
	struct gate *g = a;

	return memds_ops.read(g->in, fileid, gen, off, buf, len);
}

static int gd_write(void *a, uint64_t fileid, uint64_t gen, uint64_t off,
		    const void *buf, size_t len)
{
	struct gate *g = a;
	long k;

	pthread_mutex_lock(&g->lock);
	k = ++g->writes;
	g->parked = k;
	pthread_cond_broadcast(&g->cond);
	while (g->allowed < k)
		pthread_cond_wait(&g->cond, &g->lock);
	g->parked = 0;
	if (k <= 64)
		g->order[k - 1] = off;
	pthread_mutex_unlock(&g->lock);
	return memds_ops.write(g->in, fileid, gen, off, buf, len);
}

static int gd_sync(void *a, uint64_t fileid, uint64_t gen)
{
	struct gate *g = a;

	return memds_ops.sync(g->in, fileid, gen);
}

static int gd_drop(void *a, uint64_t fileid, uint64_t gen)
{
	struct gate *g = a;

	return memds_ops.drop(g->in, fileid, gen);
}

static int gd_fence(void *a, uint64_t fileid, uint64_t below)
{
	struct gate *g = a;

	return memds_ops.fence(g->in, fileid, below);
}

static int gd_create(void *a, uint64_t fileid, uint64_t gen)
{
	struct gate *g = a;

	return memds_ops.create(g->in, fileid, gen);
}

static const struct tier_data_ops gate_ops = { gd_read, gd_write, gd_sync,
					       gd_drop, gd_fence, gd_create };

/* Allow writes up to K, then wait (deadline) until the recall is parked
 * before write K + 1: the first K writes are done. */
static void gate_to(struct gate *g, long k)
{
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_S;
	pthread_mutex_lock(&g->lock);
	g->allowed = k;
	pthread_cond_broadcast(&g->cond);
	while (rc == 0 && g->parked != k + 1)
		rc = pthread_cond_timedwait(&g->cond, &g->lock, &until);
	pthread_mutex_unlock(&g->lock);
	assert_int_equal(rc, 0); /* parked in time */
}

struct fx {
	struct tier_site t;
	struct tier_parts *parts;
	struct tier_engine raw; /* no part map, straight to memory */
	struct tier_engine pe;  /* the part map, through the gate */
	struct gate g;
	uint64_t fid;
	uint8_t data[BIGLEN];
	int rc; /* of the recall thread */
	pthread_t thread;
	int running; /* the thread is to be joined */
};

static void engines_init(struct fx *x)
{
	x->raw = (struct tier_engine){ x->t.b, PREFIX, &memds_ops, &x->t.ds,
				       &tier_meta_ns, x->t.ns, CHUNK, NULL,
				       NULL, NULL, NULL, NULL };
	x->pe = x->raw;
	x->pe.data = &gate_ops;
	x->pe.data_arg = &x->g;
	x->pe.parts = x->parts;
}

/* "big", offloaded and released: cold. */
static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);
	int committed;

	tier_site_open(&x->t);
	assert_int_equal(ns_test_set_nosync(x->t.ns, 1), 0);
	assert_int_equal(tier_parts_new(&x->parts), 0);
	x->g.in = &x->t.ds;
	pthread_mutex_init(&x->g.lock, NULL);
	pthread_cond_init(&x->g.cond, NULL);
	engines_init(x);
	x->fid = tu_create(x->t.ns, NS_ROOT_FILEID, "big", NS_REG);
	tier_fill(x->data, BIGLEN, 5);
	assert_int_equal(ns_note_write(x->t.ns, x->fid, BIGLEN, NULL), 0);
	memds_put(&x->t.ds, x->fid, 0, x->data, BIGLEN);
	assert_int_equal(tier_offload(&x->raw, x->fid, &committed, NULL), 0);
	assert_int_equal(committed, 1);
	assert_int_equal(tier_release(&x->raw, x->fid, NULL), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	if (x->running) { /* a failed test left the recall at the gate */
		pthread_mutex_lock(&x->g.lock);
		x->g.allowed = 1L << 30;
		pthread_cond_broadcast(&x->g.cond);
		pthread_mutex_unlock(&x->g.lock);
		pthread_join(x->thread, NULL);
	}
	tier_site_close(&x->t);
	tier_parts_free(x->parts);
	pthread_cond_destroy(&x->g.cond);
	pthread_mutex_destroy(&x->g.lock);
	free(x);
	return 0;
}

/* INO is BOTH and its current copy holds the file's bytes. */
static void back_exact(struct fx *x, const struct ns_inode *ino)
{
	const struct memds_copy *c =
		memds_find(&x->t.ds, x->fid, ino->layout_gen);

	assert_int_equal(ino->residency, NS_RES_BOTH);
	assert_non_null(c);
	assert_true(c->len == BIGLEN);
	assert_memory_equal(c->buf, x->data, BIGLEN);
}

static void *recall_thread(void *arg)
{
	struct fx *x = arg;

	x->rc = tier_recall(&x->pe, x->fid, NULL);
	return NULL;
}

/* Read LEN at OFF through the part map: 0 and the bytes checked, with
 * *N the count; or the error. */
static int read_exact(struct fx *x, uint64_t off, size_t len, size_t *n)
{
	uint8_t buf[4096];
	int rc;

	assert_true(len <= sizeof buf);
	*n = 0;
	rc = tier_recall_read(&x->pe, x->fid, off, buf, len, n);
	if (rc == 0) {
		assert_true(*n <= len);
		assert_memory_equal(buf, x->data + off, *n);
	}
	return rc;
}

static void test_read_in_the_middle(void **state)
{
	struct fx *x = *state;
	uint64_t mid = 8 * (uint64_t)CHUNK + 1234;
	struct ns_inode ino;
	size_t n;

	/* No recall running: nothing to read. */
	assert_int_equal(read_exact(x, mid, 1000, &n), -EAGAIN);
	assert_int_equal(pthread_create(&x->thread, NULL, recall_thread, x),
			 0);
	x->running = 1;
	gate_to(&x->g, 0); /* parked before its first write: part 0 */
	/* The middle is not in: wait, and it is asked for. */
	assert_int_equal(read_exact(x, mid, 1000, &n), -EAGAIN);
	gate_to(&x->g, 1);
	assert_true(x->g.order[0] == 0);
	assert_int_equal(read_exact(x, mid, 1000, &n), -EAGAIN);
	gate_to(&x->g, 2);
	/* The asked part came next, not part 1. */
	assert_true(x->g.order[1] == 8 * (uint64_t)CHUNK);
	/* The middle is served while the recall runs, byte exact. */
	assert_int_equal(read_exact(x, mid, 1000, &n), 0);
	assert_true(n == 1000);
	/* Across the end of part 8: a short read, up to it. */
	assert_int_equal(read_exact(x, 9 * (uint64_t)CHUNK - 10, 100, &n), 0);
	assert_true(n == 10);
	/* Part 0 too; part 5 is not in yet, asked for. The recall has
	 * already chosen its third part (9, after 8); then comes 5. */
	assert_int_equal(read_exact(x, 17, 100, &n), 0);
	assert_true(n == 100);
	assert_int_equal(read_exact(x, 5 * (uint64_t)CHUNK + 1, 1, &n),
			 -EAGAIN);
	gate_to(&x->g, 4);
	assert_true(x->g.order[2] == 9 * (uint64_t)CHUNK);
	assert_true(x->g.order[3] == 5 * (uint64_t)CHUNK);
	assert_int_equal(read_exact(x, 5 * (uint64_t)CHUNK + 1, 1, &n), 0);
	assert_true(n == 1);
	/* Still recalling: the file is OFFLOADED, no layout to hand out. */
	ino = tu_getattr(x->t.ns, x->fid);
	assert_int_equal(ino.residency, NS_RES_OFFLOADED);
	/* Let it finish: every part once, then BOTH, the copy exact. */
	pthread_mutex_lock(&x->g.lock);
	x->g.allowed = 1000;
	pthread_cond_broadcast(&x->g.cond);
	pthread_mutex_unlock(&x->g.lock);
	assert_int_equal(pthread_join(x->thread, NULL), 0);
	x->running = 0;
	assert_int_equal(x->rc, 0);
	assert_int_equal((int)x->g.writes, NPARTS + 1);
	for (long i = 0; i < x->g.writes; i++)
		for (long j = 0; j < i; j++)
			assert_true(x->g.order[i] != x->g.order[j]);
	ino = tu_getattr(x->t.ns, x->fid);
	back_exact(x, &ino);
	/* The recall is over: the map has nothing of it. */
	assert_int_equal(read_exact(x, mid, 10, &n), -EAGAIN);
	tu_fsck_clean(x->t.ns);
}

/* ---- a crash at every step of a recall read from ------------------------ */

/* The run: a recall through the fault injector and the part map, on the
 * test's thread; the reads happen inside its writes (cw_write). */
struct crash_fx {
	struct fx *x;
	struct fault f;
	struct fault_backend fb;
	struct fault_data fd;
	struct fault_meta fm;
	struct tier_engine e;
	size_t served;
};

/* Each write of the recall is a step (the fault injector's); after it,
 * a reader asks for part 12 and another reads the start. */
static int cw_write(void *a, uint64_t fileid, uint64_t gen, uint64_t off,
		    const void *buf, size_t len)
{
	struct crash_fx *c = a;
	uint8_t tmp[64];
	size_t n = 0;
	int rc = fault_data_ops.write(&c->fd, fileid, gen, off, buf, len);

	/* A reader wants part 12; another reads what is in. */
	(void)tier_recall_read(&c->e, fileid, 12 * (uint64_t)CHUNK + 7, tmp,
			       sizeof tmp, &n);
	if (tier_recall_read(&c->e, fileid, 3, tmp, sizeof tmp, &n) == 0 &&
	    n) {
		assert_memory_equal(tmp, c->x->data + 3, n);
		c->served++;
	}
	return rc;
}

static int cw_read(void *a, uint64_t fileid, uint64_t gen, uint64_t off,
		   void *buf, size_t len)
{
	struct crash_fx *c = a;

	/* The readers' reads are not the recall's steps: straight. */
	return memds_ops.read(c->fd.in, fileid, gen, off, buf, len);
}

static int cw_sync(void *a, uint64_t fileid, uint64_t gen)
{
	struct crash_fx *c = a;

	return fault_data_ops.sync(&c->fd, fileid, gen);
}

static int cw_drop(void *a, uint64_t fileid, uint64_t gen)
{
	struct crash_fx *c = a;

	return fault_data_ops.drop(&c->fd, fileid, gen);
}

static int cw_fence(void *a, uint64_t fileid, uint64_t below)
{
	struct crash_fx *c = a;

	return fault_data_ops.fence(&c->fd, fileid, below);
}

static int cw_create(void *a, uint64_t fileid, uint64_t gen)
{
	struct crash_fx *c = a;

	return fault_data_ops.create(&c->fd, fileid, gen);
}

static const struct tier_data_ops crash_ops = { cw_read, cw_write, cw_sync,
						cw_drop, cw_fence, cw_create };

static void crash_init(struct crash_fx *c, struct fx *x, long limit)
{
	memset(c, 0, sizeof *c);
	c->x = x;
	c->f.limit = limit;
	c->fd = (struct fault_data){ &x->t.ds, &c->f };
	c->fm = (struct fault_meta){ x->t.ns, &c->f };
	fault_backend_init(&c->fb, x->t.b, &c->f);
	c->e = (struct tier_engine){ &c->fb.base, PREFIX, &crash_ops, c,
				     &fault_meta_ops, &c->fm, CHUNK, NULL, NULL,
				     x->parts, NULL, NULL };
}

/* After the crash: a new process (namespace reopened, a new, empty part
 * map), recovery and a drain; the file is cold and whole in the tier,
 * nothing partial left or readable; a new recall brings it back. */
static void restart_and_check(struct fx *x)
{
	struct ns_inode ino;
	struct ns_tier_rel r[4];
	size_t n, jobs;
	uint8_t tmp[16];

	ns_close(x->t.ns);
	x->t.ns = tu_open(x->t.nsdir, 2);
	tier_parts_free(x->parts);
	assert_int_equal(tier_parts_new(&x->parts), 0);
	engines_init(x);
	assert_int_equal(tier_recover(&x->raw, &jobs, NULL), 0);
	assert_int_equal(tier_drain(&x->raw, NULL, NULL, NULL), 0);
	assert_int_equal(x->t.ds.unfenced_drops, 0);
	assert_int_equal(ns_tier_rels(x->t.ns, NULL, r, 4, &n), 0);
	assert_int_equal((int)n, 0);
	ino = tu_getattr(x->t.ns, x->fid);
	if (ino.residency == NS_RES_OFFLOADED) {
		/* no copy of it anywhere, none readable through the map */
		for (size_t i = 0; i < x->t.ds.n; i++)
			assert_true(x->t.ds.c[i].fileid != x->fid);
		assert_int_equal(tier_recall_read(&x->pe, x->fid, 0, tmp,
						  sizeof tmp, &n),
				 -EAGAIN);
		tu_fsck_clean(x->t.ns);
		x->g.allowed = 1000; /* no gate in the way */
		assert_int_equal(tier_recall(&x->pe, x->fid, NULL), 0);
		ino = tu_getattr(x->t.ns, x->fid);
	}
	back_exact(x, &ino);
	tu_fsck_clean(x->t.ns);
}

static void test_crash_mid_recall(void **state)
{
	struct fx *x = *state;
	struct crash_fx c;
	long total;

	crash_init(&c, x, -1);
	assert_int_equal(tier_recall(&c.e, x->fid, NULL), 0);
	total = c.f.steps;
	assert_true(total > NPARTS);
	assert_true(c.served > 0);
	teardown(state);
	for (long k = 0; k <= total; k++) {
		setup(state);
		x = *state;
		crash_init(&c, x, k);
		(void)tier_recall(&c.e, x->fid, NULL);
		assert_true(c.f.dead == (k < total));
		restart_and_check(x);
		if (k < total)
			teardown(state);
	}
	print_message("recall crash points: %ld\n", total + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_order),
		cmocka_unit_test(test_map_end_waits_for_reader),
		cmocka_unit_test_setup_teardown(test_read_in_the_middle,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_mid_recall, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
