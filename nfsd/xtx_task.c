/*
 * nfsd/xtx_task.c — see xtx_task.h. The operation task's steps; the
 * peer calls of a step are xcall's (one round at a time).
 */
#include "xtx_task.h"
#include "xtx_resolve.h"
#include "xtx_round.h"
#include "xtx_break.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmap.h"
#include "compound.h"
#include "log.h"
#include "ns.h"
#include "ns_xtx.h"
#include "orphan.h"
#include "ops.h"
#include "peer_client.h"
#include "peer_delta.h"
#include "peer_prot.h"
#include "perm.h"
#include "server.h"
#include "session.h"

#define XTX_MAX_CALLS XROUND_MAX
#define XTX_PLAN_ROUNDS 64 /* reads for one plan: a rename needs 2-3, a
			     * directory moved to another parent one more
			     * per new ancestor of another node's */
#define XTX_ATTEMPTS 3    /* plans made stale by a concurrent change */
#define XTX_RES_MAX 128   /* a RENAME4res, REMOVE4res or LINK4res */

enum phase {
	PH_PLAN,     /* plan; read what it lacks, or prepare */
	PH_READ,     /* XREAD answers in: supply them, plan again */
	PH_PREPARE,  /* XPREPARE answers in: decide, or abort */
	PH_ABORT,    /* XFINISH(abort) answers in: plan again, or fail */
	PH_FINISH,   /* next batch after the decision: XFINISH(commit) */
	PH_FINISHED, /* their answers in: forget, answer the client */
};

struct xtx_task {
	struct strata_server *srv;
	enum phase phase;
	uint32_t opnum;
	uint64_t sdir, ddir; /* REMOVE: sdir only; LINK: ddir only */
	uint64_t file;       /* LINK: the file linked */
	uint64_t clientid;   /* the client that asked (0: a resolver's) */
	char sname[NS_NAME_MAX + 1], dname[NS_NAME_MAX + 1];
	size_t slen, dlen, consumed;
	/* What only the plan can check (the entries' inodes may be on any
	 * node): the caller and the directories as their owners sent them */
	struct perm_id who;
	struct ns_inode sdir_ino, ddir_ino;
	struct ns_xview *v;
	uint64_t txid;
	int live;
	unsigned rounds, attempts;
	nfsstat4 after_abort; /* NFS4_OK: plan again */
	/* the plan's parts: the other nodes' and this node's own */
	unsigned np;
	unsigned pnode[XTX_MAX_CALLS];
	uint8_t *prec[XTX_MAX_CALLS];
	size_t plen[XTX_MAX_CALLS];
	int pyes[XTX_MAX_CALLS];
	uint8_t *own;
	size_t ownlen;
	struct xround r; /* the peer calls of the current step */
	struct xtx_resolve_task *rt; /* a resolver task: its work */
	void *job;
	nfsstat4 st;
	uint8_t res[XTX_RES_MAX];
	size_t reslen;
};

/* ---- pure helpers ----------------------------------------------------- */

uint64_t xtx_txid_make(unsigned node, uint32_t boot_epoch, uint32_t n)
{
	return ((uint64_t)(node & 0xffff) << 48) |
	       ((uint64_t)(boot_epoch & 0xffff) << 32) | n;
}

unsigned xtx_parts_of(const uint8_t *owner, unsigned nparts, unsigned node,
		      uint8_t *parts)
{
	unsigned n = 0;

	for (unsigned p = 0; p < nparts; p++) {
		parts[p] = owner[p] == node;
		n += parts[p];
	}
	return n;
}

nfsstat4 xtx_status(int rc)
{
	switch (rc) {
	case 0:
		return NFS4_OK;
	case -EBUSY:   /* a key held by another transaction */
	case -ESTALE:  /* the plan went stale too often */
	case -EREMOTE: /* a node disagrees about the map */
	case -EHOSTDOWN: /* a node out of reach (peer_client.h) */
	case -EPIPE:
	case -ETIMEDOUT:
	case -ESHUTDOWN:
	case -EPROTO:
		return NFS4ERR_DELAY;
	case -EXDEV:
		return NFS4ERR_XDEV;
	default:
		return nfs_errno(rc);
	}
}

/* ---- the result ------------------------------------------------------- */

static enum xtx_step_rc done(struct xtx_task *t, nfsstat4 st)
{
	XDR x;
	uint32_t op = t->opnum;
	int ok;

	if (t->live)
		ns_xtx_live(t->srv->ns, t->txid, 0);
	t->live = 0;
	t->st = st;
	/* RFC 8881 §3.3.12: the directories changed on several nodes, not
	 * atomically with this reply's view of them. */
	xdrmem_create(&x, (char *)t->res, sizeof(t->res), XDR_ENCODE);
	if (op == OP_RENAME) {
		RENAME4res r;
		memset(&r, 0, sizeof(r));
		r.status = st;
		ok = xdr_u_int(&x, &op) && xdr_RENAME4res(&x, &r);
	} else if (op == OP_LINK) {
		LINK4res r;
		memset(&r, 0, sizeof(r));
		r.status = st;
		ok = xdr_u_int(&x, &op) && xdr_LINK4res(&x, &r);
	} else {
		REMOVE4res r;
		memset(&r, 0, sizeof(r));
		r.status = st;
		ok = xdr_u_int(&x, &op) && xdr_REMOVE4res(&x, &r);
	}
	t->reslen = ok ? xdr_getpos(&x) : 0;
	return XTX_DONE;
}

nfsstat4 xtx_result(const struct xtx_task *t, const uint8_t **res, size_t *n,
		    size_t *consumed)
{
	*res = t->res;
	*n = t->reslen;
	*consumed = t->consumed;
	return t->reslen ? t->st : NFS4ERR_SERVERFAULT;
}

void *xtx_job(const struct xtx_task *t)
{
	return t->job;
}

static void parts_free(struct xtx_task *t)
{
	for (unsigned i = 0; i < t->np; i++)
		free(t->prec[i]);
	t->np = 0;
	free(t->own);
	t->own = NULL;
	t->ownlen = 0;
}

void xtx_task_free(struct xtx_task *t)
{
	if (!t)
		return;
	xround_reset(&t->r);
	xtx_resolve_free(t->rt);
	parts_free(t);
	if (t->live)
		ns_xtx_live(t->srv->ns, t->txid, 0);
	ns_xview_free(t->v);
	free(t);
}

/* ---- steps ------------------------------------------------------------ */

static void new_txid(struct xtx_task *t)
{
	struct strata_server *srv = t->srv;

	t->txid = xtx_txid_make(srv->node, srv->boot_epoch,
				++srv->xtx_counter);
	t->live = ns_xtx_live(srv->ns, t->txid, 1) == 0;
}

/* nfs4 status -> the plan's -errno (xtx_status maps it back). */
static int perm_rc(nfsstat4 st)
{
	return st == NFS4_OK ? 0 : st == NFS4ERR_PERM ? -EPERM : -EACCES;
}

/* REMOVE's plan; in a sticky directory the caller must own the victim
 * or the directory (perm_may_delete), which only the plan reads. */
static int plan_remove(struct xtx_task *t)
{
	struct ns_inode victim;
	int rc = ns_xtx_plan_remove(t->srv->ns, t->v, t->sdir, t->sname,
				    t->slen, &victim);

	return rc ? rc
		  : perm_rc(perm_may_delete(&t->who, &t->sdir_ino, &victim));
}

/* RENAME's plan and the checks that need the entries' inodes (Linux
 * vfs_rename's, as op_rename's may_rename): the sticky bit of either
 * directory against the source and the target it replaces, and write on
 * a directory that moves to another parent (its ".." changes). */
static int plan_rename(struct xtx_task *t)
{
	struct ns_inode src, tgt;
	int rc = ns_xtx_plan_rename(t->srv->ns, t->v, t->sdir, t->sname,
				    t->slen, t->ddir, t->dname, t->dlen, &src,
				    &tgt);

	if (!rc)
		rc = perm_rc(perm_may_delete(&t->who, &t->sdir_ino, &src));
	if (!rc && tgt.fileid && tgt.fileid != src.fileid)
		rc = perm_rc(perm_may_delete(&t->who, &t->ddir_ino, &tgt));
	if (!rc && src.type == NS_DIR && t->sdir != t->ddir)
		rc = perm_rc(perm_check(&t->who, &src, PERM_WRITE));
	return rc;
}

static int plan(struct xtx_task *t)
{
	struct ns *ns = t->srv->ns;

	if (t->opnum == OP_RENAME)
		return plan_rename(t);
	if (t->opnum == OP_LINK)
		return ns_xtx_plan_link(ns, t->v, t->file, t->ddir, t->dname,
					t->dlen);
	return plan_remove(t);
}

/* Ask the owners of the keys the plan lacks, one call per node. */
static enum xtx_step_rc send_reads(struct xtx_task *t)
{
	const struct cmap *m = t->srv->cmap;
	size_t n = ns_xview_nneed(t->v), i = 0;

	xround_reset(&t->r);
	while (i < n && t->r.ncalls < XTX_MAX_CALLS) {
		peer_xkey keys[PEER_XKEYS_MAX];
		peer_xread_args a = { m->epoch, t->srv->node, { 0, keys } };
		unsigned shard, db, node;
		const void *key;
		size_t klen, first = i;

		/* a run of keys of one node (plans need a handful) */
		ns_xview_need(t->v, i, &shard, &db, &key, &klen);
		node = cmap_partition_owner(m, cmap_shard_partition(m, shard));
		while (i < n && a.keys.keys_len < PEER_XKEYS_MAX) {
			ns_xview_need(t->v, i, &shard, &db, &key, &klen);
			if (cmap_partition_owner(
				    m, cmap_shard_partition(m, shard)) != node)
				break;
			keys[a.keys.keys_len++] = (peer_xkey){
				shard, db, { (u_int)klen, (char *)key } };
			i++;
		}
		struct xcall *k = xround_call(&t->r, node, PEER_XREAD,
				       (xdrproc_t)xdr_peer_xread_args, &a,
				       (xdrproc_t)xdr_peer_xread_res,
				       sizeof(peer_xread_res));
		if (k) {
			k->first = first;
			k->n = i - first;
		}
	}
	t->phase = PH_READ;
	return xround_end(&t->r);
}

/* The reads are in: hand them to the view. 0, or -errno to give up. */
static int take_reads(struct xtx_task *t)
{
	for (unsigned c = 0; c < t->r.ncalls; c++) {
		const struct xcall *k = &t->r.calls[c];
		const peer_xread_res *r = k->res;

		if (k->err)
			return k->err;
		if (r->stat != PEER_OK ||
		    r->peer_xread_res_u.vals.vals_len != k->n)
			return -EREMOTE;
		for (size_t i = 0; i < k->n; i++) {
			const peer_xval *pv = &r->peer_xread_res_u.vals.vals_val[i];
			unsigned shard, db;
			const void *key;
			size_t klen;
			int rc;

			if (pv->err && pv->err != -ENOENT)
				return pv->err; /* EBUSY: held, DELAY */
			ns_xview_need(t->v, k->first + i, &shard, &db, &key,
				      &klen);
			rc = ns_xview_supply(t->v, shard, db, key, klen,
					     pv->val.val_val, pv->val.val_len,
					     pv->err == 0);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* Split the plan into each node's part. 0, or -errno. */
static int make_parts(struct xtx_task *t)
{
	const struct cmap *m = t->srv->cmap;
	uint8_t parts[NS_MAX_SHARDS];
	int rc = 0;

	parts_free(t);
	if (ns_nenvs(t->srv->ns) != m->npartitions)
		return -EXDEV; /* one environment per partition (ns_xtx.h) */
	for (unsigned node = 1; !rc && node <= CMAP_MAX_NODES; node++) {
		uint8_t *rec = NULL;
		size_t len = 0;

		if (!cmap_node(m, node) ||
		    !xtx_parts_of(m->owner, m->npartitions, node, parts))
			continue;
		rc = ns_xview_record(t->v, t->srv->ns, parts, &rec, &len);
		if (rc || !len)
			continue;
		if (node == t->srv->node) {
			t->own = rec;
			t->ownlen = len;
		} else if (t->np < XTX_MAX_CALLS) {
			t->pnode[t->np] = node;
			t->prec[t->np] = rec;
			t->plen[t->np++] = len;
		} else {
			free(rec);
			rc = -E2BIG;
		}
	}
	return rc;
}

static enum xtx_step_rc send_prepares(struct xtx_task *t)
{
	xround_reset(&t->r);
	for (unsigned i = 0; i < t->np; i++) {
		peer_xprepare_args a = { t->srv->cmap->epoch, t->srv->node,
					 t->txid, t->clientid,
					 { (u_int)t->plen[i],
					   (char *)t->prec[i] } };
		t->pyes[i] = 0;
		xround_call(&t->r, t->pnode[i], PEER_XPREPARE,
		     (xdrproc_t)xdr_peer_xprepare_args, &a, (xdrproc_t)xdr_int,
		     sizeof(int));
	}
	t->phase = PH_PREPARE;
	return xround_end(&t->r);
}

/* Tell the nodes that said yes (COMMIT: all of them) the outcome. */
static enum xtx_step_rc send_finish(struct xtx_task *t, int commit,
				    enum phase next)
{
	xround_reset(&t->r);
	for (unsigned i = 0; i < t->np; i++) {
		peer_xfinish_args a = { t->srv->cmap->epoch, t->srv->node,
					t->txid, commit ? TRUE : FALSE };
		if (commit || t->pyes[i])
			xround_call(&t->r, t->pnode[i], PEER_XFINISH,
			     (xdrproc_t)xdr_peer_xfinish_args, &a,
			     (xdrproc_t)xdr_int, sizeof(int));
	}
	t->phase = next;
	return xround_end(&t->r);
}

/* Give up this attempt: abort the prepared parts, then plan again (a
 * stale plan, while attempts remain) or answer ST. Nodes whose answer was
 * lost resolve it themselves: presumed abort once the txid is not live. */
static enum xtx_step_rc abort_attempt(struct xtx_task *t, int rc)
{
	t->after_abort = rc == -ESTALE && ++t->attempts < XTX_ATTEMPTS
				 ? NFS4_OK
				 : xtx_status(rc);
	return send_finish(t, 0, PH_ABORT);
}

static enum xtx_step_rc decide(struct xtx_task *t)
{
	struct strata_server *srv = t->srv;
	uint32_t nodes[XTX_MAX_CALLS];
	struct ns_xtx_gone gone;
	int rc;

	for (unsigned i = 0; i < t->np; i++)
		nodes[i] = t->pnode[i];
	if (t->np && srv->cfg.failpoint == FAILPOINT_XTX_PREPARED_EXIT) {
		log_warn("failpoint xtx-prepared-exit: xtx %llx prepared at "
			 "%u node(s), exiting before the decision",
			 (unsigned long long)t->txid, t->np);
		_exit(137);
	}
	/* Recalls on this node's files first (xtx_break.h). */
	rc = t->ownlen ? xtx_break(srv, t->clientid, t->own, t->ownlen) : 0;
	if (rc)
		return abort_attempt(t, rc);
	rc = ns_xtx_decide(srv->ns, t->txid, t->own, t->ownlen, nodes, t->np,
			   &gone);
	if (rc)
		return abort_attempt(t, rc);
	orphan_unlinked_all(srv, &gone); /* open ones stay until CLOSE */
	if (t->np && srv->cfg.failpoint == FAILPOINT_XTX_DECIDED_EXIT)
		srv->failpoint_exit = 1; /* after this batch's commit */
	delta_ship_kick(srv->deltas);
	t->phase = PH_FINISH;
	return XTX_AGAIN; /* told to the others once it is durable */
}

static enum xtx_step_rc step_plan(struct xtx_task *t)
{
	int rc;

	if (!t->live)
		return done(t, NFS4ERR_DELAY);
	rc = plan(t);
	if (rc == -EREMOTE && ns_xview_nneed(t->v) > 0) {
		if (++t->rounds > XTX_PLAN_ROUNDS)
			return done(t, NFS4ERR_DELAY);
		return send_reads(t);
	}
	if (!rc)
		rc = make_parts(t);
	if (rc)
		return done(t, xtx_status(rc));
	if (!t->np)
		return decide(t); /* all of it is this node's after all */
	return send_prepares(t);
}

static enum xtx_step_rc step_prepared(struct xtx_task *t)
{
	int worst = 0;

	for (unsigned i = 0; i < t->r.ncalls; i++) {
		int rc = xcall_int(&t->r.calls[i]);

		t->pyes[i] = rc == 0;
		if (rc && (worst == 0 || rc == -ESTALE))
			worst = rc;
	}
	return worst ? abort_attempt(t, worst) : decide(t);
}

static enum xtx_step_rc step_aborted(struct xtx_task *t)
{
	if (t->after_abort != NFS4_OK)
		return done(t, t->after_abort);
	ns_xtx_live(t->srv->ns, t->txid, 0);
	new_txid(t);
	ns_xview_clear(t->v);
	t->rounds = 0;
	t->phase = PH_PLAN;
	return step_plan(t);
}

static enum xtx_step_rc step_finished(struct xtx_task *t)
{
	int all = 1;

	for (unsigned i = 0; i < t->r.ncalls; i++)
		if (xcall_int(&t->r.calls[i]) != 0)
			all = 0;
	/* Applied everywhere: forgotten (in this batch). Else a node is
	 * down: the resolver sends COMMIT again (xtx_resolve.h); the
	 * client's answer does not wait for it. */
	if (all && ns_xtx_forget(t->srv->ns, t->txid) < 0)
		log_warn("xtx %llx: not forgotten", (unsigned long long)t->txid);
	delta_ship_kick(t->srv->deltas);
	return done(t, NFS4_OK);
}

enum xtx_step_rc xtx_step(struct xtx_task *t)
{
	int rc;

	if (t->rt)
		return xtx_resolve_step(t->rt, &t->r);
	switch (t->phase) {
	case PH_PLAN:
		return step_plan(t);
	case PH_READ:
		rc = take_reads(t);
		if (rc)
			return done(t, xtx_status(rc));
		t->phase = PH_PLAN;
		return step_plan(t);
	case PH_PREPARE:
		return step_prepared(t);
	case PH_ABORT:
		return step_aborted(t);
	case PH_FINISH:
		/* The decision is durable: no outcome query may be told
		 * "pending" any more, and the parts may be applied. */
		ns_xtx_live(t->srv->ns, t->txid, 0);
		t->live = 0;
		if (!t->np)
			return done(t, NFS4_OK);
		return send_finish(t, 1, PH_FINISHED);
	default:
		return step_finished(t);
	}
}

/* ---- making an operation task --------------------------------------- */

static int copy_name(char *dst, size_t *len, const component4 *n)
{
	if (n->utf8string_len == 0 || n->utf8string_len > NS_NAME_MAX)
		return -1;
	memcpy(dst, n->utf8string_val, n->utf8string_len);
	dst[n->utf8string_len] = '\0';
	*len = n->utf8string_len;
	return 0;
}

/* Write and search on directory FH (its attributes as its owner sent
 * them) into *DIR; what depends on the entries' inodes (the sticky bit)
 * is checked after the plan (plan_remove, plan_rename). */
static nfsstat4 may_change(struct compound *c, const struct cfh *fh,
			   struct ns_inode *dir)
{
	nfsstat4 st = fh_inode(c, fh, dir);

	return st == NFS4_OK ? perm_may_create(&c->who, dir) : st;
}

/* Decode the op at OP into T; its permission checks. */
static nfsstat4 task_args(struct xtx_task *t, struct compound *c,
			  const uint8_t *op, size_t avail)
{
	XDR x;
	nfsstat4 st = NFS4ERR_BADXDR;

	xdrmem_create(&x, (char *)op, (u_int)avail, XDR_DECODE);
	if (!xdr_u_int(&x, &t->opnum))
		return st;
	if (t->opnum == OP_RENAME) {
		RENAME4args a;
		memset(&a, 0, sizeof(a));
		if (xdr_RENAME4args(&x, &a) &&
		    !copy_name(t->sname, &t->slen, &a.oldname) &&
		    !copy_name(t->dname, &t->dlen, &a.newname))
			st = NFS4_OK;
		xdr_free((xdrproc_t)xdr_RENAME4args, (char *)&a);
		t->sdir = c->saved.fileid;
		t->ddir = c->cur.fileid;
		if (st == NFS4_OK)
			st = may_change(c, &c->saved, &t->sdir_ino);
	} else if (t->opnum == OP_REMOVE) {
		REMOVE4args a;
		memset(&a, 0, sizeof(a));
		if (xdr_REMOVE4args(&x, &a) &&
		    !copy_name(t->sname, &t->slen, &a.target))
			st = NFS4_OK;
		xdr_free((xdrproc_t)xdr_REMOVE4args, (char *)&a);
		t->sdir = c->cur.fileid;
	} else if (t->opnum == OP_LINK) {
		LINK4args a;
		memset(&a, 0, sizeof(a));
		if (xdr_LINK4args(&x, &a) &&
		    !copy_name(t->dname, &t->dlen, &a.newname))
			st = NFS4_OK;
		xdr_free((xdrproc_t)xdr_LINK4args, (char *)&a);
		t->file = c->saved.fileid;
		t->ddir = c->cur.fileid;
		if (st == NFS4_OK && c->saved.type == NS_DIR)
			st = NFS4ERR_ISDIR;
	} else {
		return NFS4ERR_SERVERFAULT;
	}
	t->who = c->who;
	if (st == NFS4_OK) /* LINK: a new name, which no sticky bit limits */
		st = may_change(c, &c->cur, t->opnum == OP_REMOVE
						    ? &t->sdir_ino
						    : &t->ddir_ino);
	t->consumed = xdr_getpos(&x);
	return st;
}

struct xtx_task *xtx_task_op(struct strata_server *srv, struct compound *c,
			     const uint8_t *op, size_t avail, void *job,
			     xtx_wake_fn wake, void *ctx, nfsstat4 *st)
{
	struct xtx_task *t = calloc(1, sizeof(*t));

	*st = NFS4ERR_DELAY;
	if (!t)
		return NULL;
	t->srv = srv;
	t->v = ns_xview_new();
	t->job = job;
	t->clientid = c->client ? c->client->clientid : 0;
	xround_init(&t->r, srv, wake, ctx, t);
	*st = t->v ? task_args(t, c, op, avail) : NFS4ERR_DELAY;
	if (*st == NFS4_OK && !srv->peers)
		*st = NFS4ERR_XDEV;
	if (*st != NFS4_OK) {
		xtx_task_free(t);
		return NULL;
	}
	new_txid(t);
	t->phase = PH_PLAN;
	return t;
}

struct xtx_task *xtx_task_resolve(struct strata_server *srv,
				  struct xtx_resolve_task *rt,
				  xtx_wake_fn wake, void *ctx)
{
	struct xtx_task *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->srv = srv;
	t->rt = rt;
	xround_init(&t->r, srv, wake, ctx, t);
	return t;
}
