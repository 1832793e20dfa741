/*
 * tests/unit/test_rpcrdma.c — the RPC-over-RDMA v1 header decoder and
 * encoders (nfsd/rdma/rpcrdma_decode.c, rpcrdma_encode.c; RFC 8166).
 *
 * Each malformed header is built word by word and must give its own
 * status and the RFC 8166 §4.5 answer (rpcrdma_action). Every decode runs
 * on an exact-size heap copy, and truncated headers are tried at every
 * length, so the ASan build catches any read past the end. Round trips
 * encode a header, decode it back and compare.
 * Planning, credits and RFC 8797 data: test_rpcrdma_plan.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rpcrdma_decode.h"
#include "rpcrdma_encode.h"
#include "test_rpcrdma_util.h"

static void expect(const struct msg *m, const struct rpcrdma_limits *lim,
		   enum rpcrdma_status want, enum rpcrdma_action act)
{
	struct rpcrdma_hdr h;

	assert_int_equal(dec(m, lim, &h), want);
	assert_int_equal(rpcrdma_action(want), act);
}

static void expect_chunk_err(const struct msg *m, enum rpcrdma_status want)
{
	struct rpcrdma_limits lim = lim_default();

	expect(m, &lim, want, RPCRDMA_ACT_ERR_CHUNK);
}

/* ---------------------------------------------------------------- */
/* Well-formed headers                                               */
/* ---------------------------------------------------------------- */

static void test_msg_inline(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_zeros(&m, 3);
	m_rpc(&m, XID, 40);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_int_equal(h.xid, XID);
	assert_int_equal(h.credits, 128);
	assert_int_equal(h.hdr_len, RPCRDMA_HDRLEN_MIN);
	assert_int_equal(h.inline_len, 40);
	assert_int_equal(h.call_len, 40);
	assert_int_equal(h.nread + h.nwrite + h.nsegs, 0);
	assert_false(h.has_reply);
}

/* A WRITE's data in a two-segment Read chunk (RFC 8267 §4): the inline
 * part has no XDR pad; the rebuilt call has it. */
static void test_msg_read_chunk(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_read(&m, 32, 7, 4096);
	m_read(&m, 32, 8, 1001);
	m_zeros(&m, 3);
	m_rpc(&m, XID, 44);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_int_equal(h.nread, 1);
	assert_int_equal(h.read[0].position, 32);
	assert_int_equal(h.read[0].nsegs, 2);
	assert_int_equal(h.read[0].len, 5097);
	assert_int_equal(h.segs[1].handle, 8);
	assert_int_equal(h.segs[1].offset, 0x8000);
	assert_int_equal(h.hdr_len, 16 + 2 * 24 + 12);
	assert_int_equal(h.call_len, 44 + 5100);
}

/* A chunk may sit at the very end of the inline message. */
static void test_msg_read_chunk_at_end(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_read(&m, 40, 7, 10);
	m_zeros(&m, 3);
	m_rpc(&m, XID, 40);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_int_equal(h.call_len, 52);
}

static void test_nomsg_call(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_NOMSG);
	m_read(&m, 0, 3, 8000);
	m_zeros(&m, 3);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_int_equal(h.inline_len, 0);
	assert_int_equal(h.hdr_len, m.len);
	assert_int_equal(h.call_len, 8000);
}

/* Position zero plus a data chunk inside it (RFC 8166 §3.5.3). */
static void test_nomsg_call_with_data_chunk(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_NOMSG);
	m_read(&m, 0, 3, 100);
	m_read(&m, 40, 4, 10);
	m_zeros(&m, 3);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_int_equal(h.nread, 2);
	assert_int_equal(h.call_len, 112);
}

static void test_write_list_and_reply_chunk(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_u32(&m, 0);
	m_u32(&m, 1);
	m_u32(&m, 2);
	m_seg(&m, 10, 4096, 0xabcdef0000000000ull);
	m_seg(&m, 11, 100, 0x10);
	m_chunk1(&m, 12, 512, 0x20);
	m_u32(&m, 0);
	m_chunk1(&m, 13, 65536, 0x30);
	m_rpc(&m, XID, 60);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_int_equal(h.nwrite, 2);
	assert_int_equal(h.write[0].nsegs, 2);
	assert_int_equal(h.write[0].len, 4196);
	assert_int_equal(h.write[1].first, 2);
	assert_int_equal(h.write[1].len, 512);
	assert_true(h.has_reply);
	assert_int_equal(h.reply.first, 3);
	assert_int_equal(h.reply.len, 65536);
	assert_int_equal(h.segs[0].offset, 0xabcdef0000000000ull);
	assert_int_equal(h.nsegs, 4);
	assert_int_equal(h.inline_len, 60);
}

/* A client's backchannel reply: RDMA_MSG, no chunks, msg_type REPLY. */
static void test_backchannel_reply(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_zeros(&m, 3);
	m_u32(&m, XID);
	m_u32(&m, 1); /* REPLY */
	m_u32(&m, 0);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_int_equal(h.inline_len, 12);
}

/* ---------------------------------------------------------------- */
/* Fixed words: short, version, proc                                 */
/* ---------------------------------------------------------------- */

static void test_short(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	for (size_t n = 0; n < 8; n++) {
		assert_int_equal(dec_n(&m, n, &lim, &h), RPCRDMA_E_SHORT);
		assert_int_equal(rpcrdma_action(RPCRDMA_E_SHORT),
				 RPCRDMA_ACT_DROP);
	}
}

static void test_bad_version(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};

	m_fixed(&m, XID, 2, RDMA_MSG);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_E_VERS);
	assert_int_equal(h.xid, XID);
	assert_int_equal(h.vers, 2);
	assert_int_equal(rpcrdma_action(RPCRDMA_E_VERS), RPCRDMA_ACT_ERR_VERS);
	/* Only xid and version are needed to answer. */
	assert_int_equal(dec_n(&m, 8, &lim, &h), RPCRDMA_E_VERS);
}

static void test_procs(void **state)
{
	static const struct {
		uint32_t proc;
		enum rpcrdma_status st;
		enum rpcrdma_action act;
	} cases[] = {
		{RDMA_MSGP, RPCRDMA_E_MSGP, RPCRDMA_ACT_ERR_CHUNK},
		{RDMA_DONE, RPCRDMA_E_DONE, RPCRDMA_ACT_DROP},
		{5, RPCRDMA_E_PROC, RPCRDMA_ACT_ERR_CHUNK},
		{0xffffffffu, RPCRDMA_E_PROC, RPCRDMA_ACT_ERR_CHUNK},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rpcrdma_limits lim = lim_default();
		struct msg m = {0};

		m_fixed(&m, XID, 1, cases[i].proc);
		m_u32(&m, 0);
		m_u32(&m, 0);
		m_u32(&m, 0);
		expect(&m, &lim, cases[i].st, cases[i].act);
	}
}

/* An RDMA_ERROR from the peer is decoded and never answered. */
static void test_peer_error(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_ERROR);
	m_u32(&m, ERR_VERS);
	m_u32(&m, 1);
	m_u32(&m, 3);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_E_PEER_ERROR);
	assert_int_equal(h.err, ERR_VERS);
	assert_int_equal(h.vers_low, 1);
	assert_int_equal(h.vers_high, 3);
	assert_int_equal(rpcrdma_action(RPCRDMA_E_PEER_ERROR),
			 RPCRDMA_ACT_DROP);
	/* Cut short: still dropped, not answered with ERR_CHUNK. */
	assert_int_equal(dec_n(&m, 24, &lim, &h), RPCRDMA_E_PEER_ERROR);
	assert_int_equal(h.err, 0);
}

/* Every cut of a header with all three lists is E_TRUNC, never a read
 * past the end (ASan) and never success. */
static void test_truncated_everywhere(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};
	size_t hdr;

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_read(&m, 8, 1, 100);
	m_u32(&m, 0);
	m_u32(&m, 1);
	m_u32(&m, 2);
	m_seg(&m, 2, 100, 0);
	m_seg(&m, 3, 100, 0);
	m_u32(&m, 0);
	m_chunk1(&m, 4, 100, 0);
	hdr = m.len;
	m_rpc(&m, XID, 16);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_int_equal(h.hdr_len, hdr);
	for (size_t n = 8; n < hdr; n++)
		assert_int_equal(dec_n(&m, n, &lim, &h), RPCRDMA_E_TRUNC);
	assert_int_equal(rpcrdma_action(RPCRDMA_E_TRUNC),
			 RPCRDMA_ACT_ERR_CHUNK);
}

static void test_oversize(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_zeros(&m, 3);
	m_rpc(&m, XID, lim.max_inline_recv - RPCRDMA_HDRLEN_MIN);
	expect(&m, &lim, RPCRDMA_OK, RPCRDMA_ACT_PROCESS);
	m_u32(&m, 0);
	expect(&m, &lim, RPCRDMA_E_OVERSIZE, RPCRDMA_ACT_DISCONNECT);
}

static void test_bad_limits(void **state)
{
	struct rpcrdma_hdr h;
	struct msg m = {0};
	struct rpcrdma_limits lim;

	m_fixed(&m, XID, 1, RDMA_MSG);
	lim = lim_default();
	lim.max_segs = RPCRDMA_SEG_CAP + 1;
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_E_LIMITS);
	lim = lim_default();
	lim.max_write_chunks = 0;
	assert_int_equal(rpcrdma_limits_check(&lim), RPCRDMA_E_LIMITS);
	lim = lim_default();
	lim.max_inline_send = 512;
	assert_int_equal(rpcrdma_limits_check(&lim), RPCRDMA_E_LIMITS);
	lim = lim_default();
	lim.max_segs_per_chunk = lim.max_segs + 1;
	assert_int_equal(rpcrdma_limits_check(&lim), RPCRDMA_E_LIMITS);
	lim = lim_default();
	lim.max_total_bytes = lim.max_chunk_bytes - 1;
	assert_int_equal(rpcrdma_limits_check(&lim), RPCRDMA_E_LIMITS);
	assert_int_equal(rpcrdma_action(RPCRDMA_E_LIMITS),
			 RPCRDMA_ACT_DISCONNECT);
}

/* ---------------------------------------------------------------- */
/* Chunk lists                                                       */
/* ---------------------------------------------------------------- */

static void test_bad_discriminators(void **state)
{
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_u32(&m, 2); /* read list */
	expect_chunk_err(&m, RPCRDMA_E_BOOL);
	m_reset(&m, RDMA_MSG);
	m_u32(&m, 0);
	m_u32(&m, 7); /* write list */
	expect_chunk_err(&m, RPCRDMA_E_BOOL);
	m_reset(&m, RDMA_MSG);
	m_zeros(&m, 2);
	m_u32(&m, 0x80000000u); /* reply chunk */
	expect_chunk_err(&m, RPCRDMA_E_BOOL);
}

/* A huge segment count is refused from the count alone: no segment
 * follows it and none is read. */
static void test_write_chunk_too_many_segs(void **state)
{
	static const uint32_t counts[] = {17, 0xffffffffu};

	for (size_t i = 0; i < 2; i++) {
		struct msg m = {0};

		m_fixed(&m, XID, 1, RDMA_MSG);
		m_u32(&m, 0);
		m_u32(&m, 1);
		m_u32(&m, counts[i]);
		expect_chunk_err(&m, RPCRDMA_E_CHUNK_SEGS);
	}
}

static void test_read_chunk_too_many_segs(void **state)
{
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	for (uint32_t i = 0; i < 17; i++)
		m_read(&m, 8, i + 1, 16);
	m_u32(&m, 0);
	expect_chunk_err(&m, RPCRDMA_E_CHUNK_SEGS);
}

static void test_too_many_segs_in_header(void **state)
{
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_u32(&m, 0);
	for (uint32_t c = 0; c < 3; c++) { /* 48 > max_segs 32 */
		m_u32(&m, 1);
		m_u32(&m, 16);
		for (uint32_t i = 0; i < 16; i++)
			m_seg(&m, 1, 8, 0);
	}
	m_zeros(&m, 2);
	expect_chunk_err(&m, RPCRDMA_E_TOTAL_SEGS);
}

static void test_too_many_chunks(void **state)
{
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_u32(&m, 0);
	for (uint32_t c = 0; c < 5; c++) { /* max_write_chunks 4 */
		m_chunk1(&m, c + 1, 8, 0);
	}
	m_zeros(&m, 2);
	expect_chunk_err(&m, RPCRDMA_E_CHUNKS);
	m_reset(&m, RDMA_MSG);
	for (uint32_t c = 0; c < 5; c++) /* max_read_chunks 4 */
		m_read(&m, 8 + 4 * c, c + 1, 4);
	m_u32(&m, 0);
	expect_chunk_err(&m, RPCRDMA_E_CHUNKS);
}

static void test_empty_chunks(void **state)
{
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_u32(&m, 0);
	m_u32(&m, 1);
	m_u32(&m, 0);
	expect_chunk_err(&m, RPCRDMA_E_EMPTY_CHUNK);
	m_reset(&m, RDMA_MSG);
	m_zeros(&m, 2);
	m_u32(&m, 1);
	m_u32(&m, 0);
	expect_chunk_err(&m, RPCRDMA_E_EMPTY_CHUNK);
}

static void test_segment_values(void **state)
{
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_read(&m, 8, 1, 0);
	expect_chunk_err(&m, RPCRDMA_E_SEG_ZERO);
	m_reset(&m, RDMA_MSG);
	m_u32(&m, 0);
	m_chunk1(&m, 1, 0, 0);
	expect_chunk_err(&m, RPCRDMA_E_SEG_ZERO);
	m_reset(&m, RDMA_MSG);
	m_u32(&m, 0);
	m_chunk1(&m, 1, (1u << 20) + 1, 0); /* max_seg_bytes 1 MiB */
	expect_chunk_err(&m, RPCRDMA_E_SEG_LONG);
	m_reset(&m, RDMA_MSG);
	m_zeros(&m, 2);
	m_chunk1(&m, 1, 100, UINT64_MAX - 10);
	expect_chunk_err(&m, RPCRDMA_E_SEG_WRAP);
}

static void test_chunk_and_total_length(void **state)
{
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_u32(&m, 0);
	m_u32(&m, 1);
	m_u32(&m, 2);
	m_seg(&m, 1, 1u << 20, 0);
	m_seg(&m, 2, 1u << 20, 0);
	expect_chunk_err(&m, RPCRDMA_E_CHUNK_LONG);
	/* Three chunks of 1 MiB: each is allowed, together they are not. */
	m_reset(&m, RDMA_MSG);
	m_u32(&m, 0);
	for (uint32_t c = 0; c < 2; c++) {
		m_chunk1(&m, c + 1, 1u << 20, 0);
	}
	m_u32(&m, 0);
	m_chunk1(&m, 3, 1u << 20, 0);
	expect_chunk_err(&m, RPCRDMA_E_TOTAL_LONG);
}

/* Lengths are summed in 64 bits: two segments whose 32-bit sum wraps
 * to 1 are still seen as 2^32 + 1 bytes. */
static void test_length_sum_does_not_wrap(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct msg m = {0};

	lim.max_seg_bytes = UINT32_MAX;
	lim.max_chunk_bytes = 1ull << 32;
	lim.max_total_bytes = 1ull << 33;
	m_fixed(&m, XID, 1, RDMA_MSG);
	m_u32(&m, 0);
	m_u32(&m, 1);
	m_u32(&m, 2);
	m_seg(&m, 1, 0x80000000u, 0);
	m_seg(&m, 2, 0x80000001u, 0);
	expect(&m, &lim, RPCRDMA_E_CHUNK_LONG, RPCRDMA_ACT_ERR_CHUNK);
}

/* ---------------------------------------------------------------- */
/* Read chunk positions and the message around them                  */
/* ---------------------------------------------------------------- */

/* One read chunk at pos with the given inline message length. */
static void msg_one_read(struct msg *m, uint32_t proc, uint32_t pos,
			 uint32_t len, size_t rpc_len)
{
	m_fixed(m, XID, 1, proc);
	m_read(m, pos, 9, len);
	m_zeros(m, 3);
	if (rpc_len)
		m_rpc(m, XID, rpc_len);
}

static void test_position_checks(void **state)
{
	struct msg m = {0};

	msg_one_read(&m, RDMA_MSG, 6, 100, 40);
	expect_chunk_err(&m, RPCRDMA_E_POS_ALIGN);
	m = (struct msg){0};
	msg_one_read(&m, RDMA_MSG, 44, 100, 40);
	expect_chunk_err(&m, RPCRDMA_E_POS_RANGE);
	m = (struct msg){0};
	msg_one_read(&m, RDMA_MSG, 0, 100, 40);
	expect_chunk_err(&m, RPCRDMA_E_POS_ZERO);
}

static void test_position_order(void **state)
{
	struct msg m = {0};

	/* descending */
	m_fixed(&m, XID, 1, RDMA_MSG);
	m_read(&m, 40, 1, 8);
	m_read(&m, 32, 2, 8);
	m_u32(&m, 0);
	expect_chunk_err(&m, RPCRDMA_E_POS_ORDER);
	/* one chunk's segments not adjacent */
	m_reset(&m, RDMA_MSG);
	m_read(&m, 8, 1, 8);
	m_read(&m, 16, 2, 8);
	m_read(&m, 8, 3, 8);
	m_u32(&m, 0);
	expect_chunk_err(&m, RPCRDMA_E_POS_ORDER);
	/* the second chunk starts inside the first (with its pad) */
	m_reset(&m, RDMA_MSG);
	m_read(&m, 8, 1, 13);
	m_read(&m, 20, 2, 8);
	m_zeros(&m, 3);
	m_rpc(&m, XID, 40);
	expect_chunk_err(&m, RPCRDMA_E_POS_ORDER);
}

static void test_nomsg_rules(void **state)
{
	struct msg m = {0};

	/* no read list at all (RFC 8166 §4.5.2's own example) */
	m_fixed(&m, XID, 1, RDMA_NOMSG);
	m_zeros(&m, 3);
	expect_chunk_err(&m, RPCRDMA_E_NOMSG_CALL);
	/* a Reply chunk only */
	m_reset(&m, RDMA_NOMSG);
	m_zeros(&m, 2);
	m_chunk1(&m, 1, 4096, 0);
	expect_chunk_err(&m, RPCRDMA_E_NOMSG_CALL);
	/* a read chunk, but not at position zero */
	m = (struct msg){0};
	msg_one_read(&m, RDMA_NOMSG, 8, 100, 0);
	expect_chunk_err(&m, RPCRDMA_E_NOMSG_CALL);
	/* bytes after the header */
	m = (struct msg){0};
	msg_one_read(&m, RDMA_NOMSG, 0, 100, 0);
	m_u32(&m, 0);
	expect_chunk_err(&m, RPCRDMA_E_TRAILING);
	/* a data chunk beyond the position-zero chunk's message */
	m_reset(&m, RDMA_NOMSG);
	m_read(&m, 0, 3, 100);
	m_read(&m, 104, 4, 10);
	m_zeros(&m, 3);
	expect_chunk_err(&m, RPCRDMA_E_POS_RANGE);
}

static void test_msg_body_rules(void **state)
{
	struct msg m = {0};

	for (uint32_t extra = 0; extra < 8; extra += 4) {
		m = (struct msg){0};
		m_fixed(&m, XID, 1, RDMA_MSG);
		m_u32(&m, 0);
		m_u32(&m, 0);
		m_u32(&m, 0);
		if (extra)
			m_u32(&m, XID);
		expect_chunk_err(&m, RPCRDMA_E_NO_MSG);
	}
	m_reset(&m, RDMA_MSG);
	m_zeros(&m, 3);
	m_rpc(&m, XID + 1, 40);
	expect_chunk_err(&m, RPCRDMA_E_XID);
}

static void test_status_names_and_actions(void **state)
{
	for (int a = 0; a < RPCRDMA_STATUS_COUNT; a++) {
		const char *na = rpcrdma_status_name((enum rpcrdma_status)a);

		assert_string_not_equal(na, "unknown");
		for (int b = 0; b < a; b++)
			assert_string_not_equal(
				na, rpcrdma_status_name((enum rpcrdma_status)b));
	}
	assert_int_equal(rpcrdma_action(RPCRDMA_OK), RPCRDMA_ACT_PROCESS);
	assert_int_equal(rpcrdma_action(RPCRDMA_STATUS_COUNT),
			 RPCRDMA_ACT_DISCONNECT);
	assert_string_equal(rpcrdma_status_name(RPCRDMA_STATUS_COUNT),
			    "unknown");
}

/* ---------------------------------------------------------------- */
/* Encoders                                                          */
/* ---------------------------------------------------------------- */

static struct rpcrdma_hdr sample_call(void)
{
	struct rpcrdma_hdr h = {.xid = XID, .vers = 1, .credits = 32,
				.proc = RDMA_MSG};
	static const struct rpcrdma_segment segs[] = {
		{1, 100, 0x100}, {2, 28, 0x200}, {3, 4096, 0x300},
		{4, 4096, 0x400}, {5, 8192, 0x500},
	};

	memcpy(h.segs, segs, sizeof(segs));
	h.nsegs = 5;
	h.nread = 1;
	h.read[0] = (struct rpcrdma_chunk){.position = 36, .first = 0,
					   .nsegs = 2, .len = 128};
	h.nwrite = 1;
	h.write[0] = (struct rpcrdma_chunk){.first = 2, .nsegs = 2,
					    .len = 8192};
	h.has_reply = true;
	h.reply = (struct rpcrdma_chunk){.first = 4, .nsegs = 1, .len = 8192};
	return h;
}

static void test_roundtrip_call(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr in = sample_call(), out;
	struct msg m = {0};
	size_t len;

	assert_int_equal(rpcrdma_encode_hdr(m.b, sizeof(m.b), &in, &len),
			 RPCRDMA_OK);
	m.len = len;
	m_rpc(&m, XID, 48);
	assert_int_equal(dec(&m, &lim, &out), RPCRDMA_OK);
	assert_int_equal(out.hdr_len, len);
	assert_int_equal(out.credits, 32);
	assert_int_equal(out.nsegs, in.nsegs);
	assert_memory_equal(out.segs, in.segs, sizeof(in.segs[0]) * in.nsegs);
	assert_memory_equal(out.read, in.read, sizeof(in.read[0]));
	assert_memory_equal(out.write, in.write, sizeof(in.write[0]));
	assert_memory_equal(&out.reply, &in.reply, sizeof(in.reply));
	assert_int_equal(out.call_len, 48 + 128);
	/* Too small a buffer, at every size. */
	for (size_t cap = 0; cap < len; cap++)
		assert_int_equal(rpcrdma_encode_hdr(m.b, cap, &in, &len),
				 RPCRDMA_E_NOSPACE);
	/* A chunk naming segments the header does not have. */
	in.write[0].nsegs = 4;
	assert_int_equal(rpcrdma_encode_hdr(m.b, sizeof(m.b), &in, &len),
			 RPCRDMA_E_ARG);
}

static void test_encode_errors(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};
	size_t len;

	assert_int_equal(rpcrdma_encode_error(m.b, sizeof(m.b), XID, 64,
					      ERR_VERS, &len), RPCRDMA_OK);
	assert_int_equal(len, RPCRDMA_ERR_VERS_LEN);
	m.len = len;
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_E_PEER_ERROR);
	assert_int_equal(h.xid, XID);
	assert_int_equal(h.vers, 1);
	assert_int_equal(h.credits, 64);
	assert_int_equal(h.err, ERR_VERS);
	assert_int_equal(h.vers_low, 1);
	assert_int_equal(h.vers_high, 1);
	assert_int_equal(rpcrdma_encode_error(m.b, sizeof(m.b), XID, 64,
					      ERR_CHUNK, &len), RPCRDMA_OK);
	assert_int_equal(len, RPCRDMA_ERR_CHUNK_LEN);
	assert_int_equal(word(m.b, 3), RDMA_ERROR);
	assert_int_equal(word(m.b, 4), ERR_CHUNK);
	assert_int_equal(rpcrdma_encode_error(m.b, sizeof(m.b), XID, 64, 3,
					      &len), RPCRDMA_E_ARG);
	assert_int_equal(rpcrdma_encode_error(m.b, 19, XID, 64, ERR_CHUNK,
					      &len), RPCRDMA_E_NOSPACE);
}

/* RFC 8167: a CB call goes inline as RDMA_MSG with no chunks, and only if
 * it fits one Send. */
static void test_backchannel_call(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m = {0};
	size_t len, fit = lim.max_inline_send - RPCRDMA_HDRLEN_MIN;

	assert_int_equal(rpcrdma_encode_bc_call(m.b, sizeof(m.b), &lim, XID,
						16, 64, &len), RPCRDMA_OK);
	assert_int_equal(len, RPCRDMA_HDRLEN_MIN);
	m.len = len;
	m_rpc(&m, XID, 64);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_int_equal(h.proc, RDMA_MSG);
	assert_int_equal(h.credits, 16);
	assert_int_equal(h.nsegs, 0);
	assert_int_equal(rpcrdma_encode_bc_call(m.b, sizeof(m.b), &lim, XID,
						16, fit, &len), RPCRDMA_OK);
	assert_int_equal(rpcrdma_encode_bc_call(m.b, sizeof(m.b), &lim, XID,
						16, fit + 1, &len),
			 RPCRDMA_E_BC_TOO_BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_inline),
		cmocka_unit_test(test_msg_read_chunk),
		cmocka_unit_test(test_msg_read_chunk_at_end),
		cmocka_unit_test(test_nomsg_call),
		cmocka_unit_test(test_nomsg_call_with_data_chunk),
		cmocka_unit_test(test_write_list_and_reply_chunk),
		cmocka_unit_test(test_backchannel_reply),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_procs),
		cmocka_unit_test(test_peer_error),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_bad_limits),
		cmocka_unit_test(test_bad_discriminators),
		cmocka_unit_test(test_write_chunk_too_many_segs),
		cmocka_unit_test(test_read_chunk_too_many_segs),
		cmocka_unit_test(test_too_many_segs_in_header),
		cmocka_unit_test(test_too_many_chunks),
		cmocka_unit_test(test_empty_chunks),
		cmocka_unit_test(test_segment_values),
		cmocka_unit_test(test_chunk_and_total_length),
		cmocka_unit_test(test_length_sum_does_not_wrap),
		cmocka_unit_test(test_position_checks),
		cmocka_unit_test(test_position_order),
		cmocka_unit_test(test_nomsg_rules),
		cmocka_unit_test(test_msg_body_rules),
		cmocka_unit_test(test_status_names_and_actions),
		cmocka_unit_test(test_roundtrip_call),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_backchannel_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
