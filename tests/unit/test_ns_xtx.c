/*
 * tests/unit/test_ns_xtx.c — cross-node transactions (metadata/ns_xtx.h):
 * a RENAME whose names are on two nodes, by two-phase commit with durable
 * intents and presumed abort, with a crash injected at every step.
 *
 * Two namespaces stand for two metadata nodes, as in test_ns_delta.c:
 * 8 shards in 2 partitions, node A owns partition 0 (even shards, the
 * root's), node B partition 1. The test carries the records between them
 * the way the peer protocol will. A plans and coordinates.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ns_test.h"
#include "ns_xtx.h"
#include "test_ns_util.h"

#define NSHARDS 8
#define NPARTS 2
#define NODE_A 1
#define NODE_B 2
#define TXID UINT64_C(0x0001000100000007)

struct fx {
	char *da, *db;
	struct ns *a, *b;
	uint64_t d1, d2, src; /* d1/src (entry on A) moves to d2/dst (on B) */
	char sname[64], dname[64];
	struct ns_xview *v;
	uint8_t *ra, *rb; /* the records of A and B */
	size_t la, lb;
	uint64_t link; /* plan_at plans LINK of this file (not RENAME) */
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

/* Both nodes stop (a crash: nothing in memory survives) and start. */
static void restart_both(struct fx *f)
{
	ns_close(f->a);
	ns_close(f->b);
	f->a = open_node(f->da, 0);
	f->b = open_node(f->db, 1);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char n1[64], n2[64];

	f->da = tu_mkdtemp();
	f->db = tu_mkdtemp();
	f->a = open_node(f->da, 0);
	f->b = open_node(f->db, 1);
	/* two directories of A's, with their entries on A */
	tu_name_on_shard(f->a, NS_ROOT_FILEID, 0, "d1", n1, sizeof n1);
	tu_name_on_shard(f->a, NS_ROOT_FILEID, 2, "d2", n2, sizeof n2);
	f->d1 = tu_create(f->a, NS_ROOT_FILEID, n1, NS_DIR);
	f->d2 = tu_create(f->a, NS_ROOT_FILEID, n2, NS_DIR);
	tu_name_on_shard(f->a, f->d1, 4, "src", f->sname, sizeof f->sname);
	f->src = tu_create(f->a, f->d1, f->sname, NS_REG);
	tu_name_on_shard(f->b, f->d2, 5, "dst", f->dname, sizeof f->dname);
	f->v = ns_xview_new();
	assert_non_null(f->v);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ns_xview_free(f->v);
	free(f->ra);
	free(f->rb);
	ns_close(f->a);
	ns_close(f->b);
	tu_rmrf(f->da);
	tu_rmrf(f->db);
	free(f);
	return 0;
}

/* Supply the view with what node FROM holds, until the plan of RENAME
 * (REMOVE: dname NULL; LINK of f->link to ddir/dname when set) at AT stops
 * asking: the plan's answer. */
static int plan_at(struct fx *f, struct ns *at, struct ns *from,
		   uint64_t sdir, const char *sname, uint64_t ddir,
		   const char *dname)
{
	int rc, rounds = 0;

	ns_xview_clear(f->v);
	for (;;) {
		if (f->link)
			rc = ns_xtx_plan_link(at, f->v, f->link, ddir, dname,
					      strlen(dname));
		else if (dname)
			rc = ns_xtx_plan_rename(at, f->v, sdir, sname,
						strlen(sname), ddir, dname,
						strlen(dname), NULL, NULL);
		else
			rc = ns_xtx_plan_remove(at, f->v, sdir, sname,
						strlen(sname), NULL);
		if (rc != -EREMOTE || ns_xview_nneed(f->v) == 0)
			return rc;
		assert_true(++rounds < 8);
		for (size_t i = 0; i < ns_xview_nneed(f->v); i++) {
			unsigned shard, db;
			const void *key;
			size_t klen, vlen = 0;
			uint8_t *val = NULL;
			ns_xview_need(f->v, i, &shard, &db, &key, &klen);
			int r = ns_xtx_read(from, shard, db, key, klen, &val,
					    &vlen);
			assert_true(r == 0 || r == -ENOENT);
			assert_int_equal(ns_xview_supply(f->v, shard, db, key,
							 klen, val, vlen,
							 r == 0),
					 0);
			free(val);
		}
	}
}

/* Step 1: plan at A, fetching B's keys as the peer protocol would. */
static int plan(struct fx *f)
{
	uint8_t pa[NPARTS] = { 1, 0 }, pb[NPARTS] = { 0, 1 };
	int rc = plan_at(f, f->a, f->b, f->d1, f->sname, f->d2, f->dname);

	if (rc)
		return rc;
	free(f->ra);
	free(f->rb);
	assert_int_equal(ns_xview_record(f->v, f->a, pa, &f->ra, &f->la), 0);
	assert_int_equal(ns_xview_record(f->v, f->b, pb, &f->rb, &f->lb), 0);
	return 0;
}

static int prepare(struct fx *f)
{
	return ns_xtx_prepare(f->b, TXID, NODE_A, f->rb, f->lb);
}

static int decide(struct fx *f)
{
	uint32_t nodes[1] = { NODE_B };

	return ns_xtx_decide(f->a, TXID, f->ra, f->la, nodes, 1, NULL);
}

/* What a restarted cluster does: participants ask the coordinator, the
 * coordinator sends COMMIT again for what it committed. */
static void recover(struct fx *f)
{
	struct ns_xtx_rec r[8];
	size_t n;

	assert_int_equal(ns_xtx_list(f->b, r, 8, &n), 0);
	for (size_t i = 0; i < n; i++) {
		enum ns_xtx_outcome o;
		assert_false(r[i].committed);
		assert_int_equal(r[i].coord, NODE_A);
		assert_int_equal(ns_xtx_outcome(f->a, r[i].txid, &o), 0);
		assert_int_not_equal(o, NS_XTX_PENDING); /* nothing live */
		assert_int_equal(ns_xtx_finish(f->b, r[i].txid,
					       o == NS_XTX_COMMITTED, NULL),
				 0);
	}
	assert_int_equal(ns_xtx_list(f->a, r, 8, &n), 0);
	for (size_t i = 0; i < n; i++) {
		assert_true(r[i].committed);
		assert_int_equal(r[i].nnodes, 1);
		assert_int_equal(r[i].nodes[0], NODE_B);
		assert_int_equal(ns_xtx_finish(f->b, r[i].txid, 1, NULL), 0);
		assert_int_equal(ns_xtx_forget(f->a, r[i].txid), 0);
	}
}

static void fsck_say(void *arg, const char *msg)
{
	(void)arg;
	print_message("fsck: %s\n", msg);
}

static void fsck_clean(struct fx *f)
{
	struct ns *both[2] = { f->a, f->b };

	assert_int_equal(ns_fsck_cluster(both, 2, fsck_say, NULL, NULL), 0);
}

static void expect_old(struct fx *f)
{
	assert_int_equal(tu_lookup(f->a, f->d1, f->sname), f->src);
	assert_int_equal(tu_lookup(f->b, f->d2, f->dname), 0);
	assert_int_equal(tu_getattr(f->a, f->d1).size, 1);
	assert_int_equal(tu_getattr(f->a, f->d2).size, 0);
}

static void expect_new(struct fx *f)
{
	assert_int_equal(tu_lookup(f->a, f->d1, f->sname), 0);
	assert_int_equal(tu_lookup(f->b, f->d2, f->dname), f->src);
	assert_int_equal(tu_getattr(f->a, f->d1).size, 0);
	assert_int_equal(tu_getattr(f->a, f->d2).size, 1);
	assert_int_equal(tu_getattr(f->a, f->src).parent, f->d2);
}

static void test_rename_commits(void **state)
{
	struct fx *f = *state;
	struct ns_xtx_inode ino[4];

	assert_int_equal(plan(f), 0);
	assert_true(f->la > 0 && f->lb > 0);
	/* A's part changes three inodes it owns, taking none out: the
	 * moved file (its parent) and both directories. */
	assert_int_equal(ns_xtx_record_inodes(f->ra, f->la, ino, 4), 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(ino[i].deleted, 0);
		assert_true(ino[i].fileid == f->src || ino[i].fileid == f->d1 ||
			    ino[i].fileid == f->d2);
	}
	assert_true(ino[0].fileid != ino[1].fileid &&
		    ino[1].fileid != ino[2].fileid &&
		    ino[0].fileid != ino[2].fileid);
	/* a record cut short, or grown, lists nothing */
	assert_int_equal(ns_xtx_record_inodes(f->ra, f->la - 1, ino, 4), 0);
	assert_int_equal(ns_xtx_record_inodes(f->ra, 7, ino, 4), 0);
	expect_old(f); /* a plan writes nothing */
	assert_int_equal(ns_xtx_live(f->a, TXID, 1), 0);
	assert_int_equal(prepare(f), 0);
	assert_true(ns_xtx_locked(f->b) > 0);
	assert_int_equal(prepare(f), 0); /* a resent PREPARE: same answer */
	assert_int_equal(decide(f), 0);
	assert_int_equal(ns_xtx_live(f->a, TXID, 0), 0);
	assert_int_equal(ns_xtx_finish(f->b, TXID, 1, NULL), 0);
	assert_int_equal(ns_xtx_finish(f->b, TXID, 1, NULL), 0); /* resent */
	assert_int_equal(ns_xtx_locked(f->b), 0);
	assert_int_equal(ns_xtx_forget(f->a, TXID), 0);
	expect_new(f);
	fsck_clean(f);
}

/* Stop after K steps (0 plan, 1 prepare, 2 decide, 3 finish, 4 forget),
 * restart both nodes, recover: the rename happened iff decide did. */
static void run_stop_after(unsigned k)
{
	struct fx *f;
	void *st;

	setup(&st);
	f = st;
	assert_int_equal(plan(f), 0);
	if (k >= 1)
		assert_int_equal(prepare(f), 0);
	if (k >= 2)
		assert_int_equal(decide(f), 0);
	if (k >= 3)
		assert_int_equal(ns_xtx_finish(f->b, TXID, 1, NULL), 0);
	if (k >= 4)
		assert_int_equal(ns_xtx_forget(f->a, TXID), 0);
	restart_both(f);
	if (k == 1) /* B still holds its keys after its restart */
		assert_true(ns_xtx_locked(f->b) > 0);
	recover(f);
	assert_int_equal(ns_xtx_locked(f->b), 0);
	if (k >= 2)
		expect_new(f);
	else
		expect_old(f);
	fsck_clean(f);
	teardown(&st);
}

static void test_stop_after_every_step(void **state)
{
	(void)state;
	for (unsigned k = 0; k <= 4; k++)
		run_stop_after(k);
}

/* A crash inside the commit of step K (1..4): that commit is lost. */
static void run_crash_in(unsigned k)
{
	struct fx *f;
	void *st;

	setup(&st);
	f = st;
	assert_int_equal(plan(f), 0);
	if (k == 1)
		ns_test_crash_after(f->b, 0);
	assert_int_equal(prepare(f), k == 1 ? -EIO : 0);
	if (k >= 2) {
		if (k == 2)
			ns_test_crash_after(f->a, 0);
		assert_int_equal(decide(f), k == 2 ? -EIO : 0);
	}
	if (k >= 3) {
		if (k == 3)
			ns_test_crash_after(f->b, 0);
		assert_int_equal(ns_xtx_finish(f->b, TXID, 1, NULL),
				 k == 3 ? -EIO : 0);
	}
	if (k == 4) {
		ns_test_crash_after(f->a, 0);
		assert_int_equal(ns_xtx_forget(f->a, TXID), -EIO);
	}
	restart_both(f);
	recover(f);
	assert_int_equal(ns_xtx_locked(f->b), 0);
	if (k >= 3)
		expect_new(f);
	else
		expect_old(f);
	fsck_clean(f);
	teardown(&st);
}

static void test_crash_in_every_commit(void **state)
{
	(void)state;
	for (unsigned k = 1; k <= 4; k++)
		run_crash_in(k);
}

/* While B holds the keys, B's own operations on them wait (DELAY). */
static void test_prepared_keys_refused(void **state)
{
	struct fx *f = *state;
	struct ns_create_args a = { .type = NS_REG, .mode = 0644,
				    .exclusive = 1 };
	struct ns_inode ino;
	uint8_t *val = NULL;
	size_t vlen;

	assert_int_equal(plan(f), 0);
	assert_int_equal(prepare(f), 0);
	assert_int_equal(ns_create(f->b, f->d2, f->dname, strlen(f->dname),
				   &a, &ino, NULL),
			 -EBUSY);
	assert_int_equal(ns_xtx_read(f->b, 5, 1, "x", 1, &val, &vlen),
			 -ENOENT); /* an unrelated key reads */
	assert_int_equal(ns_xtx_finish(f->b, TXID, 0, NULL), 0); /* abort */
	assert_int_equal(ns_xtx_locked(f->b), 0);
	expect_old(f);
	/* and once released, the name is free again */
	assert_int_equal(ns_create(f->b, f->d2, f->dname, strlen(f->dname),
				   &a, &ino, NULL),
			 0);
}

static int count_entry(void *ctx, const char *name, size_t namelen,
		       uint64_t fileid, uint64_t cookie)
{
	(void)name;
	(void)namelen;
	(void)fileid;
	(void)cookie;
	(*(int *)ctx)++;
	return 0;
}

/* B's part of a rename (the new name) is PREPARED: the name, and the
 * listing of its directory on B, are in doubt, before and after B's
 * restart: LOOKUP and READDIR answer -EBUSY (NFS4ERR_DELAY), not the
 * state from before a rename the coordinator may already have committed
 * and acknowledged. Other names and inodes read as before; once the
 * outcome is applied the new name is there. */
static void test_in_doubt_reads(void **state)
{
	struct fx *f = *state;
	struct ns_inode ino;
	uint64_t fid;
	int eof, n = 0;
	char other[64];

	uint64_t at_b = 0;

	/* the listing goes on at B where A's part of it ends */
	assert_int_equal(ns_readdir_ex(f->a, f->d2, 0, count_entry, &n, &eof,
				       &at_b),
			 0);
	assert_int_equal(n, 0);
	assert_int_not_equal(at_b, 0);
	/* another name of B's, on the same shard as the new one */
	tu_name_on_shard(f->b, f->d2, 5, "oth", other, sizeof other);
	assert_int_equal(plan(f), 0);
	assert_int_equal(prepare(f), 0);
	assert_int_equal(decide(f), 0); /* committed at A, not yet at B */
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(ns_lookup(f->b, f->d2, f->dname,
					   strlen(f->dname), &fid),
				 -EBUSY);
		assert_int_equal(ns_readdir(f->b, f->d2, at_b, count_entry,
					    &n, &eof),
				 -EBUSY);
		assert_int_equal(ns_lookup(f->b, f->d2, other, strlen(other),
					   &fid),
				 -ENOENT);
		assert_int_equal(ns_getattr(f->a, f->src, &ino), 0);
		restart_both(f); /* B re-locks its PREPARED record */
	}
	recover(f);
	expect_new(f);
	assert_int_equal(ns_readdir(f->b, f->d2, at_b, count_entry, &n, &eof),
			 0);
	assert_int_equal(n, 1);
	fsck_clean(f);
}

/* A value that changed between the plan and PREPARE: -ESTALE, nothing
 * held; a fresh plan then sees the target. */
static void test_stale_read_refused(void **state)
{
	struct fx *f = *state;
	struct ns_create_args a = { .type = NS_REG, .mode = 0644,
				    .exclusive = 1 };
	struct ns_inode ino;

	struct ns_delta d[4];
	struct ns_cinfo ci[4];
	size_t n;

	assert_int_equal(plan(f), 0);
	assert_int_equal(ns_create(f->b, f->d2, f->dname, strlen(f->dname),
				   &a, &ino, NULL),
			 0);
	/* B's delta for d2 reaches A (as the shipper would send it) */
	assert_int_equal(ns_delta_list(f->b, 5, 0, d, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ns_delta_apply(f->a, 5, d, n, ci), 0);
	assert_int_equal(prepare(f), -ESTALE);
	assert_int_equal(ns_xtx_locked(f->b), 0);
	ns_xview_clear(f->v);
	assert_int_equal(plan(f), 0); /* now a rename over the new file */
	assert_int_equal(prepare(f), 0);
	assert_int_equal(decide(f), 0);
	assert_int_equal(ns_xtx_finish(f->b, TXID, 1, NULL), 0);
	assert_int_equal(ns_xtx_forget(f->a, TXID), 0);
	expect_new(f);
	{ /* the replaced file is gone from B */
		struct ns_inode gone;
		assert_int_equal(ns_getattr(f->b, ino.fileid, &gone), -ENOENT);
	}
	fsck_clean(f);
}

/* Outcomes: PENDING while live, COMMITTED with a record, else ABORTED. */
static void test_outcomes(void **state)
{
	struct fx *f = *state;
	enum ns_xtx_outcome o;

	assert_int_equal(ns_xtx_outcome(f->a, TXID, &o), 0);
	assert_int_equal(o, NS_XTX_ABORTED);
	assert_int_equal(ns_xtx_live(f->a, TXID, 1), 0);
	assert_int_equal(ns_xtx_outcome(f->a, TXID, &o), 0);
	assert_int_equal(o, NS_XTX_PENDING);
	assert_int_equal(plan(f), 0);
	assert_int_equal(prepare(f), 0);
	assert_int_equal(decide(f), 0);
	assert_int_equal(ns_xtx_live(f->a, TXID, 0), 0);
	assert_int_equal(ns_xtx_outcome(f->a, TXID, &o), 0);
	assert_int_equal(o, NS_XTX_COMMITTED);
	assert_int_equal(ns_xtx_finish(f->b, TXID, 1, NULL), 0);
	assert_int_equal(ns_xtx_forget(f->a, TXID), 0);
	assert_int_equal(ns_xtx_outcome(f->a, TXID, &o), 0);
	assert_int_equal(o, NS_XTX_ABORTED);
}

/* Records that are not well formed are refused before anything. */
static void test_bad_records(void **state)
{
	struct fx *f = *state;
	uint8_t pb[NPARTS] = { 0, 1 }, *bad;

	assert_int_equal(plan(f), 0);
	assert_int_equal(ns_xtx_prepare(f->a, TXID, NODE_A, f->rb, f->lb),
			 -EREMOTE); /* B's keys at A */
	for (size_t cut = 0; cut < f->lb; cut++)
		assert_int_equal(ns_xtx_prepare(f->b, TXID, NODE_A, f->rb,
						cut),
				 -EIO);
	bad = malloc(f->lb);
	memcpy(bad, f->rb, f->lb);
	bad[8 + 2] = 99; /* an unknown operation */
	assert_int_equal(ns_xtx_prepare(f->b, TXID, NODE_A, bad, f->lb),
			 -EIO);
	free(bad);
	assert_int_equal(ns_xtx_locked(f->b), 0);
	(void)pb;
}

/* d2 is A's: its count changes by B's deltas, shipped as the server does
 * (pnfs/peer_delta.h). */
static void ship_deltas(struct fx *f)
{
	for (unsigned s = 1; s < NSHARDS; s += 2) {
		struct ns_delta d[8];
		size_t n;
		assert_int_equal(ns_delta_list(f->b, s, 0, d, 8, &n), 0);
		if (n)
			assert_int_equal(ns_delta_apply(f->a, s, d, n, NULL), 0);
	}
}

/* After the cross-node rename the entry (on B) names an inode on A: its
 * REMOVE is a transaction too, coordinated by B, A the participant. The
 * inode goes (its data listed for the reclaimer on A), the entry too. */
static void test_remove_far_inode(void **state)
{
	struct fx *f = *state;
	struct ns_xtx_gone gone;
	struct ns_xtx_inode ino[4];
	uint8_t pa[NPARTS] = { 1, 0 }, pb[NPARTS] = { 0, 1 };
	uint32_t nodes[1] = { NODE_A };
	const uint64_t tx2 = TXID + 1;

	test_rename_commits(state);
	assert_int_equal(plan_at(f, f->b, f->a, f->d2, f->dname, 0, NULL), 0);
	free(f->ra);
	free(f->rb);
	assert_int_equal(ns_xview_record(f->v, f->a, pa, &f->ra, &f->la), 0);
	assert_int_equal(ns_xview_record(f->v, f->b, pb, &f->rb, &f->lb), 0);
	assert_true(f->la > 0 && f->lb > 0);
	/* The inode records each part writes (where recalls go first):
	 * A's part takes the file's out, B's writes none. */
	assert_int_equal(ns_xtx_record_inodes(f->ra, f->la, ino, 4), 1);
	assert_int_equal(ino[0].fileid, f->src);
	assert_int_equal(ino[0].deleted, 1);
	assert_int_equal(ns_xtx_record_inodes(f->rb, f->lb, ino, 4), 0);
	assert_int_equal(ns_xtx_record_inodes(f->ra, f->la - 1, ino, 4), 0);
	assert_int_equal(ns_xtx_prepare(f->a, tx2, NODE_B, f->ra, f->la), 0);
	/* The file's last link goes; its inode record is A's: B's decision
	 * takes out no inode, A's finish takes out the file's, and says so
	 * (the server keeps it if still open there), once. */
	gone.n = 99;
	assert_int_equal(ns_xtx_decide(f->b, tx2, f->rb, f->lb, nodes, 1,
					    &gone),
			 0);
	assert_int_equal(gone.n, 0);
	assert_int_equal(ns_xtx_finish(f->a, tx2, 1, &gone), 0);
	assert_int_equal(gone.n, 1);
	assert_int_equal(gone.ino[0].fileid, f->src);
	assert_int_equal(gone.ino[0].type, NS_REG);
	assert_int_equal(gone.ino[0].nlink, 1);
	assert_int_equal(ns_xtx_finish(f->a, tx2, 1, &gone), 0);
	assert_int_equal(gone.n, 0); /* a resent FINISH: nothing again */
	assert_int_equal(ns_xtx_forget(f->b, tx2), 0);
	assert_int_equal(tu_lookup(f->b, f->d2, f->dname), 0);
	assert_int_equal(ns_getattr(f->a, f->src, &(struct ns_inode){ 0 }),
			 -ENOENT);
	ship_deltas(f);
	assert_int_equal(tu_getattr(f->a, f->d2).size, 0);
	fsck_clean(f);
}

/* The records of the last plan, A's and B's. */
static void records(struct fx *f)
{
	uint8_t pa[NPARTS] = { 1, 0 }, pb[NPARTS] = { 0, 1 };

	free(f->ra);
	free(f->rb);
	assert_int_equal(ns_xview_record(f->v, f->a, pa, &f->ra, &f->la), 0);
	assert_int_equal(ns_xview_record(f->v, f->b, pb, &f->rb, &f->lb), 0);
}

/* LINK of A's file to a name whose entry is B's, coordinated by A: after
 * the commit both names give the file, its nlink is 2, d2 counts the new
 * name. A crash after B prepared and before A decided leaves no link. Then
 * the new name's REMOVE, coordinated by B: nlink back to 1, the file
 * still there under its first name. */
static void test_link_across(void **state)
{
	struct fx *f = *state;
	uint32_t nodes[1] = { NODE_B };
	const uint64_t tx2 = TXID + 1, tx3 = TXID + 2;

	f->link = f->src;
	assert_int_equal(plan_at(f, f->a, f->b, 0, NULL, f->d2, f->dname), 0);
	records(f);
	assert_true(f->la > 0 && f->lb > 0);
	assert_int_equal(ns_xtx_prepare(f->b, TXID, NODE_A, f->rb, f->lb), 0);
	restart_both(f); /* no decision: presumed abort */
	recover(f);
	assert_int_equal(tu_lookup(f->b, f->d2, f->dname), 0);
	assert_int_equal(tu_getattr(f->a, f->src).nlink, 1);
	fsck_clean(f);

	assert_int_equal(plan_at(f, f->a, f->b, 0, NULL, f->d2, f->dname), 0);
	records(f);
	assert_int_equal(ns_xtx_prepare(f->b, tx2, NODE_A, f->rb, f->lb), 0);
	assert_int_equal(ns_xtx_decide(f->a, tx2, f->ra, f->la, nodes, 1, NULL), 0);
	assert_int_equal(ns_xtx_finish(f->b, tx2, 1, NULL), 0);
	assert_int_equal(ns_xtx_forget(f->a, tx2), 0);
	assert_int_equal(tu_lookup(f->b, f->d2, f->dname), f->src);
	assert_int_equal(tu_lookup(f->a, f->d1, f->sname), f->src);
	assert_int_equal(tu_getattr(f->a, f->src).nlink, 2);
	assert_int_equal(tu_getattr(f->a, f->d2).size, 1);
	fsck_clean(f);
	/* the name exists now: a second LINK is refused by its plan */
	assert_int_equal(plan_at(f, f->a, f->b, 0, NULL, f->d2, f->dname),
			 -EEXIST);

	f->link = 0;
	nodes[0] = NODE_A;
	assert_int_equal(plan_at(f, f->b, f->a, f->d2, f->dname, 0, NULL), 0);
	records(f);
	assert_int_equal(ns_xtx_prepare(f->a, tx3, NODE_B, f->ra, f->la), 0);
	assert_int_equal(ns_xtx_decide(f->b, tx3, f->rb, f->lb, nodes, 1, NULL), 0);
	assert_int_equal(ns_xtx_finish(f->a, tx3, 1, NULL), 0);
	assert_int_equal(ns_xtx_forget(f->b, tx3), 0);
	ship_deltas(f);
	assert_int_equal(tu_lookup(f->b, f->d2, f->dname), 0);
	assert_int_equal(tu_getattr(f->a, f->d2).size, 0);
	assert_int_equal(tu_getattr(f->a, f->src).nlink, 1);
	assert_int_equal(tu_lookup(f->a, f->d1, f->sname), f->src);
	fsck_clean(f);
}

/* A directory cannot be linked: the plan says so, as ns_link does. */
static void test_link_plan_refuses_directory(void **state)
{
	struct fx *f = *state;

	f->link = f->d1;
	assert_int_equal(plan_at(f, f->a, f->b, 0, NULL, f->d2, f->dname),
			 -EISDIR);
	assert_int_equal(ns_xtx_locked(f->b), 0);
}

/* A directory moves across nodes like a file: its inode stays on A, its
 * new entry (on B) names it, its parent pointer and both parents' link
 * counts follow. Moving it below itself is refused (the loop check reads
 * its new ancestors through the view); over a file, ENOTDIR; over a
 * directory B holds an entry of, the guard's prepare says ENOTEMPTY. */
static void test_directory_moves(void **state)
{
	struct fx *f = *state;
	uint32_t nodes[1] = { NODE_B };
	char sub[64], x[64], e[64], in[64];
	uint64_t d, empty;

	tu_name_on_shard(f->a, f->d1, 6, "sub", sub, sizeof sub);
	d = tu_create(f->a, f->d1, sub, NS_DIR);
	assert_int_equal(tu_getattr(f->a, f->d1).nlink, 3);
	assert_int_equal(plan_at(f, f->a, f->b, f->d1, sub, f->d2, f->dname),
			 0);
	records(f);
	assert_int_equal(ns_xtx_prepare(f->b, TXID, NODE_A, f->rb, f->lb), 0);
	assert_int_equal(ns_xtx_decide(f->a, TXID, f->ra, f->la, nodes, 1,
				       NULL),
			 0);
	assert_int_equal(ns_xtx_finish(f->b, TXID, 1, NULL), 0);
	assert_int_equal(ns_xtx_forget(f->a, TXID), 0);
	ship_deltas(f);
	assert_int_equal(tu_lookup(f->a, f->d1, sub), 0);
	assert_int_equal(tu_lookup(f->b, f->d2, f->dname), d);
	assert_int_equal(tu_getattr(f->a, d).parent, f->d2);
	assert_int_equal(tu_getattr(f->a, f->d1).nlink, 2);
	assert_int_equal(tu_getattr(f->a, f->d2).nlink, 3);
	assert_int_equal(tu_getattr(f->a, f->d2).size, 1);
	fsck_clean(f);

	/* below itself: B coordinates (the entry is B's), reads A's */
	tu_name_on_shard(f->b, d, 7, "x", x, sizeof x);
	assert_int_equal(plan_at(f, f->b, f->a, f->d2, f->dname, d, x),
			 -EINVAL);
	/* over a file, over a directory with an entry on B */
	tu_name_on_shard(f->a, f->d1, 4, "empty", e, sizeof e);
	empty = tu_create(f->a, f->d1, e, NS_DIR);
	assert_int_equal(plan_at(f, f->b, f->a, f->d2, f->dname, f->d1,
				 f->sname),
			 -ENOTDIR);
	tu_name_on_shard(f->b, empty, 3, "in", in, sizeof in);
	tu_create(f->b, empty, in, NS_REG);
	assert_int_equal(plan_at(f, f->b, f->a, f->d2, f->dname, f->d1, e),
			 0);
	records(f);
	assert_int_equal(ns_xtx_prepare(f->a, TXID + 1, NODE_B, f->ra, f->la),
			 0);
	/* B decides its own part: it holds an entry of EMPTY */
	nodes[0] = NODE_A;
	assert_int_equal(ns_xtx_decide(f->b, TXID + 1, f->rb, f->lb, nodes, 1,
				       NULL),
			 -ENOTEMPTY);
	assert_int_equal(ns_xtx_finish(f->a, TXID + 1, 0, NULL), 0);
	assert_int_equal(tu_lookup(f->a, f->d1, e), empty);
	assert_int_equal(tu_lookup(f->b, f->d2, f->dname), d);
	ship_deltas(f);
	fsck_clean(f);
}

/* ---- RMDIR with several owners (ns.h; ns_rmguard.c) --------------- */

/* ns_create of a file NAME in DIR at NS: its answer. */
static int try_create(struct ns *ns, uint64_t dir, const char *name)
{
	struct ns_create_args a = { .type = NS_REG, .mode = 0644,
				    .exclusive = 1 };
	struct ns_inode out;

	return ns_create(ns, dir, name, strlen(name), &a, &out, NULL);
}

static int try_remove(struct ns *ns, uint64_t dir, const char *name)
{
	int freed = 0;

	return ns_remove(ns, dir, name, strlen(name), NULL, &freed, NULL);
}

/* Plan at A RMDIR of d1/SUB, records of both. */
static int plan_rmdir(struct fx *f, const char *sub)
{
	int rc = plan_at(f, f->a, f->b, f->d1, sub, 0, NULL);

	if (!rc)
		records(f);
	return rc;
}

/* sub (A's, in d1) gets a file from B (odd shard 5) whose delta has not
 * reached A: A's count of it is 0. Alone A may not remove it; the
 * transaction's prepare at B refuses, as B holds an entry of it. Once the
 * file is gone the RMDIR prepares at B, where creates in sub wait; after
 * the commit they answer STALE (the tombstone), and the late deltas for
 * the gone directory change nothing. Tombstones expire after KEEP. */
static void test_rmdir_guards(void **state)
{
	struct fx *f = *state;
	uint32_t nodes[1] = { NODE_B };
	char sub[64], in[64], late[64];
	uint64_t d;
	size_t n;

	tu_name_on_shard(f->a, f->d1, 6, "sub", sub, sizeof sub);
	d = tu_create(f->a, f->d1, sub, NS_DIR);
	tu_name_on_shard(f->b, d, 5, "in", in, sizeof in);
	tu_name_on_shard(f->b, d, 3, "late", late, sizeof late);
	tu_create(f->b, d, in, NS_REG);
	assert_int_equal(tu_getattr(f->a, d).size, 0); /* delta not there */
	assert_int_equal(try_remove(f->a, f->d1, sub), -EREMOTE);

	assert_int_equal(plan_rmdir(f, sub), 0);
	assert_true(f->la > 0 && f->lb > 0); /* B's part: its guard */
	assert_int_equal(ns_xtx_prepare(f->b, TXID, NODE_A, f->rb, f->lb),
			 -ENOTEMPTY);
	assert_int_equal(ns_xtx_locked(f->b), 0);
	assert_int_equal(tu_lookup(f->a, f->d1, sub), d);

	/* the file goes: nothing of sub on B, the RMDIR prepares */
	assert_int_equal(try_remove(f->b, d, in), 0);
	assert_int_equal(plan_rmdir(f, sub), 0);
	assert_int_equal(ns_xtx_prepare(f->b, TXID + 1, NODE_A, f->rb, f->lb),
			 0);
	assert_int_equal(try_create(f->b, d, late), -EBUSY);
	assert_int_equal(ns_xtx_decide(f->a, TXID + 1, f->ra, f->la, nodes, 1,
				       NULL),
			 0);
	assert_int_equal(ns_xtx_finish(f->b, TXID + 1, 1, NULL), 0);
	assert_int_equal(ns_xtx_forget(f->a, TXID + 1), 0);
	assert_int_equal(tu_lookup(f->a, f->d1, sub), 0);
	assert_int_equal(ns_getattr(f->a, d, &(struct ns_inode){ 0 }),
			 -ENOENT);
	assert_int_equal(try_create(f->b, d, late), -ESTALE);
	ship_deltas(f); /* +1 and -1 for a gone directory: no error */
	fsck_clean(f);

	/* one tombstone per partition, dropped once older than KEEP */
	uint64_t now = (uint64_t)time(NULL);
	assert_int_equal(ns_rmguard_expire(f->b, now, 600, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ns_rmguard_expire(f->b, now + 601, 600, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ns_rmguard_expire(f->a, now + 601, 600, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ns_rmguard_expire(f->b, now + 601, 600, &n), 0);
	assert_int_equal(n, 0);
}

/* An RMDIR prepared at B when both nodes crash: presumed abort, the guard
 * was never written (creates in the directory work), the directory is
 * still there; a prepared one is refused at a second RMDIR's prepare. */
static void test_rmdir_crash_aborts(void **state)
{
	struct fx *f = *state;
	char sub[64], in[64];
	uint64_t d;

	tu_name_on_shard(f->a, f->d1, 6, "sub", sub, sizeof sub);
	d = tu_create(f->a, f->d1, sub, NS_DIR);
	tu_name_on_shard(f->b, d, 5, "in", in, sizeof in);
	assert_int_equal(plan_rmdir(f, sub), 0);
	assert_int_equal(ns_xtx_prepare(f->b, TXID, NODE_A, f->rb, f->lb), 0);
	assert_int_equal(ns_xtx_prepare(f->b, TXID + 1, NODE_A, f->rb, f->lb),
			 -EBUSY);
	restart_both(f);
	assert_int_equal(try_create(f->b, d, in), -EBUSY); /* re-locked */
	recover(f);
	assert_int_equal(ns_xtx_locked(f->b), 0);
	assert_int_equal(try_create(f->b, d, in), 0);
	assert_int_equal(tu_lookup(f->a, f->d1, sub), d);
	ship_deltas(f);
	assert_int_equal(tu_getattr(f->a, d).size, 1);
	fsck_clean(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rename_commits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_in_doubt_reads, setup,
						teardown),
		cmocka_unit_test(test_stop_after_every_step),
		cmocka_unit_test(test_crash_in_every_commit),
		cmocka_unit_test_setup_teardown(test_prepared_keys_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_read_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outcomes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_records, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_remove_far_inode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_directory_moves,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rmdir_guards, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rmdir_crash_aborts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_link_across, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_link_plan_refuses_directory, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
