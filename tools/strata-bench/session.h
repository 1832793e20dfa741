/*
 * tools/strata-bench/session.h -- an NFSv4.1 client ID and session on one
 * server (MDS or data server): EXCHANGE_ID, CREATE_SESSION, and the
 * SEQUENCE that starts every COMPOUND (RFC 8881 §2.10, §18.35, §18.36,
 * §18.46).
 *
 * Slots: lane I uses slot I and connection I % nconns, so the sequence id
 * of slot I (slot_seq[I]) is only ever touched by the thread running lane
 * I and needs no lock.  A session is usable by lanes 0..ncallers-1 (the
 * sess_params it was opened with); sess_open() fails if the server grants
 * fewer slots than that.
 *
 * Errors: every function that can fail writes a message naming the server,
 * the operation and the NFS status into the lane's err buffer.
 *
 * Lifetime: sess_open() and sess_close() run on one lane while no other
 * lane uses the session; between them any lane may call sess_call().
 */
#ifndef STRATA_BENCH_SESSION_H
#define STRATA_BENCH_SESSION_H

#include <stdatomic.h>
#include <stdint.h>

#include "lane.h"

enum sess_role { SESS_MDS, SESS_DS };

struct sess_params {
	uint32_t nconns;     /* TCP connections in the session */
	uint32_t slots;      /* fore-channel slots asked for */
	uint32_t ncallers;   /* lanes that will use it: need that many slots */
	uint32_t max_msg;    /* request/response size asked for */
	uint32_t need_msg;   /* smallest negotiated size that will do */
	int timeout_ms;      /* per reply */
	char verifier[8];    /* co_verifier */
	const char *owner;   /* co_ownerid (same for MDS and DSs) */
	uint32_t owner_len;
	int no_pnfs;         /* MDS: ask for USE_NON_PNFS, not USE_PNFS_MDS */
};

struct nfs_sess {
	char name[112];          /* "MDS 127.0.0.1:2049" for messages */
	enum sess_role role;
	uint64_t clientid;
	uint32_t eir_flags;      /* EXCHGID4_FLAG_* the server answered */
	uint32_t eir_seq;        /* eir_sequenceid: CREATE_SESSION's csa_sequence */
	char sessionid[NFS4_SESSIONID_SIZE];
	uint32_t nslots;         /* granted */
	uint32_t max_req, max_resp, max_ops;
	uint32_t highest;        /* sa_highest_slotid we send */
	uint32_t *slot_seq;      /* [nslots]: last sequence id per slot */
	uint32_t nconns;
	struct rpc_conn **conns;
	int timeout_ms;
	atomic_ullong last_ns;   /* when the last COMPOUND was sent */
};

/* Connect, EXCHANGE_ID, CREATE_SESSION (and RECLAIM_COMPLETE on an MDS).
 * 0, or -1 with L->err set. */
int sess_open(struct lane *l, const struct sess_params *p,
	      enum sess_role role, const char *host, uint16_t port,
	      struct nfs_sess **out);

/* DESTROY_SESSION, DESTROY_CLIENTID (best effort), then disconnect and
 * free.  S may be NULL. */
void sess_close(struct lane *l, struct nfs_sess *s);

/* Send L->cpd (built with cpd_start) on slot L->id with a SEQUENCE in
 * front and decode the reply into L->res.  NFS4ERR_DELAY and NFS4ERR_GRACE
 * are retried after a back-off when no non-idempotent operation before the
 * failing one has run.  Returns 0 when every operation succeeded; the
 * nfsstat4 (> 0) of the operation that failed, with L->err "WHAT: OP:
 * STATUS (server)"; or -1 for a transport or protocol error (L->err). */
int sess_call(struct lane *l, struct nfs_sess *s, const char *what);

/* A COMPOUND with only a SEQUENCE (lease renewal).  0 or -1/status. */
int sess_renew(struct lane *l, struct nfs_sess *s);

#endif
