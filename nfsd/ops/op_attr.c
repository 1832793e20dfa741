/* nfsd/ops/op_attr.c — GETATTR (§18.7), SETATTR (§18.30), VERIFY (§18.31),
 * NVERIFY (§18.15), ACCESS (§18.1). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "deleg.h"
#include "session.h"
#include "data.h"
#include "layout_state.h"
#include "ops.h"
#include "residency.h"
#include "server.h"
#include "state.h"

/* The inode with space_used read from the data store. */
static nfsstat4 load(struct compound *c, struct ns_inode *ino)
{
	nfsstat4 st = cur_inode(c, ino);
	int64_t used;

	if (st != NFS4_OK || ino->type != NS_REG)
		return st;
	if (residency_away(ino)) {
		ino->space_used = residency_space_used(ino);
		return NFS4_OK;
	}
	used = data_space_used(c->srv, ino->fileid, ino->layout_gen,
			       ino->size);
	if (used >= 0)
		ino->space_used = (uint64_t)used;
	return NFS4_OK;
}

nfsstat4 op_getattr(struct compound *c, void *args, void *res)
{
	GETATTR4args *a = args;
	GETATTR4resok *ok = &((GETATTR4res *)res)->GETATTR4res_u.resok4;
	struct ns_inode ino;
	nfsstat4 st = load(c, &ino);

	if (st != NFS4_OK)
		return st;
	return attr_encode(c, &ino, &a->attr_request, &ok->obj_attributes,
			   NFS4_OK);
}

/* A size change needs an open for write (or a special stateid) and no
 * conflicting deny/lock (RFC 8881 §18.30.3). *OPEN_FOR_WRITE: the stateid
 * was an open, lock or delegation with write access (whose OPEN checked
 * the caller's permission). */
static nfsstat4 check_size_change(struct compound *c, const stateid4 *sid,
				  const struct ns_inode *ino, uint64_t size,
				  int *open_for_write)
{
	const struct nfs_stid *open;
	struct nfs_stid *st;
	nfsstat4 s;

	*open_for_write = 0;
	if (ino->type == NS_DIR)
		return NFS4ERR_ISDIR;
	if (ino->type != NS_REG)
		return NFS4ERR_INVAL;
	s = state_resolve(c, sid, (1u << STID_OPEN) | (1u << STID_LOCK) |
				  (1u << STID_DELEG),
			  ino->fileid, &st);
	if (s != NFS4_OK)
		return s;
	if (st && st->kind == STID_OPEN &&
	    !(st->access & OPEN4_SHARE_ACCESS_WRITE))
		return NFS4ERR_OPENMODE;
	open = st && st->kind == STID_LOCK ? st->open : st;
	*open_for_write = open && (open->kind == STID_DELEG ||
				   (open->access & OPEN4_SHARE_ACCESS_WRITE));
	return state_io_check(c->srv, ino->fileid, st, 1, size, UINT64_MAX);
}

/* Before anything changes (or is recalled): the stateid of a size change
 * and who may change what (perm.h), which may add a mode change that
 * drops set-ID bits. */
static nfsstat4 setattr_check(struct compound *c, const struct ns_inode *ino,
			      struct attr_set *set, const stateid4 *sid)
{
	int open_for_write = 0;
	nfsstat4 st = NFS4_OK;

	if (set->mask & NS_SET_SIZE)
		st = check_size_change(c, sid, ino, set->v.size,
				       &open_for_write);
	if (st == NFS4_OK)
		st = perm_setattr(&c->who, ino, open_for_write, &set->mask,
				  &set->v);
	return st;
}

nfsstat4 setattr_apply(struct compound *c, const struct ns_inode *ino,
		       struct attr_set *set)
{
	struct ns_inode out;
	int rc;

	/* Offloaded (residency.h): a truncation to zero cuts nothing on
	 * the data servers (the namespace leaves the file with no data);
	 * any other size needs the data back first. */
	if ((set->mask & NS_SET_SIZE) && set->v.size) {
		nfsstat4 away = residency_refuse(c->srv, ino, NFS4ERR_DELAY,
						 NFS4ERR_IO);

		if (away != NFS4_OK)
			return away;
	}
	if ((set->mask & NS_SET_SIZE) && !residency_away(ino)) {
		rc = data_truncate(c->srv, ino, set->v.size);
		if (rc < 0)
			return nfs_errno(rc);
	}
	if (!set->mask)
		return NFS4_OK;
	rc = inode_setattr(c, ino->fileid, set->mask, &set->v, &out);
	if (rc == 0 && (set->mask & (NS_SET_MTIME | NS_SET_MTIME_NOW)))
		layout_note_mtime_set(c->srv, ino->fileid);
	return nfs_errno(rc);
}

nfsstat4 op_setattr(struct compound *c, void *args, void *res)
{
	SETATTR4args *a = args;
	SETATTR4res *r = res;
	struct attr_set set;
	struct ns_inode ino;
	nfsstat4 st = cur_inode(c, &ino);

	if (st != NFS4_OK)
		return st;
	st = attr_decode_set(c, &a->obj_attributes, &set);
	if (st != NFS4_OK)
		return st;
	st = setattr_check(c, &ino, &set, &a->stateid);
	/* Other clients' delegations cache these attributes (§10.4.6). */
	if (st == NFS4_OK)
		st = deleg_break(c->srv, c->client, ino.fileid, 1);
	/* Shrinking a file invalidates other clients' layouts: recall them
	 * first (RFC 8881 §12.5.5). */
	if (st == NFS4_OK && (set.mask & NS_SET_SIZE) && set.v.size < ino.size)
		st = layout_break(c->srv, c->client, ino.fileid);
	if (st == NFS4_OK)
		st = setattr_apply(c, &ino, &set);
	if (st == NFS4_OK)
		r->attrsset = set.bits;
	else
		free(set.bits.bitmap4_val);
	return st;
}

static nfsstat4 verify_common(struct compound *c, const fattr4 *attrs,
			      int want_same)
{
	struct ns_inode ino;
	int same;
	nfsstat4 st = load(c, &ino);

	if (st != NFS4_OK)
		return st;
	st = attr_compare(c, &ino, attrs, &same);
	if (st != NFS4_OK)
		return st;
	if (want_same)
		return same ? NFS4_OK : NFS4ERR_NOT_SAME;
	return same ? NFS4ERR_SAME : NFS4_OK;
}

nfsstat4 op_verify(struct compound *c, void *args, void *res)
{
	(void)res;
	return verify_common(c, &((VERIFY4args *)args)->obj_attributes, 1);
}

nfsstat4 op_nverify(struct compound *c, void *args, void *res)
{
	(void)res;
	return verify_common(c, &((NVERIFY4args *)args)->obj_attributes, 0);
}

#define ACCESS_ALL                                                             \
	(ACCESS4_READ | ACCESS4_LOOKUP | ACCESS4_MODIFY | ACCESS4_EXTEND |    \
	 ACCESS4_DELETE | ACCESS4_EXECUTE)

nfsstat4 op_access(struct compound *c, void *args, void *res)
{
	ACCESS4args *a = args;
	ACCESS4resok *ok = &((ACCESS4res *)res)->ACCESS4res_u.resok4;
	struct ns_inode ino;
	unsigned rwx, granted = 0;
	nfsstat4 st = cur_inode(c, &ino);

	if (st != NFS4_OK)
		return st;
	if (a->access & ~ACCESS_ALL)
		return NFS4ERR_INVAL;
	/* The same bits the checks of the other operations use (perm.h).
	 * DELETE of a directory's entries: write and search (the sticky
	 * bit is per entry and checked at REMOVE/RENAME). */
	rwx = perm_granted(&c->who, &ino);
	if (rwx & PERM_READ)
		granted |= ACCESS4_READ;
	if (rwx & PERM_WRITE)
		granted |= ACCESS4_MODIFY | ACCESS4_EXTEND;
	if (ino.type == NS_DIR) {
		if (rwx & PERM_EXEC)
			granted |= ACCESS4_LOOKUP;
		if ((rwx & (PERM_WRITE | PERM_EXEC)) ==
		    (PERM_WRITE | PERM_EXEC))
			granted |= ACCESS4_DELETE;
	} else if (rwx & PERM_EXEC) {
		granted |= ACCESS4_EXECUTE;
	}
	ok->supported = a->access;
	ok->access = a->access & granted;
	return NFS4_OK;
}
