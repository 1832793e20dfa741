/* pnfs/peer_xtx.c — see peer_xtx.h. */
#include "peer_xtx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmap.h"
#include "log.h"
#include "ns.h"
#include "ns_xtx.h"
#include "orphan.h"
#include "xtx_break.h"
#include "peer_prot.h"
#include "peer_svc.h"
#include "server.h"

int peer_xtx_proc(uint32_t proc)
{
	return proc == PEER_XREAD || proc == PEER_XPREPARE ||
	       proc == PEER_XFINISH || proc == PEER_XOUTCOME;
}

/* The sender's view of the cluster must be ours. */
static int same_map(const struct strata_server *srv, uint64_t epoch,
		    unsigned from)
{
	return epoch == srv->cmap->epoch && cmap_node(srv->cmap, from) &&
	       from != srv->node;
}

/* Decode CALL's arguments with XARGS into ARGS; 0, or the GARBAGE_ARGS
 * reply's length. */
static size_t decode(const struct rpc_call *call, xdrproc_t xargs, void *args,
		     uint8_t *buf)
{
	XDR x;

	xdrmem_create(&x, (char *)call->args, (u_int)call->args_len,
		      XDR_DECODE);
	if (xargs(&x, args, 0))
		return 0;
	xdr_free(xargs, args);
	rpc_reply_accepted(buf, call->xid, ACCEPT_GARBAGE_ARGS);
	return RPC_REPLY_HDR_LEN;
}

static void read_one(struct strata_server *srv, const peer_xkey *k,
		     peer_xval *out)
{
	uint8_t *val = NULL;
	size_t vlen = 0;
	int rc = ns_xtx_read(srv->ns, k->shard, k->db, k->key.key_val,
			     k->key.key_len, &val, &vlen);

	out->err = rc;
	out->val.val_val = (char *)val;
	out->val.val_len = rc ? 0 : (u_int)vlen;
}

static size_t do_read(struct strata_server *srv, const struct rpc_call *call,
		      uint8_t *buf, size_t cap)
{
	peer_xread_args a;
	peer_xread_res res = { .stat = PEER_EMAP };
	size_t len = 0;
	u_int n;

	memset(&a, 0, sizeof(a));
	len = decode(call, (xdrproc_t)xdr_peer_xread_args, &a, buf);
	if (len)
		return len;
	n = a.keys.keys_len;
	if (same_map(srv, a.map_epoch, a.from)) {
		peer_xval *v = calloc(n ? n : 1, sizeof(*v));
		res.stat = v ? PEER_OK : PEER_ERESOURCE;
		for (u_int i = 0; v && i < n; i++)
			read_one(srv, &a.keys.keys_val[i], &v[i]);
		res.peer_xread_res_u.vals.vals_val = v;
		res.peer_xread_res_u.vals.vals_len = v ? n : 0;
	}
	len = peer_encode_reply(buf, cap, call->xid,
				(xdrproc_t)xdr_peer_xread_res, &res);
	xdr_free((xdrproc_t)xdr_peer_xread_res, (char *)&res);
	xdr_free((xdrproc_t)xdr_peer_xread_args, (char *)&a);
	return len;
}

/* A failpoint that exits after this batch's commit, before the answer. */
static void arm_exit(struct strata_server *srv, unsigned fp, int rc)
{
	if (!rc && srv->cfg.failpoint == fp)
		srv->failpoint_exit = 1;
}

static int prepare_one(struct strata_server *srv, void *p)
{
	const peer_xprepare_args *a = p;
	const uint8_t *rec = (const uint8_t *)a->record.record_val;
	int rc = -EPROTO;

	/* Other clients' delegations and layouts on this node's files come
	 * back first (nfsd/xtx_break.h): -EBUSY makes the coordinator abort
	 * and the client retry after NFS4ERR_DELAY. */
	if (same_map(srv, a->map_epoch, a->from))
		rc = xtx_break(srv, a->clientid, rec, a->record.record_len);
	if (!rc)
		rc = ns_xtx_prepare(srv->ns, a->txid, a->from, rec,
				    a->record.record_len);
	if (rc && rc != -ESTALE && rc != -EBUSY)
		log_warn("xtx %llx of node %u: not prepared: %s",
			 (unsigned long long)a->txid, a->from, strerror(-rc));
	arm_exit(srv, FAILPOINT_XTX_PREPARE_EXIT, rc);
	return rc;
}

static int finish_one(struct strata_server *srv, void *p)
{
	const peer_xfinish_args *a = p;
	struct ns_xtx_gone gone;
	int rc = -EPROTO;

	if (same_map(srv, a->map_epoch, a->from))
		rc = ns_xtx_finish(srv->ns, a->txid, a->commit ? 1 : 0, &gone);
	if (!rc) /* files of this node whose last link went: open ones stay
		    until their CLOSE (nfsd/state/orphan.h) */
		orphan_unlinked_all(srv, &gone);
	if (rc)
		log_warn("xtx %llx: not finished: %s",
			 (unsigned long long)a->txid, strerror(-rc));
	arm_exit(srv, FAILPOINT_XTX_FINISH_EXIT, rc);
	return rc;
}

static int outcome_one(struct strata_server *srv, void *p)
{
	const peer_xoutcome_args *a = p;
	enum ns_xtx_outcome o = NS_XTX_PENDING;
	int rc = -EPROTO;

	if (same_map(srv, a->map_epoch, a->from))
		rc = ns_xtx_outcome(srv->ns, a->txid, &o);
	return rc ? rc : (int)o;
}

/* A call answered with an int: decode its ARGS (XARGS), FN's answer. */
static size_t int_call(struct strata_server *srv, const struct rpc_call *call,
		       uint8_t *buf, size_t cap, xdrproc_t xargs, void *args,
		       int (*fn)(struct strata_server *, void *))
{
	size_t len = decode(call, xargs, args, buf);
	int rc;

	if (len)
		return len;
	rc = fn(srv, args);
	xdr_free(xargs, args);
	return peer_encode_reply(buf, cap, call->xid, (xdrproc_t)xdr_int, &rc);
}

size_t peer_xtx_reply(struct strata_server *srv, const struct rpc_call *call,
		      uint8_t *buf, size_t cap)
{
	union {
		peer_xprepare_args prepare;
		peer_xfinish_args finish;
		peer_xoutcome_args outcome;
	} a;

	memset(&a, 0, sizeof(a));
	switch (call->proc) {
	case PEER_XREAD:
		return do_read(srv, call, buf, cap);
	case PEER_XPREPARE:
		return int_call(srv, call, buf, cap,
				(xdrproc_t)xdr_peer_xprepare_args, &a.prepare,
				prepare_one);
	case PEER_XFINISH:
		return int_call(srv, call, buf, cap,
				(xdrproc_t)xdr_peer_xfinish_args, &a.finish,
				finish_one);
	default:
		return int_call(srv, call, buf, cap,
				(xdrproc_t)xdr_peer_xoutcome_args, &a.outcome,
				outcome_one);
	}
}

size_t peer_xtx_refuse(const struct rpc_call *call, uint8_t *buf, size_t cap)
{
	peer_xread_res res = { .stat = PEER_EAUTH };
	int e = -EACCES;

	if (call->proc == PEER_XREAD)
		return peer_encode_reply(buf, cap, call->xid,
					 (xdrproc_t)xdr_peer_xread_res, &res);
	return peer_encode_reply(buf, cap, call->xid, (xdrproc_t)xdr_int, &e);
}
