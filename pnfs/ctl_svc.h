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

#include "ctl_prot.h"
#include "rpc.h"

struct strata_server;
struct xprt_conn;

/* The program and version of ctl_prot.x (its clients, ctl_client.c, use
 * the generated names directly). */
#define STRATA_CTL_PROGRAM ((u_int)STRATA_CTL_PROG)
#define STRATA_CTL_VERSION ((u_int)STRATA_CTL_V2)

void ctl_svc_dispatch(struct strata_server *srv, struct xprt_conn *conn,
		      const struct rpc_call *call);

#endif
