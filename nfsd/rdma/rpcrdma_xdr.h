/*
 * nfsd/rdma/rpcrdma_xdr.h — big-endian word cursors over a byte buffer,
 * for the RPC-over-RDMA codec's own files only. A reader never reads past
 * its end; a writer never writes past its capacity. Both remember the
 * first failure (ok = false) so a sequence of calls is checked once.
 */
#ifndef STRATA_NFSD_RDMA_RPCRDMA_XDR_H
#define STRATA_NFSD_RDMA_RPCRDMA_XDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xrd {
	const uint8_t *p;
	size_t len, pos;
	bool ok;
};

struct xwr {
	uint8_t *p;
	size_t cap, pos;
	bool ok;
};

static inline size_t xrd_left(const struct xrd *r)
{
	return r->len - r->pos;
}

static inline uint32_t xrd_u32(struct xrd *r)
{
	const uint8_t *b;

	if (!r->ok || xrd_left(r) < 4) {
		r->ok = false;
		return 0;
	}
	b = r->p + r->pos;
	r->pos += 4;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static inline uint64_t xrd_u64(struct xrd *r)
{
	uint64_t hi = xrd_u32(r);

	return hi << 32 | xrd_u32(r);
}

static inline void xwr_u32(struct xwr *w, uint32_t v)
{
	uint8_t *b;

	if (!w->ok || w->cap - w->pos < 4) {
		w->ok = false;
		return;
	}
	b = w->p + w->pos;
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
	w->pos += 4;
}

static inline void xwr_u64(struct xwr *w, uint64_t v)
{
	xwr_u32(w, (uint32_t)(v >> 32));
	xwr_u32(w, (uint32_t)v);
}

#endif
