/*
 * tests/unit/test_residency.c — what the metadata server's operations do
 * with a file whose data is in the object tier only (nfsd/residency.h,
 * docs/decisions/0030-data-generations.md), in process: the MDS and two
 * data servers of test_util_pnfs.h.
 *
 * A file is made OFFLOADED as a release leaves it: its copy at
 * generation 0 written, then layout_gen 1, residency OFFLOADED (by hand,
 * NS_SET_RESIDENCY) and copy 0 dropped. Then:
 *   - READ and WRITE through the MDS answer NFS4ERR_DELAY, nothing read
 *     or written (no object of generation 1 made, size unchanged);
 *   - LAYOUTGET answers NFS4ERR_LAYOUTTRYLATER and leaves no layout;
 *   - SETATTR of a size other than 0 answers DELAY; COMMIT answers OK;
 *   - each refused access calls the tier's recall hook once with the
 *     fileid;
 *   - a truncation to zero is allowed and cuts nothing on the data
 *     servers; the file is LOCAL and then written as any other;
 *   - a BOTH (premigrated) and a LOCAL file are served as before, with
 *     no call of the hook;
 *   - OPEN of an offloaded file succeeds and calls the hook once (the
 *     recall starts before the first READ); OPEN of a LOCAL or BOTH file
 *     does not call it;
 *   - while a recall runs (its part map, tiering/tier_parts.h, filled
 *     by hand, its copy at generation 2 written through tier_ds_ops), a
 *     READ of parts back is served from that copy, byte exact (a short
 *     read where a later part is not back, eof at the end), a READ of a
 *     part not back answers DELAY and asks for it, as does a part whose
 *     object a data server lost, LAYOUTGET still answers
 *     TRYLATER and WRITE DELAY; once the recall is over, DELAY again
 *     (decision 0034).
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

#include "ns_test.h"
#include "tier_ds.h"
#include "tier_job.h"
#include "test_util_pnfs.h"

#define LEN (2 * UNIT + 77) /* both data servers */

static uint64_t wanted[16];
static unsigned nwanted;

static void recall_wanted(void *arg, uint64_t fileid)
{
	assert_ptr_equal(arg, &wanted);
	if (nwanted < 16)
		wanted[nwanted] = fileid;
	nwanted++;
}

struct rfile {
	struct ch_client *cl;
	char name[64];
	stateid4 sid;
	struct fh fh;
	uint64_t fileid;
	uint8_t data[LEN];
};

/* Objects of FILEID's copy GEN on the data servers. */
static int objects_at(uint64_t fileid, uint64_t gen)
{
	int n = 0;

	for (unsigned j = 0; j < NDS; j++)
		n += ds_store_size(g_ds[j]->store, fileid, j, gen) >= 0;
	return n;
}

static int mds_write(struct rfile *f, uint64_t off, const void *p,
		     uint32_t len)
{
	return CALL(f->cl, ch_op_seq(f->cl, 0, 0), ch_op_putfh(&f->fh.fh),
		    ch_op_write(&f->sid, off, p, len, FILE_SYNC4));
}

/* READ of LEN bytes at 0: its status; the bytes compared on success. */
static int mds_read_cmp(struct rfile *f, const uint8_t *want, uint32_t len)
{
	int st = CALL(f->cl, ch_op_seq(f->cl, 0, 0), ch_op_putfh(&f->fh.fh),
		      ch_op_read(&f->sid, 0, len));

	if (st == NFS4_OK) {
		READ4resok *ok = &ch_res(f->cl, 2)->nfs_resop4_u.opread
					  .READ4res_u.resok4;

		assert_int_equal(ok->data.len, len);
		assert_memory_equal(ok->data.base, want, len);
	}
	return st;
}

static int set_size(struct rfile *f, uint64_t size)
{
	return tu_setattr_size(f->cl, &f->fh, &f->sid, size);
}

static struct ns_inode inode_of(uint64_t fileid)
{
	struct ns_inode ino;

	assert_int_equal(ns_getattr(g_mds->ns, fileid, &ino), 0);
	return ino;
}

static void set_residency(uint64_t fileid, uint32_t res)
{
	struct ns_inode a;

	memset(&a, 0, sizeof(a));
	a.residency = res;
	assert_int_equal(ns_setattr(g_mds->ns, fileid, NS_SET_RESIDENCY, &a,
				    NULL),
			 0);
}

/* A file of LEN bytes written through the MDS, at generation 0. */
static void rfile_make(struct rfile *f, const char *name)
{
	f->cl = new_client(tu_uniq(name));
	snprintf(f->name, sizeof(f->name), "%s", tu_uniq(name));
	fill_pattern(f->data, LEN, 5);
	assert_int_equal(open_file(f->cl, "o", f->name, 1, &f->sid, &f->fh),
			 NFS4_OK);
	f->fileid = fileid_of(&f->fh);
	assert_int_equal(mds_write(f, 0, f->data, LEN), NFS4_OK);
	assert_int_equal(objects_at(f->fileid, 0), NDS);
}

/* As a release leaves it: generation 1, OFFLOADED, copy 0 gone. */
static void offload(struct rfile *f)
{
	assert_int_equal(ns_test_set_layout_gen(g_mds->ns, f->fileid, 1), 0);
	set_residency(f->fileid, NS_RES_OFFLOADED);
	assert_int_equal(tier_ds_ops.drop(g_mds->cluster, f->fileid, 0), 0);
}

static void rfile_free(struct rfile *f)
{
	assert_int_equal(close_file(f->cl, &f->fh, &f->sid), NFS4_OK);
	tu_free_client(f->cl);
}

static int setup(void **state)
{
	(void)state;
	nwanted = 0;
	g_mds->tier_recall_wanted = recall_wanted;
	g_mds->tier_recall_arg = &wanted;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	g_mds->tier_recall_wanted = NULL;
	g_mds->tier_recall_arg = NULL;
	return 0;
}

/* READ, WRITE, SETATTR size 5 and LAYOUTGET of an offloaded file are
 * refused with DELAY / LAYOUTTRYLATER, each asking for a recall, and
 * change nothing; COMMIT is OK. */
static void test_offloaded_refused(void **state)
{
	struct rfile f;
	struct layout_info li;
	uint8_t b[16] = { 1 };

	(void)state;
	rfile_make(&f, "res-off");
	offload(&f);
	assert_int_equal(mds_read_cmp(&f, f.data, 100), NFS4ERR_DELAY);
	assert_int_equal(mds_write(&f, 10, b, sizeof(b)), NFS4ERR_DELAY);
	assert_int_equal(set_size(&f, 5), NFS4ERR_DELAY);
	assert_int_equal(layoutget(f.cl, &f.fh, &f.sid, LAYOUTIOMODE4_READ,
				   &li),
			 NFS4ERR_LAYOUTTRYLATER);
	assert_int_equal(layoutget(f.cl, &f.fh, &f.sid, LAYOUTIOMODE4_RW,
				   &li),
			 NFS4ERR_LAYOUTTRYLATER);
	assert_int_equal(nwanted, 5);
	for (unsigned i = 0; i < nwanted; i++)
		assert_int_equal(wanted[i], f.fileid);
	assert_int_equal(CALL(f.cl, ch_op_seq(f.cl, 0, 0), ch_op_putfh(&f.fh.fh),
			      ch_op_commit(0, 0)),
			 NFS4_OK);
	assert_int_equal(nwanted, 5);
	/* Nothing was read, written or made. */
	assert_int_equal(objects_at(f.fileid, 1), 0);
	assert_int_equal(inode_of(f.fileid).size, LEN);
	assert_int_equal(inode_of(f.fileid).residency, NS_RES_OFFLOADED);
	assert_int_equal(g_mds->counters.data_lost, 0);
	rfile_free(&f);
}

/* O_TRUNC of an offloaded file needs no recall: the file is LOCAL and
 * empty, nothing was cut (or made) on the data servers, and it is then
 * written and read as any other. */
static void test_offloaded_truncate_to_zero(void **state)
{
	struct rfile f;
	struct layout_info li;

	(void)state;
	rfile_make(&f, "res-trunc");
	offload(&f);
	assert_int_equal(set_size(&f, 0), NFS4_OK);
	assert_int_equal(nwanted, 0);
	assert_int_equal(inode_of(f.fileid).residency, NS_RES_LOCAL);
	assert_int_equal(inode_of(f.fileid).size, 0);
	assert_int_equal(objects_at(f.fileid, 1), 0);
	assert_int_equal(mds_write(&f, 0, f.data, 1000), NFS4_OK);
	assert_int_equal(objects_at(f.fileid, 1), NDS);
	assert_int_equal(mds_read_cmp(&f, f.data, 1000), NFS4_OK);
	assert_int_equal(layoutget(f.cl, &f.fh, &f.sid, LAYOUTIOMODE4_RW,
				   &li),
			 NFS4_OK);
	assert_int_equal(nwanted, 0);
	rfile_free(&f);
}

/* A premigrated (BOTH) and a LOCAL file: READ, LAYOUTGET and COMMIT
 * served, no recall asked; a WRITE to the BOTH file makes it LOCAL. */
static void test_both_and_local_served(void **state)
{
	struct rfile f, g;
	struct layout_info li;
	uint8_t b[16] = { 2 };

	(void)state;
	rfile_make(&f, "res-both");
	rfile_make(&g, "res-local");
	set_residency(f.fileid, NS_RES_BOTH);
	for (struct rfile *x = &f; x; x = x == &f ? &g : NULL) {
		assert_int_equal(mds_read_cmp(x, x->data, LEN), NFS4_OK);
		assert_int_equal(layoutget(x->cl, &x->fh, &x->sid,
					   LAYOUTIOMODE4_READ, &li),
				 NFS4_OK);
		assert_int_equal(CALL(x->cl, ch_op_seq(x->cl, 0, 0),
				      ch_op_putfh(&x->fh.fh), ch_op_commit(0, 0)),
				 NFS4_OK);
	}
	assert_int_equal(inode_of(f.fileid).residency, NS_RES_BOTH);
	assert_int_equal(mds_write(&f, 10, b, sizeof(b)), NFS4_OK);
	assert_int_equal(inode_of(f.fileid).residency, NS_RES_LOCAL);
	assert_int_equal(set_size(&g, 5), NFS4_OK);
	assert_int_equal(nwanted, 0);
	rfile_free(&f);
	rfile_free(&g);
}

/* OPEN of an offloaded file is granted and asks for its recall, once per
 * OPEN; the READ after it is still refused until the data is back. OPEN
 * of a BOTH file asks nothing. */
static void test_open_asks_recall(void **state)
{
	struct rfile f;
	stateid4 sid;
	struct fh fh;

	(void)state;
	rfile_make(&f, "res-open");
	assert_int_equal(nwanted, 0); /* opened while LOCAL */
	offload(&f);
	assert_int_equal(open_file(f.cl, "o2", f.name, 0, &sid, &fh),
			 NFS4_OK);
	assert_int_equal(nwanted, 1);
	assert_int_equal(wanted[0], f.fileid);
	assert_int_equal(inode_of(f.fileid).residency, NS_RES_OFFLOADED);
	assert_int_equal(mds_read_cmp(&f, f.data, 10), NFS4ERR_DELAY);
	assert_int_equal(nwanted, 2);
	assert_int_equal(close_file(f.cl, &fh, &sid), NFS4_OK);
	set_residency(f.fileid, NS_RES_BOTH);
	assert_int_equal(open_file(f.cl, "o3", f.name, 0, &sid, &fh),
			 NFS4_OK);
	assert_int_equal(nwanted, 2);
	assert_int_equal(close_file(f.cl, &fh, &sid), NFS4_OK);
	rfile_free(&f);
}

/* READ of LEN at OFF: its status; on success the bytes compared with
 * WANT + OFF, *N and *EOF set. */
static int mds_read_at(struct rfile *f, uint64_t off, uint32_t len,
		       uint32_t *n, int *eof)
{
	int st = CALL(f->cl, ch_op_seq(f->cl, 0, 0), ch_op_putfh(&f->fh.fh),
		      ch_op_read(&f->sid, off, len));

	if (st == NFS4_OK) {
		READ4resok *ok = &ch_res(f->cl, 2)->nfs_resop4_u.opread
					  .READ4res_u.resok4;

		*n = ok->data.len;
		*eof = ok->eof;
		assert_memory_equal(ok->data.base, f->data + off, *n);
	}
	return st;
}

/* The recall's side, by hand: its part map and the engine reads go
 * through (the data servers, unwrapped), as tier_worker.c sets them. */
static struct tier_engine parts_engine;

static int read_parts(void *arg, uint64_t fileid, uint64_t off, void *buf,
		      size_t len, size_t *n)
{
	assert_ptr_equal(arg, &wanted);
	return tier_recall_read(&parts_engine, fileid, off, buf, len, n);
}

static void test_read_from_recalled_parts(void **state)
{
	struct tier_parts *parts;
	struct tier_parts_rec *rec;
	struct tier_parts_counts pc;
	struct rfile f;
	struct layout_info li;
	uint8_t b[16] = { 1 };
	uint32_t n = 0;
	int eof = 0;

	(void)state;
	rfile_make(&f, "res-parts");
	offload(&f);
	assert_int_equal(tier_parts_new(&parts), 0);
	parts_engine = (struct tier_engine){ .data = &tier_ds_ops,
					     .data_arg = g_mds->cluster,
					     .parts = parts };
	g_mds->tier_read_parts = read_parts;
	/* No recall running: DELAY as before. */
	assert_int_equal(mds_read_at(&f, 0, 100, &n, &eof), NFS4ERR_DELAY);
	/* A recall into generation 2 in parts of UNIT: part 0 is back. */
	assert_int_equal(tier_parts_begin(parts, f.fileid, 2, LEN, UNIT, &rec),
			 0);
	assert_int_equal(tier_ds_ops.write(g_mds->cluster, f.fileid, 2, 0,
					   f.data, UNIT),
			 0);
	tier_parts_in(parts, rec, 0);
	assert_int_equal(mds_read_at(&f, 0, 100, &n, &eof), NFS4_OK);
	assert_true(n == 100 && !eof);
	assert_int_equal(mds_read_at(&f, UNIT - 10, 100, &n, &eof), NFS4_OK);
	assert_true(n == 10 && !eof); /* up to the part not back */
	/* Part 2 is not back: DELAY, asked for. */
	assert_int_equal(mds_read_at(&f, 2 * UNIT + 5, 10, &n, &eof),
			 NFS4ERR_DELAY);
	tier_parts_counts(parts, &pc);
	assert_true(pc.parts_asked == 2 && pc.reads_waited == 1);
	assert_true(pc.reads_served == 2);
	/* Not whole yet: no layout, no write. */
	assert_int_equal(layoutget(f.cl, &f.fh, &f.sid, LAYOUTIOMODE4_READ,
				   &li),
			 NFS4ERR_LAYOUTTRYLATER);
	assert_int_equal(mds_write(&f, 10, b, sizeof(b)), NFS4ERR_DELAY);
	/* Part 1 marked back but the object holding it gone from its data
	 * server (wiped): DELAY, not an error, and nothing counted lost. */
	assert_int_equal(ds_store_remove(g_ds[1]->store, f.fileid, 1, 2), 0);
	tier_parts_in(parts, rec, 1);
	assert_int_equal(mds_read_at(&f, UNIT + 5, 10, &n, &eof),
			 NFS4ERR_DELAY);
	assert_int_equal(g_mds->counters.data_lost, 0);
	/* Every part back: the end of the file, with eof. */
	assert_int_equal(tier_ds_ops.write(g_mds->cluster, f.fileid, 2, UNIT,
					   f.data + UNIT, LEN - UNIT),
			 0);
	tier_parts_in(parts, rec, 2);
	assert_int_equal(mds_read_at(&f, LEN - 77, 200, &n, &eof), NFS4_OK);
	assert_true(n == 77 && eof);
	assert_int_equal(mds_read_at(&f, LEN, 10, &n, &eof), NFS4_OK);
	assert_true(n == 0 && eof);
	/* Every access asked for the recall; nothing counted lost. */
	assert_int_equal(nwanted, 9);
	assert_int_equal(g_mds->counters.data_lost, 0);
	assert_int_equal(inode_of(f.fileid).residency, NS_RES_OFFLOADED);
	/* The recall over (given up): DELAY again. */
	tier_parts_end(parts, rec);
	assert_int_equal(mds_read_at(&f, 0, 100, &n, &eof), NFS4ERR_DELAY);
	g_mds->tier_read_parts = NULL;
	tier_parts_free(parts);
	assert_int_equal(tier_ds_ops.drop(g_mds->cluster, f.fileid, 2), 0);
	rfile_free(&f);
}

/* Without a tier (no hook set), an offloaded file is refused the same. */
static void test_no_hook(void **state)
{
	struct rfile f;

	(void)state;
	g_mds->tier_recall_wanted = NULL;
	rfile_make(&f, "res-nohook");
	offload(&f);
	assert_int_equal(mds_read_cmp(&f, f.data, 10), NFS4ERR_DELAY);
	assert_int_equal(nwanted, 0);
	rfile_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offloaded_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_offloaded_truncate_to_zero,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_both_and_local_served,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_asks_recall, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_from_recalled_parts,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_hook, setup, teardown),
	};

	return cmocka_run_group_tests(tests, tp_cluster_setup,
				      tp_cluster_teardown);
}
