/*
 * pnfs/ctl_svc.h — the server side of the control protocol
 * (pnfs/ctl_prot.x), on the same listener as NFS: server.c hands every
 * call for STRATA_CTL_PROG here. Data procedures are served by a data
 * server only; CHALLENGE/AUTH/STATS by both roles.
 *
 * Threads: runs on the connection's receive thread, without
 * srv->state_lock (it touches only the data store, the DS state and
 * counters, which are thread-safe, and the connection's handshake fields,
 * which only this thread touches).
 */
#ifndef STRATA_PNFS_CTL_SVC_H
#define STRATA_PNFS_CTL_SVC_H

#include "rpc.h"

struct strata_server;
struct xprt_conn;

#define STRATA_CTL_PROGRAM 0x20051729u
#define STRATA_CTL_VERSION 1u

void ctl_svc_dispatch(struct strata_server *srv, struct xprt_conn *conn,
		      const struct rpc_call *call);

#endif
