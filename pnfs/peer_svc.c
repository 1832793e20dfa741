/* pnfs/peer_svc.c — see peer_svc.h. */
#include "peer_svc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmap.h"
#include "subcompound.h"
#include "log.h"
#include "ns.h"
#include "peer_cb.h"
#include "peer_client.h"
#include "peer_prot.h"
#include "peer_xtx.h"
#include "recovery.h"
#include "server.h"
#include "session.h"
#include "xprt.h"

size_t peer_encode_reply(uint8_t *buf, size_t cap, uint32_t xid,
			 xdrproc_t xres, void *res)
{
	XDR x;

	rpc_reply_accepted(buf, xid, ACCEPT_SUCCESS);
	xdrmem_create(&x, (char *)buf + RPC_REPLY_HDR_LEN,
		      (u_int)(cap - RPC_REPLY_HDR_LEN), XDR_ENCODE);
	if (!xres(&x, res, 0)) {
		rpc_reply_accepted(buf, xid, ACCEPT_SYSTEM_ERR);
		return RPC_REPLY_HDR_LEN;
	}
	return RPC_REPLY_HDR_LEN + xdr_getpos(&x);
}

static void send_small(struct xprt_conn *conn, uint32_t xid, xdrproc_t xres,
		       void *res)
{
	uint8_t buf[64];
	struct iovec iov = { buf, 0 };

	if (xres)
		iov.iov_len = peer_encode_reply(buf, sizeof(buf), xid, xres, res);
	else {
		rpc_reply_accepted(buf, xid, ACCEPT_SUCCESS);
		iov.iov_len = RPC_REPLY_HDR_LEN;
	}
	if (xprt_send(conn, &iov, 1) < 0)
		log_debug("peer: reply to %s failed", conn->peer);
}

int peer_svc_dispatch(struct strata_server *srv, struct xprt_conn *conn,
		      const struct rpc_call *call)
{
	peer_stat st = PEER_EAUTH;
	peer_compound_res res = { .stat = PEER_EAUTH };

	if (call->vers != STRATA_PEER_V1 || call->proc > PEER_XOUTCOME) {
		uint8_t b[32];
		struct iovec iov = { b, RPC_REPLY_HDR_LEN };

		if (call->vers != STRATA_PEER_V1)
			iov.iov_len = rpc_reply_prog_mismatch(
				b, call->xid, STRATA_PEER_V1, STRATA_PEER_V1);
		else
			rpc_reply_accepted(b, call->xid, ACCEPT_PROC_UNAVAIL);
		xprt_send(conn, &iov, 1);
		return 0;
	}
	if (call->proc == PEER_NULL) {
		send_small(conn, call->xid, NULL, NULL);
		return 0;
	}
	/* Only a connection that proved the cluster key (ctl_svc.c). */
	if (conn->ctl_state != 2 || !srv->exec || !srv->ns) {
		if (peer_xtx_proc(call->proc)) {
			uint8_t b[64];
			struct iovec iov = { b, peer_xtx_refuse(call, b,
								sizeof(b)) };
			xprt_send(conn, &iov, 1);
		} else if (call->proc == PEER_COMPOUND)
			send_small(conn, call->xid,
				   (xdrproc_t)xdr_peer_compound_res, &res);
		else if (call->proc == PEER_CALLBACK) {
			int e = EACCES;
			send_small(conn, call->xid, (xdrproc_t)xdr_int, &e);
		} else
			send_small(conn, call->xid, (xdrproc_t)xdr_peer_stat,
				   &st);
		return 0;
	}
	if (call->proc == PEER_HELLO) {
		u_int epoch = srv->boot_epoch;
		send_small(conn, call->xid, (xdrproc_t)xdr_u_int, &epoch);
		return 0;
	}
	if (call->proc == PEER_CALLBACK || call->proc == PEER_CB_DONE) {
		uint8_t buf[128];
		struct iovec iov = { buf, peer_cb_serve(srv, call, buf,
							 sizeof(buf)) };
		if (xprt_send(conn, &iov, 1) < 0)
			log_debug("peer: reply to %s failed", conn->peer);
		return 0;
	}
	return 1;
}

static void hello_done(void *ctx, int err, void *res)
{
	(void)ctx;
	(void)err;
	free(res);
}

static bool_t xdr_void_args(XDR *x, void *p)
{
	(void)x;
	(void)p;
	return TRUE;
}

/* A front's first client here: connect to it (a HELLO), so that the link
 * watches it from now on and its restart or loss reaches server.c. */
static void watch_front(struct strata_server *srv, unsigned front)
{
	if (peer_call(srv->peers, front, PEER_HELLO, (xdrproc_t)xdr_void_args,
		      NULL, (xdrproc_t)xdr_u_int, sizeof(u_int), hello_done,
		      NULL) < 0)
		log_warn("peer: node %u not watched", front);
}

/* The sender's view of the cluster must be ours: same map epoch, a
 * front that is a node of it, a client id that front made. */
static int same_map(const struct strata_server *srv,
		    const peer_compound_args *a)
{
	return a->map_epoch == srv->cmap->epoch &&
	       cmap_node(srv->cmap, a->front) &&
	       client_id_node(a->client.clientid) == a->front &&
	       a->front != srv->node;
}

/* ---- answers kept for resends (ns_answer_*, decision 0024) ----------- */

/* One answer per client, referring session and slot: the slot's later
 * requests replace it. */
#define ANSWER_KEY_LEN (8 + PEER_SESSIONID_LEN + 4)
#define ANSWER_HDR_LEN 8 /* seqid, opindex; then the peer_compound_res */

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The key's first 8 bytes: the client (so a client's answers share a
 * prefix, ns_answer_drop). */
static void clientid_be(uint8_t out[8], uint64_t clientid)
{
	put_be32(out, (uint32_t)(clientid >> 32));
	put_be32(out + 4, (uint32_t)clientid);
}

/* The value's first bytes: which request of the slot it answers. */
static void answer_hdr(uint8_t out[ANSWER_HDR_LEN], const peer_compound_args *a)
{
	put_be32(out, a->ref_seqid);
	put_be32(out + 4, a->opindex);
}

static void answer_key(uint8_t key[ANSWER_KEY_LEN], const peer_compound_args *a)
{
	clientid_be(key, a->client.clientid);
	memcpy(key + 8, a->ref_session, PEER_SESSIONID_LEN);
	put_be32(key + 8 + PEER_SESSIONID_LEN, a->ref_slot);
}

/* A resend of A: the answer kept when A ran (*LEN bytes of reply in BUF),
 * or -ENOENT: A never ran here (or its answer was not kept): run it. */
static int answer_resend(struct strata_server *srv, const peer_compound_args *a,
			 uint32_t xid, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t key[ANSWER_KEY_LEN], match[ANSWER_HDR_LEN];
	uint8_t *v = NULL;
	size_t n = 0;
	int rc;

	answer_key(key, a);
	answer_hdr(match, a);
	/* the slot's earlier answers may be kept on other shards: only
	 * this request's counts */
	rc = ns_answer_get(srv->ns, key, sizeof(key), match, sizeof(match),
			   (void **)&v, &n);
	if (rc)
		return rc;
	if (n - ANSWER_HDR_LEN > cap - RPC_REPLY_HDR_LEN) {
		free(v);
		return -ENOENT;
	}
	rpc_reply_accepted(buf, xid, ACCEPT_SUCCESS);
	memcpy(buf + RPC_REPLY_HDR_LEN, v + ANSWER_HDR_LEN, n - ANSWER_HDR_LEN);
	*len = RPC_REPLY_HDR_LEN + n - ANSWER_HDR_LEN;
	free(v);
	return 0;
}

/* Keep the answer (REPLY, LEN bytes with its RPC header) of A, which
 * changed something, in the batch that commits the change: a resend after
 * a lost reply or a crash gets it instead of running A twice. Stored on
 * the shard of the file A ended on (the batch wrote there, most likely). */
static void answer_keep(struct strata_server *srv, const peer_compound_args *a,
			uint64_t fileid, const uint8_t *reply, size_t len)
{
	uint8_t key[ANSWER_KEY_LEN];
	size_t n = len - RPC_REPLY_HDR_LEN + ANSWER_HDR_LEN;
	unsigned shard = fileid ? ns_fileid_shard(fileid) : 0;
	uint8_t *v;
	int rc;

	if (len <= RPC_REPLY_HDR_LEN || n > NS_ANSWER_VAL_MAX) {
		log_warn("peer: answer of %zu bytes not kept: a resend of it "
			 "runs again", len);
		return;
	}
	if (shard >= ns_nshards(srv->ns))
		shard = 0;
	/* The current object may be another node's (a name operation in
	 * its directory): then a shard of this node's, in the environment
	 * the batch writes anyway when it owns one partition. */
	for (unsigned s = 0; !ns_owns_shard(srv->ns, shard) &&
			     s < ns_nshards(srv->ns); s++)
		shard = s;
	v = malloc(n);
	if (!v) {
		log_warn("peer: answer not kept: no memory");
		return;
	}
	answer_hdr(v, a);
	memcpy(v + ANSWER_HDR_LEN, reply + RPC_REPLY_HDR_LEN,
	       len - RPC_REPLY_HDR_LEN);
	answer_key(key, a);
	rc = ns_answer_put(srv->ns, shard, key, sizeof(key), v, n);
	if (rc)
		log_warn("peer: answer not kept: %s", strerror(-rc));
	else if (srv->cfg.failpoint == FAILPOINT_PEER_ANSWER_EXIT)
		srv->failpoint_exit = 1;
	free(v);
}

/* Forget the answers kept for client CLIENTID (it is gone). */
void peer_answers_drop(struct strata_server *srv, uint64_t clientid)
{
	uint8_t prefix[8];
	int rc;

	clientid_be(prefix, clientid);
	rc = ns_answer_drop(srv->ns, prefix, sizeof(prefix));
	if (rc)
		log_warn("peer: answers of client %llx not dropped: %s",
			 (unsigned long long)clientid, strerror(-rc));
}

/* ---- PEER_COMPOUND, PEER_CLIENT_GONE ------------------------------------ */

/* The stub of A's client (made on its first sub-compound, when its front
 * also starts being watched), brought up to date; NULL: no memory. */
static struct nfs_client *stub_of(struct strata_server *srv,
				  const peer_compound_args *a)
{
	struct nfs_client *clp = client_find(srv, a->client.clientid);
	struct rpc_cred principal;

	if (!clp) {
		if (srv->peers)
			watch_front(srv, a->front);
		memset(&principal, 0, sizeof(principal));
		principal.flavor = a->client.flavor;
		principal.uid = a->client.uid;
		snprintf(principal.machine, sizeof(principal.machine), "%s",
			 a->client.machine ? a->client.machine : "");
		clp = client_stub(srv, a->client.clientid,
				  a->client.owner.owner_val,
				  a->client.owner.owner_len, a->client.verifier,
				  &principal, a->front);
		if (!clp)
			return NULL;
	}
	clp->flags = a->client.eir_flags;
	clp->cb_via_front = a->client.cb_ok;
	/* Its front's word that its RECLAIM_COMPLETE ran (at the root's
	 * owner): lets it make new state here when this node does not own
	 * every partition (op_open.c). It never completes a reclaim here:
	 * the front may not have seen this node restart yet. */
	clp->rc_done = a->client.reclaim_done;
	clp->last_renew = server_now();
	return clp;
}

static size_t do_compound(struct strata_server *srv, struct xprt_conn *conn,
			  const struct rpc_call *call, uint8_t *buf,
			  size_t cap, uint8_t *rbuf, size_t rcap,
			  size_t *results_at)
{
	peer_compound_args a;
	peer_compound_res res = { .stat = PEER_EGARBAGE };
	struct nfs_client *clp = NULL;
	size_t len;
	int mutated = 0;
	XDR x;

	memset(&a, 0, sizeof(a));
	xdrmem_create(&x, (char *)call->args, (u_int)call->args_len,
		      XDR_DECODE);
	if (!xdr_peer_compound_args(&x, &a)) {
		xdr_free((xdrproc_t)xdr_peer_compound_args, (char *)&a);
		rpc_reply_accepted(buf, call->xid, ACCEPT_GARBAGE_ARGS);
		return RPC_REPLY_HDR_LEN;
	}
	if (!same_map(srv, &a)) {
		res.stat = PEER_EMAP;
	} else if (!(clp = stub_of(srv, &a))) {
		res.stat = PEER_ERESOURCE;
	} else {
		atomic_fetch_add(&srv->metrics.subs_served, 1);
		if (a.retry && answer_resend(srv, &a, call->xid, buf, cap,
					     &len) == 0) {
			log_info("peer: node %u sent a sub-compound again "
				 "(slot %u seqid %u): answered from its record",
				 a.front, a.ref_slot, a.ref_seqid);
			xdr_free((xdrproc_t)xdr_peer_compound_args, (char *)&a);
			return len;
		}
		if (compound_run_sub(srv, conn, &a, clp, rbuf, rcap,
				     &res.peer_compound_res_u.ok,
				     &mutated) == 0)
			res.stat = PEER_OK;
	}
	len = peer_encode_reply(buf, cap, call->xid,
				(xdrproc_t)xdr_peer_compound_res, &res);
	/* RESULTS, the last field, end the reply (with their XDR pad). */
	if (res.stat == PEER_OK) {
		size_t rl = res.peer_compound_res_u.ok.results.results_len;
		size_t padded = (rl + 3) & ~(size_t)3;
		if (padded <= len)
			*results_at = len - padded;
	}
	if (res.stat == PEER_OK && mutated)
		answer_keep(srv, &a, res.peer_compound_res_u.ok.ctx.cur.fileid,
			    buf, len);
	xdr_free((xdrproc_t)xdr_peer_compound_args, (char *)&a);
	return len;
}

static size_t do_client_gone(struct strata_server *srv,
			     const struct rpc_call *call, uint8_t *buf,
			     size_t cap)
{
	peer_client_gone_args a;
	peer_stat st = PEER_OK;
	struct nfs_client *clp;
	XDR x;

	xdrmem_create(&x, (char *)call->args, (u_int)call->args_len,
		      XDR_DECODE);
	if (!xdr_peer_client_gone_args(&x, &a)) {
		rpc_reply_accepted(buf, call->xid, ACCEPT_GARBAGE_ARGS);
		return RPC_REPLY_HDR_LEN;
	}
	clp = client_find(srv, a.clientid);
	if (clp && clp->front) {
		log_debug("peer: client %llx of node %u gone",
			  (unsigned long long)a.clientid, clp->front);
		recovery_forget(srv->recovery, clp->owner, clp->owner_len);
		client_destroy(srv, clp);
	}
	return peer_encode_reply(buf, cap, call->xid, (xdrproc_t)xdr_peer_stat, &st);
}

/* ---- PEER_DELTA ------------------------------------------------------ */

/* Apply A's deltas in this batch; RES gets each one's change_info. */
static peer_stat delta_apply(struct strata_server *srv,
			     const peer_delta_args *a, peer_delta_res *res)
{
	u_int n = a->deltas.deltas_len;
	struct ns_delta *d = calloc(n ? n : 1, sizeof(*d));
	struct ns_cinfo *ci = calloc(n ? n : 1, sizeof(*ci));
	peer_cinfo *out = calloc(n ? n : 1, sizeof(*out));
	peer_stat st = PEER_ERESOURCE;
	int rc;

	if (d && ci && out) {
		for (u_int i = 0; i < n; i++) {
			const peer_delta *p = &a->deltas.deltas_val[i];
			d[i] = (struct ns_delta){
				.seq = p->seq, .dir = p->dir,
				.entries = p->entries, .subdirs = p->subdirs,
				.when = { p->sec, p->nsec } };
		}
		rc = ns_delta_apply(srv->ns, a->shard, d, n, ci);
		if (rc < 0)
			log_warn("peer: deltas of shard %u from node %u: %s",
				 a->shard, a->from, strerror(-rc));
		st = rc < 0 ? (rc == -EREMOTE ? PEER_EMAP : PEER_ERESOURCE)
			    : PEER_OK;
	}
	for (u_int i = 0; st == PEER_OK && i < n; i++)
		out[i] = (peer_cinfo){ ci[i].atomic ? TRUE : FALSE,
				       ci[i].before, ci[i].after };
	if (st == PEER_OK) {
		res->peer_delta_res_u.cinfo.cinfo_len = n;
		res->peer_delta_res_u.cinfo.cinfo_val = out;
		out = NULL;
	}
	free(d);
	free(ci);
	free(out);
	return st;
}

static size_t do_delta(struct strata_server *srv, const struct rpc_call *call,
		       uint8_t *buf, size_t cap)
{
	peer_delta_args a;
	peer_delta_res res = { .stat = PEER_EMAP };
	size_t len;
	XDR x;

	memset(&a, 0, sizeof(a));
	xdrmem_create(&x, (char *)call->args, (u_int)call->args_len,
		      XDR_DECODE);
	if (!xdr_peer_delta_args(&x, &a)) {
		xdr_free((xdrproc_t)xdr_peer_delta_args, (char *)&a);
		rpc_reply_accepted(buf, call->xid, ACCEPT_GARBAGE_ARGS);
		return RPC_REPLY_HDR_LEN;
	}
	if (a.map_epoch == srv->cmap->epoch && cmap_node(srv->cmap, a.from) &&
	    a.from != srv->node && a.shard < srv->cmap->nshards)
		res.stat = delta_apply(srv, &a, &res);
	len = peer_encode_reply(buf, cap, call->xid,
				(xdrproc_t)xdr_peer_delta_res, &res);
	xdr_free((xdrproc_t)xdr_peer_delta_res, (char *)&res);
	xdr_free((xdrproc_t)xdr_peer_delta_args, (char *)&a);
	return len;
}

size_t peer_svc_reply(struct strata_server *srv, struct xprt_conn *conn,
		      const struct rpc_call *call, uint8_t *buf, size_t cap,
		      uint8_t *work, size_t work_cap, size_t *results_at)
{
	*results_at = 0;
	if (call->proc == PEER_COMPOUND)
		return do_compound(srv, conn, call, buf, cap, work, work_cap,
				   results_at);
	if (call->proc == PEER_DELTA)
		return do_delta(srv, call, buf, cap);
	if (peer_xtx_proc(call->proc))
		return peer_xtx_reply(srv, call, buf, cap);
	return do_client_gone(srv, call, buf, cap);
}
