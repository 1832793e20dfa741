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
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nfs4_prot.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

#define WIRE_SIZE (64 * 1024)
/* Aligned so xdrmem hands out inline windows (zero-copy path). */
static _Alignas(8) char wire[WIRE_SIZE];
static _Alignas(8) char wire2[WIRE_SIZE];

/* Encode *objp into buf; returns the encoded length. */
#define ENCODE_INTO(T, objp, buf, bufsize, lenp)                           \
	do {                                                               \
		XDR x_;                                                    \
		xdrmem_create(&x_, (buf), (bufsize), XDR_ENCODE);          \
		assert_true(xdr_##T(&x_, (objp)));                         \
		*(lenp) = xdr_getpos(&x_);                                 \
		xdr_destroy(&x_);                                          \
	} while (0)

/* Decode exactly len bytes of buf into a zeroed *objp. */
#define DECODE_FROM(T, objp, buf, len)                                     \
	do {                                                               \
		XDR x_;                                                    \
		memset((objp), 0, sizeof(*(objp)));                        \
		xdrmem_create(&x_, (buf), (len), XDR_DECODE);              \
		assert_true(xdr_##T(&x_, (objp)));                         \
		assert_int_equal(xdr_getpos(&x_), (len));                  \
		xdr_destroy(&x_);                                          \
	} while (0)

#define XFREE(T, objp) xdr_free((xdrproc_t)xdr_##T, (char *)(objp))

/*
 * Round trip: encode *in, decode into *out, re-encode *out and require
 * identical bytes.  The caller compares fields and then XFREE()s *out.
 */
#define ROUNDTRIP(T, in, out)                                              \
	do {                                                               \
		u_int n1_, n2_;                                            \
		ENCODE_INTO(T, (in), wire, WIRE_SIZE, &n1_);               \
		assert_true(n1_ % 4 == 0);                                 \
		DECODE_FROM(T, (out), wire, n1_);                          \
		ENCODE_INTO(T, (out), wire2, WIRE_SIZE, &n2_);             \
		assert_int_equal(n1_, n2_);                                \
		assert_memory_equal(wire, wire2, n1_);                     \
	} while (0)

/*
 * Every strict prefix of the encoding of *in must fail to decode, and
 * whatever the failed decode allocated must be releasable by xdr_free.
 */
#define ASSERT_TRUNCATION_FAILS(T, in)                                     \
	do {                                                               \
		u_int n_;                                                  \
		ENCODE_INTO(T, (in), wire, WIRE_SIZE, &n_);                \
		for (u_int k_ = 0; k_ < n_; k_++) {                        \
			T o_;                                              \
			XDR x_;                                            \
			memset(&o_, 0, sizeof(o_));                        \
			xdrmem_create(&x_, wire, k_, XDR_DECODE);          \
			if (xdr_##T(&x_, &o_))                             \
				fail_msg(#T ": prefix %u of %u decoded",   \
					 k_, n_);                          \
			xdr_destroy(&x_);                                  \
			XFREE(T, &o_);                                     \
		}                                                          \
	} while (0)

/* Fill helpers for the counted {len,val} shapes rpcgen produces. */
static utf8string str(const char *s)
{
	utf8string u;
	u.utf8string_len = (u_int)strlen(s);
	u.utf8string_val = (char *)s;
	return u;
}

static void check_str(const utf8string *u, const char *s)
{
	assert_int_equal(u->utf8string_len, strlen(s));
	if (u->utf8string_len)
		assert_memory_equal(u->utf8string_val, s, u->utf8string_len);
}

static bitmap4 bm(uint32_t *words, u_int n)
{
	bitmap4 b;
	b.bitmap4_len = n;
	b.bitmap4_val = words;
	return b;
}

static void check_bm(const bitmap4 *b, const uint32_t *words, u_int n)
{
	assert_int_equal(b->bitmap4_len, n);
	for (u_int i = 0; i < n; i++)
		assert_int_equal(b->bitmap4_val[i], words[i]);
}

static nfs_fh4 fh(const char *bytes, u_int n)
{
	nfs_fh4 f;
	f.nfs_fh4_len = n;
	f.nfs_fh4_val = (char *)bytes;
	return f;
}

static void check_fh(const nfs_fh4 *f, const char *bytes, u_int n)
{
	assert_int_equal(f->nfs_fh4_len, n);
	assert_memory_equal(f->nfs_fh4_val, bytes, n);
}

static stateid4 sid(uint32_t seq, char fill)
{
	stateid4 s;
	s.seqid = seq;
	for (int i = 0; i < NFS4_OTHER_SIZE; i++)
		s.other[i] = (char)(fill + i);
	return s;
}

static void check_sid(const stateid4 *a, const stateid4 *b)
{
	assert_int_equal(a->seqid, b->seqid);
	assert_memory_equal(a->other, b->other, NFS4_OTHER_SIZE);
}

static void check_cinfo(const change_info4 *a, const change_info4 *b)
{
	assert_int_equal(a->atomic, b->atomic);
	assert_true(a->before == b->before);
	assert_true(a->after == b->after);
}

static void check_fattr(const fattr4 *a, const fattr4 *b)
{
	check_bm(&a->attrmask, b->attrmask.bitmap4_val, b->attrmask.bitmap4_len);
	assert_int_equal(a->attr_vals.attrlist4_len, b->attr_vals.attrlist4_len);
	if (b->attr_vals.attrlist4_len)
		assert_memory_equal(a->attr_vals.attrlist4_val,
				    b->attr_vals.attrlist4_val,
				    b->attr_vals.attrlist4_len);
}

static const char FH_A[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b";
static const char FH_B[] = "\xfe\xed\xfa\xce\x00\x00\x00\x01";

/* A small fattr4: mode (bit 33) + size (bit 4), values pre-encoded. */
static uint32_t attr_words[2] = { 1u << FATTR4_SIZE, 1u << (FATTR4_MODE - 32) };
static char attr_vals[12] = { 0, 0, 0, 0, 0, 0, 0x10, 0, /* size 4096 */
			      0, 0, 0x01, 0xa4 };         /* mode 0644 */

static fattr4 sample_fattr(void)
{
	fattr4 f;
	f.attrmask = bm(attr_words, 2);
	f.attr_vals.attrlist4_len = sizeof(attr_vals);
	f.attr_vals.attrlist4_val = attr_vals;
	return f;
}

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

/* ------------------------------------------------------------------ */
/* READ / WRITE and strata_payload                                     */
/* ------------------------------------------------------------------ */

static void test_write_zero_copy(void **state)
{
	(void)state;
	static const uint32_t lens[] = { 0, 1, 2, 3, 4, 5, 8191, 8192 };
	static char data[8192];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 1);

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		WRITE4args a, ao;
		a.stateid = sid(2, 'w');
		a.offset = 0x100000000ULL + i;
		a.stable = FILE_SYNC4;
		strata_payload_set(&a.data, data, lens[i]);

		u_int n;
		ENCODE_INTO(WRITE4args, &a, wire, WIRE_SIZE, &n);
		/* stateid 16 + offset 8 + stable 4 + len 4 + padded bytes */
		assert_int_equal(n, 32 + ((lens[i] + 3) & ~3u));
		DECODE_FROM(WRITE4args, &ao, wire, n);
		check_sid(&ao.stateid, &a.stateid);
		assert_true(ao.offset == a.offset);
		assert_int_equal(ao.stable, FILE_SYNC4);
		assert_int_equal(ao.data.len, lens[i]);
		assert_int_equal(ao.data.owned, 0);
		if (lens[i]) {
			/* zero copy: the payload lies inside the input buffer */
			assert_true(ao.data.base == wire + 32);
			assert_memory_equal(ao.data.base, data, lens[i]);
			/* padding is zero */
			for (u_int k = 32 + lens[i]; k < n; k++)
				assert_int_equal(wire[k], 0);
		} else {
			assert_null(ao.data.base);
		}
		XFREE(WRITE4args, &ao);
		assert_null(ao.data.base);
		assert_int_equal(ao.data.len, 0);
	}
}

static void test_write_copy_fallback(void **state)
{
	(void)state;
	/* A misaligned buffer makes xdrmem refuse inline windows. */
	uint32_t len = 200001; /* > several fallback chunks, odd length */
	char *data = malloc(len);
	char *buf = malloc(len + 64);
	assert_non_null(data);
	assert_non_null(buf);
	for (uint32_t i = 0; i < len; i++)
		data[i] = (char)(i ^ (i >> 8));
	char *mis = buf + 1;

	WRITE4args a, ao;
	a.stateid = sid(5, 's');
	a.offset = 77;
	a.stable = UNSTABLE4;
	strata_payload_set(&a.data, data, len);
	u_int n;
	ENCODE_INTO(WRITE4args, &a, mis, len + 63, &n);
	assert_int_equal(n, 32 + 200004);
	DECODE_FROM(WRITE4args, &ao, mis, n);
	assert_int_equal(ao.data.len, len);
	assert_int_equal(ao.data.owned, 1);
	assert_true(ao.data.base < mis || ao.data.base >= mis + n);
	assert_memory_equal(ao.data.base, data, len);
	XFREE(WRITE4args, &ao);
	assert_null(ao.data.base);

	/* Truncated misaligned buffer: fallback fails cleanly, no leak. */
	XDR x;
	memset(&ao, 0, sizeof(ao));
	xdrmem_create(&x, mis, n - 8, XDR_DECODE);
	assert_false(xdr_WRITE4args(&x, &ao));
	xdr_destroy(&x);
	assert_null(ao.data.base);
	XFREE(WRITE4args, &ao);

	free(buf);
	free(data);
}

static void test_read_res_payload(void **state)
{
	(void)state;
	char *data = malloc(13);
	assert_non_null(data);
	memcpy(data, "hello, strata", 13);

	READ4res r, ro;
	r.status = NFS4_OK;
	r.READ4res_u.resok4.eof = TRUE;
	strata_payload_set(&r.READ4res_u.resok4.data, data, 13);
	r.READ4res_u.resok4.data.owned = 1; /* xdr_free releases it */
	ROUNDTRIP(READ4res, &r, &ro);
	assert_int_equal(ro.status, NFS4_OK);
	assert_true(ro.READ4res_u.resok4.eof);
	assert_int_equal(ro.READ4res_u.resok4.data.len, 13);
	assert_int_equal(ro.READ4res_u.resok4.data.owned, 0);
	assert_true(ro.READ4res_u.resok4.data.base == wire + 12);
	assert_memory_equal(ro.READ4res_u.resok4.data.base, "hello, strata", 13);
	XFREE(READ4res, &ro);
	ASSERT_TRUNCATION_FAILS(READ4res, &r);
	XFREE(READ4res, &r); /* frees data: owned */
	assert_null(r.READ4res_u.resok4.data.base);

	READ4args a, ao;
	a.stateid = sid(0, 0);
	a.offset = 4096;
	a.count = 1048576;
	ROUNDTRIP(READ4args, &a, &ao);
	check_sid(&ao.stateid, &a.stateid);
	assert_true(ao.offset == 4096);
	assert_int_equal(ao.count, 1048576);
	XFREE(READ4args, &ao);
}

static void test_payload_length_beyond_buffer(void **state)
{
	(void)state;
	static const uint32_t bad_lens[] = { 5, 1000, 0x10000, STRATA_PAYLOAD_MAX,
					     STRATA_PAYLOAD_MAX + 1, 0x7fffffff,
					     0xfffffffd, 0xffffffff };
	for (size_t i = 0; i < sizeof(bad_lens) / sizeof(bad_lens[0]); i++) {
		for (int misalign = 0; misalign < 2; misalign++) {
			char *b = wire + misalign;
			uint32_t be = htonl(bad_lens[i]);
			memcpy(b, &be, 4);
			memcpy(b + 4, "abcd", 4); /* only 4 payload bytes follow */

			strata_payload p = { 123, (char *)0x1, 1 };
			XDR x;
			xdrmem_create(&x, b, 8, XDR_DECODE);
			assert_false(xdr_strata_payload(&x, &p));
			xdr_destroy(&x);
			assert_null(p.base);
			assert_int_equal(p.owned, 0);
		}
	}

	/* Exactly-fitting length without room for the padding also fails */
	uint32_t be = htonl(3);
	memcpy(wire, &be, 4);
	memcpy(wire + 4, "xyz", 3);
	strata_payload p;
	memset(&p, 0, sizeof(p));
	XDR x;
	xdrmem_create(&x, wire, 7, XDR_DECODE);
	assert_false(xdr_strata_payload(&x, &p));
	xdr_destroy(&x);

	/* Encoding refuses base == NULL with a non-zero length */
	strata_payload q = { 4, NULL, 0 };
	xdrmem_create(&x, wire, WIRE_SIZE, XDR_ENCODE);
	assert_false(xdr_strata_payload(&x, &q));
	xdr_destroy(&x);

	/* A WRITE whose length exceeds the message fails as a whole */
	WRITE4args a, ao;
	a.stateid = sid(1, 1);
	a.offset = 0;
	a.stable = DATA_SYNC4;
	strata_payload_set(&a.data, "0123456789abcdef", 16);
	u_int n;
	ENCODE_INTO(WRITE4args, &a, wire, WIRE_SIZE, &n);
	be = htonl(17);
	memcpy(wire + 28, &be, 4);
	memset(&ao, 0, sizeof(ao));
	xdrmem_create(&x, wire, n, XDR_DECODE);
	assert_false(xdr_WRITE4args(&x, &ao));
	xdr_destroy(&x);
	XFREE(WRITE4args, &ao);
}

/* The payload decoder also works on a record-marking stream (copy path). */
struct memsrc {
	const char *p;
	size_t left;
};

static int memsrc_read(void *h, void *buf, int len)
{
	struct memsrc *m = h;
	size_t n = (size_t)len < m->left ? (size_t)len : m->left;
	if (n == 0)
		return -1;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (int)n;
}

static void test_payload_record_stream(void **state)
{
	(void)state;
	/* Build a record: 4-byte last-fragment marker + WRITE4args body */
	WRITE4args a, ao;
	a.stateid = sid(9, 9);
	a.offset = 1;
	a.stable = UNSTABLE4;
	static char data[3000];
	memset(data, 'q', sizeof(data));
	strata_payload_set(&a.data, data, sizeof(data));
	u_int n;
	ENCODE_INTO(WRITE4args, &a, wire + 4, WIRE_SIZE - 4, &n);
	uint32_t mark = htonl(0x80000000u | n);
	memcpy(wire, &mark, 4);

	struct memsrc src = { wire, n + 4 };
	XDR x;
	/* small receive buffer: the payload straddles buffer refills */
	xdrrec_create(&x, 0, 1024, (char *)&src, memsrc_read, NULL);
	x.x_op = XDR_DECODE;
	assert_true(xdrrec_skiprecord(&x));
	memset(&ao, 0, sizeof(ao));
	assert_true(xdr_WRITE4args(&x, &ao));
	assert_int_equal(ao.data.len, sizeof(data));
	assert_int_equal(ao.data.owned, 1);
	assert_memory_equal(ao.data.base, data, sizeof(data));
	xdr_destroy(&x);
	XFREE(WRITE4args, &ao);
}

/* ------------------------------------------------------------------ */
/* READDIR                                                             */
/* ------------------------------------------------------------------ */

static void test_readdir_res(void **state)
{
	(void)state;
	entry4 e[3];
	const char *names[3] = { "alpha", "beta", "a-much-longer-name.txt" };
	for (int i = 0; i < 3; i++) {
		e[i].cookie = 3 + (uint64_t)i * 1000;
		e[i].name = str(names[i]);
		e[i].attrs = sample_fattr();
		e[i].nextentry = i < 2 ? &e[i + 1] : NULL;
	}
	READDIR4res r, ro;
	r.status = NFS4_OK;
	memcpy(r.READDIR4res_u.resok4.cookieverf, "cookieVF", 8);
	r.READDIR4res_u.resok4.reply.entries = &e[0];
	r.READDIR4res_u.resok4.reply.eof = TRUE;
	ROUNDTRIP(READDIR4res, &r, &ro);
	assert_int_equal(ro.status, NFS4_OK);
	assert_memory_equal(ro.READDIR4res_u.resok4.cookieverf, "cookieVF", 8);
	assert_true(ro.READDIR4res_u.resok4.reply.eof);
	entry4 *p = ro.READDIR4res_u.resok4.reply.entries;
	for (int i = 0; i < 3; i++) {
		assert_non_null(p);
		assert_true(p->cookie == e[i].cookie);
		check_str(&p->name, names[i]);
		check_fattr(&p->attrs, &e[i].attrs);
		p = p->nextentry;
	}
	assert_null(p);
	XFREE(READDIR4res, &ro);
	ASSERT_TRUNCATION_FAILS(READDIR4res, &r);

	/* empty directory */
	r.READDIR4res_u.resok4.reply.entries = NULL;
	ROUNDTRIP(READDIR4res, &r, &ro);
	assert_null(ro.READDIR4res_u.resok4.reply.entries);
	XFREE(READDIR4res, &ro);

	uint32_t req[] = { 1u << FATTR4_TYPE, 1u << (FATTR4_MOUNTED_ON_FILEID - 32) };
	READDIR4args a, ao;
	a.cookie = 0;
	memset(a.cookieverf, 0, 8);
	a.dircount = 8192;
	a.maxcount = 32768;
	a.attr_request = bm(req, 2);
	ROUNDTRIP(READDIR4args, &a, &ao);
	assert_int_equal(ao.dircount, 8192);
	assert_int_equal(ao.maxcount, 32768);
	check_bm(&ao.attr_request, req, 2);
	XFREE(READDIR4args, &ao);
}

/* ------------------------------------------------------------------ */
/* LOCK                                                                */
/* ------------------------------------------------------------------ */

static void test_lock(void **state)
{
	(void)state;
	stateid4 os = sid(1, 'O'), ls = sid(4, 'L');
	LOCK4args a, ao;

	/* new lock-owner */
	a.locktype = WRITEW_LT;
	a.reclaim = FALSE;
	a.offset = 0;
	a.length = NFS4_UINT64_MAX;
	a.locker.new_lock_owner = TRUE;
	open_to_lock_owner4 *n = &a.locker.locker4_u.open_owner;
	n->open_seqid = 0;
	n->open_stateid = os;
	n->lock_seqid = 0;
	n->lock_owner.clientid = 99;
	n->lock_owner.owner.owner_len = 4;
	n->lock_owner.owner.owner_val = "pid1";
	ROUNDTRIP(LOCK4args, &a, &ao);
	assert_int_equal(ao.locktype, WRITEW_LT);
	assert_false(ao.reclaim);
	assert_true(ao.length == NFS4_UINT64_MAX);
	assert_true(ao.locker.new_lock_owner);
	open_to_lock_owner4 *on = &ao.locker.locker4_u.open_owner;
	check_sid(&on->open_stateid, &os);
	assert_true(on->lock_owner.clientid == 99);
	assert_memory_equal(on->lock_owner.owner.owner_val, "pid1", 4);
	XFREE(LOCK4args, &ao);
	ASSERT_TRUNCATION_FAILS(LOCK4args, &a);

	/* existing lock-owner */
	a.locktype = READ_LT;
	a.reclaim = TRUE;
	a.offset = 100;
	a.length = 50;
	a.locker.new_lock_owner = FALSE;
	a.locker.locker4_u.lock_owner.lock_stateid = ls;
	a.locker.locker4_u.lock_owner.lock_seqid = 0;
	ROUNDTRIP(LOCK4args, &a, &ao);
	assert_int_equal(ao.locktype, READ_LT);
	assert_true(ao.reclaim);
	assert_true(ao.offset == 100);
	assert_true(ao.length == 50);
	assert_false(ao.locker.new_lock_owner);
	check_sid(&ao.locker.locker4_u.lock_owner.lock_stateid, &ls);
	XFREE(LOCK4args, &ao);

	/* results: ok and denied */
	LOCK4res r, ro;
	r.status = NFS4_OK;
	r.LOCK4res_u.resok4.lock_stateid = ls;
	ROUNDTRIP(LOCK4res, &r, &ro);
	check_sid(&ro.LOCK4res_u.resok4.lock_stateid, &ls);
	XFREE(LOCK4res, &ro);

	r.status = NFS4ERR_DENIED;
	LOCK4denied *d = &r.LOCK4res_u.denied;
	d->offset = 10;
	d->length = 20;
	d->locktype = WRITE_LT;
	d->owner.clientid = 7;
	d->owner.owner.owner_len = 5;
	d->owner.owner.owner_val = "other";
	ROUNDTRIP(LOCK4res, &r, &ro);
	assert_int_equal(ro.status, NFS4ERR_DENIED);
	assert_true(ro.LOCK4res_u.denied.offset == 10);
	assert_true(ro.LOCK4res_u.denied.length == 20);
	assert_int_equal(ro.LOCK4res_u.denied.locktype, WRITE_LT);
	assert_memory_equal(ro.LOCK4res_u.denied.owner.owner.owner_val, "other", 5);
	XFREE(LOCK4res, &ro);
	ASSERT_TRUNCATION_FAILS(LOCK4res, &r);
}

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

/* ------------------------------------------------------------------ */
/* Namespace operations                                                */
/* ------------------------------------------------------------------ */

static void test_rename_link_remove(void **state)
{
	(void)state;
	change_info4 c1 = { TRUE, 10, 11 }, c2 = { FALSE, 20, 22 };

	RENAME4args ra, rao;
	ra.oldname = str("old");
	ra.newname = str("new-name");
	ROUNDTRIP(RENAME4args, &ra, &rao);
	check_str(&rao.oldname, "old");
	check_str(&rao.newname, "new-name");
	XFREE(RENAME4args, &rao);
	ASSERT_TRUNCATION_FAILS(RENAME4args, &ra);

	RENAME4res rr, rro;
	rr.status = NFS4_OK;
	rr.RENAME4res_u.resok4.source_cinfo = c1;
	rr.RENAME4res_u.resok4.target_cinfo = c2;
	ROUNDTRIP(RENAME4res, &rr, &rro);
	check_cinfo(&rro.RENAME4res_u.resok4.source_cinfo, &c1);
	check_cinfo(&rro.RENAME4res_u.resok4.target_cinfo, &c2);
	XFREE(RENAME4res, &rro);
	rr.status = NFS4ERR_XDEV;
	ROUNDTRIP(RENAME4res, &rr, &rro);
	assert_int_equal(rro.status, NFS4ERR_XDEV);
	XFREE(RENAME4res, &rro);

	LINK4args la, lao;
	la.newname = str("hardlink");
	ROUNDTRIP(LINK4args, &la, &lao);
	check_str(&lao.newname, "hardlink");
	XFREE(LINK4args, &lao);
	LINK4res lr, lro;
	lr.status = NFS4_OK;
	lr.LINK4res_u.resok4.cinfo = c1;
	ROUNDTRIP(LINK4res, &lr, &lro);
	check_cinfo(&lro.LINK4res_u.resok4.cinfo, &c1);
	XFREE(LINK4res, &lro);

	REMOVE4args ma, mao;
	ma.target = str("victim");
	ROUNDTRIP(REMOVE4args, &ma, &mao);
	check_str(&mao.target, "victim");
	XFREE(REMOVE4args, &mao);
	REMOVE4res mr, mro;
	mr.status = NFS4_OK;
	mr.REMOVE4res_u.resok4.cinfo = c2;
	ROUNDTRIP(REMOVE4res, &mr, &mro);
	check_cinfo(&mro.REMOVE4res_u.resok4.cinfo, &c2);
	XFREE(REMOVE4res, &mro);
	ASSERT_TRUNCATION_FAILS(REMOVE4res, &mr);
}

static void test_create(void **state)
{
	(void)state;
	static const nfs_ftype4 types[] = { NF4LNK, NF4BLK, NF4CHR, NF4SOCK, NF4FIFO, NF4DIR };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		CREATE4args a, ao;
		memset(&a, 0, sizeof(a));
		a.objtype.type = types[i];
		if (types[i] == NF4LNK)
			a.objtype.createtype4_u.linkdata = str("../target/of/link");
		else if (types[i] == NF4BLK || types[i] == NF4CHR)
			a.objtype.createtype4_u.devdata = (specdata4){ 8, 1 };
		a.objname = str("obj");
		a.createattrs = sample_fattr();
		ROUNDTRIP(CREATE4args, &a, &ao);
		assert_int_equal(ao.objtype.type, types[i]);
		if (types[i] == NF4LNK)
			check_str(&ao.objtype.createtype4_u.linkdata, "../target/of/link");
		if (types[i] == NF4BLK || types[i] == NF4CHR) {
			assert_int_equal(ao.objtype.createtype4_u.devdata.specdata1, 8);
			assert_int_equal(ao.objtype.createtype4_u.devdata.specdata2, 1);
		}
		check_str(&ao.objname, "obj");
		check_fattr(&ao.createattrs, &a.createattrs);
		XFREE(CREATE4args, &ao);
		ASSERT_TRUNCATION_FAILS(CREATE4args, &a);
	}

	uint32_t set[] = { 0, 1u << (FATTR4_MODE - 32) };
	CREATE4res r, ro;
	r.status = NFS4_OK;
	r.CREATE4res_u.resok4.cinfo = (change_info4){ TRUE, 1, 2 };
	r.CREATE4res_u.resok4.attrset = bm(set, 2);
	ROUNDTRIP(CREATE4res, &r, &ro);
	check_cinfo(&ro.CREATE4res_u.resok4.cinfo, &r.CREATE4res_u.resok4.cinfo);
	check_bm(&ro.CREATE4res_u.resok4.attrset, set, 2);
	XFREE(CREATE4res, &ro);
}

/* ------------------------------------------------------------------ */
/* Attributes                                                          */
/* ------------------------------------------------------------------ */

static void test_getattr_setattr(void **state)
{
	(void)state;
	uint32_t req[] = { 0x0010011a, 0x00b0a23a, 0x00000002 };
	GETATTR4args ga, gao;
	ga.attr_request = bm(req, 3);
	ROUNDTRIP(GETATTR4args, &ga, &gao);
	check_bm(&gao.attr_request, req, 3);
	XFREE(GETATTR4args, &gao);

	GETATTR4res gr, gro;
	gr.status = NFS4_OK;
	gr.GETATTR4res_u.resok4.obj_attributes = sample_fattr();
	ROUNDTRIP(GETATTR4res, &gr, &gro);
	check_fattr(&gro.GETATTR4res_u.resok4.obj_attributes,
		    &gr.GETATTR4res_u.resok4.obj_attributes);
	XFREE(GETATTR4res, &gro);
	ASSERT_TRUNCATION_FAILS(GETATTR4res, &gr);

	/* attribute values decode with their own fattr4_* routines */
	XDR x;
	xdrmem_create(&x, attr_vals, sizeof(attr_vals), XDR_DECODE);
	fattr4_size sz = 0;
	fattr4_mode mode = 0;
	assert_true(xdr_fattr4_size(&x, &sz));
	assert_true(xdr_fattr4_mode(&x, &mode));
	assert_true(sz == 4096);
	assert_int_equal(mode, 0644);
	xdr_destroy(&x);

	stateid4 s = sid(0, 0);
	SETATTR4args sa, sao;
	sa.stateid = s;
	sa.obj_attributes = sample_fattr();
	ROUNDTRIP(SETATTR4args, &sa, &sao);
	check_sid(&sao.stateid, &s);
	check_fattr(&sao.obj_attributes, &sa.obj_attributes);
	XFREE(SETATTR4args, &sao);
	ASSERT_TRUNCATION_FAILS(SETATTR4args, &sa);

	/* SETATTR4res carries attrsset on success and on error */
	uint32_t done[] = { 1u << FATTR4_SIZE };
	SETATTR4res sr, sro;
	sr.status = NFS4ERR_PERM;
	sr.attrsset = bm(done, 1);
	ROUNDTRIP(SETATTR4res, &sr, &sro);
	assert_int_equal(sro.status, NFS4ERR_PERM);
	check_bm(&sro.attrsset, done, 1);
	XFREE(SETATTR4res, &sro);

	/* settime4: both arms */
	fattr4_time_modify_set t, to;
	t.set_it = SET_TO_CLIENT_TIME4;
	t.settime4_u.time = (nfstime4){ -5, 10 };
	ROUNDTRIP(fattr4_time_modify_set, &t, &to);
	assert_int_equal(to.set_it, SET_TO_CLIENT_TIME4);
	assert_true(to.settime4_u.time.seconds == -5);
	assert_int_equal(to.settime4_u.time.nseconds, 10);
	XFREE(fattr4_time_modify_set, &to);
	t.set_it = SET_TO_SERVER_TIME4;
	ROUNDTRIP(fattr4_time_modify_set, &t, &to);
	assert_int_equal(to.set_it, SET_TO_SERVER_TIME4);
	XFREE(fattr4_time_modify_set, &to);

	/* an ACL */
	nfsace4 aces[2] = {
		{ ACE4_ACCESS_ALLOWED_ACE_TYPE, ACE4_IDENTIFIER_GROUP, ACE4_GENERIC_READ,
		  { 6, "GROUP@" } },
		{ ACE4_ACCESS_DENIED_ACE_TYPE, 0, ACE4_WRITE_DATA, { 13, "bob@localhost" } },
	};
	fattr4_acl acl, aclo;
	acl.fattr4_acl_len = 2;
	acl.fattr4_acl_val = aces;
	ROUNDTRIP(fattr4_acl, &acl, &aclo);
	assert_int_equal(aclo.fattr4_acl_len, 2);
	assert_int_equal(aclo.fattr4_acl_val[0].flag, ACE4_IDENTIFIER_GROUP);
	check_str(&aclo.fattr4_acl_val[1].who, "bob@localhost");
	XFREE(fattr4_acl, &aclo);
}

/* ------------------------------------------------------------------ */
/* Malformed input                                                     */
/* ------------------------------------------------------------------ */

static void test_bad_discriminants(void **state)
{
	(void)state;
	/* An opcode outside nfs_opnum4 does not decode through nfs_argop4
	 * (the server's per-op decoder checks the opcode first and answers
	 * NFS4ERR_OP_ILLEGAL). A v4.2 opcode is such an opcode. */
	static const uint32_t bad_ops[] = { 0, 1, 2, OP_ALLOCATE, OP_REMOVEXATTR,
					    10043, 10045, 0xffffffff };
	for (size_t i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++) {
		uint32_t w[4] = { htonl(bad_ops[i]), 0, 0, 0 };
		nfs_argop4 a;
		memset(&a, 0, sizeof(a));
		XDR x;
		xdrmem_create(&x, (char *)w, sizeof(w), XDR_DECODE);
		assert_false(xdr_nfs_argop4(&x, &a));
		xdr_destroy(&x);
		XFREE(nfs_argop4, &a);
	}

	/* An undefined layoutrecall_type4 does not decode */
	CB_LAYOUTRECALL4args lr;
	memset(&lr, 0, sizeof(lr));
	lr.clora_type = LAYOUT4_NFSV4_1_FILES;
	lr.clora_iomode = LAYOUTIOMODE4_RW;
	lr.clora_recall.lor_recalltype = LAYOUTRECALL4_ALL;
	u_int n;
	ENCODE_INTO(CB_LAYOUTRECALL4args, &lr, wire, WIRE_SIZE, &n);
	assert_int_equal(n, 16);
	uint32_t nine = htonl(9);
	memcpy(wire + 12, &nine, 4);
	XDR x;
	xdrmem_create(&x, wire, n, XDR_DECODE);
	memset(&lr, 0, sizeof(lr));
	assert_false(xdr_CB_LAYOUTRECALL4args(&x, &lr));
	xdr_destroy(&x);

	/* A component longer than the message */
	uint32_t w[2] = { htonl(100), 0 };
	LOOKUP4args lk;
	memset(&lk, 0, sizeof(lk));
	xdrmem_create(&x, (char *)w, sizeof(w), XDR_DECODE);
	assert_false(xdr_LOOKUP4args(&x, &lk));
	xdr_destroy(&x);
	XFREE(LOOKUP4args, &lk);

	/* A file handle over NFS4_FHSIZE */
	uint32_t f[2] = { htonl(NFS4_FHSIZE + 1), 0 };
	PUTFH4args pf;
	memset(&pf, 0, sizeof(pf));
	xdrmem_create(&x, (char *)f, sizeof(f), XDR_DECODE);
	assert_false(xdr_PUTFH4args(&x, &pf));
	xdr_destroy(&x);
	XFREE(PUTFH4args, &pf);
}

static void test_truncated_misc(void **state)
{
	(void)state;
	WRITE4args w;
	w.stateid = sid(1, 2);
	w.offset = 3;
	w.stable = UNSTABLE4;
	strata_payload_set(&w.data, "truncate me", 11);
	ASSERT_TRUNCATION_FAILS(WRITE4args, &w);

	SETCLIENTID4res sr;
	sr.status = NFS4ERR_CLID_INUSE;
	sr.SETCLIENTID4res_u.client_using.na_r_netid = "tcp";
	sr.SETCLIENTID4res_u.client_using.na_r_addr = "10.0.0.1.8.1";
	ASSERT_TRUNCATION_FAILS(SETCLIENTID4res, &sr);

	TEST_STATEID4args ts;
	stateid4 ids[3] = { sid(1, 1), sid(2, 2), sid(3, 3) };
	ts.ts_stateids.ts_stateids_len = 3;
	ts.ts_stateids.ts_stateids_val = ids;
	ASSERT_TRUNCATION_FAILS(TEST_STATEID4args, &ts);
	TEST_STATEID4args tso;
	ROUNDTRIP(TEST_STATEID4args, &ts, &tso);
	check_sid(&tso.ts_stateids.ts_stateids_val[2], &ids[2]);
	XFREE(TEST_STATEID4args, &tso);
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
		cmocka_unit_test(test_write_zero_copy),
		cmocka_unit_test(test_write_copy_fallback),
		cmocka_unit_test(test_read_res_payload),
		cmocka_unit_test(test_payload_length_beyond_buffer),
		cmocka_unit_test(test_payload_record_stream),
		cmocka_unit_test(test_readdir_res),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_layoutget),
		cmocka_unit_test(test_file_layout),
		cmocka_unit_test(test_file_layout_ds_addr),
		cmocka_unit_test(test_getdeviceinfo),
		cmocka_unit_test(test_layoutcommit_return),
		cmocka_unit_test(test_cb_sequence),
		cmocka_unit_test(test_cb_recall),
		cmocka_unit_test(test_cb_layoutrecall),
		cmocka_unit_test(test_rename_link_remove),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_getattr_setattr),
		cmocka_unit_test(test_bad_discriminants),
		cmocka_unit_test(test_truncated_misc),
	};
	return cmocka_run_group_tests_name("xdr", tests, NULL, NULL);
}
