/* nfsd/ops/op_create_session.c — CREATE_SESSION (RFC 8881 §18.36). */
#include <string.h>

#include "log.h"
#include "callback.h"
#include "ops.h"
#include "server.h"
#include "session.h"

#define MAX_CACHED_REPLY (64u * 1024)
#define MAX_OPERATIONS 64
#define BACK_MAX_REQUESTS 16

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Negotiate channel attributes down to what we offer (§18.36.3). */
static nfsstat4 negotiate(struct strata_server *srv, const channel_attrs4 *in,
			  channel_attrs4 *out, int back)
{
	uint32_t maxmsg = srv->cfg.max_msg;

	memset(out, 0, sizeof(*out));
	if (in->ca_maxrequests == 0 || in->ca_maxoperations == 0)
		return NFS4ERR_TOOSMALL;
	/* The smallest useful channel: SEQUENCE + one op with a header. */
	if (in->ca_maxrequestsize < 256 || in->ca_maxresponsesize < 256)
		return NFS4ERR_TOOSMALL;
	out->ca_headerpadsize = 0;
	out->ca_maxrequestsize = min_u32(in->ca_maxrequestsize, maxmsg);
	out->ca_maxresponsesize = min_u32(in->ca_maxresponsesize, maxmsg);
	out->ca_maxresponsesize_cached =
		min_u32(in->ca_maxresponsesize_cached, MAX_CACHED_REPLY);
	out->ca_maxoperations = min_u32(in->ca_maxoperations, MAX_OPERATIONS);
	out->ca_maxrequests = min_u32(in->ca_maxrequests,
				      back ? BACK_MAX_REQUESTS
					   : SESSION_MAX_SLOTS);
	return NFS4_OK;
}

/* A front told CLP an owner restarted (SEQ4_STATUS_RESTART_RECLAIM_NEEDED)
 * and it has not reclaimed yet: a client that now makes a session is
 * recovering as from a server reboot (the Linux client: EXCHANGE_ID,
 * CREATE_SESSION, then the reclaims), so it takes its earlier sessions
 * for lost and will never destroy them; left, they would keep
 * DESTROY_CLIENTID busy (RFC 8881 §18.50.3) until the lease ends. They
 * go here instead (the server may end a session on its own, §2.10.13). */
static void drop_abandoned_sessions(struct compound *c,
				    struct nfs_client *clp)
{
	struct nfs_session *s, *next;
	unsigned n = 0;

	if (!clp->reclaim_nodes)
		return;
	for (s = clp->sessions; s; s = next) {
		next = s->next;
		if (s == c->session)
			continue; /* the one this COMPOUND runs on */
		session_destroy(c->srv, s);
		n++;
	}
	if (n)
		log_info("client %llx recovers from an owner's restart with a "
			 "new session: its %u earlier session(s) dropped",
			 (unsigned long long)clp->clientid, n);
}

static nfsstat4 make_session(struct compound *c, struct nfs_client *clp,
			     const CREATE_SESSION4args *a,
			     CREATE_SESSION4resok *ok)
{
	struct nfs_session *s;
	channel_attrs4 fore, back;
	nfsstat4 st;

	st = negotiate(c->srv, &a->csa_fore_chan_attrs, &fore, 0);
	if (st == NFS4_OK)
		st = negotiate(c->srv, &a->csa_back_chan_attrs, &back, 1);
	if (st != NFS4_OK)
		return st;
	drop_abandoned_sessions(c, clp);
	s = session_new(c->srv, clp);
	if (!s)
		return NFS4ERR_RESOURCE;
	s->fore = fore;
	s->back = back;
	s->cb_program = a->csa_cb_program;
	st = cb_set_sec(s, a->csa_sec_parms.csa_sec_parms_val,
			a->csa_sec_parms.csa_sec_parms_len);
	if (st != NFS4_OK) {
		session_destroy(c->srv, s);
		return st;
	}
	s->flags = a->csa_flags & CREATE_SESSION4_FLAG_CONN_BACK_CHAN;
	if (session_bind_conn(s, c->conn, s->flags != 0) < 0) {
		session_destroy(c->srv, s);
		return NFS4ERR_RESOURCE;
	}
	memcpy(ok->csr_sessionid, s->id, NFS4_SESSIONID_SIZE);
	ok->csr_sequence = a->csa_sequence;
	ok->csr_flags = s->flags;
	ok->csr_fore_chan_attrs = fore;
	ok->csr_back_chan_attrs = back;
	return NFS4_OK;
}

/* A confirmed record replaces any other confirmed one for the same owner
 * (RFC 8881 §18.35.4 case 5: the client rebooted). */
static void confirm(struct compound *c, struct nfs_client *clp)
{
	struct nfs_client *old;

	if (clp->confirmed)
		return;
	old = client_find_owner(c->srv, clp->owner, clp->owner_len, 1);
	if (old && c->session && c->client == old) {
		/* The COMPOUND runs on a session of the record being
		 * replaced: it goes too, and its slot with it. */
		c->session = NULL;
		c->slot = NULL;
		c->client = NULL;
	}
	if (old)
		client_destroy(c->srv, old);
	clp->confirmed = 1;
	/* Stable storage before the reply (RFC 8881 §8.4.2.1). */
	if (recovery_record(c->srv->recovery, clp->owner, clp->owner_len) < 0)
		log_warn("client %llx: could not record for recovery",
			 (unsigned long long)clp->clientid);
}

nfsstat4 op_create_session(struct compound *c, void *args, void *res)
{
	CREATE_SESSION4args *a = args;
	CREATE_SESSION4res *r = res;
	struct nfs_client *clp = client_find(c->srv, a->csa_clientid);
	nfsstat4 st;

	if (!clp)
		return NFS4ERR_STALE_CLIENTID;
	/* §18.36.4: the client record's own one-slot replay cache. */
	if (a->csa_sequence + 1 == clp->seqid && clp->cs_cached) {
		*r = clp->cs_reply;
		return clp->cs_reply.csr_status;
	}
	if (a->csa_sequence != clp->seqid)
		return NFS4ERR_SEQ_MISORDERED;
	if (!clp->confirmed && !client_same_principal(clp, &c->call->cred))
		return NFS4ERR_CLID_INUSE;
	if (a->csa_flags & ~(CREATE_SESSION4_FLAG_PERSIST |
			     CREATE_SESSION4_FLAG_CONN_BACK_CHAN |
			     CREATE_SESSION4_FLAG_CONN_RDMA))
		return NFS4ERR_INVAL;
	st = make_session(c, clp, a, &r->CREATE_SESSION4res_u.csr_resok4);
	if (st != NFS4_OK)
		return st; /* the slot does not advance (§18.36.4) */
	clp->seqid++;
	r->csr_status = st;
	clp->cs_reply = *r;   /* no pointers in it: ca_rdma_ird is empty */
	clp->cs_cached = 1;
	confirm(c, clp);
	client_renew(c->srv, clp);
	return st;
}
