/*
 * metadata/ns_rmguard.c — RMDIR guards: an RMDIR with several owners
 * fences creates in the directory on every partition (ns.h, "RMDIR with
 * several owners"; decision 0024).
 *
 * A guard is the META key "rmdir:" dir (be64) -> le64 seconds of the
 * RMDIR, on the first shard of each partition (environment). The RMDIR's
 * plan writes one on every partition; its prepare and decide (rec_checks
 * in ns_xtx.c) call ns_rmguard_empty() for each, so the part of a
 * partition that holds an entry of the directory answers -ENOTEMPTY. While
 * the transaction is prepared its lock table holds the guard, so a create
 * there that reads it (ns_rmguard_check(), from dirent_insert whenever the
 * directory is another partition's) gets -EBUSY (NFS4ERR_DELAY); after the
 * commit the guard stays as a tombstone, so a create that arrives late
 * (its directory looked up at the owner before the RMDIR) answers -ESTALE
 * instead of leaving an entry nobody can reach; an abort never writes it.
 * ns_rmguard_expire() drops tombstones older than the caller's KEEP.
 *
 * Threads: the accessors run inside an mtx (ns_internal.h) on the
 * caller's thread; ns_rmguard_expire() runs one mtx of its own.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "ns_internal.h"

#define RMG_PREFIX "rmdir:"
#define RMG_PLEN 6
#define RMG_KLEN (RMG_PLEN + 8)
#define RMG_EXPIRE_MAX 256 /* tombstones dropped per call */

static size_t rmg_key(uint8_t k[RMG_KLEN], uint64_t dir)
{
	memcpy(k, RMG_PREFIX, RMG_PLEN);
	ns_put_be64(k + RMG_PLEN, dir);
	return RMG_KLEN;
}

int ns_rmguard_key_dir(unsigned db, const void *key, size_t klen,
		       uint64_t *dir)
{
	if (db != NS_DB_META || klen != RMG_KLEN ||
	    memcmp(key, RMG_PREFIX, RMG_PLEN) != 0)
		return 0;
	*dir = ns_get_be64((const uint8_t *)key + RMG_PLEN);
	return 1;
}

/* Where environment E's guards are: its first shard, which is E (shard
 * S is in environment S mod nenvs, and nenvs <= nshards: ns_store.c). */
static unsigned env_first(unsigned e)
{
	return e;
}

int ns_rmguard_check(struct ns_mtx *m, uint64_t dir, unsigned shard)
{
	struct ns *ns = ns_mtx_ns(m);
	uint8_t k[RMG_KLEN];
	MDB_val v;
	int rc = ns_mtx_get(m, env_first(ns->shard[shard].env),
			    NS_DB_META, k, rmg_key(k, dir), &v);

	if (rc == -ENOENT)
		return 0;
	return rc ? rc : -ESTALE; /* removed: its handle is stale */
}

int ns_rmguard_put_all(struct ns_mtx *m, uint64_t dir)
{
	struct ns *ns = ns_mtx_ns(m);
	uint8_t k[RMG_KLEN], v[8];
	int rc = 0;

	rmg_key(k, dir);
	ns_put_le64(v, (uint64_t)time(NULL));
	for (unsigned e = 0; !rc && e < ns->nenvs; e++)
		rc = ns_mtx_put(m, env_first(e), NS_DB_META, k, sizeof k,
				v, sizeof v);
	return rc;
}

/* 1 when SHARD holds an entry of DIR, 0 none, or -errno. */
static int shard_has_entry(struct ns_mtx *m, unsigned shard, uint64_t dir)
{
	struct ns *ns = ns_mtx_ns(m);
	uint8_t pfx[8];
	MDB_val k = { .mv_size = 8, .mv_data = pfx }, v;
	MDB_txn *txn;
	MDB_cursor *cur;
	int rc = ns_mtx_txn(m, shard, &txn);

	if (rc)
		return rc;
	ns_put_be64(pfx, dir);
	rc = ns_mdb_err(mdb_cursor_open(txn, ns->shard[shard].dbi[NS_DB_DIRENTS],
					&cur));
	if (rc)
		return rc;
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	else if (rc == 0)
		rc = k.mv_size > 8 && memcmp(k.mv_data, pfx, 8) == 0;
	else
		rc = ns_mdb_err(rc);
	mdb_cursor_close(cur);
	return rc;
}

int ns_rmguard_empty(struct ns_mtx *m, unsigned shard, uint64_t dir)
{
	struct ns *ns = ns_mtx_ns(m);
	/* the environment's shards: S, S + nenvs, ... (env_first) */
	for (unsigned s = ns->shard[shard].env; s < ns->nshards;
	     s += ns->nenvs) {
		int rc = shard_has_entry(m, s, dir);
		if (rc)
			return rc > 0 ? -ENOTEMPTY : rc;
	}
	return 0;
}

struct expire_ctx {
	uint64_t cutoff;
	size_t dropped;
	int more;
};

/* Up to MAX tombstones of shard S written before CUTOFF, into KEYS. */
static int old_guards(struct ns_mtx *m, unsigned s, uint64_t cutoff,
		      uint8_t (*keys)[RMG_KLEN], size_t max, size_t *n)
{
	struct ns *ns = ns_mtx_ns(m);
	MDB_val k = { .mv_size = RMG_PLEN, .mv_data = RMG_PREFIX }, v;
	MDB_txn *txn;
	MDB_cursor *cur;
	int rc = ns_mtx_txn(m, s, &txn), op = MDB_SET_RANGE;

	*n = 0;
	if (rc)
		return rc;
	rc = ns_mdb_err(mdb_cursor_open(txn, ns->shard[s].dbi[NS_DB_META],
					&cur));
	if (rc)
		return rc;
	while (*n < max && mdb_cursor_get(cur, &k, &v, op) == 0) {
		op = MDB_NEXT;
		if (k.mv_size < RMG_PLEN ||
		    memcmp(k.mv_data, RMG_PREFIX, RMG_PLEN) != 0)
			break;
		if (k.mv_size != RMG_KLEN || v.mv_size != 8 ||
		    ns_get_le64(v.mv_data) >= cutoff ||
		    ns_xlock_busy(ns, s, NS_DB_META, k.mv_data, k.mv_size, 0))
			continue; /* young, or an RMDIR still in doubt */
		memcpy(keys[(*n)++], k.mv_data, RMG_KLEN);
	}
	mdb_cursor_close(cur);
	return 0;
}

static int expire_body(struct ns_mtx *m, void *arg)
{
	struct expire_ctx *c = arg;
	struct ns *ns = ns_mtx_ns(m);
	uint8_t keys[RMG_EXPIRE_MAX][RMG_KLEN];
	int rc = 0;

	c->dropped = 0;
	c->more = 0;
	for (unsigned e = 0; !rc && e < ns->nenvs; e++) {
		unsigned s = env_first(e);
		size_t n;
		if (!ns_shard_owned(ns, s))
			continue;
		rc = old_guards(m, s, c->cutoff, keys,
				RMG_EXPIRE_MAX - c->dropped, &n);
		for (size_t i = 0; !rc && i < n; i++)
			rc = ns_mtx_del(m, s, NS_DB_META, keys[i], RMG_KLEN);
		c->dropped += n;
		c->more |= c->dropped == RMG_EXPIRE_MAX;
	}
	return rc;
}

int ns_rmguard_expire(struct ns *ns, uint64_t now, uint64_t keep,
		      size_t *dropped)
{
	struct expire_ctx c = { now > keep ? now - keep : 0, 0, 0 };
	int rc = c.cutoff ? ns_mtx_run(ns, expire_body, &c) : 0;

	if (dropped)
		*dropped = rc ? 0 : c.dropped;
	return rc ? rc : c.more;
}
