/*
 * nfsd/xprt_rdma.h — ONC RPC over RPC-over-RDMA version 1 (RFC 8166, the
 * NFS binding RFC 8267, connection private data RFC 8797) with librdmacm
 * and libibverbs, beside the TCP transport (xprt_tcp.h) behind the same
 * interface (xprt.h). Every header decision is the codec's (nfsd/rdma/,
 * docs/decisions/0026-rpc-rdma-codec.md); this layer owns the device
 * resources, the buffers and the threads (decision 0028).
 *
 * Per connection: a QP with its own send and receive completion queues,
 * Receives posted before the accept (one per credit, plus the Linux
 * client's 16 backchannel replies, plus slack), a fixed credit grant in
 * every reply, a receive thread (Receive completions, RDMA Reads of Read
 * chunks, delivery of whole RPC messages in arrival order, as on TCP) and
 * a send-completion thread (frees reply slots, wakes the RDMA Read wait).
 *
 * Replies: xprt_send() of an RPC REPLY is matched by xid to the call that
 * came on this connection; the transport plans it against that call's
 * chunks (inline RDMA_MSG, Write chunks for READ data located with the
 * xprt_payload_fn hook, Reply chunk with RDMA_NOMSG, or ERR_CHUNK), so
 * the upper layers (and their reply caches) see RPC bytes only. An RPC
 * CALL given to xprt_send() is a backchannel call (RFC 8167): inline.
 *
 * Bad input from a client ends in RDMA_ERROR or the disconnect of that
 * client only (rpcrdma_action()).
 *
 * Ownership: struct xprt_rdma_listener is owned by the caller of
 * xprt_rdma_listen() and released by xprt_rdma_stop(), which stops the
 * connection-manager thread, disconnects every connection and waits for
 * their threads to end; connection objects live on until the last
 * reference (xprt.h) is dropped.
 */
#ifndef STRATA_NFSD_XPRT_RDMA_H
#define STRATA_NFSD_XPRT_RDMA_H

#include "xprt.h"

struct xprt_rdma_listener;

struct xprt_rdma_params {
	size_t max_msg;          /* largest RPC message either way */
	uint32_t credits;        /* the steady grant (<= Receives posted) */
	uint32_t reply_slots;    /* replies in flight per connection */
	xprt_deliver_fn deliver; /* inbound RPC messages (owns msg) */
	void *ctx;
	xprt_payload_fn payload; /* READ data in replies (may be NULL) */
};

/* Listen on ADDR:PORT (numeric; an address on an RDMA device: with
 * Soft-RoCE, the address of the netdev rxe is bound to, not 127.0.0.1).
 * 0 or -errno (-ENODEV when no RDMA device serves ADDR). */
int xprt_rdma_listen(struct xprt_rdma_listener **out, const char *addr,
		     uint16_t port, const struct xprt_rdma_params *p);
void xprt_rdma_stop(struct xprt_rdma_listener *l);

/* What a listener's connections have done since it started: monotonic
 * counters, updated with relaxed atomics by the connection threads, read
 * by any thread (server counters: CTL_STATS rdma_*, /metrics
 * strata_rdma_*). */
struct xprt_rdma_stats {
	uint64_t conns;       /* connections accepted */
	uint64_t calls;       /* RPC calls received */
	uint64_t read_bytes;  /* pulled with RDMA Read (Read chunks: WRITE
				 data, RDMA_NOMSG calls) */
	uint64_t read_inplace_bytes; /* of those, read straight into the
				 message handed up: never copied by the CPU
				 (a call on a registered message buffer) */
	uint64_t write_bytes; /* pushed with RDMA Write into Write chunks
				 (READ data, RFC 8267 §5) */
	uint64_t reply_bytes; /* pushed with RDMA Write into Reply chunks */
	uint64_t errors;      /* RDMA_ERROR messages sent */
	uint64_t bc_calls;    /* backchannel calls sent (RFC 8167) */
};
/* A snapshot of L's counters (all 0 for L NULL). */
void xprt_rdma_stats(const struct xprt_rdma_listener *l,
		     struct xprt_rdma_stats *out);

#endif
