/*
 * tests/fuzz/fuzz_rpcrdma.c — libFuzzer target for the RPC-over-RDMA v1
 * header and chunk-list decoder (nfsd/rdma/rpcrdma_decode.c), and the
 * reply plan and reply header built on what it accepts.
 *
 * Input: byte 0 picks one of four limit sets (default, tight, wide, a
 * peer with 1 KiB inline); the rest is one received message. The reply
 * to plan is derived from the decoded header (its length from credits,
 * one payload from the xid), so the fuzzer steers it too.
 *
 * Oracles, besides ASan/UBSan and libFuzzer's limits:
 *   - every status has a name and an action;
 *   - an accepted header obeys the limits (counts, lengths, positions)
 *     and re-encodes to exactly the bytes it was decoded from;
 *   - a plan's RDMA Writes stay inside the segments they name, carry
 *     each moved payload exactly once and the body exactly once, the Send
 *     fits the peer's inline size, and the reply header encodes to the
 *     length the plan announced.
 * A broken oracle prints what and aborts (a finding, with reproducer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpcrdma_decode.h"
#include "rpcrdma_encode.h"
#include "rpcrdma_plan.h"

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_rpcrdma: %s:%d: %s\n",       \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

static void pick_limits(uint8_t sel, struct rpcrdma_limits *lim)
{
	rpcrdma_limits_default(lim);
	switch (sel & 3u) {
	case 1: /* tight */
		*lim = (struct rpcrdma_limits){
			.max_inline_recv = 1024, .max_inline_send = 1024,
			.max_segs_per_chunk = 2, .max_segs = 4,
			.max_read_chunks = 1, .max_write_chunks = 1,
			.max_seg_bytes = 4096, .max_chunk_bytes = 8192,
			.max_total_bytes = 16384};
		break;
	case 2: /* wide: every cap */
		*lim = (struct rpcrdma_limits){
			.max_inline_recv = 65536, .max_inline_send = 65536,
			.max_segs_per_chunk = RPCRDMA_SEG_CAP,
			.max_segs = RPCRDMA_SEG_CAP,
			.max_read_chunks = RPCRDMA_CHUNK_CAP,
			.max_write_chunks = RPCRDMA_CHUNK_CAP,
			.max_seg_bytes = UINT32_MAX,
			.max_chunk_bytes = 1ull << 36,
			.max_total_bytes = 1ull << 37};
		break;
	case 3: /* a peer that sent no RFC 8797 data */
		lim->max_inline_send = 1024;
		break;
	default:
		break;
	}
}

static void check_chunk(const struct rpcrdma_hdr *h,
			const struct rpcrdma_limits *lim,
			const struct rpcrdma_chunk *c)
{
	uint64_t sum = 0;

	CHECK(c->nsegs >= 1 && c->nsegs <= lim->max_segs_per_chunk);
	CHECK(c->first + c->nsegs <= h->nsegs);
	for (uint32_t k = 0; k < c->nsegs; k++) {
		const struct rpcrdma_segment *s = &h->segs[c->first + k];

		CHECK(s->length >= 1 && s->length <= lim->max_seg_bytes);
		CHECK(s->offset <= UINT64_MAX - s->length);
		sum += s->length;
	}
	CHECK(sum == c->len && sum <= lim->max_chunk_bytes);
}

static void check_header(const uint8_t *buf, size_t len,
			 const struct rpcrdma_limits *lim,
			 const struct rpcrdma_hdr *h)
{
	static uint8_t again[4096];
	size_t n;

	CHECK(h->vers == RPCRDMA_VERSION);
	CHECK(h->proc == RDMA_MSG || h->proc == RDMA_NOMSG);
	CHECK(h->nsegs <= lim->max_segs);
	CHECK(h->nread <= lim->max_read_chunks);
	CHECK(h->nwrite <= lim->max_write_chunks);
	CHECK(h->hdr_len + h->inline_len == len);
	for (uint32_t i = 0; i < h->nread; i++) {
		check_chunk(h, lim, &h->read[i]);
		CHECK(h->read[i].position % 4 == 0);
		CHECK(i == 0 || h->read[i].position > h->read[i - 1].position);
	}
	for (uint32_t i = 0; i < h->nwrite; i++)
		check_chunk(h, lim, &h->write[i]);
	if (h->has_reply)
		check_chunk(h, lim, &h->reply);
	if (h->proc == RDMA_NOMSG)
		CHECK(h->inline_len == 0 && h->nread >= 1 &&
		      h->read[0].position == 0);
	else
		CHECK(h->inline_len >= 8 &&
		      (h->nread == 0 || h->read[0].position > 0));
	CHECK(rpcrdma_encode_hdr(again, sizeof(again), h, &n) == RPCRDMA_OK);
	CHECK(n == h->hdr_len && memcmp(again, buf, n) == 0);
}

/* Each RDMA Write lies inside one segment of the call. */
static void check_op(const struct rpcrdma_hdr *call,
		     const struct rpcrdma_write_op *op)
{
	for (uint32_t i = 0; i < call->nsegs; i++) {
		const struct rpcrdma_segment *s = &call->segs[i];

		if (s->handle == op->handle && op->remote >= s->offset &&
		    op->len <= s->length &&
		    op->remote - s->offset <= s->length - op->len)
			return;
	}
	CHECK(!"write outside every segment");
}

static void check_plan(const struct rpcrdma_hdr *call,
		       const struct rpcrdma_limits *lim, uint64_t reply_len,
		       const struct rpcrdma_payload *pl, uint32_t npl,
		       const struct rpcrdma_plan *p)
{
	static uint8_t hdr[4096];
	uint64_t moved = 0, moved_data = 0, written = 0, body = 0;
	size_t n;

	for (uint32_t i = 0; i < npl; i++) {
		if (!p->moved[i])
			continue;
		moved += rpcrdma_xdr_align(pl[i].len);
		moved_data += pl[i].len;
	}
	for (uint32_t i = 0; i < p->nextents; i++)
		body += p->extents[i].len;
	for (uint32_t i = 0; i < p->nops; i++) {
		check_op(call, &p->ops[i]);
		CHECK(p->ops[i].src + p->ops[i].len <= reply_len);
		written += p->ops[i].len;
	}
	CHECK(rpcrdma_encode_reply(hdr, sizeof(hdr), call, p, 1, &n) ==
	      RPCRDMA_OK);
	CHECK(n == p->hdr_len);
	if (p->kind == RPCRDMA_PLAN_ERROR) {
		CHECK(p->nops == 0 && n == RPCRDMA_ERR_CHUNK_LEN);
		return;
	}
	CHECK(body == p->body_len && p->body_len + moved == reply_len);
	CHECK(p->send_len <= lim->max_inline_send);
	if (p->kind == RPCRDMA_PLAN_INLINE) {
		CHECK(written == moved_data);
		CHECK(p->send_len == p->hdr_len + p->body_len);
	} else {
		CHECK(call->has_reply && p->body_len <= call->reply.len);
		CHECK(written == moved_data + p->body_len);
	}
}

static void plan_reply(const struct rpcrdma_hdr *h,
		       const struct rpcrdma_limits *lim)
{
	static struct rpcrdma_plan p;
	uint64_t reply_len = 8 + 4 * (uint64_t)(h->credits & 0x1fffu);
	struct rpcrdma_payload pl = {4 * ((h->xid >> 8) & 0x3ffu),
				     h->xid >> 20};
	uint32_t npl = h->xid & 1u;
	enum rpcrdma_status st =
		rpcrdma_plan_reply(h, lim, reply_len, &pl, npl, &p);

	CHECK(st == RPCRDMA_OK || st == RPCRDMA_E_ARG);
	if (st == RPCRDMA_OK)
		check_plan(h, lim, reply_len, &pl, npl, &p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rpcrdma_hdr h;
	struct rpcrdma_limits lim;
	enum rpcrdma_status st;
	enum rpcrdma_action act;

	if (size < 1)
		return 0;
	pick_limits(data[0], &lim);
	st = rpcrdma_decode(data + 1, size - 1, &lim, &h);
	CHECK((unsigned)st < RPCRDMA_STATUS_COUNT);
	CHECK(strcmp(rpcrdma_status_name(st), "unknown") != 0);
	act = rpcrdma_action(st);
	if (act == RPCRDMA_ACT_ERR_VERS || act == RPCRDMA_ACT_ERR_CHUNK) {
		uint8_t err[RPCRDMA_ERR_VERS_LEN];
		size_t n;

		CHECK(size - 1 >= 8); /* an xid and a version to answer */
		CHECK(rpcrdma_encode_error(err, sizeof(err), h.xid, 1,
					   act == RPCRDMA_ACT_ERR_VERS
						   ? ERR_VERS
						   : ERR_CHUNK,
					   &n) == RPCRDMA_OK);
	}
	if (st != RPCRDMA_OK)
		return 0;
	CHECK(act == RPCRDMA_ACT_PROCESS);
	check_header(data + 1, size - 1, &lim, &h);
	plan_reply(&h, &lim);
	return 0;
}
