/*
 * tests/unit/test_xprt_rdma.c — the RDMA transport's logic that needs no
 * device: a call rebuilt from its inline part and its Read chunks
 * (nfsd/xprt_rdma_msg.c, headers made by the real decoder), copying it
 * or laying it out in place (zero-copy), the table of
 * calls waiting for replies, and the READ data located in COMPOUND
 * replies for the Write chunks (nfsd/reply_payload.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reply_payload.h"
#include "rpcrdma_decode.h"
#include "test_rpcrdma_util.h"
#include "xprt_rdma_msg.h"

/* ---- rebuilding calls ------------------------------------------------ */

/* A WRITE as the Linux client sends it (RFC 8267 §4.1, client notes §2):
 * the head up to the data's length word inline, the data (7 bytes, no
 * pad) in a Read chunk at the position after it, then the tail (a
 * GETATTR, 8 bytes) inline. Rebuilt: head, data, 1 zero pad, tail. */
static void rebuild_write_chunk(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m;
	const uint8_t data[7] = { 1, 2, 3, 4, 5, 6, 7 };
	uint8_t *out;
	size_t len = 0, head = 32;

	(void)state;
	m_reset(&m, RDMA_MSG);
	m_read(&m, (uint32_t)head, 9, sizeof(data));
	m_zeros(&m, 3); /* read list end, write list end, no reply chunk */
	size_t body = m.len;
	m_rpc(&m, XID, head);
	m_u32(&m, 0xaaaaaaaa);
	m_u32(&m, 0xbbbbbbbb);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_int_equal(h.hdr_len, body);
	out = rdma_msg_rebuild(&h, m.b + h.hdr_len, data, sizeof(data), &len);
	assert_non_null(out);
	assert_int_equal(len, head + 8 + 8);
	assert_int_equal(len, h.call_len);
	assert_memory_equal(out, m.b + body, head);
	assert_memory_equal(out + head, data, 7);
	assert_int_equal(out[head + 7], 0);
	assert_int_equal(word(out, (head + 8) / 4), 0xaaaaaaaa);
	assert_int_equal(word(out, (head + 12) / 4), 0xbbbbbbbb);
	free(out);
	/* The RDMA Reads brought fewer bytes than the header names. */
	assert_null(rdma_msg_rebuild(&h, m.b + h.hdr_len, data, 3, &len));
}

/* RDMA_NOMSG: the whole call in the position-zero chunk. */
static void rebuild_nomsg(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m, call;
	uint8_t *out;
	size_t len = 0;

	(void)state;
	call.len = 0;
	m_rpc(&call, XID, 5000);
	m_reset(&m, RDMA_NOMSG);
	m_read(&m, 0, 9, (uint32_t)call.len);
	m_zeros(&m, 3);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	out = rdma_msg_rebuild(&h, m.b + h.hdr_len, call.b, call.len, &len);
	assert_non_null(out);
	assert_int_equal(len, 5000);
	assert_memory_equal(out, call.b, 5000);
	free(out);
}

/* An inline call with no chunk comes out as it went in. */
static void rebuild_inline(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m;
	uint8_t *out;
	size_t len = 0;

	(void)state;
	m_reset(&m, RDMA_MSG);
	m_zeros(&m, 3);
	m_rpc(&m, XID, 64);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	out = rdma_msg_rebuild(&h, m.b + h.hdr_len, NULL, 0, &len);
	assert_non_null(out);
	assert_int_equal(len, 64);
	assert_memory_equal(out, m.b + h.hdr_len, 64);
	free(out);
}

/* Zero-copy: the same WRITE laid out in place, the chunk's bytes put at
 * their position first (as the RDMA Reads do), comes out byte for byte
 * as the copying rebuild; the buffer's stale bytes in the pad are zeroed.
 * What cannot be laid out in place is refused before any Read. */
static void inplace_write_chunk(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m;
	const uint8_t data[7] = { 1, 2, 3, 4, 5, 6, 7 };
	uint8_t buf[256], *ref;
	size_t len = 0, rlen = 0, head = 32;

	(void)state;
	m_reset(&m, RDMA_MSG);
	m_read(&m, (uint32_t)head, 9, sizeof(data));
	m_zeros(&m, 3);
	m_rpc(&m, XID, head);
	m_u32(&m, 0xaaaaaaaa);
	m_u32(&m, 0xbbbbbbbb);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_true(rdma_msg_inplace_ok(&h, sizeof(buf)));
	assert_false(rdma_msg_inplace_ok(&h, (size_t)h.call_len - 1));
	memset(buf, 0xee, sizeof(buf));
	memcpy(buf + h.read[0].position, data, sizeof(data));
	assert_int_equal(rdma_msg_inplace(&h, m.b + h.hdr_len, buf, &len), 0);
	ref = rdma_msg_rebuild(&h, m.b + h.hdr_len, data, sizeof(data), &rlen);
	assert_non_null(ref);
	assert_int_equal(len, rlen);
	assert_memory_equal(buf, ref, len);
	assert_int_equal(buf[head + 7], 0);
	free(ref);
	/* A position past the inline part: no in-place layout. */
	h.read[0].position = (uint32_t)(h.inline_len + 8);
	assert_false(rdma_msg_inplace_ok(&h, sizeof(buf)));
}

/* RDMA_NOMSG and calls without Read chunks take the copying path. */
static void inplace_refused(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr h;
	struct msg m, call;

	(void)state;
	call.len = 0;
	m_rpc(&call, XID, 5000);
	m_reset(&m, RDMA_NOMSG);
	m_read(&m, 0, 9, (uint32_t)call.len);
	m_zeros(&m, 3);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_false(rdma_msg_inplace_ok(&h, 1u << 20));
	m_reset(&m, RDMA_MSG);
	m_zeros(&m, 3);
	m_rpc(&m, XID, 64);
	assert_int_equal(dec(&m, &lim, &h), RPCRDMA_OK);
	assert_false(rdma_msg_inplace_ok(&h, 1u << 20));
}

/* ---- calls waiting for replies ---------------------------------------- */

static void pending_table(void **state)
{
	struct rdma_pending t[3];
	struct rpcrdma_hdr h = { 0 }, got;
	uint64_t seq = 0;

	(void)state;
	memset(t, 0, sizeof(t));
	for (uint32_t x = 1; x <= 3; x++) {
		h.xid = x;
		h.nwrite = x; /* marks which call this is */
		rdma_pending_put(t, 3, &seq, &h);
	}
	/* A retransmission replaces its own entry, not another. */
	h.xid = 2;
	h.nwrite = 22;
	rdma_pending_put(t, 3, &seq, &h);
	/* Full: xid 4 replaces the oldest, xid 1. */
	h.xid = 4;
	h.nwrite = 4;
	rdma_pending_put(t, 3, &seq, &h);
	assert_int_equal(rdma_pending_take(t, 3, 1, &got), -1);
	assert_int_equal(rdma_pending_take(t, 3, 2, &got), 0);
	assert_int_equal(got.nwrite, 22);
	assert_int_equal(rdma_pending_take(t, 3, 2, &got), -1); /* taken */
	assert_int_equal(rdma_pending_take(t, 3, 3, &got), 0);
	assert_int_equal(got.nwrite, 3);
	assert_int_equal(rdma_pending_take(t, 3, 4, &got), 0);
	assert_int_equal(got.nwrite, 4);
}

/* ---- READ data in COMPOUND replies ------------------------------------ */

#define OP_SEQ 53
#define OP_PUTFH_ 22
#define OP_READ_ 25
#define OP_GETATTR_ 9

static void w(struct msg *m, uint32_t v)
{
	m_u32(m, v);
}

/* RPC accepted reply header + COMPOUND4res header with nres results. */
static void reply_hdr(struct msg *m, uint32_t nres)
{
	m->len = 0;
	w(m, XID);
	w(m, 1); /* REPLY */
	w(m, 0); /* MSG_ACCEPTED */
	w(m, 0); /* AUTH_NONE */
	w(m, 0); /* verifier length */
	w(m, 0); /* SUCCESS */
	w(m, 0); /* COMPOUND status */
	w(m, 3); /* tag "abc" + pad */
	memcpy(m->b + m->len, "abc", 4);
	m->len += 4;
	w(m, nres);
}

static void sequence_ok(struct msg *m)
{
	w(m, OP_SEQ);
	w(m, 0);
	for (int i = 0; i < 4; i++)
		w(m, 0x5e55105e); /* sessionid */
	for (int i = 0; i < 5; i++)
		w(m, 1); /* seqid, slotid, highest, target, flags */
}

/* READ4resok with n bytes of 0x77; returns the data's offset. */
static size_t read_ok(struct msg *m, uint32_t n)
{
	size_t off;

	w(m, OP_READ_);
	w(m, 0);
	w(m, 1); /* eof */
	w(m, n);
	off = m->len;
	memset(m->b + m->len, 0x77, n);
	memset(m->b + m->len + n, 0, (4 - n % 4) % 4);
	m->len += (n + 3u) & ~3u;
	return off;
}

static void payload_read(void **state)
{
	struct xprt_payload pl[4];
	struct msg m;
	size_t off;

	(void)state;
	reply_hdr(&m, 3);
	sequence_ok(&m);
	w(&m, OP_PUTFH_);
	w(&m, 0);
	off = read_ok(&m, 1001);
	assert_int_equal(reply_payload_find(m.b, m.len, pl, 4), 1);
	assert_int_equal(pl[0].off, off);
	assert_int_equal(pl[0].len, 1001);
	/* Cut inside the data: nothing is claimed. */
	assert_int_equal(reply_payload_find(m.b, m.len - 8, pl, 4), 0);
	/* No room: nothing written. */
	assert_int_equal(reply_payload_find(m.b, m.len, pl, 0), 0);
}

/* Two READs, the first failed (no data), a result after the data. */
static void payload_two_reads(void **state)
{
	struct xprt_payload pl[4];
	struct msg m;
	size_t a, b;

	(void)state;
	reply_hdr(&m, 5);
	sequence_ok(&m);
	w(&m, OP_PUTFH_);
	w(&m, 0);
	a = read_ok(&m, 12);
	b = read_ok(&m, 3);
	w(&m, OP_READ_);
	w(&m, 10011); /* NFS4ERR_BADXDR: an error has no data */
	assert_int_equal(reply_payload_find(m.b, m.len, pl, 4), 2);
	assert_int_equal(pl[0].off, a);
	assert_int_equal(pl[0].len, 12);
	assert_int_equal(pl[1].off, b);
	assert_int_equal(pl[1].len, 3);
}

/* What is not an accepted COMPOUND reply has no payload. */
static void payload_not_compound(void **state)
{
	struct xprt_payload pl[4];
	struct msg m;

	(void)state;
	reply_hdr(&m, 1);
	read_ok(&m, 8);
	assert_int_equal(reply_payload_find(m.b, m.len, pl, 4), 1);
	m.b[23] = 4; /* accept_stat GARBAGE_ARGS */
	assert_int_equal(reply_payload_find(m.b, m.len, pl, 4), 0);
	m.b[23] = 0;
	m.b[7] = 0; /* a CALL, not a REPLY */
	assert_int_equal(reply_payload_find(m.b, m.len, pl, 4), 0);
	assert_int_equal(reply_payload_find(m.b, 10, pl, 4), 0);
	/* An unknown op ends the walk. */
	reply_hdr(&m, 2);
	w(&m, 9999);
	w(&m, 0);
	read_ok(&m, 8);
	assert_int_equal(reply_payload_find(m.b, m.len, pl, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rebuild_write_chunk),
		cmocka_unit_test(rebuild_nomsg),
		cmocka_unit_test(rebuild_inline),
		cmocka_unit_test(inplace_write_chunk),
		cmocka_unit_test(inplace_refused),
		cmocka_unit_test(pending_table),
		cmocka_unit_test(payload_read),
		cmocka_unit_test(payload_two_reads),
		cmocka_unit_test(payload_not_compound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
