/* nfsd/ops/op_open.c — OPEN (RFC 8881 §18.16). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "deleg.h"
#include "layout_state.h"
#include "log.h"
#include "data.h"
#include "ops.h"
#include "residency.h"
#include "server.h"
#include "session.h"
#include "state.h"

struct open_target {
	struct ns_inode ino;
	struct ns_cinfo ci;
	int created;
	int checked; /* the caller's access to the file was checked */
	bitmap4 attrset;
};

/* May the caller open the existing file INO for ACCESS (share access
 * bits), and cut it when TRUNCATING (perm_check_open, perm.h)? */
static nfsstat4 may_open(struct compound *c, const struct ns_inode *ino,
			 uint32_t access, int truncating)
{
	unsigned want = 0;

	if (access & OPEN4_SHARE_ACCESS_READ)
		want |= PERM_READ;
	if ((access & OPEN4_SHARE_ACCESS_WRITE) || truncating)
		want |= PERM_WRITE;
	return perm_check_open(&c->who, ino, want);
}

/* The verifier of an exclusive create lives in the birth time seconds
 * until the client's follow-up SETATTR sets real times. */
static int64_t verf_key(const verifier4 v)
{
	int64_t k;

	memcpy(&k, v, sizeof(k));
	return k;
}

static nfsstat4 check_regular(const struct ns_inode *ino)
{
	switch (ino->type) {
	case NS_REG:
		return NFS4_OK;
	case NS_DIR:
		return NFS4ERR_ISDIR;
	case NS_LNK:
		return NFS4ERR_SYMLINK;
	default:
		return NFS4ERR_INVAL;
	}
}

static nfsstat4 do_create(struct compound *c, const struct ns_inode *dir,
			  const component4 *name, const createhow4 *how,
			  uint32_t access, struct open_target *t)
{
	struct attr_set set = { 0 };
	struct ns_create_args ca = { .type = NS_REG };
	uint64_t existing;
	const fattr4 *attrs = NULL;
	const char *verf = NULL;
	nfsstat4 st = NFS4_OK;
	int rc;

	switch (how->mode) {
	case UNCHECKED4:
	case GUARDED4:
		attrs = &how->createhow4_u.createattrs;
		break;
	case EXCLUSIVE4:
		verf = how->createhow4_u.createverf;
		break;
	case EXCLUSIVE4_1:
		verf = how->createhow4_u.ch_createboth.cva_verf;
		attrs = &how->createhow4_u.ch_createboth.cva_attrs;
		break;
	default:
		return NFS4ERR_INVAL;
	}
	if (attrs) {
		st = attr_decode_set(c, attrs, &set);
		if (st != NFS4_OK)
			return st;
		/* §18.16.3: EXCLUSIVE4_1 may not carry times (they hold the
		 * verifier). */
		if (verf && (set.mask & (NS_SET_ATIME | NS_SET_MTIME |
					 NS_SET_ATIME_NOW | NS_SET_MTIME_NOW))) {
			st = NFS4ERR_INVAL;
			goto out;
		}
	}
	/* A directory the caller may not write still lets them open a file
	 * that is there (Linux asks for write only to make one). */
	st = perm_may_create(&c->who, dir);
	if (st != NFS4_OK &&
	    (c->name_fileid ||
	     ns_lookup(c->srv->ns, dir->fileid, name->utf8string_val,
		       name->utf8string_len, &existing) == 0))
		st = NFS4_OK;
	if (st == NFS4_OK)
		st = create_args_init(c, dir, &ca, &set);
	if (st != NFS4_OK)
		goto out;
	ca.exclusive = how->mode != UNCHECKED4;
	if (c->name_fileid) {
		/* The name exists and its inode is here (resolved by the
		 * entry's owner, compound.c): open it as ns_create would. */
		t->ci.before = t->ci.after = dir->change;
		t->ci.atomic = 0;
		rc = ns_getattr(c->srv->ns, c->name_fileid, &t->ino);
		if (rc == 0)
			rc = -EEXIST;
	} else {
		rc = ns_create(c->srv->ns, c->cur.fileid,
			       name->utf8string_val, name->utf8string_len,
			       &ca, &t->ino, &t->ci);
	}
	if (rc == -EEXIST) {
		st = check_regular(&t->ino);
		if (st != NFS4_OK)
			goto out;
		if (how->mode == GUARDED4)
			st = NFS4ERR_EXIST;
		else if (verf && t->ino.btime.sec != verf_key(verf))
			st = NFS4ERR_EXIST;
		if (st == NFS4_OK) {
			st = may_open(c, &t->ino, access,
				      how->mode == UNCHECKED4 &&
					      (set.mask & NS_SET_SIZE));
			t->checked = 1;
		}
		if (st != NFS4_OK)
			goto out;
		if (how->mode == UNCHECKED4 && (set.mask & NS_SET_SIZE)) {
			/* Existing: only the size applies; a truncate
			 * waits for other clients' layouts (§12.5.5). */
			if (set.v.size < t->ino.size)
				st = layout_break(c->srv, c->client,
						  t->ino.fileid);
			if (st == NFS4_OK)
				t->created = 2;
		}
		goto out;
	}
	if (rc < 0) {
		st = nfs_errno(rc);
		goto out;
	}
	t->created = 1;
	if (verf) {
		set.v.btime.sec = verf_key(verf);
		set.v.btime.nsec = 0;
		set.mask |= NS_SET_BTIME;
	}
out:
	if (st == NFS4_OK && t->created) {
		unsigned keep = t->created == 2 ? NS_SET_SIZE : set.mask;
		set.mask &= keep & ~(unsigned)(NS_SET_MODE | NS_SET_UID |
					       NS_SET_GID);
		if (t->created == 2) {
			free(set.bits.bitmap4_val);
			memset(&set.bits, 0, sizeof(set.bits));
			bitmap_set(&set.bits, FATTR4_SIZE);
			/* A truncate by a non-root caller drops set-ID. */
			set.v.mode = perm_mode_after_write(&c->who, &t->ino);
			if (set.v.mode != t->ino.mode)
				set.mask |= NS_SET_MODE;
		}
		if (set.mask & NS_SET_SIZE)
			data_truncate(c->srv, &t->ino, set.v.size);
		if (set.mask)
			rc = ns_setattr(c->srv->ns, t->ino.fileid, set.mask,
					&set.v, &t->ino);
		t->attrset = set.bits;
		set.bits.bitmap4_val = NULL;
	}
	free(set.bits.bitmap4_val);
	return st;
}

static nfsstat4 open_by_name(struct compound *c, const OPEN4args *a,
			     struct open_target *t)
{
	const component4 *name = &a->claim.open_claim4_u.file;
	struct ns_inode dir;
	nfsstat4 st = need_dir(c);
	uint64_t fileid;
	int rc;

	if (st == NFS4_OK)
		st = check_component(name, 0);
	if (st == NFS4_OK)
		st = cur_inode(c, &dir);
	if (st == NFS4_OK)
		st = perm_check(&c->who, &dir, PERM_EXEC);
	if (st != NFS4_OK)
		return st;
	if (a->openhow.opentype == OPEN4_CREATE)
		return do_create(c, &dir, name, &a->openhow.openflag4_u.how,
				 a->share_access & OPEN4_SHARE_ACCESS_BOTH,
				 t);
	if (c->name_fileid) /* resolved by the entry's owner (compound.c) */
		rc = ns_getattr(c->srv->ns, c->name_fileid, &t->ino);
	else
		rc = ns_lookup(c->srv->ns, c->cur.fileid,
			       name->utf8string_val, name->utf8string_len,
			       &fileid);
	if (rc == 0 && !c->name_fileid)
		rc = ns_getattr(c->srv->ns, fileid, &t->ino);
	if (rc < 0)
		return nfs_errno(rc);
	t->ci.before = t->ci.after = dir.change;
	/* A directory of another node's: its change is not known here. */
	t->ci.atomic = ns_owns_fileid(c->srv->ns, dir.fileid);
	return check_regular(&t->ino);
}

/* §10.2.1 / §18.16.3: an open the client did locally under a delegation
 * it is now returning; the delegation stateid must be the client's and
 * name this file. */
static nfsstat4 open_by_deleg(struct compound *c, const OPEN4args *a,
			      struct open_target *t)
{
	const stateid4 *sid;
	struct nfs_stid *st;
	nfsstat4 s;
	uint64_t fileid;
	int rc;

	if (a->claim.claim == CLAIM_DELEG_CUR_FH) {
		sid = &a->claim.open_claim4_u.oc_delegate_stateid;
		s = cur_inode(c, &t->ino);
	} else {
		const open_claim_delegate_cur4 *dc =
			&a->claim.open_claim4_u.delegate_cur_info;
		sid = &dc->delegate_stateid;
		s = need_dir(c);
		if (s == NFS4_OK)
			s = check_component(&dc->file, 0);
		if (s != NFS4_OK)
			return s;
		rc = ns_lookup(c->srv->ns, c->cur.fileid,
			       dc->file.utf8string_val,
			       dc->file.utf8string_len, &fileid);
		if (rc == 0)
			rc = ns_getattr(c->srv->ns, fileid, &t->ino);
		s = nfs_errno(rc);
	}
	if (s != NFS4_OK)
		return s;
	s = state_resolve(c, sid, 1u << STID_DELEG, t->ino.fileid, &st);
	if (s == NFS4_OK && !st)
		s = NFS4ERR_BAD_STATEID;
	if (s != NFS4_OK)
		return s;
	return check_regular(&t->ino);
}

static nfsstat4 open_target(struct compound *c, const OPEN4args *a,
			    struct open_target *t)
{
	nfsstat4 st;

	switch (a->claim.claim) {
	case CLAIM_NULL:
		return open_by_name(c, a, t);
	case CLAIM_FH:
		st = cur_inode(c, &t->ino);
		if (st != NFS4_OK)
			return st;
		return check_regular(&t->ino);
	case CLAIM_PREVIOUS:
		/* §9.11: reclaim of an open held before the restart; the
		 * current filehandle is the file. */
		st = cur_inode(c, &t->ino);
		if (st != NFS4_OK)
			return st;
		return check_regular(&t->ino);
	case CLAIM_DELEGATE_PREV:
	case CLAIM_DELEG_PREV_FH:
		/* No delegations survive a restart here (RFC 8881 §8.4.2). */
		return NFS4ERR_NO_GRACE;
	case CLAIM_DELEGATE_CUR:
	case CLAIM_DELEG_CUR_FH:
		return open_by_deleg(c, a, t);
	default:
		return NFS4ERR_INVAL;
	}
}

static struct nfs_stid *find_open(struct strata_server *srv,
				  const struct nfs_client *clp,
				  uint64_t fileid, const open_owner4 *oo)
{
	STATE_FOR_FILE(srv, fileid, st)
		if (st->kind == STID_OPEN && st->client == clp &&
		    bytes_eq(st->owner, st->owner_len, oo->owner.owner_val,
			     oo->owner.owner_len))
			return st;
	return NULL;
}

static nfsstat4 grant(struct compound *c, const OPEN4args *a,
		      uint64_t fileid, struct nfs_stid **out)
{
	struct nfs_client *clp = c->client;
	uint32_t access = a->share_access & OPEN4_SHARE_ACCESS_BOTH;
	uint32_t deny = a->share_deny;
	struct nfs_stid *st = find_open(c->srv, clp, fileid, &a->owner);
	nfsstat4 s;

	client_release_expired_on(c->srv, fileid);
	/* Other clients' conflicting delegations go first (§10.4.6). */
	s = deleg_break(c->srv, clp, fileid,
			(access & OPEN4_SHARE_ACCESS_WRITE) != 0);
	if (s != NFS4_OK)
		return s;
	s = state_share_check(c->srv, fileid, st, access, deny);
	if (s != NFS4_OK)
		return s;
	if (st) {
		/* An upgrade: the union of what the owner holds. */
		st->access |= access;
		st->deny |= deny;
		st->seqid++;
	} else {
		st = stid_new(c->srv, clp, STID_OPEN, fileid,
			      a->owner.owner.owner_val,
			      a->owner.owner.owner_len);
		if (!st)
			return NFS4ERR_RESOURCE;
		st->access = access;
		st->deny = deny;
	}
	*out = st;
	return NFS4_OK;
}

/* Reclaims only in grace, by owners that may reclaim (§8.4.2); new
 * state only outside grace and after the client's RECLAIM_COMPLETE
 * (§18.51.3). */
static nfsstat4 open_grace_check(struct compound *c, const OPEN4args *a)
{
	struct nfs_client *clp = c->client;
	time_t now = server_now();

	if (a->claim.claim == CLAIM_PREVIOUS) {
		if (clp->reclaim_complete ||
		    !recovery_may_reclaim(c->srv->recovery, clp->owner,
					  clp->owner_len, now))
			return NFS4ERR_NO_GRACE;
		return NFS4_OK;
	}
	if (recovery_in_grace(c->srv->recovery, now))
		return NFS4ERR_GRACE;
	/* With partitions over several nodes a client's RECLAIM_COMPLETE
	 * runs at one of them (the root's owner): the others know it from
	 * its front (nfsd/session.h rc_done). */
	if (!clp->reclaim_complete && (c->srv->owns_all || !clp->rc_done))
		return NFS4ERR_GRACE;
	return NFS4_OK;
}

nfsstat4 op_open(struct compound *c, void *args, void *res)
{
	OPEN4args *a = args;
	OPEN4resok *ok = &((OPEN4res *)res)->OPEN4res_u.resok4;
	struct open_target t = { 0 };
	struct nfs_stid *st;
	uint32_t access = a->share_access & OPEN4_SHARE_ACCESS_BOTH;
	nfsstat4 s;

	if (access == 0 ||
	    (a->share_deny & ~OPEN4_SHARE_DENY_BOTH))
		return NFS4ERR_INVAL;
	s = open_grace_check(c, a);
	if (s != NFS4_OK)
		return s;
	s = open_target(c, a, &t);
	/* An existing file opened by name or handle: the caller's access
	 * (reclaims and opens under a delegation were checked before). */
	if (s == NFS4_OK && !t.created && !t.checked &&
	    (a->claim.claim == CLAIM_NULL || a->claim.claim == CLAIM_FH))
		s = may_open(c, &t.ino, access, 0);
	if (s == NFS4_OK)
		s = grant(c, a, t.ino.fileid, &st);
	if (s != NFS4_OK) {
		free(t.attrset.bitmap4_val);
		return s;
	}
	if (a->claim.claim == CLAIM_PREVIOUS)
		log_info("reclaim: client %llx open fileid %llx",
			 (unsigned long long)c->client->clientid,
			 (unsigned long long)t.ino.fileid);
	else /* an offloaded file starts coming back (residency.h) */
		residency_open(c->srv, &t.ino);
	stid_to_wire(st, &ok->stateid);
	cinfo_out(c, &ok->cinfo, &t.ci, 16);
	ok->rflags = OPEN4_RESULT_LOCKTYPE_POSIX;
	ok->attrset = t.attrset;
	if (a->claim.claim == CLAIM_NULL || a->claim.claim == CLAIM_FH)
		deleg_offer(c, t.ino.fileid, t.ino.generation, a->share_access,
			    &ok->delegation);
	else
		ok->delegation.delegation_type = OPEN_DELEGATE_NONE;
	set_cfh(c, &t.ino);
	set_cur_stateid(c, &ok->stateid);
	return NFS4_OK;
}
