/* nfsd/attr.c — fattr4 encode/decode. Contract in attr.h. */
#include "attr.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fh.h"
#include "server.h"

#define ATTR_WORDS 3
#define ATTR_BUF 4096

/* Attribute numbers we serve (RFC 8881 §5.6, §5.7). */
static const unsigned supported_bits[] = {
	FATTR4_SUPPORTED_ATTRS, FATTR4_TYPE, FATTR4_FH_EXPIRE_TYPE,
	FATTR4_CHANGE, FATTR4_SIZE, FATTR4_LINK_SUPPORT,
	FATTR4_SYMLINK_SUPPORT, FATTR4_NAMED_ATTR, FATTR4_FSID,
	FATTR4_UNIQUE_HANDLES, FATTR4_LEASE_TIME, FATTR4_RDATTR_ERROR,
	FATTR4_CANSETTIME, FATTR4_CASE_INSENSITIVE, FATTR4_CASE_PRESERVING,
	FATTR4_CHOWN_RESTRICTED, FATTR4_FILEHANDLE, FATTR4_FILEID,
	FATTR4_FILES_AVAIL, FATTR4_FILES_FREE, FATTR4_FILES_TOTAL,
	FATTR4_HOMOGENEOUS, FATTR4_MAXFILESIZE, FATTR4_MAXLINK,
	FATTR4_MAXNAME, FATTR4_MAXREAD, FATTR4_MAXWRITE, FATTR4_MODE,
	FATTR4_NO_TRUNC, FATTR4_NUMLINKS, FATTR4_OWNER, FATTR4_OWNER_GROUP,
	FATTR4_RAWDEV, FATTR4_SPACE_AVAIL, FATTR4_SPACE_FREE,
	FATTR4_SPACE_TOTAL, FATTR4_SPACE_USED, FATTR4_TIME_ACCESS,
	FATTR4_TIME_ACCESS_SET, FATTR4_TIME_CREATE, FATTR4_TIME_DELTA,
	FATTR4_TIME_METADATA, FATTR4_TIME_MODIFY, FATTR4_TIME_MODIFY_SET,
	FATTR4_MOUNTED_ON_FILEID, FATTR4_SUPPATTR_EXCLCREAT,
	FATTR4_FS_LAYOUT_TYPES, FATTR4_LAYOUT_TYPES, FATTR4_LAYOUT_BLKSIZE,
	FATTR4_LAYOUT_ALIGNMENT,
};

static const unsigned exclcreat_bits[] = {
	FATTR4_SIZE, FATTR4_MODE, FATTR4_OWNER, FATTR4_OWNER_GROUP,
};

int bitmap_isset(const bitmap4 *bm, unsigned bit)
{
	unsigned w = bit / 32;

	return w < bm->bitmap4_len && (bm->bitmap4_val[w] >> (bit % 32)) & 1;
}

int bitmap_set(bitmap4 *bm, unsigned bit)
{
	unsigned w = bit / 32;

	if (w >= bm->bitmap4_len) {
		uint32_t *n = realloc(bm->bitmap4_val, (w + 1) * sizeof(*n));
		if (!n)
			return -1;
		memset(n + bm->bitmap4_len, 0,
		       (w + 1 - bm->bitmap4_len) * sizeof(*n));
		bm->bitmap4_val = n;
		bm->bitmap4_len = w + 1;
	}
	bm->bitmap4_val[w] |= 1u << (bit % 32);
	return 0;
}

static int fill_bitmap(bitmap4 *out, const unsigned *bits, size_t n)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		if (bitmap_set(out, bits[i]) < 0)
			return -1;
	return 0;
}

int attr_supported(bitmap4 *out)
{
	return fill_bitmap(out, supported_bits,
			   sizeof(supported_bits) / sizeof(supported_bits[0]));
}

int attr_exclcreat(bitmap4 *out)
{
	return fill_bitmap(out, exclcreat_bits,
			   sizeof(exclcreat_bits) / sizeof(exclcreat_bits[0]));
}

static int is_supported(unsigned bit)
{
	for (size_t i = 0; i < sizeof(supported_bits) / sizeof(*supported_bits);
	     i++)
		if (supported_bits[i] == bit)
			return 1;
	return 0;
}

/* ---- encoding ------------------------------------------------------- */

static bool_t put_u32(XDR *x, uint32_t v)
{
	return xdr_u_int(x, &v);
}

static bool_t put_u64(XDR *x, uint64_t v)
{
	return xdr_uint64_t(x, &v);
}

static bool_t put_bool(XDR *x, int v)
{
	bool_t b = v ? TRUE : FALSE;
	return xdr_bool(x, &b);
}

static bool_t put_time(XDR *x, const struct ns_time *t)
{
	int64_t s = t->sec;
	uint32_t ns = t->nsec;

	return xdr_int64_t(x, &s) && xdr_u_int(x, &ns);
}

static bool_t put_string(XDR *x, const char *s)
{
	char *p = (char *)s;
	u_int len = (u_int)strlen(s);

	return xdr_bytes(x, &p, &len, NFS4_OPAQUE_LIMIT);
}

static bool_t put_bitmap(XDR *x, const unsigned *bits, size_t n)
{
	bitmap4 bm;
	bool_t ok;

	if (fill_bitmap(&bm, bits, n) < 0)
		return FALSE;
	ok = xdr_bitmap4(x, &bm);
	free(bm.bitmap4_val);
	return ok;
}

static void id_to_string(struct compound *c, uint32_t id, int group,
			 char *buf, size_t len)
{
	(void)c;
	(void)group;
	/* Numeric ids: what the Linux client sends and expects with AUTH_SYS
	 * when id mapping is off (its default for sec=sys). */
	snprintf(buf, len, "%u", id);
}

struct fsinfo {
	uint64_t total, free, avail;
	struct ns_stats ns;
};

static void get_fsinfo(struct compound *c, struct fsinfo *fi)
{
	memset(fi, 0, sizeof(*fi));
	ds_store_statfs(c->srv->store, &fi->total, &fi->free, &fi->avail);
	if (c->srv->ns)
		ns_stats(c->srv->ns, &fi->ns);
}

/* fs_layout_types / layout_types: files layouts only, and only with data
 * servers (the Linux client prefers any other type it knows, so we never
 * list one: shared/pnfs-linux-client.md §1). */
static bool_t put_layout_types(XDR *x, int have)
{
	uint32_t n = have ? 1 : 0, t = LAYOUT4_NFSV4_1_FILES;

	return xdr_u_int(x, &n) && (!have || xdr_u_int(x, &t));
}

static bool_t encode_one(struct compound *c, XDR *x, unsigned bit,
			 const struct ns_inode *ino, const struct fsinfo *fi,
			 nfsstat4 rderr)
{
	static const struct ns_time delta = { 0, 1 };
	char buf[64];
	uint8_t fh[FH_LEN];

	switch (bit) {
	case FATTR4_SUPPORTED_ATTRS:
		return put_bitmap(x, supported_bits,
				  sizeof(supported_bits) /
					  sizeof(supported_bits[0]));
	case FATTR4_TYPE:
		return put_u32(x, ino->type);
	case FATTR4_FH_EXPIRE_TYPE:
		return put_u32(x, FH4_PERSISTENT);
	case FATTR4_CHANGE:
		return put_u64(x, ino->change);
	case FATTR4_SIZE:
		return put_u64(x, ino->size);
	case FATTR4_LINK_SUPPORT:
	case FATTR4_SYMLINK_SUPPORT:
	case FATTR4_UNIQUE_HANDLES:
	case FATTR4_CANSETTIME:
	case FATTR4_CASE_PRESERVING:
	case FATTR4_CHOWN_RESTRICTED:
	case FATTR4_HOMOGENEOUS:
	case FATTR4_NO_TRUNC:
		return put_bool(x, 1);
	case FATTR4_NAMED_ATTR:
	case FATTR4_CASE_INSENSITIVE:
		return put_bool(x, 0);
	case FATTR4_FSID:
		return put_u64(x, 0x5354524154410001ull) && put_u64(x, 1);
	case FATTR4_LEASE_TIME:
		return put_u32(x, c->srv->cfg.lease_time);
	case FATTR4_RDATTR_ERROR:
		return put_u32(x, (uint32_t)rderr);
	case FATTR4_FILEHANDLE: {
		char *p = (char *)fh;
		u_int len = FH_LEN;
		fh_encode(fh, ino->fileid, ino->generation);
		return xdr_bytes(x, &p, &len, NFS4_FHSIZE);
	}
	case FATTR4_FILEID:
	case FATTR4_MOUNTED_ON_FILEID:
		return put_u64(x, ino->fileid);
	case FATTR4_FILES_AVAIL:
	case FATTR4_FILES_FREE:
		return put_u64(x, (1ull << 40) - fi->ns.inodes);
	case FATTR4_FILES_TOTAL:
		return put_u64(x, 1ull << 40);
	case FATTR4_MAXFILESIZE:
		return put_u64(x, (uint64_t)INT64_MAX);
	case FATTR4_MAXLINK:
		return put_u32(x, 65000);
	case FATTR4_MAXNAME:
		return put_u32(x, NS_NAME_MAX);
	case FATTR4_MAXREAD:
	case FATTR4_MAXWRITE:
		return put_u64(x, c->srv->cfg.max_io);
	case FATTR4_MODE:
		return put_u32(x, ino->mode & 07777);
	case FATTR4_NUMLINKS:
		return put_u32(x, ino->nlink);
	case FATTR4_OWNER:
		id_to_string(c, ino->uid, 0, buf, sizeof(buf));
		return put_string(x, buf);
	case FATTR4_OWNER_GROUP:
		id_to_string(c, ino->gid, 1, buf, sizeof(buf));
		return put_string(x, buf);
	case FATTR4_RAWDEV:
		return put_u32(x, ino->rdev_major) &&
		       put_u32(x, ino->rdev_minor);
	case FATTR4_SPACE_AVAIL:
		return put_u64(x, fi->avail);
	case FATTR4_SPACE_FREE:
		return put_u64(x, fi->free);
	case FATTR4_SPACE_TOTAL:
		return put_u64(x, fi->total);
	case FATTR4_SPACE_USED:
		return put_u64(x, ino->space_used);
	case FATTR4_TIME_ACCESS:
		return put_time(x, &ino->atime);
	case FATTR4_TIME_CREATE:
		return put_time(x, &ino->btime);
	case FATTR4_TIME_DELTA:
		return put_time(x, &delta);
	case FATTR4_TIME_METADATA:
		return put_time(x, &ino->ctime);
	case FATTR4_TIME_MODIFY:
		return put_time(x, &ino->mtime);
	case FATTR4_SUPPATTR_EXCLCREAT:
		return put_bitmap(x, exclcreat_bits,
				  sizeof(exclcreat_bits) /
					  sizeof(exclcreat_bits[0]));
	case FATTR4_FS_LAYOUT_TYPES:
		return put_layout_types(x, c->srv->cluster != NULL);
	case FATTR4_LAYOUT_TYPES:
		return put_layout_types(x, c->srv->cluster != NULL &&
						   ino->type == NS_REG);
	case FATTR4_LAYOUT_BLKSIZE:
	case FATTR4_LAYOUT_ALIGNMENT:
		/* The stripe unit: what the DS I/O is aligned to. */
		return put_u32(x, c->srv->cluster ? c->srv->cfg.stripe_unit
						  : 4096);
	default:
		return TRUE; /* not supported: not in the reply bitmap */
	}
}

static int readable(unsigned bit)
{
	return is_supported(bit) && bit != FATTR4_TIME_ACCESS_SET &&
	       bit != FATTR4_TIME_MODIFY_SET;
}

static int needs_fsinfo(const bitmap4 *req)
{
	static const unsigned b[] = { FATTR4_FILES_AVAIL, FATTR4_FILES_FREE,
				      FATTR4_SPACE_AVAIL, FATTR4_SPACE_FREE,
				      FATTR4_SPACE_TOTAL };
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		if (bitmap_isset(req, b[i]))
			return 1;
	return 0;
}

nfsstat4 attr_encode(struct compound *c, const struct ns_inode *ino,
		     const bitmap4 *req, fattr4 *out, nfsstat4 rderr)
{
	char *buf = malloc(ATTR_BUF);
	struct fsinfo fi;
	XDR x;
	unsigned nbits = req->bitmap4_len * 32;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return NFS4ERR_RESOURCE;
	if (needs_fsinfo(req))
		get_fsinfo(c, &fi);
	else
		memset(&fi, 0, sizeof(fi));
	xdrmem_create(&x, buf, ATTR_BUF, XDR_ENCODE);
	for (unsigned bit = 0; bit < nbits; bit++) {
		if (!bitmap_isset(req, bit) || !readable(bit))
			continue;
		if (bit == FATTR4_RDATTR_ERROR && rderr == NFS4_OK)
			continue;
		if (!encode_one(c, &x, bit, ino, &fi, rderr) ||
		    bitmap_set(&out->attrmask, bit) < 0) {
			free(out->attrmask.bitmap4_val);
			memset(out, 0, sizeof(*out));
			free(buf);
			return NFS4ERR_RESOURCE;
		}
	}
	out->attr_vals.attrlist4_len = xdr_getpos(&x);
	out->attr_vals.attrlist4_val = buf;
	return NFS4_OK;
}

/* ---- decoding ------------------------------------------------------- */

static nfsstat4 parse_id(const char *s, u_int len, int group, uint32_t *id)
{
	char tmp[NFS4_OPAQUE_LIMIT + 1];
	char *end, *at;
	unsigned long v;

	if (len == 0 || len > NFS4_OPAQUE_LIMIT)
		return NFS4ERR_BADOWNER;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (memchr(tmp, '\0', len))
		return NFS4ERR_BADOWNER;
	errno = 0;
	v = strtoul(tmp, &end, 10);
	if (*end == '\0' && errno == 0 && v <= UINT32_MAX && tmp[0] != '-') {
		*id = (uint32_t)v;
		return NFS4_OK;
	}
	at = strchr(tmp, '@');
	if (at)
		*at = '\0';
	if (group) {
		struct group g, *gp = NULL;
		char gbuf[4096];
		if (getgrnam_r(tmp, &g, gbuf, sizeof(gbuf), &gp) == 0 && gp) {
			*id = (uint32_t)gp->gr_gid;
			return NFS4_OK;
		}
	} else {
		struct passwd p, *pp = NULL;
		char pbuf[4096];
		if (getpwnam_r(tmp, &p, pbuf, sizeof(pbuf), &pp) == 0 && pp) {
			*id = (uint32_t)pp->pw_uid;
			return NFS4_OK;
		}
	}
	return NFS4ERR_BADOWNER;
}

static nfsstat4 get_settime(XDR *x, struct ns_time *t, int *now)
{
	uint32_t how;
	int64_t s;
	uint32_t ns;

	if (!xdr_u_int(x, &how))
		return NFS4ERR_BADXDR;
	if (how == SET_TO_SERVER_TIME4) {
		*now = 1;
		return NFS4_OK;
	}
	if (how != SET_TO_CLIENT_TIME4)
		return NFS4ERR_BADXDR;
	if (!xdr_int64_t(x, &s) || !xdr_u_int(x, &ns))
		return NFS4ERR_BADXDR;
	if (ns >= 1000000000u)
		return NFS4ERR_INVAL;
	*now = 0;
	t->sec = s;
	t->nsec = ns;
	return NFS4_OK;
}

static nfsstat4 get_owner(XDR *x, int group, uint32_t *id)
{
	char *s = NULL;
	u_int len = 0;
	nfsstat4 st;

	if (!xdr_bytes(x, &s, &len, NFS4_OPAQUE_LIMIT))
		return NFS4ERR_BADXDR;
	st = parse_id(s, len, group, id);
	free(s);
	return st;
}

static nfsstat4 decode_one(XDR *x, unsigned bit, struct attr_set *a)
{
	nfsstat4 st;
	int now = 0;

	switch (bit) {
	case FATTR4_SIZE:
		if (!xdr_uint64_t(x, &a->v.size))
			return NFS4ERR_BADXDR;
		a->mask |= NS_SET_SIZE;
		return NFS4_OK;
	case FATTR4_MODE:
		if (!xdr_u_int(x, &a->v.mode))
			return NFS4ERR_BADXDR;
		if (a->v.mode & ~07777u)
			return NFS4ERR_INVAL;
		a->mask |= NS_SET_MODE;
		return NFS4_OK;
	case FATTR4_OWNER:
		st = get_owner(x, 0, &a->v.uid);
		a->mask |= NS_SET_UID;
		return st;
	case FATTR4_OWNER_GROUP:
		st = get_owner(x, 1, &a->v.gid);
		a->mask |= NS_SET_GID;
		return st;
	case FATTR4_TIME_ACCESS_SET:
		st = get_settime(x, &a->v.atime, &now);
		a->mask |= now ? NS_SET_ATIME_NOW : NS_SET_ATIME;
		return st;
	case FATTR4_TIME_MODIFY_SET:
		st = get_settime(x, &a->v.mtime, &now);
		a->mask |= now ? NS_SET_MTIME_NOW : NS_SET_MTIME;
		return st;
	default:
		return is_supported(bit) ? NFS4ERR_INVAL : NFS4ERR_ATTRNOTSUPP;
	}
}

nfsstat4 attr_decode_set(struct compound *c, const fattr4 *in,
			 struct attr_set *out)
{
	XDR x;
	unsigned nbits = in->attrmask.bitmap4_len * 32;
	nfsstat4 st = NFS4_OK;

	(void)c;
	memset(out, 0, sizeof(*out));
	xdrmem_create(&x, in->attr_vals.attrlist4_val,
		      in->attr_vals.attrlist4_len, XDR_DECODE);
	for (unsigned bit = 0; bit < nbits && st == NFS4_OK; bit++) {
		if (!bitmap_isset(&in->attrmask, bit))
			continue;
		st = decode_one(&x, bit, out);
		if (st == NFS4_OK && bitmap_set(&out->bits, bit) < 0)
			st = NFS4ERR_RESOURCE;
	}
	if (st == NFS4_OK && xdr_getpos(&x) != in->attr_vals.attrlist4_len)
		st = NFS4ERR_BADXDR; /* trailing bytes */
	if (st != NFS4_OK) {
		free(out->bits.bitmap4_val);
		memset(&out->bits, 0, sizeof(out->bits));
	}
	return st;
}

nfsstat4 attr_compare(struct compound *c, const struct ns_inode *ino,
		      const fattr4 *in, int *same)
{
	fattr4 mine;
	nfsstat4 st;
	unsigned nbits = in->attrmask.bitmap4_len * 32;

	*same = 0;
	for (unsigned bit = 0; bit < nbits; bit++) {
		if (!bitmap_isset(&in->attrmask, bit))
			continue;
		if (bit == FATTR4_RDATTR_ERROR ||
		    bit == FATTR4_TIME_ACCESS_SET ||
		    bit == FATTR4_TIME_MODIFY_SET)
			return NFS4ERR_INVAL;
		if (!is_supported(bit))
			return NFS4ERR_ATTRNOTSUPP;
	}
	st = attr_encode(c, ino, &in->attrmask, &mine, NFS4_OK);
	if (st != NFS4_OK)
		return st;
	/* Same attributes in the same order: byte comparison is exact. */
	*same = mine.attr_vals.attrlist4_len == in->attr_vals.attrlist4_len &&
		(mine.attr_vals.attrlist4_len == 0 ||
		 memcmp(mine.attr_vals.attrlist4_val,
			in->attr_vals.attrlist4_val,
			mine.attr_vals.attrlist4_len) == 0);
	xdr_free((xdrproc_t)xdr_fattr4, (char *)&mine);
	return NFS4_OK;
}
