/* nfsd/ops/op_fh.c — PUTROOTFH, PUTPUBFH, PUTFH, GETFH, SAVEFH, RESTOREFH,
 * LOOKUP, LOOKUPP (RFC 8881 §18.19-24, §18.13-14). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fh.h"
#include "ns.h"
#include "ops.h"
#include "server.h"
#include "state.h"

/* RFC 8881 §16.2.3.1.2: an op that sets the current filehandle without
 * producing a stateid leaves no current stateid. */
static nfsstat4 enter(struct compound *c, uint64_t fileid, uint32_t gen,
		      int check_gen)
{
	struct ns_inode ino;
	int rc = ns_getattr(c->srv->ns, fileid, &ino);

	if (rc == -ENOENT)
		return NFS4ERR_STALE;
	if (rc < 0)
		return nfs_errno(rc);
	if (check_gen && ino.generation != gen)
		return NFS4ERR_STALE;
	set_cfh(c, &ino);
	c->cur_stateid_valid = 0;
	return NFS4_OK;
}

nfsstat4 op_putrootfh(struct compound *c, void *args, void *res)
{
	(void)args;
	(void)res;
	return enter(c, NS_ROOT_FILEID, 0, 0);
}

nfsstat4 op_putpubfh(struct compound *c, void *args, void *res)
{
	return op_putrootfh(c, args, res);
}

nfsstat4 op_putfh(struct compound *c, void *args, void *res)
{
	PUTFH4args *a = args;
	uint64_t fileid;
	uint32_t gen;

	nfsstat4 st;

	(void)res;
	if (fh_decode((const uint8_t *)a->object.nfs_fh4_val,
		      a->object.nfs_fh4_len, &fileid, &gen) < 0)
		return NFS4ERR_BADHANDLE;
	st = enter(c, fileid, gen, 1);
	/* A file removed while open stays usable by its opener until CLOSE
	 * (POSIX unlink semantics; its data goes at last close). */
	if (st == NFS4ERR_STALE && state_file_has_opens(c->srv, fileid)) {
		c->cur.fileid = fileid;
		c->cur.generation = gen;
		c->cur.type = NS_REG;
		c->cur_stateid_valid = 0;
		st = NFS4_OK;
	}
	return st;
}

nfsstat4 op_getfh(struct compound *c, void *args, void *res)
{
	GETFH4resok *ok = &((GETFH4res *)res)->GETFH4res_u.resok4;

	(void)args;
	ok->object.nfs_fh4_val = malloc(FH_LEN);
	if (!ok->object.nfs_fh4_val)
		return NFS4ERR_RESOURCE;
	fh_encode((uint8_t *)ok->object.nfs_fh4_val, c->cur.fileid,
		  c->cur.generation);
	ok->object.nfs_fh4_len = FH_LEN;
	return NFS4_OK;
}

nfsstat4 op_savefh(struct compound *c, void *args, void *res)
{
	(void)args;
	(void)res;
	c->saved = c->cur;
	c->saved_stateid = c->cur_stateid;
	c->saved_stateid_valid = c->cur_stateid_valid;
	return NFS4_OK;
}

nfsstat4 op_restorefh(struct compound *c, void *args, void *res)
{
	(void)args;
	(void)res;
	if (c->saved.fileid == 0)
		return NFS4ERR_RESTOREFH;
	c->cur = c->saved;
	c->cur_stateid = c->saved_stateid;
	c->cur_stateid_valid = c->saved_stateid_valid;
	return NFS4_OK;
}

/* The current filehandle must be a directory (§18.15.3 and friends). */
nfsstat4 need_dir(struct compound *c)
{
	if (c->cur.type == NS_DIR)
		return NFS4_OK;
	return c->cur.type == NS_LNK ? NFS4ERR_SYMLINK : NFS4ERR_NOTDIR;
}

nfsstat4 op_lookup(struct compound *c, void *args, void *res)
{
	LOOKUP4args *a = args;
	uint64_t fileid;
	uint32_t type = 0;
	nfsstat4 st;
	int rc;

	(void)res;
	st = need_dir(c);
	if (st != NFS4_OK)
		return st;
	st = check_component(&a->objname, 1);
	if (st == NFS4_OK)
		st = may_search(c);
	if (st != NFS4_OK)
		return st;
	rc = ns_lookup_ex(c->srv->ns, c->cur.fileid, a->objname.utf8string_val,
			  a->objname.utf8string_len, &fileid, &type);
	if (rc < 0)
		return nfs_errno(rc);
	if (!c->srv->owns_all && !ns_owns_fileid(c->srv->ns, fileid)) {
		/* A name renamed across nodes names another node's inode
		 * (decision 0024): its owner checks the handle with the
		 * next op that goes there; generations are always 1. */
		struct ns_inode far = { .fileid = fileid, .generation = 1,
					.type = type };
		set_cfh(c, &far);
		c->cur_stateid_valid = 0;
		return NFS4_OK;
	}
	return enter(c, fileid, 0, 0);
}

nfsstat4 op_lookupp(struct compound *c, void *args, void *res)
{
	struct ns_inode ino;
	nfsstat4 st;

	(void)args;
	(void)res;
	st = need_dir(c);
	if (st != NFS4_OK)
		return st;
	st = cur_inode(c, &ino);
	if (st == NFS4_OK)
		st = perm_check(&c->who, &ino, PERM_EXEC); /* ".." */
	if (st != NFS4_OK)
		return st;
	if (ino.fileid == NS_ROOT_FILEID)
		return NFS4ERR_NOENT;
	if (!ns_owns_fileid(c->srv->ns, ino.parent)) {
		/* Another node's directory (decision 0024): its owner checks
		 * the handle with the next op that goes there. Fileids are
		 * never reused, so their generation is always 1 (ns.h). */
		struct ns_inode parent = { .fileid = ino.parent,
					   .generation = 1,
					   .type = NS_DIR };
		set_cfh(c, &parent);
		c->cur_stateid_valid = 0;
		return NFS4_OK;
	}
	return enter(c, ino.parent, 0, 0);
}
