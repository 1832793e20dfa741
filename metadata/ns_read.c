/*
 * metadata/ns_read.c — read-only namespace calls: getattr, lookup, readlink,
 * readdir, stats. Each uses short LMDB read transactions (MDB_NOTLS, so any
 * thread may run any number of them) and never blocks writers.
 *
 * READDIR cookies. Every directory entry carries a sequence number taken
 * from its shard's "next_seq" counter (starts at 3, only grows, never
 * reused), and each shard keeps a secondary index cookies: (parent, seq) ->
 * (fileid, name). A listing walks shard 0..S-1 and, within a shard, the
 * index in seq order. The cookie of an entry is
 *     (shard << 56) | seq
 * which is > 2 always, and increases along the walk. Resuming after cookie c
 * continues at the first index key > (parent, seq) on that shard, whether or
 * not c's own entry still exists: an entry present for the whole listing is
 * returned exactly once; entries added meanwhile appear or not (a new entry
 * gets a higher seq, so it appears iff its shard has not been passed yet);
 * a renamed entry is a new entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ns_internal.h"

#define RD_BATCH 32
#define COOKIE_SHIFT (64 - NS_SHARD_BITS)
#define COOKIE_SEQ_MASK ((UINT64_C(1) << COOKIE_SHIFT) - 1)

int ns_env_rtxn_begin(struct ns *ns, unsigned e, MDB_txn **txn)
{
	int rc = ns_batch_rtxn(ns, e, txn); /* the owner sees its batch */

	if (rc <= 0)
		return rc;
	return ns_mdb_err(
		mdb_txn_begin(ns->env[e].env, NULL, MDB_RDONLY, txn));
}

int ns_rtxn_begin(struct ns *ns, unsigned shard, MDB_txn **txn)
{
	if (shard >= ns->nshards)
		return -ENOENT;
	if (!ns_shard_owned(ns, shard))
		return -EREMOTE; /* another node's partition (ns_own()) */
	return ns_env_rtxn_begin(ns, ns->shard[shard].env, txn);
}

int ns_txn_get_inode(struct ns *ns, MDB_txn *txn, uint64_t fileid,
		     struct ns_inode *ino)
{
	uint8_t key[8];
	MDB_val k = { .mv_size = 8, .mv_data = key };
	MDB_val v;
	int rc;

	ns_put_be64(key, fileid);
	rc = mdb_get(txn, ns->shard[ns_fileid_shard(fileid)].dbi[NS_DB_INODES],
		     &k, &v);
	if (rc)
		return ns_mdb_err(rc);
	return ns_inode_decode(fileid, v.mv_data, v.mv_size, ino);
}

int ns_txn_get_u64(struct ns *ns, MDB_txn *txn, unsigned shard,
		   const char *name, uint64_t *v)
{
	MDB_val k = { .mv_size = strlen(name), .mv_data = (void *)name };
	MDB_val val;
	int rc = mdb_get(txn, ns->shard[shard].dbi[NS_DB_META], &k, &val);

	if (rc)
		return ns_mdb_err(rc);
	if (val.mv_size != 8)
		return -EIO;
	*v = ns_get_le64(val.mv_data);
	return 0;
}

/* An inode a PREPARED cross-node transaction writes (ns_xtx.h). */
static int ino_in_doubt(struct ns *ns, uint64_t fileid)
{
	uint8_t key[8];

	ns_put_be64(key, fileid);
	return ns_xlock_in_doubt(ns, ns_fileid_shard(fileid), NS_DB_INODES,
				 key, sizeof key);
}

int ns_getattr(struct ns *ns, uint64_t fileid, struct ns_inode *out)
{
	struct ns_inode ino;
	MDB_txn *txn;
	int rc;

	if (fileid == 0)
		return -ENOENT;
	if (ino_in_doubt(ns, fileid))
		return -EBUSY;
	rc = ns_rtxn_begin(ns, ns_fileid_shard(fileid), &txn);
	if (rc)
		return rc;
	rc = ns_txn_get_inode(ns, txn, fileid, &ino);
	mdb_txn_abort(txn);
	if (!rc && out)
		*out = ino;
	return rc;
}

static int get_dir(struct ns *ns, uint64_t fileid, struct ns_inode *dir)
{
	int rc = ns_getattr(ns, fileid, dir);

	if (!rc && dir->type != NS_DIR)
		rc = -ENOTDIR;
	return rc;
}

int ns_lookup(struct ns *ns, uint64_t parent, const char *name, size_t namelen,
	      uint64_t *fileid)
{
	return ns_lookup_ex(ns, parent, name, namelen, fileid, NULL);
}

int ns_lookup_ex(struct ns *ns, uint64_t parent, const char *name,
		 size_t namelen, uint64_t *fileid, uint32_t *type)
{
	struct ns_inode dir;
	struct ns_dirent_val dv;
	uint8_t key[NS_DIRENT_KEY_MAX];
	MDB_val k = { .mv_data = key }, v;
	MDB_txn *txn;
	unsigned es;
	int rc = ns_check_name(name, namelen);

	/* A directory of another partition was checked by its owner (the
	 * entry is looked up where it lives: ns.h, "Directory deltas"). */
	if (!rc && ns_owns_fileid(ns, parent))
		rc = get_dir(ns, parent, &dir);
	if (rc)
		return rc;
	es = ns_entry_shard(ns, parent, name, namelen);
	k.mv_size = ns_dirent_key(key, parent, name, namelen);
	/* a name a prepared transaction adds or removes: in doubt */
	if (ns_xlock_in_doubt(ns, es, NS_DB_DIRENTS, key, k.mv_size))
		return -EBUSY;
	rc = ns_rtxn_begin(ns, es, &txn);
	if (rc)
		return rc;
	rc = ns_mdb_err(mdb_get(txn, ns->shard[es].dbi[NS_DB_DIRENTS], &k, &v));
	if (!rc)
		rc = ns_dirent_val_decode(v.mv_data, v.mv_size, &dv);
	mdb_txn_abort(txn);
	if (!rc && fileid)
		*fileid = dv.fileid;
	if (!rc && type)
		*type = dv.type;
	return rc;
}

int ns_readlink(struct ns *ns, uint64_t fileid, char *buf, size_t bufsz,
		size_t *len)
{
	struct ns_inode ino;
	uint8_t key[8];
	MDB_val k = { .mv_size = 8, .mv_data = key }, v;
	MDB_txn *txn;
	unsigned s = ns_fileid_shard(fileid);
	int rc = ns_rtxn_begin(ns, s, &txn);

	if (rc)
		return rc;
	rc = ns_txn_get_inode(ns, txn, fileid, &ino);
	if (!rc && ino.type != NS_LNK)
		rc = -EINVAL;
	ns_put_be64(key, fileid);
	if (!rc) {
		rc = mdb_get(txn, ns->shard[s].dbi[NS_DB_SYMLINKS], &k, &v);
		rc = rc == MDB_NOTFOUND ? -EIO : ns_mdb_err(rc);
	}
	if (!rc && len)
		*len = v.mv_size;
	if (!rc && v.mv_size > bufsz)
		rc = -ENAMETOOLONG;
	if (!rc) {
		memcpy(buf, v.mv_data, v.mv_size);
		if (v.mv_size < bufsz)
			buf[v.mv_size] = '\0';
	}
	mdb_txn_abort(txn);
	return rc;
}

/* ---- readdir ------------------------------------------------------------ */

struct rd_ent {
	uint64_t fileid;
	uint64_t seq;
	size_t namelen;
	char name[NS_NAME_MAX + 1];
};

/* Decode one cookie-index record of DIR; 0 ok, 1 past DIR, -EIO. */
static int rd_decode(uint64_t dir, const MDB_val *k, const MDB_val *v,
		     struct rd_ent *e)
{
	if (k->mv_size != 16 || ns_get_be64(k->mv_data) != dir)
		return 1;
	if (v->mv_size < 9 || v->mv_size > 8 + NS_NAME_MAX)
		return -EIO;
	e->seq = ns_get_be64((const uint8_t *)k->mv_data + 8);
	e->fileid = ns_get_le64(v->mv_data);
	e->namelen = v->mv_size - 8;
	memcpy(e->name, (const uint8_t *)v->mv_data + 8, e->namelen);
	e->name[e->namelen] = '\0';
	return 0;
}

/* Read up to RD_BATCH entries of DIR on shard S with seq >= FROM. */
static int rd_batch(struct ns *ns, unsigned s, uint64_t dir, uint64_t from,
		    struct rd_ent *ents, size_t *n)
{
	uint8_t key[16];
	MDB_val k = { .mv_size = 16, .mv_data = key }, v;
	MDB_cursor *cur;
	MDB_txn *txn;
	int bad = 0, rc;

	*n = 0;
	/* an entry of DIR here that a prepared transaction adds or
	 * removes: the listing is in doubt (lock_one in ns_xtx.c) */
	ns_cookie_key(key, dir, from);
	if (ns_xlock_in_doubt(ns, s, NS_DB_COOKIES, key, 8))
		return -EBUSY;
	rc = ns_rtxn_begin(ns, s, &txn);
	if (rc)
		return rc;
	rc = ns_mdb_err(mdb_cursor_open(txn, ns->shard[s].dbi[NS_DB_COOKIES],
					&cur));
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	ns_cookie_key(key, dir, from);
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == MDB_SUCCESS && *n < RD_BATCH) {
		int d = rd_decode(dir, &k, &v, &ents[*n]);
		if (d < 0)
			bad = d;
		if (d)
			break;
		(*n)++;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (bad)
		return bad;
	return rc == MDB_NOTFOUND ? 0 : ns_mdb_err(rc);
}

/* Where to resume after COOKIE: shard and first seq. */
static int rd_start(struct ns *ns, uint64_t cookie, unsigned *shard,
		    uint64_t *from)
{
	uint64_t seq = cookie & COOKIE_SEQ_MASK, next = 0;
	unsigned s = (unsigned)(cookie >> COOKIE_SHIFT);
	MDB_txn *txn;
	int rc;

	*shard = 0;
	*from = 0;
	if (cookie == 0)
		return 0;
	if (seq == NS_FIRST_SEQ - 1 && s > 0 && s < ns->nenvs) {
		*shard = s; /* the start of partition S (ns_readdir_ex) */
		return 0;
	}
	if (s >= ns->nshards || seq < NS_FIRST_SEQ)
		return -EINVAL;
	rc = ns_rtxn_begin(ns, s, &txn);
	if (rc)
		return rc;
	rc = ns_txn_get_u64(ns, txn, s, NS_META_NEXT_SEQ, &next);
	mdb_txn_abort(txn);
	if (rc)
		return rc;
	if (seq >= next)
		return -EINVAL; /* never issued */
	*shard = s;
	*from = seq + 1;
	return 0;
}

/* Walk shard S from FROM; 1 if the callback stopped the walk. */
static int rd_shard(struct ns *ns, unsigned s, uint64_t dir, uint64_t from,
		    struct rd_ent *ents, ns_readdir_cb cb, void *ctx)
{
	size_t n;

	do {
		int rc = rd_batch(ns, s, dir, from, ents, &n);
		if (rc)
			return rc;
		for (size_t i = 0; i < n; i++) {
			uint64_t cookie = ((uint64_t)s << COOKIE_SHIFT) |
					  ents[i].seq;
			if (cb(ctx, ents[i].name, ents[i].namelen,
			       ents[i].fileid, cookie))
				return 1;
		}
		if (n)
			from = ents[n - 1].seq + 1;
	} while (n == RD_BATCH);
	return 0;
}

/* The shard after S in walk order: partition by partition, each
 * partition's shards in order (shard S is in partition S mod E), so that
 * a partition's owner lists a run of cookies alone. With one environment,
 * or one per shard, that is 0, 1, 2, ... */
static unsigned rd_next(const struct ns *ns, unsigned s)
{
	unsigned p = s % ns->nenvs;

	if (s + ns->nenvs < ns->nshards)
		return s + ns->nenvs;
	return p + 1 < ns->nenvs ? p + 1 : ns->nshards;
}

int ns_readdir_ex(struct ns *ns, uint64_t dir, uint64_t cookie,
		  ns_readdir_cb cb, void *ctx, int *eof, uint64_t *resume)
{
	struct ns_inode d;
	struct rd_ent *ents;
	unsigned s;
	uint64_t from;
	int rc = ns_owns_fileid(ns, dir) ? get_dir(ns, dir, &d) : 0;

	if (eof)
		*eof = 0;
	if (resume)
		*resume = 0;
	if (!rc)
		rc = rd_start(ns, cookie, &s, &from);
	if (!rc && !ns_shard_owned(ns, s))
		rc = -EREMOTE; /* that partition's owner lists it */
	if (rc)
		return rc;
	ents = malloc(RD_BATCH * sizeof *ents);
	if (!ents)
		return -ENOMEM;
	for (; !rc && s < ns->nshards; s = rd_next(ns, s), from = 0) {
		if (!ns_shard_owned(ns, s))
			break; /* the start of another node's partition */
		rc = rd_shard(ns, s, dir, from, ents, cb, ctx);
	}
	free(ents);
	if (rc < 0)
		return rc;
	if (rc == 0 && s < ns->nshards && resume)
		*resume = ns_cookie_partition(s); /* s > 0: not the first */
	if (eof)
		*eof = rc == 0 && s >= ns->nshards;
	return 0;
}

int ns_readdir(struct ns *ns, uint64_t dir, uint64_t cookie, ns_readdir_cb cb,
	       void *ctx, int *eof)
{
	return ns_readdir_ex(ns, dir, cookie, cb, ctx, eof, NULL);
}

static int rd_any(void *ctx, const char *name, size_t namelen,
		  uint64_t fileid, uint64_t cookie)
{
	(void)name;
	(void)namelen;
	(void)fileid;
	(void)cookie;
	*(int *)ctx = 1;
	return 1;
}

int ns_readdir_probe(struct ns *ns, uint64_t dir, uint64_t cookie,
		     uint64_t *next)
{
	int any = 0, eof = 0;
	int rc = ns_readdir_ex(ns, dir, cookie, rd_any, &any, &eof, next);

	if (rc < 0)
		return rc;
	if (any)
		*next = 0;
	return any;
}

int ns_stats(struct ns *ns, struct ns_stats *out)
{
	struct ns_stats st = { 0 };

	for (unsigned s = 0; s < ns->nshards; s++) {
		if (!ns_shard_owned(ns, s))
			continue;
		MDB_stat ms;
		MDB_txn *txn;
		uint64_t bytes = 0;
		int rc = ns_rtxn_begin(ns, s, &txn);
		if (rc)
			return rc;
		rc = ns_mdb_err(
			mdb_stat(txn, ns->shard[s].dbi[NS_DB_INODES], &ms));
		if (!rc)
			rc = ns_txn_get_u64(ns, txn, s, NS_META_BYTES, &bytes);
		if (!rc) {
			st.inodes += ms.ms_entries;
			rc = ns_mdb_err(mdb_stat(
				txn, ns->shard[s].dbi[NS_DB_DIRENTS], &ms));
		}
		mdb_txn_abort(txn);
		if (rc)
			return rc;
		st.entries += ms.ms_entries;
		st.bytes += bytes;
	}
	if (out)
		*out = st;
	return 0;
}

/* The data generation a reclaim record's value names (ns_internal.h); a
 * 1-byte value is an older build's record: generation 0. */
static uint64_t reclaim_gen(const MDB_val *v)
{
	return v->mv_size == 8 ? ns_get_le64(v->mv_data) : 0;
}

int ns_reclaim_list(struct ns *ns, uint64_t *fileids, uint64_t *gens,
		    size_t max, size_t *n)
{
	*n = 0;
	for (unsigned s = 0; s < ns->nshards && *n < max; s++) {
		if (!ns_shard_owned(ns, s))
			continue;
		MDB_txn *txn;
		MDB_cursor *cur;
		MDB_val k, v;
		int rc = ns_rtxn_begin(ns, s, &txn);

		if (rc)
			return rc;
		rc = ns_mdb_err(mdb_cursor_open(
			txn, ns->shard[s].dbi[NS_DB_RECLAIM], &cur));
		if (rc) {
			mdb_txn_abort(txn);
			return rc;
		}
		for (int op = MDB_FIRST;
		     *n < max && !mdb_cursor_get(cur, &k, &v, op);
		     op = MDB_NEXT)
			if (k.mv_size == 8) {
				if (gens)
					gens[*n] = reclaim_gen(&v);
				fileids[(*n)++] = ns_get_be64(k.mv_data);
			}
		mdb_cursor_close(cur);
		mdb_txn_abort(txn);
	}
	return 0;
}
