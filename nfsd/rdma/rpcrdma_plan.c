/*
 * nfsd/rdma/rpcrdma_plan.c — reply planning: Write chunks for payloads,
 * then inline, Reply chunk, or ERR_CHUNK. Contract in rpcrdma_plan.h.
 */
#include "rpcrdma_plan.h"

#include <string.h>

/* Far above any reply; keeps offset + pad sums far from 2^64. */
#define RPCRDMA_REPLY_MAX (1ull << 40)

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static size_t chunk_wire_len(const struct rpcrdma_chunk *c)
{
	return 4 + (size_t)c->nsegs * RPCRDMA_SEG_LEN; /* nsegs, segs */
}

size_t rpcrdma_reply_hdr_len(const struct rpcrdma_hdr *call, bool with_reply)
{
	size_t n = RPCRDMA_FIXED_LEN + 4; /* fixed words, empty read list */

	for (uint32_t i = 0; i < call->nwrite; i++)
		n += 4 + chunk_wire_len(&call->write[i]);
	n += 4; /* write list end */
	n += 4; /* reply chunk discriminator */
	if (with_reply && call->has_reply)
		n += chunk_wire_len(&call->reply);
	return n;
}

static enum rpcrdma_status check_payloads(uint64_t reply_len,
					  const struct rpcrdma_payload *pl,
					  uint32_t npl)
{
	uint64_t end = 0;

	if (npl > RPCRDMA_PAYLOAD_CAP || reply_len > RPCRDMA_REPLY_MAX)
		return RPCRDMA_E_ARG;
	for (uint32_t i = 0; i < npl; i++) {
		if ((pl[i].off & 3u) || pl[i].off < end ||
		    pl[i].off > reply_len ||
		    pl[i].len > reply_len - pl[i].off ||
		    rpcrdma_xdr_align(pl[i].len) > reply_len - pl[i].off)
			return RPCRDMA_E_ARG;
		end = pl[i].off + rpcrdma_xdr_align(pl[i].len);
	}
	return RPCRDMA_OK;
}

static void add_op(struct rpcrdma_plan *p, const struct rpcrdma_segment *s,
		   uint32_t seg_off, uint32_t len, uint64_t src)
{
	p->ops[p->nops++] = (struct rpcrdma_write_op){
		.handle = s->handle,
		.len = len,
		.remote = s->offset + seg_off,
		.src = src,
	};
}

/* Write bytes [src, src + len) of the full reply into chunk c, from its
 * first segment on; the caller checked that c holds len bytes. */
static void fill_chunk(struct rpcrdma_plan *p, const struct rpcrdma_hdr *call,
		       const struct rpcrdma_chunk *c, uint64_t src,
		       uint64_t len)
{
	for (uint32_t k = 0; k < c->nsegs && len > 0; k++) {
		uint32_t idx = c->first + k;
		uint32_t n = (uint32_t)min_u64(len, call->segs[idx].length);

		add_op(p, &call->segs[idx], 0, n, src);
		p->seg_used[idx] = n;
		src += n;
		len -= n;
	}
}

/* Step 1: payloads into Write chunks, in order. */
static void place_payloads(struct rpcrdma_plan *p,
			   const struct rpcrdma_hdr *call,
			   const struct rpcrdma_payload *pl, uint32_t npl)
{
	uint32_t next = 0; /* the next unused Write chunk */

	for (uint32_t i = 0; i < npl && next < call->nwrite; i++) {
		const struct rpcrdma_chunk *c = &call->write[next];

		if (pl[i].len == 0)
			continue;
		next++;
		if (pl[i].len > c->len)
			continue; /* chunk returned empty, data stays inline */
		fill_chunk(p, call, c, pl[i].off, pl[i].len);
		p->moved[i] = true;
	}
}

/* The body: the full reply without the moved payloads and their pads. */
static void cut_body(struct rpcrdma_plan *p, uint64_t reply_len,
		     const struct rpcrdma_payload *pl, uint32_t npl)
{
	uint64_t at = 0;

	for (uint32_t i = 0; i < npl; i++) {
		if (!p->moved[i])
			continue;
		if (pl[i].off > at)
			p->extents[p->nextents++] = (struct rpcrdma_extent){
				at, pl[i].off - at};
		at = pl[i].off + rpcrdma_xdr_align(pl[i].len);
	}
	if (reply_len > at)
		p->extents[p->nextents++] =
			(struct rpcrdma_extent){at, reply_len - at};
	p->body_len = 0;
	for (uint32_t i = 0; i < p->nextents; i++)
		p->body_len += p->extents[i].len;
}

/* Step 3: the body into the Reply chunk, extent by extent; an RDMA Write
 * ends where an extent or a segment ends. */
static void fill_reply_chunk(struct rpcrdma_plan *p,
			     const struct rpcrdma_hdr *call)
{
	const struct rpcrdma_chunk *c = &call->reply;
	uint32_t k = 0, seg_off = 0;

	for (uint32_t e = 0; e < p->nextents; e++) {
		uint64_t src = p->extents[e].off, len = p->extents[e].len;

		while (len > 0 && k < c->nsegs) {
			uint32_t idx = c->first + k;
			const struct rpcrdma_segment *s = &call->segs[idx];
			uint32_t n = (uint32_t)min_u64(len, s->length - seg_off);

			add_op(p, s, seg_off, n, src);
			p->seg_used[idx] += n;
			seg_off += n;
			src += n;
			len -= n;
			if (seg_off == s->length) {
				k++;
				seg_off = 0;
			}
		}
	}
}

static void plan_error(struct rpcrdma_plan *p)
{
	p->kind = RPCRDMA_PLAN_ERROR;
	p->proc = RDMA_ERROR;
	p->why = RPCRDMA_E_REPLY_TOO_BIG;
	p->nops = 0;
	p->nextents = 0;
	memset(p->seg_used, 0, sizeof(p->seg_used));
	memset(p->moved, 0, sizeof(p->moved));
	p->hdr_len = p->send_len = RPCRDMA_ERR_CHUNK_LEN;
}

enum rpcrdma_status rpcrdma_plan_reply(const struct rpcrdma_hdr *call,
				       const struct rpcrdma_limits *lim,
				       uint64_t reply_len,
				       const struct rpcrdma_payload *pl,
				       uint32_t npl, struct rpcrdma_plan *p)
{
	enum rpcrdma_status st;
	size_t msg_hdr = rpcrdma_reply_hdr_len(call, false);
	size_t nomsg_hdr = rpcrdma_reply_hdr_len(call, true);

	memset(p, 0, sizeof(*p));
	st = rpcrdma_limits_check(lim);
	if (st == RPCRDMA_OK)
		st = check_payloads(reply_len, pl, npl);
	if (st != RPCRDMA_OK)
		return st;
	place_payloads(p, call, pl, npl);
	cut_body(p, reply_len, pl, npl);
	if (msg_hdr <= lim->max_inline_send &&
	    p->body_len <= lim->max_inline_send - msg_hdr) {
		p->kind = RPCRDMA_PLAN_INLINE;
		p->proc = RDMA_MSG;
		p->hdr_len = msg_hdr;
		p->send_len = msg_hdr + p->body_len;
		return RPCRDMA_OK;
	}
	if (call->has_reply && p->body_len <= call->reply.len &&
	    nomsg_hdr <= lim->max_inline_send) {
		p->kind = RPCRDMA_PLAN_REPLY_CHUNK;
		p->proc = RDMA_NOMSG;
		fill_reply_chunk(p, call);
		p->hdr_len = p->send_len = nomsg_hdr;
		return RPCRDMA_OK;
	}
	plan_error(p);
	return RPCRDMA_OK;
}

bool rpcrdma_plan_inv_rkey(const struct rpcrdma_hdr *call, uint32_t *rkey)
{
	uint32_t n = call->nsegs < RPCRDMA_SEG_CAP ? call->nsegs
						    : RPCRDMA_SEG_CAP;

	if (n == 0)
		return false;
	for (uint32_t i = 1; i < n; i++)
		if (call->segs[i].handle != call->segs[0].handle)
			return false;
	*rkey = call->segs[0].handle;
	return true;
}
