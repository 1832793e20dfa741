/*
 * metadata/ns_scan.c — walking every inode in fileid order, and the path
 * of a fileid (ns.h: ns_scan_inodes, ns_path). Read-only, short LMDB read
 * transactions per shard: any thread, never blocks writers.
 */
#include <errno.h>
#include <string.h>

#include "ns_internal.h"

#define SHARD_SHIFT (64 - NS_SHARD_BITS)
#define PATH_DEPTH_MAX 1024

/* Walk shard S's inodes from key FROM on; stop after MAX or when CB says
 * so. *SEEN counts them, *LAST is the last fileid visited. 1 when stopped
 * early, 0 at the shard's end, -errno. */
static int scan_shard(struct ns *ns, unsigned s, uint64_t from, size_t max,
		      ns_inode_cb cb, void *ctx, size_t *seen, uint64_t *last)
{
	uint8_t key[8];
	MDB_val k = { 8, key }, v;
	MDB_cursor *cur;
	MDB_txn *txn;
	int rc = ns_rtxn_begin(ns, s, &txn), stop = 0;

	if (rc)
		return rc;
	ns_put_be64(key, from);
	rc = ns_mdb_err(mdb_cursor_open(txn, ns->shard[s].dbi[NS_DB_INODES],
					&cur));
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	for (int op = MDB_SET_RANGE; !rc && !stop; op = MDB_NEXT) {
		struct ns_inode ino;
		int got = mdb_cursor_get(cur, &k, &v, op);

		if (got == MDB_NOTFOUND)
			break;
		if (got || k.mv_size != 8) {
			rc = got ? ns_mdb_err(got) : -EIO;
			break;
		}
		if (*seen >= max) {
			stop = 1;
			break;
		}
		rc = ns_inode_decode(ns_get_be64(k.mv_data), v.mv_data,
				     v.mv_size, &ino);
		if (rc)
			break;
		(*seen)++;
		*last = ino.fileid;
		stop = cb(ctx, &ino) != 0;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc ? rc : stop;
}

int ns_scan_inodes(struct ns *ns, uint64_t after, size_t max,
		   ns_inode_cb cb, void *ctx, uint64_t *next, int *done)
{
	unsigned first = ns_fileid_shard(after);
	size_t seen = 0;

	*next = after;
	*done = 0;
	if (after == UINT64_MAX) {
		*done = 1;
		return 0;
	}
	for (unsigned s = first; s < ns->nshards; s++) {
		uint64_t from = s == first ? after + 1
					   : (uint64_t)s << SHARD_SHIFT;
		int rc;

		if (s == first && ns_fileid_shard(after + 1) != s)
			continue; /* AFTER was the shard's last fileid */
		if (!ns_shard_owned(ns, s))
			continue; /* another node's partition */
		rc = scan_shard(ns, s, from, max, cb, ctx, &seen, next);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	*done = 1;
	return 0;
}

/* ---- paths ---------------------------------------------------------- */

struct find_name {
	uint64_t fileid;
	char *name;
	size_t cap;
	size_t len;
	int found;
};

static int match_name(void *ctx, const char *name, size_t namelen,
		      uint64_t fileid, uint64_t cookie)
{
	struct find_name *f = ctx;

	(void)cookie;
	if (fileid != f->fileid || namelen >= f->cap)
		return 0;
	memcpy(f->name, name, namelen);
	f->len = namelen;
	f->found = 1;
	return 1;
}

/* The name FILEID has in directory DIR (the first found). */
static int name_in(struct ns *ns, uint64_t dir, uint64_t fileid, char *name,
		   size_t cap, size_t *len)
{
	struct find_name f = { fileid, name, cap, 0, 0 };
	int eof = 0;
	int rc = ns_readdir(ns, dir, 0, match_name, &f, &eof);

	if (rc)
		return rc;
	if (!f.found)
		return -ENOENT;
	*len = f.len;
	return 0;
}

/* Put NAME in front of the path being built backwards at BUF + *AT. */
static int prepend(char *buf, size_t *at, const char *name, size_t len)
{
	if (len + 1 > *at)
		return -ENAMETOOLONG;
	*at -= len;
	memcpy(buf + *at, name, len);
	buf[--*at] = '/';
	return 0;
}

int ns_path(struct ns *ns, uint64_t fileid, char *buf, size_t cap)
{
	char name[NS_NAME_MAX + 1];
	size_t at = cap - 1, len;
	uint64_t cur = fileid;
	int rc = 0;

	if (cap < 2)
		return -ENAMETOOLONG;
	buf[at] = 0;
	for (int depth = 0; cur != NS_ROOT_FILEID && !rc; depth++) {
		struct ns_inode ino;

		rc = depth >= PATH_DEPTH_MAX ? -ELOOP : ns_getattr(ns, cur, &ino);
		if (!rc)
			rc = name_in(ns, ino.parent, cur, name, sizeof(name),
				     &len);
		if (!rc)
			rc = prepend(buf, &at, name, len);
		if (!rc)
			cur = ino.parent;
	}
	if (rc)
		return rc;
	if (at == cap - 1)
		buf[--at] = '/';
	memmove(buf, buf + at, cap - at);
	return 0;
}
