/*
 * metadata/ns_delta.c — directory deltas (ns.h, "Directory deltas"; P3 of
 * ../shared/design/multi-mds.md §2.5).
 *
 * Records. A delta lives on the shard of the entry that made it, in that
 * shard's "deltas" database: key = seq (8 BE), value (DELTA_LEN bytes, LE):
 *   dir fileid 8 | entries 4 | subdirs 4 | when.sec 8 | when.nsec 4
 * The shard's meta counter "next_delta" (absent = 1) numbers them, so a
 * sequence number is never reused even after every delta was trimmed.
 * The directory's shard keeps "dapplied-SSS", the last seq of source shard
 * SSS applied there, written in the same transaction as the directory, so
 * a delta sent again (lost answer, restart of either side) is applied once.
 *
 * Threads: as the rest of ns (ns.h): the mutating calls run as mtx bodies
 * (ns_mtx.c), the list reads committed state (or the caller's batch).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ns_internal.h"

#define DELTA_LEN 28
#define META_NEXT_DELTA "next_delta"

static void delta_encode(const struct ns_delta *d, uint8_t out[DELTA_LEN])
{
	ns_put_le64(out, d->dir);
	ns_put_le32(out + 8, (uint32_t)d->entries);
	ns_put_le32(out + 12, (uint32_t)d->subdirs);
	ns_put_le64(out + 16, (uint64_t)d->when.sec);
	ns_put_le32(out + 24, d->when.nsec);
}

int ns_delta_decode(const MDB_val *k, const MDB_val *v, struct ns_delta *d)
{
	const uint8_t *p = v->mv_data;

	if (k->mv_size != 8 || v->mv_size != DELTA_LEN)
		return -EIO;
	d->seq = ns_get_be64(k->mv_data);
	d->dir = ns_get_le64(p);
	d->entries = (int32_t)ns_get_le32(p + 8);
	d->subdirs = (int32_t)ns_get_le32(p + 12);
	d->when.sec = (int64_t)ns_get_le64(p + 16);
	d->when.nsec = ns_get_le32(p + 24);
	return 0;
}

void ns_delta_applied_name(char *buf, size_t cap, unsigned src)
{
	snprintf(buf, cap, "dapplied-%03u", src);
}

/* ---- the entry's side ---------------------------------------------------- */

int ns_delta_add(struct ns_mtx *m, unsigned shard, uint64_t dir,
		 int32_t entries, int32_t subdirs, const struct ns_time *when,
		 struct ns_cinfo *cinfo)
{
	struct ns_delta d = { .dir = dir, .entries = entries,
			      .subdirs = subdirs, .when = *when };
	uint8_t key[8], val[DELTA_LEN];
	int rc;

	if (ns_mtx_view(m)) {
		/* A cross-node plan: numbered when it commits (ns_xtx.h), so
		 * the plan does not depend on the shard's counter. The reply
		 * gets no atomic change_info for this directory. */
		struct ns *ns = ns_mtx_ns(m);
		delta_encode(&d, val);
		ns_put_be64(key, dir);
		/* kept by the coordinator, whichever node the entry is on:
		 * its shipper sends it to the directory's owner */
		for (unsigned s = 0; !ns_owns_shard(ns, shard) &&
				     s < ns->nshards; s++)
			shard = s;
		if (cinfo)
			memset(cinfo, 0, sizeof *cinfo);
		return ns_xview_write(ns_mtx_view(m), shard, NS_DB_DELTAS,
				      XV_DELTA, key, 8, val, sizeof val);
	}
	rc = ns_mtx_get_u64(m, shard, META_NEXT_DELTA, &d.seq);

	if (rc == -ENOENT) {
		d.seq = 1;
		rc = 0;
	}
	if (!rc)
		rc = ns_mtx_put_u64(m, shard, META_NEXT_DELTA, d.seq + 1);
	if (rc)
		return rc;
	ns_put_be64(key, d.seq);
	delta_encode(&d, val);
	rc = ns_mtx_put(m, shard, NS_DB_DELTAS, key, 8, val, sizeof val);
	if (rc || !cinfo)
		return rc;
	memset(cinfo, 0, sizeof *cinfo); /* filled at the owner */
	cinfo->delta_seq = d.seq;
	cinfo->delta_shard = shard;
	return 0;
}

int ns_delta_add_rec(struct ns_mtx *m, unsigned shard, const void *val,
		     size_t vlen)
{
	uint8_t key[8] = { 0 };
	MDB_val k = { .mv_size = 8, .mv_data = key };
	MDB_val v = { .mv_size = vlen, .mv_data = (void *)val };
	struct ns_delta d;
	int rc = ns_delta_decode(&k, &v, &d);

	if (rc)
		return rc;
	return ns_delta_add(m, shard, d.dir, d.entries, d.subdirs, &d.when,
			    NULL);
}

int ns_delta_list(struct ns *ns, unsigned shard, uint64_t after,
		  struct ns_delta *out, size_t max, size_t *n)
{
	uint8_t key[8];
	MDB_val k = { .mv_size = 8, .mv_data = key }, v;
	MDB_cursor *cur;
	MDB_txn *txn;
	int rc, op;

	*n = 0;
	if (shard >= ns->nshards)
		return -EINVAL;
	rc = ns_rtxn_begin(ns, shard, &txn);
	if (rc)
		return rc;
	rc = ns_mdb_err(mdb_cursor_open(txn, ns->shard[shard].dbi[NS_DB_DELTAS],
					&cur));
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	ns_put_be64(key, after + 1);
	for (op = MDB_SET_RANGE; !rc && *n < max &&
				 !mdb_cursor_get(cur, &k, &v, op);
	     op = MDB_NEXT) {
		rc = ns_delta_decode(&k, &v, &out[*n]);
		if (!rc)
			(*n)++;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}

struct trim_ctx {
	unsigned shard;
	uint64_t upto;
	uint64_t from; /* first seq still there (read before the body) */
};

static int trim_body(struct ns_mtx *m, void *arg)
{
	const struct trim_ctx *c = arg;
	uint8_t key[8];
	int rc = 0;

	for (uint64_t s = c->from; !rc && s <= c->upto; s++) {
		ns_put_be64(key, s);
		rc = ns_mtx_del(m, c->shard, NS_DB_DELTAS, key, 8);
	}
	return rc;
}

int ns_delta_trim(struct ns *ns, unsigned shard, uint64_t upto)
{
	struct trim_ctx c = { shard, upto, 0 };
	struct ns_delta first;
	size_t n;
	int rc = ns_delta_list(ns, shard, 0, &first, 1, &n);

	if (rc || n == 0 || first.seq > upto)
		return rc;
	c.from = first.seq;
	return ns_mtx_run(ns, trim_body, &c);
}

/* ---- the directory owner's side ----------------------------------------- */

static int dir_get(struct ns_mtx *m, uint64_t dir, struct ns_inode *ino)
{
	uint8_t key[8];
	MDB_val v;
	int rc;

	ns_put_be64(key, dir);
	rc = ns_mtx_get(m, ns_fileid_shard(dir), NS_DB_INODES, key, 8, &v);
	if (!rc)
		rc = ns_inode_decode(dir, v.mv_data, v.mv_size, ino);
	if (!rc && ino->type != NS_DIR)
		rc = -ENOENT; /* a fileid is never reused: not that directory */
	return rc;
}

static int dir_put(struct ns_mtx *m, const struct ns_inode *ino)
{
	uint8_t key[8], rec[NS_INODE_REC_LEN];

	ns_put_be64(key, ino->fileid);
	ns_inode_encode(ino, rec);
	return ns_mtx_put(m, ns_fileid_shard(ino->fileid), NS_DB_INODES, key,
			  8, rec, sizeof rec);
}

/* Counts never go below their floor: a delta cannot make them wrong
 * alone, and fsck reports a directory whose counts differ from its
 * entries. */
static uint64_t add_floor(uint64_t v, int32_t d, uint64_t floor)
{
	if (d < 0 && v < floor + (uint64_t)(-(int64_t)d))
		return floor;
	return v + (uint64_t)(int64_t)d;
}

static void dir_apply(struct ns_inode *dir, const struct ns_delta *d)
{
	struct ns_time now = ns_time_now();

	dir->size = add_floor(dir->size, d->entries, 0);
	dir->nlink = (uint32_t)add_floor(dir->nlink, d->subdirs, 2);
	dir->mtime = d->when;
	dir->ctime = d->when;
	/* The change attribute follows this node's clock and stays strictly
	 * increasing (decision 0003), whatever the entry's clock said. */
	ns_touch_change(dir, &now);
}

/* Apply one delta; *OUT its change_info. */
static int apply_one(struct ns_mtx *m, unsigned src, const struct ns_delta *d,
		     struct ns_cinfo *out)
{
	unsigned ds = ns_fileid_shard(d->dir);
	struct ns_inode dir;
	char name[32];
	uint64_t applied = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (ds >= ns_mtx_ns(m)->nshards)
		return -EINVAL;
	ns_delta_applied_name(name, sizeof name, src);
	rc = ns_mtx_get_u64(m, ds, name, &applied);
	if (rc && rc != -ENOENT)
		return rc;
	rc = dir_get(m, d->dir, &dir);
	if (rc && rc != -ENOENT)
		return rc;
	if (rc == 0)
		out->before = out->after = dir.change;
	if (d->seq <= applied || rc == -ENOENT)
		return d->seq <= applied ? 0
					 : ns_mtx_put_u64(m, ds, name, d->seq);
	dir_apply(&dir, d);
	rc = dir_put(m, &dir);
	if (!rc)
		rc = ns_mtx_put_u64(m, ds, name, d->seq);
	if (!rc) {
		out->after = dir.change;
		out->atomic = 1;
	}
	return rc;
}

struct apply_ctx {
	unsigned src;
	const struct ns_delta *d;
	size_t n;
	struct ns_cinfo *out;
};

static int apply_body(struct ns_mtx *m, void *arg)
{
	const struct apply_ctx *c = arg;
	int rc = 0;

	for (size_t i = 0; !rc && i < c->n; i++)
		rc = apply_one(m, c->src, &c->d[i], &c->out[i]);
	return rc;
}

int ns_delta_apply(struct ns *ns, unsigned src, const struct ns_delta *d,
		   size_t n, struct ns_cinfo *out)
{
	struct ns_cinfo one[16];
	struct apply_ctx c = { src, d, n, out };
	int rc = 0;

	if (src >= ns->nshards)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!ns_owns_fileid(ns, d[i].dir))
			return -EREMOTE;
	if (out)
		return n ? ns_mtx_run(ns, apply_body, &c) : 0;
	/* No room for the answers: apply in slices of ONE. */
	for (size_t i = 0; !rc && i < n; i += 16) {
		c.d = d + i;
		c.n = n - i < 16 ? n - i : 16;
		c.out = one;
		rc = ns_mtx_run(ns, apply_body, &c);
	}
	return rc;
}
