/*
 * nfsd/rdma/rpcrdma.h — RPC-over-RDMA version 1 (RFC 8166): the protocol's
 * constants, the decoded transport header, the limits a connection is
 * held to, and the status codes every codec function returns.
 * Decision: docs/decisions/0026-rpc-rdma-codec.md.
 *
 * The codec (this header, rpcrdma_decode.h, rpcrdma_encode.h,
 * rpcrdma_plan.h, rpcrdma_credits.h, rpcrdma_cm.h) makes no verbs call and
 * allocates nothing: every function is pure over caller-owned buffers and
 * structs, keeps no state, and may run on any thread. A struct rpcrdma_hdr
 * holds copies of what it decoded; it never points into the received
 * bytes, so the Receive buffer can be re-posted once the header is
 * decoded (the RPC message itself stays at buf + hdr_len until then).
 *
 * Wire summary (RFC 8166 §4.2, §4.3; all words big-endian u32):
 *   xid, vers (=1), credits, proc,
 *   read list:  { 1, position, handle, length, offset(u64) }* 0
 *   write list: { 1, nsegs, { handle, length, offset(u64) }[nsegs] }* 0
 *   reply chunk: 0 | 1, nsegs, { handle, length, offset(u64) }[nsegs]
 *   then, for RDMA_MSG, the RPC message.
 * RDMA_ERROR (§4.2.4, §5) is xid, vers, credits, 4, err [, low, high].
 */
#ifndef STRATA_NFSD_RDMA_RPCRDMA_H
#define STRATA_NFSD_RDMA_RPCRDMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RPCRDMA_VERSION 1u
#define RPCRDMA_PORT 20049 /* IANA "nfsrdma", RFC 8267 */

enum rpcrdma_proc {
	RDMA_MSG = 0,   /* header + chunk lists + RPC message */
	RDMA_NOMSG = 1, /* header + chunk lists; message in a chunk */
	RDMA_MSGP = 2,  /* not used in v1 (RFC 8166 §4.6.1) */
	RDMA_DONE = 3,  /* not used in v1 (RFC 8166 §4.6.2) */
	RDMA_ERROR = 4,
};

enum rpcrdma_errcode {
	ERR_VERS = 1,  /* followed by the lowest and highest version spoken */
	ERR_CHUNK = 2, /* no body */
};

#define RPCRDMA_FIXED_LEN 16u   /* xid, vers, credits, proc */
#define RPCRDMA_HDRLEN_MIN 28u  /* fixed words + three empty lists */
#define RPCRDMA_SEG_LEN 16u     /* handle, length, offset */
#define RPCRDMA_ERR_CHUNK_LEN 20u
#define RPCRDMA_ERR_VERS_LEN 28u
#define RPCRDMA_INLINE_MIN 1024u /* RFC 8166 §3.3.2 default threshold */

/* Room in a decoded header. The limits a connection actually enforces
 * (struct rpcrdma_limits) are at most these; they bound every loop and
 * array before anything is stored. */
#define RPCRDMA_SEG_CAP 64u   /* segments in one header, all lists */
#define RPCRDMA_CHUNK_CAP 8u  /* read chunks; write chunks */

/* An RDMA segment (RFC 8166 §3.4.3). handle is the peer's steering tag
 * (rkey); offset is the peer's address in that region, opaque to us. */
struct rpcrdma_segment {
	uint32_t handle;
	uint32_t length;
	uint64_t offset;
};

/* A chunk: segs[first .. first + nsegs) of the header, total bytes len.
 * For a Read chunk, position is its XDR position in the RPC message
 * (counted from the RPC xid, RFC 8166 §3.4.5); unused for other chunks. */
struct rpcrdma_chunk {
	uint32_t position;
	uint32_t first;
	uint32_t nsegs;
	uint64_t len;
};

struct rpcrdma_hdr {
	uint32_t xid, vers, credits, proc;
	uint32_t nsegs; /* used entries of segs */
	struct rpcrdma_segment segs[RPCRDMA_SEG_CAP];
	uint32_t nread;  /* read chunks, in ascending position */
	struct rpcrdma_chunk read[RPCRDMA_CHUNK_CAP];
	uint32_t nwrite; /* write chunks, in list order */
	struct rpcrdma_chunk write[RPCRDMA_CHUNK_CAP];
	bool has_reply;
	struct rpcrdma_chunk reply;
	/* RDMA_ERROR only */
	uint32_t err, vers_low, vers_high;
	/* Set by the decoder. */
	size_t hdr_len;    /* transport header bytes: the RPC message follows */
	size_t inline_len; /* RPC message bytes in this Send (RDMA_MSG) */
	uint64_t call_len; /* the RPC message once every Read chunk is in
	                    * place with its XDR pad (RFC 8166 §3.4.5) */
};

/* What a connection accepts and may send; the transport fills it from
 * the device attributes and the RFC 8797 exchange (rpcrdma_cm.h). Each
 * count is at most the matching *_CAP above (rpcrdma_limits_check). */
struct rpcrdma_limits {
	uint32_t max_inline_recv;    /* our Receive buffer size */
	uint32_t max_inline_send;    /* the peer's Receive size: one Send */
	uint32_t max_segs_per_chunk; /* e.g. device max_sge or FRWR depth */
	uint32_t max_segs;           /* segments in one header, all lists */
	uint32_t max_read_chunks;
	uint32_t max_write_chunks;
	uint32_t max_seg_bytes;      /* one segment (device max_msg_sz) */
	uint64_t max_chunk_bytes;    /* one chunk: rsize/wsize plus headroom */
	uint64_t max_total_bytes;    /* all chunks of one message together */
};

/*
 * Every codec result. Each failure is its own code; rpcrdma_action()
 * says what the transport does about it (RFC 8166 §4.5).
 */
enum rpcrdma_status {
	RPCRDMA_OK = 0,
	/* decode: answered with nothing */
	RPCRDMA_E_SHORT,      /* < 8 bytes: no xid and version to answer */
	RPCRDMA_E_PEER_ERROR, /* an RDMA_ERROR: never answered (hdr filled) */
	RPCRDMA_E_DONE,       /* RDMA_DONE: discarded (§4.6.2) */
	RPCRDMA_E_OVERSIZE,   /* longer than our Receive: broken peer */
	/* decode: answered with ERR_VERS */
	RPCRDMA_E_VERS,       /* vers != 1 (§4.5.1) */
	/* decode: answered with ERR_CHUNK (§4.5.2) */
	RPCRDMA_E_MSGP,       /* RDMA_MSGP (§4.6.1) */
	RPCRDMA_E_PROC,       /* proc unknown */
	RPCRDMA_E_TRUNC,      /* header ends inside a field or list */
	RPCRDMA_E_BOOL,       /* list discriminator neither 0 nor 1 */
	RPCRDMA_E_CHUNK_SEGS, /* a chunk has more segments than allowed */
	RPCRDMA_E_TOTAL_SEGS, /* the header has more segments than allowed */
	RPCRDMA_E_CHUNKS,     /* more read or write chunks than allowed */
	RPCRDMA_E_EMPTY_CHUNK, /* a write or reply chunk of 0 segments */
	RPCRDMA_E_SEG_ZERO,   /* a segment of length 0 */
	RPCRDMA_E_SEG_LONG,   /* a segment longer than max_seg_bytes */
	RPCRDMA_E_SEG_WRAP,   /* offset + length passes 2^64 */
	RPCRDMA_E_CHUNK_LONG, /* a chunk longer than max_chunk_bytes */
	RPCRDMA_E_TOTAL_LONG, /* all chunks together > max_total_bytes */
	RPCRDMA_E_POS_ALIGN,  /* read position not a multiple of 4 */
	RPCRDMA_E_POS_ORDER,  /* read positions descend, overlap, or one
	                       * chunk's segments are not adjacent */
	RPCRDMA_E_POS_RANGE,  /* read position beyond the message */
	RPCRDMA_E_POS_ZERO,   /* position-zero read chunk in RDMA_MSG */
	RPCRDMA_E_NOMSG_CALL, /* RDMA_NOMSG without position-zero chunk */
	RPCRDMA_E_TRAILING,   /* bytes after an RDMA_NOMSG header */
	RPCRDMA_E_NO_MSG,     /* RDMA_MSG without an RPC message after it */
	RPCRDMA_E_XID,        /* transport xid != RPC xid (§4.5.2) */
	/* planning: answered with ERR_CHUNK (§4.5.3) */
	RPCRDMA_E_REPLY_TOO_BIG, /* the reply fits neither inline nor in
	                          * the reply chunk the call offered */
	/* local errors: the connection is closed (§4.5.4) */
	RPCRDMA_E_LIMITS,     /* struct rpcrdma_limits out of range */
	RPCRDMA_E_ARG,        /* bad arguments (e.g. a payload outside the
	                       * reply, more payloads than room) */
	RPCRDMA_E_NOSPACE,    /* output buffer too small */
	RPCRDMA_E_BC_TOO_BIG, /* a backchannel call larger than one Send */
	RPCRDMA_STATUS_COUNT
};

enum rpcrdma_action {
	RPCRDMA_ACT_PROCESS = 0,
	RPCRDMA_ACT_DROP,          /* free the Receive, send nothing */
	RPCRDMA_ACT_ERR_VERS,      /* send RDMA_ERROR / ERR_VERS (1, 1) */
	RPCRDMA_ACT_ERR_CHUNK,     /* send RDMA_ERROR / ERR_CHUNK */
	RPCRDMA_ACT_DISCONNECT,    /* close this connection only */
};

enum rpcrdma_action rpcrdma_action(enum rpcrdma_status st);
/* A short lower-case name for logs and metrics ("pos_align"). */
const char *rpcrdma_status_name(enum rpcrdma_status st);

/* Defaults for a Linux client on Soft-RoCE before the device is asked:
 * 4 KiB inline both ways, 16 segments per chunk, 1 MiB per chunk. */
void rpcrdma_limits_default(struct rpcrdma_limits *lim);
/* RPCRDMA_OK, or RPCRDMA_E_LIMITS if a count is 0 or above its cap, or an
 * inline size is below RPCRDMA_INLINE_MIN. */
enum rpcrdma_status rpcrdma_limits_check(const struct rpcrdma_limits *lim);

/* XDR roundup of n to a multiple of 4 (RFC 4506 §3). */
static inline uint64_t rpcrdma_xdr_align(uint64_t n)
{
	return (n + 3u) & ~(uint64_t)3u;
}

#endif
