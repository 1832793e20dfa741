/*
 * metadata/ns_mtx.c — multi-shard transactions and intent records.
 *
 * Every mutating namespace call runs as one "mtx": a body function that reads
 * and writes through ns_mtx_get/put/del. The first access to a shard locks
 * its LMDB environment (our pthread mutex, then a write transaction).
 *
 * Terminology: below, "shard" in locking, commits and intents means the
 * LMDB environment that holds it (ns_internal.h, decision 0014); with one
 * environment per shard (ns_open) the two are the same, and with a single
 * environment (the server's default) every operation is one commit and no
 * intent is ever written. The per-"shard" arrays of struct ns_mtx are
 * indexed by environment.
 *
 * Locking (deadlock freedom). Shards are locked in ascending order: a shard
 * above every shard held is locked with a blocking lock; a shard below one
 * already held is only try-locked. If the try-lock fails, everything is
 * aborted, the shard joins the "want" set, and the body runs again with the
 * whole want set locked up front in ascending order. A thread therefore only
 * ever blocks on a shard higher than all it holds, so no cycle can form; the
 * want set only grows, so an operation restarts at most S times.
 * LMDB's own writer mutex of a shard is only ever taken while holding our
 * mutex of that shard, so it cannot add a cycle. (ThreadSanitizer does not
 * see that and reports lock-order inversions inside liblmdb when the intent
 * is cleared; suppress with "deadlock:liblmdb.so.0". It finds no data race.)
 *
 * Atomicity across shards (why not just hold all transactions and commit).
 * LMDB commits one environment at a time; a crash between two commits would
 * leave half an operation. So when an operation wrote to more than one shard:
 *
 *   1. The coordinator is the lowest shard written. Every write destined for
 *      the other shards (key, and full after-image or deletion) is packed
 *      into an intent record, stored on the coordinator in the SAME
 *      transaction as the coordinator's own writes, which commits first.
 *   2. The other shards commit, in ascending order.
 *   3. The intent is deleted on the coordinator (one more commit).
 *
 * Every shard involved stays locked (our mutex) from the first access until
 * step 3 is durable, so no other operation can touch those records while the
 * intent is pending. After a crash, ns_open() replays each pending intent:
 * it writes the after-images again (idempotent: they are absolute values,
 * not deltas) and deletes the intent. A crash before step 1 leaves the old
 * state; any later crash rolls forward to the new state. Two pending intents
 * always come from operations on disjoint shard sets, so replay order does
 * not matter.
 *
 * We chose a sequence of single-shard commits made restartable by the intent
 * over "all LMDB write transactions open, commit in order" alone because the
 * latter still cannot commit atomically; we do keep every transaction open
 * until the coordinator has committed, so the body sees one consistent state
 * and nothing it read can change before its writes land.
 *
 * If a later commit fails in-process (EIO, ENOSPC), the intent is replayed at
 * once; if that fails too the namespace is marked broken (mutations return
 * -EIO) so that nothing can change the records before the replay at the next
 * ns_open().
 *
 * Durability: each commit is a plain mdb_txn_commit() (fsync). Creating an
 * entry on another shard than its parent directory costs three commits.
 *
 * Group commit (ns_batch_begin/end, ns.h). A batch is one long-lived mtx
 * owned by one thread: every operation that thread runs while the batch is
 * open becomes part of it. The batch keeps a top-level LMDB write
 * transaction ("parent") open on every shard it has touched and holds
 * their mutexes; each operation runs in nested child transactions of those
 * parents, so a failing operation is undone alone (its children aborted,
 * its part of the write log dropped) and a successful one is merged into
 * the parents without any I/O. ns_batch_end() then commits the parents
 * exactly like one mtx — intent on the lowest shard written when there are
 * several — so the whole batch is atomic across a crash and costs the
 * commits of one operation. Reads by the owner thread (ns_rtxn_begin) go
 * through a child of the parent of any shard the batch has written, so
 * they see the batch; other threads see it after the commit. An operation
 * that needs a shard below one the batch holds and cannot try-lock it
 * commits the batch so far, then runs with its shards locked in order (the
 * lock-order rule above is never broken).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ns_internal.h"

#define INTENT_MAGIC UINT32_C(0x31494e53) /* "SNI1" little-endian */
#define INTENT_HDR_LEN 8

struct ns_mtx {
	struct ns *ns;
	/* The body's transactions: top-level ones, or in a batch the current
	 * operation's children of ptxn[]. */
	MDB_txn *txn[NS_MAX_SHARDS];
	MDB_txn *ptxn[NS_MAX_SHARDS]; /* batch: parents, one per held shard */
	uint8_t held[NS_MAX_SHARDS];
	uint8_t wrote[NS_MAX_SHARDS];
	uint8_t want[NS_MAX_SHARDS];
	int maxheld;
	int restart;
	struct ns_buf log; /* every write, in intent-record format */
	int batch;         /* a group-commit batch (ns_batch_begin) */
	/* A cross-node plan (ns_xtx.h): other nodes' keys come from and go
	 * to VIEW, and every access is recorded there. NULL otherwise. */
	struct ns_xview *view;
	uint64_t act_for; /* keys locked by this transaction are ours */
	int failed;        /* batch: merging an operation failed; -errno */
	unsigned ops;      /* batch: operations merged since the last commit */
};

struct ns *ns_mtx_ns(const struct ns_mtx *m)
{
	return m->ns;
}

struct ns_xview *ns_mtx_view(const struct ns_mtx *m)
{
	return m->view;
}

/* ---- commit points and the crash hook ----------------------------------- */

static int simulate_crash(struct ns *ns, MDB_txn *txn)
{
	mdb_txn_abort(txn);
	atomic_store(&ns->crash_step, -1);
	if (atomic_load(&ns->crash_fails))
		return -EIO; /* an I/O error: the process lives on */
	atomic_store(&ns->crashed, 1);
	atomic_store(&ns->broken, 1);
	return -EIO;
}

int ns_commit_point(struct ns *ns, MDB_txn *txn)
{
	int step = atomic_load(&ns->crash_step);

	if (step == 0)
		return simulate_crash(ns, txn);
	if (step > 0)
		atomic_store(&ns->crash_step, step - 1);
	return ns_mdb_err(mdb_txn_commit(txn));
}

/* ---- locking ------------------------------------------------------------ */

/* Lock environment S (the per-environment arrays below are indexed by
 * environment, not by shard). */
static int lock_env(struct ns_mtx *m, unsigned s, int blocking)
{
	struct ns_env *sh = &m->ns->env[s];
	int rc;

	if (blocking)
		pthread_mutex_lock(&sh->lock);
	else if (pthread_mutex_trylock(&sh->lock) != 0)
		return -EBUSY;
	MDB_txn **top = m->batch ? &m->ptxn[s] : &m->txn[s];
	rc = mdb_txn_begin(sh->env, NULL, 0, top);
	if (rc) {
		*top = NULL;
		pthread_mutex_unlock(&sh->lock);
		return ns_mdb_err(rc);
	}
	m->held[s] = 1;
	if ((int)s > m->maxheld)
		m->maxheld = (int)s;
	return 0;
}

static int lock_wanted(struct ns_mtx *m)
{
	for (unsigned s = 0; s < m->ns->nenvs; s++) {
		if (!m->want[s] || m->held[s])
			continue;
		int rc = lock_env(m, s, (int)s > m->maxheld);
		if (rc)
			return rc;
	}
	return 0;
}

static void abort_open(struct ns_mtx *m)
{
	for (unsigned s = 0; s < m->ns->nenvs; s++) {
		if (m->txn[s])
			mdb_txn_abort(m->txn[s]);
		m->txn[s] = NULL;
	}
}

/* Abort what is still open and unlock every shard held. */
static void release_all(struct ns_mtx *m)
{
	for (unsigned s = 0; s < m->ns->nenvs; s++) {
		if (!m->held[s])
			continue;
		if (m->txn[s])
			mdb_txn_abort(m->txn[s]); /* children before parents */
		m->txn[s] = NULL;
		if (m->ptxn[s])
			mdb_txn_abort(m->ptxn[s]);
		m->ptxn[s] = NULL;
		m->held[s] = 0;
		pthread_mutex_unlock(&m->ns->env[s].lock);
	}
	m->maxheld = -1;
}

static void prepare_restart(struct ns_mtx *m)
{
	atomic_fetch_add(&m->ns->restarts, 1);
	for (unsigned s = 0; s < m->ns->nenvs; s++)
		if (m->held[s])
			m->want[s] = 1;
	release_all(m);
	memset(m->wrote, 0, sizeof m->wrote);
	m->log.len = 0;
	m->restart = 0;
}

/* The transaction through which the body reaches SHARD. */
static int mtx_txn(struct ns_mtx *m, unsigned shard, MDB_txn **txn)
{
	if (m->restart)
		return -EAGAIN;
	if (shard >= m->ns->nshards)
		return -EIO;
	if (!ns_shard_owned(m->ns, shard))
		return -EREMOTE; /* another node's partition (ns_own()) */
	unsigned s = m->ns->shard[shard].env;
	if (!m->held[s]) {
		int rc = lock_env(m, s, (int)s > m->maxheld);
		if (rc == -EBUSY) {
			m->want[s] = 1;
			m->restart = 1;
			return -EAGAIN;
		}
		if (rc)
			return rc;
	}
	if (m->batch && !m->txn[s]) { /* this operation's child */
		int rc = mdb_txn_begin(m->ns->env[s].env, m->ptxn[s], 0,
				       &m->txn[s]);
		if (rc) {
			m->txn[s] = NULL;
			return ns_mdb_err(rc);
		}
	}
	*txn = m->txn[s];
	return 0;
}

/* ---- accessors ---------------------------------------------------------- */

static int log_write(struct ns_mtx *m, unsigned s, enum ns_db db, int op,
		     const void *key, size_t klen, const void *val, size_t vlen)
{
	uint8_t hdr[LOG_HDR_LEN];
	int rc;

	hdr[0] = (uint8_t)s;
	hdr[1] = (uint8_t)db;
	hdr[2] = (uint8_t)op;
	hdr[3] = 0;
	ns_put_le16(hdr + 4, (uint16_t)klen);
	ns_put_le32(hdr + 6, (uint32_t)vlen);
	rc = ns_buf_append(&m->log, hdr, sizeof hdr);
	if (!rc)
		rc = ns_buf_append(&m->log, key, klen);
	if (!rc && vlen)
		rc = ns_buf_append(&m->log, val, vlen);
	return rc;
}

int ns_mtx_txn(struct ns_mtx *m, unsigned shard, MDB_txn **txn)
{
	return mtx_txn(m, shard, txn);
}

/* Another node's key in a plan: served and recorded by the view. */
static int remote_key(const struct ns_mtx *m, unsigned shard)
{
	return m->view && shard < m->ns->nshards &&
	       !ns_shard_owned(m->ns, shard);
}

/* A key a prepared cross-node transaction holds (ns_xtx.h): -EBUSY. */
static int key_held(struct ns_mtx *m, unsigned shard, enum ns_db db,
		    const void *key, size_t klen)
{
	return ns_xlock_busy(m->ns, shard, db, key, klen, m->act_for)
		       ? -EBUSY
		       : 0;
}

int ns_mtx_get(struct ns_mtx *m, unsigned shard, enum ns_db db,
	       const void *key, size_t klen, MDB_val *val)
{
	MDB_txn *txn = NULL;
	MDB_val k = { .mv_size = klen, .mv_data = (void *)key };
	int rc;

	if (remote_key(m, shard))
		return ns_xview_get(m->view, shard, db, key, klen, val);
	rc = mtx_txn(m, shard, &txn);
	if (!rc)
		rc = key_held(m, shard, db, key, klen);
	if (rc)
		return rc;
	rc = ns_mdb_err(mdb_get(txn, m->ns->shard[shard].dbi[db], &k, val));
	if (m->view && (rc == 0 || rc == -ENOENT)) {
		int vr = ns_xview_note_read(m->view, shard, db, key, klen,
					    rc ? NULL : val->mv_data,
					    rc ? 0 : val->mv_size, rc == 0);
		if (vr)
			return vr;
	}
	return rc;
}

int ns_mtx_put(struct ns_mtx *m, unsigned shard, enum ns_db db,
	       const void *key, size_t klen, const void *val, size_t vlen)
{
	MDB_txn *txn = NULL;
	MDB_val k = { .mv_size = klen, .mv_data = (void *)key };
	MDB_val v = { .mv_size = vlen, .mv_data = (void *)val };
	int rc;

	if (m->view) {
		rc = ns_xview_write(m->view, shard, db, LOG_PUT, key, klen,
				    val, vlen);
		if (rc || remote_key(m, shard))
			return rc;
	}
	rc = mtx_txn(m, shard, &txn);
	if (!rc)
		rc = key_held(m, shard, db, key, klen);
	if (rc)
		return rc;
	rc = ns_mdb_err(mdb_put(txn, m->ns->shard[shard].dbi[db], &k, &v, 0));
	if (rc)
		return rc;
	m->wrote[m->ns->shard[shard].env] = 1;
	return log_write(m, shard, db, LOG_PUT, key, klen, val, vlen);
}

int ns_mtx_del(struct ns_mtx *m, unsigned shard, enum ns_db db,
	       const void *key, size_t klen)
{
	MDB_txn *txn = NULL;
	MDB_val k = { .mv_size = klen, .mv_data = (void *)key };
	int rc;

	if (m->view) {
		rc = ns_xview_write(m->view, shard, db, LOG_DEL, key, klen,
				    NULL, 0);
		if (rc || remote_key(m, shard))
			return rc;
	}
	rc = mtx_txn(m, shard, &txn);
	if (!rc)
		rc = key_held(m, shard, db, key, klen);
	if (rc)
		return rc;
	rc = ns_mdb_err(mdb_del(txn, m->ns->shard[shard].dbi[db], &k, NULL));
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	m->wrote[m->ns->shard[shard].env] = 1;
	return log_write(m, shard, db, LOG_DEL, key, klen, NULL, 0);
}

int ns_mtx_get_u64(struct ns_mtx *m, unsigned shard, const char *name,
		   uint64_t *v)
{
	MDB_val val;
	int rc = ns_mtx_get(m, shard, NS_DB_META, name, strlen(name), &val);

	if (rc)
		return rc;
	if (val.mv_size != 8)
		return -EIO;
	*v = ns_get_le64(val.mv_data);
	return 0;
}

int ns_mtx_put_u64(struct ns_mtx *m, unsigned shard, const char *name,
		   uint64_t v)
{
	uint8_t b[8];

	ns_put_le64(b, v);
	return ns_mtx_put(m, shard, NS_DB_META, name, strlen(name), b, 8);
}

int ns_mtx_add_u64(struct ns_mtx *m, unsigned shard, const char *name,
		   int64_t delta)
{
	uint8_t b[8];
	uint64_t v = 0;
	int rc;

	if (m->view) { /* applied when the transaction commits (ns_xtx.h) */
		ns_put_le64(b, (uint64_t)delta);
		return ns_xview_write(m->view, shard, NS_DB_META, XV_ADD, name,
				      strlen(name), b, 8);
	}
	rc = ns_mtx_get_u64(m, shard, name, &v);
	if (rc && rc != -ENOENT)
		return rc;
	return ns_mtx_put_u64(m, shard, name, v + (uint64_t)delta);
}

/* The environment's own "intents" database, reached through its first
 * shard (shard E is in environment E, ns_internal.h). */
static int intent_txn(struct ns_mtx *m, unsigned env, MDB_txn **txn,
		      MDB_dbi *dbi)
{
	int rc;

	if (env >= m->ns->nenvs)
		return -EIO;
	rc = mtx_txn(m, env, txn);
	*dbi = m->ns->env[env].intents;
	return rc;
}

int ns_mtx_get_intent(struct ns_mtx *m, unsigned env, const void *key,
		      size_t klen, MDB_val *val)
{
	MDB_val k = { .mv_size = klen, .mv_data = (void *)key };
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	int rc = intent_txn(m, env, &txn, &dbi);

	return rc ? rc : ns_mdb_err(mdb_get(txn, dbi, &k, val));
}

int ns_mtx_put_intent(struct ns_mtx *m, unsigned env, const void *key,
		      size_t klen, const void *val, size_t vlen)
{
	MDB_val k = { .mv_size = klen, .mv_data = (void *)key };
	MDB_val v = { .mv_size = vlen, .mv_data = (void *)val };
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	int rc = intent_txn(m, env, &txn, &dbi);

	if (!rc)
		rc = ns_mdb_err(mdb_put(txn, dbi, &k, &v, 0));
	if (rc)
		return rc;
	m->wrote[env] = 1;
	return log_write(m, env, NS_DB_INTENTS, LOG_PUT, key, klen, val,
			 vlen);
}

int ns_mtx_del_intent(struct ns_mtx *m, unsigned env, const void *key,
		      size_t klen)
{
	MDB_val k = { .mv_size = klen, .mv_data = (void *)key };
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	int rc = intent_txn(m, env, &txn, &dbi);

	if (!rc)
		rc = ns_mdb_err(mdb_del(txn, dbi, &k, NULL));
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	m->wrote[env] = 1;
	return log_write(m, env, NS_DB_INTENTS, LOG_DEL, key, klen, NULL, 0);
}

/* ---- intent records ----------------------------------------------------- */

struct intent_rec {
	unsigned shard;
	unsigned db;
	unsigned op;
	const uint8_t *key;
	size_t klen;
	const uint8_t *val;
	size_t vlen;
};

/* Parse the record at *pos; 1 if one was read, 0 at the end, -EIO if bad. */
static int intent_next(const struct ns *ns, const uint8_t *rec, size_t len,
		       size_t *pos, struct intent_rec *r)
{
	size_t p = *pos;

	if (p == len)
		return 0;
	if (len - p < LOG_HDR_LEN)
		return -EIO;
	r->shard = rec[p];
	r->db = rec[p + 1];
	r->op = rec[p + 2];
	r->klen = ns_get_le16(rec + p + 4);
	r->vlen = ns_get_le32(rec + p + 6);
	p += LOG_HDR_LEN;
	if (r->shard >= ns->nshards || r->db > NS_DB_INTENTS ||
	    (r->op != LOG_PUT && r->op != LOG_DEL) || r->klen == 0 ||
	    (r->op == LOG_DEL && r->vlen != 0))
		return -EIO;
	if (len - p < r->klen || len - p - r->klen < r->vlen)
		return -EIO;
	r->key = rec + p;
	r->val = rec + p + r->klen;
	*pos = p + r->klen + r->vlen;
	return 1;
}

static int intent_validate(const struct ns *ns, const uint8_t *rec,
			   size_t len)
{
	struct intent_rec r;
	size_t pos = INTENT_HDR_LEN;
	uint32_t n = 0;
	int rc;

	if (len < INTENT_HDR_LEN || ns_get_le32(rec) != INTENT_MAGIC)
		return -EIO;
	while ((rc = intent_next(ns, rec, len, &pos, &r)) == 1)
		n++;
	if (rc < 0 || n != ns_get_le32(rec + 4))
		return -EIO;
	return 0;
}

static int intent_build(const struct ns_mtx *m, unsigned coord,
			struct ns_buf *out)
{
	uint8_t hdr[INTENT_HDR_LEN];
	struct intent_rec r;
	size_t pos = 0, start;
	uint32_t n = 0;
	int rc;

	ns_put_le32(hdr, INTENT_MAGIC);
	ns_put_le32(hdr + 4, 0);
	rc = ns_buf_append(out, hdr, sizeof hdr);
	while (!rc) {
		start = pos;
		rc = intent_next(m->ns, m->log.p, m->log.len, &pos, &r);
		if (rc <= 0)
			break;
		rc = 0;
		if (m->ns->shard[r.shard].env == coord)
			continue;
		rc = ns_buf_append(out, m->log.p + start, pos - start);
		n++;
	}
	if (rc < 0)
		return rc;
	ns_put_le32(out->p + 4, n);
	return 0;
}

/* Write the after-images meant for environment T. */
static int intent_apply_env(struct ns *ns, unsigned t, const uint8_t *rec,
			    size_t len)
{
	struct ns_env *sh = &ns->env[t];
	struct intent_rec r;
	size_t pos = INTENT_HDR_LEN;
	MDB_txn *txn = NULL;
	int rc;

	rc = ns_mdb_err(mdb_txn_begin(sh->env, NULL, 0, &txn));
	if (rc)
		return rc;
	while ((rc = intent_next(ns, rec, len, &pos, &r)) == 1) {
		if (ns->shard[r.shard].env != t)
			continue;
		MDB_dbi dbi = ns_dbi(ns, r.shard, r.db);
		MDB_val k = { .mv_size = r.klen, .mv_data = (void *)r.key };
		MDB_val v = { .mv_size = r.vlen, .mv_data = (void *)r.val };
		if (r.op == LOG_PUT)
			rc = mdb_put(txn, dbi, &k, &v, 0);
		else
			rc = mdb_del(txn, dbi, &k, NULL);
		rc = ns_mdb_err(rc == MDB_NOTFOUND ? 0 : rc);
		if (rc)
			break;
	}
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	return ns_mdb_err(mdb_txn_commit(txn));
}

static int intent_clear(struct ns *ns, unsigned coord, int commit_point)
{
	struct ns_env *sh = &ns->env[coord];
	MDB_val k = { .mv_size = strlen(NS_INTENT_KEY),
		      .mv_data = (void *)NS_INTENT_KEY };
	MDB_txn *txn = NULL;
	int rc;

	rc = ns_mdb_err(mdb_txn_begin(sh->env, NULL, 0, &txn));
	if (rc)
		return rc;
	rc = mdb_del(txn, sh->intents, &k, NULL);
	if (rc && rc != MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return ns_mdb_err(rc);
	}
	if (commit_point)
		return ns_commit_point(ns, txn);
	return ns_mdb_err(mdb_txn_commit(txn));
}

int ns_intent_replay(struct ns *ns, unsigned coord, const uint8_t *rec,
		     size_t len)
{
	int rc = intent_validate(ns, rec, len);

	for (unsigned t = 0; !rc && t < ns->nenvs; t++) {
		struct intent_rec r;
		size_t pos = INTENT_HDR_LEN;
		int touched = 0;

		while (!touched && intent_next(ns, rec, len, &pos, &r) == 1)
			touched = ns->shard[r.shard].env == t;
		if (touched)
			rc = intent_apply_env(ns, t, rec, len);
	}
	if (!rc)
		rc = intent_clear(ns, coord, 0);
	return rc;
}

static int replay_env(struct ns *ns, unsigned s, int *found)
{
	struct ns_env *sh = &ns->env[s];
	MDB_val k = { .mv_size = strlen(NS_INTENT_KEY),
		      .mv_data = (void *)NS_INTENT_KEY };
	MDB_val v;
	MDB_txn *txn = NULL;
	uint8_t *copy = NULL;
	size_t len = 0;
	int rc;

	*found = 0;
	rc = ns_env_rtxn_begin(ns, s, &txn);
	if (rc)
		return rc;
	rc = mdb_get(txn, sh->intents, &k, &v);
	if (rc == MDB_SUCCESS) {
		len = v.mv_size;
		copy = malloc(len ? len : 1);
		if (copy)
			memcpy(copy, v.mv_data, len);
	}
	mdb_txn_abort(txn);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return ns_mdb_err(rc);
	if (!copy)
		return -ENOMEM;
	rc = ns_intent_replay(ns, s, copy, len);
	free(copy);
	*found = 1;
	return rc;
}

int ns_replay_all(struct ns *ns)
{
	for (unsigned s = 0; s < ns->nenvs; s++) {
		int found, rc = replay_env(ns, s, &found);
		if (rc)
			return rc;
		ns->replayed += (unsigned)found;
	}
	return 0;
}

/* ---- commit protocol ---------------------------------------------------- */

static int commit_shard(struct ns_mtx *m, unsigned s)
{
	int rc = ns_commit_point(m->ns, m->txn[s]);

	m->txn[s] = NULL; /* commit frees the transaction, even on error */
	return rc;
}

static int put_intent(struct ns_mtx *m, unsigned coord,
		      const struct ns_buf *intent)
{
	MDB_val k = { .mv_size = strlen(NS_INTENT_KEY),
		      .mv_data = (void *)NS_INTENT_KEY };
	MDB_val v = { .mv_size = intent->len, .mv_data = intent->p };
	int rc = mdb_put(m->txn[coord], m->ns->env[coord].intents,
			 &k, &v, MDB_NOOVERWRITE);

	/* A pending intent here would mean a lost replay: refuse. */
	return rc == MDB_KEYEXIST ? -EIO : ns_mdb_err(rc);
}

/* Steps 2 and 3 (see the top of this file); the coordinator is durable. */
static int commit_rest(struct ns_mtx *m, unsigned coord,
		       const struct ns_buf *intent)
{
	struct ns *ns = m->ns;
	int rc = 0;

	for (unsigned s = coord + 1; !rc && s < ns->nenvs; s++)
		if (m->wrote[s])
			rc = commit_shard(m, s);
	if (rc && !atomic_load(&ns->crashed)) {
		/* Roll forward now; every step is in the intent. Our own
		 * write transactions must end first (LMDB would deadlock on
		 * a second writer of the same environment in this thread). */
		abort_open(m);
		rc = ns_intent_replay(ns, coord, intent->p, intent->len);
		if (rc)
			atomic_store(&ns->broken, 1);
		return rc ? -EIO : 0;
	}
	if (rc)
		return rc;
	rc = intent_clear(ns, coord, 1);
	if (rc && !atomic_load(&ns->crashed)) {
		/* The operation is durable; only the intent is stuck. */
		atomic_store(&ns->broken, 1);
		return 0;
	}
	return rc;
}

static int mtx_commit(struct ns_mtx *m)
{
	struct ns_buf intent = { 0 };
	unsigned n = 0, coord = 0;
	int rc;

	if (atomic_load(&m->ns->broken))
		return -EIO;
	for (unsigned s = 0; s < m->ns->nenvs; s++) {
		if (!m->wrote[s])
			continue;
		if (n++ == 0)
			coord = s;
	}
	if (n == 0)
		return 0;
	if (n == 1)
		return commit_shard(m, coord);
	rc = intent_build(m, coord, &intent);
	if (!rc)
		rc = put_intent(m, coord, &intent);
	if (!rc)
		rc = commit_shard(m, coord);
	if (!rc)
		rc = commit_rest(m, coord, &intent);
	ns_buf_free(&intent);
	return rc;
}

/* ---- group commit (see the top of this file) ---------------------------- */

static struct ns_mtx *batch_mine(struct ns *ns)
{
	if (atomic_load(&ns->batch_owner) != (uintptr_t)pthread_self())
		return NULL;
	return ns->batch; /* only its owner sets or reads it */
}

/* End the current operation's child transactions: merge (COMMIT) or drop. */
static int children_end(struct ns_mtx *m, int commit)
{
	int rc = 0;

	for (unsigned s = 0; s < m->ns->nenvs; s++) {
		if (!m->txn[s])
			continue;
		if (commit && !rc)
			rc = ns_mdb_err(mdb_txn_commit(m->txn[s]));
		else
			mdb_txn_abort(m->txn[s]);
		m->txn[s] = NULL;
	}
	return rc;
}

/* Commit everything the batch holds (its parents, as one mtx) and unlock. */
static int batch_flush(struct ns_mtx *m)
{
	int rc = m->failed;

	for (unsigned s = 0; s < m->ns->nenvs; s++) {
		m->txn[s] = m->ptxn[s];
		m->ptxn[s] = NULL;
	}
	m->batch = 0; /* the parents are top-level transactions */
	if (!rc)
		rc = mtx_commit(m);
	release_all(m);
	m->batch = 1;
	m->failed = 0;
	m->ops = 0;
	m->log.len = 0;
	memset(m->wrote, 0, sizeof m->wrote);
	return rc;
}

static int batch_run(struct ns_mtx *m, ns_mtx_body body, void *arg)
{
	uint8_t wrote0[NS_MAX_SHARDS];
	unsigned n = m->ns->nenvs;

	if (m->failed)
		return -EIO;
	for (;;) {
		size_t log0 = m->log.len;
		int rc;

		memcpy(wrote0, m->wrote, n);
		rc = lock_wanted(m);
		if (rc == -EBUSY)
			m->restart = 1;
		memset(m->want, 0, n);
		if (!rc && !m->restart)
			rc = body(m, arg);
		if (!rc && !m->restart) {
			rc = children_end(m, 1);
			if (rc) /* half merged: the batch cannot commit */
				m->failed = rc;
			else
				m->ops++;
			return rc;
		}
		children_end(m, 0);
		m->log.len = log0;
		memcpy(m->wrote, wrote0, n);
		if (!m->restart)
			return rc;
		/* Lock order: commit what the batch has, then run again with
		 * every shard it held and the one it could not get locked in
		 * ascending order. */
		for (unsigned s = 0; s < n; s++)
			if (m->held[s])
				m->want[s] = 1;
		m->restart = 0;
		atomic_fetch_add(&m->ns->restarts, 1);
		rc = batch_flush(m);
		if (rc)
			return rc;
	}
}

int ns_batch_begin(struct ns *ns)
{
	struct ns_mtx *m;

	if (atomic_load(&ns->batch_owner) != 0)
		return -EBUSY;
	m = calloc(1, sizeof *m);
	if (!m)
		return -ENOMEM;
	m->ns = ns;
	m->maxheld = -1;
	m->batch = 1;
	ns->batch = m;
	atomic_store(&ns->batch_owner, (uintptr_t)pthread_self());
	return 0;
}

int ns_batch_end(struct ns *ns)
{
	struct ns_mtx *m = batch_mine(ns);
	int rc;

	if (!m)
		return -EINVAL;
	rc = batch_flush(m);
	if (rc)
		atomic_store(&ns->broken, 1); /* answered, not durable */
	atomic_store(&ns->batch_owner, 0);
	ns->batch = NULL;
	ns_buf_free(&m->log);
	free(m);
	return rc;
}

unsigned ns_batch_ops(struct ns *ns)
{
	struct ns_mtx *m = batch_mine(ns);

	return m ? m->ops : 0;
}

int ns_batch_owned(struct ns *ns)
{
	return batch_mine(ns) != NULL;
}

int ns_batch_rtxn(struct ns *ns, unsigned s, MDB_txn **txn)
{
	struct ns_mtx *m = batch_mine(ns);
	MDB_txn *parent;

	if (!m || !m->held[s] || !m->wrote[s])
		return 1; /* committed state is the batch's state */
	parent = m->txn[s] ? m->txn[s] : m->ptxn[s];
	return ns_mdb_err(mdb_txn_begin(ns->env[s].env, parent, 0, txn));
}

/* A plan (ns_xtx.h) runs its body to the end and then drops its writes:
 * the body's result is kept aside and the run fails with -ECANCELED. */
struct dry_run {
	ns_mtx_body body;
	void *arg;
	int rc;
};

static int dry_body(struct ns_mtx *m, void *arg)
{
	struct dry_run *d = arg;

	ns_xview_restart(m->view); /* a run from the start records anew */
	d->rc = d->body(m, d->arg);
	return m->restart ? d->rc : -ECANCELED;
}

int ns_mtx_run_ex(struct ns *ns, ns_mtx_body body, void *arg,
		  struct ns_xview *view, uint64_t act_for)
{
	struct dry_run d = { body, arg, 0 };
	struct ns_mtx *m;
	int rc;

	if (atomic_load(&ns->broken))
		return -EIO;
	m = batch_mine(ns);
	if (m) {
		m->view = view;
		m->act_for = act_for;
		rc = view ? batch_run(m, dry_body, &d) : batch_run(m, body, arg);
		m->view = NULL;
		m->act_for = 0;
		return view && rc == -ECANCELED ? d.rc : rc;
	}
	m = calloc(1, sizeof *m);
	if (!m)
		return -ENOMEM;
	m->ns = ns;
	m->maxheld = -1;
	m->view = view;
	m->act_for = act_for;
	if (view) {
		body = dry_body;
		arg = &d;
	}
	for (;;) {
		rc = lock_wanted(m);
		if (!rc)
			rc = body(m, arg);
		if (m->restart) {
			prepare_restart(m);
			continue;
		}
		if (!rc)
			rc = mtx_commit(m);
		release_all(m);
		break;
	}
	ns_buf_free(&m->log);
	free(m);
	return view && rc == -ECANCELED ? d.rc : rc;
}

int ns_mtx_run(struct ns *ns, ns_mtx_body body, void *arg)
{
	return ns_mtx_run_ex(ns, body, arg, NULL, 0);
}
