/* nfsd/ops/op_session_misc.c — DESTROY_SESSION (§18.37),
 * BIND_CONN_TO_SESSION (§18.34), DESTROY_CLIENTID (§18.50),
 * RECLAIM_COMPLETE (§18.51), BACKCHANNEL_CTL (§18.33). */
#include <string.h>

#include "callback.h"
#include "log.h"
#include "ops.h"
#include "server.h"
#include "session.h"

nfsstat4 op_destroy_session(struct compound *c, void *args, void *res)
{
	DESTROY_SESSION4args *a = args;
	struct nfs_session *s = session_find(c->srv, a->dsa_sessionid);

	(void)res;
	if (!s)
		return NFS4ERR_BADSESSION;
	if (!client_same_principal(s->client, &c->call->cred))
		return NFS4ERR_PERM;
	if (s == c->session) {
		/* §18.37.3: it must be the last op; nothing may use the
		 * slot after this, so the reply is not cached. */
		if (c->opindex + 1 != c->nops)
			return NFS4ERR_NOT_ONLY_OP;
		c->session = NULL;
		c->slot = NULL;
	}
	session_destroy(c->srv, s);
	return NFS4_OK;
}

nfsstat4 op_bind_conn_to_session(struct compound *c, void *args, void *res)
{
	BIND_CONN_TO_SESSION4args *a = args;
	BIND_CONN_TO_SESSION4resok *ok =
		&((BIND_CONN_TO_SESSION4res *)res)
			 ->BIND_CONN_TO_SESSION4res_u.bctsr_resok4;
	struct nfs_session *s = session_find(c->srv, a->bctsa_sessid);
	channel_dir_from_server4 dir;

	if (!s)
		return NFS4ERR_BADSESSION;
	switch (a->bctsa_dir) {
	case CDFC4_FORE:
		dir = CDFS4_FORE;
		break;
	case CDFC4_BACK:
		dir = CDFS4_BACK;
		break;
	case CDFC4_FORE_OR_BOTH:
	case CDFC4_BACK_OR_BOTH:
		dir = CDFS4_BOTH;
		break;
	default:
		return NFS4ERR_INVAL;
	}
	if (session_bind_conn(s, c->conn, dir != CDFS4_FORE) < 0)
		return NFS4ERR_RESOURCE;
	if (dir != CDFS4_FORE)
		s->flags |= CREATE_SESSION4_FLAG_CONN_BACK_CHAN;
	memcpy(ok->bctsr_sessid, s->id, NFS4_SESSIONID_SIZE);
	ok->bctsr_dir = dir;
	ok->bctsr_use_conn_in_rdma_mode = FALSE;
	client_renew(c->srv, s->client);
	return NFS4_OK;
}

nfsstat4 op_destroy_clientid(struct compound *c, void *args, void *res)
{
	DESTROY_CLIENTID4args *a = args;
	struct nfs_client *clp = client_find(c->srv, a->dca_clientid);

	(void)res;
	if (!clp)
		return NFS4ERR_STALE_CLIENTID;
	/* RFC 8881 §18.50.3; a front asks what its owners said. */
	if (clp->sessions || client_has_state(clp) || clp->state_nodes) {
		log_debug("DESTROY_CLIENTID %llx: busy (sessions %d, state "
			  "%d, held at nodes %#llx)",
			  (unsigned long long)clp->clientid, !!clp->sessions,
			  client_has_state(clp),
			  (unsigned long long)clp->state_nodes);
		return NFS4ERR_CLIENTID_BUSY;
	}
	if (clp->confirmed)
		recovery_forget(c->srv->recovery, clp->owner, clp->owner_len);
	client_destroy(c->srv, clp);
	return NFS4_OK;
}

nfsstat4 op_reclaim_complete(struct compound *c, void *args, void *res)
{
	RECLAIM_COMPLETE4args *a = args;
	struct nfs_client *clp = c->client;

	(void)res;
	if (a->rca_one_fs)
		return NFS4_OK; /* per-fs reclaim: we have one fs */
	if (clp->reclaim_complete)
		return NFS4ERR_COMPLETE_ALREADY;
	/* In grace, completion is per owner: a client that finished
	 * reclaiming and comes back with a new client ID has nothing left to
	 * reclaim (RFC 8881 §18.51.3). */
	if (recovery_reclaim_complete(c->srv->recovery, clp->owner,
				      clp->owner_len, server_now()))
		return NFS4ERR_COMPLETE_ALREADY;
	clp->reclaim_complete = 1;
	/* A front that is the root's owner: the client is done reclaiming
	 * at every node too (nfsd/session.h rc_done). */
	clp->rc_done = 1;
	clp->reclaim_nodes = 0;
	return NFS4_OK;
}

nfsstat4 op_backchannel_ctl(struct compound *c, void *args, void *res)
{
	BACKCHANNEL_CTL4args *a = args;

	(void)res;
	c->session->cb_program = a->bca_cb_program;
	return cb_set_sec(c->session, a->bca_sec_parms.bca_sec_parms_val,
			  a->bca_sec_parms.bca_sec_parms_len);
}
