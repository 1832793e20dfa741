/*
 * tests/unit/test_xdr.c -- round-trip tests for the rpcgen-generated
 * NFSv4.1 XDR routines (nfsd/xdr/nfs4_prot.x) and the hand-written
 * strata_payload codec (nfsd/xdr/payload.c).
 *
 * Each round trip: build a value, encode it with xdrmem, decode it into a
 * zeroed object, check that exactly the encoded bytes were consumed,
 * compare field by field, re-encode the decoded object and check the
 * bytes are identical, then xdr_free() the decoded object (the ASan build
 * turns a leak or double free into a failure).  Negative tests check that
 * every strict prefix of an encoding fails to decode.
 *
 * This file: COMPOUND, sessions and client IDs, OPEN. READ/WRITE, READDIR,
 * LOCK, namespace operations, attributes and malformed input are in
 * test_xdr_ops.c; pNFS and callbacks in test_xdr_pnfs.c; the helpers in
 * xdr_util.h.
 */
#include "xdr_util.h"

/* ------------------------------------------------------------------ */
/* COMPOUND                                                            */
/* ------------------------------------------------------------------ */

static void test_compound_args(void **state)
{
	(void)state;
	uint32_t req[] = { 0x0000001a, 0x00b0a23a };
	nfs_argop4 ops[4];
	memset(ops, 0, sizeof(ops));

	ops[0].argop = OP_SEQUENCE;
	SEQUENCE4args *sa = &ops[0].nfs_argop4_u.opsequence;
	memset(sa->sa_sessionid, 0x5a, NFS4_SESSIONID_SIZE);
	sa->sa_sequenceid = 7;
	sa->sa_slotid = 3;
	sa->sa_highest_slotid = 15;
	sa->sa_cachethis = TRUE;

	ops[1].argop = OP_PUTFH;
	ops[1].nfs_argop4_u.opputfh.object = fh(FH_A, 11);

	ops[2].argop = OP_GETATTR;
	ops[2].nfs_argop4_u.opgetattr.attr_request = bm(req, 2);

	ops[3].argop = OP_GETFH; /* void arm */

	COMPOUND4args in, out;
	in.tag = str("strata-test");
	in.minorversion = 1;
	in.argarray.argarray_len = 4;
	in.argarray.argarray_val = ops;

	ROUNDTRIP(COMPOUND4args, &in, &out);
	check_str(&out.tag, "strata-test");
	assert_int_equal(out.minorversion, 1);
	assert_int_equal(out.argarray.argarray_len, 4);
	nfs_argop4 *o = out.argarray.argarray_val;
	assert_int_equal(o[0].argop, OP_SEQUENCE);
	assert_memory_equal(o[0].nfs_argop4_u.opsequence.sa_sessionid,
			    sa->sa_sessionid, NFS4_SESSIONID_SIZE);
	assert_int_equal(o[0].nfs_argop4_u.opsequence.sa_sequenceid, 7);
	assert_int_equal(o[0].nfs_argop4_u.opsequence.sa_slotid, 3);
	assert_int_equal(o[0].nfs_argop4_u.opsequence.sa_highest_slotid, 15);
	assert_true(o[0].nfs_argop4_u.opsequence.sa_cachethis);
	assert_int_equal(o[1].argop, OP_PUTFH);
	check_fh(&o[1].nfs_argop4_u.opputfh.object, FH_A, 11);
	assert_int_equal(o[2].argop, OP_GETATTR);
	check_bm(&o[2].nfs_argop4_u.opgetattr.attr_request, req, 2);
	assert_int_equal(o[3].argop, OP_GETFH);
	XFREE(COMPOUND4args, &out);

	ASSERT_TRUNCATION_FAILS(COMPOUND4args, &in);
}

/*
 * The COMPOUND header (tag, minorversion, op count) can be decoded on its
 * own, leaving the stream positioned at the first nfs_argop4: this is how
 * the server's COMPOUND decoder walks the op array one op at a time.
 */
static void test_compound_header_then_ops(void **state)
{
	(void)state;
	nfs_argop4 ops[2];
	memset(ops, 0, sizeof(ops));
	ops[0].argop = OP_PUTROOTFH;
	ops[1].argop = OP_LOOKUP;
	ops[1].nfs_argop4_u.oplookup.objname = str("export");

	COMPOUND4args in;
	in.tag = str("");
	in.minorversion = 1;
	in.argarray.argarray_len = 2;
	in.argarray.argarray_val = ops;
	u_int n;
	ENCODE_INTO(COMPOUND4args, &in, wire, WIRE_SIZE, &n);

	XDR x;
	xdrmem_create(&x, wire, n, XDR_DECODE);
	utf8str_cs tag = { 0, NULL };
	uint32_t minor = 0;
	u_int count = 0;
	assert_true(xdr_utf8str_cs(&x, &tag));
	assert_true(xdr_uint32_t(&x, &minor));
	assert_true(xdr_u_int(&x, &count));
	assert_int_equal(tag.utf8string_len, 0);
	assert_int_equal(minor, 1);
	assert_int_equal(count, 2);
	for (u_int i = 0; i < count; i++) {
		nfs_opnum4 op;
		assert_true(xdr_nfs_opnum4(&x, &op));
		assert_int_equal(op, ops[i].argop);
		if (op == OP_LOOKUP) {
			LOOKUP4args la;
			memset(&la, 0, sizeof(la));
			assert_true(xdr_LOOKUP4args(&x, &la));
			check_str(&la.objname, "export");
			XFREE(LOOKUP4args, &la);
		}
	}
	assert_int_equal(xdr_getpos(&x), n);
	xdr_destroy(&x);
	XFREE(utf8str_cs, &tag);
}

static void test_compound_res(void **state)
{
	(void)state;
	nfs_resop4 ops[3];
	memset(ops, 0, sizeof(ops));
	ops[0].resop = OP_SEQUENCE;
	ops[0].nfs_resop4_u.opsequence.sr_status = NFS4_OK;
	SEQUENCE4resok *sr = &ops[0].nfs_resop4_u.opsequence.SEQUENCE4res_u.sr_resok4;
	memset(sr->sr_sessionid, 0x11, NFS4_SESSIONID_SIZE);
	sr->sr_sequenceid = 2;
	ops[1].resop = OP_PUTFH;
	ops[1].nfs_resop4_u.opputfh.status = NFS4_OK;
	ops[2].resop = OP_LOOKUP;
	ops[2].nfs_resop4_u.oplookup.status = NFS4ERR_NOENT;

	COMPOUND4res in, out;
	in.status = NFS4ERR_NOENT;
	in.tag = str("t");
	in.resarray.resarray_len = 3;
	in.resarray.resarray_val = ops;
	ROUNDTRIP(COMPOUND4res, &in, &out);
	assert_int_equal(out.status, NFS4ERR_NOENT);
	check_str(&out.tag, "t");
	assert_int_equal(out.resarray.resarray_len, 3);
	assert_int_equal(out.resarray.resarray_val[2].resop, OP_LOOKUP);
	assert_int_equal(out.resarray.resarray_val[2].nfs_resop4_u.oplookup.status,
			 NFS4ERR_NOENT);
	assert_int_equal(out.resarray.resarray_val[0].nfs_resop4_u.opsequence
				 .SEQUENCE4res_u.sr_resok4.sr_sequenceid, 2);
	XFREE(COMPOUND4res, &out);
}

/* Every opcode's args and results round trip through the op unions. */
static const nfs_opnum4 all_ops[] = {
	OP_ACCESS, OP_CLOSE, OP_COMMIT, OP_CREATE, OP_DELEGPURGE,
	OP_DELEGRETURN, OP_GETATTR, OP_GETFH, OP_LINK, OP_LOCK, OP_LOCKT,
	OP_LOCKU, OP_LOOKUP, OP_LOOKUPP, OP_NVERIFY, OP_OPEN, OP_OPENATTR,
	OP_OPEN_CONFIRM, OP_OPEN_DOWNGRADE, OP_PUTFH, OP_PUTPUBFH,
	OP_PUTROOTFH, OP_READ, OP_READDIR, OP_READLINK, OP_REMOVE, OP_RENAME,
	OP_RENEW, OP_RESTOREFH, OP_SAVEFH, OP_SECINFO, OP_SETATTR,
	OP_SETCLIENTID, OP_SETCLIENTID_CONFIRM, OP_VERIFY, OP_WRITE,
	OP_RELEASE_LOCKOWNER, OP_BACKCHANNEL_CTL, OP_BIND_CONN_TO_SESSION,
	OP_EXCHANGE_ID, OP_CREATE_SESSION, OP_DESTROY_SESSION,
	OP_FREE_STATEID, OP_GET_DIR_DELEGATION, OP_GETDEVICEINFO,
	OP_GETDEVICELIST, OP_LAYOUTCOMMIT, OP_LAYOUTGET, OP_LAYOUTRETURN,
	OP_SECINFO_NO_NAME, OP_SEQUENCE, OP_SET_SSV, OP_TEST_STATEID,
	OP_WANT_DELEGATION, OP_DESTROY_CLIENTID, OP_RECLAIM_COMPLETE,
	OP_ILLEGAL,
};

static void test_every_op_zero_value(void **state)
{
	(void)state;
	size_t nops = sizeof(all_ops) / sizeof(all_ops[0]);
	assert_int_equal(nops, 58 - 3 + 1 + 1);
	for (size_t i = 0; i < nops; i++) {
		nfs_argop4 a, ao;
		memset(&a, 0, sizeof(a));
		a.argop = all_ops[i];
		/* zero is not a valid deleg_claim4 arm */
		if (a.argop == OP_WANT_DELEGATION)
			a.nfs_argop4_u.opwant_delegation.wda_claim.dc_claim = CLAIM_FH;
		/* xdr_string() cannot encode a NULL string */
		if (a.argop == OP_SETCLIENTID) {
			a.nfs_argop4_u.opsetclientid.callback.cb_location.na_r_netid = "";
			a.nfs_argop4_u.opsetclientid.callback.cb_location.na_r_addr = "";
		}
		ROUNDTRIP(nfs_argop4, &a, &ao);
		assert_int_equal(ao.argop, all_ops[i]);
		XFREE(nfs_argop4, &ao);

		nfs_resop4 r, ro;
		memset(&r, 0, sizeof(r));
		r.resop = all_ops[i];
		ROUNDTRIP(nfs_resop4, &r, &ro);
		assert_int_equal(ro.resop, all_ops[i]);
		XFREE(nfs_resop4, &ro);
	}
}

/* ------------------------------------------------------------------ */
/* Session and client ID                                               */
/* ------------------------------------------------------------------ */

static void test_sequence(void **state)
{
	(void)state;
	SEQUENCE4args a, ao;
	for (int i = 0; i < NFS4_SESSIONID_SIZE; i++)
		a.sa_sessionid[i] = (char)(0xa0 + i);
	a.sa_sequenceid = 0xfffffffe;
	a.sa_slotid = 0;
	a.sa_highest_slotid = 63;
	a.sa_cachethis = FALSE;
	ROUNDTRIP(SEQUENCE4args, &a, &ao);
	assert_memory_equal(ao.sa_sessionid, a.sa_sessionid, NFS4_SESSIONID_SIZE);
	assert_int_equal(ao.sa_sequenceid, 0xfffffffe);
	assert_int_equal(ao.sa_slotid, 0);
	assert_int_equal(ao.sa_highest_slotid, 63);
	assert_false(ao.sa_cachethis);
	XFREE(SEQUENCE4args, &ao);
	ASSERT_TRUNCATION_FAILS(SEQUENCE4args, &a);

	SEQUENCE4res r, ro;
	r.sr_status = NFS4_OK;
	SEQUENCE4resok *ok = &r.SEQUENCE4res_u.sr_resok4;
	memcpy(ok->sr_sessionid, a.sa_sessionid, NFS4_SESSIONID_SIZE);
	ok->sr_sequenceid = 9;
	ok->sr_slotid = 1;
	ok->sr_highest_slotid = 31;
	ok->sr_target_highest_slotid = 30;
	ok->sr_status_flags = SEQ4_STATUS_CB_PATH_DOWN | SEQ4_STATUS_DEVID_DELETED;
	ROUNDTRIP(SEQUENCE4res, &r, &ro);
	assert_int_equal(ro.sr_status, NFS4_OK);
	SEQUENCE4resok *ook = &ro.SEQUENCE4res_u.sr_resok4;
	assert_memory_equal(ook->sr_sessionid, a.sa_sessionid, NFS4_SESSIONID_SIZE);
	assert_int_equal(ook->sr_sequenceid, 9);
	assert_int_equal(ook->sr_slotid, 1);
	assert_int_equal(ook->sr_highest_slotid, 31);
	assert_int_equal(ook->sr_target_highest_slotid, 30);
	assert_int_equal(ook->sr_status_flags, 0x1001);
	XFREE(SEQUENCE4res, &ro);
	ASSERT_TRUNCATION_FAILS(SEQUENCE4res, &r);

	/* Error result carries no body: 4 bytes on the wire. */
	r.sr_status = NFS4ERR_BADSESSION;
	u_int n;
	ENCODE_INTO(SEQUENCE4res, &r, wire, WIRE_SIZE, &n);
	assert_int_equal(n, 4);
}

static void test_exchange_id(void **state)
{
	(void)state;
	uint32_t enforce[] = { 1u << (OP_SEQUENCE - 32) };
	uint32_t allow[] = { 0, 1u << (OP_DESTROY_SESSION - 32) };
	nfs_impl_id4 cimpl = { str("kernel.org"), str("Linux 6.1"), { 1700000000, 5 } };

	EXCHANGE_ID4args a, ao;
	memcpy(a.eia_clientowner.co_verifier, "VERIFIER", NFS4_VERIFIER_SIZE);
	a.eia_clientowner.co_ownerid.co_ownerid_len = 23;
	a.eia_clientowner.co_ownerid.co_ownerid_val = "Linux NFSv4.1 host-0001";
	a.eia_flags = EXCHGID4_FLAG_SUPP_MOVED_REFER | EXCHGID4_FLAG_USE_PNFS_MDS;
	a.eia_state_protect.spa_how = SP4_MACH_CRED;
	a.eia_state_protect.state_protect4_a_u.spa_mach_ops.spo_must_enforce = bm(enforce, 1);
	a.eia_state_protect.state_protect4_a_u.spa_mach_ops.spo_must_allow = bm(allow, 2);
	a.eia_client_impl_id.eia_client_impl_id_len = 1;
	a.eia_client_impl_id.eia_client_impl_id_val = &cimpl;
	ROUNDTRIP(EXCHANGE_ID4args, &a, &ao);
	assert_memory_equal(ao.eia_clientowner.co_verifier, "VERIFIER", 8);
	assert_int_equal(ao.eia_clientowner.co_ownerid.co_ownerid_len, 23);
	assert_memory_equal(ao.eia_clientowner.co_ownerid.co_ownerid_val,
			    "Linux NFSv4.1 host-0001", 23);
	assert_int_equal(ao.eia_flags, 0x20001);
	assert_int_equal(ao.eia_state_protect.spa_how, SP4_MACH_CRED);
	check_bm(&ao.eia_state_protect.state_protect4_a_u.spa_mach_ops.spo_must_enforce,
		 enforce, 1);
	check_bm(&ao.eia_state_protect.state_protect4_a_u.spa_mach_ops.spo_must_allow,
		 allow, 2);
	assert_int_equal(ao.eia_client_impl_id.eia_client_impl_id_len, 1);
	nfs_impl_id4 *ci = ao.eia_client_impl_id.eia_client_impl_id_val;
	check_str(&ci->nii_domain, "kernel.org");
	check_str(&ci->nii_name, "Linux 6.1");
	assert_true(ci->nii_date.seconds == 1700000000);
	assert_int_equal(ci->nii_date.nseconds, 5);
	XFREE(EXCHANGE_ID4args, &ao);
	ASSERT_TRUNCATION_FAILS(EXCHANGE_ID4args, &a);

	/* nfs_impl_id4 is optional (<1>): absent, and two is illegal */
	a.eia_state_protect.spa_how = SP4_NONE;
	a.eia_client_impl_id.eia_client_impl_id_len = 0;
	a.eia_client_impl_id.eia_client_impl_id_val = NULL;
	ROUNDTRIP(EXCHANGE_ID4args, &a, &ao);
	assert_int_equal(ao.eia_client_impl_id.eia_client_impl_id_len, 0);
	assert_int_equal(ao.eia_state_protect.spa_how, SP4_NONE);
	XFREE(EXCHANGE_ID4args, &ao);

	nfs_impl_id4 simpl = { str("strata.example"), str("strata 0.1"), { -1, 999999999 } };
	EXCHANGE_ID4res r, ro;
	r.eir_status = NFS4_OK;
	EXCHANGE_ID4resok *ok = &r.EXCHANGE_ID4res_u.eir_resok4;
	ok->eir_clientid = 0x0123456789abcdefULL;
	ok->eir_sequenceid = 1;
	ok->eir_flags = EXCHGID4_FLAG_USE_PNFS_MDS | EXCHGID4_FLAG_CONFIRMED_R;
	ok->eir_state_protect.spr_how = SP4_NONE;
	ok->eir_server_owner.so_minor_id = 42;
	ok->eir_server_owner.so_major_id.so_major_id_len = 6;
	ok->eir_server_owner.so_major_id.so_major_id_val = "strata";
	ok->eir_server_scope.eir_server_scope_len = 5;
	ok->eir_server_scope.eir_server_scope_val = "scope";
	ok->eir_server_impl_id.eir_server_impl_id_len = 1;
	ok->eir_server_impl_id.eir_server_impl_id_val = &simpl;
	ROUNDTRIP(EXCHANGE_ID4res, &r, &ro);
	assert_int_equal(ro.eir_status, NFS4_OK);
	EXCHANGE_ID4resok *ook = &ro.EXCHANGE_ID4res_u.eir_resok4;
	assert_true(ook->eir_clientid == 0x0123456789abcdefULL);
	assert_int_equal(ook->eir_sequenceid, 1);
	assert_int_equal(ook->eir_flags, 0x80020000u);
	assert_int_equal(ook->eir_state_protect.spr_how, SP4_NONE);
	assert_true(ook->eir_server_owner.so_minor_id == 42);
	assert_int_equal(ook->eir_server_owner.so_major_id.so_major_id_len, 6);
	assert_memory_equal(ook->eir_server_owner.so_major_id.so_major_id_val, "strata", 6);
	assert_int_equal(ook->eir_server_scope.eir_server_scope_len, 5);
	assert_memory_equal(ook->eir_server_scope.eir_server_scope_val, "scope", 5);
	assert_int_equal(ook->eir_server_impl_id.eir_server_impl_id_len, 1);
	check_str(&ook->eir_server_impl_id.eir_server_impl_id_val->nii_name, "strata 0.1");
	assert_true(ook->eir_server_impl_id.eir_server_impl_id_val->nii_date.seconds == -1);
	assert_int_equal(ook->eir_server_impl_id.eir_server_impl_id_val->nii_date.nseconds,
			 999999999);
	XFREE(EXCHANGE_ID4res, &ro);
	ASSERT_TRUNCATION_FAILS(EXCHANGE_ID4res, &r);

	/* co_ownerid is bounded by NFS4_OPAQUE_LIMIT */
	static char big[NFS4_OPAQUE_LIMIT + 1];
	a.eia_clientowner.co_ownerid.co_ownerid_len = sizeof(big);
	a.eia_clientowner.co_ownerid.co_ownerid_val = big;
	XDR x;
	xdrmem_create(&x, wire, WIRE_SIZE, XDR_ENCODE);
	assert_false(xdr_EXCHANGE_ID4args(&x, &a));
	xdr_destroy(&x);
}

static void check_chan(const channel_attrs4 *a, const channel_attrs4 *b)
{
	assert_int_equal(a->ca_headerpadsize, b->ca_headerpadsize);
	assert_int_equal(a->ca_maxrequestsize, b->ca_maxrequestsize);
	assert_int_equal(a->ca_maxresponsesize, b->ca_maxresponsesize);
	assert_int_equal(a->ca_maxresponsesize_cached, b->ca_maxresponsesize_cached);
	assert_int_equal(a->ca_maxoperations, b->ca_maxoperations);
	assert_int_equal(a->ca_maxrequests, b->ca_maxrequests);
	assert_int_equal(a->ca_rdma_ird.ca_rdma_ird_len, b->ca_rdma_ird.ca_rdma_ird_len);
	if (b->ca_rdma_ird.ca_rdma_ird_len)
		assert_int_equal(a->ca_rdma_ird.ca_rdma_ird_val[0],
				 b->ca_rdma_ird.ca_rdma_ird_val[0]);
}

static void test_create_session(void **state)
{
	(void)state;
	uint32_t ird = 16;
	uint32_t gids[3] = { 10, 20, 30 };
	callback_sec_parms4 sec[3];
	memset(sec, 0, sizeof(sec));
	sec[0].cb_secflavor = AUTH_SYS;
	authsys_parms4 *sys = &sec[0].callback_sec_parms4_u.cbsp_sys_cred;
	sys->stamp = 0x12345678;
	sys->machinename = "client.example";
	sys->uid = 1000;
	sys->gid = 100;
	sys->gids.gids_len = 3;
	sys->gids.gids_val = gids;
	sec[1].cb_secflavor = AUTH_NONE;
	sec[2].cb_secflavor = RPCSEC_GSS;
	gss_cb_handles4 *g = &sec[2].callback_sec_parms4_u.cbsp_gss_handles;
	g->gcbp_service = RPC_GSS_SVC_INTEGRITY;
	g->gcbp_handle_from_server.gsshandle4_t_len = 4;
	g->gcbp_handle_from_server.gsshandle4_t_val = "srvh";
	g->gcbp_handle_from_client.gsshandle4_t_len = 3;
	g->gcbp_handle_from_client.gsshandle4_t_val = "clh";

	CREATE_SESSION4args a, ao;
	a.csa_clientid = 0xdeadbeef00000001ULL;
	a.csa_sequence = 1;
	a.csa_flags = CREATE_SESSION4_FLAG_PERSIST | CREATE_SESSION4_FLAG_CONN_BACK_CHAN;
	a.csa_fore_chan_attrs = (channel_attrs4){ 0, 1049620, 1049480, 7584, 16, 64, { 0, NULL } };
	a.csa_back_chan_attrs = (channel_attrs4){ 0, 4096, 4096, 0, 2, 1, { 1, &ird } };
	a.csa_cb_program = 0x40000000;
	a.csa_sec_parms.csa_sec_parms_len = 3;
	a.csa_sec_parms.csa_sec_parms_val = sec;
	ROUNDTRIP(CREATE_SESSION4args, &a, &ao);
	assert_true(ao.csa_clientid == 0xdeadbeef00000001ULL);
	assert_int_equal(ao.csa_sequence, 1);
	assert_int_equal(ao.csa_flags, 3);
	check_chan(&ao.csa_fore_chan_attrs, &a.csa_fore_chan_attrs);
	check_chan(&ao.csa_back_chan_attrs, &a.csa_back_chan_attrs);
	assert_int_equal(ao.csa_cb_program, 0x40000000);
	assert_int_equal(ao.csa_sec_parms.csa_sec_parms_len, 3);
	callback_sec_parms4 *os = ao.csa_sec_parms.csa_sec_parms_val;
	assert_int_equal(os[0].cb_secflavor, AUTH_SYS);
	authsys_parms4 *osys = &os[0].callback_sec_parms4_u.cbsp_sys_cred;
	assert_int_equal(osys->stamp, 0x12345678);
	assert_string_equal(osys->machinename, "client.example");
	assert_int_equal(osys->uid, 1000);
	assert_int_equal(osys->gid, 100);
	assert_int_equal(osys->gids.gids_len, 3);
	assert_memory_equal(osys->gids.gids_val, gids, sizeof(gids));
	assert_int_equal(os[1].cb_secflavor, AUTH_NONE);
	assert_int_equal(os[2].cb_secflavor, RPCSEC_GSS);
	gss_cb_handles4 *og = &os[2].callback_sec_parms4_u.cbsp_gss_handles;
	assert_int_equal(og->gcbp_service, RPC_GSS_SVC_INTEGRITY);
	assert_int_equal(og->gcbp_handle_from_server.gsshandle4_t_len, 4);
	assert_memory_equal(og->gcbp_handle_from_server.gsshandle4_t_val, "srvh", 4);
	assert_memory_equal(og->gcbp_handle_from_client.gsshandle4_t_val, "clh", 3);
	XFREE(CREATE_SESSION4args, &ao);
	ASSERT_TRUNCATION_FAILS(CREATE_SESSION4args, &a);

	/* AUTH_SYS limits: at most 16 gids */
	uint32_t many[17] = { 0 };
	sys->gids.gids_len = 17;
	sys->gids.gids_val = many;
	XDR x;
	xdrmem_create(&x, wire, WIRE_SIZE, XDR_ENCODE);
	assert_false(xdr_CREATE_SESSION4args(&x, &a));
	xdr_destroy(&x);

	CREATE_SESSION4res r, ro;
	r.csr_status = NFS4_OK;
	CREATE_SESSION4resok *ok = &r.CREATE_SESSION4res_u.csr_resok4;
	memset(ok->csr_sessionid, 0x77, NFS4_SESSIONID_SIZE);
	ok->csr_sequence = 1;
	ok->csr_flags = CREATE_SESSION4_FLAG_CONN_BACK_CHAN;
	ok->csr_fore_chan_attrs = a.csa_fore_chan_attrs;
	ok->csr_back_chan_attrs = a.csa_back_chan_attrs;
	ROUNDTRIP(CREATE_SESSION4res, &r, &ro);
	assert_int_equal(ro.csr_status, NFS4_OK);
	CREATE_SESSION4resok *ook = &ro.CREATE_SESSION4res_u.csr_resok4;
	assert_memory_equal(ook->csr_sessionid, ok->csr_sessionid, NFS4_SESSIONID_SIZE);
	assert_int_equal(ook->csr_sequence, 1);
	assert_int_equal(ook->csr_flags, 2);
	check_chan(&ook->csr_fore_chan_attrs, &ok->csr_fore_chan_attrs);
	check_chan(&ook->csr_back_chan_attrs, &ok->csr_back_chan_attrs);
	XFREE(CREATE_SESSION4res, &ro);
	ASSERT_TRUNCATION_FAILS(CREATE_SESSION4res, &r);
}

/* ------------------------------------------------------------------ */
/* OPEN                                                                */
/* ------------------------------------------------------------------ */

static void fill_open_base(OPEN4args *a)
{
	memset(a, 0, sizeof(*a));
	a->seqid = 0;
	a->share_access = OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG;
	a->share_deny = OPEN4_SHARE_DENY_WRITE;
	a->owner.clientid = 0x1122334455667788ULL;
	a->owner.owner.owner_len = 11;
	a->owner.owner.owner_val = "open-owner1";
	a->claim.claim = CLAIM_NULL;
	a->claim.open_claim4_u.file = str("newfile");
}

static void check_open_base(const OPEN4args *o)
{
	assert_int_equal(o->seqid, 0);
	assert_int_equal(o->share_access, 0x403);
	assert_int_equal(o->share_deny, OPEN4_SHARE_DENY_WRITE);
	assert_true(o->owner.clientid == 0x1122334455667788ULL);
	assert_int_equal(o->owner.owner.owner_len, 11);
	assert_memory_equal(o->owner.owner.owner_val, "open-owner1", 11);
}

static void test_open_createhow(void **state)
{
	(void)state;
	static const createmode4 modes[] = { UNCHECKED4, GUARDED4, EXCLUSIVE4, EXCLUSIVE4_1 };
	OPEN4args a, ao;

	/* OPEN4_NOCREATE: no createhow4 on the wire */
	fill_open_base(&a);
	a.openhow.opentype = OPEN4_NOCREATE;
	ROUNDTRIP(OPEN4args, &a, &ao);
	check_open_base(&ao);
	assert_int_equal(ao.openhow.opentype, OPEN4_NOCREATE);
	XFREE(OPEN4args, &ao);

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		fill_open_base(&a);
		a.openhow.opentype = OPEN4_CREATE;
		createhow4 *how = &a.openhow.openflag4_u.how;
		how->mode = modes[i];
		switch (modes[i]) {
		case UNCHECKED4:
		case GUARDED4:
			how->createhow4_u.createattrs = sample_fattr();
			break;
		case EXCLUSIVE4:
			memcpy(how->createhow4_u.createverf, "excl-v40", 8);
			break;
		case EXCLUSIVE4_1:
			memcpy(how->createhow4_u.ch_createboth.cva_verf, "excl-v41", 8);
			how->createhow4_u.ch_createboth.cva_attrs = sample_fattr();
			break;
		}
		ROUNDTRIP(OPEN4args, &a, &ao);
		check_open_base(&ao);
		assert_int_equal(ao.openhow.opentype, OPEN4_CREATE);
		createhow4 *oh = &ao.openhow.openflag4_u.how;
		assert_int_equal(oh->mode, modes[i]);
		switch (modes[i]) {
		case UNCHECKED4:
		case GUARDED4:
			check_fattr(&oh->createhow4_u.createattrs, &how->createhow4_u.createattrs);
			break;
		case EXCLUSIVE4:
			assert_memory_equal(oh->createhow4_u.createverf, "excl-v40", 8);
			break;
		case EXCLUSIVE4_1:
			assert_memory_equal(oh->createhow4_u.ch_createboth.cva_verf, "excl-v41", 8);
			check_fattr(&oh->createhow4_u.ch_createboth.cva_attrs,
				    &how->createhow4_u.ch_createboth.cva_attrs);
			break;
		}
		check_str(&ao.claim.open_claim4_u.file, "newfile");
		XFREE(OPEN4args, &ao);
		ASSERT_TRUNCATION_FAILS(OPEN4args, &a);
	}

	/* An undefined createmode4 does not decode */
	fill_open_base(&a);
	a.openhow.opentype = OPEN4_CREATE;
	a.openhow.openflag4_u.how.mode = GUARDED4;
	a.openhow.openflag4_u.how.createhow4_u.createattrs = sample_fattr();
	u_int n;
	ENCODE_INTO(OPEN4args, &a, wire, WIRE_SIZE, &n);
	/* seqid, access, deny, clientid(8), owner(4+12), opentype, then mode */
	u_int mode_off = 4 + 4 + 4 + 8 + 4 + 12 + 4;
	uint32_t bogus = htonl(7);
	memcpy(wire + mode_off, &bogus, 4);
	XDR x;
	xdrmem_create(&x, wire, n, XDR_DECODE);
	memset(&ao, 0, sizeof(ao));
	assert_false(xdr_OPEN4args(&x, &ao));
	xdr_destroy(&x);
	XFREE(OPEN4args, &ao);
}

static void test_open_claims(void **state)
{
	(void)state;
	static const open_claim_type4 claims[] = {
		CLAIM_NULL, CLAIM_PREVIOUS, CLAIM_DELEGATE_CUR, CLAIM_DELEGATE_PREV,
		CLAIM_FH, CLAIM_DELEG_CUR_FH, CLAIM_DELEG_PREV_FH,
	};
	stateid4 ds = sid(3, 'd');

	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		OPEN4args a, ao;
		fill_open_base(&a);
		a.openhow.opentype = OPEN4_NOCREATE;
		open_claim4 *c = &a.claim;
		c->claim = claims[i];
		switch (claims[i]) {
		case CLAIM_NULL:
			c->open_claim4_u.file = str("by-name");
			break;
		case CLAIM_PREVIOUS:
			c->open_claim4_u.delegate_type = OPEN_DELEGATE_WRITE;
			break;
		case CLAIM_DELEGATE_CUR:
			c->open_claim4_u.delegate_cur_info.delegate_stateid = ds;
			c->open_claim4_u.delegate_cur_info.file = str("cur");
			break;
		case CLAIM_DELEGATE_PREV:
			c->open_claim4_u.file_delegate_prev = str("prev");
			break;
		case CLAIM_FH:
		case CLAIM_DELEG_PREV_FH:
			break;
		case CLAIM_DELEG_CUR_FH:
			c->open_claim4_u.oc_delegate_stateid = ds;
			break;
		}
		ROUNDTRIP(OPEN4args, &a, &ao);
		check_open_base(&ao);
		open_claim4 *oc = &ao.claim;
		assert_int_equal(oc->claim, claims[i]);
		switch (claims[i]) {
		case CLAIM_NULL:
			check_str(&oc->open_claim4_u.file, "by-name");
			break;
		case CLAIM_PREVIOUS:
			assert_int_equal(oc->open_claim4_u.delegate_type, OPEN_DELEGATE_WRITE);
			break;
		case CLAIM_DELEGATE_CUR:
			check_sid(&oc->open_claim4_u.delegate_cur_info.delegate_stateid, &ds);
			check_str(&oc->open_claim4_u.delegate_cur_info.file, "cur");
			break;
		case CLAIM_DELEGATE_PREV:
			check_str(&oc->open_claim4_u.file_delegate_prev, "prev");
			break;
		case CLAIM_FH:
		case CLAIM_DELEG_PREV_FH:
			break;
		case CLAIM_DELEG_CUR_FH:
			check_sid(&oc->open_claim4_u.oc_delegate_stateid, &ds);
			break;
		}
		XFREE(OPEN4args, &ao);
	}
}

static void test_open_res_delegations(void **state)
{
	(void)state;
	uint32_t attrset[] = { 1u << FATTR4_SIZE, 1u << (FATTR4_MODE - 32) };
	stateid4 open_sid = sid(1, 'o');
	stateid4 deleg_sid = sid(1, 'D');
	nfsace4 perm = { ACE4_ACCESS_ALLOWED_ACE_TYPE, 0,
			 ACE4_GENERIC_READ, { 9, "EVERYONE@" } };

	for (int variant = 0; variant < 5; variant++) {
		OPEN4res r, ro;
		memset(&r, 0, sizeof(r));
		r.status = NFS4_OK;
		OPEN4resok *ok = &r.OPEN4res_u.resok4;
		ok->stateid = open_sid;
		ok->cinfo = (change_info4){ TRUE, 100, 101 };
		ok->rflags = OPEN4_RESULT_LOCKTYPE_POSIX;
		ok->attrset = bm(attrset, 2);
		open_delegation4 *d = &ok->delegation;
		switch (variant) {
		case 0:
			d->delegation_type = OPEN_DELEGATE_NONE;
			break;
		case 1:
			d->delegation_type = OPEN_DELEGATE_READ;
			d->open_delegation4_u.read.stateid = deleg_sid;
			d->open_delegation4_u.read.recall = FALSE;
			d->open_delegation4_u.read.permissions = perm;
			break;
		case 2:
		case 3:
			d->delegation_type = OPEN_DELEGATE_WRITE;
			d->open_delegation4_u.write.stateid = deleg_sid;
			d->open_delegation4_u.write.recall = TRUE;
			if (variant == 2) {
				d->open_delegation4_u.write.space_limit.limitby = NFS_LIMIT_SIZE;
				d->open_delegation4_u.write.space_limit.nfs_space_limit4_u.filesize =
					1ULL << 40;
			} else {
				d->open_delegation4_u.write.space_limit.limitby = NFS_LIMIT_BLOCKS;
				d->open_delegation4_u.write.space_limit.nfs_space_limit4_u.mod_blocks =
					(nfs_modified_limit4){ 1000, 4096 };
			}
			d->open_delegation4_u.write.permissions = perm;
			break;
		case 4:
			d->delegation_type = OPEN_DELEGATE_NONE_EXT;
			d->open_delegation4_u.od_whynone.ond_why = WND4_CONTENTION;
			d->open_delegation4_u.od_whynone.open_none_delegation4_u
				.ond_server_will_push_deleg = TRUE;
			break;
		}
		ROUNDTRIP(OPEN4res, &r, &ro);
		assert_int_equal(ro.status, NFS4_OK);
		OPEN4resok *ook = &ro.OPEN4res_u.resok4;
		check_sid(&ook->stateid, &open_sid);
		check_cinfo(&ook->cinfo, &ok->cinfo);
		assert_int_equal(ook->rflags, OPEN4_RESULT_LOCKTYPE_POSIX);
		check_bm(&ook->attrset, attrset, 2);
		open_delegation4 *od = &ook->delegation;
		assert_int_equal(od->delegation_type, d->delegation_type);
		switch (variant) {
		case 1:
			check_sid(&od->open_delegation4_u.read.stateid, &deleg_sid);
			assert_false(od->open_delegation4_u.read.recall);
			assert_int_equal(od->open_delegation4_u.read.permissions.access_mask,
					 ACE4_GENERIC_READ);
			check_str(&od->open_delegation4_u.read.permissions.who, "EVERYONE@");
			break;
		case 2:
			assert_int_equal(od->open_delegation4_u.write.space_limit.limitby,
					 NFS_LIMIT_SIZE);
			assert_true(od->open_delegation4_u.write.space_limit.nfs_space_limit4_u
					    .filesize == 1ULL << 40);
			assert_true(od->open_delegation4_u.write.recall);
			break;
		case 3:
			assert_int_equal(od->open_delegation4_u.write.space_limit
						 .nfs_space_limit4_u.mod_blocks.num_blocks, 1000);
			assert_int_equal(od->open_delegation4_u.write.space_limit
						 .nfs_space_limit4_u.mod_blocks.bytes_per_block, 4096);
			check_str(&od->open_delegation4_u.write.permissions.who, "EVERYONE@");
			break;
		case 4:
			assert_int_equal(od->open_delegation4_u.od_whynone.ond_why,
					 WND4_CONTENTION);
			assert_true(od->open_delegation4_u.od_whynone.open_none_delegation4_u
					    .ond_server_will_push_deleg);
			break;
		}
		XFREE(OPEN4res, &ro);
		ASSERT_TRUNCATION_FAILS(OPEN4res, &r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compound_args),
		cmocka_unit_test(test_compound_header_then_ops),
		cmocka_unit_test(test_compound_res),
		cmocka_unit_test(test_every_op_zero_value),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_exchange_id),
		cmocka_unit_test(test_create_session),
		cmocka_unit_test(test_open_createhow),
		cmocka_unit_test(test_open_claims),
		cmocka_unit_test(test_open_res_delegations),
	};
	return cmocka_run_group_tests_name("xdr", tests, NULL, NULL);
}
