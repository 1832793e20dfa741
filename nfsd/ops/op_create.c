/* nfsd/ops/op_create.c — CREATE (RFC 8881 §18.4) of non-regular objects,
 * READLINK (§18.24). Regular files are created by OPEN. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "ops.h"
#include "server.h"

nfsstat4 create_args_init(struct compound *c, const struct ns_inode *dir,
			  struct ns_create_args *ca, const struct attr_set *set)
{
	const struct perm_id *who = &c->who;

	ca->uid = who->uid;
	ca->gid = who->gid;
	ca->mode = ca->type == NS_DIR ? 0755 : 0644;
	if (set && (set->mask & NS_SET_MODE))
		ca->mode = set->v.mode;
	perm_new_object(who, dir, ca->type, &ca->gid, &ca->mode);
	/* An owner or group in the create attributes: what chown/chgrp by
	 * the maker could do (perm.h). */
	if (set && (set->mask & NS_SET_UID)) {
		if (!perm_is_root(who) && set->v.uid != who->uid)
			return NFS4ERR_PERM;
		ca->uid = set->v.uid;
	}
	if (set && (set->mask & NS_SET_GID)) {
		if (!perm_is_root(who) && !perm_in_group(who, set->v.gid))
			return NFS4ERR_PERM;
		ca->gid = set->v.gid;
	}
	ca->exclusive = 1;
	return NFS4_OK;
}

static nfsstat4 type_args(const createtype4 *t, struct ns_create_args *ca)
{
	switch (t->type) {
	case NF4DIR:
		ca->type = NS_DIR;
		return NFS4_OK;
	case NF4LNK:
		ca->type = NS_LNK;
		ca->symlink = t->createtype4_u.linkdata.utf8string_val;
		ca->symlink_len = t->createtype4_u.linkdata.utf8string_len;
		if (ca->symlink_len == 0)
			return NFS4ERR_INVAL;
		if (ca->symlink_len > NS_SYMLINK_MAX)
			return NFS4ERR_NAMETOOLONG;
		return NFS4_OK;
	case NF4BLK:
	case NF4CHR:
		ca->type = t->type == NF4BLK ? NS_BLK : NS_CHR;
		ca->rdev_major = t->createtype4_u.devdata.specdata1;
		ca->rdev_minor = t->createtype4_u.devdata.specdata2;
		return NFS4_OK;
	case NF4SOCK:
		ca->type = NS_SOCK;
		return NFS4_OK;
	case NF4FIFO:
		ca->type = NS_FIFO;
		return NFS4_OK;
	case NF4REG:
		return NFS4ERR_BADTYPE; /* §18.4.3: use OPEN */
	default:
		return NFS4ERR_BADTYPE;
	}
}

nfsstat4 op_create(struct compound *c, void *args, void *res)
{
	CREATE4args *a = args;
	CREATE4resok *ok = &((CREATE4res *)res)->CREATE4res_u.resok4;
	struct ns_create_args ca = { 0 };
	struct attr_set set;
	struct ns_inode ino, dir;
	struct ns_cinfo ci;
	nfsstat4 st;
	int rc;

	st = need_dir(c);
	if (st == NFS4_OK)
		st = check_component(&a->objname, 0);
	if (st == NFS4_OK)
		st = cur_inode(c, &dir);
	if (st == NFS4_OK)
		st = may_create_name(c, &dir, &a->objname);
	if (st != NFS4_OK)
		return st;
	st = attr_decode_set(c, &a->createattrs, &set);
	if (st != NFS4_OK)
		return st;
	st = type_args(&a->objtype, &ca);
	if (st == NFS4_OK)
		st = create_args_init(c, &dir, &ca, &set);
	if (st != NFS4_OK)
		goto out;
	if (set.mask & NS_SET_SIZE) {
		st = NFS4ERR_INVAL;
		goto out;
	}
	rc = ns_create(c->srv->ns, c->cur.fileid, a->objname.utf8string_val,
		       a->objname.utf8string_len, &ca, &ino, &ci);
	st = nfs_errno(rc);
	if (st != NFS4_OK)
		goto out;
	/* Times and anything else not applied at creation. */
	set.mask &= ~(unsigned)(NS_SET_MODE | NS_SET_UID | NS_SET_GID);
	if (set.mask) {
		struct ns_inode out;
		rc = ns_setattr(c->srv->ns, ino.fileid, set.mask, &set.v,
				&out);
		if (rc < 0) {
			st = nfs_errno(rc);
			goto out;
		}
	}
	cinfo_out(c, &ok->cinfo, &ci, 0);
	ok->attrset = set.bits;
	set.bits.bitmap4_val = NULL;
	set_cfh(c, &ino);
	c->cur_stateid_valid = 0;
out:
	free(set.bits.bitmap4_val);
	return st;
}

nfsstat4 op_readlink(struct compound *c, void *args, void *res)
{
	READLINK4resok *ok = &((READLINK4res *)res)->READLINK4res_u.resok4;
	char *buf;
	size_t len = 0;
	int rc;

	(void)args;
	if (c->cur.type != NS_LNK)
		return NFS4ERR_INVAL;
	buf = malloc(NS_SYMLINK_MAX + 1);
	if (!buf)
		return NFS4ERR_RESOURCE;
	rc = ns_readlink(c->srv->ns, c->cur.fileid, buf, NS_SYMLINK_MAX + 1,
			 &len);
	if (rc < 0) {
		free(buf);
		return nfs_errno(rc);
	}
	ok->link.utf8string_val = buf;
	ok->link.utf8string_len = (u_int)len;
	return NFS4_OK;
}
