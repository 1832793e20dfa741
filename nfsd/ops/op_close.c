/* nfsd/ops/op_close.c — CLOSE (RFC 8881 §18.2), OPEN_DOWNGRADE (§18.18). */
#include <string.h>

#include "ops.h"
#include "server.h"
#include "session.h"
#include "state.h"

static int has_locks(const struct nfs_stid *open)
{
	for (struct nfs_stid *st = open->client->stids; st;
	     st = st->client_next)
		if (st->kind == STID_LOCK && st->open == open && st->locks)
			return 1;
	return 0;
}

nfsstat4 op_close(struct compound *c, void *args, void *res)
{
	CLOSE4args *a = args;
	CLOSE4res *r = res;
	struct nfs_stid *st;
	uint64_t fileid = c->cur.fileid;
	nfsstat4 s;

	s = state_resolve(c, &a->open_stateid, 1u << STID_OPEN, fileid, &st);
	if (s != NFS4_OK)
		return s;
	if (!st)
		return NFS4ERR_BAD_STATEID;
	if (has_locks(st))
		return NFS4ERR_LOCKS_HELD;
	/* Lock stateids made from this open go with it. */
	for (struct nfs_stid *l = st->client->stids, *n; l; l = n) {
		n = l->client_next;
		if (l->kind == STID_LOCK && l->open == st)
			stid_free(c->srv, l);
	}
	stid_free(c->srv, st);
	/* §18.2.4: the reply carries the invalid special stateid. */
	r->CLOSE4res_u.open_stateid.seqid = 0xffffffffu;
	memset(r->CLOSE4res_u.open_stateid.other, 0, NFS4_OTHER_SIZE);
	c->cur_stateid_valid = 0;
	data_release_if_orphan(c, fileid);
	return NFS4_OK;
}

nfsstat4 op_open_downgrade(struct compound *c, void *args, void *res)
{
	OPEN_DOWNGRADE4args *a = args;
	OPEN_DOWNGRADE4resok *ok =
		&((OPEN_DOWNGRADE4res *)res)->OPEN_DOWNGRADE4res_u.resok4;
	uint32_t access = a->share_access & OPEN4_SHARE_ACCESS_BOTH;
	struct nfs_stid *st;
	nfsstat4 s;

	s = state_resolve(c, &a->open_stateid, 1u << STID_OPEN, c->cur.fileid,
			  &st);
	if (s != NFS4_OK)
		return s;
	if (!st)
		return NFS4ERR_BAD_STATEID;
	/* §18.18.3: only to a subset of what is held. */
	if (access == 0 || (access & ~st->access) ||
	    (a->share_deny & ~st->deny))
		return NFS4ERR_INVAL;
	st->access = access;
	st->deny = a->share_deny;
	st->seqid++;
	stid_to_wire(st, &ok->open_stateid);
	set_cur_stateid(c, &ok->open_stateid);
	return NFS4_OK;
}
