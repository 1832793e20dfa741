/*
 * nfsd/compound_loop.h — the op loop of compound.c, for the code that
 * runs a COMPOUND in pieces (nfsd/subcompound.c: a front's COMPOUND that
 * continues on other nodes, an owner's sub-compound; decision 0024).
 *
 * A struct loop is the state between ops: the argument and reply XDR
 * streams, the reply header's positions and count, the next op and the
 * last status. It lives on the caller's stack for one piece of work and
 * is rebuilt from saved positions for the next (the buffers it points
 * into are the caller's). Threads: with srv->state_lock held, like
 * compound_run().
 */
#ifndef STRATA_NFSD_COMPOUND_LOOP_H
#define STRATA_NFSD_COMPOUND_LOOP_H

#include "compound.h"

struct reply_hdr {
	u_int status_pos;
	u_int count_pos;
	uint32_t count;
};

struct loop {
	XDR in, out;
	struct reply_hdr h;
	unsigned i, end;   /* next op, one past the last */
	nfsstat4 status;
	struct compound_stop stop;
};

enum { LOOP_END, LOOP_STOP, LOOP_REPLAY };

/* Set up C and L for CALL (reply into BUF, CAP bytes): decode the header,
 * encode the reply's. 1: run the ops; 0: done (*len is the reply, or
 * *garbage set). */
int compound_loop_open(struct compound *c, struct loop *l,
		       struct strata_server *srv, struct xprt_conn *conn,
		       const struct rpc_call *call, uint8_t *buf, size_t cap,
		       size_t *len, int *garbage);
/* Run ops L->i .. L->end - 1 until one fails (LOOP_END), the session's
 * reply cache answers (LOOP_REPLAY), or an op is another node's
 * (LOOP_STOP: L->stop says where; L->in is back before it). */
int compound_loop_run(struct compound *c, struct loop *l);
/* The op at L->in (not consumed) gets a result that is only the status
 * ST, which becomes L's last status. */
void compound_loop_fail(struct loop *l, nfsstat4 st);
/* Patch the header with L->status, fill the slot's cache; the length. */
size_t compound_loop_finish(struct compound *c, struct loop *l, uint8_t *buf);

#endif
