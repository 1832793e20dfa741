/*
 * tests/unit/test_ns_basic.c — namespace operations one at a time:
 * open/persist, names, create/lookup/remove/link/rename, attributes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

static struct ns_create_args args_of(uint32_t type, uint32_t mode)
{
	struct ns_create_args a = { .type = type, .mode = mode, .uid = 7,
				    .gid = 8, .exclusive = 1 };
	return a;
}

/* ---- open --------------------------------------------------------------- */

static void test_root(void **state)
{
	struct fx *f = *state;
	struct ns_inode r = tu_getattr(f->ns, NS_ROOT_FILEID);

	assert_int_equal(ns_nshards(f->ns), NSHARDS);
	assert_int_equal(r.fileid, NS_ROOT_FILEID);
	assert_int_equal(r.type, NS_DIR);
	assert_int_equal(r.mode, 0777);
	assert_int_equal(r.nlink, 2);
	assert_int_equal(r.size, 0);
	assert_int_equal(r.parent, NS_ROOT_FILEID);
	assert_int_equal(ns_fileid_shard(r.fileid), 0);
	assert_int_equal(ns_replayed_intents(f->ns), 0);
}

static void test_open_rules(void **state)
{
	struct fx *f = *state;
	struct ns *other = NULL;
	char *missing;

	/* one process-wide owner at a time */
	assert_int_equal(ns_open(&other, f->dir, NSHARDS), -EBUSY);
	ns_close(f->ns);
	f->ns = NULL;
	assert_int_equal(ns_open(&other, f->dir, NSHARDS * 2), -EINVAL);
	assert_int_equal(ns_open(&other, f->dir, NS_MAX_SHARDS + 1), -EINVAL);
	f->ns = tu_open(f->dir, 0); /* shard count from ns.conf */
	assert_int_equal(ns_nshards(f->ns), NSHARDS);
	assert_int_equal(asprintf(&missing, "%s/nothing", f->dir) > 0, 1);
	assert_int_equal(ns_open(&other, missing, 0), -ENOENT);
	free(missing);
}

static void test_persistence(void **state)
{
	struct fx *f = *state;
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "dir", NS_DIR);
	uint64_t a = tu_create(f->ns, d, "a", NS_REG);
	uint64_t l = tu_create(f->ns, d, "l", NS_LNK);
	struct ns_inode before = tu_getattr(f->ns, d), after;
	struct ns_stats st;
	char buf[64];
	size_t len;

	assert_int_equal(ns_note_write(f->ns, a, 1000, NULL), 0);
	ns_close(f->ns);
	f->ns = tu_open(f->dir, 0);
	after = tu_getattr(f->ns, d);
	assert_memory_equal(&before, &after, sizeof before);
	assert_int_equal(tu_lookup(f->ns, d, "a"), a);
	assert_int_equal(tu_getattr(f->ns, a).size, 1000);
	assert_int_equal(ns_readlink(f->ns, l, buf, sizeof buf, &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "target", 6);
	assert_int_equal(ns_stats(f->ns, &st), 0);
	assert_int_equal(st.inodes, 4);
	assert_int_equal(st.bytes, 1000);
	/* counters persisted: new fileids are fresh */
	for (int i = 0; i < 50; i++) {
		char name[16];
		snprintf(name, sizeof name, "n%d", i);
		uint64_t id = tu_create(f->ns, d, name, NS_REG);
		assert_true(id != d && id != a && id != l && id != NS_ROOT_FILEID);
	}
}

/* ---- names -------------------------------------------------------------- */

static void test_check_name(void **state)
{
	struct fx *f = *state;
	char longname[NS_NAME_MAX + 2];
	struct ns_create_args a = args_of(NS_REG, 0644);
	uint64_t id;

	(void)f;
	memset(longname, 'x', sizeof longname);
	assert_int_equal(ns_check_name("a", 1), 0);
	assert_int_equal(ns_check_name("...", 3), 0);
	assert_int_equal(ns_check_name(".a", 2), 0);
	assert_int_equal(ns_check_name("\xff\xfe", 2), 0); /* no UTF-8 check */
	assert_int_equal(ns_check_name(longname, NS_NAME_MAX), 0);
	assert_int_equal(ns_check_name(longname, NS_NAME_MAX + 1), -ENAMETOOLONG);
	assert_int_equal(ns_check_name("", 0), -EINVAL);
	assert_int_equal(ns_check_name(".", 1), -EINVAL);
	assert_int_equal(ns_check_name("..", 2), -EINVAL);
	assert_int_equal(ns_check_name("a/b", 3), -EINVAL);
	assert_int_equal(ns_check_name("a\0b", 3), -EINVAL);
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, "..", 2, &a, NULL, NULL),
			 -EINVAL);
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, longname,
				   NS_NAME_MAX + 1, &a, NULL, NULL),
			 -ENAMETOOLONG);
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, longname, NS_NAME_MAX,
				   &a, NULL, NULL),
			 0);
	assert_int_equal(ns_lookup(f->ns, NS_ROOT_FILEID, "x/y", 3, &id), -EINVAL);
	assert_int_equal(ns_lookup(f->ns, NS_ROOT_FILEID, longname, NS_NAME_MAX,
				   &id),
			 0);
}

/* ---- create / lookup ---------------------------------------------------- */

static void test_create_lookup(void **state)
{
	struct fx *f = *state;
	struct ns_create_args a = args_of(NS_REG, 0104755);
	struct ns_inode root0 = tu_getattr(f->ns, NS_ROOT_FILEID), root1, ino, ex;
	struct ns_cinfo ci;
	uint64_t id;

	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, "f", 1, &a, &ino, &ci),
			 0);
	assert_int_equal(ino.type, NS_REG);
	assert_int_equal(ino.mode, 04755); /* permission bits only */
	assert_int_equal(ino.nlink, 1);
	assert_int_equal(ino.uid, 7);
	assert_int_equal(ino.gid, 8);
	assert_int_equal(ino.size, 0);
	assert_int_equal(ino.parent, NS_ROOT_FILEID);
	assert_int_equal(ino.generation, 1);
	assert_int_equal(ns_fileid_shard(ino.fileid),
			 ns_entry_shard(f->ns, NS_ROOT_FILEID, "f", 1));
	root1 = tu_getattr(f->ns, NS_ROOT_FILEID);
	assert_int_equal(ci.before, root0.change);
	assert_int_equal(ci.after, root1.change);
	assert_true(ci.after > ci.before);
	assert_int_equal(ci.atomic, 1);
	assert_int_equal(root1.size, 1);
	assert_int_equal(root1.nlink, 2);
	assert_int_equal(ns_lookup(f->ns, NS_ROOT_FILEID, "f", 1, &id), 0);
	assert_int_equal(id, ino.fileid);
	assert_int_equal(ns_lookup(f->ns, NS_ROOT_FILEID, "g", 1, &id), -ENOENT);

	/* the name exists: -EEXIST with the existing inode, both modes */
	memset(&ex, 0, sizeof ex);
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, "f", 1, &a, &ex, &ci),
			 -EEXIST);
	assert_int_equal(ex.fileid, ino.fileid);
	assert_int_equal(ci.before, ci.after);
	a.exclusive = 0;
	memset(&ex, 0, sizeof ex);
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, "f", 1, &a, &ex, NULL),
			 -EEXIST);
	assert_int_equal(ex.fileid, ino.fileid);
	assert_int_equal(tu_getattr(f->ns, NS_ROOT_FILEID).change, root1.change);

	/* not a directory / no such parent / bad type */
	assert_int_equal(ns_create(f->ns, ino.fileid, "x", 1, &a, NULL, NULL),
			 -ENOTDIR);
	assert_int_equal(ns_lookup(f->ns, ino.fileid, "x", 1, &id), -ENOTDIR);
	assert_int_equal(ns_create(f->ns, 0x0100000000000999ull, "x", 1, &a,
				   NULL, NULL),
			 -ENOENT);
	a.type = 99;
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, "x", 1, &a, NULL, NULL),
			 -EINVAL);
	assert_int_equal(ns_getattr(f->ns, 0, &ex), -ENOENT);
	assert_int_equal(ns_getattr(f->ns, 0xff00000000000001ull, &ex), -ENOENT);
}

static void test_mkdir_nlink(void **state)
{
	struct fx *f = *state;
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	struct ns_inode di = tu_getattr(f->ns, d);

	assert_int_equal(di.nlink, 2);
	assert_int_equal(di.size, 0);
	assert_int_equal(di.parent, NS_ROOT_FILEID);
	assert_int_equal(tu_getattr(f->ns, NS_ROOT_FILEID).nlink, 3);
	tu_create(f->ns, d, "sub1", NS_DIR);
	tu_create(f->ns, d, "sub2", NS_DIR);
	tu_create(f->ns, d, "file", NS_REG);
	di = tu_getattr(f->ns, d);
	assert_int_equal(di.nlink, 4);
	assert_int_equal(di.size, 3);
}

static void test_special_files(void **state)
{
	struct fx *f = *state;
	struct ns_create_args a = args_of(NS_CHR, 0600);
	struct ns_inode ino;

	a.rdev_major = 1;
	a.rdev_minor = 3;
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, "null", 4, &a, &ino,
				   NULL),
			 0);
	ino = tu_getattr(f->ns, ino.fileid);
	assert_int_equal(ino.type, NS_CHR);
	assert_int_equal(ino.rdev_major, 1);
	assert_int_equal(ino.rdev_minor, 3);
	a = args_of(NS_FIFO, 0600);
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, "p", 1, &a, &ino, NULL),
			 0);
	assert_int_equal(tu_getattr(f->ns, ino.fileid).type, NS_FIFO);
	a = args_of(NS_SOCK, 0600);
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, "s", 1, &a, &ino, NULL),
			 0);
}

static void test_symlink(void **state)
{
	struct fx *f = *state;
	struct ns_create_args a = args_of(NS_LNK, 0777);
	static char target[NS_SYMLINK_MAX + 1];
	char buf[NS_SYMLINK_MAX];
	struct ns_inode ino;
	size_t len;
	uint64_t file = tu_create(f->ns, NS_ROOT_FILEID, "file", NS_REG);

	a.symlink = "../some/where";
	a.symlink_len = strlen(a.symlink);
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, "l", 1, &a, &ino, NULL),
			 0);
	assert_int_equal(ino.type, NS_LNK);
	assert_int_equal(ino.size, a.symlink_len);
	assert_int_equal(ns_readlink(f->ns, ino.fileid, buf, sizeof buf, &len), 0);
	assert_int_equal(len, a.symlink_len);
	assert_string_equal(buf, "../some/where");
	assert_int_equal(ns_readlink(f->ns, ino.fileid, buf, 4, &len),
			 -ENAMETOOLONG);
	assert_int_equal(ns_readlink(f->ns, file, buf, sizeof buf, &len), -EINVAL);

	memset(target, 'a', sizeof target);
	a.symlink = target;
	a.symlink_len = NS_SYMLINK_MAX;
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, "big", 3, &a, &ino,
				   NULL),
			 0);
	assert_int_equal(ns_readlink(f->ns, ino.fileid, buf, sizeof buf, &len), 0);
	assert_int_equal(len, NS_SYMLINK_MAX);
	a.symlink_len = NS_SYMLINK_MAX + 1;
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, "huge", 4, &a, &ino,
				   NULL),
			 -ENAMETOOLONG);
	a.symlink_len = 0;
	assert_int_equal(ns_create(f->ns, NS_ROOT_FILEID, "empty", 5, &a, &ino,
				   NULL),
			 -EINVAL);
	/* removing a symlink drops its target record (fsck in teardown) */
	assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, "l", 1, NULL, NULL, NULL),
			 0);
}

/* ---- remove ------------------------------------------------------------- */

static void test_remove(void **state)
{
	struct fx *f = *state;
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	uint64_t x = tu_create(f->ns, d, "x", NS_REG);
	struct ns_inode removed, dir0 = tu_getattr(f->ns, d), dir1;
	struct ns_cinfo ci;
	int freed = -1;

	assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, "d", 1, NULL, NULL,
				   NULL),
			 -ENOTEMPTY);
	assert_int_equal(ns_remove(f->ns, d, "x", 1, &removed, &freed, &ci), 0);
	assert_int_equal(removed.fileid, x);
	assert_int_equal(removed.nlink, 1);
	assert_int_equal(freed, 1);
	dir1 = tu_getattr(f->ns, d);
	assert_int_equal(ci.before, dir0.change);
	assert_int_equal(ci.after, dir1.change);
	assert_int_equal(dir1.size, 0);
	assert_int_equal(ns_getattr(f->ns, x, &removed), -ENOENT);
	assert_int_equal(tu_lookup(f->ns, d, "x"), 0);
	assert_int_equal(ns_remove(f->ns, d, "x", 1, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, "d", 1, &removed, &freed,
				   NULL),
			 0);
	assert_int_equal(removed.type, NS_DIR);
	assert_int_equal(freed, 1);
	assert_int_equal(tu_getattr(f->ns, NS_ROOT_FILEID).nlink, 2);
	assert_int_equal(tu_getattr(f->ns, NS_ROOT_FILEID).size, 0);
	assert_int_equal(ns_create(f->ns, d, "y", 1, &(struct ns_create_args){
				   .type = NS_REG }, NULL, NULL),
			 -ENOENT);
}

/* ---- link --------------------------------------------------------------- */

static void test_link(void **state)
{
	struct fx *f = *state;
	uint64_t d1 = tu_create(f->ns, NS_ROOT_FILEID, "d1", NS_DIR);
	uint64_t d2 = tu_create(f->ns, NS_ROOT_FILEID, "d2", NS_DIR);
	uint64_t x = tu_create(f->ns, d1, "x", NS_REG);
	struct ns_inode x0 = tu_getattr(f->ns, x), x1;
	struct ns_cinfo ci;
	int freed = -1;

	assert_int_equal(ns_link(f->ns, x, d2, "y", 1, &ci), 0);
	x1 = tu_getattr(f->ns, x);
	assert_int_equal(x1.nlink, 2);
	assert_true(x1.change > x0.change);
	assert_int_equal(ci.after, tu_getattr(f->ns, d2).change);
	assert_int_equal(tu_lookup(f->ns, d2, "y"), x);
	assert_int_equal(tu_getattr(f->ns, d2).size, 1);
	assert_int_equal(ns_link(f->ns, x, d1, "x", 1, NULL), -EEXIST);
	assert_int_equal(ns_link(f->ns, d1, d2, "z", 1, NULL), -EISDIR);
	assert_int_equal(ns_link(f->ns, x, x, "z", 1, NULL), -ENOTDIR);
	assert_int_equal(ns_link(f->ns, 0x0100000000000999ull, d2, "z", 1, NULL),
			 -ENOENT);
	assert_int_equal(ns_remove(f->ns, d1, "x", 1, NULL, &freed, NULL), 0);
	assert_int_equal(freed, 0);
	assert_int_equal(tu_getattr(f->ns, x).nlink, 1);
	assert_int_equal(ns_remove(f->ns, d2, "y", 1, NULL, &freed, NULL), 0);
	assert_int_equal(freed, 1);
}

/* ---- rename ------------------------------------------------------------- */

static void test_rename_same_dir(void **state)
{
	struct fx *f = *state;
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	uint64_t a = tu_create(f->ns, d, "a", NS_REG);
	struct ns_cinfo sc, dc;
	uint64_t freed = 99;

	assert_int_equal(ns_rename(f->ns, d, "a", 1, d, "b", 1, &sc, &dc, &freed),
			 0);
	assert_int_equal(freed, 0);
	assert_int_equal(tu_lookup(f->ns, d, "a"), 0);
	assert_int_equal(tu_lookup(f->ns, d, "b"), a);
	assert_int_equal(sc.after, dc.after);
	assert_int_equal(tu_getattr(f->ns, d).size, 1);
	/* same name: a no-op */
	assert_int_equal(ns_rename(f->ns, d, "b", 1, d, "b", 1, &sc, &dc, &freed),
			 0);
	assert_int_equal(sc.before, sc.after);
	assert_int_equal(tu_lookup(f->ns, d, "b"), a);
	assert_int_equal(ns_rename(f->ns, d, "zz", 2, d, "b", 1, NULL, NULL, NULL),
			 -ENOENT);
}

static void test_rename_cross_shard(void **state)
{
	struct fx *f = *state;
	char n1[32], n2[32], sname[32], dname[32];
	uint64_t d1, d2, sub, file;
	struct ns_inode p1, p2;
	struct ns_cinfo sc, dc;

	/* parents on shards 1 and 2, entries on shards 3 and 4 */
	tu_name_on_shard(f->ns, NS_ROOT_FILEID, 1, "p", n1, sizeof n1);
	tu_name_on_shard(f->ns, NS_ROOT_FILEID, 2, "p", n2, sizeof n2);
	d1 = tu_create(f->ns, NS_ROOT_FILEID, n1, NS_DIR);
	d2 = tu_create(f->ns, NS_ROOT_FILEID, n2, NS_DIR);
	assert_int_equal(ns_fileid_shard(d1), 1);
	assert_int_equal(ns_fileid_shard(d2), 2);
	tu_name_on_shard(f->ns, d1, 3, "s", sname, sizeof sname);
	tu_name_on_shard(f->ns, d2, 4, "t", dname, sizeof dname);
	sub = tu_create(f->ns, d1, sname, NS_DIR);
	tu_create(f->ns, sub, "inner", NS_REG);
	assert_int_equal(ns_rename(f->ns, d1, sname, strlen(sname), d2, dname,
				   strlen(dname), &sc, &dc, NULL),
			 0);
	p1 = tu_getattr(f->ns, d1);
	p2 = tu_getattr(f->ns, d2);
	assert_int_equal(p1.nlink, 2);
	assert_int_equal(p2.nlink, 3);
	assert_int_equal(p1.size, 0);
	assert_int_equal(p2.size, 1);
	assert_int_equal(sc.after, p1.change);
	assert_int_equal(dc.after, p2.change);
	assert_int_equal(tu_getattr(f->ns, sub).parent, d2);
	assert_int_equal(tu_lookup(f->ns, d2, dname), sub);
	assert_int_equal(tu_lookup(f->ns, d1, sname), 0);
	/* the inode stays where it was born: its fileid is its handle */
	assert_int_equal(ns_fileid_shard(sub), 3);
	file = tu_lookup(f->ns, sub, "inner");
	assert_true(file != 0);
	tu_fsck_clean(f->ns);
	/* and back, as a file rename this time */
	assert_int_equal(ns_rename(f->ns, sub, "inner", 5, d1, "back", 4, NULL,
				   NULL, NULL),
			 0);
	assert_int_equal(tu_lookup(f->ns, d1, "back"), file);
	assert_int_equal(tu_getattr(f->ns, file).parent, d1);
}

static void test_rename_replace(void **state)
{
	struct fx *f = *state;
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	uint64_t a = tu_create(f->ns, d, "a", NS_REG);
	uint64_t b = tu_create(f->ns, d, "b", NS_REG);
	uint64_t c = tu_create(f->ns, d, "c", NS_REG);
	uint64_t freed = 99;

	/* file over file: target freed */
	assert_int_equal(ns_rename(f->ns, d, "a", 1, d, "b", 1, NULL, NULL,
				   &freed),
			 0);
	assert_int_equal(freed, b);
	assert_int_equal(tu_lookup(f->ns, d, "b"), a);
	assert_int_equal(tu_getattr(f->ns, d).size, 2);
	/* file over a file with another link: not freed */
	assert_int_equal(ns_link(f->ns, c, NS_ROOT_FILEID, "c2", 2, NULL), 0);
	assert_int_equal(ns_rename(f->ns, d, "b", 1, d, "c", 1, NULL, NULL,
				   &freed),
			 0);
	assert_int_equal(freed, 0);
	assert_int_equal(tu_getattr(f->ns, c).nlink, 1);
	/* two links of one inode: POSIX no-op, both names stay */
	assert_int_equal(ns_link(f->ns, a, d, "a2", 2, NULL), 0);
	assert_int_equal(ns_rename(f->ns, d, "c", 1, d, "a2", 2, NULL, NULL,
				   &freed),
			 0);
	assert_int_equal(tu_lookup(f->ns, d, "c"), a);
	assert_int_equal(tu_lookup(f->ns, d, "a2"), a);
	assert_int_equal(tu_getattr(f->ns, a).nlink, 2);
}

static void test_rename_dirs(void **state)
{
	struct fx *f = *state;
	uint64_t a = tu_create(f->ns, NS_ROOT_FILEID, "a", NS_DIR);
	uint64_t b = tu_create(f->ns, NS_ROOT_FILEID, "b", NS_DIR);
	uint64_t e = tu_create(f->ns, NS_ROOT_FILEID, "empty", NS_DIR);
	uint64_t ab = tu_create(f->ns, a, "ab", NS_DIR);
	uint64_t abc = tu_create(f->ns, ab, "abc", NS_DIR);
	uint64_t file = tu_create(f->ns, NS_ROOT_FILEID, "file", NS_REG);
	uint64_t freed = 0;

	tu_create(f->ns, b, "bfile", NS_REG);
	/* dir over non-empty dir */
	assert_int_equal(ns_rename(f->ns, NS_ROOT_FILEID, "a", 1, NS_ROOT_FILEID,
				   "b", 1, NULL, NULL, NULL),
			 -ENOTEMPTY);
	/* dir over file, file over dir */
	assert_int_equal(ns_rename(f->ns, NS_ROOT_FILEID, "a", 1, NS_ROOT_FILEID,
				   "file", 4, NULL, NULL, NULL),
			 -ENOTDIR);
	assert_int_equal(ns_rename(f->ns, NS_ROOT_FILEID, "file", 4,
				   NS_ROOT_FILEID, "empty", 5, NULL, NULL, NULL),
			 -EISDIR);
	/* into itself, into its own subtree */
	assert_int_equal(ns_rename(f->ns, NS_ROOT_FILEID, "a", 1, a, "x", 1, NULL,
				   NULL, NULL),
			 -EINVAL);
	assert_int_equal(ns_rename(f->ns, NS_ROOT_FILEID, "a", 1, abc, "x", 1,
				   NULL, NULL, NULL),
			 -EINVAL);
	/* a parent over its non-empty child's parent: ENOTEMPTY */
	assert_int_equal(ns_rename(f->ns, a, "ab", 2, NS_ROOT_FILEID, "a", 1, NULL,
				   NULL, NULL),
			 -ENOTEMPTY);
	/* dir over empty dir, across parents */
	assert_int_equal(ns_rename(f->ns, ab, "abc", 3, NS_ROOT_FILEID, "empty", 5,
				   NULL, NULL, &freed),
			 0);
	assert_int_equal(freed, e);
	assert_int_equal(tu_lookup(f->ns, NS_ROOT_FILEID, "empty"), abc);
	assert_int_equal(tu_getattr(f->ns, abc).parent, NS_ROOT_FILEID);
	assert_int_equal(tu_getattr(f->ns, ab).nlink, 2);
	/* root: a, b, file, empty(=abc) -> 2 + 3 subdirs */
	assert_int_equal(tu_getattr(f->ns, NS_ROOT_FILEID).nlink, 5);
	assert_int_equal(tu_getattr(f->ns, NS_ROOT_FILEID).size, 4);
	/* a dir moved up and down keeps the counts right */
	assert_int_equal(ns_rename(f->ns, NS_ROOT_FILEID, "b", 1, abc, "b", 1,
				   NULL, NULL, NULL),
			 0);
	assert_int_equal(tu_getattr(f->ns, abc).nlink, 3);
	assert_int_equal(tu_getattr(f->ns, NS_ROOT_FILEID).nlink, 4);
	assert_int_equal(ns_rename(f->ns, NS_ROOT_FILEID, "nope", 4, a, "x", 1,
				   NULL, NULL, NULL),
			 -ENOENT);
	assert_int_equal(ns_rename(f->ns, NS_ROOT_FILEID, "a", 1, file, "x", 1,
				   NULL, NULL, NULL),
			 -ENOTDIR);
}

/* ---- attributes --------------------------------------------------------- */

static void test_setattr(void **state)
{
	struct fx *f = *state;
	uint64_t x = tu_create(f->ns, NS_ROOT_FILEID, "x", NS_REG);
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	struct ns_inode a = { 0 }, out, prev = tu_getattr(f->ns, x);
	struct ns_stats st;

	a.mode = 0100600;
	a.uid = 1000;
	a.gid = 1001;
	assert_int_equal(ns_setattr(f->ns, x, NS_SET_MODE | NS_SET_UID | NS_SET_GID,
				    &a, &out),
			 0);
	assert_int_equal(out.mode, 0600);
	assert_int_equal(out.uid, 1000);
	assert_int_equal(out.gid, 1001);
	assert_true(out.change > prev.change);
	assert_true(out.ctime.sec > prev.ctime.sec ||
		    (out.ctime.sec == prev.ctime.sec &&
		     out.ctime.nsec >= prev.ctime.nsec));
	prev = out;

	a.size = 12345;
	assert_int_equal(ns_setattr(f->ns, x, NS_SET_SIZE, &a, &out), 0);
	assert_int_equal(out.size, 12345);
	assert_true(out.change > prev.change);
	assert_int_equal(ns_stats(f->ns, &st), 0);
	assert_int_equal(st.bytes, 12345);
	a.size = 10;
	assert_int_equal(ns_setattr(f->ns, x, NS_SET_SIZE, &a, &out), 0);
	assert_int_equal(ns_stats(f->ns, &st), 0);
	assert_int_equal(st.bytes, 10);

	a.atime = (struct ns_time){ 1000, 5 };
	a.mtime = (struct ns_time){ 2000, 6 };
	a.btime = (struct ns_time){ 500, 7 };
	assert_int_equal(ns_setattr(f->ns, x,
				    NS_SET_ATIME | NS_SET_MTIME | NS_SET_BTIME,
				    &a, &out),
			 0);
	assert_int_equal(out.atime.sec, 1000);
	assert_int_equal(out.atime.nsec, 5);
	assert_int_equal(out.mtime.sec, 2000);
	assert_int_equal(out.btime.sec, 500);
	assert_int_equal(ns_setattr(f->ns, x, NS_SET_MTIME_NOW | NS_SET_ATIME_NOW,
				    &a, &out),
			 0);
	assert_true(out.mtime.sec > 2000);
	assert_true(out.atime.sec > 1000);

	a.residency = NS_RES_BOTH;
	snprintf(a.object_etag, sizeof a.object_etag, "\"etag-1\"");
	a.space_used = 4096;
	assert_int_equal(ns_setattr(f->ns, x, NS_SET_RESIDENCY | NS_SET_SPACE_USED,
				    &a, &out),
			 0);
	out = tu_getattr(f->ns, x);
	assert_int_equal(out.residency, NS_RES_BOTH);
	assert_string_equal(out.object_etag, "\"etag-1\"");
	assert_int_equal(out.space_used, 4096);

	/* refused */
	assert_int_equal(ns_setattr(f->ns, d, NS_SET_SIZE, &a, &out), -EISDIR);
	assert_int_equal(ns_setattr(f->ns, x, 1u << 30, &a, &out), -EINVAL);
	a.mtime.nsec = 1000000000u;
	assert_int_equal(ns_setattr(f->ns, x, NS_SET_MTIME, &a, &out), -EINVAL);
	assert_int_equal(ns_setattr(f->ns, 0x0100000000000999ull, NS_SET_MODE, &a,
				    &out),
			 -ENOENT);
	/* empty mask: nothing changes */
	prev = tu_getattr(f->ns, x);
	assert_int_equal(ns_setattr(f->ns, x, 0, NULL, &out), 0);
	assert_int_equal(out.change, prev.change);
	/* Residency set by hand has no object record (metadata/ns_tier.h),
	 * which the teardown's fsck reports: set it back. */
	a.residency = NS_RES_LOCAL;
	a.object_etag[0] = '\0';
	assert_int_equal(ns_setattr(f->ns, x, NS_SET_RESIDENCY, &a, &out), 0);
}

static void test_note_write(void **state)
{
	struct fx *f = *state;
	uint64_t x = tu_create(f->ns, NS_ROOT_FILEID, "x", NS_REG);
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	struct ns_inode out, prev = tu_getattr(f->ns, x);
	uint64_t last = prev.change;

	assert_int_equal(ns_note_write(f->ns, x, 4096, &out), 0);
	assert_int_equal(out.size, 4096);
	assert_true(out.change > last);
	last = out.change;
	assert_int_equal(ns_note_write(f->ns, x, 100, &out), 0);
	assert_int_equal(out.size, 4096); /* never shrinks */
	assert_true(out.change > last);
	assert_int_equal(ns_note_write(f->ns, d, 100, &out), -EISDIR);
	/* change is strictly increasing even for back-to-back updates */
	for (int i = 0; i < 200; i++) {
		assert_int_equal(ns_note_write(f->ns, x, 0, &out), 0);
		assert_true(out.change > last);
		last = out.change;
	}
}

/* ---- reclaim list (data to free after the last link went) ----------------- */

static int listed(struct ns *ns, uint64_t fileid)
{
	uint64_t ids[64];
	size_t n = 0;

	assert_int_equal(ns_reclaim_list(ns, ids, NULL, 64, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (ids[i] == fileid)
			return 1;
	return 0;
}

static size_t nlisted(struct ns *ns)
{
	uint64_t ids[64];
	size_t n = 0;

	assert_int_equal(ns_reclaim_list(ns, ids, NULL, 64, &n), 0);
	return n;
}

/* Only a regular file's last link puts it on the list, in the same
 * commit (it survives a reopen); ns_reclaim_done takes it off. */
static void place(struct ns *ns, uint64_t fileid)
{
	int was;

	assert_int_equal(ns_data_placed(ns, fileid, &was), 0);
	assert_int_equal(was, 0);
	assert_int_equal(ns_data_placed(ns, fileid, &was), 0);
	assert_int_equal(was, 1);
}

static uint32_t flags_of(struct ns *ns, uint64_t fileid)
{
	struct ns_inode ino;

	assert_int_equal(ns_getattr(ns, fileid, &ino), 0);
	return ino.flags;
}

/* ns.h, ns_inode_flags: a new file has no data; a write or
 * ns_data_placed() places it; removing a file that never had data lists
 * nothing, while a record from before the flags (neither bit) is
 * reclaimed. */
static void test_data_placed(void **state)
{
	struct fx *f = *state;
	struct ns_inode gone, out;
	int freed, was;

	uint64_t e = tu_create(f->ns, NS_ROOT_FILEID, "empty", NS_REG);
	uint64_t w = tu_create(f->ns, NS_ROOT_FILEID, "written", NS_REG);
	uint64_t o = tu_create(f->ns, NS_ROOT_FILEID, "old", NS_REG);
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "dir", NS_DIR);

	assert_int_equal(flags_of(f->ns, e), NS_INO_NO_DATA);
	assert_int_equal(flags_of(f->ns, d), 0);
	assert_int_equal(ns_data_placed(f->ns, d, &was), -EINVAL);
	/* A truncate is not a placement: the server skips it (op_attr.c). */
	out.size = 4096;
	assert_int_equal(ns_setattr(f->ns, e, NS_SET_SIZE, &out, NULL), 0);
	assert_int_equal(flags_of(f->ns, e), NS_INO_NO_DATA);
	assert_int_equal(ns_note_write(f->ns, w, 4096, NULL), 0);
	assert_int_equal(flags_of(f->ns, w), NS_INO_DATA_PLACED);
	assert_int_equal(ns_test_set_flags(f->ns, o, 0), 0);

	for (const char *n = "empty\0written\0old\0"; *n; n += strlen(n) + 1)
		assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, n, strlen(n),
					   &gone, &freed, NULL),
				 0);
	assert_int_equal(nlisted(f->ns), 2);
	assert_false(listed(f->ns, e));
	assert_true(listed(f->ns, w));
	assert_true(listed(f->ns, o));
	tu_fsck_clean(f->ns);
}

static void test_reclaim_list(void **state)
{
	struct fx *f = *state;
	struct ns_inode gone;
	int freed;

	uint64_t a = tu_create(f->ns, NS_ROOT_FILEID, "a", NS_REG);
	uint64_t b = tu_create(f->ns, NS_ROOT_FILEID, "b", NS_REG);
	uint64_t t = tu_create(f->ns, NS_ROOT_FILEID, "t", NS_REG);
	uint64_t s = tu_create(f->ns, NS_ROOT_FILEID, "s", NS_REG);
	tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	tu_create(f->ns, NS_ROOT_FILEID, "l", NS_LNK);
	assert_int_equal(ns_link(f->ns, b, NS_ROOT_FILEID, "b2", 2, NULL), 0);
	/* Only files whose data was placed have anything to reclaim. */
	place(f->ns, a);
	place(f->ns, b);
	place(f->ns, s);
	assert_int_equal(ns_note_write(f->ns, t, 10, NULL), 0);
	assert_int_equal(nlisted(f->ns), 0);

	assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, "a", 1, &gone,
				   &freed, NULL), 0);
	assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, "d", 1, &gone,
				   &freed, NULL), 0);
	assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, "l", 1, &gone,
				   &freed, NULL), 0);
	assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, "b", 1, &gone,
				   &freed, NULL), 0);
	assert_int_equal(freed, 0); /* b2 still names it */
	assert_int_equal(ns_rename(f->ns, NS_ROOT_FILEID, "s", 1,
				   NS_ROOT_FILEID, "t", 1, NULL, NULL, NULL),
			 0);
	assert_int_equal(nlisted(f->ns), 2);
	assert_true(listed(f->ns, a));
	assert_true(listed(f->ns, t));
	assert_false(listed(f->ns, b));
	tu_fsck_clean(f->ns);

	ns_close(f->ns);
	f->ns = tu_open(f->dir, NSHARDS);
	assert_true(listed(f->ns, a));
	assert_int_equal(ns_reclaim_done(f->ns, &a, 1), 0);
	assert_false(listed(f->ns, a));
	assert_true(listed(f->ns, t));
	assert_int_equal(ns_reclaim_done(f->ns, &t, 1), 0);
	assert_int_equal(nlisted(f->ns), 0);
}

/* The generation FILEID's reclaim record names; -1 if not listed. */
static int64_t listed_gen(struct ns *ns, uint64_t fileid)
{
	uint64_t ids[64], gens[64];
	size_t n = 0;

	assert_int_equal(ns_reclaim_list(ns, ids, gens, 64, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (ids[i] == fileid)
			return (int64_t)gens[i];
	return -1;
}

static void count_violation(void *ctx, const char *msg)
{
	(void)msg;
	(*(int *)ctx)++;
}

/* docs/decisions/0030: a reclaim record names the data generation of the
 * last unlink (remove, rename over, an orphan's later data); a record of
 * an older build (one zero byte) is read as generation 0 and passes
 * fsck; any other value is malformed. */
static void test_reclaim_generation(void **state)
{
	struct fx *f = *state;
	struct ns_inode gone;
	int freed, bad = 0;
	const uint8_t old_rec = 0, odd_rec[3] = { 1, 2, 3 };

	uint64_t a = tu_create(f->ns, NS_ROOT_FILEID, "ga", NS_REG);
	uint64_t t = tu_create(f->ns, NS_ROOT_FILEID, "gt", NS_REG);
	uint64_t s = tu_create(f->ns, NS_ROOT_FILEID, "gs", NS_REG);
	uint64_t o = tu_create(f->ns, NS_ROOT_FILEID, "go", NS_REG);
	uint64_t n = tu_create(f->ns, NS_ROOT_FILEID, "gn", NS_REG);

	for (uint64_t x = a; x; x = x == a ? t : x == t ? s : x == s ? o : 0)
		place(f->ns, x);
	assert_int_equal(ns_test_set_layout_gen(f->ns, a, 5), 0);
	assert_int_equal(ns_test_set_layout_gen(f->ns, t, 0x1122334455ull), 0);
	assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, "ga", 2, &gone,
				   &freed, NULL), 0);
	assert_int_equal(ns_rename(f->ns, NS_ROOT_FILEID, "gs", 2,
				   NS_ROOT_FILEID, "gt", 2, NULL, NULL, NULL),
			 0);
	assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, "go", 2, &gone,
				   &freed, NULL), 0);
	assert_int_equal(listed_gen(f->ns, a), 5);
	assert_int_equal(listed_gen(f->ns, t), 0x1122334455ll);
	assert_int_equal(listed_gen(f->ns, o), 0);
	/* An orphan's data made after its unlink (it had none then) names
	 * its generation. */
	assert_int_equal(ns_remove(f->ns, NS_ROOT_FILEID, "gn", 2, &gone,
				   &freed, NULL), 0);
	assert_int_equal(listed_gen(f->ns, n), -1);
	assert_int_equal(ns_reclaim_add(f->ns, n, 9), 0);
	assert_int_equal(listed_gen(f->ns, n), 9);
	assert_int_equal(listed_gen(f->ns, s), -1); /* alive, as gt */
	/* An older build's record, written by hand over o's. */
	assert_int_equal(ns_test_put_reclaim(f->ns, o, &old_rec, 1), 0);
	assert_int_equal(listed_gen(f->ns, o), 0);
	tu_fsck_clean(f->ns);
	ns_close(f->ns);
	f->ns = tu_open(f->dir, NSHARDS);
	assert_int_equal(listed_gen(f->ns, a), 5);
	assert_int_equal(listed_gen(f->ns, o), 0);
	assert_int_equal(ns_test_put_reclaim(f->ns, o, odd_rec, 3), 0);
	assert_int_equal(ns_fsck(f->ns, count_violation, &bad), 1);
	assert_int_equal(bad, 1);
	assert_int_equal(ns_reclaim_done(f->ns, &o, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_lookup, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_nlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_special_files, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_same_dir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rename_cross_shard, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rename_replace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rename_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setattr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reclaim_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_data_placed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reclaim_generation, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
