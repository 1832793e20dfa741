/*
 * nfsd/xprt_rdma_msg.h — the RDMA transport's logic that needs no device,
 * kept apart so unit tests run it anywhere (tests/unit/test_xprt_rdma.c):
 * rebuilding a call from its inline part and its Read chunks, and the
 * table of calls waiting for their replies.
 *
 * Pure functions over caller-owned memory; no locking (the connection's
 * lock protects its table, xprt_rdma_int.h).
 */
#ifndef STRATA_NFSD_XPRT_RDMA_MSG_H
#define STRATA_NFSD_XPRT_RDMA_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpcrdma.h"

/*
 * The RPC call of H with every Read chunk in place (RFC 8166 §3.4.5): the
 * "stream" — for RDMA_MSG the inline part INL (h->inline_len bytes), for
 * RDMA_NOMSG the position-zero chunk — with each further chunk's bytes
 * spliced in at its position and followed by its XDR pad (zero bytes: the
 * chunk itself carries none, RFC 8267 §4.1). CHUNKS holds every Read
 * chunk's bytes one after another in list order (what the RDMA Reads
 * fetched), CHUNKS_LEN of them. Returns a malloc'd message of *outlen
 * bytes, or NULL when the header and the bytes disagree (a position
 * behind the stream, chunk bytes missing) or memory is short.
 */
uint8_t *rdma_msg_rebuild(const struct rpcrdma_hdr *h, const uint8_t *inl,
			  const uint8_t *chunks, size_t chunks_len,
			  size_t *outlen);

/*
 * Zero-copy rebuild (RDMA_MSG calls with Read chunks, e.g. a WRITE's
 * payload): rdma_msg_inplace_ok() says whether H's call fits CAP bytes and
 * its chunk positions agree with its inline part, before any byte is
 * read; the caller then RDMA-Reads each chunk k straight to MSG +
 * h->read[k].position, and rdma_msg_inplace() copies the inline part
 * around the chunks and zeroes their pads. The payload is never copied by
 * the CPU. rdma_msg_inplace: 0 and *outlen (the call's length), or -1.
 */
int rdma_msg_inplace_ok(const struct rpcrdma_hdr *h, size_t cap);
int rdma_msg_inplace(const struct rpcrdma_hdr *h, const uint8_t *inl,
		     uint8_t *msg, size_t *outlen);

/* A call waiting for its reply: its decoded header, by xid. */
struct rdma_pending {
	bool used;
	uint32_t xid;
	uint64_t seq; /* insertion order: the oldest is replaced when full */
	struct rpcrdma_hdr hdr;
};

/* Keep H for its reply in T (N entries, N > 0): a retransmission (same
 * xid) replaces its earlier entry; a full table drops its oldest entry (a
 * call the upper layer never answered). *seq is the table's counter. */
void rdma_pending_put(struct rdma_pending *t, uint32_t n, uint64_t *seq,
		      const struct rpcrdma_hdr *h);
/* Moves the call XID out of T into *h: 0, or -1 when there is none. */
int rdma_pending_take(struct rdma_pending *t, uint32_t n, uint32_t xid,
		      struct rpcrdma_hdr *h);

#endif
