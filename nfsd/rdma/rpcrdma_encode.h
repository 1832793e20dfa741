/*
 * nfsd/rdma/rpcrdma_encode.h — build RPC-over-RDMA v1 transport headers
 * (RFC 8166 §4.2, §4.3, §5): replies from a plan (rpcrdma_plan.h),
 * RDMA_ERROR messages, backchannel calls (RFC 8167), and any header from a
 * struct rpcrdma_hdr (what tests and the fuzz seeds use to build calls).
 *
 * Contract: each writes at most cap bytes at buf and sets *len to the
 * bytes written; RPCRDMA_E_NOSPACE if cap is too small (buf contents then
 * unspecified), RPCRDMA_E_ARG for inconsistent input. Only the transport
 * header is written; the RPC message (if any) is the caller's to send
 * after it in the same Send. Pure; any thread.
 */
#ifndef STRATA_NFSD_RDMA_RPCRDMA_ENCODE_H
#define STRATA_NFSD_RDMA_RPCRDMA_ENCODE_H

#include "rpcrdma.h"
#include "rpcrdma_plan.h"

/* Any header as h describes it: fixed words, the read chunks' segments
 * with their positions, the write chunks, the reply chunk if has_reply;
 * for proc RDMA_ERROR the error body instead of lists. Segment lengths
 * are h->segs[].length. */
enum rpcrdma_status rpcrdma_encode_hdr(uint8_t *buf, size_t cap,
				       const struct rpcrdma_hdr *h,
				       size_t *len);

/* The reply to CALL as PLAN says (RFC 8166 §4.3.2, §4.3.3): no read
 * list; every Write chunk of the call echoed with each segment's length
 * set to the bytes written there (0 if none); for RDMA_NOMSG the Reply
 * chunk echoed likewise; for PLAN_ERROR an ERR_CHUNK message. credits is
 * the grant (rpcrdma_credits.h). */
enum rpcrdma_status rpcrdma_encode_reply(uint8_t *buf, size_t cap,
					 const struct rpcrdma_hdr *call,
					 const struct rpcrdma_plan *plan,
					 uint32_t credits, size_t *len);

/* RDMA_ERROR (RFC 8166 §4.5): err ERR_VERS carries the versions we speak
 * (1 to 1); ERR_CHUNK has no body. The header's own vers is 1 (this is a
 * version 1 message). Any other err is RPCRDMA_E_ARG. */
enum rpcrdma_status rpcrdma_encode_error(uint8_t *buf, size_t cap,
					 uint32_t xid, uint32_t credits,
					 uint32_t err, size_t *len);

/* A server-to-client call on the backchannel (RFC 8167): RDMA_MSG with
 * no chunks, the whole call (msg_len bytes, following this header) inline
 * in one Send. RPCRDMA_E_BC_TOO_BIG if header + call exceed
 * lim->max_inline_send: the Linux client offers no chunks for these and
 * disconnects on a call larger than its backchannel buffers. */
enum rpcrdma_status rpcrdma_encode_bc_call(uint8_t *buf, size_t cap,
					   const struct rpcrdma_limits *lim,
					   uint32_t xid, uint32_t credits,
					   size_t msg_len, size_t *len);

#endif
