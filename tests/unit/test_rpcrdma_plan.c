/*
 * tests/unit/test_rpcrdma_plan.c — reply planning and reply headers
 * (nfsd/rdma/rpcrdma_plan.c, rpcrdma_encode_reply), the credit grant
 * (rpcrdma_credits.c) and RFC 8797 private data (rpcrdma_cm.c).
 *
 * Calls are built as the decoder leaves them; each plan is checked for
 * its decision, its RDMA Writes (handle, address, length, source offset)
 * and the bytes of the reply header it encodes, read back here by a
 * reader of the tests' own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rpcrdma_cm.h"
#include "rpcrdma_credits.h"
#include "rpcrdma_decode.h"
#include "rpcrdma_encode.h"
#include "rpcrdma_plan.h"
#include "test_rpcrdma_util.h"

#define H0 100u          /* handle of the call's first segment */
#define ADDR(i) (0x10000ull * ((i) + 1))

static struct rpcrdma_hdr call_hdr(void)
{
	return (struct rpcrdma_hdr){.xid = XID, .vers = 1, .credits = 128,
				    .proc = RDMA_MSG};
}

static void add_segs(struct rpcrdma_hdr *h, struct rpcrdma_chunk *c,
		     const uint32_t *lens, uint32_t n)
{
	*c = (struct rpcrdma_chunk){.first = h->nsegs, .nsegs = n};
	for (uint32_t i = 0; i < n; i++) {
		h->segs[h->nsegs] = (struct rpcrdma_segment){
			H0 + h->nsegs, lens[i], ADDR(h->nsegs)};
		h->nsegs++;
		c->len += lens[i];
	}
}

static void add_write(struct rpcrdma_hdr *h, const uint32_t *lens, uint32_t n)
{
	add_segs(h, &h->write[h->nwrite++], lens, n);
}

static void add_reply(struct rpcrdma_hdr *h, const uint32_t *lens, uint32_t n)
{
	add_segs(h, &h->reply, lens, n);
	h->has_reply = true;
}

/* An encoded reply header, read back word by word. */
struct rep {
	uint32_t xid, credits, proc;
	uint32_t nwrite, wn[RPCRDMA_CHUNK_CAP], wlen[RPCRDMA_CHUNK_CAP][16];
	bool has_reply;
	uint32_t rn, rlen[16];
	size_t len;
};

static void read_chunk_lens(const uint8_t *b, size_t *w, uint32_t *n,
			    uint32_t *lens)
{
	*n = word(b, (*w)++);
	assert_true(*n <= 16);
	for (uint32_t k = 0; k < *n; k++) {
		lens[k] = word(b, *w + 1);
		*w += 4;
	}
}

static void parse_reply(const uint8_t *b, size_t len, struct rep *r)
{
	size_t w = 0;

	memset(r, 0, sizeof(*r));
	r->xid = word(b, w++);
	assert_int_equal(word(b, w++), 1);
	r->credits = word(b, w++);
	r->proc = word(b, w++);
	assert_int_equal(word(b, w++), 0); /* replies carry no read list */
	while (word(b, w++) == 1) {
		read_chunk_lens(b, &w, &r->wn[r->nwrite], r->wlen[r->nwrite]);
		r->nwrite++;
	}
	r->has_reply = word(b, w++) == 1;
	if (r->has_reply)
		read_chunk_lens(b, &w, &r->rn, r->rlen);
	r->len = 4 * w;
	assert_int_equal(r->len, len);
}

static void plan_ok(const struct rpcrdma_hdr *call, uint64_t reply_len,
		    const struct rpcrdma_payload *pl, uint32_t npl,
		    struct rpcrdma_plan *p)
{
	struct rpcrdma_limits lim = lim_default();

	assert_int_equal(rpcrdma_plan_reply(call, &lim, reply_len, pl, npl, p),
			 RPCRDMA_OK);
}

static void encode_and_parse(const struct rpcrdma_hdr *call,
			     const struct rpcrdma_plan *p, struct rep *r)
{
	uint8_t buf[2048];
	size_t len;

	assert_int_equal(rpcrdma_encode_reply(buf, sizeof(buf), call, p, 100,
					      &len), RPCRDMA_OK);
	assert_int_equal(len, p->hdr_len);
	parse_reply(buf, len, r);
	assert_int_equal(r->xid, XID);
	assert_int_equal(r->credits, 100);
}

static void assert_op(const struct rpcrdma_write_op *op, uint32_t seg,
		      uint32_t seg_off, uint32_t len, uint64_t src)
{
	assert_int_equal(op->handle, H0 + seg);
	assert_int_equal(op->remote, ADDR(seg) + seg_off);
	assert_int_equal(op->len, len);
	assert_int_equal(op->src, src);
}

/* ---------------------------------------------------------------- */
/* Decisions                                                         */
/* ---------------------------------------------------------------- */

static void test_inline(void **state)
{
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_plan p;
	struct rep r;

	plan_ok(&call, 200, NULL, 0, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_INLINE);
	assert_int_equal(p.proc, RDMA_MSG);
	assert_int_equal(p.nops, 0);
	assert_int_equal(p.nextents, 1);
	assert_int_equal(p.extents[0].len, 200);
	assert_int_equal(p.send_len, RPCRDMA_HDRLEN_MIN + 200);
	encode_and_parse(&call, &p, &r);
	assert_int_equal(r.proc, RDMA_MSG);
	assert_int_equal(r.nwrite, 0);
	assert_false(r.has_reply);
}

/* Header + reply exactly one Send goes inline; 4 bytes more does not. */
static void test_inline_boundary(void **state)
{
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_plan p;
	uint64_t fit = 4096 - RPCRDMA_HDRLEN_MIN;

	plan_ok(&call, fit, NULL, 0, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_INLINE);
	assert_int_equal(p.send_len, 4096);
	plan_ok(&call, fit + 4, NULL, 0, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_ERROR);
}

/* Nothing fits and no chunk was offered: ERR_CHUNK (RFC 8166 §4.5.3). */
static void test_too_big_without_chunks(void **state)
{
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_plan p;
	uint8_t buf[64];
	size_t len;

	plan_ok(&call, 5000, NULL, 0, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_ERROR);
	assert_int_equal(p.why, RPCRDMA_E_REPLY_TOO_BIG);
	assert_int_equal(rpcrdma_action(p.why), RPCRDMA_ACT_ERR_CHUNK);
	assert_int_equal(p.nops, 0);
	assert_int_equal(rpcrdma_encode_reply(buf, sizeof(buf), &call, &p, 7,
					      &len), RPCRDMA_OK);
	assert_int_equal(len, RPCRDMA_ERR_CHUNK_LEN);
	assert_int_equal(word(buf, 0), XID);
	assert_int_equal(word(buf, 2), 7);
	assert_int_equal(word(buf, 3), RDMA_ERROR);
	assert_int_equal(word(buf, 4), ERR_CHUNK);
}

/* A READ: the data (4093 bytes, pad 3) goes to the Write chunk with no
 * pad; data and pad leave the inline body; the chunk comes back with the
 * length written. */
static void test_read_into_write_chunk(void **state)
{
	static const uint32_t wl[] = {8192};
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_payload pl = {120, 4093};
	struct rpcrdma_plan p;
	struct rep r;

	add_write(&call, wl, 1);
	plan_ok(&call, 120 + 4096 + 20, &pl, 1, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_INLINE);
	assert_true(p.moved[0]);
	assert_int_equal(p.nops, 1);
	assert_op(&p.ops[0], 0, 0, 4093, 120);
	assert_int_equal(p.body_len, 140);
	assert_int_equal(p.nextents, 2);
	assert_int_equal(p.extents[0].off, 0);
	assert_int_equal(p.extents[0].len, 120);
	assert_int_equal(p.extents[1].off, 4216);
	assert_int_equal(p.extents[1].len, 20);
	assert_int_equal(p.hdr_len, 52);
	assert_int_equal(p.send_len, 52 + 140);
	encode_and_parse(&call, &p, &r);
	assert_int_equal(r.proc, RDMA_MSG);
	assert_int_equal(r.nwrite, 1);
	assert_int_equal(r.wn[0], 1);
	assert_int_equal(r.wlen[0][0], 4093);
	assert_false(r.has_reply);
}

static void test_write_chunk_segments(void **state)
{
	static const uint32_t wl[] = {3000, 3000};
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_payload pl = {100, 5000};
	struct rpcrdma_plan p;
	struct rep r;

	add_write(&call, wl, 2);
	plan_ok(&call, 5120, &pl, 1, &p);
	assert_int_equal(p.nops, 2);
	assert_op(&p.ops[0], 0, 0, 3000, 100);
	assert_op(&p.ops[1], 1, 0, 2000, 3100);
	encode_and_parse(&call, &p, &r);
	assert_int_equal(r.wn[0], 2);
	assert_int_equal(r.wlen[0][0], 3000);
	assert_int_equal(r.wlen[0][1], 2000);
}

/* A READ that failed: the Write chunk is returned with 0 bytes. */
static void test_unused_write_chunk(void **state)
{
	static const uint32_t wl[] = {4096, 4096};
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_plan p;
	struct rep r;

	add_write(&call, wl, 2);
	plan_ok(&call, 100, NULL, 0, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_INLINE);
	assert_int_equal(p.nops, 0);
	encode_and_parse(&call, &p, &r);
	assert_int_equal(r.nwrite, 1);
	assert_int_equal(r.wn[0], 2);
	assert_int_equal(r.wlen[0][0], 0);
	assert_int_equal(r.wlen[0][1], 0);
}

/* Chunks go to payloads in order; an empty payload takes none. */
static void test_payloads_in_order(void **state)
{
	static const uint32_t wl[] = {4096};
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_payload pl[] = {{40, 0}, {100, 1000}, {1200, 2000}};
	struct rpcrdma_plan p;
	struct rep r;

	add_write(&call, wl, 1);
	add_write(&call, wl, 1);
	plan_ok(&call, 3300, pl, 3, &p);
	assert_false(p.moved[0]);
	assert_true(p.moved[1]);
	assert_true(p.moved[2]);
	assert_int_equal(p.nops, 2);
	assert_op(&p.ops[0], 0, 0, 1000, 100);
	assert_op(&p.ops[1], 1, 0, 2000, 1200);
	assert_int_equal(p.body_len, 300);
	assert_int_equal(p.nextents, 3);
	assert_int_equal(p.extents[1].off, 1100);
	assert_int_equal(p.extents[1].len, 100);
	encode_and_parse(&call, &p, &r);
	assert_int_equal(r.nwrite, 2);
	assert_int_equal(r.wlen[0][0], 1000);
	assert_int_equal(r.wlen[1][0], 2000);
}

/* A payload larger than its chunk stays in the body; here the body then
 * fits nowhere but the Reply chunk, and without one nowhere at all. */
static void test_payload_larger_than_chunk(void **state)
{
	static const uint32_t wl[] = {4096}, rl[] = {8192};
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_payload pl = {100, 6000};
	struct rpcrdma_plan p;
	struct rep r;

	add_write(&call, wl, 1);
	plan_ok(&call, 6120, &pl, 1, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_ERROR);
	add_reply(&call, rl, 1);
	plan_ok(&call, 6120, &pl, 1, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_REPLY_CHUNK);
	assert_false(p.moved[0]);
	assert_int_equal(p.nops, 1);
	assert_op(&p.ops[0], 1, 0, 6120, 0);
	encode_and_parse(&call, &p, &r);
	assert_int_equal(r.proc, RDMA_NOMSG);
	assert_int_equal(r.wlen[0][0], 0);
	assert_int_equal(r.rlen[0], 6120);
}

/* A READDIR-sized reply: the whole reply in the Reply chunk, RDMA_NOMSG
 * with the chunk's used lengths. */
static void test_reply_chunk(void **state)
{
	static const uint32_t rl[] = {4096, 8192};
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_plan p;
	struct rep r;

	add_reply(&call, rl, 2);
	plan_ok(&call, 10000, NULL, 0, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_REPLY_CHUNK);
	assert_int_equal(p.proc, RDMA_NOMSG);
	assert_int_equal(p.nops, 2);
	assert_op(&p.ops[0], 0, 0, 4096, 0);
	assert_op(&p.ops[1], 1, 0, 5904, 4096);
	assert_int_equal(p.hdr_len, 64);
	assert_int_equal(p.send_len, 64);
	encode_and_parse(&call, &p, &r);
	assert_int_equal(r.proc, RDMA_NOMSG);
	assert_int_equal(r.nwrite, 0);
	assert_true(r.has_reply);
	assert_int_equal(r.rn, 2);
	assert_int_equal(r.rlen[0], 4096);
	assert_int_equal(r.rlen[1], 5904);
}

/* A small reply goes inline and the offered Reply chunk is not echoed
 * (the Linux client refuses RDMA_MSG with a used Reply chunk). */
static void test_reply_chunk_not_needed(void **state)
{
	static const uint32_t rl[] = {8192};
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_plan p;
	struct rep r;

	add_reply(&call, rl, 1);
	plan_ok(&call, 300, NULL, 0, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_INLINE);
	assert_int_equal(p.nops, 0);
	encode_and_parse(&call, &p, &r);
	assert_false(r.has_reply);
}

static void test_reply_chunk_too_small(void **state)
{
	static const uint32_t rl[] = {4096};
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_plan p;

	add_reply(&call, rl, 1);
	plan_ok(&call, 4096, NULL, 0, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_REPLY_CHUNK);
	plan_ok(&call, 4096 + 4, NULL, 0, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_ERROR);
	assert_int_equal(p.nops, 0);
}

/* Payload to the Write chunk, the body around it to the Reply chunk: an
 * RDMA Write ends where a segment or a body extent ends. */
static void test_write_and_reply_chunk(void **state)
{
	static const uint32_t wl[] = {4096}, rl[] = {100, 8192};
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_payload pl = {200, 3000};
	struct rpcrdma_plan p;
	struct rep r;

	add_write(&call, wl, 1);
	add_reply(&call, rl, 2);
	plan_ok(&call, 8200, &pl, 1, &p);
	assert_int_equal(p.kind, RPCRDMA_PLAN_REPLY_CHUNK);
	assert_int_equal(p.body_len, 5200);
	assert_int_equal(p.nops, 4);
	assert_op(&p.ops[0], 0, 0, 3000, 200);
	assert_op(&p.ops[1], 1, 0, 100, 0);
	assert_op(&p.ops[2], 2, 0, 100, 100);
	assert_op(&p.ops[3], 2, 100, 5000, 3200);
	encode_and_parse(&call, &p, &r);
	assert_int_equal(r.wlen[0][0], 3000);
	assert_int_equal(r.rlen[0], 100);
	assert_int_equal(r.rlen[1], 5100);
}

/* The same decision on a header that came off the wire. */
static void test_plan_on_decoded_call(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_payload pl = {40, 2048};
	struct rpcrdma_hdr call;
	struct rpcrdma_plan p;
	struct msg m = {0};

	m_fixed(&m, XID, 1, RDMA_MSG);
	m_u32(&m, 0);
	m_chunk1(&m, 77, 4096, 0x5000);
	m_zeros(&m, 2);
	m_rpc(&m, XID, 64);
	assert_int_equal(dec(&m, &lim, &call), RPCRDMA_OK);
	assert_int_equal(rpcrdma_plan_reply(&call, &lim, 40 + 2048 + 16, &pl,
					    1, &p), RPCRDMA_OK);
	assert_int_equal(p.kind, RPCRDMA_PLAN_INLINE);
	assert_int_equal(p.nops, 1);
	assert_int_equal(p.ops[0].handle, 77);
	assert_int_equal(p.ops[0].remote, 0x5000);
	assert_int_equal(p.body_len, 56);
}

static void test_bad_arguments(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_hdr call = call_hdr();
	struct rpcrdma_payload unaligned = {2, 10};
	struct rpcrdma_payload overlap[] = {{100, 10}, {108, 4}};
	struct rpcrdma_payload past_end = {100, 30}; /* pad ends at 132 */
	struct rpcrdma_payload many[RPCRDMA_PAYLOAD_CAP + 1] = {{0, 0}};
	struct rpcrdma_plan p;

	assert_int_equal(rpcrdma_plan_reply(&call, &lim, 128, &unaligned, 1,
					    &p), RPCRDMA_E_ARG);
	assert_int_equal(rpcrdma_plan_reply(&call, &lim, 128, overlap, 2, &p),
			 RPCRDMA_E_ARG);
	assert_int_equal(rpcrdma_plan_reply(&call, &lim, 128, &past_end, 1,
					    &p), RPCRDMA_E_ARG);
	assert_int_equal(rpcrdma_plan_reply(&call, &lim, 128, many,
					    RPCRDMA_PAYLOAD_CAP + 1, &p),
			 RPCRDMA_E_ARG);
	assert_int_equal(rpcrdma_plan_reply(&call, &lim, 1ull << 41, NULL, 0,
					    &p), RPCRDMA_E_ARG);
	lim.max_inline_send = 100;
	assert_int_equal(rpcrdma_plan_reply(&call, &lim, 128, NULL, 0, &p),
			 RPCRDMA_E_LIMITS);
}

/* Send With Invalidate only when the call names exactly one rkey. */
static void test_inv_rkey(void **state)
{
	static const uint32_t l1[] = {4096};
	struct rpcrdma_hdr call = call_hdr();
	uint32_t rkey = 0;

	assert_false(rpcrdma_plan_inv_rkey(&call, &rkey));
	add_write(&call, l1, 1);
	assert_true(rpcrdma_plan_inv_rkey(&call, &rkey));
	assert_int_equal(rkey, H0);
	add_reply(&call, l1, 1); /* a second handle */
	assert_false(rpcrdma_plan_inv_rkey(&call, &rkey));
	call.segs[1].handle = H0; /* the same region twice */
	assert_true(rpcrdma_plan_inv_rkey(&call, &rkey));
}

/* ---------------------------------------------------------------- */
/* Credits                                                           */
/* ---------------------------------------------------------------- */

static void test_credits(void **state)
{
	assert_int_equal(rpcrdma_credits_grant(128, 256), 128);
	assert_int_equal(rpcrdma_credits_grant(128, 64), 64);
	assert_int_equal(rpcrdma_credits_grant(0, 64), 1);
	assert_int_equal(rpcrdma_credits_grant(128, 0), 1);
	/* steady: a thousand replies, one grant */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(rpcrdma_credits_grant(RPCRDMA_CREDITS_DEFAULT,
						       200), 128);
	assert_int_equal(rpcrdma_credits_recvs_needed(128, 16, 8), 152);
	assert_int_equal(rpcrdma_credits_recvs_needed(UINT32_MAX, 16, 8),
			 UINT32_MAX);
}

/* ---------------------------------------------------------------- */
/* RFC 8797 private data                                             */
/* ---------------------------------------------------------------- */

/* What Linux 6.1 sends: 4 KiB each way, remote invalidation. */
static void test_cm_linux_values(void **state)
{
	static const uint8_t want[] = {0xf6, 0xab, 0x0e, 0x18, 1, 1, 3, 3};
	struct rpcrdma_cm_pd in = {.remote_inv = true, .send_size = 4096,
				   .recv_size = 4096}, out;
	uint8_t buf[RPCRDMA_CM_LEN];

	assert_int_equal(rpcrdma_cm_encode(buf, sizeof(buf), &in),
			 RPCRDMA_CM_LEN);
	assert_memory_equal(buf, want, sizeof(want));
	rpcrdma_cm_decode(buf, sizeof(buf), &out);
	assert_true(out.present);
	assert_true(out.remote_inv);
	assert_int_equal(out.send_size, 4096);
	assert_int_equal(out.recv_size, 4096);
	assert_int_equal(rpcrdma_cm_encode(buf, 7, &in), 0);
}

static void test_cm_absent_or_foreign(void **state)
{
	uint8_t buf[12] = {0xf6, 0xab, 0x0e, 0x18, 1, 1, 63, 63};
	struct rpcrdma_cm_pd pd;

	rpcrdma_cm_decode(NULL, 0, &pd);
	assert_false(pd.present);
	assert_int_equal(pd.send_size, 1024);
	assert_int_equal(pd.recv_size, 1024);
	rpcrdma_cm_decode(buf, 7, &pd);
	assert_false(pd.present);
	buf[4] = 2; /* another version */
	rpcrdma_cm_decode(buf, 8, &pd);
	assert_false(pd.present);
	assert_false(pd.remote_inv);
	buf[4] = 1;
	buf[0] = 0xf7; /* another magic */
	rpcrdma_cm_decode(buf, 8, &pd);
	assert_false(pd.present);
	assert_int_equal(pd.recv_size, 1024);
	buf[0] = 0xf6;
	rpcrdma_cm_decode(buf, sizeof(buf), &pd); /* CM padding after */
	assert_true(pd.present);
	assert_int_equal(pd.recv_size, 64 * 1024);
}

static void test_cm_sizes_and_flags(void **state)
{
	struct rpcrdma_cm_pd in = {.send_size = 100, .recv_size = 1u << 20},
			     out;
	uint8_t buf[RPCRDMA_CM_LEN];

	rpcrdma_cm_encode(buf, sizeof(buf), &in);
	assert_int_equal(buf[5], 0);
	assert_int_equal(buf[6], 0);   /* 1 KiB, the least */
	assert_int_equal(buf[7], 255); /* 256 KiB, the most */
	in.send_size = 5000;           /* rounded down to whole KiB */
	rpcrdma_cm_encode(buf, sizeof(buf), &in);
	assert_int_equal(buf[6], 3);
	buf[5] = 0xfe; /* undefined flags, remote invalidation clear */
	rpcrdma_cm_decode(buf, sizeof(buf), &out);
	assert_true(out.present);
	assert_false(out.remote_inv);
	assert_int_equal(out.send_size, 4096);
	assert_int_equal(out.recv_size, 256 * 1024);
}

static void test_cm_apply(void **state)
{
	struct rpcrdma_limits lim = lim_default();
	struct rpcrdma_cm_pd peer;

	rpcrdma_cm_decode(NULL, 0, &peer); /* a peer without private data */
	rpcrdma_cm_apply(&peer, 4096, 4096, &lim);
	assert_int_equal(lim.max_inline_send, 1024);
	assert_int_equal(lim.max_inline_recv, 4096);
	peer.recv_size = 65536;
	rpcrdma_cm_apply(&peer, 8192, 4096, &lim);
	assert_int_equal(lim.max_inline_send, 8192);
	assert_int_equal(rpcrdma_limits_check(&lim), RPCRDMA_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_inline_boundary),
		cmocka_unit_test(test_too_big_without_chunks),
		cmocka_unit_test(test_read_into_write_chunk),
		cmocka_unit_test(test_write_chunk_segments),
		cmocka_unit_test(test_unused_write_chunk),
		cmocka_unit_test(test_payloads_in_order),
		cmocka_unit_test(test_payload_larger_than_chunk),
		cmocka_unit_test(test_reply_chunk),
		cmocka_unit_test(test_reply_chunk_not_needed),
		cmocka_unit_test(test_reply_chunk_too_small),
		cmocka_unit_test(test_write_and_reply_chunk),
		cmocka_unit_test(test_plan_on_decoded_call),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_inv_rkey),
		cmocka_unit_test(test_credits),
		cmocka_unit_test(test_cm_linux_values),
		cmocka_unit_test(test_cm_absent_or_foreign),
		cmocka_unit_test(test_cm_sizes_and_flags),
		cmocka_unit_test(test_cm_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
