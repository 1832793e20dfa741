/* nfsd/compound.c — COMPOUND decode/dispatch/encode. See compound.h. */
#include "compound.h"
#include "compound_loop.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "cmap.h"
#include "fh.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "slot.h"
#include "stateid_fmt.h"

#define MAX_TAG 1024
/* Ops accepted before a session says otherwise (RFC 8881 §18.36.3). */
#define MAX_OPS_NO_SESSION 16


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
	c->opnum = opnum;
	c->res_pos = mark;
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

/* The name a name operation at IN's position works on in the current
 * directory (the placement of its entry: metadata/ns.h), copied into
 * NAME; 0 when OPNUM has none (or it does not decode: the op itself
 * answers that). */
static size_t name_of(const struct op_desc *d, uint32_t opnum, XDR *in,
		      char *name, size_t cap)
{
	u_int pos = xdr_getpos(in);
	void *args = calloc(1, d->args_size);
	const component4 *n = NULL;
	size_t len = 0;

	if (!args)
		return 0;
	if (d->xdr_args(in, args, 0)) {
		switch (opnum) {
		case OP_LOOKUP: n = &((LOOKUP4args *)args)->objname; break;
		case OP_CREATE: n = &((CREATE4args *)args)->objname; break;
		case OP_REMOVE: n = &((REMOVE4args *)args)->target; break;
		case OP_LINK: n = &((LINK4args *)args)->newname; break;
		case OP_RENAME: n = &((RENAME4args *)args)->newname; break;
		case OP_SECINFO: n = &((SECINFO4args *)args)->name; break;
		case OP_OPEN: {
			const open_claim4 *cl = &((OPEN4args *)args)->claim;
			if (cl->claim == CLAIM_NULL)
				n = &cl->open_claim4_u.file;
			break;
		}
		default: break;
		}
	}
	if (n && n->utf8string_len > 0 && n->utf8string_len <= cap) {
		len = n->utf8string_len;
		memcpy(name, n->utf8string_val, len);
	}
	xdr_free(d->xdr_args, args);
	free(args);
	xdr_setpos(in, pos);
	return len;
}

#define NODE_FRONT (~0u)

/* 1 for the current stateid (seqid 1, "other" all zeros: RFC 8881
 * §8.2.3), which names the stateid an earlier op of the COMPOUND left. */
static int is_current_stateid(uint32_t seqid, const char *other)
{
	static const char zero[NFS4_OTHER_SIZE];

	return seqid == 1 && !memcmp(other, zero, NFS4_OTHER_SIZE);
}

/* The node that minted the stateid a FREE_STATEID names, or the first of
 * a TEST_STATEID's (the Linux client tests one at a time); for the
 * current stateid, the owner of the current filehandle, where the op that
 * made it (an OPEN, a LOCK) ran; 0 if none, or not a node of the map. */
static unsigned stateid_owner(struct compound *c, uint32_t opnum, XDR *in)
{
	u_int pos = xdr_getpos(in);
	unsigned node = 0;
	uint32_t n = 1, seqid;
	char other[NFS4_OTHER_SIZE];

	if (opnum == OP_TEST_STATEID && !xdr_u_int(in, &n))
		n = 0;
	if (n > 0 && xdr_u_int(in, &seqid) &&
	    xdr_opaque(in, other, NFS4_OTHER_SIZE))
		node = is_current_stateid(seqid, other) && c->cur.fileid
			       ? cmap_fileid_owner(c->srv->cmap, c->cur.fileid)
			       : stateid_node((const uint8_t *)other);
	xdr_setpos(in, pos);
	return node && cmap_node(c->srv->cmap, node) ? node : 0;
}

/* READDIR goes to the owner of the partition its cookie resumes in; a
 * node whose partitions hold nothing more of the directory moves the
 * cookie on to the next partition (metadata/ns.h ns_readdir_ex) in the
 * arguments themselves, rather than answer an empty page that is not
 * the end (the Linux client would ask again for ever). Where the next
 * partition is another node's, the loop stops and C->readdir_cookie
 * tells the front (peer_compound_resok). */
static unsigned route_readdir(struct compound *c, XDR *in)
{
	struct strata_server *srv = c->srv;
	u_int pos = xdr_getpos(in);
	int32_t *p = xdr_inline(in, 8);
	uint64_t cookie, next = 0;
	unsigned node;
	int moved = 0;

	xdr_setpos(in, pos);
	if (!p || !c->cur.fileid)
		return srv->node; /* the op itself says what is wrong */
	cookie = ((uint64_t)ntohl((uint32_t)p[0]) << 32) |
		 ntohl((uint32_t)p[1]);
	for (;;) {
		node = cmap_partition_owner(
			srv->cmap,
			cmap_shard_partition(srv->cmap,
					     ns_cookie_shard(cookie)));
		if (node != srv->node || ns_cookie_shard(cookie) >=
						 srv->cmap->nshards ||
		    ns_readdir_probe(srv->ns, c->cur.fileid, cookie,
				     &next) != 0 ||
		    next == 0)
			break;
		cookie = next;
		moved = 1;
	}
	if (moved) {
		p[0] = (int32_t)htonl((uint32_t)(cookie >> 32));
		p[1] = (int32_t)htonl((uint32_t)cookie);
	}
	c->readdir_cookie = moved && node != srv->node ? cookie : 0;
	return node ? node : srv->node;
}

/* A name operation goes to the owner of its entry, hash(dir, name). An
 * OPEN by name whose entry is this node's but names another node's inode
 * (renamed across nodes, decision 0024) goes on to the inode's owner,
 * which holds the file's state: C->name_fileid tells it the name's file
 * (peer_prot.x peer_ctx). */
static unsigned route_name(struct compound *c, uint32_t opnum,
			   const char *name, size_t len)
{
	struct strata_server *srv = c->srv;
	unsigned node = cmap_entry_owner(srv->cmap, c->cur.fileid, name, len);
	uint64_t fileid;

	if (opnum != OP_OPEN || node != srv->node ||
	    ns_lookup(srv->ns, c->cur.fileid, name, len, &fileid) < 0 ||
	    ns_owns_fileid(srv->ns, fileid))
		return node;
	node = cmap_fileid_owner(srv->cmap, fileid);
	if (!node)
		return srv->node;
	c->name_fileid = fileid;
	return node;
}

/* The owner of a handle whose attributes an op about to run at NODE
 * lacks: a directory reached by LOOKUP of a name whose inode another node
 * owns (a directory renamed across nodes, decision 0024) has none until
 * its owner vouched for it (subcompound.c fh_fill_attr); a name op or
 * READDIR elsewhere checks permissions with them. 0 when none is lacking
 * (or its handle is of no node of the map). */
static unsigned lacking_attr_owner(const struct compound *c, uint32_t opnum,
				   unsigned node)
{
	const struct cfh *f[2] = { &c->cur, &c->saved };
	unsigned n = opnum == OP_RENAME || opnum == OP_LINK ? 2 : 1;

	for (unsigned i = 0; i < n; i++) {
		unsigned owner;
		if (!f[i]->fileid || f[i]->has_attr)
			continue;
		owner = cmap_fileid_owner(c->srv->cmap, f[i]->fileid);
		if (owner != node)
			return owner;
	}
	return 0;
}

/* NODE, or first the owner of a directory whose attributes the op needs
 * there (lacking_attr_owner): it stops before the op and answers them to
 * its front. Once per op, so a handle its owner no longer knows ends at
 * NODE (which answers NFS4ERR_STALE), not in a loop. */
static unsigned attr_hop(struct compound *c, uint32_t opnum, unsigned node)
{
	unsigned owner = lacking_attr_owner(c, opnum, node);

	if (!owner)
		return node;
	if (owner == c->srv->node) /* a front fills them when it forwards */
		return c->sub ? NODE_FRONT : node;
	if (c->hop_op == c->opindex + 1)
		return node;
	c->hop_op = c->opindex + 1;
	return owner;
}

/* 1 when the LAYOUTRETURN whose arguments IN is at returns by FSID or
 * ALL (lora_reclaim, lora_layout_type, lora_iomode, then the return
 * type: RFC 8881 §18.44.1). IN is left where it was. */
static int bulk_return(XDR *in)
{
	u_int pos = xdr_getpos(in);
	uint32_t w[4];
	int bulk = 1;

	for (int i = 0; i < 4 && bulk; i++)
		bulk = xdr_u_int(in, &w[i]);
	xdr_setpos(in, pos);
	return bulk && (w[3] == LAYOUTRETURN4_FSID || w[3] == LAYOUTRETURN4_ALL);
}

/* A front's LAYOUTRETURN by FSID or ALL: to each owner that holds state
 * of the client in turn, then here (compound.h lr_nodes). Its layouts
 * are at the owners of the files they are of (decision 0036); sent to
 * one node only, the others would keep them and recall them later. */
static unsigned route_bulk_return(struct compound *c)
{
	const struct cmap *m = c->srv->cmap;
	uint64_t self = cmap_node_bit(c->srv->node);

	if (c->lr_op != c->opindex + 1) {
		c->lr_op = c->opindex + 1;
		c->lr_nodes = c->state_nodes & ~self;
	}
	while (c->lr_nodes) {
		unsigned node = cmap_first_node(c->lr_nodes);

		if (cmap_node(m, node)) {
			c->lr_forwarded = 1;
			return node;
		}
		c->lr_nodes &= ~cmap_node_bit(node); /* not of the map */
	}
	return c->srv->node;
}

static unsigned compound_route(struct compound *c, const struct op_desc *d,
			       uint32_t opnum, XDR *in)
{
	const struct cmap *m = c->srv->cmap;
	uint64_t fileid;
	unsigned node;

	if (c->sub && c->lr_ran)
		return NODE_FRONT; /* the front goes on (route_bulk_return) */
	if (opnum == OP_LAYOUTRETURN && bulk_return(in)) {
		if (!c->sub)
			return c->srv->owns_all ? c->srv->node
						: route_bulk_return(c);
		if (c->opindex != c->sub_start)
			return NODE_FRONT; /* reached here: its front routes it */
		c->lr_ran = 1;
		return c->srv->node; /* its front chose this node */
	}
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
	case OP_READDIR:
		return attr_hop(c, opnum, route_readdir(c, in));
	case OP_RECLAIM_COMPLETE:
		/* After an owner's restart the client's reclaim is that
		 * owner's to end: there it has not completed (at the root's
		 * owner it may have, long ago: COMPLETE_ALREADY would leave
		 * RESTART_RECLAIM_NEEDED set for ever). */
		if (c->sub)
			return c->srv->node; /* its front chose this node */
		if (c->rc_nodes)
			return cmap_first_node(c->rc_nodes);
		fileid = NS_ROOT_FILEID;
		break;
	case OP_TEST_STATEID:
	case OP_FREE_STATEID:
		/* No filehandle: to the node that minted the (first)
		 * stateid (nfsd/stateid_fmt.h). */
		node = stateid_owner(c, opnum, in);
		if (node)
			return node;
		fileid = NS_ROOT_FILEID;
		break;
	case OP_LOOKUP: case OP_CREATE: case OP_REMOVE: case OP_LINK:
	case OP_RENAME: case OP_SECINFO: case OP_OPEN: {
		/* A name in the current directory goes where its entry
		 * lives, hash(dir, name) (decision 0024); the directory's
		 * owner gets a delta if it changes (metadata/ns.h). */
		char name[NS_NAME_MAX];
		size_t len;

		if (opnum == OP_OPEN && c->name_fileid) {
			/* resolved by the entry's owner: to the file's */
			node = cmap_fileid_owner(m, c->name_fileid);
			return attr_hop(c, opnum, node ? node : c->srv->node);
		}
		len = c->cur.fileid ? name_of(d, opnum, in, name, sizeof(name))
				    : 0;
		if (len)
			return attr_hop(c, opnum,
					route_name(c, opnum, name, len));
		fileid = c->cur.fileid ? c->cur.fileid : NS_ROOT_FILEID;
		break;
	}
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


int compound_loop_run(struct compound *c, struct loop *l)
{
	for (; l->i < l->end; l->i++) {
		u_int pos = xdr_getpos(&l->in);
		uint32_t opnum;
		const struct op_desc *d;
		unsigned node;
		u_int omark;
		uint32_t count;

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
			c->rc_forwarded = opnum == OP_RECLAIM_COMPLETE;
			l->status = NFS4_OK;
			return LOOP_STOP;
		}
		if (d->flags & OPF_MUTATES)
			c->mutated = 1;
		omark = xdr_getpos(&l->out);
		count = l->h.count;
		l->status = run_op(c, &l->in, &l->out, &l->h, opnum, d);
		c->name_fileid = 0; /* for the op just run only */
		if (c->replay)
			return LOOP_REPLAY;
		if (c->xtx) {
			/* Another node's keys: the front runs it as a
			 * transaction (nfsd/xtx_task.h); undo its result. */
			xdr_setpos(&l->out, omark);
			l->h.count = count;
			xdr_setpos(&l->in, pos);
			l->stop.node = c->srv->node;
			l->stop.opindex = l->i;
			l->stop.in_pos = pos;
			l->status = NFS4_OK;
			return LOOP_STOP;
		}
		if (l->status != NFS4_OK) {
			l->i++;
			return LOOP_END;
		}
	}
	return LOOP_END;
}

size_t compound_loop_finish(struct compound *c, struct loop *l, uint8_t *buf)
{
	size_t len;

	patch_header(&l->out, &l->h, l->status);
	len = xdr_getpos(&l->out);
	if (c->slot)
		session_slot_done(c->session, c->slot, buf, len, c->cachethis);
	return len;
}

void compound_loop_fail(struct loop *l, nfsstat4 st)
{
	u_int pos = xdr_getpos(&l->in);
	uint32_t opnum = OP_ILLEGAL;

	if (!xdr_u_int(&l->in, &opnum))
		opnum = OP_ILLEGAL;
	xdr_setpos(&l->in, pos);
	encode_status_only(&l->out, &l->h, opnum, st);
	l->status = st;
}

int compound_loop_open(struct compound *c, struct loop *l,
		       struct strata_server *srv, struct xprt_conn *conn,
		       const struct rpc_call *call, uint8_t *buf, size_t cap,
		       size_t *len, int *garbage)
{
	char *tag = NULL;
	u_int taglen = 0;
	uint32_t nops = 0;

	memset(c, 0, sizeof(*c));
	memset(l, 0, sizeof(*l));
	c->srv = srv;
	c->conn = conn;
	c->call = call;
	c->role = srv->role;
	c->max_reply = cap;
	*garbage = 0;
	*len = 0;
	perm_id_of(&call->cred, &c->who);
	xdrmem_create(&l->in, (char *)call->args, (u_int)call->args_len,
		      XDR_DECODE);
	xdrmem_create(&l->out, (char *)buf, (u_int)cap, XDR_ENCODE);
	if (decode_header(&l->in, &tag, &taglen, &c->minorversion, &nops) <
	    0) {
		free(tag);
		*garbage = 1;
		return 0;
	}
	atomic_fetch_add(&srv->counters.compounds, 1);
	if (encode_header(&l->out, tag, taglen, &l->h) < 0) {
		free(tag);
		*garbage = 1;
		return 0;
	}
	free(tag);
	c->nops = nops;
	/* RFC 8881 §16.2.3: other minor versions get an empty result. */
	if (c->minorversion != 1) {
		patch_header(&l->out, &l->h, NFS4ERR_MINOR_VERS_MISMATCH);
		*len = xdr_getpos(&l->out);
		return 0;
	}
	l->end = nops;
	return 1;
}

size_t compound_run(struct strata_server *srv, struct xprt_conn *conn,
		    const struct rpc_call *call, uint8_t *buf, size_t cap,
		    int *garbage)
{
	struct compound c;
	struct loop l;
	size_t len = 0;

	if (!compound_loop_open(&c, &l, srv, conn, call, buf, cap, &len,
				garbage))
		return len;
	switch (compound_loop_run(&c, &l)) {
	case LOOP_REPLAY:
		atomic_fetch_add(&srv->metrics.drc_hits, 1);
		len = c.replay_len <= cap ? c.replay_len : 0;
		memcpy(buf, c.replay, len);
		return len;
	case LOOP_STOP:
		/* Another node's op, and no way to forward from here. */
		xdr_setpos(&l.in, l.stop.in_pos);
		compound_loop_fail(&l, NFS4ERR_DELAY);
		break;
	default:
		break;
	}
	return compound_loop_finish(&c, &l, buf);
}

