/* nfsd/subcompound.c — see subcompound.h. */
#include "subcompound.h"

#include <stdlib.h>
#include <string.h>

#include "callback.h"
#include "cmap.h"
#include "compound_loop.h"
#include "log.h"
#include "peer_prot.h"
#include "server.h"
#include "session.h"
#include "slot.h"

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
	compound_job_refind(j);
}

void compound_job_refind(struct compound_job *j)
{
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
	switch (compound_loop_run(&j->c, l)) {
	case LOOP_REPLAY:
		atomic_fetch_add(&j->c.srv->metrics.drc_hits, 1);
		*len = j->c.replay_len <= j->cap ? j->c.replay_len : 0;
		memcpy(j->out, j->c.replay, *len);
		return COMPOUND_DONE;
	case LOOP_STOP:
		job_save(j, l);
		return j->c.xtx ? COMPOUND_XTX : COMPOUND_FORWARD;
	default:
		*len = compound_loop_finish(&j->c, l, j->out);
		return COMPOUND_DONE;
	}
}

int compound_begin(struct compound_job *j, struct strata_server *srv,
		   struct xprt_conn *conn, const struct rpc_call *call,
		   uint8_t *buf, size_t cap, size_t *len, int *garbage)
{
	struct loop l;

	memset(j, 0, sizeof(*j));
	j->out = buf;
	j->cap = cap;
	if (!compound_loop_open(&j->c, &l, srv, conn, call, buf, cap, len,
				garbage))
		return COMPOUND_DONE;
	return job_run(j, &l, len);
}

static void fh_from_peer(struct cfh *f, const peer_fh *p)
{
	f->fileid = p->fileid;
	f->generation = p->generation;
	f->type = p->type;
	f->has_attr = p->has_attr;
	f->mode = p->mode;
	f->uid = p->uid;
	f->gid = p->gid;
}

static void fh_to_peer(const struct cfh *f, peer_fh *p)
{
	p->fileid = f->fileid;
	p->generation = f->generation;
	p->type = f->type;
	p->has_attr = f->has_attr ? TRUE : FALSE;
	p->mode = f->mode;
	p->uid = f->uid;
	p->gid = f->gid;
}

/* At the owner, before answering: the attributes of the handles it owns,
 * for a node that runs the next ops without owning them. */
static void fh_fill_attr(struct strata_server *srv, struct cfh *f)
{
	struct ns_inode ino;

	if (!f->fileid || !ns_owns_fileid(srv->ns, f->fileid) ||
	    ns_getattr(srv->ns, f->fileid, &ino) < 0 ||
	    ino.generation != f->generation)
		return;
	f->has_attr = 1;
	f->mode = ino.mode;
	f->uid = ino.uid;
	f->gid = ino.gid;
}

static void sid_from_peer(stateid4 *s, int *valid, const peer_stateid *p)
{
	*valid = p->valid;
	s->seqid = p->seqid;
	memcpy(s->other, p->other, NFS4_OTHER_SIZE);
}

static void sid_to_peer(const stateid4 *s, int valid, peer_stateid *p)
{
	p->valid = valid ? TRUE : FALSE;
	p->seqid = s->seqid;
	memcpy(p->other, s->other, NFS4_OTHER_SIZE);
}

static void ctx_from_peer(struct compound *c, const peer_ctx *p)
{
	fh_from_peer(&c->cur, &p->cur);
	fh_from_peer(&c->saved, &p->saved);
	sid_from_peer(&c->cur_stateid, &c->cur_stateid_valid, &p->cur_sid);
	sid_from_peer(&c->saved_stateid, &c->saved_stateid_valid,
		      &p->saved_sid);
	c->name_fileid = p->name_fileid;
}

static void ctx_to_peer(const struct compound *c, peer_ctx *p)
{
	fh_to_peer(&c->cur, &p->cur);
	fh_to_peer(&c->saved, &p->saved);
	sid_to_peer(&c->cur_stateid, c->cur_stateid_valid, &p->cur_sid);
	sid_to_peer(&c->saved_stateid, c->saved_stateid_valid, &p->saved_sid);
	p->name_fileid = c->name_fileid;
}

/* The owner stopped before a READDIR whose listing goes on in another
 * node's partition (compound.c route_readdir): the op in the client's
 * arguments at OP (AVAIL bytes) starts from COOKIE from now on. */
static int readdir_move(const uint8_t *op, size_t avail, uint64_t cookie)
{
	uint8_t *p = (uint8_t *)op; /* the request's own buffer */
	uint32_t opnum;

	if (avail < 12)
		return -1;
	opnum = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		((uint32_t)p[2] << 8) | p[3];
	if (opnum != OP_READDIR)
		return -1;
	for (int i = 0; i < 8; i++)
		p[4 + i] = (uint8_t)(cookie >> (56 - 8 * i));
	return 0;
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
		uint64_t bit = cmap_node_bit(j->stop.node);

		if (r->has_state)
			j->c.client->state_nodes |= bit;
		else
			j->c.client->state_nodes &= ~bit;
		j->c.state_nodes = j->c.client->state_nodes;
		if (r->reclaim_complete)
			j->c.client->reclaim_nodes &= ~bit;
		if (j->c.rc_forwarded && r->nrun > 0 &&
		    (r->status == NFS4_OK ||
		     r->status == NFS4ERR_COMPLETE_ALREADY)) {
			/* Its RECLAIM_COMPLETE succeeded (or had, RFC 8881
			 * §18.51.3): it is done reclaiming everywhere;
			 * owners learn it with its next sub-compounds
			 * (reclaim_done). */
			j->c.client->rc_done = 1;
			j->c.client->reclaim_nodes = 0;
		}
		j->c.rc_forwarded = 0;
	}
	if (j->c.lr_forwarded) {
		j->c.lr_forwarded = 0;
		if (r->nrun == 1 && r->status == NFS4_OK) {
			/* A LAYOUTRETURN by FSID or ALL done at that owner:
			 * its result is dropped, the same op goes to the next
			 * owner, and last runs here (compound.h lr_nodes). */
			j->c.lr_nodes &= ~cmap_node_bit(j->stop.node);
			return job_run(j, &l, len);
		}
	}
	if (n) /* none: an owner that moved a READDIR's cookie on */
		memcpy(j->out + j->out_pos, r->results.results_val, n);
	xdr_setpos(&l.out, j->out_pos + n);
	l.h.count += r->nres;
	ctx_from_peer(&j->c, &r->ctx);
	l.status = r->status;
	l.i += r->nrun;
	xdr_setpos(&l.in, j->in_pos + r->consumed);
	if (r->status != NFS4_OK || l.i >= l.end) {
		*len = compound_loop_finish(&j->c, &l, j->out);
		return COMPOUND_DONE;
	}
	if (r->xtx) {
		/* The owner found the op needs other nodes' partitions:
		 * this front runs it as a transaction (nfsd/xtx_task.h). */
		l.stop.node = j->c.srv->node;
		l.stop.opindex = l.i;
		l.stop.in_pos = j->in_pos + r->consumed;
		j->c.xtx = 1;
		job_save(j, &l);
		return COMPOUND_XTX;
	}
	if (r->readdir_cookie) {
		size_t at = j->in_pos + r->consumed;
		if (readdir_move(j->c.call->args + at,
				 j->c.call->args_len - at,
				 r->readdir_cookie) < 0) {
			*len = compound_fail(j, NFS4ERR_SERVERFAULT);
			return COMPOUND_DONE;
		}
	} else if (r->nrun == 0 && r->nres == 0 && !r->ctx.name_fileid &&
		   j->c.hop_op != l.i + 1) {
		/* (An OPEN whose name's file is a third node's went no
		 * further: route_name in compound.c sends it on. A
		 * directory's owner asked for its attributes answered them
		 * only: compound.c attr_hop.) */
		/* The owner refused an op the map says is its own: the two
		 * disagree about the map; the client retries later. */
		log_debug("node %u ran none of the ops sent to it",
			  j->stop.node);
		*len = compound_fail(j, NFS4ERR_DELAY);
		return COMPOUND_DONE;
	}
	return job_run(j, &l, len);
}

int compound_resume_op(struct compound_job *j, nfsstat4 st,
		       const uint8_t *res, size_t n, size_t consumed,
		       size_t *len)
{
	struct loop l;

	job_load(j, &l);
	j->c.xtx = 0;
	if (n > j->cap - j->out_pos ||
	    consumed > j->c.call->args_len - j->in_pos) {
		*len = compound_fail(j, NFS4ERR_SERVERFAULT);
		return COMPOUND_DONE;
	}
	memcpy(j->out + j->out_pos, res, n);
	xdr_setpos(&l.out, j->out_pos + n);
	l.h.count++;
	l.status = st;
	l.i++;
	xdr_setpos(&l.in, j->in_pos + consumed);
	if (st != NFS4_OK || l.i >= l.end) {
		*len = compound_loop_finish(&j->c, &l, j->out);
		return COMPOUND_DONE;
	}
	return job_run(j, &l, len);
}

size_t compound_fail(struct compound_job *j, nfsstat4 st)
{
	struct loop l;

	job_load(j, &l);
	compound_loop_fail(&l, st);
	return compound_loop_finish(&j->c, &l, j->out);
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
	a->client.reclaim_done =
		clp->rc_done || clp->reclaim_complete ? TRUE : FALSE;
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
	fh_fill_attr(c->srv, &j->c.cur);
	fh_fill_attr(c->srv, &j->c.saved);
	ctx_to_peer(c, &a->ctx);
	a->ops.ops_val = (char *)call->args + j->stop.in_pos;
	a->ops.ops_len = (u_int)(call->args_len - j->stop.in_pos);
	clp->fwd_nodes |= cmap_node_bit(j->stop.node);
	return 0;
}

/* ---- owner: a front's sub-compound ----------------------------------- */

int compound_run_sub(struct strata_server *srv, struct xprt_conn *conn,
		     const peer_compound_args *a, struct nfs_client *clp,
		     uint8_t *buf, size_t cap, peer_compound_resok *r,
		     int *mutated)
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
	if (call.cred.ngids)
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
	c.sub_start = a->opindex;
	l.end = a->opindex + a->nsub;
	compound_loop_run(&c, &l);
	*mutated = c.mutated;
	memset(r, 0, sizeof(*r));
	r->status = l.status;
	r->nres = l.h.count;
	r->nrun = l.i - a->opindex;
	r->has_state = client_has_state(clp) ? TRUE : FALSE;
	r->reclaim_complete = clp->reclaim_complete ? TRUE : FALSE;
	r->consumed = xdr_getpos(&l.in);
	r->readdir_cookie = c.readdir_cookie;
	r->xtx = c.xtx ? TRUE : FALSE;
	fh_fill_attr(srv, &c.cur);
	fh_fill_attr(srv, &c.saved);
	ctx_to_peer(&c, &r->ctx);
	r->results.results_val = (char *)buf;
	r->results.results_len = xdr_getpos(&l.out);
	return 0;
}
