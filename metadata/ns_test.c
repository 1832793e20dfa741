/*
 * metadata/ns_test.c — the hooks declared in ns_test.h.
 */
#include <errno.h>
#include <string.h>

#include "ns_internal.h"
#include "ns_test.h"

void ns_test_crash_after(struct ns *ns, int step)
{
	atomic_store(&ns->crash_fails, 0);
	atomic_store(&ns->crash_step, step < 0 ? -1 : step);
	atomic_store(&ns->crashed, 0);
}

void ns_test_fail_commit(struct ns *ns, int step)
{
	atomic_store(&ns->crash_fails, 1);
	atomic_store(&ns->crash_step, step < 0 ? -1 : step);
	atomic_store(&ns->crashed, 0);
}

int ns_test_crashed(const struct ns *ns)
{
	return atomic_load(&((struct ns *)ns)->crashed);
}

unsigned long ns_test_restarts(const struct ns *ns)
{
	return atomic_load(&((struct ns *)ns)->restarts);
}

int ns_test_set_nosync(struct ns *ns, int on)
{
	for (unsigned e = 0; e < ns->nenvs; e++) {
		int rc = mdb_env_set_flags(ns->env[e].env, MDB_NOSYNC, on);
		if (rc)
			return ns_mdb_err(rc);
	}
	return 0;
}

/* Run FN on a write transaction of shard S, under the shard's lock. */
static int raw_write(struct ns *ns, unsigned s,
		     int (*fn)(struct ns *, MDB_txn *, void *), void *arg)
{
	struct ns_env *sh;
	MDB_txn *txn;
	int rc;

	if (s >= ns->nshards)
		return -ENOENT;
	sh = ns_env_of(ns, s);
	pthread_mutex_lock(&sh->lock);
	rc = ns_mdb_err(mdb_txn_begin(sh->env, NULL, 0, &txn));
	if (!rc) {
		rc = fn(ns, txn, arg);
		if (rc)
			mdb_txn_abort(txn);
		else
			rc = ns_mdb_err(mdb_txn_commit(txn));
	}
	pthread_mutex_unlock(&sh->lock);
	return rc;
}

static int drop_inode_fn(struct ns *ns, MDB_txn *txn, void *arg)
{
	uint64_t fileid = *(uint64_t *)arg;
	uint8_t key[8];
	MDB_val k = { .mv_size = 8, .mv_data = key };

	ns_put_be64(key, fileid);
	return ns_mdb_err(mdb_del(
		txn, ns->shard[ns_fileid_shard(fileid)].dbi[NS_DB_INODES], &k,
		NULL));
}

int ns_test_drop_inode(struct ns *ns, uint64_t fileid)
{
	return raw_write(ns, ns_fileid_shard(fileid), drop_inode_fn, &fileid);
}

/* Which inode field set_field_fn() overwrites. */
enum { FIELD_NLINK, FIELD_FLAGS, FIELD_LAYOUT_GEN };

struct field_arg {
	uint64_t fileid;
	int field;
	uint64_t value;
};

static int set_field_fn(struct ns *ns, MDB_txn *txn, void *arg)
{
	struct field_arg *a = arg;
	struct ns_inode ino;
	uint8_t key[8], rec[NS_INODE_REC_LEN];
	MDB_val k = { .mv_size = 8, .mv_data = key };
	MDB_val v = { .mv_size = sizeof rec, .mv_data = rec };
	int rc = ns_txn_get_inode(ns, txn, a->fileid, &ino);

	if (rc)
		return rc;
	if (a->field == FIELD_NLINK)
		ino.nlink = (uint32_t)a->value;
	else if (a->field == FIELD_FLAGS)
		ino.flags = (uint32_t)a->value;
	else
		ino.layout_gen = a->value;
	ns_put_be64(key, a->fileid);
	ns_inode_encode(&ino, rec);
	return ns_mdb_err(mdb_put(
		txn, ns->shard[ns_fileid_shard(a->fileid)].dbi[NS_DB_INODES],
		&k, &v, 0));
}

int ns_test_set_nlink(struct ns *ns, uint64_t fileid, uint32_t nlink)
{
	struct field_arg a = { fileid, FIELD_NLINK, nlink };

	return raw_write(ns, ns_fileid_shard(fileid), set_field_fn, &a);
}

int ns_test_set_flags(struct ns *ns, uint64_t fileid, uint32_t flags)
{
	struct field_arg a = { fileid, FIELD_FLAGS, flags };

	return raw_write(ns, ns_fileid_shard(fileid), set_field_fn, &a);
}

int ns_test_set_layout_gen(struct ns *ns, uint64_t fileid, uint64_t gen)
{
	struct field_arg a = { fileid, FIELD_LAYOUT_GEN, gen };

	return raw_write(ns, ns_fileid_shard(fileid), set_field_fn, &a);
}

struct reclaim_arg {
	uint64_t fileid;
	const void *val;
	size_t len;
};

static int put_reclaim_fn(struct ns *ns, MDB_txn *txn, void *arg)
{
	struct reclaim_arg *a = arg;
	uint8_t key[8];
	MDB_val k = { .mv_size = 8, .mv_data = key };
	MDB_val v = { .mv_size = a->len, .mv_data = (void *)a->val };

	ns_put_be64(key, a->fileid);
	return ns_mdb_err(mdb_put(
		txn, ns->shard[ns_fileid_shard(a->fileid)].dbi[NS_DB_RECLAIM],
		&k, &v, 0));
}

int ns_test_put_reclaim(struct ns *ns, uint64_t fileid, const void *val,
			size_t len)
{
	struct reclaim_arg a = { fileid, val, len };

	return raw_write(ns, ns_fileid_shard(fileid), put_reclaim_fn, &a);
}

struct cookie_arg {
	uint64_t parent;
	const char *name;
	size_t len;
	unsigned shard;
};

static int drop_cookie_fn(struct ns *ns, MDB_txn *txn, void *arg)
{
	struct cookie_arg *a = arg;
	struct ns_shard *sh = &ns->shard[a->shard];
	uint8_t key[NS_DIRENT_KEY_MAX], ckey[16];
	MDB_val k = { .mv_data = key }, v;
	MDB_val ck = { .mv_size = 16, .mv_data = ckey };
	struct ns_dirent_val dv;
	int rc;

	k.mv_size = ns_dirent_key(key, a->parent, a->name, a->len);
	rc = ns_mdb_err(mdb_get(txn, sh->dbi[NS_DB_DIRENTS], &k, &v));
	if (!rc)
		rc = ns_dirent_val_decode(v.mv_data, v.mv_size, &dv);
	if (rc)
		return rc;
	ns_cookie_key(ckey, a->parent, dv.seq);
	return ns_mdb_err(mdb_del(txn, sh->dbi[NS_DB_COOKIES], &ck, NULL));
}

int ns_test_drop_cookie(struct ns *ns, uint64_t parent, const char *name,
			size_t namelen)
{
	struct cookie_arg a = { parent, name, namelen, 0 };

	if (ns_check_name(name, namelen))
		return -EINVAL;
	a.shard = ns_entry_shard(ns, parent, name, namelen);
	return raw_write(ns, a.shard, drop_cookie_fn, &a);
}

struct counter_arg {
	unsigned shard;
	const char *name;
	uint64_t value;
	int drop;
};

static int set_counter_fn(struct ns *ns, MDB_txn *txn, void *arg)
{
	struct counter_arg *a = arg;
	MDB_val k = { .mv_size = strlen(a->name), .mv_data = (void *)a->name };
	uint8_t b[8];
	MDB_val v = { .mv_size = 8, .mv_data = b };
	MDB_dbi meta = ns->shard[a->shard].dbi[NS_DB_META];

	if (a->drop)
		return ns_mdb_err(mdb_del(txn, meta, &k, NULL));
	ns_put_le64(b, a->value);
	return ns_mdb_err(mdb_put(txn, meta, &k, &v, 0));
}

int ns_test_set_counter(struct ns *ns, unsigned shard, const char *name,
			uint64_t value, int drop)
{
	struct counter_arg a = { shard, name, value, drop };

	return raw_write(ns, shard, set_counter_fn, &a);
}

int ns_test_get_counter(struct ns *ns, unsigned shard, const char *name,
			uint64_t *value)
{
	MDB_txn *txn;
	int rc = ns_rtxn_begin(ns, shard, &txn);

	if (rc)
		return rc;
	rc = ns_txn_get_u64(ns, txn, shard, name, value);
	mdb_txn_abort(txn);
	return rc;
}
