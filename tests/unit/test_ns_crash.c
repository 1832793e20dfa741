/*
 * tests/unit/test_ns_crash.c — crash injection in cross-shard operations.
 *
 * For each scenario and each commit point k (0 = before the first commit),
 * build the initial state in a fresh namespace, crash the operation after k
 * commits, reopen (which replays intents), and check: fsck is clean, and the
 * state is exactly the old one (k = 0) or exactly the new one (k >= 1:
 * intents roll forward) -- never a mix, nothing lost or duplicated. The loop
 * ends at the first k where the operation completes; the number of commits
 * proves the operation really spanned the expected number of shards.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "test_ns_util.h"

#define NSHARDS 8
#define OLD 0
#define NEW 1

struct ctx {
	uint64_t d1, d2, a, b, sub;
	char sname[32], tname[32];
};

struct scenario {
	void (*setup)(struct ns *ns, struct ctx *c);
	int (*op)(struct ns *ns, struct ctx *c);
	int (*state)(struct ns *ns, struct ctx *c); /* OLD, NEW or -1 */
	unsigned shards;                            /* shards written */
};

static uint64_t nlink_of(struct ns *ns, uint64_t id)
{
	struct ns_inode ino;

	return ns_getattr(ns, id, &ino) ? 0 : ino.nlink;
}

static int exists(struct ns *ns, uint64_t id)
{
	struct ns_inode ino;

	return ns_getattr(ns, id, &ino) == 0;
}

/* Parent dirs d1 (shard 1) and d2 (shard 2) under the root (shard 0). */
static void two_dirs(struct ns *ns, struct ctx *c)
{
	char n[32];

	tu_name_on_shard(ns, NS_ROOT_FILEID, 1, "d", n, sizeof n);
	c->d1 = tu_create(ns, NS_ROOT_FILEID, n, NS_DIR);
	tu_name_on_shard(ns, NS_ROOT_FILEID, 2, "d", n, sizeof n);
	c->d2 = tu_create(ns, NS_ROOT_FILEID, n, NS_DIR);
	assert_int_equal(ns_fileid_shard(c->d1), 1);
	assert_int_equal(ns_fileid_shard(c->d2), 2);
}

/* ---- A: rename a file across dirs, replacing a doubly linked target ------ */

static void a_setup(struct ns *ns, struct ctx *c)
{
	two_dirs(ns, c);
	tu_name_on_shard(ns, c->d1, 3, "src", c->sname, sizeof c->sname);
	tu_name_on_shard(ns, c->d2, 4, "dst", c->tname, sizeof c->tname);
	c->a = tu_create(ns, c->d1, c->sname, NS_REG);
	c->b = tu_create(ns, c->d2, c->tname, NS_REG);
	assert_int_equal(ns_link(ns, c->b, NS_ROOT_FILEID, "blink", 5, NULL), 0);
	assert_int_equal(ns_note_write(ns, c->a, 111, NULL), 0);
	assert_int_equal(ns_note_write(ns, c->b, 222, NULL), 0);
}

static int a_op(struct ns *ns, struct ctx *c)
{
	uint64_t freed = 1;
	int rc = ns_rename(ns, c->d1, c->sname, strlen(c->sname), c->d2,
			   c->tname, strlen(c->tname), NULL, NULL, &freed);

	if (!rc)
		assert_int_equal(freed, 0);
	return rc;
}

static int a_state(struct ns *ns, struct ctx *c)
{
	uint64_t s = tu_lookup(ns, c->d1, c->sname);
	uint64_t t = tu_lookup(ns, c->d2, c->tname);

	if (tu_lookup(ns, NS_ROOT_FILEID, "blink") != c->b)
		return -1;
	if (s == c->a && t == c->b && nlink_of(ns, c->b) == 2 &&
	    tu_getattr(ns, c->d1).size == 1)
		return OLD;
	if (s == 0 && t == c->a && nlink_of(ns, c->b) == 1 &&
	    nlink_of(ns, c->a) == 1 && tu_getattr(ns, c->d1).size == 0 &&
	    tu_getattr(ns, c->d2).size == 1)
		return NEW;
	return -1;
}

/* ---- B: move a directory across parents over an empty directory ---------- */

static void b_setup(struct ns *ns, struct ctx *c)
{
	two_dirs(ns, c);
	tu_name_on_shard(ns, c->d1, 3, "sub", c->sname, sizeof c->sname);
	tu_name_on_shard(ns, c->d2, 5, "empty", c->tname, sizeof c->tname);
	c->sub = tu_create(ns, c->d1, c->sname, NS_DIR);
	c->a = tu_create(ns, c->sub, "inner", NS_REG);
	c->b = tu_create(ns, c->d2, c->tname, NS_DIR);
}

static int b_op(struct ns *ns, struct ctx *c)
{
	uint64_t freed = 0;
	int rc = ns_rename(ns, c->d1, c->sname, strlen(c->sname), c->d2,
			   c->tname, strlen(c->tname), NULL, NULL, &freed);

	if (!rc)
		assert_int_equal(freed, c->b);
	return rc;
}

static int b_state(struct ns *ns, struct ctx *c)
{
	uint64_t s = tu_lookup(ns, c->d1, c->sname);
	uint64_t t = tu_lookup(ns, c->d2, c->tname);
	struct ns_inode d1 = tu_getattr(ns, c->d1), d2 = tu_getattr(ns, c->d2);

	if (tu_lookup(ns, c->sub, "inner") != c->a)
		return -1;
	if (s == c->sub && t == c->b && d1.nlink == 3 && d2.nlink == 3 &&
	    tu_getattr(ns, c->sub).parent == c->d1)
		return OLD;
	if (s == 0 && t == c->sub && !exists(ns, c->b) && d1.nlink == 2 &&
	    d2.nlink == 3 && d1.size == 0 && d2.size == 1 &&
	    tu_getattr(ns, c->sub).parent == c->d2)
		return NEW;
	return -1;
}

/* ---- C: link a file into another directory on other shards -------------- */

static void c_setup(struct ns *ns, struct ctx *c)
{
	two_dirs(ns, c);
	tu_name_on_shard(ns, c->d1, 3, "f", c->sname, sizeof c->sname);
	tu_name_on_shard(ns, c->d2, 4, "l", c->tname, sizeof c->tname);
	c->a = tu_create(ns, c->d1, c->sname, NS_REG);
}

static int c_op(struct ns *ns, struct ctx *c)
{
	return ns_link(ns, c->a, c->d2, c->tname, strlen(c->tname), NULL);
}

static int c_state(struct ns *ns, struct ctx *c)
{
	uint64_t t = tu_lookup(ns, c->d2, c->tname);

	if (tu_lookup(ns, c->d1, c->sname) != c->a)
		return -1;
	if (t == 0 && nlink_of(ns, c->a) == 1 && tu_getattr(ns, c->d2).size == 0)
		return OLD;
	if (t == c->a && nlink_of(ns, c->a) == 2 &&
	    tu_getattr(ns, c->d2).size == 1)
		return NEW;
	return -1;
}

/* ---- D: remove one of two links; entry, inode, parent on three shards ---- */

static void d_setup(struct ns *ns, struct ctx *c)
{
	c_setup(ns, c);
	assert_int_equal(c_op(ns, c), 0);
}

static int d_op(struct ns *ns, struct ctx *c)
{
	int freed = -1;
	int rc = ns_remove(ns, c->d2, c->tname, strlen(c->tname), NULL, &freed,
			   NULL);

	if (!rc)
		assert_int_equal(freed, 0);
	return rc;
}

static int d_state(struct ns *ns, struct ctx *c)
{
	int s = c_state(ns, c);

	return s == OLD ? NEW : s == NEW ? OLD : -1; /* the reverse of C */
}

/* ---- E: remove the last link, the inode on another shard ---------------- */

static void e_setup(struct ns *ns, struct ctx *c)
{
	d_setup(ns, c);
	assert_int_equal(ns_note_write(ns, c->a, 4096, NULL), 0);
	assert_int_equal(ns_remove(ns, c->d1, c->sname, strlen(c->sname), NULL,
				   NULL, NULL),
			 0);
}

static int e_op(struct ns *ns, struct ctx *c)
{
	int freed = -1;
	int rc = ns_remove(ns, c->d2, c->tname, strlen(c->tname), NULL, &freed,
			   NULL);

	if (!rc)
		assert_int_equal(freed, 1);
	return rc;
}

static int e_state(struct ns *ns, struct ctx *c)
{
	uint64_t t = tu_lookup(ns, c->d2, c->tname);
	struct ns_stats st;

	assert_int_equal(ns_stats(ns, &st), 0);
	if (t == c->a && nlink_of(ns, c->a) == 1 && st.bytes == 4096)
		return OLD;
	if (t == 0 && !exists(ns, c->a) && st.bytes == 0 &&
	    tu_getattr(ns, c->d2).size == 0)
		return NEW;
	return -1;
}

/* ---- F: create with the entry on another shard than the parent ---------- */

static void f_setup(struct ns *ns, struct ctx *c)
{
	two_dirs(ns, c);
	tu_name_on_shard(ns, c->d1, 5, "new", c->sname, sizeof c->sname);
}

static int f_op(struct ns *ns, struct ctx *c)
{
	struct ns_create_args a = { .type = NS_DIR, .mode = 0755 };

	return ns_create(ns, c->d1, c->sname, strlen(c->sname), &a, NULL, NULL);
}

static int f_state(struct ns *ns, struct ctx *c)
{
	uint64_t s = tu_lookup(ns, c->d1, c->sname);
	struct ns_inode d1 = tu_getattr(ns, c->d1);

	if (s == 0 && d1.size == 0 && d1.nlink == 2)
		return OLD;
	if (s != 0 && ns_fileid_shard(s) == 5 && d1.size == 1 && d1.nlink == 3)
		return NEW;
	return -1;
}

/* ---- G: remove an empty directory living on another shard --------------- */

static void g_setup(struct ns *ns, struct ctx *c)
{
	f_setup(ns, c);
	assert_int_equal(f_op(ns, c), 0);
}

static int g_op(struct ns *ns, struct ctx *c)
{
	return ns_remove(ns, c->d1, c->sname, strlen(c->sname), NULL, NULL, NULL);
}

static int g_state(struct ns *ns, struct ctx *c)
{
	int s = f_state(ns, c);

	return s == OLD ? NEW : s == NEW ? OLD : -1;
}

/* ---- harness ------------------------------------------------------------ */

/* Returns 1 when the operation ran to completion at this step. */
static int run_step(const struct scenario *sc, int step)
{
	char *dir = tu_mkdtemp();
	struct ns *ns = tu_open(dir, NSHARDS);
	struct ns_create_args a = { .type = NS_REG, .mode = 0644 };
	struct ctx c = { 0 };
	int rc, crashed;

	assert_int_equal(ns_test_set_nosync(ns, 1), 0);
	sc->setup(ns, &c);
	tu_fsck_clean(ns);
	assert_int_equal(sc->state(ns, &c), OLD);

	ns_test_crash_after(ns, step);
	rc = sc->op(ns, &c);
	crashed = ns_test_crashed(ns);
	ns_test_crash_after(ns, -1);
	if (!crashed) {
		assert_int_equal(rc, 0);
		assert_int_equal(sc->state(ns, &c), NEW);
		tu_fsck_clean(ns);
		ns_close(ns);
		tu_rmrf(dir);
		return 1;
	}
	assert_int_equal(rc, -EIO);
	/* a dead namespace refuses mutations until reopened */
	assert_int_equal(ns_create(ns, NS_ROOT_FILEID, "after", 5, &a, NULL, NULL),
			 -EIO);
	ns_close(ns);

	ns = tu_open(dir, 0);
	assert_int_equal(ns_replayed_intents(ns), step == 0 ? 0 : 1);
	tu_fsck_clean(ns);
	assert_int_equal(sc->state(ns, &c), step == 0 ? OLD : NEW);
	/* and it works on */
	assert_int_equal(ns_create(ns, NS_ROOT_FILEID, "after", 5, &a, NULL, NULL),
			 0);
	tu_fsck_clean(ns);
	ns_close(ns);
	tu_rmrf(dir);
	return 0;
}

static void run_scenario(const struct scenario *sc)
{
	int step = 0;

	while (!run_step(sc, step))
		step++;
	/* W shards written: W + 1 commits, so crash points 0..W */
	assert_int_equal(step, sc->shards + 1);
}

static void test_rename_file(void **state)
{
	static const struct scenario sc = { a_setup, a_op, a_state, 4 };
	(void)state;
	run_scenario(&sc);
}

static void test_rename_dir(void **state)
{
	static const struct scenario sc = { b_setup, b_op, b_state, 4 };
	(void)state;
	run_scenario(&sc);
}

static void test_link(void **state)
{
	static const struct scenario sc = { c_setup, c_op, c_state, 3 };
	(void)state;
	run_scenario(&sc);
}

static void test_remove_link(void **state)
{
	static const struct scenario sc = { d_setup, d_op, d_state, 3 };
	(void)state;
	run_scenario(&sc);
}

static void test_remove_last(void **state)
{
	static const struct scenario sc = { e_setup, e_op, e_state, 3 };
	(void)state;
	run_scenario(&sc);
}

static void test_create(void **state)
{
	static const struct scenario sc = { f_setup, f_op, f_state, 2 };
	(void)state;
	run_scenario(&sc);
}

static void test_rmdir(void **state)
{
	static const struct scenario sc = { g_setup, g_op, g_state, 2 };
	(void)state;
	run_scenario(&sc);
}

/*
 * A commit that fails with an I/O error (no crash): the coordinator's failure
 * leaves the old state; a later shard's failure is repaired at once from the
 * intent (new state); a failure to clear the intent leaves the operation done
 * but the namespace refusing mutations until reopened.
 */
static void fail_step(const struct scenario *sc, int step, unsigned w)
{
	char *dir = tu_mkdtemp();
	struct ns *ns = tu_open(dir, NSHARDS);
	struct ns_create_args a = { .type = NS_REG, .mode = 0644 };
	struct ctx c = { 0 };
	int rc;

	assert_int_equal(ns_test_set_nosync(ns, 1), 0);
	sc->setup(ns, &c);
	ns_test_fail_commit(ns, step);
	rc = sc->op(ns, &c);
	ns_test_crash_after(ns, -1);
	assert_int_equal(rc, step == 0 ? -EIO : 0);
	assert_int_equal(sc->state(ns, &c), step == 0 ? OLD : NEW);
	rc = ns_create(ns, NS_ROOT_FILEID, "after", 5, &a, NULL, NULL);
	assert_int_equal(rc, (unsigned)step == w ? -EIO : 0);
	if ((unsigned)step != w)
		tu_fsck_clean(ns);
	ns_close(ns);
	ns = tu_open(dir, 0);
	assert_int_equal(ns_replayed_intents(ns), (unsigned)step == w ? 1 : 0);
	tu_fsck_clean(ns);
	assert_int_equal(sc->state(ns, &c), step == 0 ? OLD : NEW);
	ns_close(ns);
	tu_rmrf(dir);
}

static void test_commit_errors(void **state)
{
	static const struct scenario sc = { a_setup, a_op, a_state, 4 };

	(void)state;
	for (int step = 0; step <= 4; step++)
		fail_step(&sc, step, sc.shards);
}

/* A single-shard operation has one commit: crash before it = old state. */
static void test_single_shard(void **state)
{
	char *dir = tu_mkdtemp();
	struct ns *ns = tu_open(dir, NSHARDS);
	struct ns_inode a = { .mode = 0600 }, before;
	uint64_t x;
	char name[32];

	(void)state;
	tu_name_on_shard(ns, NS_ROOT_FILEID, 0, "x", name, sizeof name);
	x = tu_create(ns, NS_ROOT_FILEID, name, NS_REG);
	assert_int_equal(ns_fileid_shard(x), 0);
	before = tu_getattr(ns, x);
	ns_test_crash_after(ns, 0);
	assert_int_equal(ns_setattr(ns, x, NS_SET_MODE, &a, NULL), -EIO);
	assert_true(ns_test_crashed(ns));
	ns_close(ns);
	ns = tu_open(dir, 0);
	assert_int_equal(ns_replayed_intents(ns), 0);
	assert_int_equal(tu_getattr(ns, x).mode, before.mode);
	ns_test_crash_after(ns, 1); /* one commit is allowed: completes */
	assert_int_equal(ns_setattr(ns, x, NS_SET_MODE, &a, NULL), 0);
	assert_false(ns_test_crashed(ns));
	ns_test_crash_after(ns, -1);
	assert_int_equal(tu_getattr(ns, x).mode, 0600);
	tu_fsck_clean(ns);
	ns_close(ns);
	tu_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rename_file),
		cmocka_unit_test(test_rename_dir),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_remove_link),
		cmocka_unit_test(test_remove_last),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_rmdir),
		cmocka_unit_test(test_single_shard),
		cmocka_unit_test(test_commit_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
