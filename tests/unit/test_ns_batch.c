/*
 * tests/unit/test_ns_batch.c — group commit (ns_batch_begin/end, ns.h):
 * what the owner and other threads see, failure isolation, lock order with
 * another writer, and atomicity of a batch across a crash at every commit.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ns_test.h"
#include "test_ns_util.h"

#define NSHARDS 8

struct fx {
	char *dir;
	struct ns *ns;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	f->dir = tu_mkdtemp();
	f->ns = tu_open(f->dir, NSHARDS);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->ns)
		tu_fsck_clean(f->ns);
	ns_close(f->ns);
	tu_rmrf(f->dir);
	free(f);
	return 0;
}

static int create_rc(struct ns *ns, uint64_t parent, const char *name)
{
	struct ns_create_args a = { .type = NS_REG, .mode = 0644,
				    .exclusive = 1 };
	struct ns_inode out;

	return ns_create(ns, parent, name, strlen(name), &a, &out, NULL);
}

/* ---- another thread's view ---------------------------------------------- */

struct peek {
	struct ns *ns;
	const char *name;
	int lookup_rc;
	int create_rc;
	const char *create_name;
};

static void *peek_main(void *arg)
{
	struct peek *p = arg;
	uint64_t id;

	p->lookup_rc = ns_lookup(p->ns, NS_ROOT_FILEID, p->name,
				 strlen(p->name), &id);
	if (p->create_name)
		p->create_rc = create_rc(p->ns, NS_ROOT_FILEID, p->create_name);
	return NULL;
}

static int lookup_from_other_thread(struct ns *ns, const char *name)
{
	struct peek p = { .ns = ns, .name = name };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, peek_main, &p), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	return p.lookup_rc;
}

/* The owner sees its batch at once; another thread only after the end. */
static void test_visibility(void **state)
{
	struct fx *f = *state;
	struct ns_inode root;

	assert_int_equal(ns_batch_begin(f->ns), 0);
	assert_int_equal(ns_batch_begin(f->ns), -EBUSY);
	uint64_t a = tu_create(f->ns, NS_ROOT_FILEID, "a", NS_REG);
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	tu_create(f->ns, d, "inner", NS_REG);
	assert_int_equal(ns_batch_ops(f->ns), 3);
	assert_int_equal(tu_lookup(f->ns, NS_ROOT_FILEID, "a"), a);
	assert_true(tu_lookup(f->ns, d, "inner") != 0);
	root = tu_getattr(f->ns, NS_ROOT_FILEID);
	assert_int_equal(root.size, 2);
	assert_int_equal(root.nlink, 3);
	assert_int_equal(lookup_from_other_thread(f->ns, "a"), -ENOENT);
	assert_int_equal(lookup_from_other_thread(f->ns, "d"), -ENOENT);

	assert_int_equal(ns_batch_end(f->ns), 0);
	assert_int_equal(ns_batch_ops(f->ns), 0);
	assert_int_equal(ns_batch_end(f->ns), -EINVAL);
	assert_int_equal(lookup_from_other_thread(f->ns, "a"), 0);
	assert_int_equal(lookup_from_other_thread(f->ns, "d"), 0);

	/* durable: a fresh open sees all of it */
	ns_close(f->ns);
	f->ns = tu_open(f->dir, NSHARDS);
	assert_int_equal(tu_lookup(f->ns, NS_ROOT_FILEID, "a"), a);
	assert_true(tu_lookup(f->ns, d, "inner") != 0);
	assert_int_equal(tu_getattr(f->ns, NS_ROOT_FILEID).size, 2);
}

/* A failing call leaves nothing behind; the calls around it stay. */
static void test_failure_isolated(void **state)
{
	struct fx *f = *state;
	struct ns_inode gone;
	int freed = 0;

	tu_create(f->ns, NS_ROOT_FILEID, "before", NS_REG);
	assert_int_equal(ns_batch_begin(f->ns), 0);
	tu_create(f->ns, NS_ROOT_FILEID, "x", NS_REG);
	assert_int_equal(create_rc(f->ns, NS_ROOT_FILEID, "x"), -EEXIST);
	assert_int_equal(create_rc(f->ns, NS_ROOT_FILEID, "before"), -EEXIST);
	assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, "nope", 4, &gone,
				   &freed, NULL),
			 -ENOENT);
	assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, "before", 6, &gone,
				   &freed, NULL),
			 0);
	assert_int_equal(freed, 1);
	tu_create(f->ns, NS_ROOT_FILEID, "y", NS_REG);
	assert_int_equal(ns_batch_ops(f->ns), 3);
	assert_int_equal(ns_batch_end(f->ns), 0);

	ns_close(f->ns);
	f->ns = tu_open(f->dir, NSHARDS);
	assert_true(tu_lookup(f->ns, NS_ROOT_FILEID, "x") != 0);
	assert_true(tu_lookup(f->ns, NS_ROOT_FILEID, "y") != 0);
	assert_int_equal(tu_lookup(f->ns, NS_ROOT_FILEID, "before"), 0);
	assert_int_equal(tu_getattr(f->ns, NS_ROOT_FILEID).size, 2);
}

/*
 * Another thread's mutation of a shard the batch holds waits for the batch
 * (it cannot see or overwrite half of it), then runs on the committed state:
 * its exclusive create of a name the batch created fails.
 */
static void test_other_writer_waits(void **state)
{
	struct fx *f = *state;
	struct peek p = { .ns = f->ns, .name = "m", .create_name = "m" };
	pthread_t t;

	assert_int_equal(ns_batch_begin(f->ns), 0);
	tu_create(f->ns, NS_ROOT_FILEID, "m", NS_REG);
	assert_int_equal(pthread_create(&t, NULL, peek_main, &p), 0);
	/* The batch ends while the other thread may be blocked on a shard
	 * lock or not have started: either way it must see all of it. */
	for (int i = 0; i < 50; i++) {
		char n[16];
		snprintf(n, sizeof n, "more-%d", i);
		tu_create(f->ns, NS_ROOT_FILEID, n, NS_REG);
	}
	assert_int_equal(ns_batch_end(f->ns), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	/* its lookup ran without waiting: before or after the commit */
	assert_true(p.lookup_rc == 0 || p.lookup_rc == -ENOENT);
	assert_int_equal(p.create_rc, -EEXIST);
	assert_int_equal(tu_getattr(f->ns, NS_ROOT_FILEID).size, 51);
}

/* Many cross-shard operations, a rename and removes in one batch: fsck
 * clean and every result there after reopening. */
static void test_many(void **state)
{
	struct fx *f = *state;
	char n[32], m[32];
	struct ns_inode gone;
	int freed;

	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "dir", NS_DIR);
	assert_int_equal(ns_batch_begin(f->ns), 0);
	for (int i = 0; i < 300; i++) {
		snprintf(n, sizeof n, "f%d", i);
		tu_create(f->ns, d, n, NS_REG);
	}
	for (int i = 0; i < 300; i += 3) {
		snprintf(n, sizeof n, "f%d", i);
		assert_int_equal(ns_remove(f->ns, d, n, strlen(n), &gone,
					   &freed, NULL),
				 0);
	}
	for (int i = 1; i < 300; i += 3) {
		snprintf(n, sizeof n, "f%d", i);
		snprintf(m, sizeof m, "g%d", i);
		assert_int_equal(ns_rename(f->ns, d, n, strlen(n),
					   NS_ROOT_FILEID, m, strlen(m), NULL,
					   NULL, NULL),
				 0);
	}
	assert_int_equal(ns_batch_end(f->ns), 0);
	tu_fsck_clean(f->ns);
	ns_close(f->ns);
	f->ns = tu_open(f->dir, NSHARDS);
	assert_int_equal(tu_getattr(f->ns, d).size, 100);
	assert_int_equal(tu_getattr(f->ns, NS_ROOT_FILEID).size, 101);
	assert_true(tu_lookup(f->ns, NS_ROOT_FILEID, "g4") != 0);
	assert_true(tu_lookup(f->ns, d, "f5") != 0);
	assert_int_equal(tu_lookup(f->ns, d, "f3"), 0);
	assert_int_equal(tu_lookup(f->ns, d, "f4"), 0);
}

/*
 * One crash round: a fresh namespace (ENVS environments, 0: one per shard)
 * with directory "d", a batch creating c0..c23 in it, a crash after K
 * commits, a reopen (intent replay) and fsck. Returns how many of the 24
 * names are there; *COMPLETED is 1 when the batch committed before the
 * crash point.
 */
static int crash_round(unsigned envs, int k, int *completed)
{
	char *dir = tu_mkdtemp(), n[32];
	struct ns *ns = NULL;
	int present = 0, rc;

	assert_int_equal(ns_open_ex(&ns, dir, NSHARDS, envs), 0);
	uint64_t d = tu_create(ns, NS_ROOT_FILEID, "d", NS_DIR);
	assert_int_equal(ns_batch_begin(ns), 0);
	for (int i = 0; i < 24; i++) {
		snprintf(n, sizeof n, "c%d", i);
		tu_create(ns, d, n, NS_REG);
	}
	ns_test_crash_after(ns, k);
	rc = ns_batch_end(ns);
	*completed = rc == 0;
	if (!*completed) {
		assert_int_equal(rc, -EIO);
		assert_int_equal(ns_test_crashed(ns), 1);
	}
	ns_close(ns);
	ns = NULL;
	assert_int_equal(ns_open_ex(&ns, dir, NSHARDS, envs), 0);
	tu_fsck_clean(ns);
	for (int i = 0; i < 24; i++) {
		snprintf(n, sizeof n, "c%d", i);
		present += tu_lookup(ns, d, n) != 0;
	}
	assert_int_equal(tu_getattr(ns, d).size, (uint64_t)present);
	ns_close(ns);
	tu_rmrf(dir);
	return present;
}

/*
 * A batch across several shards is one unit across a crash: crash after k
 * commits for every k; after reopening (intent replay) fsck is clean and
 * either none of the batch is there (k = 0) or all of it.
 */
static void test_crash_all_or_nothing(void **state)
{
	struct fx *f = *state;
	int k, completed = 0;

	ns_close(f->ns);
	f->ns = NULL;
	for (k = 0; k < 20 && !completed; k++) {
		int present = crash_round(0, k, &completed);
		assert_int_equal(present, (k == 0 && !completed) ? 0 : 24);
	}
	assert_true(completed);
	/* 24 names over 8 shards: several shards written, so the batch
	 * took an intent: coordinator, the others, the clear. */
	assert_true(k >= 4);
}

/* ---- shards grouped in fewer environments (ns_open_ex) ------------------ */

static struct ns *open_envs(const char *dir, unsigned envs)
{
	struct ns *ns = NULL;

	assert_int_equal(ns_open_ex(&ns, dir, NSHARDS, envs), 0);
	return ns;
}

/* 8 shards in 3 environments: cross-shard operations, a batch, the
 * persisted layout, fsck; every name where it should be after reopening. */
static void test_envs_layout(void **state)
{
	struct fx *f = *state;
	char *dir = tu_mkdtemp(), n[32], m[32];
	struct ns *ns = open_envs(dir, 3), *other = NULL;
	struct ns_inode gone;
	int freed;

	(void)f;
	assert_int_equal(ns_nenvs(ns), 3);
	uint64_t d = tu_create(ns, NS_ROOT_FILEID, "d", NS_DIR);
	for (int i = 0; i < 40; i++) {
		snprintf(n, sizeof n, "f%d", i);
		tu_create(ns, d, n, NS_REG);
	}
	assert_int_equal(ns_batch_begin(ns), 0);
	for (int i = 0; i < 40; i += 2) {
		snprintf(n, sizeof n, "f%d", i);
		snprintf(m, sizeof m, "g%d", i);
		assert_int_equal(ns_rename(ns, d, n, strlen(n), NS_ROOT_FILEID,
					   m, strlen(m), NULL, NULL, NULL),
				 0);
	}
	for (int i = 1; i < 40; i += 4) {
		snprintf(n, sizeof n, "f%d", i);
		assert_int_equal(ns_remove(ns, d, n, strlen(n), &gone, &freed,
					   NULL),
				 0);
	}
	assert_int_equal(ns_batch_end(ns), 0);
	tu_fsck_clean(ns);
	ns_close(ns);

	/* persisted: 8 shards in 3 environments, whatever is asked now */
	assert_int_equal(ns_open_ex(&other, dir, NSHARDS, 2), 0);
	assert_int_equal(ns_nenvs(other), 3);
	ns_close(other);
	assert_int_equal(ns_open_ex(&other, dir, NSHARDS + 1, 3), -EINVAL);
	assert_int_equal(ns_open(&other, dir, 0), 0);
	assert_int_equal(ns_nshards(other), NSHARDS);
	assert_int_equal(ns_nenvs(other), 3);
	tu_fsck_clean(other);
	assert_int_equal(tu_getattr(other, d).size, 10);
	assert_int_equal(tu_getattr(other, NS_ROOT_FILEID).size, 21);
	assert_true(tu_lookup(other, NS_ROOT_FILEID, "g38") != 0);
	assert_true(tu_lookup(other, d, "f3") != 0);
	assert_int_equal(tu_lookup(other, d, "f5"), 0);
	ns_close(other);
	tu_rmrf(dir);
}

/* One environment: any operation, however many shards it touches, is one
 * commit — a crash before it leaves nothing, no intent is ever written. */
static void test_one_env_one_commit(void **state)
{
	struct fx *f = *state;
	char *dir = tu_mkdtemp(), n[32];
	struct ns *ns = open_envs(dir, 1);

	(void)f;
	uint64_t d = tu_create(ns, NS_ROOT_FILEID, "d", NS_DIR);
	/* an entry on another shard than its directory: was 3 commits */
	tu_name_on_shard(ns, d, (ns_fileid_shard(d) + 1) % NSHARDS, "x", n,
			 sizeof n);
	ns_test_crash_after(ns, 0);
	assert_int_equal(create_rc(ns, d, n), -EIO);
	ns_close(ns);
	ns = open_envs(dir, 1);
	assert_int_equal(ns_replayed_intents(ns), 0);
	assert_int_equal(tu_lookup(ns, d, n), 0);
	ns_test_crash_after(ns, 1); /* one commit is all it takes */
	assert_int_equal(create_rc(ns, d, n), 0);
	assert_int_equal(ns_test_crashed(ns), 0);
	ns_test_crash_after(ns, -1);
	ns_close(ns);
	ns = open_envs(dir, 1);
	assert_true(tu_lookup(ns, d, n) != 0);
	assert_int_equal(tu_getattr(ns, d).size, 1);
	tu_fsck_clean(ns);
	ns_close(ns);
	tu_rmrf(dir);
}

/* A batch over 3 environments is still all or nothing across a crash. */
static void test_envs_crash(void **state)
{
	struct fx *f = *state;
	int k, completed = 0;

	(void)f;
	for (k = 0; k < 10 && !completed; k++) {
		int present = crash_round(3, k, &completed);
		assert_int_equal(present, (k == 0 && !completed) ? 0 : 24);
	}
	assert_true(completed);
	assert_int_equal(k, 5); /* 3 environments: intent + 2 others + clear */
}

/* ---- durable answers (ns_answer_*) -------------------------------------- */

static int answer_is(struct ns *ns, const char *key, const char *want)
{
	void *v = NULL;
	size_t n = 0;
	int rc = ns_answer_get(ns, key, strlen(key), want, 1, &v, &n);

	if (rc == 0)
		rc = n == strlen(want) && !memcmp(v, want, n) ? 0 : -EBADMSG;
	free(v);
	return rc;
}

/* An answer stored in a batch with a create lands with it or not at all
 * (crash before the batch's commit: neither; after: both, found from any
 * shard), a put replaces, a drop by prefix removes only its keys. */
static void test_answers(void **state)
{
	struct fx *f = *state;
	char n[32];
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	unsigned s = (ns_fileid_shard(d) + 1) % NSHARDS;

	tu_name_on_shard(f->ns, d, s, "a", n, sizeof n);
	assert_int_equal(answer_is(f->ns, "c1/s1", "x"), -ENOENT);
	/* a crash at the batch's first commit: neither the entry nor the
	 * answer */
	assert_int_equal(ns_batch_begin(f->ns), 0);
	assert_int_equal(create_rc(f->ns, d, n), 0);
	assert_int_equal(ns_answer_put(f->ns, s, "c1/s1", 5, "made", 4), 0);
	assert_int_equal(answer_is(f->ns, "c1/s1", "made"), 0); /* its batch */
	ns_test_crash_after(f->ns, 0);
	assert_int_equal(ns_batch_end(f->ns), -EIO);
	ns_close(f->ns);
	f->ns = tu_open(f->dir, NSHARDS);
	assert_int_equal(tu_lookup(f->ns, d, n), 0);
	assert_int_equal(answer_is(f->ns, "c1/s1", "made"), -ENOENT);
	/* committed: both, after a reopen */
	assert_int_equal(ns_batch_begin(f->ns), 0);
	assert_int_equal(create_rc(f->ns, d, n), 0);
	assert_int_equal(ns_answer_put(f->ns, s, "c1/s1", 5, "made", 4), 0);
	assert_int_equal(ns_batch_end(f->ns), 0);
	assert_int_equal(ns_answer_put(f->ns, 0, "c1/s2", 5, "two", 3), 0);
	assert_int_equal(ns_answer_put(f->ns, 2, "c2/s1", 5, "other", 5), 0);
	ns_close(f->ns);
	f->ns = tu_open(f->dir, NSHARDS);
	assert_true(tu_lookup(f->ns, d, n) != 0);
	assert_int_equal(answer_is(f->ns, "c1/s1", "made"), 0);
	assert_int_equal(ns_answer_put(f->ns, s, "c1/s1", 5, "again", 5), 0);
	assert_int_equal(answer_is(f->ns, "c1/s1", "again"), 0);
	assert_int_equal(ns_answer_drop(f->ns, "c1/", 3), 0);
	assert_int_equal(answer_is(f->ns, "c1/s1", "again"), -ENOENT);
	assert_int_equal(answer_is(f->ns, "c1/s2", "two"), -ENOENT);
	assert_int_equal(answer_is(f->ns, "c2/s1", "other"), 0);
	/* the same key on two shards: each answer is found by its leading
	 * bytes, whichever shard it is on */
	assert_int_equal(ns_answer_put(f->ns, 1, "c3", 2, "1-old", 5), 0);
	assert_int_equal(ns_answer_put(f->ns, 5, "c3", 2, "2-new", 5), 0);
	assert_int_equal(answer_is(f->ns, "c3", "2-new"), 0);
	assert_int_equal(answer_is(f->ns, "c3", "1-old"), 0);
	assert_int_equal(answer_is(f->ns, "c3", "3-none"), -ENOENT);
	assert_int_equal(ns_answer_drop(f->ns, "c3", 2), 0);
	assert_int_equal(answer_is(f->ns, "c3", "2-new"), -ENOENT);
	assert_int_equal(answer_is(f->ns, "c3", "1-old"), -ENOENT);
	assert_int_equal(ns_answer_put(f->ns, NSHARDS, "k", 1, "v", 1),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_visibility, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failure_isolated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_other_writer_waits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_all_or_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_envs_layout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_one_env_one_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_envs_crash, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
