/*
 * tests/unit/test_datagen.c — data generations across the MDS and two
 * in-process data servers (docs/decisions/0030-data-generations.md):
 *   - the tier's data interface over the data servers (pnfs/tier_ds.h)
 *     writes a file's copy at generation g+1 beside the copy at g, and
 *     each reads back its own bytes, through the interface and through
 *     DS handles of its generation;
 *   - a DS handle of a generation the MDS fenced off, of a generation that
 *     was dropped, or of one never made is refused with NFS4ERR_STALE
 *     (the Linux client then goes back to the MDS), never served from
 *     another copy;
 *   - drop of (fileid, g) removes that copy only;
 *   - the reclaim of a removed file frees the copy at the generation its
 *     last unlink named, and a reclaim record of an older build (one zero
 *     byte) frees generation 0.
 * Real processes: tests/datagen.sh.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cluster.h"
#include "ds_state.h"
#include "fh.h"
#include "ns_test.h"
#include "reclaim.h"
#include "tier_ds.h"
#include "test_util_pnfs.h"

#define LEN (3 * UNIT + 123) /* both data servers, a partial last unit */

static const struct tier_data_ops *ops = &tier_ds_ops;

/* A DS handle of stripe J of FILEID at generation GEN, as LAYOUTGET
 * makes them (pnfs/op_layout.c). */
static void ds_handle(uint64_t fileid, unsigned j, uint32_t gen,
		      char buf[FH_DS_LEN], nfs_fh4 *fh)
{
	fh_ds_encode((uint8_t *)buf, &g_key, fileid, j, gen, 0);
	fh->nfs_fh4_len = FH_DS_LEN;
	fh->nfs_fh4_val = buf;
}

/* Objects of FILEID's copy GEN on the data servers. */
static int objects_at(uint64_t fileid, uint64_t gen)
{
	int n = 0;

	for (unsigned j = 0; j < NDS; j++)
		n += ds_store_size(g_ds[j]->store, fileid, j, gen) >= 0;
	return n;
}

/* The stripe unit of the file at OFF as DS J holds it (dense): checks
 * that each handle reads its own copy through the DS's NFS service. */
static void expect_ds_reads(uint64_t fileid, uint32_t gen,
			    const stateid4 *sid, const uint8_t *want)
{
	char hb[NDS][FH_DS_LEN];
	nfs_fh4 fh[NDS];
	struct layout_geom g;

	cluster_geom(g_mds->cluster, fileid, &g);
	for (unsigned j = 0; j < NDS; j++)
		ds_handle(fileid, j, gen, hb[j], &fh[j]);
	for (uint64_t off = 0; off < LEN; off += UNIT) {
		uint32_t j, run;
		uint64_t ooff;
		uint32_t n = LEN - off < UNIT ? (uint32_t)(LEN - off) : UNIT;

		layout_map(&g, off, &j, &ooff, &run);
		assert_int_equal(ds_read_cmp(j, &fh[j], sid, ooff, want + off,
					     n),
				 NFS4_OK);
	}
}

/* Every data server answers STALE for FILEID's handles at GEN. A data
 * server just restarted answers DELAY until the MDS has accepted its
 * store again (pnfs/ds_self.h): that is waited out, boundedly (on a
 * loaded machine the greeting can come after the fences). */
static void expect_stale(uint64_t fileid, uint32_t gen, const stateid4 *sid)
{
	uint8_t b[16];

	for (unsigned j = 0; j < NDS; j++) {
		char hb[FH_DS_LEN];
		nfs_fh4 fh;
		int st, tries = 0;

		ds_handle(fileid, j, gen, hb, &fh);
		while ((st = ds_read_cmp(j, &fh, sid, 0, b, sizeof(b))) ==
			       NFS4ERR_DELAY &&
		       tries++ < 1000)
			usleep(10000);
		assert_int_equal(st, NFS4ERR_STALE);
		assert_int_equal(ds_write(j, &fh, sid, 0, b, sizeof(b),
					  FILE_SYNC4, NULL),
				 NFS4ERR_STALE);
	}
}

struct gfile {
	struct ch_client *cl;
	char name[64];
	stateid4 sid;
	struct fh fh;
	uint64_t fileid;
	uint8_t *old, *cur;
};

/* A file of LEN bytes written at generation 0 through its layout, and
 * its copy at generation 1 written through the tier's data interface
 * with other bytes. */
static void make_two_copies(struct gfile *f, const char *name)
{
	struct layout_info li;
	uint8_t *got = malloc(LEN);
	struct layout_geom g;

	f->cl = new_client(tu_uniq(name));
	f->old = malloc(LEN);
	f->cur = malloc(LEN);
	assert_non_null(got);
	assert_non_null(f->old);
	assert_non_null(f->cur);
	fill_pattern(f->old, LEN, 11);
	fill_pattern(f->cur, LEN, 12);
	snprintf(f->name, sizeof(f->name), "%s", tu_uniq(name));
	open_with_layout(f->cl, "o", f->name, &f->sid, &f->fh, &li);
	f->fileid = fileid_of(&f->fh);
	/* Generation 0: what LAYOUTGET hands out for a new file. */
	for (unsigned j = 0; j < NDS; j++) {
		uint64_t fid;
		uint32_t index, gen;
		uint8_t hint;

		assert_int_equal(fh_ds_decode((const uint8_t *)li.fhb[j],
					      li.fh_len[j], &g_key, &fid,
					      &index, &gen, &hint),
				 0);
		assert_int_equal(gen, 0);
	}
	cluster_geom(g_mds->cluster, f->fileid, &g);
	for (uint64_t off = 0; off < LEN; off += UNIT) {
		uint32_t j, run, n = LEN - off < UNIT ? (uint32_t)(LEN - off)
						      : UNIT;
		uint64_t ooff;

		layout_map(&g, off, &j, &ooff, &run);
		assert_int_equal(ds_write(j, &li.fh[j], &f->sid, ooff,
					  f->old + off, n, FILE_SYNC4, NULL),
				 NFS4_OK);
	}
	/* Generation 1 beside it, in two writes, made durable. */
	assert_int_equal(objects_at(f->fileid, 1), 0);
	assert_int_equal(ops->write(g_mds->cluster, f->fileid, 1, 0, f->cur,
				    UNIT + 7),
			 0);
	assert_int_equal(ops->write(g_mds->cluster, f->fileid, 1, UNIT + 7,
				    f->cur + UNIT + 7, LEN - UNIT - 7),
			 0);
	assert_int_equal(ops->sync(g_mds->cluster, f->fileid, 1), 0);
	assert_int_equal(objects_at(f->fileid, 0), NDS);
	assert_int_equal(objects_at(f->fileid, 1), NDS);
	/* Each copy reads its own bytes through the interface. */
	assert_int_equal(ops->read(g_mds->cluster, f->fileid, 0, 0, got, LEN),
			 0);
	assert_memory_equal(got, f->old, LEN);
	assert_int_equal(ops->read(g_mds->cluster, f->fileid, 1, 0, got, LEN),
			 0);
	assert_memory_equal(got, f->cur, LEN);
	free(got);
}

static void gfile_free(struct gfile *f)
{
	free(f->old);
	free(f->cur);
	tu_free_client(f->cl);
}

/* (a) both copies readable by their own handles; (b) once the MDS fences
 * generation 0, its handles are STALE on every data server while the
 * copy is still on disk, and generation 1's are served; (c) dropping
 * generation 0 leaves generation 1 whole. */
static void test_copy_beside_fence_drop(void **state)
{
	struct gfile f;
	uint8_t *got = malloc(LEN);

	(void)state;
	assert_non_null(got);
	make_two_copies(&f, "dg-fence");
	expect_ds_reads(f.fileid, 0, &f.sid, f.old);
	expect_ds_reads(f.fileid, 1, &f.sid, f.cur);

	assert_int_equal(cluster_fence(g_mds->cluster, f.fileid, 1), 0);
	expect_stale(f.fileid, 0, &f.sid);
	assert_int_equal(objects_at(f.fileid, 0), NDS); /* still there */
	assert_int_equal(ops->read(g_mds->cluster, f.fileid, 0, 0, got, LEN),
			 0);
	assert_memory_equal(got, f.old, LEN); /* the write was refused */
	expect_ds_reads(f.fileid, 1, &f.sid, f.cur);

	assert_int_equal(ops->drop(g_mds->cluster, f.fileid, 0), 0);
	assert_int_equal(objects_at(f.fileid, 0), 0);
	assert_int_equal(objects_at(f.fileid, 1), NDS);
	assert_int_equal(ops->read(g_mds->cluster, f.fileid, 1, 0, got, LEN),
			 0);
	assert_memory_equal(got, f.cur, LEN);
	expect_ds_reads(f.fileid, 1, &f.sid, f.cur);
	/* Dropping it again, or a copy never made, is no error and takes
	 * nothing else. */
	assert_int_equal(ops->drop(g_mds->cluster, f.fileid, 0), 0);
	assert_int_equal(ops->drop(g_mds->cluster, f.fileid, 7), 0);
	assert_int_equal(objects_at(f.fileid, 1), NDS);
	free(got);
	gfile_free(&f);
}

/* Without a fence (a data server that restarted forgets fences,
 * pnfs/ds_state.h), a dropped generation's handles are STALE all the
 * same: its objects are gone. A handle of a generation never made is
 * STALE too, and the tier reading it gets -EIO: never another copy's
 * bytes, never zeros. */
static void test_dropped_and_unknown_generation(void **state)
{
	struct gfile f;
	uint8_t *got = malloc(LEN);

	(void)state;
	assert_non_null(got);
	make_two_copies(&f, "dg-drop");
	assert_int_equal(ops->drop(g_mds->cluster, f.fileid, 0), 0);
	expect_stale(f.fileid, 0, &f.sid);
	expect_stale(f.fileid, 2, &f.sid);
	assert_int_equal(ops->read(g_mds->cluster, f.fileid, 0, 0, got, LEN),
			 -EIO);
	assert_int_equal(ops->read(g_mds->cluster, f.fileid, 2, 0, got, 16),
			 -EIO);
	expect_ds_reads(f.fileid, 1, &f.sid, f.cur);
	free(got);
	gfile_free(&f);
}

/* A copy of an empty file: sync alone makes it whole (every stripe
 * object, empty), so the file's placed data is all there. */
static void test_sync_makes_empty_copy(void **state)
{
	uint64_t fileid = 0x0100000000dd00ull;

	(void)state;
	assert_int_equal(objects_at(fileid, 5), 0);
	assert_int_equal(ops->sync(g_mds->cluster, fileid, 5), 0);
	assert_int_equal(objects_at(fileid, 5), NDS);
	assert_int_equal(objects_at(fileid, 0), 0);
	assert_int_equal(ops->drop(g_mds->cluster, fileid, 5), 0);
	assert_int_equal(objects_at(fileid, 5), 0);
}

/* The MDS reaches data server J again after its restart: a read of
 * FILEID's copy GEN through the control protocol (which connects, sends
 * the fences and greets) until it succeeds. */
static void reconnect(uint64_t fileid, uint64_t gen)
{
	uint8_t b[16];
	int rc = -EAGAIN;

	for (int i = 0; i < 100 && rc == -EAGAIN; i++) {
		rc = ops->read(g_mds->cluster, fileid, gen, 0, b, sizeof(b));
		if (rc == -EAGAIN)
			usleep(20000);
	}
	assert_int_equal(rc, 0);
}

/* Stop data server J (its configuration in *CFG) / start it again. */
static void ds_down(unsigned j, struct strata_config *cfg)
{
	*cfg = g_ds[j]->cfg;
	tu_free_client(g_dscl[j]);
	g_dscl[j] = NULL;
	server_stop(g_ds[j]);
	g_ds[j] = NULL;
}

static void ds_up(unsigned j, const struct strata_config *cfg)
{
	assert_int_equal(server_start(&g_ds[j], cfg, ROLE_DS), 0);
	g_dscl[j] = calloc(1, sizeof(*g_dscl[j]));
	assert_non_null(g_dscl[j]);
	assert_int_equal(ch_client_init(g_dscl[j], g_ds[j], NULL), 0);
	assert_int_equal(ch_setup(g_dscl[j], tu_uniq("ds-client")), 0);
	cluster_retry_now(g_mds->cluster, j);
}

/* A fence outlives the data servers' memory (pnfs/fence_table.h): both
 * data servers restarted after generation 0 was fenced (its objects
 * still there) get the fence again when the MDS reconnects, before they
 * serve, and refuse generation 0's handles with STALE; generation 1 is
 * served. A fence asked for while a data server is down reaches it when
 * it is back. */
static void test_fence_survives_ds_restart(void **state)
{
	struct strata_config cfg;
	struct gfile f;

	(void)state;
	make_two_copies(&f, "dg-refence");
	assert_int_equal(cluster_fence(g_mds->cluster, f.fileid, 1), 0);
	assert_int_equal(cluster_fence_of(g_mds->cluster, f.fileid), 1);
	/* A restarted data server is a new process image: its fences are
	 * gone. Whether the MDS has already reconnected and sent them again
	 * when tp_ds_restart() returns is a race, so nothing is asserted
	 * here; the checks after reconnect() are the ones that fail without
	 * the re-send (seen). */
	for (unsigned j = 0; j < NDS; j++)
		assert_int_equal(tp_ds_restart(j, 0, 0), 0);
	reconnect(f.fileid, 1);
	for (unsigned j = 0; j < NDS; j++)
		assert_int_equal(ds_state_fence_of(g_ds[j]->ds, f.fileid), 1);
	assert_int_equal(objects_at(f.fileid, 0), NDS);
	expect_stale(f.fileid, 0, &f.sid);
	expect_ds_reads(f.fileid, 1, &f.sid, f.cur);

	/* Data server 1 down while generation 1 is fenced too: the call
	 * fails for it, the MDS keeps the fence, and sends it on return. */
	ds_down(1, &cfg);
	assert_int_not_equal(cluster_fence(g_mds->cluster, f.fileid, 2), 0);
	assert_int_equal(ds_state_fence_of(g_ds[0]->ds, f.fileid), 2);
	ds_up(1, &cfg);
	reconnect(f.fileid, 1);
	assert_int_equal(ds_state_fence_of(g_ds[1]->ds, f.fileid), 2);
	expect_stale(f.fileid, 1, &f.sid);
	/* The removed file's reclaim forgets its fence. */
	assert_int_equal(close_file(f.cl, &f.fh, &f.sid), NFS4_OK);
	assert_int_equal(CALL(f.cl, ch_op_seq(f.cl, 0, 0), ch_op_putrootfh(),
			      ch_op_remove(f.name)),
			 NFS4_OK);
	reclaim_wait_idle(g_mds->reclaim);
	assert_int_equal(cluster_fence_of(g_mds->cluster, f.fileid), 0);
	assert_int_equal(ops->drop(g_mds->cluster, f.fileid, 0), 0);
	assert_int_equal(ops->drop(g_mds->cluster, f.fileid, 1), 0);
	gfile_free(&f);
}

/* The reclaim of a removed file (nfsd/state/reclaim.h) frees the copy
 * at the generation of its last unlink: here generation 1 (as a recall's
 * commit leaves it), while the copy at 0, which the tier's release
 * record would free, stays. A record written by an older build (one zero
 * byte, no generation) frees generation 0. */
static void test_reclaim_at_generation(void **state)
{
	struct gfile f;
	const uint8_t old_rec = 0;

	(void)state;
	make_two_copies(&f, "dg-reclaim");
	assert_int_equal(ns_test_set_layout_gen(g_mds->ns, f.fileid, 1), 0);
	assert_int_equal(close_file(f.cl, &f.fh, &f.sid), NFS4_OK);
	assert_int_equal(CALL(f.cl, ch_op_seq(f.cl, 0, 0), ch_op_putrootfh(),
			      ch_op_remove(f.name)),
			 NFS4_OK);
	reclaim_wait_idle(g_mds->reclaim);
	assert_int_equal(objects_at(f.fileid, 1), 0);
	assert_int_equal(objects_at(f.fileid, 0), NDS);

	assert_int_equal(ns_test_put_reclaim(g_mds->ns, f.fileid, &old_rec, 1),
			 0);
	reclaim_wait_idle(g_mds->reclaim);
	assert_int_equal(objects_at(f.fileid, 0), 0);
	gfile_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_beside_fence_drop),
		cmocka_unit_test(test_dropped_and_unknown_generation),
		cmocka_unit_test(test_sync_makes_empty_copy),
		cmocka_unit_test(test_reclaim_at_generation),
		cmocka_unit_test(test_fence_survives_ds_restart),
	};

	return cmocka_run_group_tests(tests, tp_cluster_setup,
				      tp_cluster_teardown);
}
