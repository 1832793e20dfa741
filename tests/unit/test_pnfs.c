/*
 * tests/unit/test_pnfs.c — pNFS file layouts end to end, in process: two
 * data servers (server_start(ROLE_DS), really listening on 127.0.0.1) and
 * a metadata server (ROLE_MDS, nds = 2) that reaches them over TCP with
 * the control protocol (pnfs/ctl_prot.x), all sharing one cluster key in a
 * temp file. Clients drive the MDS and the DSs alike through
 * compound_run() (compound_harness.c): what a Linux client would send to
 * each, without its sockets.
 *
 * Layout bodies and device addresses are decoded with rpcgen's
 * xdr_nfsv4_1_file_layout4 / xdr_nfsv4_1_file_layout_ds_addr4; where
 * client data lands is computed with layout_map() (layout/layout.h).
 *
 * Tests marked "Regression" pin product bugs found here; each fails while
 * the bug is present. STRATA_TEST_FILTER=<glob> selects tests.
 *
 * This file: EXCHANGE_ID roles, layout attributes, LAYOUTGET, GETDEVICEINFO,
 * I/O on the data servers, LAYOUTCOMMIT/LAYOUTRETURN, fences. Recalls,
 * removed files and stripe objects: test_pnfs_recall.c.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <cmocka.h>

#include "compound_harness.h"
#include "test_util_ch.h"
#include "test_util_pnfs.h"
#include "cluster.h"
#include "config.h"
#include "fh.h"
#include "layout.h"
#include "mac.h"
#include "reclaim.h"
#include "server_run.h"
#include "session.h"
#include "state.h"


/* ------------------------------------------------------------------ */
/* 1. EXCHANGE_ID roles                                                */
/* ------------------------------------------------------------------ */

static uint32_t eid_flags(struct ch_client *cl)
{
	return ch_res(cl, 0)->nfs_resop4_u.opexchange_id.EXCHANGE_ID4res_u
		.eir_resok4.eir_flags;
}

#define ROLE_FLAGS                                                           \
	(EXCHGID4_FLAG_USE_NON_PNFS | EXCHGID4_FLAG_USE_PNFS_MDS |           \
	 EXCHGID4_FLAG_USE_PNFS_DS)

static void test_exchange_id_roles(void **state)
{
	struct ch_client *cl;
	struct strata_server *single;
	char *dir;

	(void)state;
	/* RFC 8881 §13.1: the MDS says PNFS_MDS and not NON_PNFS (the
	 * Linux client refuses both together). */
	cl = new_client(NULL);
	assert_int_equal(ch_exchange_id(cl, tu_uniq("eid-mds"), "verf0001"),
			 NFS4_OK);
	assert_int_equal(eid_flags(cl) & ROLE_FLAGS,
			 EXCHGID4_FLAG_USE_PNFS_MDS);
	tu_free_client(cl);

	cl = new_client_on(g_ds[0], NULL, 0);
	assert_int_equal(ch_exchange_id(cl, tu_uniq("eid-ds"), "verf0001"),
			 NFS4_OK);
	assert_int_equal(eid_flags(cl) & ROLE_FLAGS, EXCHGID4_FLAG_USE_PNFS_DS);
	tu_free_client(cl);

	assert_int_equal(ch_server_start(&single, &dir, 0, 0), 0);
	cl = new_client_on(single, NULL, 0);
	assert_int_equal(ch_exchange_id(cl, tu_uniq("eid-single"), "verf0001"),
			 NFS4_OK);
	assert_int_equal(eid_flags(cl) & ROLE_FLAGS,
			 EXCHGID4_FLAG_USE_NON_PNFS);
	tu_free_client(cl);
	ch_server_stop(single, dir);
}

/* ------------------------------------------------------------------ */
/* 2. File system layout attributes                                    */
/* ------------------------------------------------------------------ */

/* GETATTR of the root for the single attribute BIT; *VALS and *LEN: its XDR
 * bytes (in cl's last reply). */
static void root_attr(struct ch_client *cl, unsigned bit, const char **vals,
		      unsigned *len)
{
	uint32_t w[3] = { 0, 0, 0 };
	fattr4 *a;

	w[bit / 32] = 1u << (bit % 32);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_getattr(w, 3)),
			 NFS4_OK);
	a = &ch_res(cl, 2)->nfs_resop4_u.opgetattr.GETATTR4res_u.resok4
		     .obj_attributes;
	/* Exactly that attribute came back. */
	assert_true(a->attrmask.bitmap4_len > bit / 32);
	for (unsigned i = 0; i < a->attrmask.bitmap4_len; i++)
		assert_int_equal(a->attrmask.bitmap4_val[i],
				 i == bit / 32 ? 1u << (bit % 32) : 0);
	*vals = a->attr_vals.attrlist4_val;
	*len = a->attr_vals.attrlist4_len;
}

static uint32_t be32_at(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static void test_fs_layout_attrs(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("attrs"));
	struct strata_server *single;
	char *dir;
	const char *v;
	unsigned len;
	uint32_t blk = 0;

	(void)state;
	root_attr(cl, FATTR4_FS_LAYOUT_TYPES, &v, &len);
	/* layouttype4<>: exactly [LAYOUT4_NFSV4_1_FILES]. */
	assert_int_equal(len, 8);
	assert_int_equal(be32_at(v), 1);
	assert_int_equal(be32_at(v + 4), LAYOUT4_NFSV4_1_FILES);

	root_attr(cl, FATTR4_LAYOUT_BLKSIZE, &v, &len);
	assert_int_equal(ch_attr_u32(&ch_res(cl, 2)->nfs_resop4_u.opgetattr
					      .GETATTR4res_u.resok4
					      .obj_attributes,
				     FATTR4_LAYOUT_BLKSIZE, &blk),
			 0);
	assert_int_equal(blk, UNIT);
	tu_free_client(cl);

	/* A single node offers no layout type at all. */
	assert_int_equal(ch_server_start(&single, &dir, 0, 0), 0);
	cl = new_client_on(single, tu_uniq("attrs-single"), 0);
	root_attr(cl, FATTR4_FS_LAYOUT_TYPES, &v, &len);
	assert_int_equal(len, 4);
	assert_int_equal(be32_at(v), 0);
	tu_free_client(cl);
	ch_server_stop(single, dir);
}

/* A single node answers the pNFS operations as a server without layouts
 * (RFC 8881 §18.43.3, §18.40.3). */
static void test_single_node_no_layouts(void **state)
{
	struct strata_server *single;
	struct ch_client *cl;
	char *dir;
	stateid4 sid;
	struct fh fh;
	uint8_t devid[NFS4_DEVICEID4_SIZE] = { 0 };

	(void)state;
	assert_int_equal(ch_server_start(&single, &dir, 0, 0), 0);
	cl = new_client_on(single, tu_uniq("single"), 0);
	assert_int_equal(open_file(cl, "o", tu_uniq("single-file"), 1, &sid, &fh),
			 NFS4_OK);
	assert_int_equal(layoutget(cl, &fh, &sid, LAYOUTIOMODE4_RW, NULL),
			 NFS4ERR_LAYOUTUNAVAILABLE);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
			      ch_op_getdeviceinfo(devid, FH_MAXCOUNT)),
			 NFS4ERR_NOTSUPP);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_getdevicelist(16, 0)),
			 NFS4ERR_NOTSUPP);
	tu_free_client(cl);
	ch_server_stop(single, dir);
}

/* ------------------------------------------------------------------ */
/* 3. LAYOUTGET                                                        */
/* ------------------------------------------------------------------ */

static void test_layoutget(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("lg"));
	struct layout_info li, li2;
	stateid4 osid;
	struct fh fh;
	uint64_t fileid;

	(void)state;
	assert_int_equal(open_file(cl, "o", tu_uniq("lg-file"), 1, &osid, &fh),
			 NFS4_OK);
	fileid = fileid_of(&fh);
	assert_int_equal(layoutget(cl, &fh, &osid, LAYOUTIOMODE4_RW, &li),
			 NFS4_OK);
	assert_int_equal(li.offset, 0);
	assert_true(li.length == NFS4_UINT64_MAX);
	assert_int_equal(li.iomode, LAYOUTIOMODE4_RW);
	assert_int_equal(li.type, LAYOUT4_NFSV4_1_FILES);
	/* kept across CLOSE (decision 0017) */
	assert_false(li.return_on_close);
	/* Dense, 64 KiB units, pattern offset 0, one handle per DS. */
	assert_true(li.util & NFL4_UFLG_DENSE);
	assert_false(li.util & NFL4_UFLG_COMMIT_THRU_MDS);
	assert_int_equal(li.util & NFL4_UFLG_STRIPE_UNIT_SIZE_MASK, UNIT);
	assert_true(li.first < NDS);
	assert_int_equal(li.first, layout_first_index(fileid, NDS));
	assert_int_equal(li.pattern_offset, 0);
	assert_int_equal(li.nfh, NDS);
	for (unsigned j = 0; j < NDS; j++) {
		uint64_t fid;
		uint32_t index, fence;
		uint8_t hint;
		assert_int_equal(li.fh_len[j], FH_DS_LEN);
		/* Handle j names stripe object j of this file, signed with
		 * the cluster key; an empty file's layout has no extent
		 * hint (fh.h). */
		assert_int_equal(fh_ds_decode((const uint8_t *)li.fhb[j],
					      li.fh_len[j], &g_key, &fid,
					      &index, &fence, &hint),
				 0);
		assert_int_equal(fid, fileid);
		assert_int_equal(index, j);
		assert_int_equal(hint, 0);
	}
	/* §12.5.3: the first layout stateid has seqid 1 and a new
	 * "other". */
	assert_int_equal(li.sid.seqid, 1);
	assert_memory_not_equal(li.sid.other, osid.other, NFS4_OTHER_SIZE);

	/* Again with the layout stateid: same "other", seqid 2. */
	assert_int_equal(layoutget(cl, &fh, &li.sid, LAYOUTIOMODE4_RW, &li2),
			 NFS4_OK);
	assert_int_equal(li2.sid.seqid, 2);
	assert_memory_equal(li2.sid.other, li.sid.other, NFS4_OTHER_SIZE);
	assert_memory_equal(li2.devid, li.devid, NFS4_DEVICEID4_SIZE);
	assert_memory_equal(li2.fhb[0], li.fhb[0], FH_DS_LEN);
	assert_memory_equal(li2.fhb[1], li.fhb[1], FH_DS_LEN);
	/* And with the open stateid: the client's one layout stateid. */
	assert_int_equal(layoutget(cl, &fh, &osid, LAYOUTIOMODE4_READ, &li2),
			 NFS4_OK);
	assert_int_equal(li2.sid.seqid, 3);
	assert_memory_equal(li2.sid.other, li.sid.other, NFS4_OTHER_SIZE);
	tu_free_client(cl);
}

static void test_layoutget_errors(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("lgerr"));
	struct layout_info li;
	stateid4 osid;
	struct fh fh;

	(void)state;
	assert_int_equal(open_file(cl, "o", tu_uniq("lgerr-file"), 1, &osid, &fh),
			 NFS4_OK);
	/* §18.43.3: a directory, a bad iomode, an empty range. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_layoutget(LAYOUTIOMODE4_RW, 0,
					      NFS4_UINT64_MAX, &osid,
					      FH_MAXCOUNT)),
			 NFS4ERR_ISDIR);
	assert_int_equal(layoutget(cl, &fh, &osid, LAYOUTIOMODE4_ANY, NULL),
			 NFS4ERR_BADIOMODE);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_layoutget(LAYOUTIOMODE4_RW, 0, 0, &osid,
					      FH_MAXCOUNT)),
			 NFS4ERR_INVAL);
	/* Special stateids name no open. */
	assert_int_equal(layoutget(cl, &fh, &anon_sid, LAYOUTIOMODE4_RW, NULL),
			 NFS4ERR_BAD_STATEID);
	/* A maxcount the layout does not fit in. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_layoutget(LAYOUTIOMODE4_RW, 0,
					      NFS4_UINT64_MAX, &osid, 64)),
			 NFS4ERR_TOOSMALL);
	/* None of that left a layout stateid behind: the first grant is
	 * seqid 1. */
	assert_int_equal(layoutget(cl, &fh, &osid, LAYOUTIOMODE4_RW, &li),
			 NFS4_OK);
	assert_int_equal(li.sid.seqid, 1);
	tu_free_client(cl);
}

/* ------------------------------------------------------------------ */
/* 4. GETDEVICEINFO / GETDEVICELIST                                    */
/* ------------------------------------------------------------------ */

static void test_getdeviceinfo(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("gdi"));
	struct layout_info li;
	stateid4 osid;
	struct fh fh;
	nfsv4_1_file_layout_ds_addr4 da;
	GETDEVICEINFO4resok *ok;
	uint32_t mincount;
	XDR x;

	(void)state;
	open_with_layout(cl, "o", tu_uniq("gdi-file"), &osid, &fh, &li);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
			      ch_op_getdeviceinfo(li.devid, FH_MAXCOUNT)),
			 NFS4_OK);
	ok = &ch_res(cl, 1)->nfs_resop4_u.opgetdeviceinfo.GETDEVICEINFO4res_u
		      .gdir_resok4;
	assert_int_equal(ok->gdir_device_addr.da_layout_type,
			 LAYOUT4_NFSV4_1_FILES);
	memset(&da, 0, sizeof(da));
	xdrmem_create(&x, ok->gdir_device_addr.da_addr_body.da_addr_body_val,
		      ok->gdir_device_addr.da_addr_body.da_addr_body_len,
		      XDR_DECODE);
	assert_true(xdr_nfsv4_1_file_layout_ds_addr4(&x, &da));
	assert_int_equal(xdr_getpos(&x),
			 ok->gdir_device_addr.da_addr_body.da_addr_body_len);
	xdr_destroy(&x);
	assert_int_equal(da.nflda_stripe_indices.nflda_stripe_indices_len,
			 NDS);
	for (unsigned i = 0; i < NDS; i++)
		assert_int_equal(
			da.nflda_stripe_indices.nflda_stripe_indices_val[i], i);
	assert_int_equal(da.nflda_multipath_ds_list.nflda_multipath_ds_list_len,
			 NDS);
	for (unsigned i = 0; i < NDS; i++) {
		multipath_list4 *m =
			&da.nflda_multipath_ds_list
				 .nflda_multipath_ds_list_val[i];
		char want[64];
		uint16_t port = g_ds[i]->cfg.port;
		assert_int_equal(m->multipath_list4_len, 1);
		assert_string_equal(m->multipath_list4_val[0].na_r_netid,
				    "tcp");
		snprintf(want, sizeof(want), "127.0.0.1.%u.%u",
			 (unsigned)(port >> 8), (unsigned)(port & 0xff));
		assert_string_equal(m->multipath_list4_val[0].na_r_addr, want);
	}
	xdr_free((xdrproc_t)xdr_nfsv4_1_file_layout_ds_addr4, (char *)&da);

	/* §18.40.3: too small a maxcount says how much is needed. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
			      ch_op_getdeviceinfo(li.devid, 16)),
			 NFS4ERR_TOOSMALL);
	mincount = ch_res(cl, 1)->nfs_resop4_u.opgetdeviceinfo
			   .GETDEVICEINFO4res_u.gdir_mincount;
	assert_true(mincount > 16);
	/* ... and that much is enough. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
			      ch_op_getdeviceinfo(li.devid, mincount)),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
			      ch_op_getdeviceinfo(li.devid, mincount - 1)),
			 NFS4ERR_TOOSMALL);

	/* An unknown device. */
	{
		uint8_t zero[NFS4_DEVICEID4_SIZE] = { 0 };
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_getdeviceinfo(zero, FH_MAXCOUNT)),
				 NFS4ERR_NOENT);
	}

	/* Notifications (§18.40.3): the requested ones of CHANGE and DELETE
	 * are granted (without the grant the Linux client re-fetches the
	 * device for every layout); the granted bitmap counts in mincount. */
	{
		uint32_t want = (1u << NOTIFY_DEVICEID4_CHANGE) |
				(1u << NOTIFY_DEVICEID4_DELETE) | (1u << 7);
		nfs_argop4 op = ch_op_getdeviceinfo(li.devid, FH_MAXCOUNT);
		GETDEVICEINFO4args *ga = &op.nfs_argop4_u.opgetdeviceinfo;
		bitmap4 *g;

		ga->gdia_notify_types.bitmap4_len = 1;
		ga->gdia_notify_types.bitmap4_val = &want;
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), op), NFS4_OK);
		g = &ch_res(cl, 1)->nfs_resop4_u.opgetdeviceinfo
			     .GETDEVICEINFO4res_u.gdir_resok4.gdir_notification;
		assert_int_equal(g->bitmap4_len, 1);
		assert_int_equal(g->bitmap4_val[0],
				 (1u << NOTIFY_DEVICEID4_CHANGE) |
					 (1u << NOTIFY_DEVICEID4_DELETE));
		ga->gdia_maxcount = mincount;
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), op),
				 NFS4ERR_TOOSMALL);
		assert_int_equal(ch_res(cl, 1)->nfs_resop4_u.opgetdeviceinfo
					 .GETDEVICEINFO4res_u.gdir_mincount,
				 mincount + 4);
	}

	/* GETDEVICELIST: that one device, and the end. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_getdevicelist(16, 0)),
			 NFS4_OK);
	{
		GETDEVICELIST4resok *l =
			&ch_res(cl, 2)->nfs_resop4_u.opgetdevicelist
				 .GETDEVICELIST4res_u.gdlr_resok4;
		assert_int_equal(l->gdlr_deviceid_list.gdlr_deviceid_list_len,
				 1);
		assert_memory_equal(
			l->gdlr_deviceid_list.gdlr_deviceid_list_val[0],
			li.devid, NFS4_DEVICEID4_SIZE);
		assert_true(l->gdlr_eof);
	}
	tu_free_client(cl);
}

/* ------------------------------------------------------------------ */
/* 5. I/O on a data server                                             */
/* ------------------------------------------------------------------ */

static void test_ds_io(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("dsio"));
	struct layout_info li;
	stateid4 osid, bad;
	struct fh fh;
	uint8_t buf[4096];
	WRITE4resok w;

	(void)state;
	open_with_layout(cl, "o", tu_uniq("dsio-file"), &osid, &fh, &li);
	fill_pattern(buf, sizeof(buf), 5);
	for (unsigned j = 0; j < NDS; j++) {
		buf[0] = (uint8_t)j; /* each object its own bytes */
		assert_int_equal(ds_write(j, &li.fh[j], &osid, 0, buf,
					  sizeof(buf), UNSTABLE4, &w),
				 NFS4_OK);
		assert_int_equal(w.count, sizeof(buf));
		assert_int_equal(w.committed, UNSTABLE4);
		assert_int_equal(ds_read_cmp(j, &li.fh[j], &osid, 0, buf,
					     sizeof(buf)),
				 NFS4_OK);
	}
	/* eof (op_ds_io.c): not on a read of the whole object, which ends
	 * at the object's end but says nothing of the file's (dense
	 * layout). A short read through a layout without an extent hint
	 * (this one was granted for an empty file) goes to the MDS, which
	 * knows where the file ends: NFS4ERR_PNFS_IO_HOLE. */
	{
		struct ch_client *d = g_dscl[0];
		READ4resok *r;

		assert_int_equal(CALL(d, ch_op_seq(d, 0, 0),
				      ch_op_putfh(&li.fh[0]),
				      ch_op_read(&osid, 0, sizeof(buf))),
				 NFS4_OK);
		r = &ch_res(d, 2)->nfs_resop4_u.opread.READ4res_u.resok4;
		assert_int_equal(r->data.len, sizeof(buf));
		assert_false(r->eof);
		assert_int_equal(CALL(d, ch_op_seq(d, 0, 0),
				      ch_op_putfh(&li.fh[0]),
				      ch_op_read(&osid, 1000, sizeof(buf))),
				 NFS4ERR_PNFS_IO_HOLE);
		assert_int_equal(CALL(d, ch_op_seq(d, 0, 0),
				      ch_op_putfh(&li.fh[0]),
				      ch_op_read(&osid, sizeof(buf), 100)),
				 NFS4ERR_PNFS_IO_HOLE);
	}

	/* A handle the MDS did not sign. */
	{
		char b[FH_DS_LEN];
		nfs_fh4 f = { .nfs_fh4_len = FH_DS_LEN, .nfs_fh4_val = b };
		struct ch_client *d = g_dscl[0];
		memcpy(b, li.fhb[0], FH_DS_LEN);
		b[10] ^= 1; /* the fileid */
		assert_int_equal(CALL(d, ch_op_seq(d, 0, 0), ch_op_putfh(&f)),
				 NFS4ERR_BADHANDLE);
		memcpy(b, li.fhb[0], FH_DS_LEN);
		b[FH_DS_LEN - 1] ^= 0x80; /* the MAC */
		assert_int_equal(CALL(d, ch_op_seq(d, 0, 0), ch_op_putfh(&f)),
				 NFS4ERR_BADHANDLE);
		/* An MDS handle is no DS handle. */
		assert_int_equal(CALL(d, ch_op_seq(d, 0, 0),
				      ch_op_putfh(&fh.fh)),
				 NFS4ERR_BADHANDLE);
	}
	/* A stateid whose signature does not match. */
	bad = osid;
	bad.other[8] ^= 1;
	assert_int_equal(ds_write(0, &li.fh[0], &bad, 0, buf, sizeof(buf),
				  UNSTABLE4, NULL),
			 NFS4ERR_BAD_STATEID);
	assert_int_equal(ds_read_cmp(0, &li.fh[0], &bad, 0, buf, sizeof(buf)),
			 NFS4ERR_BAD_STATEID);
	/* Special stateids name no open on the MDS. */
	assert_int_equal(ds_write(0, &li.fh[0], &anon_sid, 0, buf, sizeof(buf),
				  UNSTABLE4, NULL),
			 NFS4ERR_BAD_STATEID);
	{
		stateid4 bypass;
		memset(&bypass, 0xff, sizeof(bypass));
		assert_int_equal(ds_write(0, &li.fh[0], &bypass, 0, buf,
					  sizeof(buf), UNSTABLE4, NULL),
				 NFS4ERR_BAD_STATEID);
	}
	/* The right stateid, but for another file: its signature covers the
	 * fileid. */
	{
		stateid4 osid2;
		struct fh fh2;
		assert_int_equal(open_file(cl, "o", tu_uniq("dsio-other"), 1,
					   &osid2, &fh2),
				 NFS4_OK);
		assert_int_equal(ds_write(0, &li.fh[0], &osid2, 0, buf,
					  sizeof(buf), UNSTABLE4, NULL),
				 NFS4ERR_BAD_STATEID);
	}
	/* A synced DS write is DATA_SYNC4, never FILE_SYNC4: the size is the
	 * MDS's (LAYOUTCOMMIT must follow). */
	assert_int_equal(ds_write(1, &li.fh[1], &osid, 0, buf, sizeof(buf),
				  FILE_SYNC4, &w),
			 NFS4_OK);
	assert_int_equal(w.committed, DATA_SYNC4);
	assert_int_equal(ds_write(1, &li.fh[1], &osid, 0, buf, sizeof(buf),
				  DATA_SYNC4, &w),
			 NFS4_OK);
	assert_int_equal(w.committed, DATA_SYNC4);
	tu_free_client(cl);
}

/*
 * Regression: a data server runs only the ops its role allows
 * (nfsd/op_table.c: OPF_DS); the rest are NFS4ERR_NOTSUPP. nfsd/compound.c
 * check_op() tests `d->flags & c->role`, but the role bits (ROLE_MDS 1,
 * ROLE_DS 2, server.h) are not the op flags (OPF_MV1 1, OPF_MDS 2,
 * OPF_DS 4, compound.h): on a DS it tests OPF_MDS, so every MDS op runs
 * there (with srv->ns NULL). Only harmless ops are sent here.
 */
/* A DS READ of object J through handle FH at OFF for COUNT bytes: the
 * COMPOUND's status; on success the bytes returned and eof. */
static int ds_read_end(unsigned j, const nfs_fh4 *fh, const stateid4 *sid,
		       uint64_t off, uint32_t count, uint32_t *len,
		       bool_t *eof)
{
	struct ch_client *d = g_dscl[j];
	int s = CALL(d, ch_op_seq(d, 0, 0), ch_op_putfh(fh),
		     ch_op_read(sid, off, count));
	READ4resok *r;

	if (s != NFS4_OK)
		return s;
	r = &ch_res(d, 2)->nfs_resop4_u.opread.READ4res_u.resok4;
	*len = r->data.len;
	*eof = r->eof;
	return s;
}

/*
 * The extent hint (nfsd/fh.h): a layout of a file of 1..unit bytes says
 * so in its handles, and the DS holding the first unit then ends the file
 * at a short read inside it (a small file read by the stock client stays
 * on the data servers, eof and all). A WRITE through such a layout that
 * would grow the file past the first unit goes to the MDS, and so does a
 * short read through a handle without the hint.
 */
static void test_ds_extent_hint(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("hint"));
	struct layout_info li, li2;
	stateid4 osid;
	struct fh fh;
	uint8_t buf[100];
	uint32_t j0, other, len;
	bool_t eof;

	(void)state;
	open_with_layout(cl, "o", tu_uniq("hint-file"), &osid, &fh, &li);
	j0 = li.first;
	other = (j0 + 1) % NDS;
	fill_pattern(buf, sizeof(buf), 9);
	assert_int_equal(ds_write(j0, &li.fh[j0], &osid, 0, buf, sizeof(buf),
				  FILE_SYNC4, NULL),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_layoutcommit(0, sizeof(buf), &li.sid, 1,
						 sizeof(buf) - 1)),
			 NFS4_OK);
	/* The empty file's layout: no hint, so the short read goes to the
	 * MDS. */
	assert_int_equal(ds_read_end(j0, &li.fh[j0], &osid, 0, 4096, &len,
				     &eof),
			 NFS4ERR_PNFS_IO_HOLE);

	/* A layout of the 100-byte file. */
	assert_int_equal(layoutget(cl, &fh, &li.sid, LAYOUTIOMODE4_RW, &li2),
			 NFS4_OK);
	for (unsigned j = 0; j < NDS; j++) {
		uint64_t fid;
		uint32_t index, gen;
		uint8_t hint;
		assert_int_equal(fh_ds_decode((const uint8_t *)li2.fhb[j],
					      li2.fh_len[j], &g_key, &fid,
					      &index, &gen, &hint),
				 0);
		assert_int_equal(hint, j == j0 ? FH_DS_SMALL |
							 (UNIT / LAYOUT_MIN_UNIT)
					       : FH_DS_SMALL);
	}
	assert_int_equal(ds_read_end(j0, &li2.fh[j0], &osid, 0, 4096, &len,
				     &eof),
			 NFS4_OK);
	assert_int_equal(len, sizeof(buf));
	assert_true(eof);
	assert_int_equal(ds_read_end(j0, &li2.fh[j0], &osid, 100, 4096, &len,
				     &eof),
			 NFS4_OK);
	assert_int_equal(len, 0);
	assert_true(eof);
	/* A full read is no end, hint or not. */
	assert_int_equal(ds_read_end(j0, &li2.fh[j0], &osid, 0, 50, &len,
				     &eof),
			 NFS4_OK);
	assert_int_equal(len, 50);
	assert_false(eof);
	/* Writes inside the first unit stay on the data server... */
	assert_int_equal(ds_write(j0, &li2.fh[j0], &osid, UNIT - 100, buf,
				  sizeof(buf), FILE_SYNC4, NULL),
			 NFS4_OK);
	/* ...one past it, or to any other object, goes to the MDS. */
	assert_int_equal(ds_write(j0, &li2.fh[j0], &osid, UNIT - 99, buf,
				  sizeof(buf), FILE_SYNC4, NULL),
			 NFS4ERR_PNFS_NO_LAYOUT);
	assert_int_equal(ds_write(other, &li2.fh[other], &osid, 0, buf,
				  sizeof(buf), FILE_SYNC4, NULL),
			 NFS4ERR_PNFS_NO_LAYOUT);
	/* The layout of the empty file still writes anywhere. */
	assert_int_equal(ds_write(other, &li.fh[other], &osid, 0, buf,
				  sizeof(buf), FILE_SYNC4, NULL),
			 NFS4_OK);
	tu_free_client(cl);
}

/*
 * A READ the data server sends to the MDS (a short one, op_ds_io.c) comes
 * from the client that may have written past the MDS's size through its
 * RW layout and not yet sent LAYOUTCOMMIT (RFC 8881 §12.5.4): the MDS's
 * answer includes those bytes, with eof where the objects end. Once the
 * layout is returned the MDS's own size is the end again.
 */
static void test_mds_read_sees_uncommitted_layout_writes(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("unc"));
	struct layout_info li;
	struct layout_geom g;
	stateid4 osid;
	struct fh fh;
	uint8_t buf[300];
	uint32_t j;
	uint64_t ooff;
	uint32_t run;
	READ4resok *r;

	(void)state;
	open_with_layout(cl, "o", tu_uniq("unc-file"), &osid, &fh, &li);
	g.stripe_unit = li.util & NFL4_UFLG_STRIPE_UNIT_SIZE_MASK;
	g.stripe_count = li.nfh;
	g.first_index = li.first;
	/* 300 bytes at the start of the second unit, no LAYOUTCOMMIT. */
	fill_pattern(buf, sizeof(buf), 4);
	layout_map(&g, UNIT, &j, &ooff, &run);
	assert_int_equal(ds_write(j, &li.fh[j], &osid, ooff, buf, sizeof(buf),
				  UNSTABLE4, NULL),
			 NFS4_OK);
	assert_int_equal(tu_size(cl, &fh), 0);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_read(&osid, UNIT, 4096)),
			 NFS4_OK);
	r = &ch_res(cl, 2)->nfs_resop4_u.opread.READ4res_u.resok4;
	assert_int_equal(r->data.len, sizeof(buf));
	assert_memory_equal(r->data.base, buf, sizeof(buf));
	assert_true(r->eof);
	/* The first unit is a hole: its object is empty, and the data server
	 * answers its READ with no bytes (and no buffer): zeros. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_read(&osid, 0, 4096)),
			 NFS4_OK);
	r = &ch_res(cl, 2)->nfs_resop4_u.opread.READ4res_u.resok4;
	assert_int_equal(r->data.len, 4096);
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(((const uint8_t *)r->data.base)[i], 0);
	assert_false(r->eof);
	/* Without an RW layout the MDS's size is the end. */
	assert_int_equal(return_layout(cl, &fh, &li.sid), NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_read(&osid, UNIT, 4096)),
			 NFS4_OK);
	r = &ch_res(cl, 2)->nfs_resop4_u.opread.READ4res_u.resok4;
	assert_int_equal(r->data.len, 0);
	assert_true(r->eof);
	tu_free_client(cl);
}

static void test_ds_refuses_mds_ops(void **state)
{
	struct ch_client *d = g_dscl[0];
	nfs_argop4 lr = ch_op_raw(OP_LAYOUTRETURN);
	LAYOUTRETURN4args *a = &lr.nfs_argop4_u.oplayoutreturn;
	int st;

	(void)state;
	a->lora_layout_type = LAYOUT4_NFSV4_1_FILES;
	a->lora_iomode = LAYOUTIOMODE4_ANY;
	a->lora_layoutreturn.lr_returntype = LAYOUTRETURN4_ALL;
	st = CALL(d, ch_op_seq(d, 0, 0), lr);
	if (st != NFS4ERR_NOTSUPP) {
		print_error("BUG (nfsd/compound.c check_op): LAYOUTRETURN ran "
			    "on a data server (status %d): role bits are "
			    "tested against the op flags\n",
			    st);
		fail();
	}
	/* Its own ops are fine (TEST_STATEID of nothing). */
	{
		nfs_argop4 ts = ch_op_raw(OP_TEST_STATEID);
		assert_int_equal(CALL(d, ch_op_seq(d, 0, 0), ts), NFS4_OK);
	}
}

/* ------------------------------------------------------------------ */
/* 6. Striped writes through the DSs, LAYOUTCOMMIT, MDS I/O fallback    */
/* ------------------------------------------------------------------ */

static void test_striped_io_and_layoutcommit(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("stripe"));
	const uint64_t size = 3 * (uint64_t)UNIT + 100;
	struct layout_info li;
	struct layout_geom g;
	stateid4 osid;
	struct fh fh;
	uint8_t *pat = malloc(size), *pat2 = malloc(size);
	uint8_t verf[NDS][NFS4_VERIFIER_SIZE];
	unsigned used[NDS] = { 0 };
	uint64_t off;

	(void)state;
	assert_non_null(pat);
	assert_non_null(pat2);
	open_with_layout(cl, "o", tu_uniq("stripe-file"), &osid, &fh, &li);
	g.stripe_unit = li.util & NFL4_UFLG_STRIPE_UNIT_SIZE_MASK;
	g.stripe_count = li.nfh;
	g.first_index = li.first;
	assert_int_equal(layout_geom_check(&g), 0);

	/* What a client writes: each piece to DS j with handle j at the
	 * dense object offset. */
	fill_pattern(pat, size, 11);
	for (off = 0; off < size;) {
		uint32_t j, run, n;
		uint64_t ooff;
		WRITE4resok w;
		layout_map(&g, off, &j, &ooff, &run);
		n = (uint32_t)(size - off < run ? size - off : run);
		assert_int_equal(ds_write(j, &li.fh[j], &osid, ooff, pat + off,
					  n, UNSTABLE4, &w),
				 NFS4_OK);
		assert_int_equal(w.count, n);
		memcpy(verf[j], w.writeverf, NFS4_VERIFIER_SIZE);
		used[j]++;
		off += n;
	}
	/* 4 units over 2 DSs: both were written to. */
	for (unsigned j = 0; j < NDS; j++)
		assert_true(used[j] > 0);
	for (unsigned j = 0; j < NDS; j++) {
		struct ch_client *d = g_dscl[j];
		assert_int_equal(CALL(d, ch_op_seq(d, 0, 0),
				      ch_op_putfh(&li.fh[j]),
				      ch_op_commit(0, 0)),
				 NFS4_OK);
		/* Same boot, same verifier as the writes. */
		assert_memory_equal(ch_res(d, 2)->nfs_resop4_u.opcommit
					    .COMMIT4res_u.resok4.writeverf,
				    verf[j], NFS4_VERIFIER_SIZE);
	}
	/* The MDS has not heard of the data yet. */
	assert_int_equal(tu_size(cl, &fh), 0);
	/* §18.42.3: LAYOUTCOMMIT with the last byte written. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_layoutcommit(0, size, &li.sid, 1,
						 size - 1)),
			 NFS4_OK);
	{
		LAYOUTCOMMIT4resok *ok =
			&ch_res(cl, 2)->nfs_resop4_u.oplayoutcommit
				 .LAYOUTCOMMIT4res_u.locr_resok4;
		assert_true(ok->locr_newsize.ns_sizechanged);
		assert_int_equal(ok->locr_newsize.newsize4_u.ns_size, size);
	}
	assert_int_equal(tu_size(cl, &fh), size);
	/* A LAYOUTCOMMIT that does not grow the file changes nothing. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_layoutcommit(0, 10, &li.sid, 1, 9)),
			 NFS4_OK);
	assert_false(ch_res(cl, 2)->nfs_resop4_u.oplayoutcommit
			     .LAYOUTCOMMIT4res_u.locr_resok4.locr_newsize
			     .ns_sizechanged);
	assert_int_equal(tu_size(cl, &fh), size);

	/* READ on the MDS (its own I/O path, striped through the control
	 * protocol) gives back exactly what went to the DSs. */
	for (off = 0; off < size;) {
		READ4resok *r;
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putfh(&fh.fh),
				      ch_op_read(&osid, off,
						 (uint32_t)(size - off))),
				 NFS4_OK);
		r = &ch_res(cl, 2)->nfs_resop4_u.opread.READ4res_u.resok4;
		assert_true(r->data.len > 0);
		assert_true(off + r->data.len <= size);
		assert_memory_equal(r->data.base, pat + off, r->data.len);
		off += r->data.len;
		if (off == size)
			assert_true(r->eof);
	}

	/* The other way: WRITE on the MDS, READ the pieces on the DSs. */
	fill_pattern(pat2, size, 23);
	for (off = 0; off < size;) {
		WRITE4resok *w;
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putfh(&fh.fh),
				      ch_op_write(&osid, off, pat2 + off,
						  (uint32_t)(size - off),
						  FILE_SYNC4)),
				 NFS4_OK);
		w = &ch_res(cl, 2)->nfs_resop4_u.opwrite.WRITE4res_u.resok4;
		assert_true(w->count > 0);
		off += w->count;
	}
	assert_int_equal(tu_size(cl, &fh), size);
	for (off = 0; off < size;) {
		uint32_t j, run, n;
		uint64_t ooff;
		layout_map(&g, off, &j, &ooff, &run);
		n = (uint32_t)(size - off < run ? size - off : run);
		assert_int_equal(ds_read_cmp(j, &li.fh[j], &osid, ooff,
					     pat2 + off, n),
				 NFS4_OK);
		off += n;
	}
	free(pat);
	free(pat2);
	tu_free_client(cl);
}

/* ------------------------------------------------------------------ */
/* 7. LAYOUTRETURN                                                     */
/* ------------------------------------------------------------------ */

static void test_layoutreturn(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("lr"));
	struct layout_info li, li2;
	stateid4 osid;
	struct fh fh;

	(void)state;
	open_with_layout(cl, "o", tu_uniq("lr-file"), &osid, &fh, &li);
	assert_int_equal(return_layout(cl, &fh, &li.sid), NFS4_OK);
	/* §18.44.3: nothing left, no stateid. */
	assert_false(ch_res(cl, 2)->nfs_resop4_u.oplayoutreturn
			     .LAYOUTRETURN4res_u.lorr_stateid.lrs_present);
	/* The layout stateid is gone. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_layoutcommit(0, 10, &li.sid, 1, 9)),
			 NFS4ERR_BAD_STATEID);
	{
		stateid4 latest = li.sid;
		latest.seqid = 0;
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putfh(&fh.fh),
				      ch_op_layoutcommit(0, 10, &latest, 1,
							 9)),
				 NFS4ERR_BAD_STATEID);
	}
	/* A new LAYOUTGET starts a new layout stateid. */
	assert_int_equal(layoutget(cl, &fh, &osid, LAYOUTIOMODE4_RW, &li2),
			 NFS4_OK);
	assert_int_equal(li2.sid.seqid, 1);
	assert_memory_not_equal(li2.sid.other, li.sid.other, NFS4_OTHER_SIZE);
	tu_free_client(cl);
}

/* ------------------------------------------------------------------ */
/* 8./9. Truncate recall barrier, fencing                              */
/* ------------------------------------------------------------------ */

struct fence_case {
	struct ch_client *a, *b;
	stateid4 a_open, b_open;
	struct fh fh;
	struct layout_info a_li;
};

/* A holds an RW layout on a 4 KiB file (written through DS and MDS);
 * B has it open too. A's session has no back channel. */
static void fence_case_setup(struct fence_case *fc, const char *name)
{
	uint8_t buf[4096];
	WRITE4resok w;
	uint32_t j, run;
	uint64_t ooff;
	struct layout_geom g;

	fc->a = new_client(tu_uniq("fence-A"));
	fc->b = new_client(tu_uniq("fence-B"));
	open_with_layout(fc->a, "oa", name, &fc->a_open, &fc->fh, &fc->a_li);
	fill_pattern(buf, sizeof(buf), 3);
	/* Before anything, A's open stateid works on the DSs. */
	g.stripe_unit = UNIT;
	g.stripe_count = NDS;
	g.first_index = fc->a_li.first;
	layout_map(&g, 0, &j, &ooff, &run);
	assert_int_equal(ds_write(j, &fc->a_li.fh[j], &fc->a_open, ooff, buf,
				  sizeof(buf), FILE_SYNC4, &w),
			 NFS4_OK);
	assert_int_equal(CALL(fc->a, ch_op_seq(fc->a, 0, 0),
			      ch_op_putfh(&fc->fh.fh),
			      ch_op_layoutcommit(0, sizeof(buf), &fc->a_li.sid,
						 1, sizeof(buf) - 1)),
			 NFS4_OK);
	assert_int_equal(tu_size(fc->a, &fc->fh), sizeof(buf));
	assert_int_equal(open_file(fc->b, "ob", name, 0, &fc->b_open, NULL),
			 NFS4_OK);
}

static void fence_case_free(struct fence_case *fc)
{
	tu_free_client(fc->a);
	tu_free_client(fc->b);
}

/*
 * nfsd/state/layout_state.c (layout_break): a holder without a usable back
 * channel cannot be sent CB_LAYOUTRECALL, so it is fenced at once: its
 * layout is dropped, its stateids for the file are revoked on the DSs,
 * and the truncate proceeds.
 */
static void test_truncate_fences_holder_without_backchannel(void **state)
{
	struct fence_case fc;

	(void)state;
	fence_case_setup(&fc, tu_uniq("trunc-fence"));
	assert_int_equal(tu_setattr_size(fc.b, &fc.fh, &fc.b_open, 0), NFS4_OK);
	assert_int_equal(tu_size(fc.b, &fc.fh), 0);
	/* A's layout is gone. */
	assert_int_equal(CALL(fc.a, ch_op_seq(fc.a, 0, 0),
			      ch_op_putfh(&fc.fh.fh),
			      ch_op_layoutcommit(0, 10, &fc.a_li.sid, 1, 9)),
			 NFS4ERR_BAD_STATEID);
	assert_int_equal(return_layout(fc.a, &fc.fh, &fc.a_li.sid),
			 NFS4ERR_BAD_STATEID);
	/* The size did not come back from the DSs. */
	assert_int_equal(tu_size(fc.a, &fc.fh), 0);
	/* A growing truncate needs no recall. */
	assert_int_equal(tu_setattr_size(fc.b, &fc.fh, &fc.b_open, 100),
			 NFS4_OK);
	assert_int_equal(tu_size(fc.b, &fc.fh), 100);
	fence_case_free(&fc);
}

static void test_fenced_stateid_refused_by_ds(void **state)
{
	struct fence_case fc;
	uint8_t buf[512];

	(void)state;
	fence_case_setup(&fc, tu_uniq("fence-ds"));
	assert_int_equal(tu_setattr_size(fc.b, &fc.fh, &fc.b_open, 0), NFS4_OK);
	fill_pattern(buf, sizeof(buf), 9);
	/* The MDS pushed the revocation to every DS (control protocol
	 * REVOKE): A's open stateid is refused on both. */
	for (unsigned j = 0; j < NDS; j++) {
		assert_int_equal(ds_write(j, &fc.a_li.fh[j], &fc.a_open, 0,
					  buf, sizeof(buf), UNSTABLE4, NULL),
				 NFS4ERR_BAD_STATEID);
		assert_int_equal(ds_read_cmp(j, &fc.a_li.fh[j], &fc.a_open, 0,
					     buf, sizeof(buf)),
				 NFS4ERR_BAD_STATEID);
	}
	/* Only A's: B's open stateid still works there. */
	assert_int_equal(ds_write(0, &fc.a_li.fh[0], &fc.b_open, 0, buf,
				  sizeof(buf), UNSTABLE4, NULL),
			 NFS4_OK);
	/* A comes back to the MDS, where its open still works
	 * (layout_state.h: "it must come back to the MDS"). */
	assert_int_equal(CALL(fc.a, ch_op_seq(fc.a, 0, 0),
			      ch_op_putfh(&fc.fh.fh),
			      ch_op_write(&fc.a_open, 0, buf, sizeof(buf),
					  FILE_SYNC4)),
			 NFS4_OK);
	fence_case_free(&fc);
}

/* SETATTR time_modify_set (to the client's time) with open stateid SID. */
static int set_mtime(struct ch_client *cl, const struct fh *fh,
		     const stateid4 *sid, int64_t sec)
{
	uint32_t word[2] = { 0, 1u << (FATTR4_TIME_MODIFY_SET - 32) };
	uint32_t v[4] = { htonl(SET_TO_CLIENT_TIME4),
			  htonl((uint32_t)((uint64_t)sec >> 32)),
			  htonl((uint32_t)sec), 0 };
	nfs_argop4 op;
	SETATTR4args *a = &op.nfs_argop4_u.opsetattr;

	memset(&op, 0, sizeof(op));
	op.argop = OP_SETATTR;
	a->stateid = *sid;
	a->obj_attributes.attrmask.bitmap4_len = 2;
	a->obj_attributes.attrmask.bitmap4_val = word;
	a->obj_attributes.attr_vals.attrlist4_len = sizeof(v);
	a->obj_attributes.attr_vals.attrlist4_val = (char *)v;
	return CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh->fh), op);
}

static int64_t mtime_of(const struct fh *fh)
{
	struct ns_inode ino;

	assert_int_equal(ns_getattr(g_mds->ns, fileid_of(fh), &ino), 0);
	return ino.mtime.sec;
}

/* §18.42.3: the Linux client sends LAYOUTCOMMIT without a time_modify,
 * possibly after a SETATTR of the mtime that followed its writes (tar's
 * utimensat): the commit keeps that mtime. Without one, a commit of
 * writes (growing the file or not) stamps the commit's time. */
static void test_layoutcommit_keeps_set_mtime(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("mtime"));
	const int64_t t = 1000000000; /* 2001 */
	struct layout_info li;
	stateid4 osid;
	struct fh fh;
	uint8_t buf[100];

	(void)state;
	open_with_layout(cl, "o", tu_uniq("mtime-file"), &osid, &fh, &li);
	fill_pattern(buf, sizeof(buf), 5);
	assert_int_equal(ds_write(0, &li.fh[0], &osid, 0, buf, sizeof(buf),
				  UNSTABLE4, NULL),
			 NFS4_OK);
	assert_int_equal(set_mtime(cl, &fh, &osid, t), NFS4_OK);
	assert_int_equal(mtime_of(&fh), t);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_layoutcommit(0, sizeof(buf), &li.sid, 1,
						 sizeof(buf) - 1)),
			 NFS4_OK);
	assert_int_equal(tu_size(cl, &fh), sizeof(buf));
	assert_int_equal(mtime_of(&fh), t);
	/* Written again in place, no SETATTR since: the commit's time. */
	assert_int_equal(ds_write(0, &li.fh[0], &osid, 0, buf, 10, UNSTABLE4,
				  NULL),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_layoutcommit(0, 10, &li.sid, 1, 9)),
			 NFS4_OK);
	assert_true(mtime_of(&fh) > t);
	assert_int_equal(tu_size(cl, &fh), sizeof(buf));
	tu_free_client(cl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exchange_id_roles),
		cmocka_unit_test(test_fs_layout_attrs),
		cmocka_unit_test(test_single_node_no_layouts),
		cmocka_unit_test(test_layoutget),
		cmocka_unit_test(test_layoutget_errors),
		cmocka_unit_test(test_getdeviceinfo),
		cmocka_unit_test(test_ds_io),
		cmocka_unit_test(test_ds_extent_hint),
		cmocka_unit_test(test_mds_read_sees_uncommitted_layout_writes),
		cmocka_unit_test(test_ds_refuses_mds_ops),
		cmocka_unit_test(test_striped_io_and_layoutcommit),
		cmocka_unit_test(test_layoutreturn),
		cmocka_unit_test(test_truncate_fences_holder_without_backchannel),
		cmocka_unit_test(test_fenced_stateid_refused_by_ds),
		cmocka_unit_test(test_layoutcommit_keeps_set_mtime),
	};

	/* STRATA_TEST_FILTER=pattern runs only the matching tests (cmocka
	 * glob). */
	if (getenv("STRATA_TEST_FILTER"))
		cmocka_set_test_filter(getenv("STRATA_TEST_FILTER"));
	tp_max_layouts = TP_TRIM_MAX;
	return cmocka_run_group_tests(tests, tp_cluster_setup,
				      tp_cluster_teardown);
}
