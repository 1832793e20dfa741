/*
 * nfsd/rdma/rpcrdma_plan.h — how one RPC reply goes back over
 * RPC-over-RDMA v1: which bytes go inline, which are RDMA-written to the
 * call's Write chunks and Reply chunk, or that nothing fits (RFC 8166
 * §3.5, §4.5.3; RFC 8267 §4, §5 for what may leave the inline stream).
 *
 * The reply is described as it would go on TCP: reply_len bytes (the
 * "full reply"), in which the encoder marked the DDP-eligible data items
 * (RFC 8267: READ4resok.data, READLINK4resok.link; never GETDEVICEINFO,
 * READDIR or GETATTR) as payloads: the data bytes only, after their XDR
 * length word, their XDR pad following them in the full reply.
 *
 * Decisions, in order:
 *   1. Payload i goes to the i-th Write chunk (RFC 8267 §5: chunks go to
 *      the eligible results in order) if that chunk can hold it. It is
 *      then written without XDR pad, and it and its pad leave the inline
 *      stream (RFC 8166 §3.4.6; the client puts the pad back). A Write
 *      chunk offered is used even when the reply would fit inline: the
 *      data then lands in the client's pages with no copy. A payload of
 *      0 bytes uses no chunk (as the Linux server does). A chunk without
 *      its payload, or too small for it, is returned with 0 lengths.
 *   2. What is left (the "body") goes inline as RDMA_MSG when header and
 *      body fit one Send (lim->max_inline_send).
 *   3. Otherwise, if the call offered a Reply chunk that holds the body,
 *      the body is RDMA-written there and the reply is RDMA_NOMSG (§3.5.3).
 *   4. Otherwise RDMA_ERROR / ERR_CHUNK (§4.5.3), with no RDMA Write.
 * An unused Reply chunk is not echoed (the Linux client refuses an
 * RDMA_MSG whose Reply chunk has a non-zero length). A call that offers
 * both kinds of chunk (RFC 8166 allows it; the Linux client never does)
 * gets an RDMA_NOMSG reply that echoes its Write list too.
 *
 * The plan lists every RDMA Write (segment handle and address, length,
 * and the source offset in the full reply), so the verbs layer posts them
 * in order, then the Send (rpcrdma_encode_reply() builds its header, the
 * body extents follow it for RDMA_MSG), with no decision of its own.
 *
 * Pure; any thread; *plan is the caller's and overwritten.
 */
#ifndef STRATA_NFSD_RDMA_RPCRDMA_PLAN_H
#define STRATA_NFSD_RDMA_RPCRDMA_PLAN_H

#include "rpcrdma.h"

#define RPCRDMA_PAYLOAD_CAP RPCRDMA_CHUNK_CAP
#define RPCRDMA_EXTENT_CAP (RPCRDMA_PAYLOAD_CAP + 1u)
#define RPCRDMA_OP_CAP (RPCRDMA_SEG_CAP + RPCRDMA_EXTENT_CAP)

/* A DDP-eligible data item: bytes [off, off + len) of the full reply,
 * off a multiple of 4, its pad (to a multiple of 4) right after it. */
struct rpcrdma_payload {
	uint64_t off, len;
};

/* Bytes [off, off + len) of the full reply. */
struct rpcrdma_extent {
	uint64_t off, len;
};

/* One RDMA Write: len bytes from the full reply at src to the peer's
 * region handle at address remote. */
struct rpcrdma_write_op {
	uint32_t handle;
	uint32_t len;
	uint64_t remote;
	uint64_t src;
};

enum rpcrdma_plan_kind {
	RPCRDMA_PLAN_INLINE,      /* RDMA_MSG: header, then the body */
	RPCRDMA_PLAN_REPLY_CHUNK, /* RDMA_NOMSG: body in the Reply chunk */
	RPCRDMA_PLAN_ERROR,       /* RDMA_ERROR / ERR_CHUNK, nothing written */
};

struct rpcrdma_plan {
	enum rpcrdma_plan_kind kind;
	uint32_t proc;            /* RDMA_MSG, RDMA_NOMSG or RDMA_ERROR */
	enum rpcrdma_status why;  /* PLAN_ERROR: RPCRDMA_E_REPLY_TOO_BIG */
	uint64_t body_len;        /* reply_len minus moved payloads + pads */
	uint32_t nextents;        /* the body, in order */
	struct rpcrdma_extent extents[RPCRDMA_EXTENT_CAP];
	uint32_t nops;            /* RDMA Writes, in posting order */
	struct rpcrdma_write_op ops[RPCRDMA_OP_CAP];
	uint32_t seg_used[RPCRDMA_SEG_CAP]; /* bytes written per call seg */
	bool moved[RPCRDMA_PAYLOAD_CAP];    /* payload i is in a Write chunk */
	size_t hdr_len;           /* the reply's transport header */
	size_t send_len;          /* bytes of the Send */
};

/*
 * Plan the reply to CALL (decoded by rpcrdma_decode) of reply_len bytes
 * with payloads pl[0..npl) in ascending order. RPCRDMA_OK with *plan set
 * (kind PLAN_ERROR included); RPCRDMA_E_LIMITS for bad limits;
 * RPCRDMA_E_ARG if npl > RPCRDMA_PAYLOAD_CAP or a payload is unaligned,
 * overlaps the one before, or runs (with its pad) past reply_len,
 * or reply_len is above 2^40.
 */
enum rpcrdma_status rpcrdma_plan_reply(const struct rpcrdma_hdr *call,
				       const struct rpcrdma_limits *lim,
				       uint64_t reply_len,
				       const struct rpcrdma_payload *pl,
				       uint32_t npl, struct rpcrdma_plan *plan);

/* Transport header bytes of a reply to CALL: the Write list echoed, the
 * Reply chunk echoed when with_reply. */
size_t rpcrdma_reply_hdr_len(const struct rpcrdma_hdr *call, bool with_reply);

/* Send With Invalidate: true, with *rkey set, when the call's chunks name
 * exactly one distinct handle (and at least one). Only then may the reply
 * Send invalidate it, and only if the peer's RFC 8797 data allowed remote
 * invalidation; otherwise a plain Send (always correct). */
bool rpcrdma_plan_inv_rkey(const struct rpcrdma_hdr *call, uint32_t *rkey);

#endif
