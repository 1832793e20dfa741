/*
 * pnfs/peer_cb.h — recalls across metadata nodes (docs/decisions/0024).
 * A partition owner decides that a delegation or layout of a client of
 * another node must be recalled; the client's back channel is at its
 * front, so the owner asks the front (PEER_CALLBACK), the front sends
 * CB_RECALL or CB_LAYOUTRECALL on the client's session, and for a layout
 * tells the owner the client's answer (PEER_CB_DONE). The client's
 * DELEGRETURN or LAYOUTRETURN reaches the owner as any op does.
 *
 * Threads: peer_cb_install() once at start. The hooks it installs run
 * under srv->state_lock and only queue calls (pnfs/peer_client.h); their
 * completions run on a link thread and take srv->state_lock themselves.
 * peer_cb_serve() runs on a connection's receive thread and takes
 * srv->state_lock.
 */
#ifndef STRATA_PNFS_PEER_CB_H
#define STRATA_PNFS_PEER_CB_H

#include <stddef.h>
#include <stdint.h>

struct strata_server;
struct rpc_call;

/* Set srv->cb_remote and srv->cb_done_remote (srv->peers must exist). */
void peer_cb_install(struct strata_server *srv);

/* PEER_CALLBACK or PEER_CB_DONE: the whole RPC reply into BUF (CAP
 * bytes); its length. */
size_t peer_cb_serve(struct strata_server *srv, const struct rpc_call *call,
		     uint8_t *buf, size_t cap);

#endif
