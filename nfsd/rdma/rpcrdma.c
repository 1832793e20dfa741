/*
 * nfsd/rdma/rpcrdma.c — status names, what each status asks the transport
 * to do, and the connection limits' defaults and check. Contract in
 * rpcrdma.h.
 */
#include "rpcrdma.h"

struct status_info {
	const char *name;
	enum rpcrdma_action act;
};

static const struct status_info status_table[RPCRDMA_STATUS_COUNT] = {
	[RPCRDMA_OK] = {"ok", RPCRDMA_ACT_PROCESS},
	/* RFC 8166 §4.5.1: the version is all an ERR_VERS needs to know;
	 * without xid and version there is nothing to answer. */
	[RPCRDMA_E_SHORT] = {"short", RPCRDMA_ACT_DROP},
	/* §4.5: an error is never answered with an error. */
	[RPCRDMA_E_PEER_ERROR] = {"peer_error", RPCRDMA_ACT_DROP},
	[RPCRDMA_E_DONE] = {"done", RPCRDMA_ACT_DROP},
	/* §3.3.2: a Send larger than the Receive fails on the wire and
	 * the connection is lost; a transport that still sees one has a
	 * peer that ignores the sizes it was given. */
	[RPCRDMA_E_OVERSIZE] = {"oversize", RPCRDMA_ACT_DISCONNECT},
	[RPCRDMA_E_VERS] = {"vers", RPCRDMA_ACT_ERR_VERS},
	[RPCRDMA_E_MSGP] = {"msgp", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_PROC] = {"proc", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_TRUNC] = {"trunc", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_BOOL] = {"bool", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_CHUNK_SEGS] = {"chunk_segs", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_TOTAL_SEGS] = {"total_segs", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_CHUNKS] = {"chunks", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_EMPTY_CHUNK] = {"empty_chunk", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_SEG_ZERO] = {"seg_zero", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_SEG_LONG] = {"seg_long", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_SEG_WRAP] = {"seg_wrap", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_CHUNK_LONG] = {"chunk_long", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_TOTAL_LONG] = {"total_long", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_POS_ALIGN] = {"pos_align", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_POS_ORDER] = {"pos_order", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_POS_RANGE] = {"pos_range", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_POS_ZERO] = {"pos_zero", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_NOMSG_CALL] = {"nomsg_call", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_TRAILING] = {"trailing", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_NO_MSG] = {"no_msg", RPCRDMA_ACT_ERR_CHUNK},
	[RPCRDMA_E_XID] = {"xid", RPCRDMA_ACT_ERR_CHUNK},
	/* §4.5.3: a Reply chunk too small for the reply. */
	[RPCRDMA_E_REPLY_TOO_BIG] = {"reply_too_big", RPCRDMA_ACT_ERR_CHUNK},
	/* §4.5.4: a responder that cannot build a reply or an error
	 * closes the connection so the requester knows it was lost. */
	[RPCRDMA_E_LIMITS] = {"limits", RPCRDMA_ACT_DISCONNECT},
	[RPCRDMA_E_ARG] = {"arg", RPCRDMA_ACT_DISCONNECT},
	[RPCRDMA_E_NOSPACE] = {"nospace", RPCRDMA_ACT_DISCONNECT},
	[RPCRDMA_E_BC_TOO_BIG] = {"bc_too_big", RPCRDMA_ACT_DISCONNECT},
};

static bool status_known(enum rpcrdma_status st)
{
	return (unsigned)st < RPCRDMA_STATUS_COUNT &&
	       status_table[st].name != NULL;
}

enum rpcrdma_action rpcrdma_action(enum rpcrdma_status st)
{
	if (!status_known(st))
		return RPCRDMA_ACT_DISCONNECT;
	return status_table[st].act;
}

const char *rpcrdma_status_name(enum rpcrdma_status st)
{
	if (!status_known(st))
		return "unknown";
	return status_table[st].name;
}

void rpcrdma_limits_default(struct rpcrdma_limits *lim)
{
	lim->max_inline_recv = 4096;
	lim->max_inline_send = 4096;
	lim->max_segs_per_chunk = 16; /* Linux RPCRDMA_MAX_HDR_SEGS */
	lim->max_segs = 32;
	lim->max_read_chunks = 4;
	lim->max_write_chunks = 4;
	lim->max_seg_bytes = 1u << 20;
	lim->max_chunk_bytes = (1u << 20) + 4096;
	lim->max_total_bytes = 2u * ((1u << 20) + 4096);
}

static bool in_range(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v >= lo && v <= hi;
}

enum rpcrdma_status rpcrdma_limits_check(const struct rpcrdma_limits *lim)
{
	if (!in_range(lim->max_inline_recv, RPCRDMA_INLINE_MIN, UINT32_MAX) ||
	    !in_range(lim->max_inline_send, RPCRDMA_INLINE_MIN, UINT32_MAX))
		return RPCRDMA_E_LIMITS;
	if (!in_range(lim->max_segs, 1, RPCRDMA_SEG_CAP) ||
	    !in_range(lim->max_segs_per_chunk, 1, lim->max_segs) ||
	    !in_range(lim->max_read_chunks, 1, RPCRDMA_CHUNK_CAP) ||
	    !in_range(lim->max_write_chunks, 1, RPCRDMA_CHUNK_CAP))
		return RPCRDMA_E_LIMITS;
	if (lim->max_seg_bytes == 0 || lim->max_chunk_bytes == 0 ||
	    lim->max_total_bytes < lim->max_chunk_bytes)
		return RPCRDMA_E_LIMITS;
	return RPCRDMA_OK;
}
