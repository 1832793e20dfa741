/* pnfs/peer_cb.c — see peer_cb.h. */
#include "peer_cb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "callback.h"
#include "layout_state.h"
#include "log.h"
#include "peer_client.h"
#include "peer_prot.h"
#include "peer_svc.h"
#include "rpc.h"
#include "server.h"
#include "session.h"
#include "state.h"

/* ---- owner: ask the front ---------------------------------------------- */

struct asked {
	struct strata_server *srv;
	uint8_t other[NFS4_OTHER_SIZE];
};

/* Link thread: the front's answer to PEER_CALLBACK. */
static void callback_answered(void *ctx, int err, void *res)
{
	struct asked *a = ctx;
	int st = err ? -err : (res ? *(int *)res : EIO);

	if (st) {
		pthread_mutex_lock(&a->srv->state_lock);
		cb_remote_failed(a->srv, a->other);
		pthread_mutex_unlock(&a->srv->state_lock);
	}
	free(res);
	free(a);
}

static int remote_recall(struct strata_server *srv, const struct nfs_stid *st,
			 int layout)
{
	peer_callback_args a;
	struct asked *ctx = malloc(sizeof(*ctx));
	int rc;

	if (!ctx)
		return -ENOMEM;
	ctx->srv = srv;
	memcpy(ctx->other, st->other, NFS4_OTHER_SIZE);
	memset(&a, 0, sizeof(a));
	a.clientid = st->client->clientid;
	a.owner = srv->node;
	a.kind = layout ? PEER_CB_LAYOUTRECALL : PEER_CB_RECALL;
	a.stateid.valid = TRUE;
	a.stateid.seqid = st->seqid;
	memcpy(a.stateid.other, st->other, NFS4_OTHER_SIZE);
	a.fileid = st->fileid;
	a.generation = st->generation;
	memcpy(a.ref_session, st->ref_session, NFS4_SESSIONID_SIZE);
	a.ref_slot = st->ref_slot;
	a.ref_seqid = st->ref_seqid;
	rc = peer_call(srv->peers, st->client->front, PEER_CALLBACK,
		       (xdrproc_t)xdr_peer_callback_args, &a,
		       (xdrproc_t)xdr_int, sizeof(int), callback_answered,
		       ctx);
	if (rc < 0)
		free(ctx);
	return rc;
}

static void revoked_answered(void *ctx, int err, void *res)
{
	(void)ctx;
	if (err || !res || *(int *)res)
		log_warn("a revocation was not told to a client's front");
	free(res);
}

static void remote_revoked(struct strata_server *srv, struct nfs_client *clp,
			   int delta)
{
	peer_callback_args a;

	memset(&a, 0, sizeof(a));
	a.clientid = clp->clientid;
	a.owner = srv->node;
	a.kind = PEER_CB_REVOKED;
	a.revoked = delta;
	if (peer_call(srv->peers, clp->front, PEER_CALLBACK,
		      (xdrproc_t)xdr_peer_callback_args, &a,
		      (xdrproc_t)xdr_int, sizeof(int), revoked_answered,
		      NULL) < 0)
		log_warn("a revocation was not told to node %u", clp->front);
}

/* ---- front: tell the owner the client's answer ------------------------ */

static void done_answered(void *ctx, int err, void *res)
{
	(void)ctx;
	(void)err;
	free(res);
}

static void done_remote(struct strata_server *srv, unsigned node,
			const uint8_t other[12], uint32_t status)
{
	peer_cb_done_args a;

	memcpy(a.other, other, NFS4_OTHER_SIZE);
	a.status = status;
	if (peer_call(srv->peers, node, PEER_CB_DONE,
		      (xdrproc_t)xdr_peer_cb_done_args, &a,
		      (xdrproc_t)xdr_peer_stat, sizeof(peer_stat),
		      done_answered, NULL) < 0)
		log_warn("layout recall answer for node %u not sent", node);
}

void peer_cb_install(struct strata_server *srv)
{
	srv->cb_remote = remote_recall;
	srv->revoked_remote = remote_revoked;
	srv->cb_done_remote = done_remote;
}

/* ---- serving them ------------------------------------------------------- */

/* Front: recall the owner's state from our client. */
static int serve_callback(struct strata_server *srv,
			  const peer_callback_args *a)
{
	struct nfs_stid st;
	struct nfs_client *clp;
	int rc;

	memset(&st, 0, sizeof(st));
	st.kind = a->kind == PEER_CB_LAYOUTRECALL ? STID_LAYOUT : STID_DELEG;
	st.seqid = a->stateid.seqid;
	memcpy(st.other, a->stateid.other, NFS4_OTHER_SIZE);
	st.fileid = a->fileid;
	st.generation = a->generation;
	memcpy(st.ref_session, a->ref_session, NFS4_SESSIONID_SIZE);
	st.ref_slot = a->ref_slot;
	st.ref_seqid = a->ref_seqid;
	pthread_mutex_lock(&srv->state_lock);
	clp = client_find(srv, a->clientid);
	st.client = clp;
	if (!clp || clp->front)
		rc = -ENOENT;
	else if (a->kind == PEER_CB_REVOKED)
		rc = (client_revoked_add(srv, clp, a->revoked), 0);
	else
		rc = cb_recall_for(srv, clp, a->owner, st.kind == STID_LAYOUT,
				   &st);
	pthread_mutex_unlock(&srv->state_lock);
	return rc < 0 ? -rc : 0;
}

size_t peer_cb_serve(struct strata_server *srv, const struct rpc_call *call,
		     uint8_t *buf, size_t cap)
{
	XDR x;

	xdrmem_create(&x, (char *)call->args, (u_int)call->args_len,
		      XDR_DECODE);
	if (call->proc == PEER_CALLBACK) {
		peer_callback_args a;
		int st;

		memset(&a, 0, sizeof(a));
		if (!xdr_peer_callback_args(&x, &a))
			goto garbage;
		st = serve_callback(srv, &a);
		return peer_encode_reply(buf, cap, call->xid, (xdrproc_t)xdr_int, &st);
	} else {
		peer_cb_done_args a;
		peer_stat ok = PEER_OK;

		if (!xdr_peer_cb_done_args(&x, &a))
			goto garbage;
		pthread_mutex_lock(&srv->state_lock);
		layout_recall_done(srv, (const uint8_t *)a.other, a.status);
		pthread_mutex_unlock(&srv->state_lock);
		return peer_encode_reply(buf, cap, call->xid, (xdrproc_t)xdr_peer_stat,
			      &ok);
	}
garbage:
	rpc_reply_accepted(buf, call->xid, ACCEPT_GARBAGE_ARGS);
	return RPC_REPLY_HDR_LEN;
}
