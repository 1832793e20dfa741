/*
 * tests/unit/test_xdr_pnfs.c -- round-trip tests of the pNFS operations
 * (LAYOUTGET, the file layout and its device addresses, GETDEVICEINFO,
 * LAYOUTCOMMIT/LAYOUTRETURN) and the callbacks (CB_SEQUENCE, CB_RECALL,
 * CB_LAYOUTRECALL) of nfsd/xdr/nfs4_prot.x. Method as in test_xdr.c;
 * helpers in xdr_util.h.
 */
#include "xdr_util.h"

/* ------------------------------------------------------------------ */
/* pNFS                                                                */
/* ------------------------------------------------------------------ */

static void test_layoutget(void **state)
{
	(void)state;
	stateid4 s = sid(1, 'l');
	LAYOUTGET4args a, ao;
	a.loga_signal_layout_avail = FALSE;
	a.loga_layout_type = LAYOUT4_NFSV4_1_FILES;
	a.loga_iomode = LAYOUTIOMODE4_RW;
	a.loga_offset = 0;
	a.loga_length = NFS4_UINT64_MAX;
	a.loga_minlength = 4096;
	a.loga_stateid = s;
	a.loga_maxcount = 4096;
	ROUNDTRIP(LAYOUTGET4args, &a, &ao);
	assert_false(ao.loga_signal_layout_avail);
	assert_int_equal(ao.loga_layout_type, LAYOUT4_NFSV4_1_FILES);
	assert_int_equal(ao.loga_iomode, LAYOUTIOMODE4_RW);
	assert_true(ao.loga_length == NFS4_UINT64_MAX);
	assert_true(ao.loga_minlength == 4096);
	check_sid(&ao.loga_stateid, &s);
	assert_int_equal(ao.loga_maxcount, 4096);
	XFREE(LAYOUTGET4args, &ao);
	ASSERT_TRUNCATION_FAILS(LAYOUTGET4args, &a);

	char body[] = "opaque-layout-body!"; /* 19 bytes: exercises padding */
	layout4 lo[2];
	for (int i = 0; i < 2; i++) {
		lo[i].lo_offset = (uint64_t)i << 30;
		lo[i].lo_length = 1ULL << 30;
		lo[i].lo_iomode = i ? LAYOUTIOMODE4_READ : LAYOUTIOMODE4_RW;
		lo[i].lo_content.loc_type = LAYOUT4_NFSV4_1_FILES;
		lo[i].lo_content.loc_body.loc_body_len = 19;
		lo[i].lo_content.loc_body.loc_body_val = body;
	}
	LAYOUTGET4res r, ro;
	r.logr_status = NFS4_OK;
	r.LAYOUTGET4res_u.logr_resok4.logr_return_on_close = TRUE;
	r.LAYOUTGET4res_u.logr_resok4.logr_stateid = s;
	r.LAYOUTGET4res_u.logr_resok4.logr_layout.logr_layout_len = 2;
	r.LAYOUTGET4res_u.logr_resok4.logr_layout.logr_layout_val = lo;
	ROUNDTRIP(LAYOUTGET4res, &r, &ro);
	LAYOUTGET4resok *ok = &ro.LAYOUTGET4res_u.logr_resok4;
	assert_true(ok->logr_return_on_close);
	check_sid(&ok->logr_stateid, &s);
	assert_int_equal(ok->logr_layout.logr_layout_len, 2);
	for (int i = 0; i < 2; i++) {
		layout4 *l = &ok->logr_layout.logr_layout_val[i];
		assert_true(l->lo_offset == lo[i].lo_offset);
		assert_true(l->lo_length == lo[i].lo_length);
		assert_int_equal(l->lo_iomode, lo[i].lo_iomode);
		assert_int_equal(l->lo_content.loc_type, LAYOUT4_NFSV4_1_FILES);
		assert_int_equal(l->lo_content.loc_body.loc_body_len, 19);
		assert_memory_equal(l->lo_content.loc_body.loc_body_val, body, 19);
	}
	XFREE(LAYOUTGET4res, &ro);
	ASSERT_TRUNCATION_FAILS(LAYOUTGET4res, &r);

	r.logr_status = NFS4ERR_LAYOUTTRYLATER;
	r.LAYOUTGET4res_u.logr_will_signal_layout_avail = TRUE;
	ROUNDTRIP(LAYOUTGET4res, &r, &ro);
	assert_int_equal(ro.logr_status, NFS4ERR_LAYOUTTRYLATER);
	assert_true(ro.LAYOUTGET4res_u.logr_will_signal_layout_avail);
	XFREE(LAYOUTGET4res, &ro);
}

static void test_file_layout(void **state)
{
	(void)state;
	nfs_fh4 fhs[3] = { fh(FH_A, 11), fh(FH_B, 8), fh(FH_A, 5) };
	nfsv4_1_file_layout4 fl, flo;
	memcpy(fl.nfl_deviceid, "device-id-00001", NFS4_DEVICEID4_SIZE);
	fl.nfl_util = (1u << 20) | NFL4_UFLG_DENSE; /* 1 MiB stripe unit */
	fl.nfl_first_stripe_index = 2;
	fl.nfl_pattern_offset = 0;
	fl.nfl_fh_list.nfl_fh_list_len = 3;
	fl.nfl_fh_list.nfl_fh_list_val = fhs;
	ROUNDTRIP(nfsv4_1_file_layout4, &fl, &flo);
	assert_memory_equal(flo.nfl_deviceid, fl.nfl_deviceid, NFS4_DEVICEID4_SIZE);
	assert_int_equal(flo.nfl_util & NFL4_UFLG_STRIPE_UNIT_SIZE_MASK, 1u << 20);
	assert_int_equal(flo.nfl_util & NFL4_UFLG_MASK, NFL4_UFLG_DENSE);
	assert_int_equal(flo.nfl_first_stripe_index, 2);
	assert_int_equal(flo.nfl_fh_list.nfl_fh_list_len, 3);
	check_fh(&flo.nfl_fh_list.nfl_fh_list_val[0], FH_A, 11);
	check_fh(&flo.nfl_fh_list.nfl_fh_list_val[1], FH_B, 8);
	check_fh(&flo.nfl_fh_list.nfl_fh_list_val[2], FH_A, 5);
	XFREE(nfsv4_1_file_layout4, &flo);
	ASSERT_TRUNCATION_FAILS(nfsv4_1_file_layout4, &fl);

	/* File handles are bounded by NFS4_FHSIZE */
	static char bigfh[NFS4_FHSIZE + 1];
	fhs[1] = fh(bigfh, sizeof(bigfh));
	XDR x;
	xdrmem_create(&x, wire, WIRE_SIZE, XDR_ENCODE);
	assert_false(xdr_nfsv4_1_file_layout4(&x, &fl));
	xdr_destroy(&x);
	fhs[1] = fh(bigfh, NFS4_FHSIZE);
	ROUNDTRIP(nfsv4_1_file_layout4, &fl, &flo);
	assert_int_equal(flo.nfl_fh_list.nfl_fh_list_val[1].nfs_fh4_len, NFS4_FHSIZE);
	XFREE(nfsv4_1_file_layout4, &flo);

	/* Nested use: the file layout as the body of a layout_content4 */
	fhs[1] = fh(FH_B, 8);
	static _Alignas(8) char body[1024];
	u_int blen;
	ENCODE_INTO(nfsv4_1_file_layout4, &fl, body, sizeof(body), &blen);
	layout_content4 lc, lco;
	lc.loc_type = LAYOUT4_NFSV4_1_FILES;
	lc.loc_body.loc_body_len = blen;
	lc.loc_body.loc_body_val = body;
	ROUNDTRIP(layout_content4, &lc, &lco);
	DECODE_FROM(nfsv4_1_file_layout4, &flo, lco.loc_body.loc_body_val,
		    lco.loc_body.loc_body_len);
	check_fh(&flo.nfl_fh_list.nfl_fh_list_val[1], FH_B, 8);
	XFREE(nfsv4_1_file_layout4, &flo);
	XFREE(layout_content4, &lco);
}

static void test_file_layout_ds_addr(void **state)
{
	(void)state;
	uint32_t idx[4] = { 0, 1, 2, 0 };
	netaddr4 ds0[2] = { { "tcp", "192.0.2.10.8.1" }, { "tcp6", "2001:db8::a.8.1" } };
	netaddr4 ds1[1] = { { "tcp", "192.0.2.11.8.1" } };
	netaddr4 ds2[1] = { { "rdma", "192.0.2.12.78.80" } };
	multipath_list4 mp[3] = { { 2, ds0 }, { 1, ds1 }, { 1, ds2 } };

	nfsv4_1_file_layout_ds_addr4 da, dao;
	da.nflda_stripe_indices.nflda_stripe_indices_len = 4;
	da.nflda_stripe_indices.nflda_stripe_indices_val = idx;
	da.nflda_multipath_ds_list.nflda_multipath_ds_list_len = 3;
	da.nflda_multipath_ds_list.nflda_multipath_ds_list_val = mp;
	ROUNDTRIP(nfsv4_1_file_layout_ds_addr4, &da, &dao);
	assert_int_equal(dao.nflda_stripe_indices.nflda_stripe_indices_len, 4);
	assert_memory_equal(dao.nflda_stripe_indices.nflda_stripe_indices_val, idx,
			    sizeof(idx));
	assert_int_equal(dao.nflda_multipath_ds_list.nflda_multipath_ds_list_len, 3);
	multipath_list4 *om = dao.nflda_multipath_ds_list.nflda_multipath_ds_list_val;
	assert_int_equal(om[0].multipath_list4_len, 2);
	assert_string_equal(om[0].multipath_list4_val[0].na_r_netid, "tcp");
	assert_string_equal(om[0].multipath_list4_val[0].na_r_addr, "192.0.2.10.8.1");
	assert_string_equal(om[0].multipath_list4_val[1].na_r_netid, "tcp6");
	assert_string_equal(om[0].multipath_list4_val[1].na_r_addr, "2001:db8::a.8.1");
	assert_string_equal(om[1].multipath_list4_val[0].na_r_addr, "192.0.2.11.8.1");
	assert_string_equal(om[2].multipath_list4_val[0].na_r_netid, "rdma");
	XFREE(nfsv4_1_file_layout_ds_addr4, &dao);
	ASSERT_TRUNCATION_FAILS(nfsv4_1_file_layout_ds_addr4, &da);
}

static void test_getdeviceinfo(void **state)
{
	(void)state;
	uint32_t notif[] = { (1u << NOTIFY_DEVICEID4_CHANGE) | (1u << NOTIFY_DEVICEID4_DELETE) };
	GETDEVICEINFO4args a, ao;
	memcpy(a.gdia_device_id, "0123456789abcdef", NFS4_DEVICEID4_SIZE);
	a.gdia_layout_type = LAYOUT4_NFSV4_1_FILES;
	a.gdia_maxcount = 65536;
	a.gdia_notify_types = bm(notif, 1);
	ROUNDTRIP(GETDEVICEINFO4args, &a, &ao);
	assert_memory_equal(ao.gdia_device_id, "0123456789abcdef", 16);
	assert_int_equal(ao.gdia_maxcount, 65536);
	check_bm(&ao.gdia_notify_types, notif, 1);
	XFREE(GETDEVICEINFO4args, &ao);

	char addr[] = "device-address-body";
	GETDEVICEINFO4res r, ro;
	r.gdir_status = NFS4_OK;
	GETDEVICEINFO4resok *ok = &r.GETDEVICEINFO4res_u.gdir_resok4;
	ok->gdir_device_addr.da_layout_type = LAYOUT4_NFSV4_1_FILES;
	ok->gdir_device_addr.da_addr_body.da_addr_body_len = 19;
	ok->gdir_device_addr.da_addr_body.da_addr_body_val = addr;
	ok->gdir_notification = bm(notif, 1);
	ROUNDTRIP(GETDEVICEINFO4res, &r, &ro);
	assert_int_equal(ro.gdir_status, NFS4_OK);
	GETDEVICEINFO4resok *ook = &ro.GETDEVICEINFO4res_u.gdir_resok4;
	assert_int_equal(ook->gdir_device_addr.da_layout_type, LAYOUT4_NFSV4_1_FILES);
	assert_int_equal(ook->gdir_device_addr.da_addr_body.da_addr_body_len, 19);
	assert_memory_equal(ook->gdir_device_addr.da_addr_body.da_addr_body_val, addr, 19);
	check_bm(&ook->gdir_notification, notif, 1);
	XFREE(GETDEVICEINFO4res, &ro);
	ASSERT_TRUNCATION_FAILS(GETDEVICEINFO4res, &r);

	r.gdir_status = NFS4ERR_TOOSMALL;
	r.GETDEVICEINFO4res_u.gdir_mincount = 200;
	ROUNDTRIP(GETDEVICEINFO4res, &r, &ro);
	assert_int_equal(ro.gdir_status, NFS4ERR_TOOSMALL);
	assert_int_equal(ro.GETDEVICEINFO4res_u.gdir_mincount, 200);
	XFREE(GETDEVICEINFO4res, &ro);
}

static void test_layoutcommit_return(void **state)
{
	(void)state;
	stateid4 s = sid(2, 'c');
	LAYOUTCOMMIT4args a, ao;
	a.loca_offset = 0;
	a.loca_length = 8192;
	a.loca_reclaim = FALSE;
	a.loca_stateid = s;
	a.loca_last_write_offset.no_newoffset = TRUE;
	a.loca_last_write_offset.newoffset4_u.no_offset = 8191;
	a.loca_time_modify.nt_timechanged = TRUE;
	a.loca_time_modify.newtime4_u.nt_time = (nfstime4){ 1234, 5678 };
	a.loca_layoutupdate.lou_type = LAYOUT4_NFSV4_1_FILES;
	a.loca_layoutupdate.lou_body.lou_body_len = 0;
	a.loca_layoutupdate.lou_body.lou_body_val = NULL;
	ROUNDTRIP(LAYOUTCOMMIT4args, &a, &ao);
	assert_true(ao.loca_last_write_offset.no_newoffset);
	assert_true(ao.loca_last_write_offset.newoffset4_u.no_offset == 8191);
	assert_true(ao.loca_time_modify.newtime4_u.nt_time.seconds == 1234);
	check_sid(&ao.loca_stateid, &s);
	XFREE(LAYOUTCOMMIT4args, &ao);

	LAYOUTRETURN4args ra, rao;
	ra.lora_reclaim = FALSE;
	ra.lora_layout_type = LAYOUT4_NFSV4_1_FILES;
	ra.lora_iomode = LAYOUTIOMODE4_ANY;
	ra.lora_layoutreturn.lr_returntype = LAYOUTRETURN4_FILE;
	layoutreturn_file4 *lf = &ra.lora_layoutreturn.layoutreturn4_u.lr_layout;
	lf->lrf_offset = 0;
	lf->lrf_length = NFS4_UINT64_MAX;
	lf->lrf_stateid = s;
	lf->lrf_body.lrf_body_len = 0;
	lf->lrf_body.lrf_body_val = NULL;
	ROUNDTRIP(LAYOUTRETURN4args, &ra, &rao);
	assert_int_equal(rao.lora_layoutreturn.lr_returntype, LAYOUTRETURN4_FILE);
	check_sid(&rao.lora_layoutreturn.layoutreturn4_u.lr_layout.lrf_stateid, &s);
	XFREE(LAYOUTRETURN4args, &rao);

	ra.lora_layoutreturn.lr_returntype = LAYOUTRETURN4_ALL;
	ROUNDTRIP(LAYOUTRETURN4args, &ra, &rao);
	assert_int_equal(rao.lora_layoutreturn.lr_returntype, LAYOUTRETURN4_ALL);
	XFREE(LAYOUTRETURN4args, &rao);
}

/* ------------------------------------------------------------------ */
/* Callbacks                                                           */
/* ------------------------------------------------------------------ */

static void test_cb_sequence(void **state)
{
	(void)state;
	referring_call4 rc0[2] = { { 10, 0 }, { 11, 3 } };
	referring_call4 rc1[1] = { { 99, 7 } };
	referring_call_list4 rcl[2];
	memset(rcl[0].rcl_sessionid, 0xaa, NFS4_SESSIONID_SIZE);
	rcl[0].rcl_referring_calls.rcl_referring_calls_len = 2;
	rcl[0].rcl_referring_calls.rcl_referring_calls_val = rc0;
	memset(rcl[1].rcl_sessionid, 0xbb, NFS4_SESSIONID_SIZE);
	rcl[1].rcl_referring_calls.rcl_referring_calls_len = 1;
	rcl[1].rcl_referring_calls.rcl_referring_calls_val = rc1;

	CB_SEQUENCE4args a, ao;
	memset(a.csa_sessionid, 0x42, NFS4_SESSIONID_SIZE);
	a.csa_sequenceid = 5;
	a.csa_slotid = 0;
	a.csa_highest_slotid = 0;
	a.csa_cachethis = FALSE;
	a.csa_referring_call_lists.csa_referring_call_lists_len = 2;
	a.csa_referring_call_lists.csa_referring_call_lists_val = rcl;
	ROUNDTRIP(CB_SEQUENCE4args, &a, &ao);
	assert_memory_equal(ao.csa_sessionid, a.csa_sessionid, NFS4_SESSIONID_SIZE);
	assert_int_equal(ao.csa_sequenceid, 5);
	assert_int_equal(ao.csa_referring_call_lists.csa_referring_call_lists_len, 2);
	referring_call_list4 *o = ao.csa_referring_call_lists.csa_referring_call_lists_val;
	assert_memory_equal(o[0].rcl_sessionid, rcl[0].rcl_sessionid, NFS4_SESSIONID_SIZE);
	assert_int_equal(o[0].rcl_referring_calls.rcl_referring_calls_len, 2);
	assert_int_equal(o[0].rcl_referring_calls.rcl_referring_calls_val[1].rc_sequenceid, 11);
	assert_int_equal(o[0].rcl_referring_calls.rcl_referring_calls_val[1].rc_slotid, 3);
	assert_memory_equal(o[1].rcl_sessionid, rcl[1].rcl_sessionid, NFS4_SESSIONID_SIZE);
	assert_int_equal(o[1].rcl_referring_calls.rcl_referring_calls_val[0].rc_sequenceid, 99);
	assert_int_equal(o[1].rcl_referring_calls.rcl_referring_calls_val[0].rc_slotid, 7);
	XFREE(CB_SEQUENCE4args, &ao);
	ASSERT_TRUNCATION_FAILS(CB_SEQUENCE4args, &a);

	CB_SEQUENCE4res r, ro;
	r.csr_status = NFS4_OK;
	memset(r.CB_SEQUENCE4res_u.csr_resok4.csr_sessionid, 0x42, NFS4_SESSIONID_SIZE);
	r.CB_SEQUENCE4res_u.csr_resok4.csr_sequenceid = 5;
	r.CB_SEQUENCE4res_u.csr_resok4.csr_slotid = 0;
	r.CB_SEQUENCE4res_u.csr_resok4.csr_highest_slotid = 0;
	r.CB_SEQUENCE4res_u.csr_resok4.csr_target_highest_slotid = 0;
	ROUNDTRIP(CB_SEQUENCE4res, &r, &ro);
	assert_int_equal(ro.CB_SEQUENCE4res_u.csr_resok4.csr_sequenceid, 5);
	XFREE(CB_SEQUENCE4res, &ro);
}

static void test_cb_recall(void **state)
{
	(void)state;
	stateid4 s = sid(1, 'r');
	CB_RECALL4args a, ao;
	a.stateid = s;
	a.truncate = TRUE;
	a.fh = fh(FH_B, 8);
	ROUNDTRIP(CB_RECALL4args, &a, &ao);
	check_sid(&ao.stateid, &s);
	assert_true(ao.truncate);
	check_fh(&ao.fh, FH_B, 8);
	XFREE(CB_RECALL4args, &ao);
	ASSERT_TRUNCATION_FAILS(CB_RECALL4args, &a);

	/* Inside a CB_COMPOUND, behind CB_SEQUENCE */
	nfs_cb_argop4 ops[2];
	memset(ops, 0, sizeof(ops));
	ops[0].argop = OP_CB_SEQUENCE;
	ops[0].nfs_cb_argop4_u.opcbsequence.csa_sequenceid = 1;
	ops[1].argop = OP_CB_RECALL;
	ops[1].nfs_cb_argop4_u.opcbrecall = a;
	CB_COMPOUND4args c, co;
	c.tag = str("cb");
	c.minorversion = 1;
	c.callback_ident = 0;
	c.argarray.argarray_len = 2;
	c.argarray.argarray_val = ops;
	ROUNDTRIP(CB_COMPOUND4args, &c, &co);
	check_str(&co.tag, "cb");
	assert_int_equal(co.minorversion, 1);
	assert_int_equal(co.argarray.argarray_len, 2);
	assert_int_equal(co.argarray.argarray_val[1].argop, OP_CB_RECALL);
	check_fh(&co.argarray.argarray_val[1].nfs_cb_argop4_u.opcbrecall.fh, FH_B, 8);
	XFREE(CB_COMPOUND4args, &co);
}

static void test_cb_layoutrecall(void **state)
{
	(void)state;
	stateid4 s = sid(3, 'y');
	static const layoutrecall_type4 types[] = {
		LAYOUTRECALL4_FILE, LAYOUTRECALL4_FSID, LAYOUTRECALL4_ALL
	};
	for (size_t i = 0; i < 3; i++) {
		CB_LAYOUTRECALL4args a, ao;
		memset(&a, 0, sizeof(a));
		a.clora_type = LAYOUT4_NFSV4_1_FILES;
		a.clora_iomode = LAYOUTIOMODE4_ANY;
		a.clora_changed = TRUE;
		a.clora_recall.lor_recalltype = types[i];
		if (types[i] == LAYOUTRECALL4_FILE) {
			layoutrecall_file4 *f = &a.clora_recall.layoutrecall4_u.lor_layout;
			f->lor_fh = fh(FH_A, 11);
			f->lor_offset = 0;
			f->lor_length = NFS4_UINT64_MAX;
			f->lor_stateid = s;
		} else if (types[i] == LAYOUTRECALL4_FSID) {
			a.clora_recall.layoutrecall4_u.lor_fsid = (fsid4){ 1, 2 };
		}
		ROUNDTRIP(CB_LAYOUTRECALL4args, &a, &ao);
		assert_int_equal(ao.clora_type, LAYOUT4_NFSV4_1_FILES);
		assert_int_equal(ao.clora_iomode, LAYOUTIOMODE4_ANY);
		assert_true(ao.clora_changed);
		assert_int_equal(ao.clora_recall.lor_recalltype, types[i]);
		if (types[i] == LAYOUTRECALL4_FILE) {
			layoutrecall_file4 *f = &ao.clora_recall.layoutrecall4_u.lor_layout;
			check_fh(&f->lor_fh, FH_A, 11);
			assert_true(f->lor_length == NFS4_UINT64_MAX);
			check_sid(&f->lor_stateid, &s);
		} else if (types[i] == LAYOUTRECALL4_FSID) {
			assert_true(ao.clora_recall.layoutrecall4_u.lor_fsid.major == 1);
			assert_true(ao.clora_recall.layoutrecall4_u.lor_fsid.minor == 2);
		}
		XFREE(CB_LAYOUTRECALL4args, &ao);
		ASSERT_TRUNCATION_FAILS(CB_LAYOUTRECALL4args, &a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layoutget),
		cmocka_unit_test(test_file_layout),
		cmocka_unit_test(test_file_layout_ds_addr),
		cmocka_unit_test(test_getdeviceinfo),
		cmocka_unit_test(test_layoutcommit_return),
		cmocka_unit_test(test_cb_sequence),
		cmocka_unit_test(test_cb_recall),
		cmocka_unit_test(test_cb_layoutrecall),
	};
	return cmocka_run_group_tests_name("xdr_pnfs", tests, NULL, NULL);
}
