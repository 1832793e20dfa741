/*
 * nfsd/rpc.h — ONC RPC version 2 messages (RFC 5531): parsing a CALL header
 * and its AUTH_SYS credential (RFC 5531 Appendix A), building REPLY headers.
 * Pure functions over caller-owned buffers; any thread.
 */
#ifndef STRATA_NFSD_RPC_H
#define STRATA_NFSD_RPC_H

#include <stddef.h>
#include <stdint.h>

#define RPC_CALL 0
#define RPC_REPLY 1
#define RPC_MSG_ACCEPTED 0
#define RPC_MSG_DENIED 1

enum rpc_accept_stat {
	ACCEPT_SUCCESS = 0,
	ACCEPT_PROG_UNAVAIL = 1,
	ACCEPT_PROG_MISMATCH = 2,
	ACCEPT_PROC_UNAVAIL = 3,
	ACCEPT_GARBAGE_ARGS = 4,
	ACCEPT_SYSTEM_ERR = 5,
};

enum rpc_auth_stat {
	RPC_AUTH_OK = 0,
	RPC_AUTH_BADCRED = 1,
	RPC_AUTH_REJECTEDCRED = 2,
	RPC_AUTH_BADVERF = 3,
	RPC_AUTH_REJECTEDVERF = 4,
	RPC_AUTH_TOOWEAK = 5,
};

#define RPC_AUTH_NONE 0
#define RPC_AUTH_SYS 1
#define RPC_AUTH_GSS 6
#define RPC_MAX_GIDS 16
#define RPC_MAX_AUTH_BYTES 400

struct rpc_cred {
	uint32_t flavor;
	uint32_t uid, gid;
	uint32_t ngids;
	uint32_t gids[RPC_MAX_GIDS];
	char machine[256];
};

struct rpc_call {
	uint32_t xid;
	uint32_t prog, vers, proc;
	struct rpc_cred cred;
	const uint8_t *args; /* points into the message buffer */
	size_t args_len;
};

enum rpc_parse_result {
	RPC_PARSE_CALL = 0,     /* a call, header valid */
	RPC_PARSE_REPLY,        /* msg_type REPLY: backchannel traffic */
	RPC_PARSE_DROP,         /* too short to answer: drop silently */
	RPC_PARSE_RPC_MISMATCH, /* rpcvers != 2: MSG_DENIED/RPC_MISMATCH */
	RPC_PARSE_AUTH_ERROR,   /* *auth_stat says why: MSG_DENIED/AUTH_ERROR */
	RPC_PARSE_GARBAGE,      /* header undecodable: GARBAGE_ARGS */
};

/* Parse MSG. On anything but DROP, out->xid is valid. */
enum rpc_parse_result rpc_parse_call(const uint8_t *msg, size_t len,
				     struct rpc_call *out,
				     uint32_t *auth_stat);

/* Size of an accepted reply header with an AUTH_NONE verifier. */
#define RPC_REPLY_HDR_LEN 24

/* Write an accepted reply header (xid, REPLY, ACCEPTED, AUTH_NONE verf,
 * STAT) to BUF (RPC_REPLY_HDR_LEN bytes). */
void rpc_reply_accepted(uint8_t *buf, uint32_t xid, uint32_t stat);

/* Write a complete denied or special reply into BUF (>= 32 bytes);
 * returns its length. */
size_t rpc_reply_rpc_mismatch(uint8_t *buf, uint32_t xid);
size_t rpc_reply_auth_error(uint8_t *buf, uint32_t xid, uint32_t auth_stat);
size_t rpc_reply_prog_mismatch(uint8_t *buf, uint32_t xid, uint32_t low,
			       uint32_t high);

#endif
