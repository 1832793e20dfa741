/*
 * nfsd/rdma/rpcrdma_decode.c — the inbound header decoder and its
 * validation. Contract in rpcrdma_decode.h; each failure's RFC 8166
 * answer is in rpcrdma.c.
 */
#include "rpcrdma_decode.h"

#include <string.h>

#include "rpcrdma_xdr.h"

/* What the lists of one header add up to so far. */
struct tally {
	uint64_t bytes; /* all segments' lengths */
};

static void read_segment(struct xrd *r, struct rpcrdma_segment *s)
{
	s->handle = xrd_u32(r);
	s->length = xrd_u32(r);
	s->offset = xrd_u64(r);
}

/* Check one segment's values, then append it to h->segs and to chunk c.
 * The caller has checked that the header has room for it. */
static enum rpcrdma_status store_segment(struct rpcrdma_hdr *h,
					 const struct rpcrdma_limits *lim,
					 struct tally *t,
					 struct rpcrdma_chunk *c,
					 const struct rpcrdma_segment *s)
{
	if (s->length == 0)
		return RPCRDMA_E_SEG_ZERO;
	if (s->length > lim->max_seg_bytes)
		return RPCRDMA_E_SEG_LONG;
	if (s->offset > UINT64_MAX - s->length)
		return RPCRDMA_E_SEG_WRAP;
	c->len += s->length;
	if (c->len > lim->max_chunk_bytes)
		return RPCRDMA_E_CHUNK_LONG;
	t->bytes += s->length;
	if (t->bytes > lim->max_total_bytes)
		return RPCRDMA_E_TOTAL_LONG;
	h->segs[h->nsegs++] = *s;
	c->nsegs++;
	return RPCRDMA_OK;
}

/* An XDR bool that says whether a list entry (or the reply chunk)
 * follows: RPCRDMA_OK with *more set, E_TRUNC, or E_BOOL. */
static enum rpcrdma_status read_more(struct xrd *r, bool *more)
{
	uint32_t v = xrd_u32(r);

	if (!r->ok)
		return RPCRDMA_E_TRUNC;
	if (v > 1)
		return RPCRDMA_E_BOOL;
	*more = v == 1;
	return RPCRDMA_OK;
}

/* The chunk a read segment at POS belongs to: the last one if POS is its
 * position (RFC 8166 §3.4.5: one chunk = the segments of one position),
 * else a new one. Positions must ascend, so a chunk's segments are
 * adjacent in the list (as the Linux client writes them). */
static enum rpcrdma_status read_chunk_for(struct rpcrdma_hdr *h,
					  const struct rpcrdma_limits *lim,
					  uint32_t pos,
					  struct rpcrdma_chunk **out)
{
	struct rpcrdma_chunk *last = h->nread ? &h->read[h->nread - 1] : NULL;

	if (last && pos == last->position) {
		if (last->nsegs >= lim->max_segs_per_chunk)
			return RPCRDMA_E_CHUNK_SEGS;
		*out = last;
		return RPCRDMA_OK;
	}
	if (last && pos < last->position)
		return RPCRDMA_E_POS_ORDER;
	if (h->nread >= lim->max_read_chunks)
		return RPCRDMA_E_CHUNKS;
	*out = &h->read[h->nread++];
	**out = (struct rpcrdma_chunk){.position = pos, .first = h->nsegs};
	return RPCRDMA_OK;
}

/* Read list (RFC 8166 §4.3.1): { 1, position, segment }* 0. */
static enum rpcrdma_status decode_read_list(struct xrd *r,
					    const struct rpcrdma_limits *lim,
					    struct rpcrdma_hdr *h,
					    struct tally *t)
{
	for (;;) {
		struct rpcrdma_segment s;
		struct rpcrdma_chunk *c;
		bool more;
		enum rpcrdma_status st = read_more(r, &more);
		uint32_t pos;

		if (st != RPCRDMA_OK || !more)
			return st;
		pos = xrd_u32(r);
		read_segment(r, &s);
		if (!r->ok)
			return RPCRDMA_E_TRUNC;
		/* XDR items start on 4-byte boundaries (RFC 4506 §3). */
		if (pos & 3u)
			return RPCRDMA_E_POS_ALIGN;
		if (h->nsegs >= lim->max_segs)
			return RPCRDMA_E_TOTAL_SEGS;
		st = read_chunk_for(h, lim, pos, &c);
		if (st == RPCRDMA_OK)
			st = store_segment(h, lim, t, c, &s);
		if (st != RPCRDMA_OK)
			return st;
	}
}

/* A write or reply chunk: nsegs, segment[nsegs] (RFC 8166 §4.3.2). The
 * count is bounded before any segment is read or stored. */
static enum rpcrdma_status decode_chunk(struct xrd *r,
					const struct rpcrdma_limits *lim,
					struct rpcrdma_hdr *h, struct tally *t,
					struct rpcrdma_chunk *c)
{
	uint32_t n = xrd_u32(r);

	if (!r->ok)
		return RPCRDMA_E_TRUNC;
	if (n == 0)
		return RPCRDMA_E_EMPTY_CHUNK;
	if (n > lim->max_segs_per_chunk)
		return RPCRDMA_E_CHUNK_SEGS;
	if (n > lim->max_segs - h->nsegs)
		return RPCRDMA_E_TOTAL_SEGS;
	if ((size_t)n * RPCRDMA_SEG_LEN > xrd_left(r))
		return RPCRDMA_E_TRUNC;
	*c = (struct rpcrdma_chunk){.first = h->nsegs};
	for (uint32_t i = 0; i < n; i++) {
		struct rpcrdma_segment s;
		enum rpcrdma_status st;

		read_segment(r, &s);
		st = store_segment(h, lim, t, c, &s);
		if (st != RPCRDMA_OK)
			return st;
	}
	return RPCRDMA_OK;
}

/* Write list (RFC 8166 §4.3.2): { 1, chunk }* 0. */
static enum rpcrdma_status decode_write_list(struct xrd *r,
					     const struct rpcrdma_limits *lim,
					     struct rpcrdma_hdr *h,
					     struct tally *t)
{
	for (;;) {
		bool more;
		enum rpcrdma_status st = read_more(r, &more);

		if (st != RPCRDMA_OK || !more)
			return st;
		if (h->nwrite >= lim->max_write_chunks)
			return RPCRDMA_E_CHUNKS;
		st = decode_chunk(r, lim, h, t, &h->write[h->nwrite]);
		if (st != RPCRDMA_OK)
			return st;
		h->nwrite++;
	}
}

/* Reply chunk (RFC 8166 §4.3.3): optional data, 0 | 1, chunk. */
static enum rpcrdma_status decode_reply_chunk(struct xrd *r,
					      const struct rpcrdma_limits *lim,
					      struct rpcrdma_hdr *h,
					      struct tally *t)
{
	bool more;
	enum rpcrdma_status st = read_more(r, &more);

	if (st != RPCRDMA_OK || !more)
		return st;
	st = decode_chunk(r, lim, h, t, &h->reply);
	if (st == RPCRDMA_OK)
		h->has_reply = true;
	return st;
}

/*
 * Place read chunks read[first..] in the message whose other bytes come
 * from a source of src_len bytes (the inline message for RDMA_MSG, the
 * position-zero chunk for RDMA_NOMSG). Positions count bytes of the
 * rebuilt message, in which each chunk is followed by its XDR pad
 * (RFC 8166 §3.4.5: the chunk carries no pad). Sets h->call_len.
 */
static enum rpcrdma_status place_read_chunks(struct rpcrdma_hdr *h,
					     uint32_t first, uint64_t src_len)
{
	uint64_t at = 0, used = 0;

	for (uint32_t i = first; i < h->nread; i++) {
		const struct rpcrdma_chunk *c = &h->read[i];

		if (c->position < at)
			return RPCRDMA_E_POS_ORDER; /* inside the last chunk */
		if (c->position - at > src_len - used)
			return RPCRDMA_E_POS_RANGE;
		used += c->position - at;
		at = c->position + rpcrdma_xdr_align(c->len);
	}
	h->call_len = at + (src_len - used);
	return RPCRDMA_OK;
}

static uint32_t load_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* RDMA_MSG: the RPC message follows the header in this Send. */
static enum rpcrdma_status check_msg(struct rpcrdma_hdr *h,
				     const uint8_t *buf, size_t len)
{
	h->inline_len = len - h->hdr_len;
	/* The smallest RPC message worth the name: xid and msg_type. */
	if (h->inline_len < 8)
		return RPCRDMA_E_NO_MSG;
	if (load_be32(buf + h->hdr_len) != h->xid)
		return RPCRDMA_E_XID;
	/* §3.5.3: position zero means "the whole message is in the chunk",
	 * which only RDMA_NOMSG can say. */
	if (h->nread && h->read[0].position == 0)
		return RPCRDMA_E_POS_ZERO;
	return place_read_chunks(h, 0, h->inline_len);
}

/* RDMA_NOMSG from a requester: the call is in a position-zero Read chunk
 * and nothing follows the header (§3.5.3). */
static enum rpcrdma_status check_nomsg(struct rpcrdma_hdr *h, size_t len)
{
	if (len != h->hdr_len)
		return RPCRDMA_E_TRAILING;
	if (h->nread == 0 || h->read[0].position != 0)
		return RPCRDMA_E_NOMSG_CALL;
	return place_read_chunks(h, 1, h->read[0].len);
}

/* RDMA_ERROR body (§4.2.4, §5): err [, vers_low, vers_high]. A cut-short
 * body leaves zeros: the message is dropped whatever it says. */
static void decode_error_body(struct xrd *r, struct rpcrdma_hdr *h)
{
	h->err = xrd_u32(r);
	if (r->ok && h->err == ERR_VERS) {
		h->vers_low = xrd_u32(r);
		h->vers_high = xrd_u32(r);
	}
	if (!r->ok)
		h->err = h->vers_low = h->vers_high = 0;
}

static enum rpcrdma_status decode_proc(uint32_t proc)
{
	switch (proc) {
	case RDMA_MSG:
	case RDMA_NOMSG:
		return RPCRDMA_OK;
	case RDMA_ERROR:
		return RPCRDMA_E_PEER_ERROR;
	case RDMA_DONE:
		return RPCRDMA_E_DONE;
	case RDMA_MSGP:
		return RPCRDMA_E_MSGP;
	default:
		return RPCRDMA_E_PROC;
	}
}

static enum rpcrdma_status decode_lists(struct xrd *r,
					const struct rpcrdma_limits *lim,
					struct rpcrdma_hdr *h)
{
	struct tally t = {0};
	enum rpcrdma_status st = decode_read_list(r, lim, h, &t);

	if (st == RPCRDMA_OK)
		st = decode_write_list(r, lim, h, &t);
	if (st == RPCRDMA_OK)
		st = decode_reply_chunk(r, lim, h, &t);
	return st;
}

enum rpcrdma_status rpcrdma_decode(const uint8_t *buf, size_t len,
				   const struct rpcrdma_limits *lim,
				   struct rpcrdma_hdr *h)
{
	struct xrd r = {.p = buf, .len = len, .ok = true};
	enum rpcrdma_status st;

	memset(h, 0, sizeof(*h));
	if (rpcrdma_limits_check(lim) != RPCRDMA_OK)
		return RPCRDMA_E_LIMITS;
	if (len > lim->max_inline_recv)
		return RPCRDMA_E_OVERSIZE;
	if (len < 8)
		return RPCRDMA_E_SHORT;
	h->xid = xrd_u32(&r);
	h->vers = xrd_u32(&r);
	/* §4.5.1: a version we do not speak is answered before anything
	 * else of the header is trusted. */
	if (h->vers != RPCRDMA_VERSION)
		return RPCRDMA_E_VERS;
	h->credits = xrd_u32(&r);
	h->proc = xrd_u32(&r);
	if (!r.ok)
		return RPCRDMA_E_TRUNC;
	st = decode_proc(h->proc);
	if (st == RPCRDMA_E_PEER_ERROR)
		decode_error_body(&r, h);
	if (st != RPCRDMA_OK)
		return st;
	st = decode_lists(&r, lim, h);
	if (st != RPCRDMA_OK)
		return st;
	h->hdr_len = r.pos;
	if (h->proc == RDMA_MSG)
		return check_msg(h, buf, len);
	return check_nomsg(h, len);
}
