/*
 * tests/unit/test_perm_ops.c — the permission checks of each operation
 * (nfsd/perm.h) end to end through compound_run(), on a single-node MDS,
 * with AUTH_SYS credentials of other users: what the Linux client's own
 * checks would hide (a raw client sends anything). Objects are made by
 * root; owners and modes are then set in the namespace directly. Every
 * refusal comes with a positive control, so a server that refuses
 * everything fails too; each refusal fails with its check switched off.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compound_harness.h"
#include "fh.h"
#include "ns.h"
#include "server_run.h"
#include "test_util_ch.h"

#define ALICE 1001
#define BOB 2002

static struct strata_server *g_srv;
static char *g_dir;
static struct ch_client *g_cl;
static struct fh g_top; /* a directory per test, mode 0777 */

#define NOPS(...) (sizeof((nfs_argop4[]){ __VA_ARGS__ }) / sizeof(nfs_argop4))
#define CALL(...)                                                            \
	ch_call(g_cl, 1, (nfs_argop4[]){ __VA_ARGS__ }, NOPS(__VA_ARGS__))
#define SEQ ch_op_seq(g_cl, 0, 0)

static stateid4 anon;   /* all zeros */
static stateid4 bypass; /* all ones (setup) */

static void as(uint32_t uid, uint32_t gid)
{
	ch_cred_sys(&g_cl->cred, uid, gid);
}

static struct ns_inode inode_of(const struct fh *fh)
{
	struct ns_inode ino;

	assert_int_equal(ns_getattr(g_srv->ns, tu_fileid(fh), &ino), 0);
	return ino;
}

static void chmod_own(const struct fh *fh, uint32_t mode, uint32_t uid,
		      uint32_t gid)
{
	struct ns_inode attr = { .mode = mode, .uid = uid, .gid = gid }, out;

	assert_int_equal(ns_setattr(g_srv->ns, tu_fileid(fh),
				    NS_SET_MODE | NS_SET_UID | NS_SET_GID,
				    &attr, &out),
			 0);
}

/* As root: directory NAME in DIR, then MODE, UID, GID. */
static void mkdir_as_root(const struct fh *dir, const char *name,
			  uint32_t mode, uint32_t uid, struct fh *out)
{
	as(0, 0);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&dir->fh),
			      ch_op_create_dir(name), ch_op_getfh()),
			 NFS4_OK);
	tu_save_fh(g_cl, 3, out);
	chmod_own(out, mode, uid, uid);
}

/* As root: file NAME in DIR holding DATA, then MODE, UID, GID. */
static void mkfile_as_root(const struct fh *dir, const char *name,
			   const char *data, uint32_t mode, uint32_t uid,
			   struct fh *out)
{
	stateid4 sid;

	as(0, 0);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&dir->fh),
			      ch_op_open(g_cl, "root", name, 1,
					 OPEN4_SHARE_ACCESS_BOTH,
					 OPEN4_SHARE_DENY_NONE),
			      ch_op_getfh()),
			 NFS4_OK);
	sid = tu_open_sid(g_cl, 2);
	tu_save_fh(g_cl, 3, out);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&out->fh),
			      ch_op_write(&sid, 0, data, strlen(data),
					  FILE_SYNC4)),
			 NFS4_OK);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&out->fh), ch_op_close(&sid)),
			 NFS4_OK);
	chmod_own(out, mode, uid, uid);
}

/* OPEN of NAME in DIR (no create) with ACCESS by the current caller: the
 * OPEN's status; *SID on success. */
static int open_as(const struct fh *dir, const char *name, uint32_t access,
		   stateid4 *sid)
{
	int st = CALL(SEQ, ch_op_putfh(&dir->fh),
		      ch_op_open(g_cl, "user", name, 0, access,
				 OPEN4_SHARE_DENY_NONE));

	if (st == NFS4_OK && sid)
		*sid = tu_open_sid(g_cl, 2);
	return st;
}

static int read_as(const struct fh *f, const stateid4 *sid)
{
	return CALL(SEQ, ch_op_putfh(&f->fh), ch_op_read(sid, 0, 100));
}

static int write_as(const struct fh *f, const stateid4 *sid)
{
	return CALL(SEQ, ch_op_putfh(&f->fh),
		    ch_op_write(sid, 0, "XXXX", 4, FILE_SYNC4));
}

static int exists(const struct fh *dir, const char *name)
{
	uint64_t f;

	return ns_lookup(g_srv->ns, tu_fileid(dir), name, strlen(name), &f) == 0;
}

/* ------------------------------------------------------------------ */

static void test_read_write_of_private_file(void **state)
{
	struct fh f;
	stateid4 sid;
	struct ns_inode before;

	(void)state;
	mkfile_as_root(&g_top, "secret", "hush", 0600, ALICE, &f);
	before = inode_of(&f);
	as(BOB, BOB);
	assert_int_equal(open_as(&g_top, "secret", OPEN4_SHARE_ACCESS_READ,
				 NULL),
			 NFS4ERR_ACCESS);
	assert_int_equal(open_as(&g_top, "secret", OPEN4_SHARE_ACCESS_WRITE,
				 NULL),
			 NFS4ERR_ACCESS);
	assert_int_equal(read_as(&f, &anon), NFS4ERR_ACCESS);
	assert_int_equal(read_as(&f, &bypass), NFS4ERR_ACCESS);
	assert_int_equal(write_as(&f, &anon), NFS4ERR_ACCESS);
	assert_int_equal(write_as(&f, &bypass), NFS4ERR_ACCESS);
	/* Nothing changed. */
	assert_int_equal(inode_of(&f).change, before.change);
	assert_int_equal(inode_of(&f).size, 4);
	/* The owner may; root may; the file reads as written. */
	as(ALICE, ALICE);
	assert_int_equal(open_as(&g_top, "secret", OPEN4_SHARE_ACCESS_BOTH,
				 &sid),
			 NFS4_OK);
	assert_int_equal(read_as(&f, &anon), NFS4_OK);
	assert_memory_equal(ch_res(g_cl, 2)->nfs_resop4_u.opread.READ4res_u
				    .resok4.data.base,
			    "hush", 4);
	as(0, 0);
	assert_int_equal(read_as(&f, &anon), NFS4_OK);
	/* Others' read bit is enough for others. */
	chmod_own(&f, 0604, ALICE, ALICE);
	as(BOB, BOB);
	assert_int_equal(read_as(&f, &anon), NFS4_OK);
	assert_int_equal(write_as(&f, &anon), NFS4ERR_ACCESS);
}

static void test_lookup_and_readdir(void **state)
{
	struct fh d, x;

	(void)state;
	mkdir_as_root(&g_top, "private", 0700, ALICE, &d);
	mkfile_as_root(&d, "inner", "x", 0644, ALICE, &x);
	as(BOB, BOB);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh),
			      ch_op_lookup("inner", 5)),
			 NFS4ERR_ACCESS);
	/* ".." of a directory one may not search */
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh), ch_op_lookupp()),
			 NFS4ERR_ACCESS);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh),
			      ch_op_readdir(0, 8192, NULL, 0)),
			 NFS4ERR_ACCESS);
	/* search but no read: lookup yes, list no */
	chmod_own(&d, 0711, ALICE, ALICE);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh),
			      ch_op_lookup("inner", 5)),
			 NFS4_OK);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh),
			      ch_op_readdir(0, 8192, NULL, 0)),
			 NFS4ERR_ACCESS);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh), ch_op_lookupp()),
			 NFS4_OK);
	chmod_own(&d, 0755, ALICE, ALICE);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh),
			      ch_op_readdir(0, 8192, NULL, 0)),
			 NFS4_OK);
	(void)x;
}

static void test_create_remove_in_others_dir(void **state)
{
	struct fh d, f, sub;

	(void)state;
	mkdir_as_root(&g_top, "alices", 0755, ALICE, &d);
	mkfile_as_root(&d, "file", "data", 0666, ALICE, &f);
	as(BOB, BOB);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh), ch_op_remove("file")),
			 NFS4ERR_ACCESS);
	assert_true(exists(&d, "file"));
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh),
			      ch_op_create_dir("bobs")),
			 NFS4ERR_ACCESS);
	assert_false(exists(&d, "bobs"));
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh),
			      ch_op_open(g_cl, "user", "new", 1,
					 OPEN4_SHARE_ACCESS_WRITE,
					 OPEN4_SHARE_DENY_NONE)),
			 NFS4ERR_ACCESS);
	assert_false(exists(&d, "new"));
	/* An existing name is EEXIST first (Linux looks it up first). */
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh),
			      ch_op_create_dir("file")),
			 NFS4ERR_EXIST);
	/* OPEN-create of an existing file in that directory: opens it. */
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh),
			      ch_op_open(g_cl, "user", "file", 1,
					 OPEN4_SHARE_ACCESS_READ,
					 OPEN4_SHARE_DENY_NONE)),
			 NFS4_OK);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh), ch_op_putfh(&f.fh),
			      ch_op_savefh(), ch_op_putfh(&d.fh),
			      ch_op_link("bobs-link")),
			 NFS4ERR_ACCESS);
	/* Writable for Bob: all goes. */
	chmod_own(&d, 0777, ALICE, ALICE);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh),
			      ch_op_create_dir("bobs"), ch_op_getfh()),
			 NFS4_OK);
	tu_save_fh(g_cl, 3, &sub);
	assert_int_equal(inode_of(&sub).uid, BOB);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh), ch_op_remove("file")),
			 NFS4_OK);
}

static void test_sticky_directory(void **state)
{
	struct fh d, alices, bobs, other;

	(void)state;
	mkdir_as_root(&g_top, "tmp", 01777, 0, &d);
	mkdir_as_root(&g_top, "elsewhere", 0777, 0, &other);
	mkfile_as_root(&d, "alices", "a", 0644, ALICE, &alices);
	mkfile_as_root(&d, "bobs", "b", 0644, BOB, &bobs);
	as(BOB, BOB);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh), ch_op_remove("alices")),
			 NFS4ERR_PERM);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh), ch_op_savefh(),
			      ch_op_putfh(&other.fh),
			      ch_op_rename("alices", "stolen")),
			 NFS4ERR_PERM);
	/* Over Alice's file in the sticky directory: no either. */
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh), ch_op_savefh(),
			      ch_op_putfh(&d.fh),
			      ch_op_rename("bobs", "alices")),
			 NFS4ERR_PERM);
	assert_true(exists(&d, "alices"));
	assert_false(exists(&other, "stolen"));
	assert_int_equal(inode_of(&alices).uid, ALICE);
	/* His own: yes. */
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh), ch_op_savefh(),
			      ch_op_putfh(&other.fh),
			      ch_op_rename("bobs", "moved")),
			 NFS4_OK);
	assert_true(exists(&other, "moved"));
	/* The directory's owner (root here) and root: yes. */
	as(0, 0);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&d.fh), ch_op_remove("alices")),
			 NFS4_OK);
}

static void test_setattr_of_others_file(void **state)
{
	uint32_t word[2];
	char val[8];
	struct ns_inode before;
	struct fh f;

	(void)state;
	mkfile_as_root(&g_top, "alices-file", "data", 0644, ALICE, &f);
	before = inode_of(&f);
	as(BOB, BOB);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&f.fh),
			      ch_op_setattr_mode(&anon, 0777, word, val)),
			 NFS4ERR_PERM);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&f.fh),
			      ch_op_setattr_size(&anon, 0, word, val)),
			 NFS4ERR_ACCESS);
	assert_int_equal(inode_of(&f).mode, 0644);
	assert_int_equal(inode_of(&f).size, 4);
	assert_int_equal(inode_of(&f).change, before.change);
	as(ALICE, ALICE);
	assert_int_equal(CALL(SEQ, ch_op_putfh(&f.fh),
			      ch_op_setattr_mode(&anon, 0600, word, val)),
			 NFS4_OK);
	assert_int_equal(inode_of(&f).mode, 0600);
}

/* pjdfstest chmod/12.t: a write by a non-owner drops set-ID bits. */
static void test_write_drops_setid(void **state)
{
	struct fh f;

	(void)state;
	mkfile_as_root(&g_top, "suid", "x", 06777, ALICE, &f);
	as(BOB, BOB);
	assert_int_equal(write_as(&f, &anon), NFS4_OK);
	assert_int_equal(inode_of(&f).mode, 0777);
	/* Root's writes keep them. */
	chmod_own(&f, 06777, ALICE, ALICE);
	as(0, 0);
	assert_int_equal(write_as(&f, &anon), NFS4_OK);
	assert_int_equal(inode_of(&f).mode, 06777);
}

/* ACCESS answers what the checks allow. */
static void test_access_matches(void **state)
{
	struct fh f;
	ACCESS4resok *ok;

	(void)state;
	mkfile_as_root(&g_top, "acc", "x", 0640, ALICE, &f);
	as(BOB, ALICE); /* in the file's group: read only */
	assert_int_equal(CALL(SEQ, ch_op_putfh(&f.fh),
			      ch_op_access(ACCESS4_READ | ACCESS4_MODIFY)),
			 NFS4_OK);
	ok = &ch_res(g_cl, 2)->nfs_resop4_u.opaccess.ACCESS4res_u.resok4;
	assert_int_equal(ok->access, ACCESS4_READ);
	assert_int_equal(read_as(&f, &anon), NFS4_OK);
	assert_int_equal(write_as(&f, &anon), NFS4ERR_ACCESS);
}

/* ------------------------------------------------------------------ */

static int setup(void **state)
{
	(void)state;
	memset(&bypass, 0xff, sizeof(bypass));
	if (ch_server_start(&g_srv, &g_dir, 0, 0) < 0)
		return -1;
	g_cl = calloc(1, sizeof(*g_cl));
	if (!g_cl || ch_client_init(g_cl, g_srv, NULL) < 0 ||
	    ch_setup(g_cl, "perm-ops") != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_free_client(g_cl);
	ch_server_stop(g_srv, g_dir);
	return 0;
}

/* Each test in its own directory, mode 0777, owned by root. */
static int per_test(void **state)
{
	const char *name = tu_uniq("t");

	(void)state;
	as(0, 0);
	if (CALL(SEQ, ch_op_putrootfh(), ch_op_create_dir(name),
		 ch_op_getfh()) != NFS4_OK)
		return -1;
	tu_save_fh(g_cl, 3, &g_top);
	chmod_own(&g_top, 0777, 0, 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_read_write_of_private_file,
				       per_test),
		cmocka_unit_test_setup(test_lookup_and_readdir, per_test),
		cmocka_unit_test_setup(test_create_remove_in_others_dir,
				       per_test),
		cmocka_unit_test_setup(test_sticky_directory, per_test),
		cmocka_unit_test_setup(test_setattr_of_others_file, per_test),
		cmocka_unit_test_setup(test_write_drops_setid, per_test),
		cmocka_unit_test_setup(test_access_matches, per_test),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
