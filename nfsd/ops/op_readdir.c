/* nfsd/ops/op_readdir.c — READDIR (RFC 8881 §18.23). Cookies come from the
 * namespace and stay valid across inserts and removes (metadata/ns.h), so
 * the cookie verifier is constant (zero). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "data.h"
#include "ops.h"
#include "residency.h"
#include "server.h"

/* XDR bytes a READDIR4resok takes besides its entries: verifier, the
 * entry-list terminator and eof. */
#define RESOK_OVERHEAD (NFS4_VERIFIER_SIZE + 4 + 4)

struct rd_ctx {
	struct compound *c;
	const READDIR4args *a;
	entry4 *head, **tail;
	size_t used;      /* bytes counted against maxcount */
	size_t dirbytes;  /* bytes counted against dircount */
	unsigned count;
	nfsstat4 err;
	int full;
};

static size_t entry_xdr_size(const entry4 *e)
{
	return 4 /* value follows */ + 8 /* cookie */ + 4 +
	       ((e->name.utf8string_len + 3u) & ~3u) + 4 +
	       4 * e->attrs.attrmask.bitmap4_len + 4 +
	       ((e->attrs.attr_vals.attrlist4_len + 3u) & ~3u);
}

static void free_entry(entry4 *e)
{
	e->nextentry = NULL;
	xdr_free((xdrproc_t)xdr_entry4, (char *)e);
	free(e);
}

/* The attributes a node knows of an entry whose inode another node
 * holds (a name renamed across nodes, decision 0024): its type, fileid
 * and handle. The others are left out of the entry's bitmap (RFC 8881
 * §18.23.3 lets a server return fewer than asked); a client gets them
 * with GETATTR from the inode's owner. */
static nfsstat4 far_attrs(struct rd_ctx *x, entry4 *e, uint64_t fileid)
{
	static const uint32_t known[] = { FATTR4_TYPE, FATTR4_FILEID,
					  FATTR4_FILEHANDLE,
					  FATTR4_MOUNTED_ON_FILEID,
					  FATTR4_RDATTR_ERROR };
	struct ns_inode ino = { .fileid = fileid, .generation = 1 };
	bitmap4 only = { 0 };
	nfsstat4 st = NFS4_OK;

	if (ns_lookup_ex(x->c->srv->ns, x->c->cur.fileid,
			 e->name.utf8string_val, e->name.utf8string_len, NULL,
			 &ino.type) < 0)
		return NFS4ERR_DELAY; /* gone meanwhile: the client asks again */
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (bitmap_isset(&x->a->attr_request, known[i]) &&
		    bitmap_set(&only, known[i]) < 0)
			st = NFS4ERR_RESOURCE;
	if (st == NFS4_OK)
		st = attr_encode(x->c, &ino, &only, &e->attrs, NFS4_OK);
	free(only.bitmap4_val);
	return st;
}

static int fill_attrs(struct rd_ctx *x, entry4 *e, uint64_t fileid)
{
	struct ns_inode ino;
	int rc = ns_getattr(x->c->srv->ns, fileid, &ino);
	nfsstat4 st;

	if (rc == -EREMOTE) {
		st = far_attrs(x, e, fileid);
		if (st != NFS4_OK)
			x->err = st;
		return st == NFS4_OK ? 0 : -1;
	}
	if (rc < 0) {
		/* §18.23.3: report per entry if the client asked for it. */
		if (!bitmap_isset(&x->a->attr_request, FATTR4_RDATTR_ERROR)) {
			x->err = nfs_errno(rc);
			return -1;
		}
		memset(&ino, 0, sizeof(ino));
		ino.fileid = fileid;
		bitmap4 only = { 0 };
		if (bitmap_set(&only, FATTR4_RDATTR_ERROR) < 0)
			return -1;
		st = attr_encode(x->c, &ino, &only, &e->attrs, nfs_errno(rc));
		free(only.bitmap4_val);
	} else {
		if (ino.type == NS_REG && residency_away(&ino)) {
			ino.space_used = residency_space_used(&ino);
		} else if (ino.type == NS_REG) {
			int64_t used = data_space_used(x->c->srv, fileid,
						       ino.layout_gen,
						       ino.size);
			if (used >= 0)
				ino.space_used = (uint64_t)used;
		}
		st = attr_encode(x->c, &ino, &x->a->attr_request, &e->attrs,
				 NFS4_OK);
	}
	if (st != NFS4_OK) {
		x->err = st;
		return -1;
	}
	return 0;
}

static int add_entry(void *ctx, const char *name, size_t namelen,
		     uint64_t fileid, uint64_t cookie)
{
	struct rd_ctx *x = ctx;
	entry4 *e = calloc(1, sizeof(*e));
	size_t sz, dsz;

	if (!e) {
		x->err = NFS4ERR_RESOURCE;
		return 1;
	}
	e->cookie = cookie;
	e->name.utf8string_val = malloc(namelen ? namelen : 1);
	if (!e->name.utf8string_val) {
		free(e);
		x->err = NFS4ERR_RESOURCE;
		return 1;
	}
	memcpy(e->name.utf8string_val, name, namelen);
	e->name.utf8string_len = (u_int)namelen;
	if (fill_attrs(x, e, fileid) < 0) {
		free_entry(e);
		return 1;
	}
	sz = entry_xdr_size(e);
	dsz = 8 + 4 + ((namelen + 3) & ~(size_t)3);
	if (x->used + sz > x->a->maxcount ||
	    (x->count > 0 && x->a->dircount > 0 &&
	     x->dirbytes + dsz > x->a->dircount)) {
		free_entry(e);
		x->full = 1;
		return 1;
	}
	x->used += sz;
	x->dirbytes += dsz;
	x->count++;
	*x->tail = e;
	x->tail = &e->nextentry;
	return 0;
}

nfsstat4 op_readdir(struct compound *c, void *args, void *res)
{
	READDIR4args *a = args;
	READDIR4resok *ok = &((READDIR4res *)res)->READDIR4res_u.resok4;
	struct rd_ctx x = { .c = c, .a = a, .used = RESOK_OVERHEAD };
	static const char zero_verf[NFS4_VERIFIER_SIZE];
	struct ns_inode dir;
	int eof = 0, rc;
	nfsstat4 st = need_dir(c);

	if (st == NFS4_OK)
		st = cur_inode(c, &dir);
	if (st == NFS4_OK)
		st = perm_check(&c->who, &dir, PERM_READ);
	if (st != NFS4_OK)
		return st;
	if (a->cookie == 1 || a->cookie == 2)
		return NFS4ERR_BAD_COOKIE;
	if (a->cookie != 0 &&
	    memcmp(a->cookieverf, zero_verf, NFS4_VERIFIER_SIZE) != 0)
		return NFS4ERR_NOT_SAME;
	if (a->maxcount < RESOK_OVERHEAD + 16)
		return NFS4ERR_TOOSMALL;
	x.tail = &x.head;
	rc = ns_readdir(c->srv->ns, c->cur.fileid, a->cookie, add_entry, &x,
			&eof);
	if (rc == -EINVAL)
		st = NFS4ERR_BAD_COOKIE;
	else if (rc < 0)
		st = nfs_errno(rc);
	else if (x.err != NFS4_OK)
		st = x.err;
	else if (x.full && x.count == 0)
		st = NFS4ERR_TOOSMALL;
	else if (x.count == 0 && !eof)
		/* Nothing here, and the listing goes on at another node's
		 * partition: an empty page that is not the end would be
		 * asked for again for ever. The route moves the cookie on
		 * (compound.c); only a race gets here. */
		st = NFS4ERR_DELAY;
	if (st != NFS4_OK) {
		while (x.head) {
			entry4 *n = x.head->nextentry;
			free_entry(x.head);
			x.head = n;
		}
		return st;
	}
	memset(ok->cookieverf, 0, NFS4_VERIFIER_SIZE);
	ok->reply.entries = x.head;
	ok->reply.eof = (eof && !x.full) ? TRUE : FALSE;
	return NFS4_OK;
}
