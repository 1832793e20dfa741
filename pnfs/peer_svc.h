/*
 * pnfs/peer_svc.h — a metadata node's side of the peer protocol
 * (pnfs/peer_prot.x; docs/decisions/0024): sub-compounds other nodes (the
 * fronts of their clients) send for objects this node owns, and their
 * notices that a client is gone.
 *
 * Threads: peer_svc_dispatch() runs on the connection's receive thread:
 * it answers NULL and unauthenticated calls itself (the connection's
 * handshake fields are that thread's) and hands the rest to the executor,
 * which calls peer_svc_reply() inside its batch with srv->state_lock held,
 * so a sub-compound shares the group commit of local COMPOUNDs and its
 * answer leaves after the commit.
 */
#ifndef STRATA_PNFS_PEER_SVC_H
#define STRATA_PNFS_PEER_SVC_H

#include <stddef.h>
#include <stdint.h>

#include <rpc/rpc.h>

#include "rpc.h"

struct strata_server;
struct xprt_conn;

#define STRATA_PEER_PROG 0x2005172Au

/* 1 if the call is for the executor (the caller submits it there), else
 * 0: answered here. */
int peer_svc_dispatch(struct strata_server *srv, struct xprt_conn *conn,
		      const struct rpc_call *call);

/* An accepted reply to XID with result RES (XRES) into BUF (CAP bytes);
 * its length (a header saying SYSTEM_ERR if RES does not fit). */
size_t peer_encode_reply(uint8_t *buf, size_t cap, uint32_t xid,
			 xdrproc_t xres, void *res);

/* Executor, batch open, state_lock held: the whole RPC reply to CALL into
 * BUF (CAP bytes); returns its length. WORK (WORK_CAP bytes, the
 * executor's) holds a sub-compound's results meanwhile; *RESULTS_AT
 * gets where they start in BUF (0: not a sub-compound's answer). */
size_t peer_svc_reply(struct strata_server *srv, struct xprt_conn *conn,
		      const struct rpc_call *call, uint8_t *buf, size_t cap,
		      uint8_t *work, size_t work_cap, size_t *results_at);

/* Drop the answers kept for resends of client CLIENTID's sub-compounds
 * (the client is gone): srv->stub_gone. Under state_lock. */
void peer_answers_drop(struct strata_server *srv, uint64_t clientid);

#endif
