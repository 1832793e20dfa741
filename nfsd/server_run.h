/*
 * nfsd/server_run.h — the assembly of a server instance: start and stop
 * (every layer's parts, in order), and the reply path of one COMPOUND
 * (server.c). The record itself, which the lower layers see, is
 * nfsd/server.h.
 *
 * Ownership: server_start() allocates the struct strata_server and its
 * parts; the caller (main(), the tests) owns it until server_stop().
 * Threads: start and stop from one thread; server_compound_reply() as
 * below.
 */
#ifndef STRATA_NFSD_SERVER_RUN_H
#define STRATA_NFSD_SERVER_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "server.h"

struct rpc_call;
struct xprt_conn;

/* Start a server of ROLE (ROLE_MDS or ROLE_DS). */
int server_start(struct strata_server **out, const struct strata_config *cfg,
		 unsigned role);
void server_stop(struct strata_server *srv);

/* Run one COMPOUND CALL from CONN and write the whole RPC reply (header and
 * COMPOUND4res) into BUF (CAP bytes: RPC_REPLY_HDR_LEN + cfg.max_msg);
 * returns its length. Caller holds srv->state_lock. */
size_t server_compound_reply(struct strata_server *srv,
			     struct xprt_conn *conn,
			     const struct rpc_call *call, uint8_t *buf,
			     size_t cap);

#endif
