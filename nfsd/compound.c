/* nfsd/compound.c — COMPOUND decode/dispatch/encode. See compound.h. */
#include "compound.h"

#include <stdlib.h>
#include <string.h>

#include "callback.h"
#include "cmap.h"
#include "fh.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "peer_prot.h"
#include "session.h"

#define MAX_TAG 1024
/* Ops accepted before a session says otherwise (RFC 8881 §18.36.3). */
#define MAX_OPS_NO_SESSION 16

struct reply_hdr {
	u_int status_pos;
	u_int count_pos;
	uint32_t count;
};

static int encode_header(XDR *out, const char *tag, u_int taglen,
			 struct reply_hdr *h)
{
	nfsstat4 st = NFS4_OK;
	uint32_t zero = 0;
	char *t = (char *)tag;

	h->status_pos = xdr_getpos(out);
	if (!xdr_enum(out, (enum_t *)&st))
		return -1;
	if (!xdr_bytes(out, &t, &taglen, MAX_TAG))
		return -1;
	h->count_pos = xdr_getpos(out);
	h->count = 0;
	return xdr_u_int(out, &zero) ? 0 : -1;
}

static void patch_header(XDR *out, struct reply_hdr *h, nfsstat4 status)
{
	u_int end = xdr_getpos(out);

	xdr_setpos(out, h->status_pos);
	xdr_enum(out, (enum_t *)&status);
	xdr_setpos(out, h->count_pos);
	xdr_u_int(out, &h->count);
	xdr_setpos(out, end);
}

/* Append a result that is only an opcode and a status. */
static int encode_status_only(XDR *out, struct reply_hdr *h, uint32_t opnum,
			      nfsstat4 status)
{
	uint32_t empty = 0;

	if (!xdr_u_int(out, &opnum) || !xdr_enum(out, (enum_t *)&status))
		return -1;
	/* SETATTR4res carries attrsset whatever the status (§18.30.2). */
	if (opnum == OP_SETATTR && !xdr_u_int(out, &empty))
		return -1;
	h->count++;
	return 0;
}

/*
 * Session rules for op I (RFC 8881 §2.6.3.1.1.x, §18.46.3). Returns
 * NFS4_OK if the op may run now.
 */
static nfsstat4 check_position(const struct compound *c,
			       const struct op_desc *d, unsigned i)
{
	if (i > 0 && (d->flags & OPF_SEQUENCE))
		return NFS4ERR_SEQUENCE_POS;
	if (c->session || c->sub)
		return NFS4_OK;
	if (i == 0 && (d->flags & (OPF_SEQUENCE | OPF_NO_SESSION))) {
		/* EXCHANGE_ID & co. without SEQUENCE must stand alone. */
		if ((d->flags & OPF_NO_SESSION) && c->nops > 1)
			return NFS4ERR_NOT_ONLY_OP;
		return NFS4_OK;
	}
	return NFS4ERR_OP_NOT_IN_SESSION;
}

/* The op-table flag of a server role (enum strata_role, server.h). */
static unsigned role_flags(unsigned role)
{
	return ((role & ROLE_MDS) ? OPF_MDS : 0u) |
	       ((role & ROLE_DS) ? OPF_DS : 0u);
}
static nfsstat4 check_op(const struct compound *c, const struct op_desc *d,
			 unsigned i)
{
	nfsstat4 st;

	if (!(d->flags & OPF_MV1))
		return NFS4ERR_NOTSUPP; /* v4.0-only ops: RFC 8881 §18 */
	st = check_position(c, d, i);
	if (st != NFS4_OK)
		return st;
	if (!(d->flags & role_flags(c->role)))
		return NFS4ERR_NOTSUPP; /* e.g. OPEN on a data server */
	return NFS4_OK;
}

/* Decode, run and encode one op. Returns its status; *stop set when the
 * COMPOUND must end without a further result (encoding failure). */
static nfsstat4 run_op(struct compound *c, XDR *in, XDR *out,
		       struct reply_hdr *h, uint32_t opnum,
		       const struct op_desc *d)
{
	void *args = calloc(1, d->args_size ? d->args_size : 1);
	void *res = calloc(1, d->res_size ? d->res_size : 1);
	nfsstat4 st = NFS4_OK;
	u_int mark = xdr_getpos(out);
	uint64_t t0 = metrics_now_ns();

	if (!args || !res) {
		st = NFS4ERR_SERVERFAULT;
		goto done_noresult;
	}
	if (d->xdr_args && !d->xdr_args(in, args, 0)) {
		st = NFS4ERR_BADXDR;
		goto done_noresult;
	}
	if ((d->flags & OPF_CFH) && c->cur.fileid == 0)
		st = NFS4ERR_NOFILEHANDLE;
	else
		st = ((c->role & ROLE_DS) && d->ds_fn ? d->ds_fn : d->fn)(
			c, args, res);
	if (c->replay)
		goto out;
	*(nfsstat4 *)res = st;
	if (!xdr_u_int(out, &opnum) || !d->xdr_res(out, res, 0) ||
	    xdr_getpos(out) > c->max_reply) {
		/* RFC 8881 §2.10.6.4: the reply would exceed the limit. */
		xdr_setpos(out, mark);
		st = !c->session && !c->sub ? NFS4ERR_RESOURCE
		     : c->cachethis ? NFS4ERR_REP_TOO_BIG_TO_CACHE
				    : NFS4ERR_REP_TOO_BIG;
		encode_status_only(out, h, opnum, st);
		goto out;
	}
	h->count++;
	goto out;
done_noresult:
	encode_status_only(out, h, opnum, st);
out:
	if (!c->replay)
		metrics_op_done(&c->srv->metrics, opnum, st,
				metrics_now_ns() - t0);
	if (args && d->xdr_args)
		xdr_free(d->xdr_args, args);
	if (res && d->xdr_res)
		xdr_free(d->xdr_res, res);
	free(args);
	free(res);
	return st;
}

static int decode_header(XDR *in, char **tag, u_int *taglen,
			 uint32_t *minor, uint32_t *nops)
{
	*tag = NULL;
	*taglen = 0;
	if (!xdr_bytes(in, tag, taglen, MAX_TAG))
		return -1;
	if (!xdr_u_int(in, minor) || !xdr_u_int(in, nops))
		return -1;
	return 0;
}

/* ---- routing (docs/decisions/0024) ----------------------------------- */

/* The fileid a PUTFH at IN's position names, or 0 (left to the op). */
static uint64_t peek_putfh(XDR *in)
{
	u_int pos = xdr_getpos(in);
	PUTFH4args a;
	uint64_t fileid = 0;
	uint32_t gen;

	memset(&a, 0, sizeof(a));
	if (xdr_PUTFH4args(in, &a) &&
	    fh_decode((const uint8_t *)a.object.nfs_fh4_val,
		      a.object.nfs_fh4_len, &fileid, &gen) < 0)
		fileid = 0;
	xdr_free((xdrproc_t)xdr_PUTFH4args, (char *)&a);
	xdr_setpos(in, pos);
	return fileid;
}

#define NODE_FRONT (~0u)

unsigned compound_route(struct compound *c, const struct op_desc *d,
			uint32_t opnum, XDR *in)
{
	const struct cmap *m = c->srv->cmap;
	uint64_t fileid;
	unsigned node;

	if (c->srv->owns_all)
		return c->srv->node;
	if (d->flags & OPF_FRONT)
		return c->sub ? NODE_FRONT : c->srv->node;
	switch (opnum) {
	case OP_PUTFH:
		fileid = peek_putfh(in);
		break;
	case OP_PUTROOTFH:
	case OP_PUTPUBFH:
		fileid = NS_ROOT_FILEID;
		break;
	default:
		/* By the current filehandle; ops without one (stateid ops,
		 * RECLAIM_COMPLETE, device ops) go to the root's owner. */
		fileid = c->cur.fileid ? c->cur.fileid : NS_ROOT_FILEID;
		break;
	}
	node = fileid ? cmap_fileid_owner(m, fileid) : 0;
	/* A handle of no shard: the op here says what is wrong with it. */
	return node ? node : c->srv->node;
}

/* ---- the op loop ------------------------------------------------------ */

struct loop {
	XDR in, out;
	struct reply_hdr h;
	unsigned i, end;   /* next op, one past the last */
	nfsstat4 status;
	struct compound_stop stop;
};

enum { LOOP_END, LOOP_STOP, LOOP_REPLAY };

/* Run ops L->i .. L->end - 1 until one fails or one is another node's. */
static int run_loop(struct compound *c, struct loop *l)
{
	for (; l->i < l->end; l->i++) {
		u_int pos = xdr_getpos(&l->in);
		uint32_t opnum;
		const struct op_desc *d;
		unsigned node;

		c->opindex = l->i;
		if (!xdr_u_int(&l->in, &opnum)) {
			l->status = NFS4ERR_BADXDR;
			encode_status_only(&l->out, &l->h, OP_ILLEGAL,
					   l->status);
			return LOOP_END;
		}
		d = op_table_lookup(opnum);
		if (!d) {
			l->status = NFS4ERR_OP_ILLEGAL;
			encode_status_only(&l->out, &l->h, OP_ILLEGAL,
					   l->status);
			return LOOP_END;
		}
		if (l->i == 0 && !(d->flags & OPF_SEQUENCE) &&
		    !(d->flags & OPF_NO_SESSION) &&
		    c->nops > MAX_OPS_NO_SESSION) {
			l->status = NFS4ERR_OP_NOT_IN_SESSION;
			encode_status_only(&l->out, &l->h, opnum, l->status);
			return LOOP_END;
		}
		l->status = check_op(c, d, l->i);
		if (l->status != NFS4_OK) {
			encode_status_only(&l->out, &l->h, opnum, l->status);
			return LOOP_END;
		}
		node = compound_route(c, d, opnum, &l->in);
		if (node != c->srv->node) {
			xdr_setpos(&l->in, pos);
			l->stop.node = node;
			l->stop.opindex = l->i;
			l->stop.in_pos = pos;
			l->status = NFS4_OK;
			return LOOP_STOP;
		}
		l->status = run_op(c, &l->in, &l->out, &l->h, opnum, d);
		if (c->replay)
			return LOOP_REPLAY;
		if (l->status != NFS4_OK) {
			l->i++;
			return LOOP_END;
		}
	}
	return LOOP_END;
}

static size_t finish(struct compound *c, XDR *out, struct reply_hdr *h,
		     nfsstat4 status, uint8_t *buf)
{
	size_t len;

	patch_header(out, h, status);
	len = xdr_getpos(out);
	if (c->slot)
		session_slot_done(c->session, c->slot, buf, len, c->cachethis);
	return len;
}

/* ---- front: begin, resume, fail -------------------------------------- */

static void job_save(struct compound_job *j, struct loop *l)
{
	j->stop = l->stop;
	j->in_pos = xdr_getpos(&l->in);
	j->out_pos = xdr_getpos(&l->out);
	j->status_pos = l->h.status_pos;
	j->count_pos = l->h.count_pos;
	j->count = l->h.count;
	j->has_session = j->c.session != NULL;
	if (j->c.session) {
		memcpy(j->sessionid, j->c.session->id, NFS4_SESSIONID_SIZE);
		j->slotid = (uint32_t)(j->c.slot - j->c.session->slots);
	}
	j->clientid = j->c.client ? j->c.client->clientid : 0;
}

/* Rebuild the loop where job_save() left it; the session and client are
 * found again (either may have gone while the lock was dropped). */
static void job_load(struct compound_job *j, struct loop *l)
{
	const struct rpc_call *call = j->c.call;

	memset(l, 0, sizeof(*l));
	xdrmem_create(&l->in, (char *)call->args, (u_int)call->args_len,
		      XDR_DECODE);
	xdrmem_create(&l->out, (char *)j->out, (u_int)j->cap, XDR_ENCODE);
	xdr_setpos(&l->in, j->in_pos);
	xdr_setpos(&l->out, j->out_pos);
	l->h.status_pos = j->status_pos;
	l->h.count_pos = j->count_pos;
	l->h.count = j->count;
	l->i = j->stop.opindex;
	l->end = j->c.nops;
	l->stop = j->stop;
	j->c.session = NULL;
	j->c.slot = NULL;
	if (j->has_session) {
		struct nfs_session *s = session_find(j->c.srv, j->sessionid);

		if (s && j->slotid < s->fore.ca_maxrequests) {
			j->c.session = s;
			j->c.slot = &s->slots[j->slotid];
		}
	}
	j->c.client = j->clientid ? client_find(j->c.srv, j->clientid) : NULL;
}

static int job_run(struct compound_job *j, struct loop *l, size_t *len)
{
	switch (run_loop(&j->c, l)) {
	case LOOP_REPLAY:
		atomic_fetch_add(&j->c.srv->metrics.drc_hits, 1);
		*len = j->c.replay_len <= j->cap ? j->c.replay_len : 0;
		memcpy(j->out, j->c.replay, *len);
		return COMPOUND_DONE;
	case LOOP_STOP:
		job_save(j, l);
		return COMPOUND_FORWARD;
	default:
		*len = finish(&j->c, &l->out, &l->h, l->status, j->out);
		return COMPOUND_DONE;
	}
}

int compound_begin(struct compound_job *j, struct strata_server *srv,
		   struct xprt_conn *conn, const struct rpc_call *call,
		   uint8_t *buf, size_t cap, size_t *len, int *garbage)
{
	struct loop l;
	char *tag = NULL;
	u_int taglen = 0;
	uint32_t nops = 0;

	memset(j, 0, sizeof(*j));
	memset(&l, 0, sizeof(l));
	j->c.srv = srv;
	j->c.conn = conn;
	j->c.call = call;
	j->c.role = srv->role;
	j->c.max_reply = cap;
	j->out = buf;
	j->cap = cap;
	*garbage = 0;
	*len = 0;
	perm_id_of(&call->cred, &j->c.who);
	xdrmem_create(&l.in, (char *)call->args, (u_int)call->args_len,
		      XDR_DECODE);
	xdrmem_create(&l.out, (char *)buf, (u_int)cap, XDR_ENCODE);
	if (decode_header(&l.in, &tag, &taglen, &j->c.minorversion, &nops) <
	    0) {
		free(tag);
		*garbage = 1;
		return COMPOUND_DONE;
	}
	atomic_fetch_add(&srv->counters.compounds, 1);
	if (encode_header(&l.out, tag, taglen, &l.h) < 0) {
		free(tag);
		*garbage = 1;
		return COMPOUND_DONE;
	}
	free(tag);
	j->c.nops = nops;
	/* RFC 8881 §16.2.3: other minor versions get an empty result. */
	if (j->c.minorversion != 1) {
		patch_header(&l.out, &l.h, NFS4ERR_MINOR_VERS_MISMATCH);
		*len = xdr_getpos(&l.out);
		return COMPOUND_DONE;
	}
	l.end = nops;
	return job_run(j, &l, len);
}

static void ctx_from_peer(struct compound *c, const peer_ctx *p)
{
	c->cur.fileid = p->cur.fileid;
	c->cur.generation = p->cur.generation;
	c->cur.type = p->cur.type;
	c->saved.fileid = p->saved.fileid;
	c->saved.generation = p->saved.generation;
	c->saved.type = p->saved.type;
	c->cur_stateid_valid = p->cur_sid.valid;
	c->cur_stateid.seqid = p->cur_sid.seqid;
	memcpy(c->cur_stateid.other, p->cur_sid.other, NFS4_OTHER_SIZE);
	c->saved_stateid_valid = p->saved_sid.valid;
	c->saved_stateid.seqid = p->saved_sid.seqid;
	memcpy(c->saved_stateid.other, p->saved_sid.other, NFS4_OTHER_SIZE);
}

static void ctx_to_peer(const struct compound *c, peer_ctx *p)
{
	p->cur.fileid = c->cur.fileid;
	p->cur.generation = c->cur.generation;
	p->cur.type = c->cur.type;
	p->saved.fileid = c->saved.fileid;
	p->saved.generation = c->saved.generation;
	p->saved.type = c->saved.type;
	p->cur_sid.valid = c->cur_stateid_valid ? TRUE : FALSE;
	p->cur_sid.seqid = c->cur_stateid.seqid;
	memcpy(p->cur_sid.other, c->cur_stateid.other, NFS4_OTHER_SIZE);
	p->saved_sid.valid = c->saved_stateid_valid ? TRUE : FALSE;
	p->saved_sid.seqid = c->saved_stateid.seqid;
	memcpy(p->saved_sid.other, c->saved_stateid.other, NFS4_OTHER_SIZE);
}

int compound_resume(struct compound_job *j, const peer_compound_resok *r,
		    size_t *len)
{
	struct loop l;
	u_int n = r->results.results_len;

	job_load(j, &l);
	if (r->nrun > l.end - l.i || r->consumed > j->c.call->args_len - j->in_pos ||
	    n > j->cap - j->out_pos) {
		/* An owner that answers more than it was sent. */
		*len = compound_fail(j, NFS4ERR_SERVERFAULT);
		return COMPOUND_DONE;
	}
	if (j->c.client) {
		uint64_t bit = 1ull << (j->stop.node & 63);

		if (r->has_state)
			j->c.client->state_nodes |= bit;
		else
			j->c.client->state_nodes &= ~bit;
	}
	memcpy(j->out + j->out_pos, r->results.results_val, n);
	xdr_setpos(&l.out, j->out_pos + n);
	l.h.count += r->nres;
	ctx_from_peer(&j->c, &r->ctx);
	l.status = r->status;
	l.i += r->nrun;
	xdr_setpos(&l.in, j->in_pos + r->consumed);
	if (r->status != NFS4_OK || l.i >= l.end) {
		*len = finish(&j->c, &l.out, &l.h, l.status, j->out);
		return COMPOUND_DONE;
	}
	if (r->nrun == 0 && r->nres == 0) {
		/* The owner refused an op the map says is its own: the two
		 * disagree about the map; the client retries later. */
		*len = compound_fail(j, NFS4ERR_DELAY);
		return COMPOUND_DONE;
	}
	return job_run(j, &l, len);
}

size_t compound_fail(struct compound_job *j, nfsstat4 st)
{
	struct loop l;
	uint32_t opnum = OP_ILLEGAL;

	job_load(j, &l);
	if (!xdr_u_int(&l.in, &opnum))
		opnum = OP_ILLEGAL;
	encode_status_only(&l.out, &l.h, opnum, st);
	return finish(&j->c, &l.out, &l.h, st, j->out);
}

int compound_sub_args(struct compound_job *j, peer_compound_args *a)
{
	const struct compound *c = &j->c;
	const struct rpc_call *call = c->call;
	struct nfs_client *clp = c->client;

	memset(a, 0, sizeof(*a));
	if (!clp)
		return -1;
	a->map_epoch = c->srv->cmap->epoch;
	a->front = c->srv->node;
	a->client.clientid = clp->clientid;
	a->client.owner.owner_val = (char *)clp->owner;
	a->client.owner.owner_len = (u_int)clp->owner_len;
	memcpy(a->client.verifier, clp->verifier, NFS4_VERIFIER_SIZE);
	a->client.flavor = clp->principal_flavor;
	a->client.uid = clp->principal_uid;
	a->client.machine = clp->principal_machine;
	a->client.eir_flags = clp->flags;
	a->client.cb_ok = cb_session(clp) ? TRUE : FALSE;
	a->cred.flavor = call->cred.flavor;
	a->cred.uid = call->cred.uid;
	a->cred.gid = call->cred.gid;
	a->cred.gids.gids_len = call->cred.ngids;
	a->cred.gids.gids_val = (u_int *)call->cred.gids;
	a->cred.machine = (char *)call->cred.machine;
	memcpy(a->ref_session, c->ref.session, NFS4_SESSIONID_SIZE);
	a->ref_slot = c->ref.slot;
	a->ref_seqid = c->ref.seqid;
	a->opindex = j->stop.opindex;
	a->nops = c->nops;
	a->nsub = c->nops - j->stop.opindex;
	a->max_reply = (u_int)((c->max_reply < j->cap ? c->max_reply : j->cap) -
			       j->out_pos);
	a->cachethis = c->cachethis ? TRUE : FALSE;
	ctx_to_peer(c, &a->ctx);
	a->ops.ops_val = (char *)call->args + j->stop.in_pos;
	a->ops.ops_len = (u_int)(call->args_len - j->stop.in_pos);
	clp->fwd_nodes |= 1ull << (j->stop.node & 63);
	return 0;
}

size_t compound_run(struct strata_server *srv, struct xprt_conn *conn,
		    const struct rpc_call *call, uint8_t *buf, size_t cap,
		    int *garbage)
{
	struct compound_job j;
	size_t len = 0;

	if (compound_begin(&j, srv, conn, call, buf, cap, &len, garbage) ==
	    COMPOUND_FORWARD)
		len = compound_fail(&j, NFS4ERR_DELAY);
	return len;
}

/* ---- owner: a front's sub-compound ----------------------------------- */

int compound_run_sub(struct strata_server *srv, struct xprt_conn *conn,
		     const peer_compound_args *a, struct nfs_client *clp,
		     uint8_t *buf, size_t cap, peer_compound_resok *r)
{
	struct rpc_call call;
	struct compound c;
	struct loop l;

	memset(&call, 0, sizeof(call));
	memset(&c, 0, sizeof(c));
	memset(&l, 0, sizeof(l));
	call.prog = 100003;
	call.vers = 4;
	call.proc = 1;
	call.cred.flavor = a->cred.flavor;
	call.cred.uid = a->cred.uid;
	call.cred.gid = a->cred.gid;
	call.cred.ngids = a->cred.gids.gids_len <= RPC_MAX_GIDS
				  ? a->cred.gids.gids_len
				  : RPC_MAX_GIDS;
	memcpy(call.cred.gids, a->cred.gids.gids_val,
	       call.cred.ngids * sizeof(uint32_t));
	snprintf(call.cred.machine, sizeof(call.cred.machine), "%s",
		 a->cred.machine ? a->cred.machine : "");
	call.args = (const uint8_t *)a->ops.ops_val;
	call.args_len = a->ops.ops_len;
	c.srv = srv;
	c.conn = conn;
	c.call = &call;
	c.role = srv->role;
	c.minorversion = 1;
	c.sub = 1;
	c.client = clp;
	c.nops = a->nops;
	c.cachethis = a->cachethis;
	c.max_reply = a->max_reply < cap ? a->max_reply : cap;
	memcpy(c.ref.session, a->ref_session, NFS4_SESSIONID_SIZE);
	c.ref.slot = a->ref_slot;
	c.ref.seqid = a->ref_seqid;
	perm_id_of(&call.cred, &c.who);
	ctx_from_peer(&c, &a->ctx);
	if (a->opindex >= a->nops || a->nsub > a->nops - a->opindex)
		return -1;
	xdrmem_create(&l.in, (char *)call.args, (u_int)call.args_len,
		      XDR_DECODE);
	xdrmem_create(&l.out, (char *)buf, (u_int)cap, XDR_ENCODE);
	l.i = a->opindex;
	l.end = a->opindex + a->nsub;
	run_loop(&c, &l);
	memset(r, 0, sizeof(*r));
	r->status = l.status;
	r->nres = l.h.count;
	r->nrun = l.i - a->opindex;
	r->has_state = client_has_state(clp) ? TRUE : FALSE;
	r->consumed = xdr_getpos(&l.in);
	ctx_to_peer(&c, &r->ctx);
	r->results.results_val = (char *)buf;
	r->results.results_len = xdr_getpos(&l.out);
	return 0;
}
