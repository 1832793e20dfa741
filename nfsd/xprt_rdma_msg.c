/*
 * nfsd/xprt_rdma_msg.c — call rebuilding and the pending-call table of
 * the RDMA transport. Contract in xprt_rdma_msg.h.
 */
#include "xprt_rdma_msg.h"

#include <stdlib.h>
#include <string.h>

/* Lays out the call of H in MSG (call_len bytes): the STREAM's bytes with
 * Read chunks K0.. spliced in at their positions, each followed by its
 * zeroed XDR pad. CHUNKS holds those chunks' bytes one after another, or
 * is NULL when they are already in place (RDMA-Read to MSG + position).
 * MSG NULL: only checks that the header's positions and lengths agree.
 * 0 and *outlen, or -1. */
static int place(const struct rpcrdma_hdr *h, const uint8_t *stream,
		 size_t stream_len, uint32_t k, const uint8_t *chunks,
		 uint8_t *msg, size_t *outlen)
{
	size_t in = 0, out = 0, rd = 0;

	for (; k < h->nread; k++) {
		const struct rpcrdma_chunk *ch = &h->read[k];
		size_t before = ch->position - out;
		uint64_t padded = rpcrdma_xdr_align(ch->len);

		if (ch->position < out || before > stream_len - in ||
		    out + before + padded > h->call_len)
			return -1;
		if (msg) {
			memcpy(msg + out, stream + in, before);
			if (chunks)
				memcpy(msg + out + before, chunks + rd,
				       (size_t)ch->len);
			memset(msg + out + before + ch->len, 0,
			       (size_t)(padded - ch->len));
		}
		in += before;
		out += before;
		rd += (size_t)ch->len;
		out += (size_t)padded;
	}
	if (out + (stream_len - in) > h->call_len)
		return -1;
	if (msg)
		memcpy(msg + out, stream + in, stream_len - in);
	*outlen = out + (stream_len - in);
	return 0;
}

uint8_t *rdma_msg_rebuild(const struct rpcrdma_hdr *h, const uint8_t *inl,
			  const uint8_t *chunks, size_t chunks_len,
			  size_t *outlen)
{
	const uint8_t *stream = inl;
	size_t stream_len = h->inline_len;
	uint64_t need = 0;
	uint32_t k = 0;
	uint8_t *msg;

	for (uint32_t i = 0; i < h->nread; i++)
		need += h->read[i].len;
	if (need > chunks_len || h->call_len > SIZE_MAX - 1)
		return NULL;
	if (h->proc == RDMA_NOMSG) { /* the decoder checked read[0] is pos 0 */
		if (h->nread == 0)
			return NULL;
		stream = chunks;
		stream_len = (size_t)h->read[0].len;
		chunks += stream_len;
		k = 1;
	}
	msg = calloc(1, h->call_len ? (size_t)h->call_len : 1);
	if (!msg)
		return NULL;
	if (place(h, stream, stream_len, k, chunks, msg, outlen) < 0) {
		free(msg);
		return NULL;
	}
	return msg;
}

int rdma_msg_inplace_ok(const struct rpcrdma_hdr *h, size_t cap)
{
	size_t len;

	if (h->proc != RDMA_MSG || h->nread == 0 || h->call_len > cap)
		return 0;
	return place(h, NULL, h->inline_len, 0, NULL, NULL, &len) == 0;
}

int rdma_msg_inplace(const struct rpcrdma_hdr *h, const uint8_t *inl,
		     uint8_t *msg, size_t *outlen)
{
	return place(h, inl, h->inline_len, 0, NULL, msg, outlen);
}

void rdma_pending_put(struct rdma_pending *t, uint32_t n, uint64_t *seq,
		      const struct rpcrdma_hdr *h)
{
	struct rdma_pending *victim = &t[0];

	for (uint32_t i = 0; i < n; i++) {
		struct rdma_pending *p = &t[i];

		if (p->used && p->xid == h->xid) { /* a retransmission */
			victim = p;
			break;
		}
		if (victim->used && (!p->used || p->seq < victim->seq))
			victim = p;
	}
	victim->used = true;
	victim->xid = h->xid;
	victim->seq = ++*seq;
	victim->hdr = *h;
}

int rdma_pending_take(struct rdma_pending *t, uint32_t n, uint32_t xid,
		      struct rpcrdma_hdr *h)
{
	for (uint32_t i = 0; i < n; i++) {
		if (t[i].used && t[i].xid == xid) {
			*h = t[i].hdr;
			t[i].used = false;
			return 0;
		}
	}
	return -1;
}
