/* nfsd/session.c — client records and sessions. Contract in session.h. */
#include "orphan.h"
#include "session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "recovery.h"
#include "server.h"
#include "callback.h"
#include "state.h"
#include "xprt.h"

struct nfs_client *client_find(struct strata_server *srv, uint64_t clientid)
{
	for (struct nfs_client *c = srv->clients; c; c = c->next)
		if (c->clientid == clientid)
			return c;
	return NULL;
}

struct nfs_client *client_find_owner(struct strata_server *srv,
				     const void *owner, size_t len,
				     int confirmed)
{
	for (struct nfs_client *c = srv->clients; c; c = c->next)
		if (c->confirmed == confirmed &&
		    bytes_eq(c->owner, c->owner_len, owner, len))
			return c;
	return NULL;
}

struct nfs_client *client_new(struct strata_server *srv, const void *owner,
			      size_t len, const verifier4 verf,
			      const struct rpc_cred *cred)
{
	struct nfs_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->owner = malloc(len ? len : 1);
	if (!c->owner) {
		free(c);
		return NULL;
	}
	if (len)
		memcpy(c->owner, owner, len);
	c->owner_len = len;
	memcpy(c->verifier, verf, NFS4_VERIFIER_SIZE);
	c->clientid = client_id_make(srv->cfg.node_id, srv->boot_epoch,
				     (uint32_t)++srv->next_clientid);
	c->principal_flavor = cred->flavor;
	c->principal_uid = cred->uid;
	snprintf(c->principal_machine, sizeof(c->principal_machine), "%s",
		 cred->machine);
	c->seqid = 1;
	c->srv = srv;
	c->last_renew = server_now();
	c->next = srv->clients;
	srv->clients = c;
	return c;
}

struct nfs_client *client_stub(struct strata_server *srv, uint64_t clientid,
			       const void *owner, size_t len,
			       const verifier4 verf,
			       const struct rpc_cred *principal,
			       unsigned front)
{
	struct nfs_client *c = client_find(srv, clientid);

	if (c)
		return c;
	c = client_new(srv, owner, len, verf, principal);
	if (!c)
		return NULL;
	c->clientid = clientid;
	c->confirmed = 1;
	c->front = front;
	/* Its state here can be reclaimed after this node restarts. */
	if (recovery_record(srv->recovery, owner, len) < 0)
		log_warn("client %llx of node %u: not recorded for reclaim",
			 (unsigned long long)clientid, front);
	return c;
}

void client_revoked_add(struct strata_server *srv, struct nfs_client *clp,
			int delta)
{
	if (delta < 0 && clp->revoked < (unsigned)-delta)
		clp->revoked = 0;
	else
		clp->revoked += (unsigned)delta;
	if (clp->front && srv->revoked_remote)
		srv->revoked_remote(srv, clp, delta);
}

int client_same_principal(const struct nfs_client *clp,
			  const struct rpc_cred *cred)
{
	/* AUTH_SYS principals: flavor and uid (the machine name is not
	 * stable across the client's connections, RFC 8881 §2.4.3). */
	return clp->principal_flavor == cred->flavor &&
	       clp->principal_uid == cred->uid;
}

int client_has_state(const struct nfs_client *clp)
{
	return clp->stids != NULL;
}

void client_renew(struct strata_server *srv, struct nfs_client *clp)
{
	(void)srv;
	clp->last_renew = server_now();
	clp->expired = 0;
}

static void session_free(struct nfs_session *s)
{
	for (unsigned i = 0; i < SESSION_MAX_SLOTS; i++)
		free(s->slots[i].reply);
	for (unsigned i = 0; i < s->nconns; i++)
		xprt_conn_put(s->conns[i]);
	if (s->back_conn)
		xprt_conn_put(s->back_conn);
	free(s);
}

void client_destroy(struct strata_server *srv, struct nfs_client *clp)
{
	struct nfs_client **pp;

	/* A front: the owners holding its state drop it too. */
	if (clp->fwd_nodes && srv->client_gone)
		srv->client_gone(srv, clp->clientid, clp->fwd_nodes);
	if (clp->front && srv->stub_gone)
		srv->stub_gone(srv, clp->clientid);
	for (pp = &srv->clients; *pp; pp = &(*pp)->next) {
		if (*pp == clp) {
			*pp = clp->next;
			break;
		}
	}
	while (clp->sessions) {
		struct nfs_session *s = clp->sessions;
		clp->sessions = s->next;
		session_free(s);
	}
	state_release_client(srv, clp);
	if (clp->cs_cached)
		xdr_free((xdrproc_t)xdr_CREATE_SESSION4res,
			 (char *)&clp->cs_reply);
	free(clp->owner);
	free(clp);
}

/* An open of a file unlinked since (state/orphan.h) is of no use to anyone
 * but keeps the file's data: it conflicts with reclaiming that space. */
static int holds_orphan(struct strata_server *srv, const struct nfs_client *c)
{
	if (!srv->orphans)
		return 0;
	for (const struct nfs_stid *st = c->stids; st; st = st->client_next)
		if (st->kind == STID_OPEN && orphan_find(srv, st->fileid))
			return 1;
	return 0;
}

void client_expire(struct strata_server *srv)
{
	time_t now = server_now();
	struct nfs_client *c = srv->clients, *next;

	/* Leases count in seconds: one scan per second is enough, not one
	 * per request. */
	if (now == srv->last_expire_scan)
		return;
	srv->last_expire_scan = now;
	for (; c; c = next) {
		next = c->next;
		if (c->front) {
			/* Its front keeps its lease; a front out of reach for
			 * longer than a lease and a grace lost it for sure. */
			time_t down = srv->node_down[c->front];
			if (down && now - down > (time_t)(srv->cfg.lease_time +
							  srv->cfg.grace_time)) {
				log_info("client %llx: its front, node %u, "
					 "is gone: state released",
					 (unsigned long long)c->clientid,
					 c->front);
				recovery_forget(srv->recovery, c->owner,
						c->owner_len);
				client_destroy(srv, c);
			}
			continue;
		}
		if (now - c->last_renew <= (time_t)srv->cfg.lease_time)
			continue;
		if (!c->confirmed || !client_has_state(c) ||
		    holds_orphan(srv, c)) {
			log_debug("client %llx expired, reaped",
				  (unsigned long long)c->clientid);
			if (c->confirmed)
				recovery_forget(srv->recovery, c->owner,
						c->owner_len);
			client_destroy(srv, c);
		} else {
			/* Courteous: keep state until it conflicts. */
			c->expired = 1;
		}
	}
}

static int holds_file(const struct nfs_client *c, uint64_t fileid)
{
	for (const struct nfs_stid *st = c->stids; st; st = st->client_next)
		if (st->fileid == fileid)
			return 1;
	return 0;
}

void client_release_expired_on(struct strata_server *srv, uint64_t fileid)
{
	struct nfs_client *c = srv->clients, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->expired && holds_file(c, fileid)) {
			log_info("client %llx: lease expired, state released",
				 (unsigned long long)c->clientid);
			recovery_forget(srv->recovery, c->owner, c->owner_len);
			client_destroy(srv, c);
		}
	}
}

struct nfs_session *session_find(struct strata_server *srv,
				 const sessionid4 id)
{
	for (struct nfs_client *c = srv->clients; c; c = c->next)
		for (struct nfs_session *s = c->sessions; s; s = s->next)
			if (memcmp(s->id, id, NFS4_SESSIONID_SIZE) == 0)
				return s;
	return NULL;
}

struct nfs_session *session_new(struct strata_server *srv,
				struct nfs_client *clp)
{
	struct nfs_session *s = calloc(1, sizeof(*s));
	uint64_t n;

	if (!s)
		return NULL;
	n = ++srv->next_stid;
	/* clientid | counter | this server instance's random tag: ids are
	 * unique per server by construction, and the tag keeps the MDS's
	 * and every DS's sessions apart for a client or a capture tool
	 * that keys sessions by id alone (NFStest does). */
	memcpy(s->id, &clp->clientid, 8);
	memcpy(s->id + 8, &n, 4);
	memcpy(s->id + 12, srv->session_tag, 4);
	s->client = clp;
	s->next = clp->sessions;
	clp->sessions = s;
	return s;
}

void session_destroy(struct strata_server *srv, struct nfs_session *s)
{
	struct nfs_session **pp;

	(void)srv;
	for (pp = &s->client->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	session_free(s);
}

int session_has_conn(const struct nfs_session *s,
		     const struct xprt_conn *conn)
{
	for (unsigned i = 0; i < s->nconns; i++)
		if (s->conns[i] == conn)
			return 1;
	return 0;
}

int session_bind_conn(struct nfs_session *s, struct xprt_conn *conn,
		      int back)
{
	if (!session_has_conn(s, conn)) {
		/* Drop connections that have gone away before refusing. */
		unsigned j = 0;
		for (unsigned i = 0; i < s->nconns; i++) {
			if (atomic_load(&s->conns[i]->dead))
				xprt_conn_put(s->conns[i]);
			else
				s->conns[j++] = s->conns[i];
		}
		s->nconns = j;
		if (s->nconns == SESSION_MAX_CONNS)
			return -ENOSPC;
		xprt_conn_get(conn);
		s->conns[s->nconns++] = conn;
	}
	if (back && s->back_conn != conn) {
		/* Binding runs on CONN's own receive thread, the only reader
		 * of the hook. */
		conn->on_reply = cb_on_reply;
		conn->on_reply_ctx = s->client->srv;
		xprt_conn_get(conn);
		if (s->back_conn)
			xprt_conn_put(s->back_conn);
		s->back_conn = conn;
	}
	return 0;
}
