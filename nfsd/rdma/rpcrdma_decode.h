/*
 * nfsd/rdma/rpcrdma_decode.h — decode and validate an inbound
 * RPC-over-RDMA v1 transport header (RFC 8166 §4.2, §4.3): a forechannel
 * call from the client, or a backchannel reply (RFC 8167) on the same
 * connection. Types and status codes in rpcrdma.h.
 *
 * Contract:
 *   - buf/len is one received message (one Receive completion); it is
 *     only read, never kept. *h is the caller's; it is overwritten.
 *   - Every count is bounded by *lim (and the RPCRDMA_*_CAP room) before
 *     anything is stored; lengths are summed in 64 bits and checked
 *     against lim->max_chunk_bytes and lim->max_total_bytes.
 *   - RPCRDMA_OK: h holds the header; the RPC message (RDMA_MSG) is
 *     buf[h->hdr_len .. h->hdr_len + h->inline_len). For RDMA_NOMSG the
 *     message is h->read[0] (position zero), and h->call_len is its length
 *     with any other Read chunks spliced in.
 *   - Any other status: h->xid, h->vers, h->credits, h->proc hold what was
 *     read before the failure (0 where not reached), so the transport can
 *     build the RDMA_ERROR that rpcrdma_action() asks for. For
 *     RPCRDMA_E_PEER_ERROR, h->err (and for ERR_VERS h->vers_low/high)
 *     are the peer's, 0 if its message was cut short.
 *   - Pure; any thread.
 */
#ifndef STRATA_NFSD_RDMA_RPCRDMA_DECODE_H
#define STRATA_NFSD_RDMA_RPCRDMA_DECODE_H

#include "rpcrdma.h"

enum rpcrdma_status rpcrdma_decode(const uint8_t *buf, size_t len,
				   const struct rpcrdma_limits *lim,
				   struct rpcrdma_hdr *h);

#endif
