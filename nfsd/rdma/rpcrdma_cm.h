/*
 * nfsd/rdma/rpcrdma_cm.h — RFC 8797 connection private data: what each
 * side of an RPC-over-RDMA v1 connection tells the other in the RDMA-CM
 * connect request (client) and accept (server).
 *
 * Wire (8 bytes, RFC 8797 §4): magic 0xf6ab0e18 (big-endian u32),
 * version (u8, 1), flags (u8, bit 0: the sender accepts Send With
 * Invalidate), max send size, max receive size (u8 each, in 1 KiB units
 * minus one: 0 = 1 KiB .. 255 = 256 KiB).
 *
 * A peer that sent none, or bytes with another magic or version, is
 * treated as having sent none: both its sizes are the RFC 8166 §3.3.2
 * default of 1 KiB and it accepts no remote invalidation. Never send
 * without it: the Linux client then falls back to 1 KiB inline.
 *
 * Pure; any thread.
 */
#ifndef STRATA_NFSD_RDMA_RPCRDMA_CM_H
#define STRATA_NFSD_RDMA_RPCRDMA_CM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpcrdma.h"

#define RPCRDMA_CM_MAGIC 0xf6ab0e18u
#define RPCRDMA_CM_VERSION 1u
#define RPCRDMA_CM_LEN 8u
#define RPCRDMA_CM_FLAG_REMOTE_INV 0x01u
#define RPCRDMA_CM_SIZE_MIN 1024u
#define RPCRDMA_CM_SIZE_MAX (256u * 1024u)

struct rpcrdma_cm_pd {
	bool present;        /* valid private data was received */
	bool remote_inv;     /* the sender accepts Send With Invalidate */
	uint32_t send_size;  /* bytes the sender sends at most in one Send */
	uint32_t recv_size;  /* bytes the sender can receive in one Send */
};

/* Write our private data: sizes in bytes, rounded down to a whole KiB and
 * clamped to 1..256 KiB. buf must hold RPCRDMA_CM_LEN bytes. Returns
 * RPCRDMA_CM_LEN, or 0 if cap is too small. */
size_t rpcrdma_cm_encode(uint8_t *buf, size_t cap, const struct rpcrdma_cm_pd *pd);

/* Read the peer's private data (buf may be NULL with len 0; bytes after
 * the first 8 are the CM's padding and ignored). Never fails: absent or
 * unrecognised data gives the defaults above with present = false. */
void rpcrdma_cm_decode(const uint8_t *buf, size_t len,
		       struct rpcrdma_cm_pd *pd);

/* Set lim's inline sizes for a connection: we receive at most our_recv
 * (our Receive buffers; what we advertised), we send at most the smaller
 * of our_send and the peer's receive size. */
void rpcrdma_cm_apply(const struct rpcrdma_cm_pd *peer, uint32_t our_send,
		      uint32_t our_recv, struct rpcrdma_limits *lim);

#endif
