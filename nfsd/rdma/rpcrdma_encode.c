/*
 * nfsd/rdma/rpcrdma_encode.c — transport header encoders. Contract in
 * rpcrdma_encode.h.
 */
#include "rpcrdma_encode.h"

#include "rpcrdma_xdr.h"

static void put_fixed(struct xwr *w, uint32_t xid, uint32_t credits,
		      uint32_t proc)
{
	xwr_u32(w, xid);
	xwr_u32(w, RPCRDMA_VERSION);
	xwr_u32(w, credits);
	xwr_u32(w, proc);
}

static void put_segment(struct xwr *w, const struct rpcrdma_segment *s,
			uint32_t length)
{
	xwr_u32(w, s->handle);
	xwr_u32(w, length);
	xwr_u64(w, s->offset);
}

/* nsegs, segments; lengths from used[] when given, else the segments'. */
static void put_chunk(struct xwr *w, const struct rpcrdma_hdr *h,
		      const struct rpcrdma_chunk *c, const uint32_t *used)
{
	xwr_u32(w, c->nsegs);
	for (uint32_t k = 0; k < c->nsegs; k++) {
		const struct rpcrdma_segment *s = &h->segs[c->first + k];

		put_segment(w, s, used ? used[c->first + k] : s->length);
	}
}

static void put_write_list(struct xwr *w, const struct rpcrdma_hdr *h,
			   const uint32_t *used)
{
	for (uint32_t i = 0; i < h->nwrite; i++) {
		xwr_u32(w, 1);
		put_chunk(w, h, &h->write[i], used);
	}
	xwr_u32(w, 0);
}

static void put_read_list(struct xwr *w, const struct rpcrdma_hdr *h)
{
	for (uint32_t i = 0; i < h->nread; i++) {
		const struct rpcrdma_chunk *c = &h->read[i];

		for (uint32_t k = 0; k < c->nsegs; k++) {
			xwr_u32(w, 1);
			xwr_u32(w, c->position);
			put_segment(w, &h->segs[c->first + k],
				    h->segs[c->first + k].length);
		}
	}
	xwr_u32(w, 0);
}

static bool chunk_ok(const struct rpcrdma_hdr *h, const struct rpcrdma_chunk *c)
{
	return c->first <= h->nsegs && c->nsegs <= h->nsegs - c->first;
}

/* Every chunk names segments the header has. */
static bool hdr_consistent(const struct rpcrdma_hdr *h)
{
	if (h->nsegs > RPCRDMA_SEG_CAP || h->nread > RPCRDMA_CHUNK_CAP ||
	    h->nwrite > RPCRDMA_CHUNK_CAP)
		return false;
	for (uint32_t i = 0; i < h->nread; i++)
		if (!chunk_ok(h, &h->read[i]))
			return false;
	for (uint32_t i = 0; i < h->nwrite; i++)
		if (!chunk_ok(h, &h->write[i]))
			return false;
	return !h->has_reply || chunk_ok(h, &h->reply);
}

static enum rpcrdma_status finish(const struct xwr *w, size_t *len)
{
	if (!w->ok)
		return RPCRDMA_E_NOSPACE;
	*len = w->pos;
	return RPCRDMA_OK;
}

static void put_error_body(struct xwr *w, uint32_t err)
{
	xwr_u32(w, err);
	if (err == ERR_VERS) {
		xwr_u32(w, RPCRDMA_VERSION); /* lowest we speak */
		xwr_u32(w, RPCRDMA_VERSION); /* highest */
	}
}

enum rpcrdma_status rpcrdma_encode_error(uint8_t *buf, size_t cap,
					 uint32_t xid, uint32_t credits,
					 uint32_t err, size_t *len)
{
	struct xwr w = {.p = buf, .cap = cap, .ok = true};

	if (err != ERR_VERS && err != ERR_CHUNK)
		return RPCRDMA_E_ARG;
	put_fixed(&w, xid, credits, RDMA_ERROR);
	put_error_body(&w, err);
	return finish(&w, len);
}

enum rpcrdma_status rpcrdma_encode_hdr(uint8_t *buf, size_t cap,
				       const struct rpcrdma_hdr *h,
				       size_t *len)
{
	struct xwr w = {.p = buf, .cap = cap, .ok = true};

	if (!hdr_consistent(h))
		return RPCRDMA_E_ARG;
	xwr_u32(&w, h->xid);
	xwr_u32(&w, h->vers);
	xwr_u32(&w, h->credits);
	xwr_u32(&w, h->proc);
	if (h->proc == RDMA_ERROR) {
		xwr_u32(&w, h->err);
		if (h->err == ERR_VERS) {
			xwr_u32(&w, h->vers_low);
			xwr_u32(&w, h->vers_high);
		}
		return finish(&w, len);
	}
	put_read_list(&w, h);
	put_write_list(&w, h, NULL);
	xwr_u32(&w, h->has_reply ? 1 : 0);
	if (h->has_reply)
		put_chunk(&w, h, &h->reply, NULL);
	return finish(&w, len);
}

enum rpcrdma_status rpcrdma_encode_reply(uint8_t *buf, size_t cap,
					 const struct rpcrdma_hdr *call,
					 const struct rpcrdma_plan *plan,
					 uint32_t credits, size_t *len)
{
	struct xwr w = {.p = buf, .cap = cap, .ok = true};
	bool nomsg = plan->kind == RPCRDMA_PLAN_REPLY_CHUNK;

	if (plan->kind == RPCRDMA_PLAN_ERROR)
		return rpcrdma_encode_error(buf, cap, call->xid, credits,
					    ERR_CHUNK, len);
	if (!hdr_consistent(call) || (nomsg && !call->has_reply))
		return RPCRDMA_E_ARG;
	put_fixed(&w, call->xid, credits, nomsg ? RDMA_NOMSG : RDMA_MSG);
	xwr_u32(&w, 0); /* replies carry no read list */
	put_write_list(&w, call, plan->seg_used);
	xwr_u32(&w, nomsg ? 1 : 0);
	if (nomsg)
		put_chunk(&w, call, &call->reply, plan->seg_used);
	return finish(&w, len);
}

enum rpcrdma_status rpcrdma_encode_bc_call(uint8_t *buf, size_t cap,
					   const struct rpcrdma_limits *lim,
					   uint32_t xid, uint32_t credits,
					   size_t msg_len, size_t *len)
{
	struct xwr w = {.p = buf, .cap = cap, .ok = true};

	if (rpcrdma_limits_check(lim) != RPCRDMA_OK)
		return RPCRDMA_E_LIMITS;
	if (msg_len > lim->max_inline_send - RPCRDMA_HDRLEN_MIN)
		return RPCRDMA_E_BC_TOO_BIG;
	put_fixed(&w, xid, credits, RDMA_MSG);
	xwr_u32(&w, 0); /* read list */
	xwr_u32(&w, 0); /* write list */
	xwr_u32(&w, 0); /* reply chunk */
	return finish(&w, len);
}
