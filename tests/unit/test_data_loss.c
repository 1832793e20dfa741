/*
 * tests/unit/test_data_loss.c — lost data objects (docs/decisions/0019),
 * in process: the two-data-server cluster of test_util_pnfs.h, plus a
 * single-node MDS for the local store.
 *
 *   - what a missing object means (data_missing_means: nothing, hole,
 *     lost) and what READ, WRITE, truncate through the MDS do with it:
 *     lost bytes are NFS4ERR_IO, never zeros; holes stay zeros;
 *   - a data server's answer for a missing object (STALE, no object made);
 *   - the identity of a data server's store: the decision table
 *     (ds_ident_decide), the identity file, the MDS's registry, and a data
 *     server restarted on a wiped directory: quarantined, its stripes
 *     refused, listed by the scrub, then taken back with --replace;
 *   - the scrub (scrub_page), and its check of the namespace's residency
 *     counters.
 *
 * Each test of the hole-or-lost decision fails when data_missing_means()
 * answers "hole" for placed files (the behaviour before the fix).
 * STRATA_TEST_FILTER=<glob> selects tests.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cluster.h"
#include "data.h"
#include "ds_ident.h"
#include "ds_registry.h"
#include "ds_state.h"
#include "identity.h"
#include "layout.h"
#include "ns.h"
#include "ns_test.h"
#include "scrub.h"
#include "test_util_pnfs.h"

#define STRIPES 4 /* the test file: 4 stripe units, 2 on each DS */
#define FILE_LEN (STRIPES * UNIT)

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* The data server holding the stripe unit at file offset OFF of FILEID. */
static unsigned ds_of(uint64_t fileid, uint64_t off)
{
	struct layout_geom g;
	uint32_t j, run;
	uint64_t ooff;

	cluster_geom(g_mds->cluster, fileid, &g);
	layout_map(&g, off, &j, &ooff, &run);
	return j;
}

/* WRITE through the MDS (FILE_SYNC); its status. */
static int mds_write(struct ch_client *cl, const struct fh *fh,
		     const stateid4 *sid, uint64_t off, const void *data,
		     uint32_t len)
{
	return CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh->fh),
		    ch_op_write(sid, off, data, len, FILE_SYNC4));
}

/* READ through the MDS, again while it answers DELAY (a data server
 * reconnecting); the status, the bytes in OUT and their count in *N. */
static int mds_read(struct ch_client *cl, const struct fh *fh,
		    const stateid4 *sid, uint64_t off, uint32_t len,
		    uint8_t *out, uint32_t *n)
{
	int st = NFS4ERR_DELAY;

	for (int tries = 0; tries < 50 && st == NFS4ERR_DELAY; tries++) {
		st = CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh->fh),
			  ch_op_read(sid, off, len));
		if (st == NFS4_OK) {
			READ4resok *ok = &ch_res(cl, 2)->nfs_resop4_u.opread
						  .READ4res_u.resok4;
			*n = ok->data.len;
			memcpy(out, ok->data.base, ok->data.len);
		}
	}
	return st;
}

/* A new file NAME, FILE_LEN bytes of pattern SEED written through the MDS
 * (which places its objects at the first write); open for both. */
static void write_file(struct ch_client *cl, const char *name,
		       unsigned seed, stateid4 *sid, struct fh *fh,
		       uint8_t *data)
{
	fill_pattern(data, FILE_LEN, seed);
	assert_int_equal(open_file(cl, "o", name, 1, sid, fh), NFS4_OK);
	for (unsigned k = 0; k < STRIPES; k++)
		assert_int_equal(mds_write(cl, fh, sid, (uint64_t)k * UNIT,
					   data + (size_t)k * UNIT, UNIT),
				 NFS4_OK);
}

static uint32_t inode_flags(uint64_t fileid)
{
	struct ns_inode ino;

	assert_int_equal(ns_getattr(g_mds->ns, fileid, &ino), 0);
	return ino.flags;
}

/* ------------------------------------------------------------------ */
/* The decision: nothing, hole or lost                                 */
/* ------------------------------------------------------------------ */

static void test_missing_means(void **state)
{
	struct ns_inode ino = { 0 };

	(void)state;
	ino.flags = NS_INO_NO_DATA;
	assert_int_equal(data_missing_means(&ino), DATA_MISSING_NOTHING);
	ino.flags = 0; /* before the flags, or a placement that failed */
	assert_int_equal(data_missing_means(&ino), DATA_MISSING_HOLE);
	ino.flags = NS_INO_DATA_PLACED;
	assert_int_equal(data_missing_means(&ino), DATA_MISSING_LOST);
	ns_inode_set_unsure(&ino);
	assert_int_equal(ino.flags, 0);
	ns_inode_set_placed(&ino);
	assert_int_equal(ino.flags, NS_INO_DATA_PLACED);
}

/* The scenario through the MDS: a placed file whose objects on one
 * data server vanished reads NFS4ERR_IO for that server's stripes and the
 * right bytes for the others; a READ that starts in good bytes and runs
 * into lost ones stops short before them. Never zeros. */
static void test_lost_stripes_are_io_errors(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("lost"));
	uint8_t *data = malloc(FILE_LEN), *buf = malloc(FILE_LEN);
	struct fh fh;
	stateid4 sid;
	uint64_t fileid;
	unsigned gone = 1;
	uint32_t n;

	(void)state;
	assert_non_null(data);
	assert_non_null(buf);
	write_file(cl, tu_uniq("lost-f"), 3, &sid, &fh, data);
	fileid = fileid_of(&fh);
	assert_int_equal(inode_flags(fileid), NS_INO_DATA_PLACED);
	assert_int_equal(objects_on_ds(fileid), NDS);
	/* The disk of data server 1 loses the object. */
	assert_int_equal(ds_store_remove(g_ds[gone]->store, fileid, gone, 0), 0);
	for (unsigned k = 0; k < STRIPES; k++) {
		uint64_t off = (uint64_t)k * UNIT;
		int st = mds_read(cl, &fh, &sid, off, UNIT, buf, &n);

		if (ds_of(fileid, off) == gone) {
			assert_int_equal(st, NFS4ERR_IO);
		} else {
			assert_int_equal(st, NFS4_OK);
			assert_int_equal(n, UNIT);
			assert_memory_equal(buf, data + off, UNIT);
		}
	}
	/* A whole-file READ: only the bytes before the first lost unit. */
	assert_int_equal(mds_read(cl, &fh, &sid, 0, FILE_LEN, buf, &n),
			 ds_of(fileid, 0) == gone ? NFS4ERR_IO : NFS4_OK);
	if (ds_of(fileid, 0) != gone) {
		assert_int_equal(n, UNIT);
		assert_memory_equal(buf, data, UNIT);
	}
	/* Still missing: nothing made it again. */
	assert_int_equal(objects_on_ds(fileid), NDS - 1);
	assert_int_equal(close_file(cl, &fh, &sid), NFS4_OK);
	free(data);
	free(buf);
	tu_free_client(cl);
}

/* Through a layout: the data server answers STALE for its missing object
 * (READ and WRITE alike, and makes no object), so the client goes to the
 * MDS, which answers NFS4ERR_IO. */
static void test_lost_object_via_layout(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("lostl"));
	struct layout_info li;
	uint8_t buf[4096], got[4096];
	struct fh fh;
	stateid4 sid;
	uint64_t fileid;
	uint32_t n;

	(void)state;
	open_with_layout(cl, "o", tu_uniq("lostl-f"), &sid, &fh, &li);
	fileid = fileid_of(&fh);
	fill_pattern(buf, sizeof(buf), 9);
	for (unsigned j = 0; j < NDS; j++)
		assert_int_equal(ds_write(j, &li.fh[j], &sid, 0, buf,
					  sizeof(buf), FILE_SYNC4, NULL),
				 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_layoutcommit(0, 2 * UNIT, &li.sid, 1,
						 2 * UNIT)),
			 NFS4_OK);
	assert_int_equal(ds_store_remove(g_ds[0]->store, fileid, 0, 0), 0);
	assert_int_equal(ds_read_cmp(0, &li.fh[0], &sid, 0, buf, sizeof(buf)),
			 NFS4ERR_STALE);
	assert_int_equal(ds_write(0, &li.fh[0], &sid, 0, buf, sizeof(buf),
				  UNSTABLE4, NULL),
			 NFS4ERR_STALE);
	assert_int_equal(ds_store_size(g_ds[0]->store, fileid, 0, 0), -ENOENT);
	/* Data server 1's stripe still reads right, directly. */
	assert_int_equal(ds_read_cmp(1, &li.fh[1], &sid, 0, buf, sizeof(buf)),
			 NFS4_OK);
	/* The MDS, where the Linux client falls back to. */
	assert_int_equal(mds_read(cl, &fh, &sid, ds_of(fileid, 0) == 0 ? 0 : UNIT,
				  sizeof(got), got, &n),
			 NFS4ERR_IO);
	assert_int_equal(close_file(cl, &fh, &sid), NFS4_OK);
	tu_free_client(cl);
}

/* Writes never bring a lost object back as a sparse file: WRITE through
 * the MDS to the lost stripe is NFS4ERR_IO and leaves it missing; the
 * other stripes still take writes. */
static void test_write_to_lost_object_refused(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("lostw"));
	uint8_t *data = malloc(FILE_LEN), *buf = malloc(FILE_LEN);
	struct fh fh;
	stateid4 sid;
	uint64_t fileid, lost_off = 0, good_off = 0;
	uint32_t n;

	(void)state;
	assert_non_null(data);
	assert_non_null(buf);
	write_file(cl, tu_uniq("lostw-f"), 5, &sid, &fh, data);
	fileid = fileid_of(&fh);
	assert_int_equal(ds_store_remove(g_ds[1]->store, fileid, 1, 0), 0);
	for (unsigned k = 0; k < STRIPES; k++) {
		uint64_t off = (uint64_t)k * UNIT;
		if (ds_of(fileid, off) == 1)
			lost_off = off;
		else
			good_off = off;
	}
	assert_int_equal(mds_write(cl, &fh, &sid, lost_off + 100, data, 10),
			 NFS4ERR_IO);
	assert_int_equal(ds_store_size(g_ds[1]->store, fileid, 1, 0), -ENOENT);
	assert_int_equal(mds_write(cl, &fh, &sid, good_off, data + 7, 64),
			 NFS4_OK);
	assert_int_equal(mds_read(cl, &fh, &sid, good_off, 64, buf, &n),
			 NFS4_OK);
	assert_memory_equal(buf, data + 7, 64);
	assert_int_equal(mds_read(cl, &fh, &sid, lost_off, 64, buf, &n),
			 NFS4ERR_IO);
	assert_int_equal(close_file(cl, &fh, &sid), NFS4_OK);
	free(data);
	free(buf);
	tu_free_client(cl);
}

/* Truncating: to a size whose bytes on the lost object are gone is
 * NFS4ERR_IO; to 0 needs none of them, makes the object again (empty) and
 * the file is whole once more. */
static void test_truncate_of_lost_object(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("lostt"));
	uint8_t *data = malloc(FILE_LEN), buf[64];
	struct fh fh;
	stateid4 sid;
	uint64_t fileid;
	uint32_t n;

	(void)state;
	assert_non_null(data);
	write_file(cl, tu_uniq("lostt-f"), 6, &sid, &fh, data);
	fileid = fileid_of(&fh);
	assert_int_equal(ds_store_remove(g_ds[0]->store, fileid, 0, 0), 0);
	assert_int_equal(tu_setattr_size(cl, &fh, &sid, FILE_LEN - 1),
			 NFS4ERR_IO);
	assert_int_equal(ds_store_size(g_ds[0]->store, fileid, 0, 0), -ENOENT);
	assert_int_equal(tu_setattr_size(cl, &fh, &sid, 0), NFS4_OK);
	assert_int_equal(objects_on_ds(fileid), NDS);
	assert_int_equal(mds_write(cl, &fh, &sid, 0, data, 64), NFS4_OK);
	assert_int_equal(mds_read(cl, &fh, &sid, 0, 64, buf, &n), NFS4_OK);
	assert_int_equal(n, 64);
	assert_memory_equal(buf, data, 64);
	assert_int_equal(close_file(cl, &fh, &sid), NFS4_OK);
	free(data);
	tu_free_client(cl);
}

/* Where no data was ever placed a missing object is no loss: a file that
 * never had objects (NO_DATA) made longer reads zeros without asking
 * anyone; an "unsure" file (from before the flags, or whose placement
 * failed part way) reads a missing object as a hole. */
static void test_holes_stay_holes(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("hole"));
	uint8_t *data = malloc(FILE_LEN), *buf = malloc(FILE_LEN);
	struct fh fh;
	stateid4 sid;
	uint64_t fileid;
	uint32_t n;

	(void)state;
	assert_non_null(data);
	assert_non_null(buf);
	assert_int_equal(open_file(cl, "o", tu_uniq("hole-a"), 1, &sid, &fh),
			 NFS4_OK);
	fileid = fileid_of(&fh);
	assert_int_equal(tu_setattr_size(cl, &fh, &sid, 3 * UNIT), NFS4_OK);
	assert_int_equal(inode_flags(fileid), NS_INO_NO_DATA);
	assert_int_equal(objects_on_ds(fileid), 0);
	memset(buf, 0xee, 3 * UNIT);
	assert_int_equal(mds_read(cl, &fh, &sid, 0, 3 * UNIT, buf, &n),
			 NFS4_OK);
	assert_int_equal(n, 3 * UNIT);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(close_file(cl, &fh, &sid), NFS4_OK);

	write_file(cl, tu_uniq("hole-b"), 7, &sid, &fh, data);
	fileid = fileid_of(&fh);
	assert_int_equal(ns_data_unsure(g_mds->ns, fileid), 0);
	assert_int_equal(inode_flags(fileid), 0);
	assert_int_equal(ds_store_remove(g_ds[1]->store, fileid, 1, 0), 0);
	assert_int_equal(mds_read(cl, &fh, &sid, 0, FILE_LEN, buf, &n),
			 NFS4_OK);
	assert_int_equal(n, FILE_LEN);
	for (unsigned k = 0; k < STRIPES; k++) {
		const uint8_t *b = buf + (size_t)k * UNIT;

		if (ds_of(fileid, (uint64_t)k * UNIT) == 1) {
			for (uint32_t i = 0; i < UNIT; i++)
				assert_int_equal(b[i], 0);
		} else {
			assert_memory_equal(b, data + (size_t)k * UNIT, UNIT);
		}
	}
	/* Its next write makes the missing object and marks it placed. */
	assert_int_equal(mds_write(cl, &fh, &sid, 0, data, 16), NFS4_OK);
	assert_int_equal(objects_on_ds(fileid), NDS);
	assert_int_equal(inode_flags(fileid), NS_INO_DATA_PLACED);
	assert_int_equal(close_file(cl, &fh, &sid), NFS4_OK);
	free(data);
	free(buf);
	tu_free_client(cl);
}

/* A single-node MDS keeps each file in one local object: the same
 * decision applies. */
static void test_local_store_lost_object(void **state)
{
	struct strata_server *srv;
	struct ch_client *cl;
	struct strata_config cfg;
	uint8_t data[5000], buf[5000];
	struct fh fh;
	stateid4 sid;
	uint64_t fileid;
	uint32_t n;
	char *dir;

	(void)state;
	config_defaults(&cfg);
	snprintf(cfg.listen_addr, sizeof(cfg.listen_addr), "127.0.0.1");
	cfg.port = 0;
	assert_int_equal(ch_server_start_cfg(&srv, &dir, &cfg, ROLE_MDS), 0);
	cl = new_client_on(srv, tu_uniq("local"), 0);
	fill_pattern(data, sizeof(data), 11);
	assert_int_equal(open_file(cl, "o", tu_uniq("local-f"), 1, &sid, &fh),
			 NFS4_OK);
	fileid = fileid_of(&fh);
	assert_int_equal(mds_write(cl, &fh, &sid, 0, data, sizeof(data)),
			 NFS4_OK);
	assert_int_equal(mds_read(cl, &fh, &sid, 0, sizeof(buf), buf, &n),
			 NFS4_OK);
	assert_memory_equal(buf, data, sizeof(data));
	assert_int_equal(ds_store_remove(srv->store, fileid, 0, 0), 0);
	assert_int_equal(mds_read(cl, &fh, &sid, 0, sizeof(buf), buf, &n),
			 NFS4ERR_IO);
	assert_int_equal(mds_write(cl, &fh, &sid, 10, data, 10), NFS4ERR_IO);
	assert_int_equal(ds_store_size(srv->store, fileid, 0, 0), -ENOENT);
	assert_int_equal(close_file(cl, &fh, &sid), NFS4_OK);
	tu_free_client(cl);
	ch_server_stop(srv, dir);
}

/* ------------------------------------------------------------------ */
/* Identity of a data server's store                                   */
/* ------------------------------------------------------------------ */

static void id_fill(uint8_t id[DS_ID_LEN], uint8_t v)
{
	memset(id, v, DS_ID_LEN);
}

static void test_identity_decide(void **state)
{
	uint8_t cl[DS_ID_LEN], other[DS_ID_LEN], exp[DS_ID_LEN];
	struct ds_hello h;
	struct ds_decision d;

	(void)state;
	id_fill(cl, 1);
	id_fill(other, 2);
	id_fill(exp, 3);
	/* No identity: new slot -> format; known slot -> quarantine unless
	 * the operator said --replace. */
	memset(&h, 0, sizeof(h));
	h.empty = 1;
	d = ds_ident_decide(cl, 4, 0, exp, &h);
	assert_int_equal(d.verdict, DS_VERDICT_FORMAT);
	assert_int_equal(d.replaced, 0);
	d = ds_ident_decide(cl, 4, 1, exp, &h);
	assert_int_equal(d.verdict, DS_VERDICT_QUARANTINE);
	h.replace_ok = 1;
	d = ds_ident_decide(cl, 4, 1, exp, &h);
	assert_int_equal(d.verdict, DS_VERDICT_FORMAT);
	assert_int_equal(d.replaced, 1);
	/* With an identity. */
	memset(&h, 0, sizeof(h));
	h.has_identity = 1;
	memcpy(h.id.cluster, cl, DS_ID_LEN);
	h.id.slot = 4;
	memcpy(h.id.ds, exp, DS_ID_LEN);
	assert_int_equal(ds_ident_decide(cl, 4, 1, exp, &h).verdict,
			 DS_VERDICT_SERVE);
	assert_int_equal(ds_ident_decide(cl, 4, 0, exp, &h).verdict,
			 DS_VERDICT_ADOPT);
	assert_int_equal(ds_ident_decide(cl, 5, 1, exp, &h).verdict,
			 DS_VERDICT_QUARANTINE); /* another slot's store */
	assert_int_equal(ds_ident_decide(other, 4, 1, exp, &h).verdict,
			 DS_VERDICT_QUARANTINE); /* another cluster's */
	memcpy(h.id.ds, other, DS_ID_LEN);
	assert_int_equal(ds_ident_decide(cl, 4, 1, exp, &h).verdict,
			 DS_VERDICT_QUARANTINE); /* not the one expected */
	/* ... unless it replaced the expected one (the registry missed it). */
	memcpy(h.id.replaces, exp, DS_ID_LEN);
	d = ds_ident_decide(cl, 4, 1, exp, &h);
	assert_int_equal(d.verdict, DS_VERDICT_ADOPT);
	assert_int_equal(d.replaced, 1);
	/* --replace means nothing to a store that has an identity. */
	memset(h.id.replaces, 0, DS_ID_LEN);
	h.replace_ok = 1;
	assert_int_equal(ds_ident_decide(cl, 4, 1, exp, &h).verdict,
			 DS_VERDICT_QUARANTINE);
}

static void test_identity_file(void **state)
{
	char tmpl[] = "/tmp/strata-ident-XXXXXX", path[256];
	struct ds_identity a, b;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(ds_identity_read(tmpl, &b), -ENOENT);
	memset(&a, 0, sizeof(a));
	assert_int_equal(ds_id_random(a.cluster), 0);
	assert_int_equal(ds_id_random(a.ds), 0);
	a.slot = 7;
	assert_int_equal(ds_identity_write(tmpl, &a), 0);
	assert_int_equal(ds_identity_read(tmpl, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_true(ds_id_is_zero(b.replaces));
	/* A damaged file is not "no identity". */
	snprintf(path, sizeof(path), "%s/%s", tmpl, DS_IDENTITY_FILE);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[identity]\ncluster = 12\nslot = 1\n", f);
	fclose(f);
	assert_int_equal(ds_identity_read(tmpl, &b), -EINVAL);
	ch_rmrf(tmpl);
}

static void test_registry(void **state)
{
	char tmpl[] = "/tmp/strata-reg-XXXXXX", tmpl2[] = "/tmp/strata-reg-XXXXXX";
	struct ds_registry *r;
	uint8_t c1[DS_ID_LEN], c2[DS_ID_LEN], id[DS_ID_LEN], got[DS_ID_LEN];

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(ds_registry_open(&r, tmpl, NULL), 0);
	ds_registry_cluster(r, c1);
	assert_false(ds_id_is_zero(c1));
	assert_int_equal(ds_registry_get(r, 3, got), 0);
	id_fill(id, 0x5a);
	assert_int_equal(ds_registry_set(r, 3, id), 0);
	ds_registry_close(r);
	id_fill(c2, 0x77); /* a seed does not change an existing registry */
	assert_int_equal(ds_registry_open(&r, tmpl, c2), 0);
	ds_registry_cluster(r, c2);
	assert_memory_equal(c1, c2, DS_ID_LEN); /* the cluster id stays */
	assert_int_equal(ds_registry_get(r, 3, got), 1);
	assert_memory_equal(got, id, DS_ID_LEN);
	assert_int_equal(ds_registry_get(r, 2, got), 0);
	ds_registry_close(r);
	ch_rmrf(tmpl);

	/* Several metadata nodes: a new registry takes the id it is given
	 * (decision 0036), so every node's agrees. */
	assert_non_null(mkdtemp(tmpl2));
	id_fill(c1, 0x42);
	assert_int_equal(ds_registry_open(&r, tmpl2, c1), 0);
	ds_registry_cluster(r, c2);
	assert_memory_equal(c1, c2, DS_ID_LEN);
	ds_registry_close(r);
	ch_rmrf(tmpl2);
}

/* Several metadata nodes share a data server (decision 0036): each tells
 * its own boot epoch, and a node's restart (a new epoch) leaves the
 * others' as they were. */
static void test_ds_epoch_per_node(void **state)
{
	struct ds_state *d;
	uint32_t e;

	(void)state;
	assert_int_equal(ds_state_new(&d), 0);
	assert_int_equal(ds_state_epoch(d, 1, &e), 0); /* not heard yet */
	assert_int_equal(ds_state_set_epoch(d, 1, 7), 0);
	assert_int_equal(ds_state_set_epoch(d, 3, 2), 0);
	assert_int_equal(ds_state_epoch(d, 2, &e), 0); /* node 2: not yet */
	assert_int_equal(ds_state_set_epoch(d, 3, 3), 0); /* 3 restarted */
	assert_int_equal(ds_state_epoch(d, 1, &e), 1);
	assert_int_equal(e, 7);
	assert_int_equal(ds_state_epoch(d, 3, &e), 1);
	assert_int_equal(e, 3);
	assert_int_equal(ds_state_set_epoch(d, 0, 1), -EINVAL);
	assert_int_equal(ds_state_set_epoch(d, DS_STATE_MAX_NODE + 1, 1),
			 -EINVAL);
	assert_int_equal(ds_state_epoch(d, DS_STATE_MAX_NODE + 1, &e), 0);
	ds_state_free(d);
}

/* Every data server of the running cluster took an identity at its first
 * contact with the MDS: its own slot, one cluster, distinct ids. */
static void test_cluster_stores_have_identities(void **state)
{
	struct ds_identity id[NDS];
	char dir[4200];

	(void)state;
	for (unsigned j = 0; j < NDS; j++) {
		snprintf(dir, sizeof(dir), "%s/stripes", g_ds[j]->cfg.data_dir);
		assert_int_equal(ds_identity_read(dir, &id[j]), 0);
		assert_int_equal(id[j].slot, j);
		assert_memory_equal(id[j].cluster, id[0].cluster, DS_ID_LEN);
		assert_true(j == 0 ||
			    memcmp(id[j].ds, id[0].ds, DS_ID_LEN) != 0);
	}
	assert_int_equal(cluster_quarantined(g_mds->cluster), 0);
}

/* ------------------------------------------------------------------ */
/* A data server restarted on a wiped directory                        */
/* ------------------------------------------------------------------ */

static int scrub_finds(uint64_t fileid, unsigned *missing_on,
		       unsigned *unavailable_on)
{
	struct scrub_damaged *d = calloc(SCRUB_PAGE_MAX, sizeof(*d));
	struct scrub_page pg = { .damaged = d };
	uint64_t after = 0;
	int found = 0;

	assert_non_null(d);
	do {
		assert_int_equal(scrub_page(g_mds, after, 0, &pg), 0);
		for (unsigned k = 0; k < pg.ndamaged; k++) {
			if (d[k].fileid != fileid)
				continue;
			found = 1;
			*missing_on = d[k].nmissing ? d[k].missing[0] : NDS;
			*unavailable_on = d[k].nunavail ? d[k].unavailable[0]
							: NDS;
			assert_true(d[k].path[0] == '/');
		}
		after = pg.next;
	} while (!pg.done);
	assert_int_equal(pg.counters_bad, 0);
	free(d);
	return found;
}

/* The scrub's last page checks the namespace's residency counters
 * against a recount (decision 0034): one set wrong is reported, and no
 * longer once it is right again. */
static void test_scrub_checks_residency_counters(void **state)
{
	struct scrub_damaged *d = calloc(SCRUB_PAGE_MAX, sizeof(*d));
	struct scrub_page pg = { .damaged = d };
	unsigned miss, unav;
	uint64_t v, after = 0;

	(void)state;
	assert_non_null(d);
	assert_false(scrub_finds(0, &miss, &unav)); /* counters right */
	assert_int_equal(ns_test_get_counter(g_mds->ns, 0, "res_files_0", &v),
			 0);
	assert_int_equal(ns_test_set_counter(g_mds->ns, 0, "res_files_0",
					     v + 1, 0),
			 0);
	do {
		assert_int_equal(scrub_page(g_mds, after, 0, &pg), 0);
		after = pg.next;
	} while (!pg.done);
	assert_int_equal(pg.counters_bad, 1);
	assert_int_equal(ns_test_set_counter(g_mds->ns, 0, "res_files_0", v,
					     0),
			 0);
	assert_false(scrub_finds(0, &miss, &unav)); /* right again */
	free(d);
}

static void test_wiped_store_quarantined_then_replaced(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("wipe"));
	uint8_t *data = malloc(FILE_LEN), *buf = malloc(FILE_LEN);
	unsigned miss = NDS, unav = NDS;
	struct fh fh, fh2;
	stateid4 sid, sid2;
	uint64_t fileid;
	uint32_t n;

	(void)state;
	assert_non_null(data);
	assert_non_null(buf);
	write_file(cl, tu_uniq("wipe-f"), 8, &sid, &fh, data);
	fileid = fileid_of(&fh);
	assert_false(scrub_finds(fileid, &miss, &unav));

	/* Data server 1's disk is wiped; it starts on the empty directory. */
	assert_int_equal(tp_ds_restart(1, 1, 0), 0);
	for (unsigned k = 0; k < STRIPES; k++) {
		uint64_t off = (uint64_t)k * UNIT;
		int st = mds_read(cl, &fh, &sid, off, UNIT, buf, &n);

		if (ds_of(fileid, off) == 1) {
			assert_int_equal(st, NFS4ERR_IO);
		} else {
			assert_int_equal(st, NFS4_OK);
			assert_memory_equal(buf, data + off, UNIT);
		}
	}
	assert_int_equal(cluster_quarantined(g_mds->cluster), 1);
	/* It refuses client I/O itself too. */
	assert_int_equal(CALL(g_dscl[1], ch_op_seq(g_dscl[1], 0, 0),
			      ch_op_putfh(&fh.fh)),
			 NFS4ERR_STALE);
	assert_true(scrub_finds(fileid, &miss, &unav));
	assert_int_equal(unav, 1);

	/* The operator accepts the loss: --replace. */
	assert_int_equal(tp_ds_restart(1, 0, 1), 0);
	write_file(cl, tu_uniq("wipe-new"), 9, &sid2, &fh2, data);
	assert_int_equal(cluster_quarantined(g_mds->cluster), 0);
	assert_int_equal(mds_read(cl, &fh2, &sid2, 0, FILE_LEN, buf, &n),
			 NFS4_OK);
	assert_int_equal(n, FILE_LEN);
	assert_memory_equal(buf, data, FILE_LEN);
	/* The old file's stripes there are lost, and listed as such. */
	assert_true(scrub_finds(fileid, &miss, &unav));
	assert_int_equal(miss, 1);
	assert_int_equal(unav, NDS);
	fill_pattern(data, FILE_LEN, 8);
	for (unsigned k = 0; k < STRIPES; k++) {
		uint64_t off = (uint64_t)k * UNIT;
		int st = mds_read(cl, &fh, &sid, off, UNIT, buf, &n);

		assert_int_equal(st, ds_of(fileid, off) == 1 ? NFS4ERR_IO
							      : NFS4_OK);
	}
	/* Restarting it as it is now serves, without --replace. */
	assert_int_equal(tp_ds_restart(1, 0, 0), 0);
	assert_int_equal(mds_read(cl, &fh2, &sid2, 0, FILE_LEN, buf, &n),
			 NFS4_OK);
	assert_int_equal(cluster_quarantined(g_mds->cluster), 0);
	assert_int_equal(close_file(cl, &fh, &sid), NFS4_OK);
	assert_int_equal(close_file(cl, &fh2, &sid2), NFS4_OK);
	free(data);
	free(buf);
	tu_free_client(cl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_means),
		cmocka_unit_test(test_lost_stripes_are_io_errors),
		cmocka_unit_test(test_lost_object_via_layout),
		cmocka_unit_test(test_write_to_lost_object_refused),
		cmocka_unit_test(test_truncate_of_lost_object),
		cmocka_unit_test(test_holes_stay_holes),
		cmocka_unit_test(test_local_store_lost_object),
		cmocka_unit_test(test_identity_decide),
		cmocka_unit_test(test_identity_file),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_ds_epoch_per_node),
		cmocka_unit_test(test_cluster_stores_have_identities),
		cmocka_unit_test(test_wiped_store_quarantined_then_replaced),
		cmocka_unit_test(test_scrub_checks_residency_counters),
	};

	if (getenv("STRATA_TEST_FILTER"))
		cmocka_set_test_filter(getenv("STRATA_TEST_FILTER"));
	return cmocka_run_group_tests(tests, tp_cluster_setup,
				      tp_cluster_teardown);
}
