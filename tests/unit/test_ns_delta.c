/*
 * tests/unit/test_ns_delta.c — partitions owned by two nodes and the
 * directory deltas between them (ns.h: ns_own(), "Directory deltas").
 *
 * Two namespaces stand for two metadata nodes: 8 shards in 2 environments
 * (partitions), node A owns partition 0 (even shards, the root's), node B
 * partition 1 (odd shards). A name whose entry hashes to an odd shard is
 * created at B, which cannot touch the root: it records a delta that A
 * applies, as a peer RPC will carry it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ns_test.h"
#include "test_ns_util.h"

#define NSHARDS 8
#define NPARTS 2

struct fx {
	char *da, *db;
	struct ns *a, *b; /* a owns partition 0, b partition 1 */
};

static struct ns *open_node(const char *dir, unsigned part)
{
	uint8_t owned[NPARTS] = { 0 };
	struct ns *ns = NULL;

	assert_int_equal(ns_open_ex(&ns, dir, NSHARDS, NPARTS), 0);
	ns_test_set_nosync(ns, 1);
	owned[part] = 1;
	assert_int_equal(ns_own(ns, owned, NPARTS), 0);
	return ns;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	f->da = tu_mkdtemp();
	f->db = tu_mkdtemp();
	f->a = open_node(f->da, 0);
	f->b = open_node(f->db, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ns_close(f->a);
	ns_close(f->b);
	tu_rmrf(f->da);
	tu_rmrf(f->db);
	free(f);
	return 0;
}

static int mk(struct ns *ns, uint64_t parent, const char *name, uint32_t type,
	      struct ns_inode *out, struct ns_cinfo *ci)
{
	struct ns_create_args a = { .type = type, .mode = 0755,
				    .exclusive = 1 };

	return ns_create(ns, parent, name, strlen(name), &a, out, ci);
}

/* A name in PARENT whose entry is on an odd shard (partition 1, node b). */
static void name_on_b(struct ns *ns, uint64_t parent, const char *prefix,
		      unsigned which, char *out, size_t cap)
{
	tu_name_on_shard(ns, parent, 1 + 2 * (which % (NSHARDS / 2)), prefix,
			 out, cap);
}

/* Ship every delta of B's shard S to A; returns how many. */
static size_t ship(struct fx *f, unsigned s, struct ns_cinfo *ci, size_t cap)
{
	struct ns_delta d[16];
	size_t n;

	assert_int_equal(ns_delta_list(f->b, s, 0, d, 16, &n), 0);
	assert_true(n <= cap);
	if (n)
		assert_int_equal(ns_delta_apply(f->a, s, d, n, ci), 0);
	return n;
}

static void test_create_records_delta(void **state)
{
	struct fx *f = *state;
	struct ns_inode root0 = tu_getattr(f->a, NS_ROOT_FILEID), ino, root1;
	struct ns_cinfo ci, applied;
	struct ns_delta d;
	char name[64];
	size_t n;
	uint64_t fid = 0;

	name_on_b(f->b, NS_ROOT_FILEID, "f", 0, name, sizeof name);
	assert_int_equal(mk(f->b, NS_ROOT_FILEID, name, NS_REG, &ino, &ci), 0);
	/* B cannot know the root's change: a delta, not an answer */
	assert_int_equal(ci.atomic, 0);
	assert_int_equal(ci.delta_seq, 1);
	assert_int_equal(ci.delta_shard, 1);
	assert_true(ns_owns_fileid(f->b, ino.fileid));
	assert_int_equal(ns_lookup(f->b, NS_ROOT_FILEID, name, strlen(name),
				   &fid), 0);
	assert_int_equal(fid, ino.fileid);
	/* the root is A's: B refuses to read it, A has not changed yet */
	assert_int_equal(ns_getattr(f->b, NS_ROOT_FILEID, &root1), -EREMOTE);
	assert_int_equal(tu_getattr(f->a, NS_ROOT_FILEID).size, 0);

	assert_int_equal(ns_delta_list(f->b, 1, 0, &d, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d.seq, 1);
	assert_int_equal(d.dir, NS_ROOT_FILEID);
	assert_int_equal(d.entries, 1);
	assert_int_equal(d.subdirs, 0);
	assert_int_equal(ns_delta_apply(f->a, 1, &d, 1, &applied), 0);
	root1 = tu_getattr(f->a, NS_ROOT_FILEID);
	assert_int_equal(root1.size, 1);
	assert_int_equal(root1.nlink, 2);
	assert_int_equal(applied.atomic, 1);
	assert_int_equal(applied.before, root0.change);
	assert_int_equal(applied.after, root1.change);
	assert_true(applied.after > applied.before);
	assert_int_equal(root1.mtime.sec, d.when.sec);
	assert_int_equal(root1.mtime.nsec, d.when.nsec);
}

static void test_apply_once(void **state)
{
	struct fx *f = *state;
	struct ns_cinfo ci[4];
	struct ns_inode ino, root;
	char name[64];

	name_on_b(f->b, NS_ROOT_FILEID, "d", 1, name, sizeof name);
	assert_int_equal(mk(f->b, NS_ROOT_FILEID, name, NS_DIR, &ino, NULL), 0);
	assert_int_equal(ship(f, 3, ci, 4), 1);
	assert_int_equal(ci[0].atomic, 1);
	/* sent again (lost answer): counted once, told it was not now */
	assert_int_equal(ship(f, 3, ci, 4), 1);
	assert_int_equal(ci[0].atomic, 0);
	root = tu_getattr(f->a, NS_ROOT_FILEID);
	assert_int_equal(ci[0].before, root.change);
	assert_int_equal(ci[0].after, root.change);
	assert_int_equal(root.size, 1);
	assert_int_equal(root.nlink, 3); /* a subdirectory */
	/* ... and after A restarts: the applied mark is durable */
	ns_close(f->a);
	f->a = open_node(f->da, 0);
	assert_int_equal(ship(f, 3, ci, 4), 1);
	assert_int_equal(ci[0].atomic, 0);
	assert_int_equal(tu_getattr(f->a, NS_ROOT_FILEID).nlink, 3);
}

static void test_trim_keeps_numbering(void **state)
{
	struct fx *f = *state;
	struct ns_cinfo ci;
	struct ns_delta d[4];
	char n1[64], n2[64];
	size_t n;

	tu_name_on_shard(f->b, NS_ROOT_FILEID, 5, "t1", n1, sizeof n1);
	tu_name_on_shard(f->b, NS_ROOT_FILEID, 5, "t2", n2, sizeof n2);
	assert_int_equal(mk(f->b, NS_ROOT_FILEID, n1, NS_REG, NULL, &ci), 0);
	assert_int_equal(ci.delta_seq, 1);
	assert_int_equal(ns_delta_trim(f->b, 5, 1), 0);
	assert_int_equal(ns_delta_list(f->b, 5, 0, d, 4, &n), 0);
	assert_int_equal(n, 0);
	/* a trimmed number is never handed out again, or A would skip it */
	assert_int_equal(mk(f->b, NS_ROOT_FILEID, n2, NS_REG, NULL, &ci), 0);
	assert_int_equal(ci.delta_seq, 2);
	assert_int_equal(ns_delta_list(f->b, 5, 0, d, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0].seq, 2);
	/* trimming up to a seq leaves the later ones */
	assert_int_equal(ns_delta_trim(f->b, 5, 1), 0);
	assert_int_equal(ns_delta_list(f->b, 5, 0, d, 4, &n), 0);
	assert_int_equal(n, 1);
}

static void test_remove_records_delta(void **state)
{
	struct fx *f = *state;
	struct ns_cinfo ci[4], rci;
	struct ns_inode removed;
	char file[64], dir[64];
	int freed = 0;

	name_on_b(f->b, NS_ROOT_FILEID, "rf", 2, file, sizeof file);
	name_on_b(f->b, NS_ROOT_FILEID, "rd", 2, dir, sizeof dir);
	assert_int_equal(mk(f->b, NS_ROOT_FILEID, file, NS_REG, NULL, NULL), 0);
	assert_int_equal(mk(f->b, NS_ROOT_FILEID, dir, NS_DIR, NULL, NULL), 0);
	assert_int_equal(ship(f, 5, ci, 4), 2);
	assert_int_equal(ns_delta_trim(f->b, 5, 2), 0);
	assert_int_equal(tu_getattr(f->a, NS_ROOT_FILEID).size, 2);
	assert_int_equal(tu_getattr(f->a, NS_ROOT_FILEID).nlink, 3);

	assert_int_equal(ns_remove(f->b, NS_ROOT_FILEID, file, strlen(file),
				   &removed, &freed, &rci), 0);
	assert_int_equal(freed, 1);
	assert_int_equal(rci.atomic, 0);
	assert_int_equal(rci.delta_seq, 3);
	/* RMDIR when partitions have several owners is a transaction with
	 * a guard on each (test_ns_xtx.c): refused here, nothing changes */
	assert_int_equal(ns_remove(f->b, NS_ROOT_FILEID, dir, strlen(dir),
				   &removed, &freed, &rci), -EREMOTE);
	assert_true(tu_lookup(f->b, NS_ROOT_FILEID, dir) != 0);
	assert_int_equal(ship(f, 5, ci, 4), 1);
	assert_int_equal(ci[0].atomic, 1);
	assert_int_equal(tu_getattr(f->a, NS_ROOT_FILEID).size, 1);
	assert_int_equal(tu_getattr(f->a, NS_ROOT_FILEID).nlink, 3);
	assert_int_equal(tu_lookup(f->b, NS_ROOT_FILEID, file), 0);
}

static void test_foreign_refused(void **state)
{
	struct fx *f = *state;
	struct ns_inode ino;
	struct ns_cinfo ci, sci, dci;
	struct ns_delta d = { .seq = 1, .dir = NS_ROOT_FILEID, .entries = 1 };
	char on_b[64], on_a[64], d_on_b[64];
	uint64_t fid = 0, freed = 0;

	name_on_b(f->b, NS_ROOT_FILEID, "x", 0, on_b, sizeof on_b);
	tu_name_on_shard(f->a, NS_ROOT_FILEID, 2, "y", on_a, sizeof on_a);
	/* an entry of B's partition, asked of A, and the reverse */
	assert_int_equal(mk(f->a, NS_ROOT_FILEID, on_b, NS_REG, &ino, &ci),
			 -EREMOTE);
	assert_int_equal(mk(f->b, NS_ROOT_FILEID, on_a, NS_REG, &ino, &ci),
			 -EREMOTE);
	assert_int_equal(ns_lookup(f->a, NS_ROOT_FILEID, on_b, strlen(on_b),
				   &fid), -EREMOTE);
	/* nothing was written on the way: A's root is unchanged */
	assert_int_equal(tu_getattr(f->a, NS_ROOT_FILEID).size, 0);
	/* a delta for a directory B does not own */
	assert_int_equal(ns_delta_apply(f->b, 1, &d, 1, &ci), -EREMOTE);
	/* cross-partition rename and link wait for the two-phase commit */
	assert_int_equal(mk(f->b, NS_ROOT_FILEID, on_b, NS_REG, &ino, NULL), 0);
	assert_int_equal(ns_rename(f->b, NS_ROOT_FILEID, on_b, strlen(on_b),
				   NS_ROOT_FILEID, on_a, strlen(on_a),
				   &sci, &dci, &freed), -EREMOTE);
	name_on_b(f->b, NS_ROOT_FILEID, "z", 1, d_on_b, sizeof d_on_b);
	assert_int_equal(ns_link(f->a, ino.fileid, NS_ROOT_FILEID, on_a,
				 strlen(on_a), &ci), -EREMOTE);
	assert_int_equal(tu_lookup(f->b, NS_ROOT_FILEID, on_b), ino.fileid);
	assert_int_equal(tu_lookup(f->b, NS_ROOT_FILEID, d_on_b), 0);
	/* whole-node checks are the cluster's (strata-fsck), not a node's */
	assert_int_equal(ns_fsck(f->b, NULL, NULL), -EREMOTE);
}

/* RENAME and LINK with both names and the file on B, in A's directories:
 * one commit at B, the directories' counts by deltas. */
static void test_rename_link_remote_dirs(void **state)
{
	struct fx *f = *state;
	struct ns_inode file, sub1, sub2, root;
	struct ns_cinfo sci, dci, lci, ci[8];
	char fname[64], newname[64], linkname[64], d1[64], d2[64], moved[64];
	uint64_t freed = 0;

	/* two subdirectories of the root, both A's (even shards) */
	tu_name_on_shard(f->a, NS_ROOT_FILEID, 2, "s1", d1, sizeof d1);
	tu_name_on_shard(f->a, NS_ROOT_FILEID, 4, "s2", d2, sizeof d2);
	assert_int_equal(mk(f->a, NS_ROOT_FILEID, d1, NS_DIR, &sub1, NULL), 0);
	assert_int_equal(mk(f->a, NS_ROOT_FILEID, d2, NS_DIR, &sub2, NULL), 0);
	/* a file of B's in s1, renamed within s1 to another name of B's */
	name_on_b(f->b, sub1.fileid, "f", 0, fname, sizeof fname);
	name_on_b(f->b, sub1.fileid, "g", 0, newname, sizeof newname);
	assert_int_equal(mk(f->b, sub1.fileid, fname, NS_REG, &file, NULL), 0);
	assert_int_equal(ns_rename(f->b, sub1.fileid, fname, strlen(fname),
				   sub1.fileid, newname, strlen(newname), &sci,
				   &dci, &freed), 0);
	assert_int_equal(dci.atomic, 0);
	assert_int_not_equal(dci.delta_seq, 0);
	assert_int_equal(sci.delta_seq, dci.delta_seq); /* one directory */
	assert_int_equal(tu_lookup(f->b, sub1.fileid, newname), file.fileid);
	assert_int_equal(tu_lookup(f->b, sub1.fileid, fname), 0);
	/* ... linked into s2 under a name of B's */
	name_on_b(f->b, sub2.fileid, "l", 1, linkname, sizeof linkname);
	assert_int_equal(ns_link(f->b, file.fileid, sub2.fileid, linkname,
				 strlen(linkname), &lci), 0);
	assert_int_not_equal(lci.delta_seq, 0);
	assert_int_equal(tu_getattr(f->b, file.fileid).nlink, 2);
	/* ... and moved from s1 to s2 (a file: no loop to check) */
	name_on_b(f->b, sub2.fileid, "m", 2, moved, sizeof moved);
	assert_int_equal(ns_rename(f->b, sub1.fileid, newname, strlen(newname),
				   sub2.fileid, moved, strlen(moved), &sci, &dci,
				   &freed), 0);
	assert_int_not_equal(sci.delta_seq, dci.delta_seq);
	/* A applies what B's shard(s) recorded: s1 has 0 entries, s2 2 */
	for (unsigned s = 1; s < NSHARDS; s += 2)
		ship(f, s, ci, 8);
	assert_int_equal(tu_getattr(f->a, sub1.fileid).size, 0);
	assert_int_equal(tu_getattr(f->a, sub2.fileid).size, 2);
	root = tu_getattr(f->a, NS_ROOT_FILEID);
	assert_int_equal(root.nlink, 4);
}

static void count_report(void *ctx, const char *msg)
{
	(void)msg;
	(*(int *)ctx)++;
}

/* fsck over both nodes: clean once every delta was applied; a delta not
 * applied shows as the directory's size and the delta itself. */
static void test_cluster_fsck(void **state)
{
	struct fx *f = *state;
	struct ns *both[2] = { f->a, f->b };
	struct ns_fsck_counts counts;
	struct ns_cinfo ci[4];
	struct ns_inode sub;
	char dname[64], fname[64];
	int reports = 0;

	tu_name_on_shard(f->a, NS_ROOT_FILEID, 2, "cd", dname, sizeof dname);
	assert_int_equal(mk(f->a, NS_ROOT_FILEID, dname, NS_DIR, &sub, NULL),
			 0);
	name_on_b(f->b, sub.fileid, "cf", 3, fname, sizeof fname);
	assert_int_equal(mk(f->b, sub.fileid, fname, NS_REG, NULL, NULL), 0);
	/* not applied yet: the directory's size is behind its entries */
	assert_int_equal(ns_fsck_cluster(both, 2, count_report, &reports,
					 NULL), 2);
	assert_int_equal(reports, 2);
	assert_int_equal(ship(f, 7, ci, 4), 1);
	/* applied (its record waits for the trim): clean */
	assert_int_equal(ns_fsck_cluster(both, 2, NULL, NULL, &counts), 0);
	assert_int_equal(counts.inodes, 3);  /* root, cd, cf */
	assert_int_equal(counts.entries, 2);
	/* a node alone is not a namespace; nor are two owners of a shard */
	assert_int_equal(ns_fsck(f->a, NULL, NULL), -EREMOTE);
	both[1] = f->a;
	assert_int_equal(ns_fsck_cluster(both, 2, NULL, NULL, NULL), -EINVAL);
}

static void test_dir_gone(void **state)
{
	struct fx *f = *state;
	struct ns_inode sub;
	struct ns_cinfo ci[2];
	char dname[64], fname[64];
	int freed;

	/* a directory of A's; B creates in it before its delta reaches A:
	 * A alone cannot remove it (that left B's entry unreachable before
	 * RMDIR took guards: test_ns_xtx.c test_rmdir_*) */
	tu_name_on_shard(f->a, NS_ROOT_FILEID, 2, "gone", dname, sizeof dname);
	assert_int_equal(mk(f->a, NS_ROOT_FILEID, dname, NS_DIR, &sub, NULL),
			 0);
	name_on_b(f->b, sub.fileid, "f", 0, fname, sizeof fname);
	assert_int_equal(mk(f->b, sub.fileid, fname, NS_REG, NULL, NULL), 0);
	assert_int_equal(ns_remove(f->a, NS_ROOT_FILEID, dname, strlen(dname),
				   NULL, &freed, NULL), -EREMOTE);
	assert_int_equal(ship(f, 1, ci, 2), 1);
	assert_int_equal(ci[0].atomic, 1);
	assert_int_equal(tu_getattr(f->a, sub.fileid).size, 1);
}

static void test_delta_commits_with_entry(void **state)
{
	struct fx *f = *state;
	struct ns_delta d[2];
	char n1[64], n2[64];
	size_t n;

	tu_name_on_shard(f->b, NS_ROOT_FILEID, 7, "c1", n1, sizeof n1);
	tu_name_on_shard(f->b, NS_ROOT_FILEID, 7, "c2", n2, sizeof n2);
	/* in a batch: the owner sees its delta before the commit ... */
	assert_int_equal(ns_batch_begin(f->b), 0);
	assert_int_equal(mk(f->b, NS_ROOT_FILEID, n1, NS_REG, NULL, NULL), 0);
	assert_int_equal(ns_delta_list(f->b, 7, 0, d, 2, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ns_batch_end(f->b), 0);
	/* ... a crash before the next commit loses entry and delta alike */
	ns_test_crash_after(f->b, 0);
	assert_int_not_equal(mk(f->b, NS_ROOT_FILEID, n2, NS_REG, NULL, NULL),
			     0);
	assert_true(ns_test_crashed(f->b));
	ns_close(f->b);
	f->b = open_node(f->db, 1);
	assert_int_equal(tu_lookup(f->b, NS_ROOT_FILEID, n2), 0);
	assert_true(tu_lookup(f->b, NS_ROOT_FILEID, n1) != 0);
	assert_int_equal(ns_delta_list(f->b, 7, 0, d, 2, &n), 0);
	assert_int_equal(n, 1); /* n1's, durable with it */
	assert_int_equal(d[0].seq, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_records_delta,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trim_keeps_numbering,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_records_delta,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dir_gone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rename_link_remote_dirs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_fsck, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_delta_commits_with_entry,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
