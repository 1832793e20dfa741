/*
 * tests/unit/test_ns_threads.c — many threads mutate one namespace at once
 * (creates, links, removes, renames of files and directories across parents
 * and shards). Every call must succeed or fail with an expected errno, and
 * the result must pass fsck. Exercises the shard lock ordering and restarts.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "test_ns_util.h"

#define NSHARDS 8
#define NTHREADS 4
#define NDIRS 6
#define NNAMES 12
#define OPS 600

struct shared {
	struct ns *ns;
	uint64_t dirs[NDIRS];
	atomic_int bad; /* unexpected errors */
	atomic_int ok;  /* successful calls */
	atomic_int done;
};

struct worker {
	struct shared *sh;
	unsigned seed;
	int id;
};

static int expected(int rc)
{
	return rc == 0 || rc == -ENOENT || rc == -EEXIST || rc == -ENOTEMPTY ||
	       rc == -EINVAL || rc == -ENOTDIR || rc == -EISDIR;
}

static void pick_name(struct worker *w, char *buf, size_t sz)
{
	snprintf(buf, sz, "n%u", (unsigned)rand_r(&w->seed) % NNAMES);
}

static uint64_t pick_dir(struct worker *w)
{
	return w->sh->dirs[(unsigned)rand_r(&w->seed) % NDIRS];
}

static int one_op(struct worker *w)
{
	struct ns *ns = w->sh->ns;
	char a[16], b[16];
	uint64_t da = pick_dir(w), db = pick_dir(w), id;
	struct ns_create_args ca = { .type = NS_REG, .mode = 0644 };

	pick_name(w, a, sizeof a);
	pick_name(w, b, sizeof b);
	switch ((unsigned)rand_r(&w->seed) % 7) {
	case 0:
		return ns_create(ns, da, a, strlen(a), &ca, NULL, NULL);
	case 1:
		ca.type = NS_DIR;
		return ns_create(ns, da, a, strlen(a), &ca, NULL, NULL);
	case 2:
		return ns_remove(ns, da, a, strlen(a), NULL, NULL, NULL);
	case 3:
		if (ns_lookup(ns, da, a, strlen(a), &id))
			return 0;
		return ns_link(ns, id, db, b, strlen(b), NULL);
	case 4:
	case 5:
		return ns_rename(ns, da, a, strlen(a), db, b, strlen(b), NULL,
				 NULL, NULL);
	default: {
		/* move a whole top-level work dir under another one and back:
		 * concurrent loops must be refused, never created */
		int rc = ns_rename(ns, NS_ROOT_FILEID, "w0", 2, db, "moved", 5,
				   NULL, NULL, NULL);
		if (rc == 0)
			rc = ns_rename(ns, db, "moved", 5, NS_ROOT_FILEID, "w0",
				       2, NULL, NULL, NULL);
		return rc;
	}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < OPS; i++) {
		int rc = one_op(w);
		if (rc == 0)
			atomic_fetch_add(&w->sh->ok, 1);
		if (!expected(rc)) {
			fprintf(stderr, "thread %d: unexpected %d\n", w->id, rc);
			atomic_fetch_add(&w->sh->bad, 1);
		}
	}
	atomic_fetch_add(&w->sh->done, 1);
	return NULL;
}

static void test_concurrent_mutations(void **state)
{
	char *dir = tu_mkdtemp();
	struct shared sh = { 0 };
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];

	(void)state;
	sh.ns = tu_open(dir, NSHARDS);
	assert_int_equal(ns_test_set_nosync(sh.ns, 1), 0);
	sh.dirs[0] = tu_create(sh.ns, NS_ROOT_FILEID, "w0", NS_DIR);
	for (int i = 1; i < NDIRS; i++) {
		char name[16];
		snprintf(name, sizeof name, "w%d", i);
		/* w1..w3 at the top, the rest nested inside w0 */
		sh.dirs[i] = tu_create(sh.ns, i < 4 ? NS_ROOT_FILEID : sh.dirs[0],
				       name, NS_DIR);
	}
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .sh = &sh, .seed = 1234u + (unsigned)i,
					.id = i };
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]),
				 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&sh.done), NTHREADS);
	assert_int_equal(atomic_load(&sh.bad), 0);
	fprintf(stderr, "%d of %d calls succeeded; %lu lock-order restarts\n",
		atomic_load(&sh.ok), NTHREADS * OPS, ns_test_restarts(sh.ns));
	assert_true(atomic_load(&sh.ok) > NTHREADS * OPS / 5);
	tu_fsck_clean(sh.ns);
	ns_close(sh.ns);
	/* and after a reopen */
	sh.ns = tu_open(dir, 0);
	tu_fsck_clean(sh.ns);
	ns_close(sh.ns);
	tu_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
