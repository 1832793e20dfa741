/*
 * tests/unit/test_ns_fsck.c — fsck must fail on a corrupted namespace, and
 * the strata-fsck tool must say so in its exit status.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "test_ns_util.h"

#ifndef STRATA_FSCK_PATH
#error "STRATA_FSCK_PATH must name the strata-fsck binary"
#endif

#define NSHARDS 4

struct fx {
	char *dir;
	struct ns *ns;
	uint64_t d, f, g, sub;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);

	x->dir = tu_mkdtemp();
	x->ns = tu_open(x->dir, NSHARDS);
	x->d = tu_create(x->ns, NS_ROOT_FILEID, "d", NS_DIR);
	x->f = tu_create(x->ns, x->d, "f", NS_REG);
	x->g = tu_create(x->ns, x->d, "g", NS_LNK);
	x->sub = tu_create(x->ns, x->d, "sub", NS_DIR);
	tu_create(x->ns, x->sub, "deep", NS_REG);
	assert_int_equal(ns_link(x->ns, x->f, NS_ROOT_FILEID, "f2", 2, NULL), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	ns_close(x->ns);
	tu_rmrf(x->dir);
	free(x);
	return 0;
}

struct msgs {
	int n;
	char all[8192];
};

static void keep(void *ctx, const char *msg)
{
	struct msgs *m = ctx;
	size_t len = strlen(m->all);

	m->n++;
	snprintf(m->all + len, sizeof m->all - len, "%s\n", msg);
}

static void expect_violation(struct ns *ns, const char *needle)
{
	struct msgs m = { 0 };
	int rc = ns_fsck(ns, keep, &m);

	assert_true(rc > 0);
	assert_int_equal(rc, m.n);
	if (!strstr(m.all, needle))
		fail_msg("no \"%s\" in:\n%s", needle, m.all);
}

static void test_clean(void **state)
{
	struct fx *x = *state;
	struct ns_fsck_counts c;

	assert_int_equal(ns_fsck_ex(x->ns, NULL, NULL, &c), 0);
	assert_int_equal(c.inodes, 6);  /* root d f g sub deep */
	assert_int_equal(c.entries, 6); /* d f g sub deep f2 */
}

static void test_missing_inode(void **state)
{
	struct fx *x = *state;

	assert_int_equal(ns_test_drop_inode(x->ns, x->f), 0);
	expect_violation(x->ns, "missing");
}

static void test_missing_dir_inode(void **state)
{
	struct fx *x = *state;

	assert_int_equal(ns_test_drop_inode(x->ns, x->sub), 0);
	expect_violation(x->ns, "parent inode missing");
	expect_violation(x->ns, "unreachable");
}

static void test_bad_nlink(void **state)
{
	struct fx *x = *state;

	assert_int_equal(ns_test_set_nlink(x->ns, x->f, 1), 0);
	expect_violation(x->ns, "nlink 1, but 2 entries");
	assert_int_equal(ns_test_set_nlink(x->ns, x->f, 2), 0);
	assert_int_equal(ns_test_set_nlink(x->ns, x->d, 2), 0);
	expect_violation(x->ns, "nlink 2, expected 3");
}

static void test_missing_cookie(void **state)
{
	struct fx *x = *state;

	assert_int_equal(ns_test_drop_cookie(x->ns, x->d, "g", 1), 0);
	expect_violation(x->ns, "no cookie-index record");
}

static void test_symlink_target(void **state)
{
	struct fx *x = *state;

	/* dropping the symlink's inode leaves its target record orphaned */
	assert_int_equal(ns_test_drop_inode(x->ns, x->g), 0);
	expect_violation(x->ns, "symlink target without a symlink");
}

/* ---- the tool ----------------------------------------------------------- */

static int run_tool(const char *args, char *out, size_t outsz)
{
	char cmd[1024];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof cmd, "%s %s 2>&1", STRATA_FSCK_PATH, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	st = pclose(p);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_tool(void **state)
{
	struct fx *x = *state;
	char args[512], out[8192];
	struct ns_create_args a = { .type = NS_REG, .mode = 0644 };
	char name[32];

	snprintf(args, sizeof args, "--dir %s", x->dir);
	/* the namespace is open here: the tool must refuse */
	assert_int_equal(run_tool(args, out, sizeof out), 2);
	assert_non_null(strstr(out, "in use"));

	/* crash a cross-shard create, then let the tool replay and check */
	tu_name_on_shard(x->ns, x->d, (ns_fileid_shard(x->d) + 1) % NSHARDS, "c",
			 name, sizeof name);
	ns_test_crash_after(x->ns, 1);
	assert_int_equal(ns_create(x->ns, x->d, name, strlen(name), &a, NULL,
				   NULL),
			 -EIO);
	ns_close(x->ns);
	x->ns = NULL;
	assert_int_equal(run_tool(args, out, sizeof out), 0);
	assert_non_null(strstr(out, "replayed 1 pending intent"));
	assert_non_null(strstr(out, "fsck: 7 inodes, 7 entries, 0 violations"));

	snprintf(args, sizeof args, "--dir %s --shards %d", x->dir, NSHARDS);
	assert_int_equal(run_tool(args, out, sizeof out), 0);
	assert_non_null(strstr(out, "replayed 0 pending intent"));
	snprintf(args, sizeof args, "--dir %s --shards %d", x->dir, NSHARDS + 1);
	assert_int_equal(run_tool(args, out, sizeof out), 2);

	/* corrupt: exit 1 with the violation printed */
	x->ns = tu_open(x->dir, 0);
	assert_int_equal(ns_test_drop_inode(x->ns, x->f), 0);
	ns_close(x->ns);
	x->ns = NULL;
	snprintf(args, sizeof args, "--dir %s", x->dir);
	assert_int_equal(run_tool(args, out, sizeof out), 1);
	assert_non_null(strstr(out, "violation: "));
	assert_non_null(strstr(out, "fsck: 6 inodes, 7 entries,"));

	snprintf(args, sizeof args, "--dir %s/none", x->dir);
	assert_int_equal(run_tool(args, out, sizeof out), 2);
	assert_int_equal(run_tool("", out, sizeof out), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_inode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir_inode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_nlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_cookie, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_symlink_target, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tool, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
