/*
 * tests/unit/test_compound.c — COMPOUND processing end to end, in process:
 * one server (server_start() on 127.0.0.1 port 0, temp data dir) for the
 * whole group; each test builds COMPOUND4args from the rpcgen types, runs
 * them through compound_run() with a fake connection and an AUTH_SYS uid 0
 * credential (compound_harness.c), and decodes the COMPOUND4res with
 * xdr_COMPOUND4res.
 *
 * Tests marked "Regression" pin bugs found by these tests and the fuzzer;
 * each fails (cmocka fail()) if the bug comes back.
 * STRATA_TEST_FILTER=<glob> selects tests, e.g. '*empty_owners*'.
 *
 * This file: the COMPOUND header and op dispatch, sessions and slots,
 * OPEN/WRITE/COMMIT/READ, names. Directories, malformed requests, share
 * reservations and locks, filehandles: test_compound_ns.c. Shared
 * helpers: compound_tests.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compound_harness.h"
#include "fh.h"
#include "store.h"
#include "test_util_ch.h"
#include "server_run.h"
#include "config.h"
#include "reclaim.h"
#include "session.h"
#include "compound_tests.h"

/* ------------------------------------------------------------------ */
/* COMPOUND header and op dispatch                                     */
/* ------------------------------------------------------------------ */

static void test_minorversion_mismatch(void **state)
{
	struct ch_client *cl = new_client(NULL);

	(void)state;
	/* RFC 8881 §16.2.3: other minor versions get an empty result. */
	assert_int_equal(CALLV(cl, 0, ch_op_putrootfh(), ch_op_getfh()),
			 NFS4ERR_MINOR_VERS_MISMATCH);
	EXPECT_RES(cl, 0, NFS4ERR_MINOR_VERS_MISMATCH);
	assert_int_equal(cl->res.tag.utf8string_len, 7);
	assert_memory_equal(cl->res.tag.utf8string_val, "harness", 7);

	assert_int_equal(CALLV(cl, 2, ch_op_putrootfh()),
			 NFS4ERR_MINOR_VERS_MISMATCH);
	EXPECT_RES(cl, 0, NFS4ERR_MINOR_VERS_MISMATCH);

	assert_int_equal(CALLV(cl, 0xffffffff, ch_op_putrootfh()),
			 NFS4ERR_MINOR_VERS_MISMATCH);
	EXPECT_RES(cl, 0, NFS4ERR_MINOR_VERS_MISMATCH);

	/* No ops at all, minor version 0. */
	assert_int_equal(call_ops(cl, 0, NULL, 0),
			 NFS4ERR_MINOR_VERS_MISMATCH);
	EXPECT_RES(cl, 0, NFS4ERR_MINOR_VERS_MISMATCH);

	/* An empty v4.1 COMPOUND is fine. */
	assert_int_equal(call_ops(cl, 1, NULL, 0), NFS4_OK);
	EXPECT_RES(cl, 0, NFS4_OK);
	tu_free_client(cl);
}

static void test_unknown_opcode(void **state)
{
	static const uint32_t bad[] = { 0, 1, 2, OP_ALLOCATE, 70, 1000,
					OP_ILLEGAL, 0xffffffff };
	struct ch_client *cl = new_client(tu_uniq("illegal"));
	uint8_t buf[1024];

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nfs_argop4 ops[2] = { ch_op_seq(cl, 0, 0), ch_op_putrootfh() };
		uint32_t w[1] = { bad[i] };
		size_t len = encode_with_tail(buf, sizeof(buf), ops, 2, w, 1,
					      1);

		/* RFC 8881 §15.2, §18.52: result OP_ILLEGAL, processing
		 * stops there. */
		assert_int_equal(ch_call_raw(cl, buf, len), NFS4ERR_OP_ILLEGAL);
		EXPECT_RES(cl, 3, NFS4ERR_OP_ILLEGAL);
		EXPECT_OP(cl, 0, NFS4_OK);
		EXPECT_OP(cl, 1, NFS4_OK);
		assert_int_equal(ch_res(cl, 2)->resop, OP_ILLEGAL);
		EXPECT_OP(cl, 2, NFS4ERR_OP_ILLEGAL);
	}

	/* Also as the very first op, without a session. */
	{
		uint32_t w[2] = { 9999, OP_PUTROOTFH };
		size_t len = encode_with_tail(buf, sizeof(buf), NULL, 0, w, 2,
					      2);
		assert_int_equal(ch_call_raw(cl, buf, len), NFS4ERR_OP_ILLEGAL);
		EXPECT_RES(cl, 1, NFS4ERR_OP_ILLEGAL);
		assert_int_equal(ch_res(cl, 0)->resop, OP_ILLEGAL);
	}

	/* v4.0-only operations are NFS4ERR_NOTSUPP in 4.1 (RFC 8881 §18). */
	{
		nfs_argop4 ops[2] = { ch_op_seq(cl, 0, 0),
				      ch_op_raw(OP_RENEW) };
		ops[1].nfs_argop4_u.oprenew.clientid = cl->clientid;
		assert_int_equal(ch_call(cl, 1, ops, 2), NFS4ERR_NOTSUPP);
		EXPECT_RES(cl, 2, NFS4ERR_NOTSUPP);
		assert_int_equal(ch_res(cl, 1)->resop, OP_RENEW);
	}
	tu_free_client(cl);
}

static void test_op_not_in_session(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("nosess"));

	(void)state;
	/* RFC 8881 §18.46.3, §15.1.3: ops other than the session
	 * bootstrap ones need SEQUENCE first. */
	assert_int_equal(CALL(cl, ch_op_putrootfh(), ch_op_getfh()),
			 NFS4ERR_OP_NOT_IN_SESSION);
	EXPECT_RES(cl, 1, NFS4ERR_OP_NOT_IN_SESSION);
	assert_int_equal(ch_res(cl, 0)->resop, OP_PUTROOTFH);

	assert_int_equal(CALL(cl, ch_op_putrootfh()),
			 NFS4ERR_OP_NOT_IN_SESSION);
	EXPECT_RES(cl, 1, NFS4ERR_OP_NOT_IN_SESSION);

	/* Many ops without a session: still just the first result. */
	{
		nfs_argop4 ops[20];
		for (unsigned i = 0; i < 20; i++)
			ops[i] = ch_op_putrootfh();
		assert_int_equal(ch_call(cl, 1, ops, 20),
				 NFS4ERR_OP_NOT_IN_SESSION);
		EXPECT_RES(cl, 1, NFS4ERR_OP_NOT_IN_SESSION);
	}

	/* A session-bootstrap op without SEQUENCE must be alone
	 * (NFS4ERR_NOT_ONLY_OP, RFC 8881 §18.35.3, §18.36.3). */
	{
		nfs_argop4 ops[2] = { ch_op_destroy_clientid(12345),
				      ch_op_putrootfh() };
		assert_int_equal(ch_call(cl, 1, ops, 2), NFS4ERR_NOT_ONLY_OP);
		EXPECT_RES(cl, 1, NFS4ERR_NOT_ONLY_OP);
	}
	tu_free_client(cl);
}

static void test_sequence_position(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("seqpos"));

	(void)state;
	/* RFC 8881 §18.46.3: SEQUENCE anywhere but first. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_sequence(cl, 1, 1, 0)),
			 NFS4ERR_SEQUENCE_POS);
	EXPECT_RES(cl, 3, NFS4ERR_SEQUENCE_POS);
	EXPECT_OP(cl, 0, NFS4_OK);
	EXPECT_OP(cl, 1, NFS4_OK);
	assert_int_equal(ch_res(cl, 2)->resop, OP_SEQUENCE);

	{
		uint32_t next = cl->slot_seq[0] + 1;
		assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, next, 0),
				      ch_op_sequence(cl, 0, next, 0)),
				 NFS4ERR_SEQUENCE_POS);
		cl->slot_seq[0] = next;
	}
	EXPECT_RES(cl, 2, NFS4ERR_SEQUENCE_POS);

	/* The slot-1 SEQUENCE above never ran: slot 1 still expects 1. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 1, 0)), NFS4_OK);
	tu_free_client(cl);
}

/* ------------------------------------------------------------------ */
/* Sessions and slots                                                  */
/* ------------------------------------------------------------------ */

static void test_sequence_slots(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("slots"));
	uint8_t first[4096];
	size_t first_len;
	SEQUENCE4resok *ok;

	(void)state;
	/* New request, cached. */
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, 1, 1),
			      ch_op_putrootfh(), ch_op_getfh()),
			 NFS4_OK);
	EXPECT_RES(cl, 3, NFS4_OK);
	ok = &ch_res(cl, 0)->nfs_resop4_u.opsequence.SEQUENCE4res_u
		      .sr_resok4;
	assert_memory_equal(ok->sr_sessionid, cl->sessionid,
			    NFS4_SESSIONID_SIZE);
	assert_int_equal(ok->sr_sequenceid, 1);
	assert_int_equal(ok->sr_slotid, 0);
	assert_int_equal(ok->sr_highest_slotid, 7); /* 8 slots granted */
	assert_int_equal(ok->sr_status_flags, 0);
	assert_true(cl->reply_len <= sizeof(first));
	first_len = cl->reply_len;
	memcpy(first, cl->reply, first_len);

	/* Something else on another slot in between. */
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 1, 1, 1),
			      ch_op_putrootfh()),
			 NFS4_OK);

	/* The retry gets the very same bytes (RFC 8881 §2.10.6.1.3). */
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, 1, 1),
			      ch_op_putrootfh(), ch_op_getfh()),
			 NFS4_OK);
	assert_int_equal(cl->reply_len, first_len);
	assert_memory_equal(cl->reply, first, first_len);
	/* And again. */
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, 1, 1),
			      ch_op_putrootfh(), ch_op_getfh()),
			 NFS4_OK);
	assert_memory_equal(cl->reply, first, first_len);

	/* New request, not cached; its retry is RETRY_UNCACHED_REP. */
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, 2, 0),
			      ch_op_putrootfh()),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, 2, 0),
			      ch_op_putrootfh()),
			 NFS4ERR_RETRY_UNCACHED_REP);
	EXPECT_RES(cl, 1, NFS4ERR_RETRY_UNCACHED_REP);
	assert_int_equal(ch_res(cl, 0)->resop, OP_SEQUENCE);
	/* Even if the retry asks for caching now. */
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, 2, 1),
			      ch_op_putrootfh()),
			 NFS4ERR_RETRY_UNCACHED_REP);

	/* Skipping ahead or going back: misordered (RFC 8881 §2.10.6.1). */
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, 4, 0)),
			 NFS4ERR_SEQ_MISORDERED);
	EXPECT_RES(cl, 1, NFS4ERR_SEQ_MISORDERED);
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, 1, 0)),
			 NFS4ERR_SEQ_MISORDERED);
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, 0, 0)),
			 NFS4ERR_SEQ_MISORDERED);
	/* A fresh slot: seqid 0 was never sent, 2 is ahead. */
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 2, 0, 0)),
			 NFS4ERR_SEQ_MISORDERED);
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 2, 2, 0)),
			 NFS4ERR_SEQ_MISORDERED);

	/* Slot ids beyond what CREATE_SESSION granted. */
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 8, 1, 0)),
			 NFS4ERR_BADSLOT);
	EXPECT_RES(cl, 1, NFS4ERR_BADSLOT);
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0xffffffff, 1, 0)),
			 NFS4ERR_BADSLOT);

	/* The errors left slot 0 where it was. */
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, 3, 0),
			      ch_op_putrootfh()),
			 NFS4_OK);

	/* An unknown session. */
	{
		nfs_argop4 op = ch_op_sequence(cl, 0, 4, 0);
		op.nfs_argop4_u.opsequence.sa_sessionid[0] ^= 0x55;
		assert_int_equal(ch_call(cl, 1, &op, 1), NFS4ERR_BADSESSION);
	}
	tu_free_client(cl);
}

static void test_sequence_too_many_ops(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("toomany"));
	nfs_argop4 ops[17];

	(void)state;
	/* ca_maxoperations is 16 (RFC 8881 §2.10.6.4, §18.46.3). */
	ops[0] = ch_op_sequence(cl, 0, 1, 0);
	for (unsigned i = 1; i < 17; i++)
		ops[i] = ch_op_putrootfh();
	assert_int_equal(ch_call(cl, 1, ops, 17), NFS4ERR_TOO_MANY_OPS);
	EXPECT_RES(cl, 1, NFS4ERR_TOO_MANY_OPS);
	/* Not a use of the slot: seqid 1 is still new. */
	assert_int_equal(ch_call(cl, 1, ops, 16), NFS4_OK);
	EXPECT_RES(cl, 16, NFS4_OK);
	tu_free_client(cl);
}

static void test_create_session_replay(void **state)
{
	struct ch_client *cl = new_client(NULL);
	sessionid4 first, second;
	nfs_argop4 op;
	sequenceid4 seq;

	(void)state;
	assert_int_equal(ch_exchange_id(cl, tu_uniq("csreplay"), "verf0001"),
			 NFS4_OK);
	seq = cl->cs_seq;
	op = ch_op_create_session(cl, 8);
	assert_int_equal(ch_call(cl, 1, &op, 1), NFS4_OK);
	memcpy(first, ch_res(cl, 0)->nfs_resop4_u.opcreate_session
			      .CREATE_SESSION4res_u.csr_resok4.csr_sessionid,
	       sizeof(first));
	assert_int_equal(ch_res(cl, 0)->nfs_resop4_u.opcreate_session
				 .CREATE_SESSION4res_u.csr_resok4.csr_sequence,
			 seq);

	/* The same csa_sequence: the cached reply, same session
	 * (RFC 8881 §18.36.4). */
	assert_int_equal(ch_call(cl, 1, &op, 1), NFS4_OK);
	assert_memory_equal(ch_res(cl, 0)->nfs_resop4_u.opcreate_session
				    .CREATE_SESSION4res_u.csr_resok4
				    .csr_sessionid,
			    first, sizeof(first));
	assert_int_equal(ch_res(cl, 0)->nfs_resop4_u.opcreate_session
				 .CREATE_SESSION4res_u.csr_resok4.csr_sequence,
			 seq);
	/* The session works. */
	memcpy(cl->sessionid, first, sizeof(first));
	cl->have_session = 1;
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0)), NFS4_OK);

	/* The next sequence: a second session. */
	op.nfs_argop4_u.opcreate_session.csa_sequence = seq + 1;
	assert_int_equal(ch_call(cl, 1, &op, 1), NFS4_OK);
	memcpy(second, ch_res(cl, 0)->nfs_resop4_u.opcreate_session
			       .CREATE_SESSION4res_u.csr_resok4.csr_sessionid,
	       sizeof(second));
	assert_memory_not_equal(first, second, sizeof(first));

	/* Out of order. */
	op.nfs_argop4_u.opcreate_session.csa_sequence = seq + 5;
	assert_int_equal(ch_call(cl, 1, &op, 1), NFS4ERR_SEQ_MISORDERED);
	op.nfs_argop4_u.opcreate_session.csa_sequence = seq;
	assert_int_equal(ch_call(cl, 1, &op, 1), NFS4ERR_SEQ_MISORDERED);

	/* Unknown client id. */
	op.nfs_argop4_u.opcreate_session.csa_clientid ^= 0xffff;
	assert_int_equal(ch_call(cl, 1, &op, 1), NFS4ERR_STALE_CLIENTID);
	tu_free_client(cl);
}

static void test_destroy_session(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("destroy"));
	nfs_argop4 op;

	(void)state;
	/* Destroying the session of the SEQUENCE must be the last op
	 * (RFC 8881 §18.37.3). */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
			      ch_op_destroy_session(cl->sessionid),
			      ch_op_putrootfh()),
			 NFS4ERR_NOT_ONLY_OP);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 1),
			      ch_op_destroy_session(cl->sessionid)),
			 NFS4_OK);
	EXPECT_RES(cl, 2, NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0)), NFS4ERR_BADSESSION);
	/* Alone, without SEQUENCE: gone already. */
	op = ch_op_destroy_session(cl->sessionid);
	assert_int_equal(ch_call(cl, 1, &op, 1), NFS4ERR_BADSESSION);
	/* No sessions and no state: the client id can go. */
	op = ch_op_destroy_clientid(cl->clientid);
	assert_int_equal(ch_call(cl, 1, &op, 1), NFS4_OK);
	assert_int_equal(ch_call(cl, 1, &op, 1), NFS4ERR_STALE_CLIENTID);
	tu_free_client(cl);
}

/*
 * Regression: the sequence id of a slot wraps from 2^32-1 to 0 (RFC 8881
 * §2.10.6.1); a retry of the request that used seqid 0 must then be a
 * replay, not NFS4ERR_SEQ_MISORDERED. struct nfs_slot uses seqid 0 to mean
 * "never used", so the retry is refused.
 */
static void test_slot_wrap_replay(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("wrap"));
	struct nfs_session *s;
	uint8_t first[4096];
	size_t first_len;
	int st;

	(void)state;
	pthread_mutex_lock(&g_srv->state_lock);
	s = session_find(g_srv, cl->sessionid);
	assert_non_null(s);
	s->slots[0].seqid = UINT32_MAX - 1; /* white box: fast-forward */
	pthread_mutex_unlock(&g_srv->state_lock);

	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, UINT32_MAX, 1)),
			 NFS4_OK);
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, 0, 1),
			      ch_op_putrootfh()),
			 NFS4_OK);
	first_len = cl->reply_len;
	memcpy(first, cl->reply, first_len);
	st = CALL(cl, ch_op_sequence(cl, 0, 0, 1), ch_op_putrootfh());
	if (st != NFS4_OK) {
		tu_free_client(cl);
		fprintf(stderr, "REGRESSION: retry of seqid 0 after the slot's "
				"seqid wrapped got status %d, expected the "
				"cached reply (RFC 8881 §2.10.6.1)\n", st);
		fail();
	}
	assert_int_equal(cl->reply_len, first_len);
	assert_memory_equal(cl->reply, first, first_len);
	assert_int_equal(CALL(cl, ch_op_sequence(cl, 0, 1, 0)), NFS4_OK);
	tu_free_client(cl);
}

/*
 * With sa_cachethis set, a reply larger than ca_maxresponsesize_cached
 * fails with NFS4ERR_REP_TOO_BIG_TO_CACHE (RFC 8881 §2.10.6.4); without
 * it, only ca_maxresponsesize applies.
 */
static void test_rep_too_big_to_cache(void **state)
{
	struct ch_client *cl = new_client(NULL);
	static char data[4096];
	const stateid4 cur = { .seqid = 1 };
	struct fh fh;
	nfs_argop4 op;
	int st;

	(void)state;
	memset(data, 'z', sizeof(data));
	assert_int_equal(ch_exchange_id(cl, tu_uniq("toobig"), "verf0001"),
			 NFS4_OK);
	op = ch_op_create_session(cl, 8);
	op.nfs_argop4_u.opcreate_session.csa_fore_chan_attrs
		.ca_maxresponsesize_cached = 1024;
	assert_int_equal(ch_call(cl, 1, &op, 1), NFS4_OK);
	assert_int_equal(ch_res(cl, 0)->nfs_resop4_u.opcreate_session
				 .CREATE_SESSION4res_u.csr_resok4
				 .csr_fore_chan_attrs.ca_maxresponsesize_cached,
			 1024);
	memcpy(cl->sessionid,
	       ch_res(cl, 0)->nfs_resop4_u.opcreate_session
		       .CREATE_SESSION4res_u.csr_resok4.csr_sessionid,
	       NFS4_SESSIONID_SIZE);
	cl->have_session = 1;
	assert_int_equal(CALL(cl, ch_op_seq(cl, 7, 0),
			      ch_op_reclaim_complete()),
			 NFS4_OK);

	/* Uncached: a 4 KiB READ fits in ca_maxresponsesize. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_open(cl, "o", tu_uniq("big"), 1,
					 OPEN4_SHARE_ACCESS_BOTH, 0),
			      ch_op_getfh(),
			      ch_op_write(&cur, 0, data, sizeof(data),
					  FILE_SYNC4),
			      ch_op_read(&cur, 0, sizeof(data))),
			 NFS4_OK);
	tu_save_fh(cl, 3, &fh);
	/* Cached: over ca_maxresponsesize_cached. */
	st = CALL(cl, ch_op_seq(cl, 0, 1), ch_op_putfh(&fh.fh),
		  ch_op_read(&anon_sid, 0, sizeof(data)));
	EXPECT_RES(cl, 3, st);
	EXPECT_OP(cl, 0, NFS4_OK);
	assert_int_equal(st, NFS4ERR_REP_TOO_BIG_TO_CACHE);
	/* The (small) error reply is what got cached: a retry gets it. */
	{
		uint8_t first[256];
		size_t first_len = cl->reply_len;
		assert_true(first_len <= sizeof(first));
		memcpy(first, cl->reply, first_len);
		assert_int_equal(CALL(cl,
				      ch_op_sequence(cl, 0, cl->slot_seq[0], 1),
				      ch_op_putfh(&fh.fh),
				      ch_op_read(&anon_sid, 0, sizeof(data))),
				 NFS4ERR_REP_TOO_BIG_TO_CACHE);
		assert_int_equal(cl->reply_len, first_len);
		assert_memory_equal(cl->reply, first, first_len);
	}
	/* A small cached reply is fine. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 1), ch_op_putfh(&fh.fh),
			      ch_op_read(&anon_sid, 0, 16)),
			 NFS4_OK);
	tu_free_client(cl);
}

/*
 * Regression (memory safety, was a use-after-free): a COMPOUND whose SEQUENCE runs on a session of
 * confirmed client X and whose CREATE_SESSION confirms a new record Y for
 * the same owner (X rebooted: RFC 8881 §18.35.4 case 5, §18.36.4) makes
 * confirm() destroy X, its sessions and the very slot the COMPOUND holds;
 * compound_run() then records the reply into the freed slot
 * (session_slot_done on freed memory: heap-use-after-free under ASan).
 * The RFC-correct outcome: both ops succeed and the server survives.
 */
static void test_replace_client_inside_its_session(void **state)
{
	struct ch_client *old = new_client(NULL), *fresh = new_client(NULL);
	const char *owner = tu_uniq("reboot");
	nfs_argop4 ops[2];

	(void)state;
	assert_int_equal(ch_setup(old, owner), 0);
	/* Same owner, new verifier: an unconfirmed record Y. */
	assert_int_equal(ch_exchange_id(fresh, owner, "verf0002"), NFS4_OK);
	assert_int_not_equal(fresh->clientid, old->clientid);
	ops[0] = ch_op_seq(old, 0, 1);
	ops[1] = ch_op_create_session(fresh, 8);
	assert_int_equal(ch_call(old, 1, ops, 2), NFS4_OK);
	EXPECT_RES(old, 2, NFS4_OK);
	/* The old session went with the old record. */
	assert_int_equal(CALL(old, ch_op_seq(old, 0, 0)), NFS4ERR_BADSESSION);
	tu_free_client(old);
	tu_free_client(fresh);
}

/* ------------------------------------------------------------------ */
/* Files: OPEN/WRITE/COMMIT/READ                                       */
/* ------------------------------------------------------------------ */

static void test_open_write_read(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("io"));
	static const char msg[] = "hello, strata";
	const char *name = tu_uniq("file");
	stateid4 sid;
	struct fh fh;
	char wverf[NFS4_VERIFIER_SIZE];
	nfs_resop4 *r;

	(void)state;
	assert_int_equal(open_file(cl, "owner-io", name, 1,
				   OPEN4_SHARE_ACCESS_BOTH,
				   OPEN4_SHARE_DENY_NONE, &sid, &fh),
			 NFS4_OK);
	assert_int_equal(sid.seqid, 1);

	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_write(&sid, 0, msg, sizeof(msg) - 1,
					  UNSTABLE4),
			      ch_op_commit(0, 0),
			      ch_op_read(&sid, 0, 1000)),
			 NFS4_OK);
	EXPECT_RES(cl, 5, NFS4_OK);
	r = ch_res(cl, 2);
	assert_int_equal(r->nfs_resop4_u.opwrite.WRITE4res_u.resok4.count,
			 sizeof(msg) - 1);
	memcpy(wverf, r->nfs_resop4_u.opwrite.WRITE4res_u.resok4.writeverf,
	       sizeof(wverf));
	/* COMMIT's verifier matches WRITE's (same boot). */
	assert_memory_equal(ch_res(cl, 3)->nfs_resop4_u.opcommit
				    .COMMIT4res_u.resok4.writeverf,
			    wverf, sizeof(wverf));
	r = ch_res(cl, 4);
	assert_int_equal(r->nfs_resop4_u.opread.READ4res_u.resok4.data.len,
			 sizeof(msg) - 1);
	assert_memory_equal(r->nfs_resop4_u.opread.READ4res_u.resok4.data.base,
			    msg, sizeof(msg) - 1);
	assert_true(r->nfs_resop4_u.opread.READ4res_u.resok4.eof);

	/* Partial read, not at EOF; then past EOF. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_read(&sid, 7, 3),
			      ch_op_read(&anon_sid, 1000, 10)),
			 NFS4_OK);
	r = ch_res(cl, 2);
	assert_int_equal(r->nfs_resop4_u.opread.READ4res_u.resok4.data.len, 3);
	assert_memory_equal(r->nfs_resop4_u.opread.READ4res_u.resok4.data.base,
			    "str", 3);
	assert_false(r->nfs_resop4_u.opread.READ4res_u.resok4.eof);
	r = ch_res(cl, 3);
	assert_int_equal(r->nfs_resop4_u.opread.READ4res_u.resok4.data.len, 0);
	assert_true(r->nfs_resop4_u.opread.READ4res_u.resok4.eof);

	/* The size attribute followed the write. */
	{
		uint32_t words[1] = { 1u << FATTR4_SIZE };
		uint64_t size = 0;
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putfh(&fh.fh),
				      ch_op_getattr(words, 1)),
				 NFS4_OK);
		assert_int_equal(
			ch_attr_u64(&ch_res(cl, 2)->nfs_resop4_u.opgetattr
					     .GETATTR4res_u.resok4
					     .obj_attributes,
				    FATTR4_SIZE, &size),
			0);
		assert_int_equal(size, sizeof(msg) - 1);
	}

	/* The same, using the current stateid inside one COMPOUND
	 * (RFC 8881 §16.2.3.1.2). */
	{
		const stateid4 cur = { .seqid = 1 };
		const char *n2 = tu_uniq("file");
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putrootfh(),
				      ch_op_open(cl, "owner-io", n2, 1,
						 OPEN4_SHARE_ACCESS_BOTH, 0),
				      ch_op_write(&cur, 4, "abcd", 4,
						  FILE_SYNC4),
				      ch_op_read(&cur, 0, 100),
				      ch_op_close(&cur)),
				 NFS4_OK);
		r = ch_res(cl, 3);
		assert_int_equal(r->nfs_resop4_u.opwrite.WRITE4res_u.resok4
					 .committed,
				 FILE_SYNC4);
		r = ch_res(cl, 4);
		assert_int_equal(
			r->nfs_resop4_u.opread.READ4res_u.resok4.data.len, 8);
		/* The hole before offset 4 reads as zeros. */
		assert_memory_equal(
			r->nfs_resop4_u.opread.READ4res_u.resok4.data.base,
			"\0\0\0\0abcd", 8);
		/* CLOSE returns the invalid special stateid (§18.2.4). */
		r = ch_res(cl, 5);
		assert_int_equal(r->nfs_resop4_u.opclose.CLOSE4res_u
					 .open_stateid.seqid,
				 0xffffffffu);
	}

	/* Open mode: a read-only open may not write. */
	{
		stateid4 ro;
		assert_int_equal(open_file(cl, "owner-ro", name, 0,
					   OPEN4_SHARE_ACCESS_READ,
					   OPEN4_SHARE_DENY_NONE, &ro, NULL),
				 NFS4_OK);
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putfh(&fh.fh),
				      ch_op_write(&ro, 0, "x", 1, UNSTABLE4)),
				 NFS4ERR_OPENMODE);
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putfh(&fh.fh), ch_op_close(&ro)),
				 NFS4_OK);
	}

	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_close(&sid)),
			 NFS4_OK);
	/* Closed: the stateid is no longer good. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_read(&sid, 0, 10)),
			 NFS4ERR_BAD_STATEID);
	tu_free_client(cl);
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

static void test_lookup_bad_names(void **state)
{
	struct ch_client *cl = new_client(tu_uniq("names"));
	char longname[257];
	struct {
		const char *name;
		size_t len;
		int want;
	} cases[] = {
		/* ops/op_util.c check_component (RFC 8881 §18.15.3,
		 * §18.4.3, §15.1.7): */
		{ "", 0, NFS4ERR_INVAL },
		{ ".", 1, NFS4ERR_BADNAME },
		{ "..", 2, NFS4ERR_BADNAME },
		{ "a/b", 3, NFS4ERR_BADNAME },
		{ "/", 1, NFS4ERR_BADNAME },
		{ "a\0b", 3, NFS4ERR_BADNAME },
		{ longname, 256, NFS4ERR_NAMETOOLONG },
		{ "\xff", 1, NFS4ERR_INVAL },          /* not UTF-8 */
		{ "\xc0\xaf", 2, NFS4ERR_INVAL },      /* overlong '/' */
		{ "\xed\xa0\x80", 3, NFS4ERR_INVAL },  /* surrogate */
		{ "ab\xe2\x82", 4, NFS4ERR_INVAL },    /* truncated */
		{ "\xf4\x90\x80\x80", 4, NFS4ERR_INVAL }, /* > U+10FFFF */
		/* Valid but absent. */
		{ longname, 255, NFS4ERR_NOENT },
		{ "...", 3, NFS4ERR_NOENT },
		{ "\xc3\xa9t\xc3\xa9", 5, NFS4ERR_NOENT },
	};

	(void)state;
	memset(longname, 'n', sizeof(longname));
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_lookup(cases[i].name, cases[i].len));
		if (st != cases[i].want)
			fail_msg("case %u (len %zu): status %d, want %d", i,
				 cases[i].len, st, cases[i].want);
		EXPECT_RES(cl, 3, cases[i].want);
	}

	/* The same checks guard names that create things. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_create_dir("a/b")),
			 NFS4ERR_BADNAME);
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_open(cl, "o", "..", 1,
					 OPEN4_SHARE_ACCESS_READ, 0)),
			 NFS4ERR_BADNAME);
	longname[256] = 0;
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
			      ch_op_create_dir(longname)),
			 NFS4ERR_NAMETOOLONG);

	/* LOOKUP in something that is not a directory. */
	{
		struct fh fh;
		const char *f = tu_uniq("plain");
		assert_int_equal(open_file(cl, "o", f, 1,
					   OPEN4_SHARE_ACCESS_READ, 0, NULL,
					   &fh),
				 NFS4_OK);
		assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0),
				      ch_op_putfh(&fh.fh),
				      ch_op_lookup("x", 1)),
				 NFS4ERR_NOTDIR);
	}
	/* No current filehandle. */
	assert_int_equal(CALL(cl, ch_op_seq(cl, 0, 0), ch_op_lookup("x", 1)),
			 NFS4ERR_NOFILEHANDLE);
	tu_free_client(cl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minorversion_mismatch),
		cmocka_unit_test(test_unknown_opcode),
		cmocka_unit_test(test_op_not_in_session),
		cmocka_unit_test(test_sequence_position),
		cmocka_unit_test(test_sequence_slots),
		cmocka_unit_test(test_sequence_too_many_ops),
		cmocka_unit_test(test_create_session_replay),
		cmocka_unit_test(test_destroy_session),
		cmocka_unit_test(test_slot_wrap_replay),
		cmocka_unit_test(test_rep_too_big_to_cache),
		cmocka_unit_test(test_replace_client_inside_its_session),
		cmocka_unit_test(test_open_write_read),
		cmocka_unit_test(test_lookup_bad_names),
	};

	/* STRATA_TEST_FILTER=pattern runs only the matching tests (cmocka
	 * glob). */
	if (getenv("STRATA_TEST_FILTER"))
		cmocka_set_test_filter(getenv("STRATA_TEST_FILTER"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
