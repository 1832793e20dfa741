/* nfsd/ops/op_util.c — helpers shared by the op handlers (ops.h). */
#include <errno.h>
#include <string.h>

#include "data.h"
#include "fh.h"
#include "ns.h"
#include "ops.h"
#include "orphan.h"
#include "peer_delta.h"
#include "server.h"

nfsstat4 nfs_errno(int err)
{
	switch (-err) {
	case 0: return NFS4_OK;
	case ENOENT: return NFS4ERR_NOENT;
	case EEXIST: return NFS4ERR_EXIST;
	case ENOTDIR: return NFS4ERR_NOTDIR;
	case EISDIR: return NFS4ERR_ISDIR;
	case ENOTEMPTY: return NFS4ERR_NOTEMPTY;
	case ENAMETOOLONG: return NFS4ERR_NAMETOOLONG;
	case EINVAL: return NFS4ERR_INVAL;
	case ESTALE: return NFS4ERR_STALE;
	case ENOSPC: return NFS4ERR_NOSPC;
	case EMLINK: return NFS4ERR_MLINK;
	case EACCES: return NFS4ERR_ACCESS;
	case EPERM: return NFS4ERR_PERM;
	case EFBIG: return NFS4ERR_FBIG;
	case EROFS: return NFS4ERR_ROFS;
	case EXDEV: return NFS4ERR_XDEV;
	case ENOMEM: return NFS4ERR_RESOURCE;
	case EAGAIN: return NFS4ERR_DELAY; /* a data server is unreachable */
	/* a key a prepared cross-node transaction holds (ns_xtx.h): free
	 * once it is decided (RFC 8881 §15.1.1.3: the client retries) */
	case EBUSY: return NFS4ERR_DELAY;
	default: return NFS4ERR_IO;
	}
}

nfsstat4 ds_object_size(struct compound *c, uint64_t *size)
{
	int64_t sz = ds_store_size(c->srv->store, c->cur.fileid,
				   c->cur.stripe, c->cur.generation);

	if (sz == -ENOENT)
		return NFS4ERR_STALE;
	if (sz < 0)
		return nfs_errno((int)sz);
	*size = (uint64_t)sz;
	return NFS4_OK;
}

/* A data server has no namespace: GETATTR describes the stripe object. */
static nfsstat4 ds_object_inode(struct compound *c, struct ns_inode *out)
{
	uint64_t sz = 0;
	nfsstat4 st = ds_object_size(c, &sz);

	if (st != NFS4_OK)
		return st;
	memset(out, 0, sizeof(*out));
	out->fileid = c->cur.fileid;
	out->generation = c->cur.generation;
	out->type = NS_REG;
	out->mode = 0600;
	out->nlink = 1;
	out->size = sz;
	out->space_used = sz;
	out->change = sz;
	return NFS4_OK;
}

/* An object of another node's partition (metadata/ns.h ns_own): what its
 * owner said of it (struct cfh), enough for permission checks. Its owner
 * said nothing (compound.c attr_hop asked it): it is gone, -ESTALE. */
static int fh_remote_inode(const struct cfh *fh, struct ns_inode *out)
{
	if (!fh->has_attr)
		return -ESTALE;
	memset(out, 0, sizeof(*out));
	out->fileid = fh->fileid;
	out->generation = fh->generation;
	out->type = fh->type;
	out->mode = fh->mode;
	out->uid = fh->uid;
	out->gid = fh->gid;
	out->nlink = fh->type == NS_DIR ? 2 : 1;
	return 0;
}

nfsstat4 fh_inode(struct compound *c, const struct cfh *fh,
		  struct ns_inode *out)
{
	int rc = ns_getattr(c->srv->ns, fh->fileid, out);

	if (rc == -EREMOTE)
		rc = fh_remote_inode(fh, out);

	if (rc == -ENOENT)
		rc = orphan_getattr(c->srv, fh->fileid, fh->generation, out);
	if (rc == -ENOENT)
		return NFS4ERR_STALE;
	if (rc < 0)
		return nfs_errno(rc);
	if (out->generation != fh->generation)
		return NFS4ERR_STALE;
	return NFS4_OK;
}

nfsstat4 cur_inode(struct compound *c, struct ns_inode *out)
{
	if (c->srv->role & ROLE_DS)
		return ds_object_inode(c, out);
	return fh_inode(c, &c->cur, out);
}

int inode_prepare_data(struct compound *c, uint64_t fileid)
{
	int rc;

	if (!c->srv->orphans)
		return 0;
	rc = orphan_prepare_data(c->srv, fileid);
	return rc == -ENOENT ? 0 : rc;
}

int inode_note_write(struct compound *c, uint64_t fileid, uint64_t end,
		     struct ns_inode *out)
{
	int rc = ns_note_write(c->srv->ns, fileid, end, out);

	return rc == -ENOENT ? orphan_note_write(c->srv, fileid, end, out) : rc;
}

int inode_setattr(struct compound *c, uint64_t fileid, unsigned mask,
		  const struct ns_inode *attr, struct ns_inode *out)
{
	int rc = ns_setattr(c->srv->ns, fileid, mask, attr, out);

	return rc == -ENOENT ? orphan_setattr(c->srv, fileid, mask, attr, out)
			     : rc;
}

int inode_place_data(struct compound *c, struct ns_inode *ino, int defer)
{
	int rc;

	if (ino->flags & NS_INO_DATA_PLACED)
		return 0;
	rc = inode_prepare_data(c, ino->fileid);
	if (rc < 0)
		return rc;
	/* The executor places a batch's files at generation 0 (exec.c). */
	if (defer && ino->layout_gen == 0 && c->srv->exec &&
	    c->srv->defer_place &&
	    c->srv->defer_place(c->srv->exec, ino->fileid) == 0)
		return 0;
	rc = data_place(c->srv, ino->fileid, ino->layout_gen);
	/* Made: placed. Failed part way: some objects may exist (unsure, so
	 * a removal reclaims them and the next try makes the rest). */
	if (inode_mark_data(c->srv, ino->fileid, rc == 0) == 0) {
		if (rc == 0)
			ns_inode_set_placed(ino);
		else
			ns_inode_set_unsure(ino);
	}
	return rc;
}

int drop_setid(struct compound *c, const struct ns_inode *ino)
{
	struct ns_inode attr = { .mode = perm_mode_after_write(&c->who, ino) };
	struct ns_inode out;

	if (attr.mode == ino->mode)
		return 0;
	return inode_setattr(c, ino->fileid, NS_SET_MODE, &attr, &out);
}

nfsstat4 may_search(struct compound *c)
{
	struct ns_inode dir;
	nfsstat4 st = cur_inode(c, &dir);

	return st == NFS4_OK ? perm_check(&c->who, &dir, PERM_EXEC) : st;
}

nfsstat4 may_create_name(struct compound *c, const struct ns_inode *dir,
			 const component4 *name)
{
	uint64_t fileid;
	nfsstat4 st = perm_check(&c->who, dir, PERM_EXEC);

	if (st != NFS4_OK)
		return st;
	st = perm_may_create(&c->who, dir);
	/* Linux looks the name up first: an existing one is EEXIST even in
	 * a directory the caller may not write. */
	if (st != NFS4_OK &&
	    ns_lookup(c->srv->ns, dir->fileid, name->utf8string_val,
		      name->utf8string_len, &fileid) == 0)
		return NFS4ERR_EXIST;
	return st;
}

nfsstat4 may_delete_name(struct compound *c, const struct ns_inode *dir,
			 const component4 *name, struct ns_inode *victim)
{
	uint64_t fileid;
	nfsstat4 st = perm_check(&c->who, dir, PERM_EXEC);
	int rc;

	if (st != NFS4_OK)
		return st;
	rc = ns_lookup(c->srv->ns, dir->fileid, name->utf8string_val,
		       name->utf8string_len, &fileid);
	if (rc == 0)
		rc = ns_getattr(c->srv->ns, fileid, victim);
	if (rc < 0)
		return nfs_errno(rc);
	return perm_may_delete(&c->who, dir, victim);
}

void set_cfh(struct compound *c, const struct ns_inode *ino)
{
	c->cur.fileid = ino->fileid;
	c->cur.generation = ino->generation;
	c->cur.type = ino->type;
	c->cur.has_attr = 0;
}

/* RFC 3629 well-formed UTF-8, no overlongs or surrogates. */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char b = s[i];
		size_t len;
		uint32_t cp;
		if (b < 0x80) {
			i++;
			continue;
		} else if ((b & 0xe0) == 0xc0) {
			len = 2;
			cp = b & 0x1f;
		} else if ((b & 0xf0) == 0xe0) {
			len = 3;
			cp = b & 0x0f;
		} else if ((b & 0xf8) == 0xf0) {
			len = 4;
			cp = b & 0x07;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* RFC 8881 §18.9.3 / §18.4.3: empty names are NFS4ERR_INVAL, bad UTF-8
 * NFS4ERR_INVAL, "." "..", '/' or NUL NFS4ERR_BADNAME, too long
 * NFS4ERR_NAMETOOLONG. */
nfsstat4 check_component(const component4 *name, int lookup)
{
	const char *s = name->utf8string_val;
	size_t n = name->utf8string_len;

	(void)lookup;
	if (n == 0)
		return NFS4ERR_INVAL;
	if (!utf8_valid((const unsigned char *)s, n))
		return NFS4ERR_INVAL;
	if (n > NS_NAME_MAX)
		return NFS4ERR_NAMETOOLONG;
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return NFS4ERR_BADNAME;
	if (memchr(s, '/', n) || memchr(s, '\0', n))
		return NFS4ERR_BADNAME;
	return NFS4_OK;
}

void cinfo_out(struct compound *c, change_info4 *out,
	       const struct ns_cinfo *in, size_t lead)
{
	out->atomic = in->atomic ? TRUE : FALSE;
	out->before = in->before;
	out->after = in->after;
	/* The directory is another node's: the change went in a delta for
	 * its owner (metadata/ns.h); not atomic here (RFC 8881 §3.3.12:
	 * the client then revalidates the directory). */
	if (in->delta_seq)
		delta_ship_note(c->srv->deltas, in->delta_shard,
				in->delta_seq, c->opnum, c->res_pos,
				(uint32_t)lead);
}

void set_cur_stateid(struct compound *c, const stateid4 *sid)
{
	c->cur_stateid = *sid;
	c->cur_stateid_valid = 1;
}
