/*
 * tools/strata-bench/rpc_conn.h -- one TCP connection carrying ONC RPC
 * calls (RFC 5531) with record marking, shared by several callers that
 * each have at most one call in flight on it (a pipeline of depth = the
 * number of callers).
 *
 * Contract:
 *   - A caller is identified by an index 0..RPC_MAX_CALLERS-1 carried in
 *     the low 8 bits of its xids.  Each caller owns one struct rpc_call and
 *     must not start a second call on the same connection before the first
 *     returned.  Replies are matched to callers by xid.
 *   - rpc_conn_call() may be called from any thread; sends are serialised
 *     by a mutex, replies are read by the connection's own receiver thread,
 *     which copies each reply record into the caller's rpc_call buffer and
 *     wakes the caller.
 *   - On a transport error, a reply timeout or an oversized reply the
 *     connection is shut down and every call in flight (now or later)
 *     fails with a negative errno.  There is no reconnect: a benchmark
 *     stops on the first broken connection.
 *   - rpc_conn_close() must be called once no caller uses the connection.
 */
#ifndef STRATA_BENCH_RPC_CONN_H
#define STRATA_BENCH_RPC_CONN_H

#include <semaphore.h>
#include <stddef.h>
#include <stdint.h>

#define RPC_MAX_CALLERS 256

/* One call slot of a caller: the reply lands in RBUF (first byte = the
 * xid).  RBUF stays valid and unchanged until the next call with this
 * struct. */
struct rpc_call {
	uint32_t xid;   /* set by the caller before each call */
	sem_t done;
	uint8_t *rbuf;  /* reply record, owned by the caller */
	size_t rcap;
	size_t rlen;    /* bytes of the last reply */
	int err;        /* 0, or -errno from the receiver */
};

struct rpc_conn;

int rpc_call_init(struct rpc_call *call, size_t rcap);
void rpc_call_destroy(struct rpc_call *call);

/* Connect to HOST:PORT (numeric or resolvable) and start the receiver.
 * 0, or -errno with a message in ERR. */
int rpc_conn_open(struct rpc_conn **out, const char *host, uint16_t port,
		  char *err, size_t errlen);
void rpc_conn_close(struct rpc_conn *c);
const char *rpc_conn_name(const struct rpc_conn *c);

/* Length of the call header rpc_hdr_put() writes: record mark, xid, call
 * body up to and including the verifier (AUTH_SYS uid 0 gid 0). */
size_t rpc_hdr_len(void);
/* Write the record mark for a record of TOTAL bytes (mark included) and
 * the call header for program 100003 version 4 procedure PROC. */
void rpc_hdr_put(uint8_t *buf, size_t total, uint32_t xid, uint32_t proc);

/* Send the record BUF[0..LEN) (from rpc_hdr_put + body) with xid
 * CALL->xid and wait up to TIMEOUT_MS for the reply.  0 or -errno
 * (-ETIMEDOUT, -EPIPE, -EMSGSIZE, ...). */
int rpc_conn_call(struct rpc_conn *c, struct rpc_call *call,
		  const uint8_t *buf, size_t len, int timeout_ms);

/* Parse the accepted-reply header in CALL->rbuf.  On success *BODY is the
 * offset of the procedure results; else a message in ERR and -EPROTO. */
int rpc_reply_body(const struct rpc_call *call, size_t *body, char *err,
		   size_t errlen);

#endif
