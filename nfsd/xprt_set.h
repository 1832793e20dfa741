/*
 * nfsd/xprt_set.h — the connections of one listener, shared by the
 * transports (xprt_tcp.c, xprt_rdma_cm.c): a list to shut them all down
 * and a count to wait for the last one's threads to end.
 *
 * Ownership and threads: the set is part of its listener and lives as
 * long as it. lock protects head, n and stopping (and each member's
 * set_next); any thread may call these functions. A connection is in the
 * set from xprt_set_add() until xprt_set_remove(), which its transport
 * calls once its own threads have ended (not when its last reference is
 * dropped: the upper layers may hold those longer).
 */
#ifndef STRATA_NFSD_XPRT_SET_H
#define STRATA_NFSD_XPRT_SET_H

#include "xprt.h"

struct xprt_set {
	pthread_mutex_t lock;
	pthread_cond_t idle; /* n dropped to 0 */
	struct xprt_conn *head;
	int n;
	int stopping;
};

void xprt_set_init(struct xprt_set *s);
void xprt_set_destroy(struct xprt_set *s);
/* 0, or -ESHUTDOWN once xprt_set_stop() began (C is not added). */
int xprt_set_add(struct xprt_set *s, struct xprt_conn *c);
void xprt_set_remove(struct xprt_set *s, struct xprt_conn *c);
/* ops->shutdown() of every member (e.g. the device went away). */
void xprt_set_shutdown_all(struct xprt_set *s);
/* Refuse new members, shut every member down, wait until none is left. */
void xprt_set_stop(struct xprt_set *s);

#endif
