/*
 * tests/unit/test_tier_totals.c — residency totals (issue 16): a
 * directory's subtree walked for `strata residency DIR`
 * (pnfs/ctl_tier_walk.h) over a real namespace: files per state and
 * their bytes, bytes on the data servers and in the tier, a file with two
 * links counted once, a directory larger than one listing chunk, what is
 * outside the directory not counted; and the namespace's counters of
 * files per residency state (ns_res_counts(), decision 0034) equal to a
 * recount through every kind of change, counted when a shard made before
 * them is opened, a wrong one reported by fsck and by the online check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_tier_walk.h"
#include "ns.h"
#include "ns_tier.h"
#include "test_ns_util.h"

struct fixture {
	char *dir;
	struct ns *ns;
	uint64_t d, sub, a, b, c, j;
};

/*
 * /d/a          1000 B local
 * /d/b          2000 B both, also linked as /d/sub/link
 * /d/sub/c      3000 B offloaded
 * /d/sub/j       400 B local, an offload job under way
 * /d/sub/deep/  empty directory
 * /d/sub/ln     a symbolic link
 * /d/many/      300 empty local files (more than one listing chunk)
 * /out          5000 B local, outside /d
 */
static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct ns_tier_job job;
	uint64_t many;
	char name[32];

	assert_non_null(fx);
	fx->dir = tu_mkdtemp();
	fx->ns = tu_open(fx->dir, 4);
	fx->d = tu_create(fx->ns, NS_ROOT_FILEID, "d", NS_DIR);
	fx->sub = tu_create(fx->ns, fx->d, "sub", NS_DIR);
	(void)tu_create(fx->ns, fx->sub, "deep", NS_DIR);
	fx->a = tu_make_file(fx->ns, fx->d, "a", 1000);
	fx->b = tu_make_file(fx->ns, fx->d, "b", 2000);
	fx->c = tu_make_file(fx->ns, fx->sub, "c", 3000);
	fx->j = tu_make_file(fx->ns, fx->sub, "j", 400);
	(void)tu_make_file(fx->ns, NS_ROOT_FILEID, "out", 5000);
	assert_int_equal(ns_link(fx->ns, fx->b, fx->sub, "link", 4, NULL), 0);
	(void)tu_create(fx->ns, fx->sub, "ln", NS_FIFO);
	tu_offload(fx->ns, fx->b);
	tu_offload(fx->ns, fx->c);
	tu_release(fx->ns, fx->c);
	assert_int_equal(ns_tier_offload_begin(fx->ns, fx->j, &job), 0);
	many = tu_create(fx->ns, fx->d, "many", NS_DIR);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		(void)tu_create(fx->ns, many, name, NS_REG);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	ns_close(fx->ns);
	tu_rmrf(fx->dir);
	free(fx);
	return 0;
}

static void test_walk_totals(void **state)
{
	struct fixture *fx = *state;
	ctl_tier_totals t;

	assert_int_equal(ctl_tier_walk(fx->ns, fx->d, &t), 0);
	assert_int_equal(t.files[NS_RES_LOCAL], 2 + 300); /* a, j, many/ */
	assert_int_equal(t.bytes[NS_RES_LOCAL], 1400);
	assert_int_equal(t.files[NS_RES_BOTH], 1); /* b, two links */
	assert_int_equal(t.bytes[NS_RES_BOTH], 2000);
	assert_int_equal(t.files[NS_RES_OFFLOADED], 1);
	assert_int_equal(t.bytes[NS_RES_OFFLOADED], 3000);
	assert_int_equal(t.ds_bytes, 1000 + 400 + 2000);
	assert_int_equal(t.tier_bytes, 2000 + 3000);
	assert_int_equal(t.dirs, 3); /* sub, sub/deep, many */
	assert_int_equal(t.others, 1);
	assert_int_equal(t.jobs, 1);
	assert_int_equal(t.skipped, 0);
}

static void test_walk_subdir_and_empty(void **state)
{
	struct fixture *fx = *state;
	ctl_tier_totals t;

	assert_int_equal(ctl_tier_walk(fx->ns, fx->sub, &t), 0);
	assert_int_equal(t.files[NS_RES_LOCAL], 1);
	assert_int_equal(t.files[NS_RES_BOTH], 1); /* sub/link */
	assert_int_equal(t.files[NS_RES_OFFLOADED], 1);
	assert_int_equal(t.dirs, 1);
	assert_int_equal(t.ds_bytes, 400 + 2000);
	assert_int_equal(t.tier_bytes, 5000);

	/* The root: everything, /out too. */
	assert_int_equal(ctl_tier_walk(fx->ns, NS_ROOT_FILEID, &t), 0);
	assert_int_equal(t.files[NS_RES_LOCAL], 3 + 300);
	assert_int_equal(t.bytes[NS_RES_LOCAL], 6400);
	assert_int_equal(t.dirs, 4);
}

/* The kept counters against the walk of the whole namespace. */
static void assert_counters_exact(struct ns *ns)
{
	struct ns_res_counts c;
	ctl_tier_totals t;

	assert_int_equal(ns_res_counts(ns, &c), 0);
	assert_int_equal(ctl_tier_walk(ns, NS_ROOT_FILEID, &t), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(c.files[i], t.files[i]);
		assert_int_equal(c.bytes[i], t.bytes[i]);
	}
	tu_fsck_clean(ns);
}

static void test_counters_kept(void **state)
{
	struct fixture *fx = *state;
	struct ns_res_counts c;
	struct ns_tier_job job;
	struct ns_tier_obj obj;
	struct ns_inode a;

	assert_counters_exact(fx->ns);
	assert_int_equal(ns_res_counts(fx->ns, &c), 0);
	assert_int_equal(c.files[NS_RES_LOCAL], 3 + 300);
	assert_int_equal(c.bytes[NS_RES_LOCAL], 6400);
	assert_int_equal(c.files[NS_RES_BOTH], 1);
	assert_int_equal(c.bytes[NS_RES_BOTH], 2000);
	assert_int_equal(c.files[NS_RES_OFFLOADED], 1);
	assert_int_equal(c.bytes[NS_RES_OFFLOADED], 3000);

	/* BOTH -> OFFLOADED, OFFLOADED -> BOTH (a recall) */
	tu_release(fx->ns, fx->b);
	assert_counters_exact(fx->ns);
	assert_int_equal(ns_tier_recall_begin(fx->ns, fx->c, &job, &obj), 0);
	assert_int_equal(ns_tier_recall_commit(fx->ns, &job), 0);
	assert_counters_exact(fx->ns);
	assert_int_equal(ns_res_counts(fx->ns, &c), 0);
	assert_int_equal(c.files[NS_RES_BOTH], 1);
	assert_int_equal(c.bytes[NS_RES_BOTH], 3000);
	assert_int_equal(c.files[NS_RES_OFFLOADED], 1);
	assert_int_equal(c.bytes[NS_RES_OFFLOADED], 2000);

	/* a size change of a BOTH file makes it LOCAL (the object is stale) */
	memset(&a, 0, sizeof(a));
	a.size = 10;
	a.residency = NS_RES_LOCAL;
	assert_int_equal(ns_setattr(fx->ns, fx->c, NS_SET_SIZE |
				    NS_SET_RESIDENCY, &a, NULL), 0);
	assert_counters_exact(fx->ns);
	/* an aborted offload, a removal of an offloaded file and a link */
	assert_int_equal(ns_tier_job_get(fx->ns, fx->j, &job), 0);
	assert_int_equal(ns_tier_job_abort(fx->ns, &job), 0);
	assert_int_equal(ns_remove(fx->ns, fx->d, "b", 1, NULL, NULL, NULL), 0);
	assert_counters_exact(fx->ns); /* b still linked as sub/link */
	assert_int_equal(ns_remove(fx->ns, fx->sub, "link", 4, NULL, NULL, NULL), 0);
	assert_counters_exact(fx->ns);
	assert_int_equal(ns_res_counts(fx->ns, &c), 0);
	assert_int_equal(c.files[NS_RES_OFFLOADED], 0);
	assert_int_equal(c.bytes[NS_RES_OFFLOADED], 0);
}

static void test_counters_upgrade_and_fsck(void **state)
{
	struct fixture *fx = *state;
	static const char *const names[] = {
		"res_files_0", "res_files_1", "res_files_2",
		"res_bytes_0", "res_bytes_1", "res_bytes_2",
	};
	struct ns_res_counts before, after;
	unsigned bad = 9;

	assert_int_equal(ns_res_counts(fx->ns, &before), 0);
	assert_int_equal(ns_res_verify(fx->ns, &bad, NULL, NULL), 0);
	assert_int_equal(bad, 0);
	/* a namespace of a build before the counters: none on any shard */
	for (unsigned s = 0; s < 4; s++)
		for (size_t i = 0; i < 6; i++)
			assert_int_equal(ns_test_set_counter(fx->ns, s,
							     names[i], 0, 1),
					 0);
	assert_int_not_equal(ns_res_counts(fx->ns, &after), 0);
	ns_close(fx->ns);
	fx->ns = tu_open(fx->dir, 4); /* counted at the opening */
	assert_int_equal(ns_res_counts(fx->ns, &after), 0);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_counters_exact(fx->ns);

	/* a counter gone wrong: fsck says which */
	assert_int_equal(ns_test_set_counter(fx->ns,
					     ns_fileid_shard(fx->b),
					     "res_bytes_2", 1999, 0),
			 0);
	assert_true(ns_fsck(fx->ns, NULL, NULL) >= 1);
	/* and so does the online check (strata-fsck --scrub) */
	assert_int_equal(ns_res_verify(fx->ns, &bad, NULL, NULL), 0);
	assert_int_equal(bad, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counters_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_counters_upgrade_and_fsck,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_totals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walk_subdir_and_empty,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
