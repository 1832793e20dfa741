/*
 * nfsd/subcompound.h — a COMPOUND that runs on several metadata nodes.
 *
 * In a cluster (docs/decisions/0024) a COMPOUND may reach an op whose
 * object another node owns. compound_begin() then stops before that op
 * and says where the rest goes (job->stop); the caller sends the rest as
 * a sub-compound (pnfs/peer_prot.x) and, with the owner's answer, calls
 * compound_resume(), which appends the owner's results and goes on
 * (possibly stopping again), or compound_fail() if the owner could not be
 * reached. Each returns COMPOUND_DONE with the COMPOUND4res length in
 * *len (the slot's reply cache filled), or COMPOUND_FORWARD.
 *
 * Ownership: the job is the caller's; it points into the call's message
 * and the OUT buffer, both of which must outlive it. Threads: each call
 * with srv->state_lock held; the lock may be dropped between them (the
 * session and client are found again by id on resume; the slot stays in
 * use meanwhile, so a retransmission gets NFS4ERR_DELAY).
 */
#ifndef STRATA_NFSD_SUBCOMPOUND_H
#define STRATA_NFSD_SUBCOMPOUND_H

#include "compound.h"

struct nfs_client;

struct peer_compound_args;
struct peer_compound_resok;

struct compound_job {
	struct compound c;
	struct compound_stop stop;
	uint8_t *out;
	size_t cap;
	unsigned out_pos, in_pos;
	unsigned status_pos, count_pos, count; /* of the reply header */
	uint64_t clientid;     /* to find the client again */
	sessionid4 sessionid;
	uint32_t slotid;
	int has_session;
};

/* COMPOUND_XTX: stopped before a RENAME or REMOVE that touches other
 * nodes' partitions (job->stop: its position, node this one); the caller
 * runs it as a transaction (nfsd/xtx_task.h) and goes on with
 * compound_resume_op(). */
enum { COMPOUND_DONE = 0, COMPOUND_FORWARD = 1, COMPOUND_XTX = 2 };

int compound_begin(struct compound_job *j, struct strata_server *srv,
		   struct xprt_conn *conn, const struct rpc_call *call,
		   uint8_t *out, size_t cap, size_t *len, int *garbage);
int compound_resume(struct compound_job *j,
		    const struct peer_compound_resok *r, size_t *len);
/* The op at job->stop ran elsewhere (a transaction): its result's XDR
 * (N bytes at RES: its op number, status ST and result), its arguments
 * CONSUMED bytes (op number included); then the COMPOUND goes on. */
int compound_resume_op(struct compound_job *j, nfsstat4 st,
		       const uint8_t *res, size_t n, size_t consumed,
		       size_t *len);
/* The op at job->stop could not be sent: it gets ST and the COMPOUND
 * ends there. */
size_t compound_fail(struct compound_job *j, nfsstat4 st);
/* The sub-compound carrying J's rest to J->stop.node: A's fields point
 * into J, its call and its client (valid until the lock is dropped).
 * -1 if J has no client (nothing to forward for). */
int compound_sub_args(struct compound_job *j,
		      struct peer_compound_args *a);

/* Find J's session and client again (after the lock was dropped); the
 * job's client is NULL when it is gone. */
void compound_job_refind(struct compound_job *j);

/*
 * A partition owner: run the sub-compound A (pnfs/peer_prot.x) of client
 * CLP (its stub here) with the context A carries; the results' XDR go to
 * BUF (CAP bytes) and R says how far it got (R->results points into BUF).
 * *MUTATED is 1 when an op that may change something ran (its answer
 * must survive a lost reply: peer_svc.c). Caller holds srv->state_lock
 * and runs in the executor's batch. Returns 0, or -1 when A's ops cannot
 * be decoded at all.
 */
int compound_run_sub(struct strata_server *srv, struct xprt_conn *conn,
		     const struct peer_compound_args *a,
		     struct nfs_client *clp, uint8_t *buf, size_t cap,
		     struct peer_compound_resok *r, int *mutated);

#endif
