/*
 * tools/strata-bench/session.c -- client ID, session, SEQUENCE and slots.
 * See session.h.
 */
#include "session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

#define MAX_BACKOFF_MS 200

/* ---- one RPC round trip --------------------------------------------- */

/* Encode L->cpd, send it on CONN, decode the COMPOUND4res into L->res.
 * 0 (whatever the NFS status), or -1 with L->err. */
static int round_trip(struct lane *l, struct nfs_sess *s,
		      struct rpc_conn *conn, const char *what)
{
	size_t hdr = rpc_hdr_len(), body;
	char msg[160];
	long n;
	int rc;

	cres_free(&l->res);
	n = cpd_encode(&l->cpd, l->sbuf + hdr, l->scap - hdr);
	if (n < 0)
		return lane_fail(l, "%s: request does not fit in %zu bytes",
				 what, l->scap);
	if ((size_t)n + hdr - 4 > s->max_req)
		return lane_fail(l, "%s: request of %ld bytes exceeds %s's "
				 "ca_maxrequestsize %u", what, n, s->name,
				 s->max_req);
	l->call.xid = lane_next_xid(l);
	rpc_hdr_put(l->sbuf, hdr + (size_t)n, l->call.xid, 1);
	rc = rpc_conn_call(conn, &l->call, l->sbuf, hdr + (size_t)n,
			   s->timeout_ms);
	if (rc < 0)
		return lane_fail(l, "%s: %s: %s", what, rpc_conn_name(conn),
				 rc == -ETIMEDOUT ? "no reply (timeout)"
						  : strerror(-rc));
	if (rpc_reply_body(&l->call, &body, msg, sizeof(msg)) < 0)
		return lane_fail(l, "%s: %s: %s", what, rpc_conn_name(conn),
				 msg);
	if (cres_decode(&l->res, l->call.rbuf + body, l->call.rlen - body) < 0)
		return lane_fail(l, "%s: %s: undecodable COMPOUND reply", what,
				 rpc_conn_name(conn));
	return 0;
}

/* Index of the failed result and its op, after a non-OK COMPOUND. */
static int failed_op(const struct lane *l, nfs_opnum4 *op)
{
	const struct cres *r = &l->res;
	if (r->n == 0) {
		*op = l->cpd.n ? l->cpd.op[0].argop : OP_ILLEGAL;
		return 0;
	}
	*op = r->res[r->n - 1].resop;
	return (int)r->n - 1;
}

static int op_fail(struct lane *l, const char *server, const char *what)
{
	nfs_opnum4 op;
	failed_op(l, &op);
	lane_fail(l, "%s: %s: %s (%s)", what, nfs_op_name(op),
		  nfs_status_name(l->res.status), server);
	return (int)l->res.status;
}

/* ---- sequenced calls ---------------------------------------------- */

static int idempotent(nfs_opnum4 op)
{
	switch (op) {
	case OP_SEQUENCE: case OP_PUTFH: case OP_PUTROOTFH: case OP_LOOKUP:
	case OP_SAVEFH: case OP_RESTOREFH:
	case OP_GETFH: case OP_GETATTR: case OP_READ: case OP_WRITE:
	case OP_COMMIT: case OP_GETDEVICEINFO: case OP_RECLAIM_COMPLETE:
		return 1;
	default:
		return 0;
	}
}

/* May the compound be sent again after a DELAY/GRACE on result FAIL? */
static int retry_safe(const struct lane *l, int fail)
{
	for (int i = 0; i < fail; i++)
		if (!idempotent(l->cpd.op[i].argop))
			return 0;
	return 1;
}

int sess_call(struct lane *l, struct nfs_sess *s, const char *what)
{
	struct rpc_conn *conn = s->conns[l->id % s->nconns];
	uint64_t deadline = mono_ns() + (uint64_t)s->timeout_ms * 1000000ull;
	unsigned backoff = 1;

	if (l->cpd.n > s->max_ops)
		return lane_fail(l, "%s: %u operations exceed %s's "
				 "ca_maxoperations %u", what, l->cpd.n,
				 s->name, s->max_ops);
	for (;;) {
		uint32_t seq = s->slot_seq[l->id] + 1;
		cpd_sequence(&l->cpd, s->sessionid, seq, l->id, s->highest);
		atomic_store(&s->last_ns, mono_ns());
		if (round_trip(l, s, conn, what) < 0)
			return -1;
		struct cres *r = &l->res;
		if (r->n == 0 || r->res[0].resop != OP_SEQUENCE)
			return lane_fail(l, "%s: %s: reply without SEQUENCE "
					 "(%s)", what, s->name,
					 nfs_status_name(r->status));
		nfsstat4 sst = cres_status(r, 0);
		if (sst == NFS4_OK)
			s->slot_seq[l->id] = seq;
		if (r->status == NFS4_OK)
			return 0;
		nfs_opnum4 op;
		int fail = failed_op(l, &op);
		int again = (r->status == NFS4ERR_DELAY ||
			     r->status == NFS4ERR_GRACE) &&
			    retry_safe(l, fail) && mono_ns() < deadline;
		if (!again)
			return op_fail(l, s->name, what);
		sleep_ms(backoff);
		backoff = backoff * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS
						      : backoff * 2;
	}
}

int sess_renew(struct lane *l, struct nfs_sess *s)
{
	cpd_start(&l->cpd);
	return sess_call(l, s, "lease renewal");
}

/* ---- setup and teardown -------------------------------------------- */

static int exchange_id(struct lane *l, const struct sess_params *p,
		       struct nfs_sess *s)
{
	uint32_t flags = s->role == SESS_DS ? EXCHGID4_FLAG_USE_PNFS_DS
			 : p->no_pnfs	    ? EXCHGID4_FLAG_USE_NON_PNFS
					    : EXCHGID4_FLAG_USE_PNFS_MDS;

	cpd_start_nosess(&l->cpd);
	cpd_exchange_id(&l->cpd, p->verifier, p->owner, p->owner_len, flags);
	if (round_trip(l, s, s->conns[l->id % s->nconns], "EXCHANGE_ID") < 0)
		return -1;
	if (l->res.status != NFS4_OK) {
		op_fail(l, s->name, "session setup");
		return -1;
	}
	EXCHANGE_ID4resok *ok =
		&l->res.res[0].nfs_resop4_u.opexchange_id.EXCHANGE_ID4res_u.eir_resok4;
	s->clientid = ok->eir_clientid;
	s->eir_flags = ok->eir_flags;
	s->eir_seq = ok->eir_sequenceid;
	if (s->role == SESS_DS && !(ok->eir_flags & EXCHGID4_FLAG_USE_PNFS_DS))
		return lane_fail(l, "data server %s: EXCHANGE_ID reply "
				 "lacks EXCHGID4_FLAG_USE_PNFS_DS (flags "
				 "0x%x)", s->name, ok->eir_flags);
	return 0;
}

static int create_session(struct lane *l, const struct sess_params *p,
			  struct nfs_sess *s)
{
	cpd_start_nosess(&l->cpd);
	cpd_create_session(&l->cpd, s->clientid, s->eir_seq, p->slots,
			   p->max_msg, CPD_MAX_OPS);
	if (round_trip(l, s, s->conns[l->id % s->nconns], "CREATE_SESSION") < 0)
		return -1;
	if (l->res.status != NFS4_OK) {
		op_fail(l, s->name, "session setup");
		return -1;
	}
	CREATE_SESSION4resok *ok =
		&l->res.res[0].nfs_resop4_u.opcreate_session.CREATE_SESSION4res_u.csr_resok4;
	channel_attrs4 *fa = &ok->csr_fore_chan_attrs;
	memcpy(s->sessionid, ok->csr_sessionid, NFS4_SESSIONID_SIZE);
	s->nslots = fa->ca_maxrequests;
	s->max_req = fa->ca_maxrequestsize;
	s->max_resp = fa->ca_maxresponsesize;
	s->max_ops = fa->ca_maxoperations;
	memset(s->slot_seq, 0, sizeof(uint32_t) * p->ncallers);
	if (s->nslots < p->ncallers)
		return lane_fail(l, "%s granted %u session slots; %u needed "
				 "(--conns x --qd + 1): lower --qd or --conns",
				 s->name, s->nslots, p->ncallers);
	if (s->max_req < p->need_msg || s->max_resp < p->need_msg)
		return lane_fail(l, "%s allows requests of %u and replies of "
				 "%u bytes; --io needs %u: lower --io",
				 s->name, s->max_req, s->max_resp, p->need_msg);
	if (s->max_ops < 8)
		return lane_fail(l, "%s allows only %u operations per COMPOUND",
				 s->name, s->max_ops);
	s->highest = p->ncallers - 1;
	return 0;
}

static int reclaim_complete(struct lane *l, struct nfs_sess *s)
{
	cpd_start(&l->cpd);
	cpd_reclaim_complete(&l->cpd);
	int rc = sess_call(l, s, "session setup");
	if (rc == NFS4ERR_COMPLETE_ALREADY)
		return 0;
	return rc == 0 ? 0 : -1;
}

static int connect_all(struct lane *l, const struct sess_params *p,
		       struct nfs_sess *s, const char *host, uint16_t port)
{
	char msg[200];

	s->conns = calloc(p->nconns, sizeof(*s->conns));
	if (!s->conns)
		return lane_fail(l, "out of memory");
	for (uint32_t i = 0; i < p->nconns; i++) {
		if (rpc_conn_open(&s->conns[i], host, port, msg, sizeof(msg)) < 0)
			return lane_fail(l, "%s: %s", s->name, msg);
		s->nconns = i + 1;
	}
	return 0;
}

int sess_open(struct lane *l, const struct sess_params *p,
	      enum sess_role role, const char *host, uint16_t port,
	      struct nfs_sess **out)
{
	struct nfs_sess *s = calloc(1, sizeof(*s));
	uint32_t nseq = p->ncallers > 1 ? p->ncallers : 1;

	if (!s || !(s->slot_seq = calloc(nseq, sizeof(uint32_t)))) {
		free(s);
		return lane_fail(l, "out of memory");
	}
	snprintf(s->name, sizeof(s->name), "%s %s:%u",
		 role == SESS_MDS ? "MDS" : "DS", host, port);
	s->role = role;
	s->timeout_ms = p->timeout_ms;
	s->max_req = s->max_resp = p->max_msg;
	s->max_ops = CPD_MAX_OPS;
	if (connect_all(l, p, s, host, port) < 0 || exchange_id(l, p, s) < 0 ||
	    create_session(l, p, s) < 0 ||
	    (role == SESS_MDS && reclaim_complete(l, s) < 0)) {
		char keep[sizeof(l->err)];
		memcpy(keep, l->err, sizeof(keep));
		sess_close(l, s);
		memcpy(l->err, keep, sizeof(keep));
		return -1;
	}
	*out = s;
	return 0;
}

void sess_close(struct lane *l, struct nfs_sess *s)
{
	if (!s)
		return;
	if (s->nconns > 0 && s->nslots > 0) {
		cpd_start_nosess(&l->cpd);
		cpd_destroy_session(&l->cpd, s->sessionid);
		round_trip(l, s, s->conns[0], "DESTROY_SESSION");
	}
	if (s->nconns > 0 && s->clientid) {
		cpd_start_nosess(&l->cpd);
		cpd_destroy_clientid(&l->cpd, s->clientid);
		round_trip(l, s, s->conns[0], "DESTROY_CLIENTID");
	}
	cres_free(&l->res);
	for (uint32_t i = 0; i < s->nconns; i++)
		rpc_conn_close(s->conns[i]);
	free(s->conns);
	free(s->slot_seq);
	free(s);
}
