/*
 * tests/unit/test_pnfs_recall.c — pNFS end to end, in process (the cluster
 * and method of test_pnfs.c, test_util_pnfs.h): layout recalls over a back
 * channel (truncate, remove, closed holders, the layouts-per-client trim,
 * LAYOUTTRYLATER), removed files (layouts of unlinked open files, STALE on
 * the data servers) and stripe objects (made at the first layout;
 * CTL_CREATE_MANY / CTL_REMOVE_MANY).
 * STRATA_TEST_FILTER=<glob> selects tests.
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
#include "layout_state.h"
#include "tier_scan.h"

/* ------------------------------------------------------------------ */
/* Recall over a back channel                                          */
/* ------------------------------------------------------------------ */

/* Decode the callbacks CL's connection was sent since byte FROM: the
 * last one must be CB_SEQUENCE + CB_LAYOUTRECALL; *rec gets its args
 * (fh copied into FHB). */
static void last_layoutrecall(struct ch_client *cl, size_t from,
			      CB_LAYOUTRECALL4args *rec, char *fhb)
{
	struct ch_conn *cc = ch_conn_of(cl->conn);
	CB_COMPOUND4args args;
	uint32_t w[6], flavor, vlen;
	char *cred = NULL;
	u_int credlen = 0;
	char vbuf[400];
	XDR x;

	assert_true(cc->sent_len > from);
	xdrmem_create(&x, (char *)cc->sent + from, (u_int)(cc->sent_len - from),
		      XDR_DECODE);
	for (int i = 0; i < 6; i++)
		assert_true(xdr_u_int(&x, &w[i]));
	assert_int_equal(w[1], 0);                   /* CALL */
	assert_int_equal(w[3], 0x40000000);          /* our cb_program */
	assert_int_equal(w[5], 1);                   /* CB_COMPOUND */
	assert_true(xdr_u_int(&x, &flavor));
	assert_true(xdr_bytes(&x, &cred, &credlen, 400));
	free(cred);
	assert_true(xdr_u_int(&x, &flavor));
	assert_true(xdr_u_int(&x, &vlen));
	assert_true(vlen <= sizeof(vbuf));
	assert_true(xdr_opaque(&x, vbuf, vlen));
	memset(&args, 0, sizeof(args));
	assert_true(xdr_CB_COMPOUND4args(&x, &args));
	assert_int_equal(xdr_getpos(&x), cc->sent_len - from);
	xdr_destroy(&x);
	assert_int_equal(args.minorversion, 1);
	assert_int_equal(args.argarray.argarray_len, 2);
	assert_int_equal(args.argarray.argarray_val[0].argop, OP_CB_SEQUENCE);
	assert_memory_equal(args.argarray.argarray_val[0]
				    .nfs_cb_argop4_u.opcbsequence.csa_sessionid,
			    cl->sessionid, NFS4_SESSIONID_SIZE);
	assert_int_equal(args.argarray.argarray_val[1].argop,
			 OP_CB_LAYOUTRECALL);
	*rec = args.argarray.argarray_val[1].nfs_cb_argop4_u.opcblayoutrecall;
	{
		nfs_fh4 *f = &rec->clora_recall.layoutrecall4_u.lor_layout
				      .lor_fh;
		assert_true(f->nfs_fh4_len <= NFS4_FHSIZE);
		memcpy(fhb, f->nfs_fh4_val, f->nfs_fh4_len);
		f->nfs_fh4_val = fhb;
	}
	xdr_free((xdrproc_t)xdr_CB_COMPOUND4args, (char *)&args);
}

static void test_truncate_recalls_layout(void **state)
{
	struct ch_client *a = new_client_on(g_mds, tu_uniq("recall-A"), 1);
	struct ch_client *b = new_client(tu_uniq("recall-B"));
	struct ch_conn *acc = ch_conn_of(a->conn);
	const char *name = tu_uniq("recall-file");
	struct layout_info li;
	stateid4 a_open, b_open, recalled;
	struct fh fh;
	CB_LAYOUTRECALL4args rec;
	layoutrecall_file4 *rf = &rec.clora_recall.layoutrecall4_u.lor_layout;
	char rfh[NFS4_FHSIZE];
	uint8_t buf[4096];
	size_t mark;
	unsigned nsends;

	(void)state;
	open_with_layout(a, "oa", name, &a_open, &fh, &li);
	fill_pattern(buf, sizeof(buf), 1);
	assert_int_equal(CALL(a, ch_op_seq(a, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_write(&a_open, 0, buf, sizeof(buf),
					  FILE_SYNC4)),
			 NFS4_OK);
	assert_int_equal(open_file(b, "ob", name, 0, &b_open, NULL), NFS4_OK);
	mark = acc->sent_len;
	nsends = acc->nsends;

	/* §12.5.5.2: B's truncate waits for A's layout, which is recalled
	 * on A's back channel. */
	assert_int_equal(tu_setattr_size(b, &fh, &b_open, 0), NFS4ERR_DELAY);
	assert_int_equal(acc->nsends, nsends + 1);
	last_layoutrecall(a, mark, &rec, rfh);
	assert_int_equal(rec.clora_type, LAYOUT4_NFSV4_1_FILES);
	assert_int_equal(rec.clora_iomode, LAYOUTIOMODE4_ANY);
	assert_int_equal(rec.clora_recall.lor_recalltype, LAYOUTRECALL4_FILE);
	assert_int_equal(rf->lor_offset, 0);
	assert_true(rf->lor_length == NFS4_UINT64_MAX);
	assert_int_equal(rf->lor_fh.nfs_fh4_len, fh.fh.nfs_fh4_len);
	assert_memory_equal(rfh, fh.b, fh.fh.nfs_fh4_len);
	/* §12.5.3: the recall bumps the layout stateid's seqid. */
	assert_memory_equal(rf->lor_stateid.other, li.sid.other,
			    NFS4_OTHER_SIZE);
	assert_int_equal(rf->lor_stateid.seqid, li.sid.seqid + 1);
	recalled = rf->lor_stateid;

	/* Still waiting; the recall is not sent twice. */
	assert_int_equal(tu_setattr_size(b, &fh, &b_open, 0), NFS4ERR_DELAY);
	assert_int_equal(acc->nsends, nsends + 1);
	assert_int_equal(tu_size(b, &fh), sizeof(buf));
	/* While recalled, A gets no new layout (§12.5.5.2). */
	assert_int_equal(layoutget(a, &fh, &a_open, LAYOUTIOMODE4_RW, NULL),
			 NFS4ERR_RECALLCONFLICT);

	/* A returns it; the truncate goes through. */
	assert_int_equal(return_layout(a, &fh, &recalled), NFS4_OK);
	assert_false(ch_res(a, 2)->nfs_resop4_u.oplayoutreturn
			     .LAYOUTRETURN4res_u.lorr_stateid.lrs_present);
	assert_int_equal(tu_setattr_size(b, &fh, &b_open, 0), NFS4_OK);
	assert_int_equal(tu_size(b, &fh), 0);
	/* A returned in time: it is not fenced, its open stateid still
	 * works on the DSs. */
	assert_int_equal(ds_write(0, &li.fh[0], &a_open, 0, buf, 100,
				  UNSTABLE4, NULL),
			 NFS4_OK);
	/* And it may have a layout again. */
	assert_int_equal(layoutget(a, &fh, &a_open, LAYOUTIOMODE4_RW, &li),
			 NFS4_OK);
	assert_int_equal(li.sid.seqid, 1);
	tu_free_client(a);
	tu_free_client(b);
}

/*
 * Regression: a LAYOUTGET answered NFS4ERR_LAYOUTTRYLATER while
 * another client's layout on the file is being recalled must not leave a
 * layout stateid behind for the asking client. pnfs/op_layout.c
 * op_layoutget() creates the stateid (layout_stid(), seqid 0) before the
 * layout_recall_pending() check and returns without freeing it; the next
 * layout_break() then treats that client as a layout holder: it is fenced
 * (no back channel: its open stateids revoked on the DSs) although it
 * never got a layout.
 */
static void test_layoutget_trylater_leaves_no_layout(void **state)
{
	struct ch_client *a = new_client_on(g_mds, tu_uniq("tl-A"), 1);
	struct ch_client *b = new_client(tu_uniq("tl-B"));
	struct ch_client *c = new_client(tu_uniq("tl-C"));
	struct ch_conn *acc = ch_conn_of(a->conn);
	const char *name = tu_uniq("tl-file");
	struct layout_info li;
	stateid4 a_open, b_open, c_open, recalled;
	struct fh fh;
	CB_LAYOUTRECALL4args rec;
	char rfh[NFS4_FHSIZE];
	uint8_t buf[4096];
	size_t mark;
	int st;

	(void)state;
	open_with_layout(a, "oa", name, &a_open, &fh, &li);
	fill_pattern(buf, sizeof(buf), 2);
	assert_int_equal(CALL(a, ch_op_seq(a, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_write(&a_open, 0, buf, sizeof(buf),
					  FILE_SYNC4)),
			 NFS4_OK);
	assert_int_equal(open_file(b, "ob", name, 0, &b_open, NULL), NFS4_OK);
	assert_int_equal(open_file(c, "oc", name, 0, &c_open, NULL), NFS4_OK);
	mark = acc->sent_len;
	assert_int_equal(tu_setattr_size(b, &fh, &b_open, 0), NFS4ERR_DELAY);
	last_layoutrecall(a, mark, &rec, rfh);
	recalled = rec.clora_recall.layoutrecall4_u.lor_layout.lor_stateid;
	/* C asks for a layout during the recall: try later. */
	assert_int_equal(layoutget(c, &fh, &c_open, LAYOUTIOMODE4_RW, NULL),
			 NFS4ERR_LAYOUTTRYLATER);
	/* A returns; B truncates. C holds no layout, so nothing is
	 * recalled from or fenced for C. */
	assert_int_equal(return_layout(a, &fh, &recalled), NFS4_OK);
	assert_int_equal(tu_setattr_size(b, &fh, &b_open, 0), NFS4_OK);
	/* C's open stateid must still work on the DSs (with the handles
	 * every layout of this file carries). */
	st = ds_write(0, &li.fh[0], &c_open, 0, buf, 100, UNSTABLE4, NULL);
	tu_free_client(a);
	tu_free_client(b);
	tu_free_client(c);
	if (st != NFS4_OK) {
		print_error("BUG (pnfs/op_layout.c op_layoutget): "
			    "LAYOUTTRYLATER left a seqid-0 layout stateid; "
			    "the next layout_break fenced a client that "
			    "holds no layout (DS WRITE: %d)\n",
			    st);
		fail();
	}
}

/*
 * Layouts are kept across CLOSE (decision 0017). A holder that has the
 * file closed has nothing in flight: a truncate or remove by another
 * client sends it CB_LAYOUTRECALL but does not wait for the return, and
 * new layouts on the file are not held back meanwhile.
 */
static void test_recall_of_closed_holder_does_not_wait(void **state)
{
	struct ch_client *a = new_client_on(g_mds, tu_uniq("cl-A"), 1);
	struct ch_client *b = new_client(tu_uniq("cl-B"));
	struct ch_conn *acc = ch_conn_of(a->conn);
	const char *name = tu_uniq("cl-file");
	struct layout_info li, bli;
	stateid4 a_open, b_open, recalled;
	struct fh fh;
	CB_LAYOUTRECALL4args rec;
	char rfh[NFS4_FHSIZE];
	uint8_t buf[4096];
	size_t mark;
	unsigned nsends;

	(void)state;
	open_with_layout(a, "oa", name, &a_open, &fh, &li);
	fill_pattern(buf, sizeof(buf), 4);
	assert_int_equal(CALL(a, ch_op_seq(a, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_write(&a_open, 0, buf, sizeof(buf),
					  FILE_SYNC4)),
			 NFS4_OK);
	assert_int_equal(close_file(a, &fh, &a_open), NFS4_OK);
	assert_int_equal(open_file(b, "ob", name, 0, &b_open, NULL), NFS4_OK);
	mark = acc->sent_len;
	nsends = acc->nsends;

	/* B's truncate goes through at once; A is told. */
	assert_int_equal(tu_setattr_size(b, &fh, &b_open, 0), NFS4_OK);
	assert_int_equal(tu_size(b, &fh), 0);
	assert_int_equal(acc->nsends, nsends + 1);
	last_layoutrecall(a, mark, &rec, rfh);
	assert_memory_equal(rec.clora_recall.layoutrecall4_u.lor_layout
				    .lor_stateid.other,
			    li.sid.other, NFS4_OTHER_SIZE);
	recalled = rec.clora_recall.layoutrecall4_u.lor_layout.lor_stateid;
	/* Nobody waits on that recall: B gets a layout meanwhile, and a
	 * second truncate neither waits nor sends the recall again. */
	assert_int_equal(layoutget(b, &fh, &b_open, LAYOUTIOMODE4_RW, &bli),
			 NFS4_OK);
	assert_int_equal(tu_setattr_size(b, &fh, &b_open, 0), NFS4_OK);
	assert_int_equal(acc->nsends, nsends + 1);
	/* A returns it with the recall's stateid. */
	assert_int_equal(return_layout(a, &fh, &recalled), NFS4_OK);
	tu_free_client(a);
	tu_free_client(b);
}

/* The same for REMOVE: A (back channel), B and C (none) hold layouts of
 * the closed file; B's remove goes through at once. A is sent the recall
 * and C, which cannot be told, is not fenced: nothing of C's is revoked.
 * The file is gone and nobody has it open, so no layout on it stays
 * (layout_forget_file). */
static void test_remove_does_not_wait_for_closed_holders(void **state)
{
	struct ch_client *a = new_client_on(g_mds, tu_uniq("rc-A"), 1);
	struct ch_client *b = new_client(tu_uniq("rc-B"));
	struct ch_client *c = new_client(tu_uniq("rc-C"));
	struct ch_conn *acc = ch_conn_of(a->conn);
	const char *name = tu_uniq("rc-file");
	const char *other = tu_uniq("rc-other");
	struct layout_info ali, bli, cli, oli;
	stateid4 a_open, b_open, c_open, o_open;
	struct fh fh, cfh, ofh;
	CB_LAYOUTRECALL4args rec;
	char rfh[NFS4_FHSIZE];
	uint8_t buf[512];
	size_t mark;
	int gone;

	(void)state;
	open_with_layout(a, "oa", name, &a_open, &fh, &ali);
	open_with_layout(b, "ob", name, &b_open, &cfh, &bli);
	open_with_layout(c, "oc", name, &c_open, &cfh, &cli);
	open_with_layout(c, "oc", other, &o_open, &ofh, &oli);
	assert_int_equal(close_file(a, &fh, &a_open), NFS4_OK);
	assert_int_equal(close_file(c, &fh, &c_open), NFS4_OK);
	assert_int_equal(close_file(b, &fh, &b_open), NFS4_OK);
	mark = acc->sent_len;
	assert_int_equal(CALL(b, ch_op_seq(b, 0, 0), ch_op_putrootfh(),
			      ch_op_remove(name)),
			 NFS4_OK);
	last_layoutrecall(a, mark, &rec, rfh);
	assert_memory_equal(rec.clora_recall.layoutrecall4_u.lor_layout
				    .lor_stateid.other,
			    ali.sid.other, NFS4_OTHER_SIZE);
	pthread_mutex_lock(&g_mds->state_lock);
	gone = !stid_find_other(g_mds, (const uint8_t *)ali.sid.other) &&
	       !stid_find_other(g_mds, (const uint8_t *)bli.sid.other) &&
	       !stid_find_other(g_mds, (const uint8_t *)cli.sid.other);
	pthread_mutex_unlock(&g_mds->state_lock);
	assert_true(gone);
	fill_pattern(buf, sizeof(buf), 5);
	assert_int_equal(ds_write(oli.first, &oli.fh[oli.first], &o_open, 0,
				  buf, sizeof(buf), UNSTABLE4, NULL),
			 NFS4_OK);
	tu_free_client(a);
	tu_free_client(b);
	tu_free_client(c);
}

/* A removes a file it has open with a layout: the layout stays while the
 * open does (nfsd/state/orphan.h) and goes with the last CLOSE. */
static void test_own_removed_file_layout_goes_at_close(void **state)
{
	struct ch_client *a = new_client(tu_uniq("or-A"));
	const char *name = tu_uniq("or-file");
	struct layout_info li;
	stateid4 a_open;
	struct fh fh;
	int kept, gone;

	(void)state;
	open_with_layout(a, "oa", name, &a_open, &fh, &li);
	assert_int_equal(CALL(a, ch_op_seq(a, 0, 0), ch_op_putrootfh(),
			      ch_op_remove(name)),
			 NFS4_OK);
	pthread_mutex_lock(&g_mds->state_lock);
	kept = stid_find_other(g_mds, (const uint8_t *)li.sid.other) != NULL;
	pthread_mutex_unlock(&g_mds->state_lock);
	assert_true(kept);
	assert_int_equal(close_file(a, &fh, &a_open), NFS4_OK);
	pthread_mutex_lock(&g_mds->state_lock);
	gone = stid_find_other(g_mds, (const uint8_t *)li.sid.other) == NULL;
	pthread_mutex_unlock(&g_mds->state_lock);
	assert_true(gone);
	tu_free_client(a);
}

/* Layouts outlive CLOSE, so a client may pile them up: past
 * cfg.max_layouts (TP_TRIM_MAX here) each LAYOUTGET recalls the oldest
 * layout on a closed file (layout_trim), one at a time since the back
 * channel has one slot; a client without a back channel just loses it. */
static void open_layout_close(struct ch_client *cl, const char *prefix,
			      struct layout_info *li)
{
	stateid4 open_sid;
	struct fh fh;

	open_with_layout(cl, "o", tu_uniq(prefix), &open_sid, &fh, li);
	assert_int_equal(close_file(cl, &fh, &open_sid), NFS4_OK);
}

static void trim_state(const struct layout_info *li, int n, int *recalled,
		       int *held)
{
	pthread_mutex_lock(&g_mds->state_lock);
	for (int i = 0; i < n; i++) {
		struct nfs_stid *st = stid_find_other(
			g_mds, (const uint8_t *)li[i].sid.other);
		recalled[i] = st && st->recall_sent;
		held[i] = st != NULL;
	}
	pthread_mutex_unlock(&g_mds->state_lock);
}

static void test_layouts_trimmed_over_limit(void **state)
{
	struct ch_client *a = new_client_on(g_mds, tu_uniq("trim-A"), 1);
	struct ch_client *c = new_client(tu_uniq("trim-C"));
	struct ch_conn *acc = ch_conn_of(a->conn);
	enum { N = TP_TRIM_MAX + 2 };
	struct layout_info ali[N], cli[N];
	int rec[N], held[N], i;
	unsigned nsends;

	(void)state;
	for (i = 0; i < TP_TRIM_MAX; i++) {
		open_layout_close(a, "trim-a", &ali[i]);
		open_layout_close(c, "trim-c", &cli[i]);
	}
	nsends = acc->nsends;
	/* One over: A is asked for its oldest, C loses its oldest. */
	open_layout_close(a, "trim-a", &ali[TP_TRIM_MAX]);
	open_layout_close(c, "trim-c", &cli[TP_TRIM_MAX]);
	assert_int_equal(acc->nsends, nsends + 1);
	trim_state(ali, TP_TRIM_MAX + 1, rec, held);
	for (i = 0; i <= TP_TRIM_MAX; i++) {
		assert_int_equal(rec[i], i == 0);
		assert_true(held[i]); /* until A returns it */
	}
	trim_state(cli, TP_TRIM_MAX + 1, rec, held);
	for (i = 0; i <= TP_TRIM_MAX; i++)
		assert_int_equal(held[i], i > 0);
	/* Two over: A's back-channel slot is still busy (the harness does
	 * not answer callbacks), so nothing more is sent; C loses the next
	 * oldest. */
	open_layout_close(a, "trim-a", &ali[N - 1]);
	open_layout_close(c, "trim-c", &cli[N - 1]);
	assert_int_equal(acc->nsends, nsends + 1);
	trim_state(cli, N, rec, held);
	for (i = 0; i < N; i++)
		assert_int_equal(held[i], i > 1);
	tu_free_client(a);
	tu_free_client(c);
}

/* ------------------------------------------------------------------ */
/* Removed files                                                       */
/* ------------------------------------------------------------------ */


/* A file removed (by its opener here) before it had a layout: the opener
 * still gets one, writes through the DSs and LAYOUTCOMMITs the size onto
 * the kept inode (nfsd/state/orphan.h); the stripe objects made for it go at
 * its
 * last CLOSE although its removal wrote no reclaim record. */
static void test_unlinked_open_file_gets_layout(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("ulo"));
	const char *name = tu_uniq("ulo-file");
	struct layout_info li;
	stateid4 osid;
	struct fh fh;
	uint8_t buf[512];

	(void)state;
	assert_int_equal(open_file(cl, "o", name, 1, &osid, &fh), NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_remove(name)),
			 NFS4_OK);
	assert_int_equal(layoutget(cl, &fh, &osid, LAYOUTIOMODE4_RW, &li),
			 NFS4_OK);
	assert_int_equal(objects_on_ds(fileid_of(&fh)), NDS);
	fill_pattern(buf, sizeof(buf), 6);
	assert_int_equal(ds_write(li.first, &li.fh[li.first], &osid, 0, buf,
				  sizeof(buf), FILE_SYNC4, NULL),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_layoutcommit(0, sizeof(buf), &li.sid, 1,
						 sizeof(buf) - 1)),
			 NFS4_OK);
	assert_int_equal(tu_size(cl, &fh), sizeof(buf));
	assert_int_equal(ds_read_cmp(li.first, &li.fh[li.first], &osid, 0,
				     buf, sizeof(buf)),
			 NFS4_OK);
	assert_int_equal(close_file(cl, &fh, &osid), NFS4_OK);
	reclaim_wait_idle(g_mds->reclaim);
	assert_int_equal(objects_on_ds(fileid_of(&fh)), 0);
	tu_free_client(cl);
}

static void test_removed_file_is_stale_on_ds(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("rm"));
	const char *name = tu_uniq("rm-file");
	struct layout_info li;
	stateid4 osid;
	struct fh fh;
	uint8_t buf[512];

	(void)state;
	open_with_layout(cl, "o", name, &osid, &fh, &li);
	fill_pattern(buf, sizeof(buf), 4);
	/* Removed while open: the data stay until the last close. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_remove(name)),
			 NFS4_OK);
	for (unsigned j = 0; j < NDS; j++)
		assert_int_equal(ds_write(j, &li.fh[j], &osid, 0, buf,
					  sizeof(buf), UNSTABLE4, NULL),
				 NFS4_OK);
	assert_int_equal(close_file(cl, &fh, &osid), NFS4_OK);
	reclaim_wait_idle(g_mds->reclaim); /* frees the data (reclaim.h) */
	/* Gone: the DSs answer STALE (the Linux client then drops the
	 * layout), for READ and WRITE alike. */
	for (unsigned j = 0; j < NDS; j++) {
		assert_int_equal(ds_write(j, &li.fh[j], &osid, 0, buf,
					  sizeof(buf), UNSTABLE4, NULL),
				 NFS4ERR_STALE);
		assert_int_equal(ds_read_cmp(j, &li.fh[j], &osid, 0, buf,
					     sizeof(buf)),
				 NFS4ERR_STALE);
	}
	tu_free_client(cl);
}


/* Stripe objects are made at a file's first layout, once (ns.h,
 * ns_inode_flags): a file never given a layout has none on any DS and
 * leaves nothing to reclaim when removed. */
static void test_objects_at_first_layout(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("obj"));
	const char *name = tu_uniq("obj-file");
	struct layout_info li;
	struct ns_inode ino;
	stateid4 osid;
	struct fh fh;
	uint64_t fileid, ids[8];
	size_t n;

	(void)state;
	assert_int_equal(open_file(cl, "o", name, 1, &osid, &fh), NFS4_OK);
	fileid = fileid_of(&fh);
	assert_int_equal(objects_on_ds(fileid), 0);
	assert_int_equal(ns_getattr(g_mds->ns, fileid, &ino), 0);
	assert_int_equal(ino.flags, NS_INO_NO_DATA);
	assert_int_equal(layoutget(cl, &fh, &osid, LAYOUTIOMODE4_RW, &li),
			 NFS4_OK);
	assert_int_equal(objects_on_ds(fileid), NDS);
	assert_int_equal(ns_getattr(g_mds->ns, fileid, &ino), 0);
	assert_int_equal(ino.flags, NS_INO_DATA_PLACED);
	/* A later layout does not make them again: one removed behind the
	 * MDS's back stays missing. */
	assert_int_equal(ds_store_remove(g_ds[0]->store, fileid, 0, 0), 0);
	assert_int_equal(layoutget(cl, &fh, &li.sid, LAYOUTIOMODE4_RW, &li),
			 NFS4_OK);
	assert_int_equal(objects_on_ds(fileid), NDS - 1);
	assert_int_equal(close_file(cl, &fh, &osid), NFS4_OK);

	/* Never given a layout: removing it lists nothing to reclaim. */
	name = tu_uniq("obj-empty");
	assert_int_equal(open_file(cl, "o", name, 1, &osid, &fh), NFS4_OK);
	fileid = fileid_of(&fh);
	assert_int_equal(close_file(cl, &fh, &osid), NFS4_OK);
	reclaim_stop(g_mds->reclaim); /* so the list is seen as written */
	g_mds->reclaim = NULL;
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_remove(name)),
			 NFS4_OK);
	assert_int_equal(ns_reclaim_list(g_mds->ns, ids, NULL, 8, &n), 0);
	for (size_t i = 0; i < n; i++)
		assert_true(ids[i] != fileid);
	assert_int_equal(reclaim_start(&g_mds->reclaim, g_mds), 0);
	tu_free_client(cl);
}

/* pnfs/cluster.h: CTL_CREATE_MANY / CTL_REMOVE_MANY make and free object
 * j of every file on data server j, one call per data server; removing
 * missing objects is not an error. */
static void test_objects_many(void **state)
{
	uint64_t ids[3];

	(void)state;
	for (unsigned k = 0; k < 3; k++)
		ids[k] = (0x7aull << 40) + k; /* fileids nothing else uses */
	assert_int_equal(cluster_create_many(g_mds->cluster, ids, NULL, 0), 0);
	assert_int_equal(cluster_create_many(g_mds->cluster, ids, NULL, 3), 0);
	for (unsigned k = 0; k < 3; k++)
		assert_int_equal(objects_on_ds(ids[k]), NDS);
	assert_int_equal(cluster_remove_many(g_mds->cluster, ids, NULL, 2), 0);
	assert_int_equal(objects_on_ds(ids[0]), 0);
	assert_int_equal(objects_on_ds(ids[1]), 0);
	assert_int_equal(objects_on_ds(ids[2]), NDS);
	assert_int_equal(cluster_remove_many(g_mds->cluster, ids, NULL, 3), 0);
	assert_int_equal(objects_on_ds(ids[2]), 0);
}

/* RFC 8881 §18.36.3: a callback larger than the back channel's
 * ca_maxrequestsize is not sent (the Linux client over RDMA would drop the
 * connection); the conflict keeps waiting, and the recall goes once the
 * channel takes it. */
static void test_recall_larger_than_back_channel_not_sent(void **state)
{
	struct ch_client *a = new_client_on(g_mds, tu_uniq("bcsize-A"), 1);
	struct ch_client *b = new_client(tu_uniq("bcsize-B"));
	struct ch_conn *acc = ch_conn_of(a->conn);
	const char *name = tu_uniq("bcsize-file");
	struct nfs_session *s;
	struct layout_info li;
	stateid4 a_open, b_open;
	struct fh fh;
	uint8_t buf[4096];
	unsigned nsends;

	(void)state;
	open_with_layout(a, "oa", name, &a_open, &fh, &li);
	fill_pattern(buf, sizeof(buf), 2);
	assert_int_equal(CALL(a, ch_op_seq(a, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_write(&a_open, 0, buf, sizeof(buf),
					  FILE_SYNC4)),
			 NFS4_OK);
	assert_int_equal(open_file(b, "ob", name, 0, &b_open, NULL), NFS4_OK);
	pthread_mutex_lock(&g_mds->state_lock);
	s = session_find(g_mds, a->sessionid);
	assert_non_null(s);
	s->back.ca_maxrequestsize = 64; /* smaller than any CB_COMPOUND */
	pthread_mutex_unlock(&g_mds->state_lock);
	nsends = acc->nsends;
	assert_int_equal(tu_setattr_size(b, &fh, &b_open, 0), NFS4ERR_DELAY);
	assert_int_equal(acc->nsends, nsends);
	assert_int_equal(tu_setattr_size(b, &fh, &b_open, 0), NFS4ERR_DELAY);
	assert_int_equal(acc->nsends, nsends);
	pthread_mutex_lock(&g_mds->state_lock);
	s->back.ca_maxrequestsize = 4096;
	pthread_mutex_unlock(&g_mds->state_lock);
	assert_int_equal(tu_setattr_size(b, &fh, &b_open, 0), NFS4ERR_DELAY);
	assert_int_equal(acc->nsends, nsends + 1);
	tu_free_client(a);
	tu_free_client(b);
}

/* The object tier's policy and kept layouts (nfsd/tier_scan.h): a file
 * that A has open (with a layout) is busy; once A and B closed it, only
 * their kept layouts hold it (TIER_HELD); layout_let_go_closed() sends A
 * (back channel) a CB_LAYOUTRECALL and drops B's (none), and once A
 * returns its layout the file is free for the policy. */
static void test_tier_held_only_by_kept_layouts(void **state)
{
	struct ch_client *a = new_client_on(g_mds, tu_uniq("th-A"), 1);
	struct ch_client *b = new_client(tu_uniq("th-B"));
	struct ch_conn *acc = ch_conn_of(a->conn);
	const char *name = tu_uniq("th-file");
	struct layout_info li, bli;
	stateid4 a_open, b_open, recalled;
	CB_LAYOUTRECALL4args rec;
	char rfh[NFS4_FHSIZE];
	struct fh fh, bfh;
	size_t mark;
	unsigned nsends, n;

	(void)state;
	open_with_layout(a, "oa", name, &a_open, &fh, &li);
	open_with_layout(b, "ob", name, &b_open, &bfh, &bli);
	assert_int_equal(close_file(b, &bfh, &b_open), NFS4_OK);
	/* A has it open for writing. */
	assert_int_equal(tier_scan_busy_state(g_mds, fileid_of(&fh)), TIER_BUSY);
	assert_int_equal(close_file(a, &fh, &a_open), NFS4_OK);
	assert_int_equal(tier_scan_busy_state(g_mds, fileid_of(&fh)), TIER_HELD);
	mark = acc->sent_len;
	nsends = acc->nsends;
	pthread_mutex_lock(&g_mds->state_lock);
	n = layout_let_go_closed(g_mds, fileid_of(&fh));
	pthread_mutex_unlock(&g_mds->state_lock);
	assert_int_equal(n, 2);
	assert_int_equal(acc->nsends, nsends + 1);
	last_layoutrecall(a, mark, &rec, rfh);
	assert_memory_equal(rec.clora_recall.layoutrecall4_u.lor_layout
				    .lor_stateid.other,
			    li.sid.other, NFS4_OTHER_SIZE);
	recalled = rec.clora_recall.layoutrecall4_u.lor_layout.lor_stateid;
	/* A's is kept until it answers; asked again, nothing is resent. */
	assert_int_equal(tier_scan_busy_state(g_mds, fileid_of(&fh)), TIER_HELD);
	pthread_mutex_lock(&g_mds->state_lock);
	n = layout_let_go_closed(g_mds, fileid_of(&fh));
	pthread_mutex_unlock(&g_mds->state_lock);
	assert_int_equal(n, 0);
	assert_int_equal(acc->nsends, nsends + 1);
	assert_int_equal(return_layout(a, &fh, &recalled), NFS4_OK);
	assert_int_equal(tier_scan_busy_state(g_mds, fileid_of(&fh)), TIER_FREE);
	tu_free_client(a);
	tu_free_client(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncate_recalls_layout),
		cmocka_unit_test(test_recall_of_closed_holder_does_not_wait),
		cmocka_unit_test(test_remove_does_not_wait_for_closed_holders),
		cmocka_unit_test(test_own_removed_file_layout_goes_at_close),
		cmocka_unit_test(test_layouts_trimmed_over_limit),
		cmocka_unit_test(test_layoutget_trylater_leaves_no_layout),
		cmocka_unit_test(test_unlinked_open_file_gets_layout),
		cmocka_unit_test(test_removed_file_is_stale_on_ds),
		cmocka_unit_test(test_objects_at_first_layout),
		cmocka_unit_test(test_objects_many),
		cmocka_unit_test(test_recall_larger_than_back_channel_not_sent),
		cmocka_unit_test(test_tier_held_only_by_kept_layouts),
	};

	/* STRATA_TEST_FILTER=pattern runs only the matching tests (cmocka
	 * glob). */
	if (getenv("STRATA_TEST_FILTER"))
		cmocka_set_test_filter(getenv("STRATA_TEST_FILTER"));
	tp_max_layouts = TP_TRIM_MAX;
	return cmocka_run_group_tests(tests, tp_cluster_setup,
				      tp_cluster_teardown);
}
