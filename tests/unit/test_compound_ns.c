/*
 * tests/unit/test_compound_ns.c -- COMPOUND processing end to end, in
 * process (method in test_compound.c; helpers in compound_tests.h):
 * directories (CREATE, READDIR, REMOVE, RENAME, LINK, the reclaim of
 * removed files), malformed requests, share reservations and byte-range
 * locks, filehandles.
 * STRATA_TEST_FILTER=<glob> selects tests.
 */
#include <arpa/inet.h>
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
#include "store.h"
#include "test_util_ch.h"
#include "server_run.h"
#include "config.h"
#include "reclaim.h"
#include "session.h"
#include "compound_tests.h"

/* ------------------------------------------------------------------ */
/* Directories: CREATE, READDIR, REMOVE, RENAME, LINK                  */
/* ------------------------------------------------------------------ */

/* READDIR of the current directory (after OPS) lists NAME? */
static int readdir_has(struct ch_client *cl, struct fh *dir, const char *name,
		       int *bad_cookie, int *dot)
{
	uint32_t words[1] = { 1u << FATTR4_TYPE };
	uint64_t cookie = 0;
	int found = 0;

	for (int rounds = 0; rounds < 1000; rounds++) {
		READDIR4resok *ok;
		int st = CALL(cl, ch_op_seq(cl, 0, 0),
			      dir ? ch_op_putfh(&dir->fh) : ch_op_putrootfh(),
			      ch_op_readdir(cookie, 8192, words, 1));

		assert_int_equal(st, NFS4_OK);
		ok = &ch_res(cl, 2)->nfs_resop4_u.opreaddir.READDIR4res_u
			      .resok4;
		for (entry4 *e = ok->reply.entries; e; e = e->nextentry) {
			if (e->name.utf8string_len == strlen(name) &&
			    !memcmp(e->name.utf8string_val, name,
				    strlen(name)))
				found = 1;
			if (e->cookie <= 2 && bad_cookie)
				*bad_cookie = 1;
			if (dot && ((e->name.utf8string_len == 1 &&
				     e->name.utf8string_val[0] == '.') ||
				    (e->name.utf8string_len == 2 &&
				     !memcmp(e->name.utf8string_val, "..", 2))))
				*dot = 1;
			cookie = e->cookie;
		}
		if (ok->reply.eof)
			return found;
		assert_non_null(ok->reply.entries); /* progress */
	}
	fail_msg("READDIR did not reach eof");
	return 0;
}

static void test_create_readdir(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("readdir"));
	const char *d = tu_uniq("dir");
	struct fh dfh;
	int bad_cookie = 0, dot = 0;
	char sub[64];

	(void)state;
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_create_dir(d), ch_op_getfh()),
			 NFS4_OK);
	tu_save_fh(cl, 3, &dfh);
	assert_true(readdir_has(cl, NULL, d, &bad_cookie, &dot));
	/* Exists already. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_create_dir(d)),
			 NFS4ERR_EXIST);
	/* CREATE of a regular file is OPEN's job (§18.4.3). */
	{
		nfs_argop4 c = ch_op_create_dir("regular");
		c.nfs_argop4_u.opcreate.objtype.type = NF4REG;
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putrootfh(), c),
				 NFS4ERR_BADTYPE);
	}

	/* An empty directory lists nothing; then twenty entries, read in
	 * small pieces. */
	assert_false(readdir_has(cl, &dfh, "x", &bad_cookie, &dot));
	for (int i = 0; i < 20; i++) {
		snprintf(sub, sizeof(sub), "sub%02d", i);
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putfh(&dfh.fh),
				      ch_op_create_dir(sub)),
				 NFS4_OK);
	}
	for (int i = 0; i < 20; i += 7) {
		snprintf(sub, sizeof(sub), "sub%02d", i);
		assert_true(readdir_has(cl, &dfh, sub, &bad_cookie, &dot));
	}
	/* RFC 8881 §18.23.4: no "." or ".." entries. */
	assert_false(dot);
	/* LOOKUPP from the subdirectory is the root. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&dfh.fh),
			      ch_op_lookupp(), ch_op_lookup(d, strlen(d))),
			 NFS4_OK);
	/* Cookies 1 and 2 are reserved (RFC 8881 §18.23.4, SHOULD). */
	if (bad_cookie) {
		tu_free_client(cl);
		fprintf(stderr, "REGRESSION: READDIR returned a cookie <= 2 (RFC "
				"8881 §18.23.4 reserves them)\n");
		fail();
	}
	tu_free_client(cl);
}

static void test_remove(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("remove"));
	const char *d = tu_uniq("rmdir"), *f = tu_uniq("rmfile");
	struct fh dfh;

	(void)state;
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_create_dir(d), ch_op_getfh(),
			      ch_op_create_dir("inner")),
			 NFS4_OK);
	tu_save_fh(cl, 3, &dfh);
	/* Not empty. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_remove(d)),
			 NFS4ERR_NOTEMPTY);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&dfh.fh),
			      ch_op_remove("inner"), ch_op_putrootfh(),
			      ch_op_remove(d)),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_lookup(d, strlen(d))),
			 NFS4ERR_NOENT);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_remove(d)),
			 NFS4ERR_NOENT);
	/* The removed directory's handle is stale now. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&dfh.fh)),
			 NFS4ERR_STALE);
	/* A closed regular file. */
	{
		stateid4 sid;
		struct fh ffh;
		assert_int_equal(open_file(cl, "o", f, 1,
					   OPEN4_SHARE_ACCESS_BOTH, 0, &sid,
					   &ffh),
				 NFS4_OK);
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putfh(&ffh.fh),
				      ch_op_write(&sid, 0, "data", 4,
						  FILE_SYNC4),
				      ch_op_close(&sid), ch_op_putrootfh(),
				      ch_op_remove(f),
				      ch_op_lookup(f, strlen(f))),
				 NFS4ERR_NOENT);
		EXPECT_RES(cl, 7, NFS4ERR_NOENT);
		EXPECT_OP(cl, 5, NFS4_OK);
	}
	tu_free_client(cl);
}

/* A file one client has open and another removes: its data stays while
 * the open does, the opener keeps reading, writing and truncating it
 * (POSIX unlink semantics, nfsd/state/orphan.h), and it goes with the last
 * CLOSE, or with the opener's state when it never closes. */
static void test_remove_open_file(void **state)
{
	struct ch_client *a = new_client(tu_uniq("orph-a"));
	struct ch_client *b = new_client(tu_uniq("orph-b"));
	static const char msg[] = "kept until the last open goes";
	struct fh fh[2];
	stateid4 sid[2];
	uint64_t fileid[2];
	uint32_t gen;

	(void)state;
	for (int i = 0; i < 2; i++) {
		const char *f = tu_uniq("orph-f");
		assert_int_equal(open_file(a, "o", f, 1,
					   OPEN4_SHARE_ACCESS_BOTH, 0, &sid[i],
					   &fh[i]),
				 NFS4_OK);
		assert_int_equal(fh_decode((const uint8_t *)fh[i].fh.nfs_fh4_val,
					   fh[i].fh.nfs_fh4_len, &fileid[i],
					   &gen),
				 0);
		assert_int_equal(CALL(a, ch_op_seq(a, 0, 0),
				      ch_op_putfh(&fh[i].fh),
				      ch_op_write(&sid[i], 0, msg,
						  sizeof(msg) - 1, FILE_SYNC4)),
				 NFS4_OK);
		assert_int_equal(CALL(b, ch_op_seq(b, 0, 0), ch_op_putrootfh(),
				      ch_op_remove(f)),
				 NFS4_OK);
		assert_int_equal(CALL(b, ch_op_seq(b, 0, 0), ch_op_putrootfh(),
				      ch_op_lookup(f, strlen(f))),
				 NFS4ERR_NOENT);
		/* the reclaimer has looked at it and kept it (still open) */
		reclaim_wait_idle(g_srv->reclaim);
		assert_int_equal(ds_store_size(g_srv->store, fileid[i], 0, 0),
				 (int64_t)sizeof(msg) - 1);
	}
	/* the opener still reads what it wrote, writes more, and sees the
	 * size; another client's handle is stale (it has no open) */
	assert_int_equal(CALL(a, ch_op_seq(a, 0, 0), ch_op_putfh(&fh[0].fh),
			      ch_op_read(&sid[0], 0, 100),
			      ch_op_write(&sid[0], sizeof(msg) - 1, "!", 1,
					  FILE_SYNC4),
			      ch_op_read(&sid[0], 0, 100)),
			 NFS4_OK);
	{
		READ4resok *r1 = &ch_res(a, 2)->nfs_resop4_u.opread
					  .READ4res_u.resok4;
		READ4resok *r2 = &ch_res(a, 4)->nfs_resop4_u.opread
					  .READ4res_u.resok4;
		assert_int_equal(r1->data.len, sizeof(msg) - 1);
		assert_memory_equal(r1->data.base, msg, sizeof(msg) - 1);
		assert_int_equal(r2->data.len, sizeof(msg));
		assert_memory_equal(r2->data.base, msg, sizeof(msg) - 1);
		assert_int_equal(r2->data.base[sizeof(msg) - 1], '!');
		assert_true(r2->eof);
	}
	assert_int_equal(tu_size(a, &fh[0]), sizeof(msg));
	assert_int_equal(tu_setattr_size(a, &fh[0], &sid[0], 4), NFS4_OK);
	assert_int_equal(tu_size(a, &fh[0]), 4);
	/* the last CLOSE frees the first file's data and handle */
	assert_int_equal(CALL(a, ch_op_seq(a, 0, 0), ch_op_putfh(&fh[0].fh),
			      ch_op_close(&sid[0])),
			 NFS4_OK);
	reclaim_wait_idle(g_srv->reclaim);
	assert_int_equal(ds_store_size(g_srv->store, fileid[0], 0, 0), -ENOENT);
	assert_int_equal(ds_store_size(g_srv->store, fileid[1], 0, 0),
			 (int64_t)sizeof(msg) - 1);
	assert_int_equal(CALL(a, ch_op_seq(a, 0, 0), ch_op_putfh(&fh[0].fh)),
			 NFS4ERR_STALE);
	/* the second is never closed: it goes with A's state, as when A's
	 * lease runs out (client_expire -> client_destroy) */
	pthread_mutex_lock(&g_srv->state_lock);
	for (struct nfs_client *c = g_srv->clients; c; c = c->next)
		if (c->clientid == a->clientid) {
			client_destroy(g_srv, c);
			break;
		}
	pthread_mutex_unlock(&g_srv->state_lock);
	reclaim_wait_idle(g_srv->reclaim);
	assert_int_equal(ds_store_size(g_srv->store, fileid[1], 0, 0), -ENOENT);
	tu_free_client(a);
	tu_free_client(b);
}

/* A file removed before it held any data (its removal wrote no reclaim
 * record) and written by its opener afterwards: that data must still go
 * at the last CLOSE (orphan_prepare_data lists it before it exists). */
static void test_remove_open_empty_file_then_write(void **state)
{
	struct ch_client *a = new_client(tu_uniq("orphw-a"));
	struct ch_client *b = new_client(tu_uniq("orphw-b"));
	const char *f = tu_uniq("orphw-f");
	struct fh fh;
	stateid4 sid;
	uint64_t fileid;
	uint32_t gen;

	(void)state;
	assert_int_equal(open_file(a, "o", f, 1, OPEN4_SHARE_ACCESS_BOTH, 0,
				   &sid, &fh),
			 NFS4_OK);
	assert_int_equal(fh_decode((const uint8_t *)fh.fh.nfs_fh4_val,
				   fh.fh.nfs_fh4_len, &fileid, &gen),
			 0);
	assert_int_equal(CALL(b, ch_op_seq(b, 0, 0), ch_op_putrootfh(),
			      ch_op_remove(f)),
			 NFS4_OK);
	assert_int_equal(CALL(a, ch_op_seq(a, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_write(&sid, 0, "late", 4, FILE_SYNC4)),
			 NFS4_OK);
	assert_int_equal(tu_size(a, &fh), 4);
	reclaim_wait_idle(g_srv->reclaim);
	assert_int_equal(ds_store_size(g_srv->store, fileid, 0, 0), 4);
	assert_int_equal(CALL(a, ch_op_seq(a, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_close(&sid)),
			 NFS4_OK);
	reclaim_wait_idle(g_srv->reclaim);
	assert_int_equal(ds_store_size(g_srv->store, fileid, 0, 0), -ENOENT);
	tu_free_client(a);
	tu_free_client(b);
}

/* The data of a removed file is freed from the namespace's reclaim list,
 * which survives a restart: here the reclaimer is stopped before the
 * remove (as if the server crashed first), and the next start frees it. */
static void test_reclaim_after_restart(void **state)
{
	struct ns_create_args ca = { .type = NS_REG, .mode = 0644,
				     .exclusive = 1 };
	struct strata_config cfg;
	struct strata_server *s1, *s2;
	struct ns_inode ino, gone;
	uint64_t ids[4];
	size_t n = 9;
	int freed = 0;
	char *dir;

	(void)state;
	config_defaults(&cfg);
	snprintf(cfg.listen_addr, sizeof(cfg.listen_addr), "127.0.0.1");
	cfg.port = 0;
	assert_int_equal(ch_server_start_cfg(&s1, &dir, &cfg, ROLE_MDS), 0);
	assert_int_equal(ns_create(s1->ns, NS_ROOT_FILEID, "x", 1, &ca, &ino,
				   NULL),
			 0);
	assert_int_equal(ds_store_create(s1->store, ino.fileid, 0, 0), 0);
	assert_int_equal(ds_store_write(s1->store, ino.fileid, 0, 0, 0, "abc", 3,
					1),
			 3);
	/* As op_write does: the file now has data to reclaim (ns.h). */
	assert_int_equal(ns_note_write(s1->ns, ino.fileid, 3, NULL), 0);
	reclaim_stop(s1->reclaim);
	s1->reclaim = NULL;
	assert_int_equal(ns_remove(s1->ns, NS_ROOT_FILEID, "x", 1, &gone,
				   &freed, NULL),
			 0);
	assert_int_equal(freed, 1);
	server_stop(s1);

	assert_int_equal(server_start(&s2, &cfg, ROLE_MDS), 0);
	assert_int_equal(ds_store_size(s2->store, ino.fileid, 0, 0) == 3 ||
				 ds_store_size(s2->store, ino.fileid, 0, 0) == -ENOENT,
			 1);
	reclaim_wait_idle(s2->reclaim);
	assert_int_equal(ds_store_size(s2->store, ino.fileid, 0, 0), -ENOENT);
	assert_int_equal(ns_reclaim_list(s2->ns, ids, NULL, 4, &n), 0);
	assert_int_equal(n, 0);
	ch_server_stop(s2, dir);
}

static void test_rename(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("rename"));
	const char *a = tu_uniq("ren-a"), *b = tu_uniq("ren-b"), *d = tu_uniq("ren-d");
	struct fh dfh, afh;

	(void)state;
	assert_int_equal(open_file(cl, "o", a, 1, OPEN4_SHARE_ACCESS_READ, 0,
				   NULL, &afh),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_create_dir(d), ch_op_getfh()),
			 NFS4_OK);
	tu_save_fh(cl, 3, &dfh);
	/* Within the root: saved = source dir, current = target dir. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_savefh(), ch_op_rename(a, b)),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_lookup(a, strlen(a))),
			 NFS4ERR_NOENT);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_lookup(b, strlen(b)), ch_op_getfh()),
			 NFS4_OK);
	/* Same object. */
	assert_int_equal(ch_res(cl, 3)->nfs_resop4_u.opgetfh.GETFH4res_u
				 .resok4.object.nfs_fh4_len,
			 afh.fh.nfs_fh4_len);
	assert_memory_equal(ch_res(cl, 3)->nfs_resop4_u.opgetfh.GETFH4res_u
				    .resok4.object.nfs_fh4_val,
			    afh.b, afh.fh.nfs_fh4_len);
	/* Across directories. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_savefh(), ch_op_putfh(&dfh.fh),
			      ch_op_rename(b, "moved")),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&dfh.fh),
			      ch_op_lookup("moved", 5)),
			 NFS4_OK);
	/* Missing source; no saved filehandle; bad target name. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_savefh(), ch_op_rename(b, "x")),
			 NFS4ERR_NOENT);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_rename("x", "y")),
			 NFS4ERR_NOFILEHANDLE);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&dfh.fh),
			      ch_op_savefh(), ch_op_rename("moved", "..")),
			 NFS4ERR_BADNAME);
	tu_free_client(cl);
}

static uint32_t numlinks(struct ch_client *cl, const char *name)
{
	uint32_t words[2] = { 0, 1u << (FATTR4_NUMLINKS - 32) };
	uint32_t n = 0;

	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_lookup(name, strlen(name)),
			      ch_op_getattr(words, 2)),
			 NFS4_OK);
	assert_int_equal(ch_attr_u32(&ch_res(cl, 3)->nfs_resop4_u.opgetattr
					      .GETATTR4res_u.resok4
					      .obj_attributes,
				     FATTR4_NUMLINKS, &n),
			 0);
	return n;
}

static void test_link(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("link"));
	const char *f = tu_uniq("lnk-src"), *l1 = tu_uniq("lnk-1"),
		   *d = tu_uniq("lnk-dir");
	char l2[64];

	(void)state;
	snprintf(l2, sizeof(l2), "%s-2", l1);
	assert_int_equal(open_file(cl, "o", f, 1, OPEN4_SHARE_ACCESS_READ, 0,
				   NULL, NULL),
			 NFS4_OK);
	assert_int_equal(numlinks(cl, f), 1);
	/* saved = the file, current = the directory. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_lookup(f, strlen(f)), ch_op_savefh(),
			      ch_op_putrootfh(), ch_op_link(l1)),
			 NFS4_OK);
	assert_int_equal(numlinks(cl, f), 2);
	assert_int_equal(numlinks(cl, l1), 2);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_lookup(f, strlen(f)), ch_op_savefh(),
			      ch_op_putrootfh(), ch_op_link(l2)),
			 NFS4_OK);
	assert_int_equal(numlinks(cl, l2), 3);
	/* Existing name. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_lookup(f, strlen(f)), ch_op_savefh(),
			      ch_op_putrootfh(), ch_op_link(l1)),
			 NFS4ERR_EXIST);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_remove(f)),
			 NFS4_OK);
	assert_int_equal(numlinks(cl, l1), 2);
	/* Directories cannot be linked (§18.9.3). */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_create_dir(d), ch_op_savefh(),
			      ch_op_putrootfh(), ch_op_link("dirlink")),
			 NFS4ERR_ISDIR);
	/* The target must be a directory. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_lookup(l1, strlen(l1)), ch_op_savefh(),
			      ch_op_link("x")),
			 NFS4ERR_NOTDIR);
	tu_free_client(cl);
}

/* ------------------------------------------------------------------ */
/* Malformed requests                                                  */
/* ------------------------------------------------------------------ */

static void test_truncated_args(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("badxdr"));
	uint8_t buf[1024];
	size_t len;

	(void)state;
	/* SEQUENCE, PUTROOTFH, LOOKUP("abcdefghij") cut at every length
	 * inside LOOKUP's arguments: that op is NFS4ERR_BADXDR. */
	for (size_t cut = 1; cut <= 4 + 12; cut++) {
		nfs_argop4 ops[3] = { ch_op_seq(cl, 0, 1), ch_op_putrootfh(),
				      ch_op_lookup("abcdefghij", 10) };
		assert_int_equal(ch_encode(1, "harness", ops, 3, buf,
					   sizeof(buf), &len),
				 0);
		/* The LOOKUP args: 4 (length) + 12 (name padded). */
		assert_true(cut <= len);
		assert_int_equal(ch_call_raw(cl, buf, len - cut),
				 NFS4ERR_BADXDR);
		EXPECT_RES(cl, 3, NFS4ERR_BADXDR);
		EXPECT_OP(cl, 0, NFS4_OK);
		EXPECT_OP(cl, 1, NFS4_OK);
		assert_int_equal(ch_res(cl, 2)->resop, OP_LOOKUP);
	}

	/* The op count promises more ops than there are. */
	{
		nfs_argop4 ops[2] = { ch_op_seq(cl, 0, 0), ch_op_putrootfh() };
		len = encode_with_tail(buf, sizeof(buf), ops, 2, NULL, 0, 3);
		assert_int_equal(ch_call_raw(cl, buf, len), NFS4ERR_BADXDR);
		EXPECT_RES(cl, 3, NFS4ERR_BADXDR);
	}
	/* A huge op count with nothing behind it. */
	{
		nfs_argop4 ops[1] = { ch_op_sequence(cl, 0,
						     cl->slot_seq[0] + 1, 0) };
		len = encode_with_tail(buf, sizeof(buf), ops, 1, NULL, 0,
				       0x7fffffff);
		/* More ops than ca_maxoperations: SEQUENCE refuses it
		 * (and the slot does not advance). */
		assert_int_equal(ch_call_raw(cl, buf, len),
				 NFS4ERR_TOO_MANY_OPS);
		EXPECT_RES(cl, 1, NFS4ERR_TOO_MANY_OPS);
	}
	/* SEQUENCE itself cut short: nothing ran on the slot. */
	{
		nfs_argop4 ops[1] = { ch_op_sequence(cl, 0,
						     cl->slot_seq[0] + 1, 0) };
		assert_int_equal(ch_encode(1, "harness", ops, 1, buf,
					   sizeof(buf), &len),
				 0);
		assert_int_equal(ch_call_raw(cl, buf, len - 4),
				 NFS4ERR_BADXDR);
		EXPECT_RES(cl, 1, NFS4ERR_BADXDR);
	}
	/* A header that is cut short: GARBAGE_ARGS for the RPC layer. */
	{
		nfs_argop4 ops[1] = { ch_op_putrootfh() };
		assert_int_equal(ch_encode(1, "harness", ops, 1, buf,
					   sizeof(buf), &len),
				 0);
		for (size_t l = 0; l < 4 + 8 + 4 + 4; l++) {
			assert_int_equal(ch_call_raw(cl, buf, l), -1);
			assert_int_equal(cl->garbage, 1);
		}
		/* Tag longer than the server accepts. */
		{
			uint32_t big = htonl(100000);
			memcpy(buf, &big, 4);
			assert_int_equal(ch_call_raw(cl, buf, len), -1);
			assert_int_equal(cl->garbage, 1);
		}
	}

	/* The server is fine afterwards, and so is the session. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_getfh()),
			 NFS4_OK);
	EXPECT_RES(cl, 3, NFS4_OK);
	tu_free_client(cl);
}

/*
 * Regression (malformed reply, found by tests/fuzz): SETATTR4res is not a plain
 * union: it is { nfsstat4 status; bitmap4 attrsset; } and attrsset is
 * there whatever the status (RFC 8881 §18.30, XDR in §18.30.2).
 * compound.c encode_status_only() writes only opcode + status for the
 * errors it raises itself (NFS4ERR_BADXDR, NFS4ERR_OP_NOT_IN_SESSION,
 * NFS4ERR_NOTSUPP, NFS4ERR_SEQUENCE_POS, NFS4ERR_REP_TOO_BIG, ...), so a
 * COMPOUND whose failing op is SETATTR gets a reply the client cannot
 * decode.
 */
static void test_setattr_error_reply(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("setattr"));
	uint8_t buf[512];
	size_t len;
	int st1, st2;

	(void)state;
	/* SETATTR first, without SEQUENCE. */
	st1 = CALL_RAW_OPS(cl, ch_op_raw(OP_SETATTR));
	/* SETATTR whose arguments are cut short. */
	{
		nfs_argop4 ops[3] = { ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
				      ch_op_raw(OP_SETATTR) };
		assert_int_equal(ch_encode(1, "harness", ops, 3, buf,
					   sizeof(buf), &len),
				 0);
		st2 = ch_call_raw(cl, buf, len - 4);
	}
	if (st1 < 0 || st2 < 0) {
		tu_free_client(cl);
		fprintf(stderr, "REGRESSION: error reply for SETATTR lacks attrsset "
				"(undecodable COMPOUND4res: %s%s; RFC 8881 "
				"§18.30)\n",
			st1 < 0 ? "OP_NOT_IN_SESSION " : "",
			st2 < 0 ? "BADXDR" : "");
		skip();
	}
	assert_int_equal(st1, NFS4ERR_OP_NOT_IN_SESSION);
	assert_int_equal(st2, NFS4ERR_BADXDR);
	EXPECT_RES(cl, 3, NFS4ERR_BADXDR);
	assert_int_equal(ch_res(cl, 2)->nfs_resop4_u.opsetattr.attrsset
				 .bitmap4_len,
			 0);
	tu_free_client(cl);
}

/* ------------------------------------------------------------------ */
/* Share reservations and byte-range locks                             */
/* ------------------------------------------------------------------ */

static void test_share_deny(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("share"));
	struct ch_client *other = new_client(tu_uniq("share-other"));
	const char *f = tu_uniq("shared");
	stateid4 a, b;
	struct fh fh;

	(void)state;
	assert_int_equal(open_file(cl, "owner-A", f, 1,
				   OPEN4_SHARE_ACCESS_BOTH,
				   OPEN4_SHARE_DENY_WRITE, &a, &fh),
			 NFS4_OK);
	/* RFC 8881 §9.7: B wants to write what A denies. */
	assert_int_equal(open_file(cl, "owner-B", f, 0,
				   OPEN4_SHARE_ACCESS_WRITE,
				   OPEN4_SHARE_DENY_NONE, NULL, NULL),
			 NFS4ERR_SHARE_DENIED);
	/* Another client too. */
	assert_int_equal(open_file(other, "owner-X", f, 0,
				   OPEN4_SHARE_ACCESS_BOTH,
				   OPEN4_SHARE_DENY_NONE, NULL, NULL),
			 NFS4ERR_SHARE_DENIED);
	/* B would deny reading, which A does. */
	assert_int_equal(open_file(cl, "owner-B", f, 0,
				   OPEN4_SHARE_ACCESS_READ,
				   OPEN4_SHARE_DENY_READ, NULL, NULL),
			 NFS4ERR_SHARE_DENIED);
	/* Reading without denying is compatible. */
	assert_int_equal(open_file(cl, "owner-B", f, 0,
				   OPEN4_SHARE_ACCESS_READ,
				   OPEN4_SHARE_DENY_NONE, &b, NULL),
			 NFS4_OK);
	/* An anonymous-stateid WRITE runs into A's deny mode. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_write(&anon_sid, 0, "x", 1, UNSTABLE4)),
			 NFS4ERR_LOCKED);
	/* Once A is closed, B may upgrade to write. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_close(&a)),
			 NFS4_OK);
	assert_int_equal(open_file(cl, "owner-B", f, 0,
				   OPEN4_SHARE_ACCESS_WRITE,
				   OPEN4_SHARE_DENY_NONE, &b, NULL),
			 NFS4_OK);
	assert_int_equal(b.seqid, 2); /* upgrade bumps the seqid */
	/* Invalid share modes. */
	assert_int_equal(open_file(cl, "owner-C", f, 0, 0, 0, NULL, NULL),
			 NFS4ERR_INVAL);
	assert_int_equal(open_file(cl, "owner-C", f, 0,
				   OPEN4_SHARE_ACCESS_READ, 4, NULL, NULL),
			 NFS4ERR_INVAL);
	tu_free_client(other);
	tu_free_client(cl);
}

static void test_lock_conflict(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("locks"));
	const char *f = tu_uniq("locked");
	stateid4 oa, ob, la, lb;
	struct fh fh;
	LOCK4denied *d;

	(void)state;
	assert_int_equal(open_file(cl, "open-A", f, 1, OPEN4_SHARE_ACCESS_BOTH,
				   0, &oa, &fh),
			 NFS4_OK);
	assert_int_equal(open_file(cl, "open-B", f, 0, OPEN4_SHARE_ACCESS_BOTH,
				   0, &ob, NULL),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_new(cl, WRITE_LT, 0, 100, &oa,
					     "lock-A")),
			 NFS4_OK);
	la = lock_sid(cl, 2);
	assert_int_equal(la.seqid, 1);

	/* RFC 8881 §18.10.4: the conflicting lock's range, type and
	 * owner. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_new(cl, WRITE_LT, 50, 10, &ob,
					     "lock-B")),
			 NFS4ERR_DENIED);
	d = &ch_res(cl, 2)->nfs_resop4_u.oplock.LOCK4res_u.denied;
	assert_int_equal(d->offset, 0);
	assert_int_equal(d->length, 100);
	assert_int_equal(d->locktype, WRITE_LT);
	assert_int_equal(d->owner.clientid, cl->clientid);
	assert_int_equal(d->owner.owner.owner_len, 6);
	assert_memory_equal(d->owner.owner.owner_val, "lock-A", 6);

	/* A read lock also conflicts with a write lock. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_new(cl, READ_LT, 99, 1, &ob,
					     "lock-B")),
			 NFS4ERR_DENIED);
	/* LOCKT agrees. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lockt(cl, READ_LT, 99, 1, "lock-B")),
			 NFS4ERR_DENIED);
	d = &ch_res(cl, 2)->nfs_resop4_u.oplockt.LOCKT4res_u.denied;
	assert_int_equal(d->offset, 0);
	assert_int_equal(d->length, 100);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lockt(cl, WRITE_LT, 100, 50, "lock-B")),
			 NFS4_OK);
	/* The owner itself does not conflict with its own lock. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lockt(cl, WRITE_LT, 0, 10, "lock-A")),
			 NFS4_OK);

	/* Beyond A's range B gets its lock. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_new(cl, READ_LT, 100,
					     NFS4_UINT64_MAX, &ob, "lock-B")),
			 NFS4_OK);
	lb = lock_sid(cl, 2);
	/* Now A cannot extend into it with a write lock. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_exist(WRITE_LT, 90, 20, &la)),
			 NFS4ERR_DENIED);
	d = &ch_res(cl, 2)->nfs_resop4_u.oplock.LOCK4res_u.denied;
	assert_int_equal(d->offset, 100);
	assert_int_equal(d->length, NFS4_UINT64_MAX);
	assert_int_equal(d->locktype, READ_LT);
	/* Bad ranges (§18.10.3). */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_exist(WRITE_LT, 0, 0, &la)),
			 NFS4ERR_INVAL);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_exist(WRITE_LT, 10,
					       NFS4_UINT64_MAX - 5, &la)),
			 NFS4ERR_INVAL);
	/* I/O through B's lock stateid into A's write-locked range. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_write(&lb, 10, "zz", 2, UNSTABLE4)),
			 NFS4ERR_LOCKED);

	/* Unlock A; B can take the range. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_locku(WRITE_LT, 0, 100, &la)),
			 NFS4_OK);
	assert_int_equal(ch_res(cl, 2)->nfs_resop4_u.oplocku.LOCKU4res_u
				 .lock_stateid.seqid,
			 2);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_exist(WRITE_LT, 0, 100, &lb)),
			 NFS4_OK);
	/* A stale (older seqid) lock stateid. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_exist(READ_LT, 0, 10, &la)),
			 NFS4ERR_OLD_STATEID);
	tu_free_client(cl);
}

static void test_close_locks_held(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("lheld"));
	const char *f = tu_uniq("lheld");
	stateid4 o, l;
	struct fh fh;

	(void)state;
	assert_int_equal(open_file(cl, "open-A", f, 1, OPEN4_SHARE_ACCESS_BOTH,
				   0, &o, &fh),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_new(cl, WRITE_LT, 10, 10, &o, "lo")),
			 NFS4_OK);
	l = lock_sid(cl, 2);
	/* RFC 8881 §18.2.3: CLOSE with locks held. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_close(&o)),
			 NFS4ERR_LOCKS_HELD);
	/* Partially unlocked: still held. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_locku(WRITE_LT, 10, 5, &l),
			      ch_op_close(&o)),
			 NFS4ERR_LOCKS_HELD);
	l = ch_res(cl, 2)->nfs_resop4_u.oplocku.LOCKU4res_u.lock_stateid;
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_locku(WRITE_LT, 0, NFS4_UINT64_MAX, &l),
			      ch_op_close(&o)),
			 NFS4_OK);
	/* The lock stateid went with the open. */
	l.seqid = 0;
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_locku(WRITE_LT, 0, 1, &l)),
			 NFS4ERR_BAD_STATEID);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_close(&o)),
			 NFS4ERR_BAD_STATEID);
	tu_free_client(cl);
}

/*
 * Regression (undefined behaviour, found by tests/fuzz): a zero-length open-owner
 * or lock-owner is legal XDR (opaque owner<NFS4_OPAQUE_LIMIT>, RFC 8881
 * §3.3 state_owner4) but stid_new() stores it as owner NULL, and
 * state.c same_owner() / op_lock.c find_lock_stid() / op_open.c
 * find_open() then call memcmp(NULL, ..., 0): undefined behaviour (UBSan
 * "null pointer passed as argument 1"), fatal in the sanitizer builds.
 * The RFC-correct outcome: the empty owner is an owner like any other.
 */
static void test_empty_owners(void **state)
{
	struct ch_client *cl;
	const char *f = tu_uniq("empty-owner");
	stateid4 o1, o2, l;
	struct fh fh;

	(void)state;
	cl = new_client(tu_uniq("empty"));
	assert_int_equal(open_file(cl, "", f, 1, OPEN4_SHARE_ACCESS_BOTH, 0,
				   &o1, &fh),
			 NFS4_OK);
	/* Same (empty) owner again: an upgrade of the same open. */
	assert_int_equal(open_file(cl, "", f, 0, OPEN4_SHARE_ACCESS_READ, 0,
				   &o2, NULL),
			 NFS4_OK);
	assert_memory_equal(o1.other, o2.other, NFS4_OTHER_SIZE);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_new(cl, WRITE_LT, 0, 10, &o2, "")),
			 NFS4_OK);
	l = lock_sid(cl, 2);
	/* The empty lock owner does not conflict with itself... */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_exist(WRITE_LT, 5, 10, &l)),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lockt(cl, WRITE_LT, 0, 15, "")),
			 NFS4_OK);
	/* ...but does with a named one. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lockt(cl, READ_LT, 0, 1, "named")),
			 NFS4ERR_DENIED);
	assert_int_equal(ch_res(cl, 2)->nfs_resop4_u.oplockt.LOCKT4res_u
				 .denied.owner.owner.owner_len,
			 0);
	tu_free_client(cl);
}

/* ------------------------------------------------------------------ */
/* Filehandles                                                         */
/* ------------------------------------------------------------------ */

static void test_filehandles(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("fh"));
	char junk[8] = "garbage!";
	nfs_fh4 bad = { .nfs_fh4_len = 8, .nfs_fh4_val = junk };
	nfs_fh4 empty = { 0 };

	(void)state;
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_getfh()),
			 NFS4ERR_NOFILEHANDLE);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&bad)),
			 NFS4ERR_BADHANDLE);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&empty)),
			 NFS4ERR_BADHANDLE);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_restorefh()),
			 NFS4ERR_RESTOREFH);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_lookupp()),
			 NFS4ERR_NOENT);
	/* SAVEFH / RESTOREFH round trip; the root handle is stable. */
	{
		struct fh root;
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putrootfh(), ch_op_getfh()),
				 NFS4_OK);
		tu_save_fh(cl, 2, &root);
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putfh(&root.fh), ch_op_savefh(),
				      ch_op_restorefh(), ch_op_getfh()),
				 NFS4_OK);
		assert_memory_equal(ch_res(cl, 4)->nfs_resop4_u.opgetfh
					    .GETFH4res_u.resok4.object
					    .nfs_fh4_val,
				    root.b, root.fh.nfs_fh4_len);
	}
	tu_free_client(cl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_readdir),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_remove_open_file),
		cmocka_unit_test(test_remove_open_empty_file_then_write),
		cmocka_unit_test(test_reclaim_after_restart),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_truncated_args),
		cmocka_unit_test(test_setattr_error_reply),
		cmocka_unit_test(test_share_deny),
		cmocka_unit_test(test_lock_conflict),
		cmocka_unit_test(test_close_locks_held),
		cmocka_unit_test(test_empty_owners),
		cmocka_unit_test(test_filehandles),
	};

	/* STRATA_TEST_FILTER=pattern runs only the matching tests (cmocka
	 * glob). */
	if (getenv("STRATA_TEST_FILTER"))
		cmocka_set_test_filter(getenv("STRATA_TEST_FILTER"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
