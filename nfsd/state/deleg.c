/* nfsd/state/deleg.c — delegation grant, recall, revocation. See deleg.h. */
#include "deleg.h"

#include <string.h>

#include "callback.h"
#include "cluster.h"
#include "log.h"
#include "server.h"
#include "session.h"
#include "state.h"

/* Does any other client hold state on FILEID that forbids a delegation of
 * type WRITE (1) or READ (0) to CLP? */
static int others_conflict(struct strata_server *srv,
			   const struct nfs_client *clp, uint64_t fileid,
			   int write)
{
	STATE_FOR_FILE(srv, fileid, st)
	{
		if (st->client == clp || st->revoked)
			continue;
		if (write && (st->kind == STID_OPEN ||
			      st->kind == STID_DELEG))
			return 1;
		if (st->kind == STID_OPEN &&
		    (st->access & OPEN4_SHARE_ACCESS_WRITE))
			return 1;
		if (st->kind == STID_DELEG &&
		    (st->access & OPEN4_SHARE_ACCESS_WRITE))
			return 1;
	}
	return 0;
}

static struct nfs_stid *own_deleg(struct strata_server *srv,
				  const struct nfs_client *clp,
				  uint64_t fileid)
{
	STATE_FOR_FILE(srv, fileid, st)
		if (st->kind == STID_DELEG && st->client == clp &&
		    !st->revoked)
			return st;
	return NULL;
}

static void none_ext(open_delegation4 *out, why_no_delegation4 why)
{
	out->delegation_type = OPEN_DELEGATE_NONE_EXT;
	out->open_delegation4_u.od_whynone.ond_why = why;
}

/* The permissions ACE the client may use to check access while it holds
 * the delegation: none granted here, so it asks with ACCESS. */
static void fill_read(open_read_delegation4 *r, const struct nfs_stid *st)
{
	stid_to_wire(st, &r->stateid);
	r->recall = FALSE;
	r->permissions.type = ACE4_ACCESS_ALLOWED_ACE_TYPE;
}

static void fill_write(open_write_delegation4 *w, const struct nfs_stid *st)
{
	stid_to_wire(st, &w->stateid);
	w->recall = FALSE;
	w->space_limit.limitby = NFS_LIMIT_SIZE;
	w->space_limit.nfs_space_limit4_u.filesize = UINT64_MAX;
	w->permissions.type = ACE4_ACCESS_ALLOWED_ACE_TYPE;
}

void deleg_offer(struct compound *c, uint64_t fileid, uint32_t gen,
		 uint32_t share_access, open_delegation4 *out)
{
	struct nfs_client *clp = c->client;
	uint32_t want = share_access & OPEN4_SHARE_ACCESS_WANT_DELEG_MASK;
	int wants_write = want == OPEN4_SHARE_ACCESS_WANT_WRITE_DELEG ||
			  want == OPEN4_SHARE_ACCESS_WANT_ANY_DELEG;
	int write = (share_access & OPEN4_SHARE_ACCESS_WRITE) != 0;
	struct nfs_stid *st;

	out->delegation_type = OPEN_DELEGATE_NONE;
	if (want == OPEN4_SHARE_ACCESS_WANT_NO_DELEG ||
	    want == OPEN4_SHARE_ACCESS_WANT_CANCEL) {
		none_ext(out, want == OPEN4_SHARE_ACCESS_WANT_CANCEL
				      ? WND4_CANCELLED
				      : WND4_NOT_WANTED);
		return;
	}
	if (write && !wants_write) {
		if (want)
			none_ext(out, WND4_NOT_SUPP_UPGRADE);
		return;
	}
	if (!cb_reachable(c->srv, clp) ||
	    others_conflict(c->srv, clp, fileid, write)) {
		if (want)
			none_ext(out, WND4_CONTENTION);
		return;
	}
	st = own_deleg(c->srv, clp, fileid);
	if (st && write && !(st->access & OPEN4_SHARE_ACCESS_WRITE)) {
		if (want)
			none_ext(out, WND4_NOT_SUPP_UPGRADE);
		return;
	}
	if (!st) {
		st = stid_new(c->srv, clp, STID_DELEG, fileid, NULL, 0);
		if (!st) {
			if (want)
				none_ext(out, WND4_RESOURCE);
			return;
		}
		st->access = write ? OPEN4_SHARE_ACCESS_WRITE
				   : OPEN4_SHARE_ACCESS_READ;
		st->generation = gen;
		memcpy(st->ref_session, c->ref.session, NFS4_SESSIONID_SIZE);
		st->ref_slot = c->ref.slot;
		st->ref_seqid = c->ref.seqid;
	}
	if (st->access & OPEN4_SHARE_ACCESS_WRITE) {
		out->delegation_type = OPEN_DELEGATE_WRITE;
		fill_write(&out->open_delegation4_u.write, st);
	} else {
		out->delegation_type = OPEN_DELEGATE_READ;
		fill_read(&out->open_delegation4_u.read, st);
	}
}

/* RFC 8881 §10.4.6: a delegation not returned within a lease after its
 * recall is revoked; the client learns it from SEQUENCE's status flags. */
static void deleg_revoke(struct strata_server *srv, struct nfs_stid *st)
{
	/* Data servers must refuse it too (pnfs/ds_state.h). */
	if (srv->cluster)
		cluster_revoke(srv->cluster,
			       (const uint8_t(*)[12])st->other, 1);
	log_info("client %llx: delegation on fileid %llx revoked (not "
		 "returned after recall)",
		 (unsigned long long)st->client->clientid,
		 (unsigned long long)st->fileid);
	st->revoked = 1;
	client_revoked_add(srv, st->client, 1);
	atomic_fetch_add(&srv->metrics.recalls_timedout[METRICS_RECALL_DELEG], 1);
}

static int conflicts(const struct nfs_stid *st, const struct nfs_client *clp,
		     int write)
{
	return st->kind == STID_DELEG && !st->revoked && st->client != clp &&
	       (write || (st->access & OPEN4_SHARE_ACCESS_WRITE));
}

nfsstat4 deleg_break(struct strata_server *srv, const struct nfs_client *clp,
		     uint64_t fileid, int write)
{
	time_t now = server_now();
	int pending = 0;

	STATE_FOR_FILE(srv, fileid, st)
	{
		if (!conflicts(st, clp, write))
			continue;
		if (!st->recalled)
			st->recalled = now;
		if (now - st->recalled > (time_t)srv->cfg.lease_time) {
			deleg_revoke(srv, st);
			continue;
		}
		pending = 1;
		if (st->recall_sent)
			continue;
		/* Not sent yet (no back channel now, or its slot is busy):
		 * tried again on the opener's retry. */
		if (cb_recall(srv, st) == 0)
			st->recall_sent = 1;
	}
	return pending ? NFS4ERR_DELAY : NFS4_OK;
}
