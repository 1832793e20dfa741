/*
 * metadata/ns_xtx.c — cross-node transactions: the lock table, PREPARED
 * and COMMITTED records, and the steps of ns_xtx.h.
 *
 * Records live in the environment's "intents" database beside the
 * single-process intent ("pending", ns_mtx.c), which they never touch:
 *   "P" txid (8 BE) → coordinator node (le32) | record      (participant)
 *   "C" txid (8 BE) → count (le32) | node ids (le32 each)    (coordinator)
 * A record (ns_xview_record) is "SNX1" | count (le32) | entries in the
 * write-log format of ns_mtx.c, CHECK/ABSENT entries first.
 *
 * The lock table holds a 64-bit hash of (shard, db, key) per key of each
 * PREPARED record, and the txids the coordinator has live. A hash
 * collision can only refuse an unrelated key for a while (DELAY), never
 * let two transactions hold one key. Guarded by its mutex; n is read
 * without it on the mtx fast path (no prepared transaction: no lookup).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ns_internal.h"
#include "ns_xtx.h"

#define XV_MAGIC UINT32_C(0x31584e53) /* "SNX1" little-endian */
#define XKEY_LEN 9

struct xlock {
	uint64_t h;
	uint64_t txid;
	int wr; /* the record writes the key: its value is in doubt */
};

struct ns_xlocks {
	pthread_mutex_t mu;
	atomic_size_t n;
	struct xlock *v;
	size_t cap;
	uint64_t *live;
	size_t nlive, livecap;
};

/* ---- the lock table ------------------------------------------------------ */

static uint64_t key_hash(unsigned shard, unsigned db, const void *key,
			 size_t klen)
{
	const uint8_t *p = key;
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	h = (h ^ shard) * UINT64_C(0x100000001b3);
	h = (h ^ db) * UINT64_C(0x100000001b3);
	for (size_t i = 0; i < klen; i++)
		h = (h ^ p[i]) * UINT64_C(0x100000001b3);
	return h;
}

/* A lock of another transaction than SELF on the key (with WRITES, one
 * whose record writes it). */
static int held(struct ns *ns, unsigned shard, unsigned db, const void *key,
		size_t klen, uint64_t self, int writes)
{
	struct ns_xlocks *xl = ns->xl;
	uint64_t h;
	int busy = 0;

	if (!xl || atomic_load(&xl->n) == 0)
		return 0;
	h = key_hash(shard, db, key, klen);
	pthread_mutex_lock(&xl->mu);
	for (size_t i = 0; i < atomic_load(&xl->n) && !busy; i++)
		busy = xl->v[i].h == h && xl->v[i].txid != self &&
		       (!writes || xl->v[i].wr);
	pthread_mutex_unlock(&xl->mu);
	return busy;
}

int ns_xlock_busy(struct ns *ns, unsigned shard, unsigned db,
		  const void *key, size_t klen, uint64_t self)
{
	return held(ns, shard, db, key, klen, self, 0);
}

int ns_xlock_in_doubt(struct ns *ns, unsigned shard, unsigned db,
		      const void *key, size_t klen)
{
	return held(ns, shard, db, key, klen, 0, 1);
}

static int lock_add(struct ns_xlocks *xl, uint64_t h, uint64_t txid, int wr)
{
	size_t n = atomic_load(&xl->n);

	for (size_t i = 0; i < n; i++)
		if (xl->v[i].h == h && xl->v[i].txid == txid) {
			xl->v[i].wr |= wr;
			return 0;
		}
	if (n == xl->cap) {
		size_t cap = xl->cap ? xl->cap * 2 : 64;
		struct xlock *v = realloc(xl->v, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		xl->v = v;
		xl->cap = cap;
	}
	xl->v[n].h = h;
	xl->v[n].txid = txid;
	xl->v[n].wr = wr;
	atomic_store(&xl->n, n + 1);
	return 0;
}

static void locks_drop(struct ns *ns, uint64_t txid)
{
	struct ns_xlocks *xl = ns->xl;
	size_t j = 0, n;

	pthread_mutex_lock(&xl->mu);
	n = atomic_load(&xl->n);
	for (size_t i = 0; i < n; i++)
		if (xl->v[i].txid != txid)
			xl->v[j++] = xl->v[i];
	atomic_store(&xl->n, j);
	pthread_mutex_unlock(&xl->mu);
}

size_t ns_xtx_locked(struct ns *ns)
{
	return ns->xl ? atomic_load(&ns->xl->n) : 0;
}

int ns_xtx_live(struct ns *ns, uint64_t txid, int live)
{
	struct ns_xlocks *xl = ns->xl;
	int rc = 0;

	pthread_mutex_lock(&xl->mu);
	size_t i = 0;
	while (i < xl->nlive && xl->live[i] != txid)
		i++;
	if (!live && i < xl->nlive) {
		xl->live[i] = xl->live[--xl->nlive];
	} else if (live && i == xl->nlive) {
		if (xl->nlive == xl->livecap) {
			size_t cap = xl->livecap ? xl->livecap * 2 : 16;
			uint64_t *v = realloc(xl->live, cap * sizeof *v);
			if (v) {
				xl->live = v;
				xl->livecap = cap;
			}
		}
		if (xl->nlive < xl->livecap)
			xl->live[xl->nlive++] = txid;
		else
			rc = -ENOMEM;
	}
	pthread_mutex_unlock(&xl->mu);
	return rc;
}

static int is_live(struct ns *ns, uint64_t txid)
{
	struct ns_xlocks *xl = ns->xl;
	int live = 0;

	pthread_mutex_lock(&xl->mu);
	for (size_t i = 0; i < xl->nlive && !live; i++)
		live = xl->live[i] == txid;
	pthread_mutex_unlock(&xl->mu);
	return live;
}

/* ---- records ------------------------------------------------------------- */

struct xent {
	unsigned shard, db, op;
	const uint8_t *key, *val;
	size_t klen, vlen;
};

static void xkey(uint8_t k[XKEY_LEN], char kind, uint64_t txid)
{
	k[0] = (uint8_t)kind;
	ns_put_be64(k + 1, txid);
}

/* The entry at *POS of a record already validated by rec_check(). */
static void ent_at(const uint8_t *rec, size_t *pos, struct xent *e)
{
	const uint8_t *p = rec + *pos;

	e->shard = p[0];
	e->db = p[1];
	e->op = p[2];
	e->klen = ns_get_le16(p + 4);
	e->vlen = ns_get_le32(p + 6);
	e->key = p + LOG_HDR_LEN;
	e->val = e->key + e->klen;
	*pos += LOG_HDR_LEN + e->klen + e->vlen;
}

static int ent_ok(const struct ns *ns, const struct xent *e)
{
	if (e->shard >= ns->nshards || e->db >= NS_DB_INTENTS ||
	    e->klen == 0)
		return 0;
	switch (e->op) {
	case LOG_DEL:
	case XV_ABSENT:
		return e->vlen == 0;
	case LOG_PUT:
	case XV_CHECK:
		return 1;
	case XV_DELTA:
		return e->db == NS_DB_DELTAS;
	case XV_ADD:
		return e->db == NS_DB_META && e->vlen == 8;
	default:
		return 0;
	}
}

/* 1 when REC's entries fit its LEN exactly (the layout; rec_check()
 * checks the rest). */
static int rec_sized(const uint8_t *rec, size_t len)
{
	size_t pos = 8;

	if (len < 8 || ns_get_le32(rec) != XV_MAGIC)
		return 0;
	while (len - pos >= LOG_HDR_LEN) {
		size_t need = LOG_HDR_LEN + ns_get_le16(rec + pos + 4) +
			      (size_t)ns_get_le32(rec + pos + 6);

		if (len - pos < need)
			return 0;
		pos += need;
	}
	return pos == len;
}

/* Every entry well formed and on one owned environment (*ENV). */
static int rec_check(const struct ns *ns, const uint8_t *rec, size_t len,
		     unsigned *env)
{
	size_t pos = 8;
	uint32_t n, i;
	int first = 1;

	if (!rec_sized(rec, len))
		return -EIO;
	n = ns_get_le32(rec + 4);
	if (n == 0 || n > NS_XTX_MAX_KEYS)
		return -EIO;
	for (i = 0; i < n; i++) {
		struct xent e;
		if (pos == len)
			return -EIO; /* fewer entries than the header says */
		ent_at(rec, &pos, &e);
		if (!ent_ok(ns, &e))
			return -EIO;
		if (!ns_shard_owned(ns, e.shard))
			return -EREMOTE;
		if (first)
			*env = ns->shard[e.shard].env;
		else if (ns->shard[e.shard].env != *env)
			return -EXDEV; /* one environment per node's part */
		first = 0;
	}
	return pos == len ? 0 : -EIO;
}

static int is_lockable(unsigned op)
{
	return op != XV_DELTA && op != XV_ADD;
}

/* An RMDIR's guard on a partition that still holds an entry of its
 * directory: -ENOTEMPTY (ns_rmguard.c). */
static int rec_guards_empty(struct ns_mtx *m, const uint8_t *rec, size_t len)
{
	size_t pos = 8;
	uint64_t dir;
	int rc = 0;

	while (!rc && pos < len) {
		struct xent e;
		ent_at(rec, &pos, &e);
		if (e.op == LOG_PUT &&
		    ns_rmguard_key_dir(e.db, e.key, e.klen, &dir))
			rc = ns_rmguard_empty(m, e.shard, dir);
	}
	return rc;
}

/* Compare the record's CHECK/ABSENT entries with the current values,
 * and check the guards it writes. */
static int rec_checks(struct ns_mtx *m, const uint8_t *rec, size_t len)
{
	size_t pos = 8;

	while (pos < len) {
		struct xent e;
		MDB_val v;
		int rc;
		ent_at(rec, &pos, &e);
		if (e.op != XV_CHECK && e.op != XV_ABSENT)
			continue;
		rc = ns_mtx_get(m, e.shard, e.db, e.key, e.klen, &v);
		if (rc && rc != -ENOENT)
			return rc;
		if (e.op == XV_ABSENT ? rc == 0
				      : rc != 0 || v.mv_size != e.vlen ||
						memcmp(v.mv_data, e.val,
						       e.vlen) != 0)
			return -ESTALE;
	}
	return rec_guards_empty(m, rec, len);
}

/* Lock E's key for TXID. A written key is in doubt for plain readers
 * too (ns_xlock_in_doubt); a written cookie-index key (directory, seq)
 * also puts its directory's listing on this shard in doubt (the
 * 8-byte prefix), as READDIR cannot know an inserted entry's seq. */
static int lock_one(struct ns_xlocks *xl, const struct xent *e,
		    uint64_t txid)
{
	int wr = e->op == LOG_PUT || e->op == LOG_DEL;
	int rc;

	pthread_mutex_lock(&xl->mu);
	rc = lock_add(xl, key_hash(e->shard, e->db, e->key, e->klen), txid,
		      wr);
	if (!rc && wr && e->db == NS_DB_COOKIES && e->klen == 16)
		rc = lock_add(xl, key_hash(e->shard, e->db, e->key, 8), txid,
			      1);
	pthread_mutex_unlock(&xl->mu);
	return rc;
}

/* Refuse keys another transaction holds; with LOCK_TXID, lock them. */
static int rec_lock(struct ns *ns, const uint8_t *rec, size_t len,
		    uint64_t txid, int lock)
{
	struct ns_xlocks *xl = ns->xl;
	size_t pos = 8;
	int rc = 0;

	while (!rc && pos < len) {
		struct xent e;
		ent_at(rec, &pos, &e);
		if (!is_lockable(e.op))
			continue;
		if (ns_xlock_busy(ns, e.shard, e.db, e.key, e.klen, txid))
			return -EBUSY;
		if (lock)
			rc = lock_one(xl, &e, txid);
	}
	return rc;
}

/* A regular file's inode record that the DEL E takes out (its last link
 * went): keep it as it was in GONE. */
static void note_gone(struct ns_mtx *m, const struct xent *e,
		      struct ns_xtx_gone *gone)
{
	struct ns_inode ino;

	if (!gone || e->db != NS_DB_INODES || e->klen != 8 ||
	    gone->n >= NS_XTX_GONE_MAX)
		return;
	if (ns_ino_load(m, ns_get_be64(e->key), &ino) == 0 &&
	    ino.type == NS_REG)
		gone->ino[gone->n++] = ino;
}

size_t ns_xtx_record_inodes(const uint8_t *rec, size_t len,
			    struct ns_xtx_inode *out, size_t max)
{
	size_t pos = 8, n = 0;

	if (!rec_sized(rec, len))
		return 0; /* malformed: prepare refuses it anyway */
	while (pos < len) {
		struct xent e;

		ent_at(rec, &pos, &e);
		if (e.db != NS_DB_INODES || e.klen != 8 ||
		    (e.op != LOG_PUT && e.op != LOG_DEL))
			continue;
		if (n < max) {
			out[n].fileid = ns_get_be64(e.key);
			out[n].deleted = e.op == LOG_DEL;
		}
		n++;
	}
	return n;
}

/* Write the record's after-images and counter operations. */
static int rec_apply(struct ns_mtx *m, const uint8_t *rec, size_t len,
		     struct ns_xtx_gone *gone)
{
	size_t pos = 8;
	int rc = 0;

	while (!rc && pos < len) {
		struct xent e;
		ent_at(rec, &pos, &e);
		switch (e.op) {
		case LOG_PUT:
			rc = ns_mtx_put(m, e.shard, e.db, e.key, e.klen, e.val,
					e.vlen);
			break;
		case LOG_DEL:
			note_gone(m, &e, gone);
			rc = ns_mtx_del(m, e.shard, e.db, e.key, e.klen);
			break;
		case XV_DELTA:
			rc = ns_delta_add_rec(m, e.shard, e.val, e.vlen);
			break;
		case XV_ADD: {
			char name[64];
			if (e.klen >= sizeof name)
				return -EIO;
			memcpy(name, e.key, e.klen);
			name[e.klen] = '\0';
			rc = ns_mtx_add_u64(m, e.shard, name,
					    (int64_t)ns_get_le64(e.val));
			break;
		}
		default:
			break;
		}
	}
	return rc;
}

/* ---- coordinator ----------------------------------------------------------- */

int ns_xtx_plan(struct ns *ns, ns_xtx_body body, void *arg,
		struct ns_xview *v)
{
	return ns_mtx_run_ex(ns, body, arg, v, 0);
}

static unsigned first_owned_env(const struct ns *ns)
{
	for (unsigned e = 0; e < ns->nenvs; e++)
		if (!ns->owned || ns->owned[e])
			return e;
	return 0;
}

struct decide_ctx {
	uint64_t txid;
	const uint8_t *rec;
	size_t len;
	unsigned env;
	const uint32_t *nodes;
	size_t nnodes;
	struct ns_xtx_gone *gone;
};

static int decide_body(struct ns_mtx *m, void *arg)
{
	struct decide_ctx *c = arg;
	uint8_t k[XKEY_LEN], val[4 + 4 * 64];
	int rc = 0;

	if (c->gone) /* the body may run again from the start */
		c->gone->n = 0;
	if (c->len) {
		rc = rec_checks(m, c->rec, c->len);
		if (!rc)
			rc = rec_apply(m, c->rec, c->len, c->gone);
	}
	if (rc || c->nnodes == 0)
		return rc;
	xkey(k, 'C', c->txid);
	ns_put_le32(val, (uint32_t)c->nnodes);
	for (size_t i = 0; i < c->nnodes; i++)
		ns_put_le32(val + 4 + 4 * i, c->nodes[i]);
	return ns_mtx_put_intent(m, c->env, k, sizeof k, val,
				 4 + 4 * c->nnodes);
}

int ns_xtx_decide(struct ns *ns, uint64_t txid, const uint8_t *rec,
		  size_t len, const uint32_t *nodes, size_t nnodes,
		  struct ns_xtx_gone *gone)
{
	struct decide_ctx c = { txid, rec, len, first_owned_env(ns), nodes,
				nnodes, gone };
	int rc = 0;

	if (nnodes > 64)
		return -E2BIG;
	if (len)
		rc = rec_check(ns, rec, len, &c.env);
	if (!rc && len)
		rc = rec_lock(ns, rec, len, txid, 0);
	if (!rc)
		rc = ns_mtx_run_ex(ns, decide_body, &c, NULL, txid);
	return rc;
}

struct key_ctx {
	uint8_t k[XKEY_LEN];
	int found;
	uint8_t *val;
	size_t vlen;
	int del;
};

/* Find (and with DEL, delete) key K in every owned environment. */
static int key_body(struct ns_mtx *m, void *arg)
{
	struct key_ctx *c = arg;
	struct ns *ns = ns_mtx_ns(m);

	c->found = 0;
	for (unsigned e = 0; e < ns->nenvs; e++) {
		MDB_val v;
		int rc;
		if (ns->owned && !ns->owned[e])
			continue;
		rc = ns_mtx_get_intent(m, e, c->k, sizeof c->k, &v);
		if (rc == -ENOENT)
			continue;
		if (rc)
			return rc;
		if (!c->found && !c->del) {
			c->val = malloc(v.mv_size ? v.mv_size : 1);
			if (!c->val)
				return -ENOMEM;
			memcpy(c->val, v.mv_data, v.mv_size);
			c->vlen = v.mv_size;
		}
		c->found = 1;
		if (c->del) {
			rc = ns_mtx_del_intent(m, e, c->k, sizeof c->k);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int ns_xtx_forget(struct ns *ns, uint64_t txid)
{
	struct key_ctx c = { .del = 1 };

	xkey(c.k, 'C', txid);
	return ns_mtx_run(ns, key_body, &c);
}

int ns_xtx_outcome(struct ns *ns, uint64_t txid, enum ns_xtx_outcome *out)
{
	struct key_ctx c = { 0 };
	int rc;

	/* Live first: a decide that commits right after must not have been
	 * answered "aborted" (the caller ends liveness after deciding). */
	if (is_live(ns, txid)) {
		*out = NS_XTX_PENDING;
		return 0;
	}
	xkey(c.k, 'C', txid);
	rc = ns_mtx_run(ns, key_body, &c);
	free(c.val);
	if (rc)
		return rc;
	*out = c.found ? NS_XTX_COMMITTED : NS_XTX_ABORTED;
	return 0;
}

/* ---- participant ----------------------------------------------------------- */

struct read_ctx {
	unsigned shard, db;
	const void *key;
	size_t klen;
	uint8_t *val;
	size_t vlen;
};

static int read_body(struct ns_mtx *m, void *arg)
{
	struct read_ctx *c = arg;
	MDB_val v;
	int rc = ns_mtx_get(m, c->shard, c->db, c->key, c->klen, &v);

	if (rc)
		return rc;
	free(c->val);
	c->val = malloc(v.mv_size ? v.mv_size : 1);
	if (!c->val)
		return -ENOMEM;
	memcpy(c->val, v.mv_data, v.mv_size);
	c->vlen = v.mv_size;
	return 0;
}

int ns_xtx_read(struct ns *ns, unsigned shard, unsigned db, const void *key,
		size_t klen, uint8_t **val, size_t *vlen)
{
	struct read_ctx c = { shard, db, key, klen, NULL, 0 };
	int rc;

	if (shard >= ns->nshards || db >= NS_DB_INTENTS || klen == 0)
		return -EINVAL;
	if (!ns_shard_owned(ns, shard))
		return -EREMOTE;
	rc = ns_mtx_run(ns, read_body, &c);
	if (rc) {
		free(c.val);
		return rc;
	}
	*val = c.val;
	*vlen = c.vlen;
	return 0;
}

struct prep_ctx {
	uint64_t txid;
	uint32_t coord;
	const uint8_t *rec;
	size_t len;
	unsigned env;
	int again; /* already prepared */
};

static int prepare_body(struct ns_mtx *m, void *arg)
{
	struct prep_ctx *c = arg;
	struct ns *ns = ns_mtx_ns(m);
	uint8_t k[XKEY_LEN];
	struct ns_buf b = { 0 };
	uint8_t co[4];
	MDB_val v;
	int rc;

	xkey(k, 'P', c->txid);
	rc = ns_mtx_get_intent(m, c->env, k, sizeof k, &v);
	c->again = rc == 0;
	if (rc != -ENOENT)
		return rc;
	rc = rec_checks(m, c->rec, c->len);
	if (!rc)
		rc = rec_lock(ns, c->rec, c->len, c->txid, 1);
	ns_put_le32(co, c->coord);
	if (!rc)
		rc = ns_buf_append(&b, co, 4);
	if (!rc)
		rc = ns_buf_append(&b, c->rec, c->len);
	if (!rc)
		rc = ns_mtx_put_intent(m, c->env, k, sizeof k, b.p, b.len);
	ns_buf_free(&b);
	return rc;
}

int ns_xtx_prepare(struct ns *ns, uint64_t txid, uint32_t coord,
		   const uint8_t *rec, size_t len)
{
	struct prep_ctx c = { txid, coord, rec, len, 0, 0 };
	int rc = rec_check(ns, rec, len, &c.env);

	if (!rc)
		rc = ns_mtx_run_ex(ns, prepare_body, &c, NULL, txid);
	if (rc && !c.again)
		locks_drop(ns, txid);
	return rc;
}

struct finish_ctx {
	uint64_t txid;
	int commit;
	struct ns_xtx_gone *gone;
};

static int finish_body(struct ns_mtx *m, void *arg)
{
	struct finish_ctx *c = arg;
	struct ns *ns = ns_mtx_ns(m);
	uint8_t k[XKEY_LEN];
	int rc = 0;

	if (c->gone) /* the body may run again from the start */
		c->gone->n = 0;
	xkey(k, 'P', c->txid);
	for (unsigned e = 0; !rc && e < ns->nenvs; e++) {
		MDB_val v;
		if (ns->owned && !ns->owned[e])
			continue;
		rc = ns_mtx_get_intent(m, e, k, sizeof k, &v);
		if (rc == -ENOENT) {
			rc = 0;
			continue;
		}
		if (!rc && v.mv_size < 4)
			rc = -EIO;
		if (!rc && c->commit) {
			/* v points into the transaction, which the writes
			 * below may move: apply from a copy */
			uint8_t *copy = malloc(v.mv_size);
			if (!copy)
				return -ENOMEM;
			memcpy(copy, v.mv_data, v.mv_size);
			rc = rec_apply(m, copy + 4, v.mv_size - 4, c->gone);
			free(copy);
		}
		if (!rc)
			rc = ns_mtx_del_intent(m, e, k, sizeof k);
	}
	return rc;
}

int ns_xtx_finish(struct ns *ns, uint64_t txid, int commit,
		  struct ns_xtx_gone *gone)
{
	struct finish_ctx c = { txid, commit, gone };
	int rc = ns_mtx_run_ex(ns, finish_body, &c, NULL, txid);

	if (!rc)
		locks_drop(ns, txid);
	return rc;
}

/* ---- recovery ---------------------------------------------------------------- */

/* Call FN for every P/C record of environment E (committed state). */
static int env_records(struct ns *ns, unsigned e,
		       int (*fn)(struct ns *, const MDB_val *, const MDB_val *,
				 void *),
		       void *arg)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc = ns_env_rtxn_begin(ns, e, &txn), op = MDB_FIRST;

	if (rc)
		return rc;
	rc = ns_mdb_err(mdb_cursor_open(txn, ns->env[e].intents, &cur));
	while (!rc) {
		rc = mdb_cursor_get(cur, &k, &v, (MDB_cursor_op)op);
		op = MDB_NEXT;
		if (rc == MDB_NOTFOUND) {
			rc = 0;
			break;
		}
		rc = ns_mdb_err(rc);
		if (!rc && k.mv_size == XKEY_LEN &&
		    (((uint8_t *)k.mv_data)[0] == 'P' ||
		     ((uint8_t *)k.mv_data)[0] == 'C'))
			rc = fn(ns, &k, &v, arg);
	}
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}

static int relock_one(struct ns *ns, const MDB_val *k, const MDB_val *v,
		      void *arg)
{
	unsigned env;
	(void)arg;
	if (((uint8_t *)k->mv_data)[0] != 'P')
		return 0;
	if (v->mv_size < 4 ||
	    rec_check(ns, (uint8_t *)v->mv_data + 4, v->mv_size - 4, &env))
		return -EIO;
	return rec_lock(ns, (uint8_t *)v->mv_data + 4, v->mv_size - 4,
			ns_get_be64((uint8_t *)k->mv_data + 1), 1);
}

int ns_xlocks_open(struct ns *ns)
{
	struct ns_xlocks *xl = calloc(1, sizeof *xl);
	int rc = 0;

	if (!xl)
		return -ENOMEM;
	pthread_mutex_init(&xl->mu, NULL);
	ns->xl = xl;
	for (unsigned e = 0; !rc && e < ns->nenvs; e++)
		rc = env_records(ns, e, relock_one, NULL);
	return rc;
}

void ns_xlocks_free(struct ns *ns)
{
	if (!ns->xl)
		return;
	pthread_mutex_destroy(&ns->xl->mu);
	free(ns->xl->v);
	free(ns->xl->live);
	free(ns->xl);
	ns->xl = NULL;
}

struct list_ctx {
	struct ns_xtx_rec *out;
	size_t max, n;
};

static int list_one(struct ns *ns, const MDB_val *k, const MDB_val *v,
		    void *arg)
{
	struct list_ctx *c = arg;
	const uint8_t *p = v->mv_data;
	struct ns_xtx_rec *r;
	(void)ns;

	if (c->n >= c->max)
		return 0;
	if (v->mv_size < 4)
		return -EIO;
	r = &c->out[c->n++];
	memset(r, 0, sizeof *r);
	r->txid = ns_get_be64((uint8_t *)k->mv_data + 1);
	r->committed = ((uint8_t *)k->mv_data)[0] == 'C';
	if (!r->committed) {
		r->coord = ns_get_le32(p);
		return 0;
	}
	r->nnodes = ns_get_le32(p);
	if (v->mv_size < 4 + 4 * r->nnodes)
		return -EIO;
	for (size_t i = 0; i < r->nnodes && i < 16; i++)
		r->nodes[i] = ns_get_le32(p + 4 + 4 * i);
	return 0;
}

int ns_xtx_list(struct ns *ns, struct ns_xtx_rec *out, size_t max, size_t *n)
{
	struct list_ctx c = { out, max, 0 };
	int rc = 0;

	for (unsigned e = 0; !rc && e < ns->nenvs; e++)
		if (!ns->owned || ns->owned[e])
			rc = env_records(ns, e, list_one, &c);
	*n = c.n;
	return rc;
}
