/*
 * pnfs/peer_xtx.h — a metadata node's side of the cross-node
 * transactions other nodes coordinate (PEER_XREAD, PEER_XPREPARE,
 * PEER_XFINISH, PEER_XOUTCOME of pnfs/peer_prot.x; metadata/ns_xtx.h;
 * docs/decisions/0024).
 *
 * Threads: peer_xtx_reply() runs on the executor thread inside its batch
 * with srv->state_lock held (peer_svc.c hands these calls there), so a
 * PREPARED or finished record commits with the batch and the answer
 * leaves only after that commit: a "yes" to PREPARE is durable.
 */
#ifndef STRATA_PNFS_PEER_XTX_H
#define STRATA_PNFS_PEER_XTX_H

#include <stddef.h>
#include <stdint.h>

#include "rpc.h"

struct strata_server;

/* 1 when PROC is one of the four. */
int peer_xtx_proc(uint32_t proc);

/* The whole RPC reply to CALL into BUF (CAP bytes); its length. */
size_t peer_xtx_reply(struct strata_server *srv, const struct rpc_call *call,
		      uint8_t *buf, size_t cap);

/* An unauthenticated call: the reply that refuses it into BUF. */
size_t peer_xtx_refuse(const struct rpc_call *call, uint8_t *buf,
		       size_t cap);

#endif
