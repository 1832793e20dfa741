/* nfsd/ops/op_sequence.c — SEQUENCE (RFC 8881 §18.46, slot rules §2.10.6.1). */
#include <string.h>

#include "ops.h"
#include "server.h"
#include "session.h"
#include "xprt.h"

static uint32_t status_flags(const struct nfs_session *s)
{
	uint32_t f = 0;

	if ((s->flags & CREATE_SESSION4_FLAG_CONN_BACK_CHAN) &&
	    (!s->back_conn || atomic_load(&s->back_conn->dead)))
		f |= SEQ4_STATUS_CB_PATH_DOWN;
	if (s->client->revoked)
		f |= SEQ4_STATUS_RECALLABLE_STATE_REVOKED;
	/* An owner of some of its state restarted (RFC 8881 §18.46.3):
	 * reclaim through this front (docs/decisions/0024). */
	if (s->client->reclaim_nodes)
		f |= SEQ4_STATUS_RESTART_RECLAIM_NEEDED;
	return f;
}

nfsstat4 op_sequence(struct compound *c, void *args, void *res)
{
	SEQUENCE4args *a = args;
	SEQUENCE4resok *ok = &((SEQUENCE4res *)res)->SEQUENCE4res_u.sr_resok4;
	struct nfs_session *s = session_find(c->srv, a->sa_sessionid);
	struct nfs_slot *slot;
	size_t cap;

	if (!s)
		return NFS4ERR_BADSESSION;
	if (a->sa_slotid >= s->fore.ca_maxrequests)
		return NFS4ERR_BADSLOT;
	slot = &s->slots[a->sa_slotid];
	switch (session_slot_classify(slot, a->sa_sequenceid)) {
	case SLOT_MISORDERED:
		return NFS4ERR_SEQ_MISORDERED;
	case SLOT_REPLAY:
		if (slot->in_use)
			return NFS4ERR_DELAY;
		if (!slot->cached)
			return NFS4ERR_RETRY_UNCACHED_REP;
		c->replay = slot->reply;
		c->replay_len = slot->reply_len;
		return NFS4_OK;
	case SLOT_NEW:
		break;
	}
	if (c->nops > s->fore.ca_maxoperations)
		return NFS4ERR_TOO_MANY_OPS;
	if (c->call->args_len > s->fore.ca_maxrequestsize)
		return NFS4ERR_REQ_TOO_BIG;
	/* SP4_NONE: a connection used with the session is bound to its
	 * fore channel implicitly (§2.10.3.1). */
	session_bind_conn(s, c->conn, 0);
	slot->seqid = a->sa_sequenceid;
	slot->used = 1;
	slot->in_use = 1;
	c->session = s;
	c->slot = slot;
	c->client = s->client;
	c->rc_nodes = s->client->reclaim_nodes;
	c->state_nodes = s->client->state_nodes;
	memcpy(c->ref.session, s->id, NFS4_SESSIONID_SIZE);
	c->ref.slot = a->sa_slotid;
	c->ref.seqid = a->sa_sequenceid;
	c->cachethis = a->sa_cachethis;
	cap = a->sa_cachethis ? s->fore.ca_maxresponsesize_cached
			      : s->fore.ca_maxresponsesize;
	if (cap < c->max_reply)
		c->max_reply = cap;
	client_renew(c->srv, s->client);

	memcpy(ok->sr_sessionid, s->id, NFS4_SESSIONID_SIZE);
	ok->sr_sequenceid = a->sa_sequenceid;
	ok->sr_slotid = a->sa_slotid;
	ok->sr_highest_slotid = s->fore.ca_maxrequests - 1;
	ok->sr_target_highest_slotid = s->fore.ca_maxrequests - 1;
	ok->sr_status_flags = status_flags(s);
	return NFS4_OK;
}
