/*
 * tests/unit/test_xdr_ops.c -- round-trip tests of READ/WRITE and the
 * hand-written strata_payload codec (nfsd/xdr/payload.c), READDIR, LOCK,
 * the namespace operations, GETATTR/SETATTR, and malformed input
 * (bad discriminants, truncations). Method as in test_xdr.c; helpers in
 * xdr_util.h.
 */
#include "xdr_util.h"

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
		cmocka_unit_test(test_write_zero_copy),
		cmocka_unit_test(test_write_copy_fallback),
		cmocka_unit_test(test_read_res_payload),
		cmocka_unit_test(test_payload_length_beyond_buffer),
		cmocka_unit_test(test_payload_record_stream),
		cmocka_unit_test(test_readdir_res),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_rename_link_remove),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_getattr_setattr),
		cmocka_unit_test(test_bad_discriminants),
		cmocka_unit_test(test_truncated_misc),
	};
	return cmocka_run_group_tests_name("xdr_ops", tests, NULL, NULL);
}
