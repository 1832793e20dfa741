/* nfsd/ops/op_lock.c — LOCK (RFC 8881 §18.10), LOCKT (§18.11),
 * LOCKU (§18.12). Byte ranges are [offset, offset+length), length
 * NFS4_UINT64_MAX meaning to the end of file. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ops.h"
#include "server.h"
#include "session.h"
#include "state.h"

static int is_write(nfs_lock_type4 t)
{
	return t == WRITE_LT || t == WRITEW_LT;
}

/* §18.10.3: zero length or a range past 2^64 is NFS4ERR_INVAL. */
static nfsstat4 range(offset4 off, length4 len, uint64_t *start,
		      uint64_t *end)
{
	if (len == 0)
		return NFS4ERR_INVAL;
	*start = off;
	if (len == UINT64_MAX) {
		*end = UINT64_MAX;
		return NFS4_OK;
	}
	if (off + len < off)
		return NFS4ERR_INVAL;
	*end = off + len;
	return NFS4_OK;
}

static nfsstat4 file_ok(const struct compound *c)
{
	if (c->cur.type == NS_REG)
		return NFS4_OK;
	return c->cur.type == NS_DIR ? NFS4ERR_ISDIR : NFS4ERR_INVAL;
}

static nfsstat4 denied(const struct nfs_stid *holder, uint64_t start,
		       uint64_t end, int write, LOCK4denied *d)
{
	const struct lock_range *r = holder->locks;

	for (; r; r = r->next)
		if (r->start < end && start < r->end && (write || r->write))
			break;
	if (r) {
		d->offset = r->start;
		d->length = r->end == UINT64_MAX ? UINT64_MAX
						 : r->end - r->start;
		d->locktype = r->write ? WRITE_LT : READ_LT;
	}
	d->owner.clientid = holder->client->clientid;
	d->owner.owner.owner_val = malloc(holder->owner_len ? holder->owner_len
							    : 1);
	if (!d->owner.owner.owner_val)
		return NFS4ERR_RESOURCE;
	if (holder->owner_len)
		memcpy(d->owner.owner.owner_val, holder->owner,
		       holder->owner_len);
	d->owner.owner.owner_len = (u_int)holder->owner_len;
	return NFS4ERR_DENIED;
}

static struct nfs_stid *find_lock_stid(struct strata_server *srv,
				       const struct nfs_client *clp,
				       uint64_t fileid, const void *owner,
				       size_t len)
{
	STATE_FOR_FILE(srv, fileid, st)
		if (st->kind == STID_LOCK && st->client == clp &&
		    bytes_eq(st->owner, st->owner_len, owner, len))
			return st;
	return NULL;
}

/* The lock stateid the request names or creates (§18.10.3). */
static nfsstat4 lock_stid(struct compound *c, const LOCK4args *a,
			  struct nfs_stid **out)
{
	struct nfs_stid *open, *ls;
	nfsstat4 s;

	if (!a->locker.new_lock_owner) {
		s = state_resolve(c, &a->locker.locker4_u.lock_owner.lock_stateid,
				  1u << STID_LOCK, c->cur.fileid, &ls);
		if (s == NFS4_OK && !ls)
			s = NFS4ERR_BAD_STATEID;
		*out = ls;
		return s;
	}
	const open_to_lock_owner4 *o = &a->locker.locker4_u.open_owner;
	s = state_resolve(c, &o->open_stateid, 1u << STID_OPEN, c->cur.fileid,
			  &open);
	if (s == NFS4_OK && !open)
		s = NFS4ERR_BAD_STATEID;
	if (s != NFS4_OK)
		return s;
	if (is_write(a->locktype) &&
	    !(open->access & OPEN4_SHARE_ACCESS_WRITE))
		return NFS4ERR_OPENMODE;
	ls = find_lock_stid(c->srv, open->client, c->cur.fileid,
			    o->lock_owner.owner.owner_val,
			    o->lock_owner.owner.owner_len);
	if (!ls) {
		ls = stid_new(c->srv, open->client, STID_LOCK, c->cur.fileid,
			      o->lock_owner.owner.owner_val,
			      o->lock_owner.owner.owner_len);
		if (!ls)
			return NFS4ERR_RESOURCE;
		ls->seqid = 0; /* bumped to 1 when the lock is granted */
	}
	ls->open = open;
	*out = ls;
	return NFS4_OK;
}

/* §8.4.2: reclaims only in grace by owners that may; new locks only
 * outside grace. */
static nfsstat4 lock_grace_check(struct compound *c, bool_t reclaim)
{
	struct nfs_client *clp = c->client;
	time_t now = server_now();

	if (reclaim)
		return !clp->reclaim_complete &&
				       recovery_may_reclaim(c->srv->recovery, clp->owner,
					    clp->owner_len, now)
			       ? NFS4_OK
			       : NFS4ERR_NO_GRACE;
	return recovery_in_grace(c->srv->recovery, now) ? NFS4ERR_GRACE
							: NFS4_OK;
}

nfsstat4 op_lock(struct compound *c, void *args, void *res)
{
	LOCK4args *a = args;
	LOCK4res *r = res;
	struct nfs_stid *ls, *holder;
	uint64_t start, end;
	nfsstat4 s = file_ok(c);

	if (s == NFS4_OK)
		s = range(a->offset, a->length, &start, &end);
	if (s != NFS4_OK)
		return s;
	s = lock_grace_check(c, a->reclaim);
	if (s != NFS4_OK)
		return s;
	client_release_expired_on(c->srv, c->cur.fileid);
	s = lock_stid(c, a, &ls);
	if (s != NFS4_OK)
		return s;
	holder = lock_conflict(c->srv, c->cur.fileid, ls->client, ls->owner,
			       ls->owner_len, is_write(a->locktype), start,
			       end);
	if (holder) {
		if (ls->seqid == 0 && !ls->locks)
			stid_free(c->srv, ls);
		return denied(holder, start, end, is_write(a->locktype),
			      &r->LOCK4res_u.denied);
	}
	if (lock_add(ls, is_write(a->locktype), start, end) < 0)
		return NFS4ERR_RESOURCE;
	ls->seqid++;
	if (a->reclaim)
		log_info("reclaim: client %llx lock fileid %llx",
			 (unsigned long long)ls->client->clientid,
			 (unsigned long long)c->cur.fileid);
	stid_to_wire(ls, &r->LOCK4res_u.resok4.lock_stateid);
	set_cur_stateid(c, &r->LOCK4res_u.resok4.lock_stateid);
	return NFS4_OK;
}

nfsstat4 op_lockt(struct compound *c, void *args, void *res)
{
	LOCKT4args *a = args;
	LOCKT4res *r = res;
	struct nfs_stid *holder;
	uint64_t start, end;
	nfsstat4 s = file_ok(c);

	if (s == NFS4_OK)
		s = range(a->offset, a->length, &start, &end);
	if (s != NFS4_OK)
		return s;
	holder = lock_conflict(c->srv, c->cur.fileid, c->client,
			       a->owner.owner.owner_val,
			       a->owner.owner.owner_len, is_write(a->locktype),
			       start, end);
	if (!holder)
		return NFS4_OK;
	return denied(holder, start, end, is_write(a->locktype),
		      &r->LOCKT4res_u.denied);
}

nfsstat4 op_locku(struct compound *c, void *args, void *res)
{
	LOCKU4args *a = args;
	LOCKU4res *r = res;
	struct nfs_stid *ls;
	uint64_t start, end;
	nfsstat4 s = file_ok(c);

	if (s == NFS4_OK)
		s = range(a->offset, a->length, &start, &end);
	if (s != NFS4_OK)
		return s;
	s = state_resolve(c, &a->lock_stateid, 1u << STID_LOCK, c->cur.fileid,
			  &ls);
	if (s == NFS4_OK && !ls)
		s = NFS4ERR_BAD_STATEID;
	if (s != NFS4_OK)
		return s;
	if (lock_remove(ls, start, end) < 0)
		return NFS4ERR_RESOURCE;
	ls->seqid++;
	stid_to_wire(ls, &r->LOCKU4res_u.lock_stateid);
	set_cur_stateid(c, &r->LOCKU4res_u.lock_stateid);
	return NFS4_OK;
}
