/* nfsd/ops/op_remove.c — REMOVE (§18.25), RENAME (§18.26), LINK (§18.9). */
#include <errno.h>
#include "data.h"
#include "orphan.h"
#include "reclaim.h"
#include "layout_state.h"
#include "ops.h"
#include "deleg.h"
#include "session.h"
#include "server.h"
#include "state.h"

/* After a CLOSE: data of unlinked files nobody has open any more. */
void data_release_if_orphan(struct compound *c, uint64_t fileid)
{
	if (orphan_find(c->srv, fileid))
		orphan_reap(c->srv);
}

/* Recall other clients' delegations on NAME in DIR before it changes
 * (RFC 8881 §10.4.6), and with LAYOUTS their layouts too (the name's file
 * may go away: §12.5.5); NFS4_OK if the name does not exist. */
static nfsstat4 break_name(struct compound *c, uint64_t dir,
			   const component4 *name, int layouts)
{
	uint64_t fileid;
	nfsstat4 st;

	if (ns_lookup(c->srv->ns, dir, name->utf8string_val,
		      name->utf8string_len, &fileid) < 0)
		return NFS4_OK;
	st = deleg_break(c->srv, c->client, fileid, 1);
	if (st == NFS4_OK && layouts)
		st = layout_break(c->srv, c->client, fileid);
	return st;
}

/* The operation touches other nodes' partitions: the loop stops before
 * it (compound.c undoes this result) and the front runs it as a
 * cross-node transaction (nfsd/xtx_task.h, decision 0024). */
static nfsstat4 want_xtx(struct compound *c)
{
	c->xtx = 1;
	return NFS4ERR_XDEV;
}

/* 1 when NAME of DIR is this node's entry naming another node's inode
 * (a name renamed across nodes). */
static int name_far(const struct compound *c, uint64_t dir,
		    const component4 *name)
{
	struct ns *ns = c->srv->ns;
	uint64_t fileid;

	return !c->srv->owns_all &&
	       ns_lookup(ns, dir, name->utf8string_val, name->utf8string_len,
			 &fileid) == 0 &&
	       !ns_owns_fileid(ns, fileid);
}

nfsstat4 op_remove(struct compound *c, void *args, void *res)
{
	REMOVE4args *a = args;
	REMOVE4resok *ok = &((REMOVE4res *)res)->REMOVE4res_u.resok4;
	struct ns_inode gone, dir;
	struct ns_cinfo ci;
	int freed = 0, rc;
	nfsstat4 st = need_dir(c);

	if (st == NFS4_OK)
		st = check_component(&a->target, 0);
	if (st == NFS4_OK)
		st = cur_inode(c, &dir);
	if (st == NFS4_OK && name_far(c, c->cur.fileid, &a->target))
		return want_xtx(c);
	if (st == NFS4_OK)
		st = may_delete_name(c, &dir, &a->target, &gone);
	if (st == NFS4_OK)
		st = break_name(c, c->cur.fileid, &a->target, 1);
	if (st != NFS4_OK)
		return st;
	rc = ns_remove(c->srv->ns, c->cur.fileid, a->target.utf8string_val,
		       a->target.utf8string_len, &gone, &freed, &ci);
	if (rc == -EREMOTE && !c->srv->owns_all)
		return want_xtx(c); /* RMDIR: every partition's guard */
	if (rc < 0)
		return nfs_errno(rc);
	if (freed && gone.type == NS_REG)
		orphan_unlinked(c->srv, &gone);
	cinfo_out(c, &ok->cinfo, &ci, 0);
	return NFS4_OK;
}

/* RENAME's permissions (Linux vfs_rename's order): search both
 * directories, take the old name out of the source (sticky bit
 * included), make the new name in the target or take out the entry it
 * replaces, and a directory moving to another parent needs write on
 * itself (its ".." changes). Renaming a name onto its own file needs
 * only the searches. */
static nfsstat4 may_rename(struct compound *c, const RENAME4args *a)
{
	struct ns_inode sdir, ddir, src, dst;
	uint64_t dfile;
	nfsstat4 st = cur_inode(c, &ddir);
	int rc;

	if (st == NFS4_OK)
		st = fh_inode(c, &c->saved, &sdir);
	if (st == NFS4_OK)
		st = perm_check(&c->who, &ddir, PERM_EXEC);
	if (st == NFS4_OK)
		st = may_delete_name(c, &sdir, &a->oldname, &src);
	if (st != NFS4_OK)
		return st;
	rc = ns_lookup(c->srv->ns, ddir.fileid, a->newname.utf8string_val,
		       a->newname.utf8string_len, &dfile);
	if (rc == 0 && dfile == src.fileid)
		return NFS4_OK; /* no change (POSIX: nothing to do) */
	if (rc == 0)
		rc = ns_getattr(c->srv->ns, dfile, &dst);
	if (rc == 0)
		st = perm_may_delete(&c->who, &ddir, &dst);
	else if (rc == -ENOENT)
		st = perm_may_create(&c->who, &ddir);
	else
		st = nfs_errno(rc);
	if (st == NFS4_OK && src.type == NS_DIR && sdir.fileid != ddir.fileid)
		st = perm_check(&c->who, &src, PERM_WRITE);
	return st;
}

/* 1 when the entry NAME of directory DIR is this node's (the directory
 * may be another's: its counts then change by a delta, metadata/ns.h).
 * A RENAME whose names, or whose files, are on more than one node's
 * partitions runs as a cross-node transaction (want_xtx), and so does a
 * LINK of a file to a name on another node. Moving a directory to
 * another parent when an ancestor to check for a loop is another node's
 * (-EREMOTE) answers NFS4ERR_XDEV, on which mv copies, rather than half a
 * change. */
static int name_here(const struct compound *c, uint64_t dir,
		     const component4 *name)
{
	struct ns *ns = c->srv->ns;

	return ns_owns_shard(ns, ns_entry_shard(ns, dir, name->utf8string_val,
						name->utf8string_len));
}

static nfsstat4 xdev_errno(int rc)
{
	return rc == -EREMOTE ? NFS4ERR_XDEV : nfs_errno(rc);
}

nfsstat4 op_rename(struct compound *c, void *args, void *res)
{
	RENAME4args *a = args;
	RENAME4resok *ok = &((RENAME4res *)res)->RENAME4res_u.resok4;
	struct ns_cinfo sci, dci;
	struct ns_inode victim = { 0 };
	uint64_t freed = 0, vid;
	nfsstat4 st;
	int rc;

	if (c->saved.fileid == 0)
		return NFS4ERR_NOFILEHANDLE;
	if (c->saved.type != NS_DIR || c->cur.type != NS_DIR)
		return NFS4ERR_NOTDIR;
	st = check_component(&a->oldname, 0);
	if (st == NFS4_OK)
		st = check_component(&a->newname, 0);
	if (st == NFS4_OK && (!name_here(c, c->saved.fileid, &a->oldname) ||
			      !name_here(c, c->cur.fileid, &a->newname) ||
			      name_far(c, c->saved.fileid, &a->oldname) ||
			      name_far(c, c->cur.fileid, &a->newname)))
		return want_xtx(c);
	if (st == NFS4_OK)
		st = may_rename(c, a);
	if (st == NFS4_OK)
		st = break_name(c, c->saved.fileid, &a->oldname, 0);
	if (st == NFS4_OK)
		st = break_name(c, c->cur.fileid, &a->newname, 1);
	if (st != NFS4_OK)
		return st;
	/* the file a rename may replace, as it is before (kept if open) */
	if (ns_lookup(c->srv->ns, c->cur.fileid, a->newname.utf8string_val,
		      a->newname.utf8string_len, &vid) == 0 &&
	    ns_getattr(c->srv->ns, vid, &victim) < 0)
		victim.fileid = 0;
	rc = ns_rename(c->srv->ns, c->saved.fileid, a->oldname.utf8string_val,
		       a->oldname.utf8string_len, c->cur.fileid,
		       a->newname.utf8string_val, a->newname.utf8string_len,
		       &sci, &dci, &freed);
	if (rc == -EREMOTE && !c->srv->owns_all)
		return want_xtx(c); /* a directory's new ancestors: XDEV there */
	if (rc < 0)
		return xdev_errno(rc);
	if (freed && freed == victim.fileid && victim.type == NS_REG)
		orphan_unlinked(c->srv, &victim);
	else if (freed)
		reclaim_kick(c->srv->reclaim);
	cinfo_out(c, &ok->source_cinfo, &sci, 0);
	cinfo_out(c, &ok->target_cinfo, &dci, 20);
	return NFS4_OK;
}

nfsstat4 op_link(struct compound *c, void *args, void *res)
{
	LINK4args *a = args;
	LINK4resok *ok = &((LINK4res *)res)->LINK4res_u.resok4;
	struct ns_inode dir;
	struct ns_cinfo ci;
	nfsstat4 st;
	int rc;

	if (c->saved.fileid == 0)
		return NFS4ERR_NOFILEHANDLE;
	st = need_dir(c);
	if (st != NFS4_OK)
		return st;
	if (c->saved.type == NS_DIR)
		return NFS4ERR_ISDIR;
	st = check_component(&a->newname, 0);
	if (st == NFS4_OK && (!ns_owns_fileid(c->srv->ns, c->saved.fileid) ||
			      !name_here(c, c->cur.fileid, &a->newname)))
		return want_xtx(c);
	if (st == NFS4_OK)
		st = cur_inode(c, &dir);
	if (st == NFS4_OK)
		st = may_create_name(c, &dir, &a->newname);
	if (st != NFS4_OK)
		return st;
	rc = ns_link(c->srv->ns, c->saved.fileid, c->cur.fileid,
		     a->newname.utf8string_val, a->newname.utf8string_len, &ci);
	if (rc < 0)
		return xdev_errno(rc);
	cinfo_out(c, &ok->cinfo, &ci, 0);
	return NFS4_OK;
}
