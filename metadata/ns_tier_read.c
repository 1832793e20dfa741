/*
 * metadata/ns_tier_read.c — reading the object tier's records and
 * forgetting the delete and release records once done (ns_tier.h). The
 * record formats are ns_tier.c's; the helpers they share are declared in
 * ns_tier_rec.h.
 */
#include <errno.h>
#include <string.h>

#include "ns_internal.h"
#include "ns_tier.h"
#include "ns_tier_rec.h"

/* The job ('J', OUT a struct ns_tier_job) or object ('O', a struct
 * ns_tier_obj) record of FILEID, read committed (or as the caller's batch
 * sees it). */
static int rec_read(struct ns *ns, char kind, uint64_t fileid, void *out)
{
	unsigned s = ns_fileid_shard(fileid);
	uint8_t k[NS_TIER_KEY_MAX];
	MDB_val key = { .mv_data = k }, v;
	MDB_txn *txn;
	int rc;

	if (s >= ns->nshards)
		return -ENOENT;
	key.mv_size = ns_tier_key_file(k, kind, fileid);
	rc = ns_rtxn_begin(ns, s, &txn);
	if (rc)
		return rc;
	rc = ns_mdb_err(mdb_get(txn, ns->shard[s].dbi[NS_DB_TIER], &key, &v));
	if (!rc)
		rc = kind == 'J' ? ns_tier_job_decode(fileid, &v, out)
				 : ns_tier_obj_decode(fileid, &v, out);
	mdb_txn_abort(txn);
	return rc;
}

int ns_tier_job_get(struct ns *ns, uint64_t fileid, struct ns_tier_job *job)
{
	return rec_read(ns, 'J', fileid, job);
}

int ns_tier_obj_get(struct ns *ns, uint64_t fileid, struct ns_tier_obj *obj)
{
	return rec_read(ns, 'O', fileid, obj);
}

/* ---- lists -------------------------------------------------------------- */

/* Decode one record (key K, value V) into slot I of the caller's array. */
typedef int (*rec_take)(void *v, size_t i, const MDB_val *k,
			const MDB_val *val);

struct walk {
	char kind;
	const uint8_t *after; /* key to start after, or NULL */
	size_t after_len;
	rec_take take;
	void *v;
	size_t max, n;
};

/* Collect records of W's kind on shard S, after W->after if it is there. */
static int walk_shard(struct ns *ns, unsigned s, struct walk *w)
{
	uint8_t start = (uint8_t)w->kind;
	MDB_val k = { .mv_size = 1, .mv_data = &start }, v;
	MDB_cursor *cur;
	MDB_txn *txn;
	int rc = ns_rtxn_begin(ns, s, &txn), op = MDB_SET_RANGE;

	if (rc)
		return rc;
	rc = ns_mdb_err(mdb_cursor_open(txn, ns->shard[s].dbi[NS_DB_TIER],
					&cur));
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	if (w->after) {
		k.mv_size = w->after_len;
		k.mv_data = (void *)w->after;
	}
	for (; !rc && w->n < w->max && !mdb_cursor_get(cur, &k, &v, op);
	     op = MDB_NEXT) {
		const uint8_t *kb = k.mv_data;

		if (k.mv_size < 9 || kb[0] != (uint8_t)w->kind)
			break;
		if (w->after && k.mv_size == w->after_len &&
		    !memcmp(kb, w->after, w->after_len))
			continue;
		rc = w->take(w->v, w->n, &k, &v);
		w->n += !rc;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}

/* The shard of the record after which W starts (0 without one). */
static unsigned walk_first_shard(const struct walk *w)
{
	return w->after ? ns_fileid_shard(ns_get_be64(w->after + 1)) : 0;
}

static int walk_all(struct ns *ns, struct walk *w, size_t *n)
{
	int rc = 0;

	for (unsigned s = walk_first_shard(w); !rc && s < ns->nshards &&
					       w->n < w->max; s++) {
		/* Another node's partition: its records are its tier's
		 * (decision 0037). */
		if (ns_shard_owned(ns, s))
			rc = walk_shard(ns, s, w);
		w->after = NULL; /* later shards from their start */
	}
	*n = w->n;
	return rc;
}

static int take_job(void *v, size_t i, const MDB_val *k, const MDB_val *val)
{
	struct ns_tier_job *jobs = v;

	return ns_tier_job_decode(ns_get_be64((const uint8_t *)k->mv_data + 1),
				  val, &jobs[i]);
}

static int take_obj(void *v, size_t i, const MDB_val *k, const MDB_val *val)
{
	struct ns_tier_obj *objs = v;

	return ns_tier_obj_decode(ns_get_be64((const uint8_t *)k->mv_data + 1),
				  val, &objs[i]);
}

static int take_del(void *v, size_t i, const MDB_val *k, const MDB_val *val)
{
	struct ns_tier_obj *objs = v;

	(void)val;
	return ns_tier_key_del_decode(k, &objs[i]);
}

static int take_rel(void *v, size_t i, const MDB_val *k, const MDB_val *val)
{
	struct ns_tier_rel *rels = v;
	const uint8_t *kb = k->mv_data;

	(void)val;
	if (k->mv_size != 17)
		return -EIO;
	rels[i].fileid = ns_get_be64(kb + 1);
	rels[i].data_gen = ns_get_be64(kb + 9);
	return 0;
}

/* List records of KIND after the key K (KLEN bytes; 0: from the start). */
static int list_kind(struct ns *ns, char kind, const uint8_t *k, size_t klen,
		     rec_take take, void *v, size_t max, size_t *n)
{
	struct walk w = { kind, klen ? k : NULL, klen, take, v, max, 0 };

	return walk_all(ns, &w, n);
}

int ns_tier_jobs(struct ns *ns, const struct ns_tier_job *after,
		 struct ns_tier_job *v, size_t max, size_t *n)
{
	uint8_t k[NS_TIER_KEY_MAX];
	size_t kl = after ? ns_tier_key_file(k, 'J', after->fileid) : 0;

	return list_kind(ns, 'J', k, kl, take_job, v, max, n);
}

int ns_tier_objs(struct ns *ns, const struct ns_tier_obj *after,
		 struct ns_tier_obj *v, size_t max, size_t *n)
{
	uint8_t k[NS_TIER_KEY_MAX];
	size_t kl = after ? ns_tier_key_file(k, 'O', after->fileid) : 0;

	return list_kind(ns, 'O', k, kl, take_obj, v, max, n);
}

int ns_tier_dels(struct ns *ns, const struct ns_tier_obj *after,
		 struct ns_tier_obj *v, size_t max, size_t *n)
{
	uint8_t k[NS_TIER_KEY_MAX];
	size_t kl = after ? ns_tier_key_del(k, after) : 0;

	return list_kind(ns, 'D', k, kl, take_del, v, max, n);
}

int ns_tier_rels(struct ns *ns, const struct ns_tier_rel *after,
		 struct ns_tier_rel *v, size_t max, size_t *n)
{
	uint8_t k[NS_TIER_KEY_MAX];
	size_t kl = after ? ns_tier_key_rel(k, after) : 0;

	return list_kind(ns, 'R', k, kl, take_rel, v, max, n);
}

/* ---- forgetting done records ------------------------------------------- */

struct done_ctx {
	const void *v;
	size_t n;
	int rel; /* 1: release records, 0: delete records */
};

static int done_body(struct ns_mtx *m, void *arg)
{
	const struct done_ctx *c = arg;
	uint8_t k[NS_TIER_KEY_MAX];
	int rc = 0;

	for (size_t i = 0; !rc && i < c->n; i++) {
		const struct ns_tier_rel *r = c->rel ? c->v : NULL;
		const struct ns_tier_obj *o = c->rel ? NULL : c->v;
		uint64_t fileid = c->rel ? r[i].fileid : o[i].fileid;
		size_t kl = c->rel ? ns_tier_key_rel(k, &r[i])
				   : ns_tier_key_del(k, &o[i]);

		rc = ns_mtx_del(m, ns_fileid_shard(fileid), NS_DB_TIER, k, kl);
	}
	return rc;
}

static int done_run(struct ns *ns, const struct done_ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		uint64_t fileid =
			c->rel ? ((const struct ns_tier_rel *)c->v)[i].fileid
			       : ((const struct ns_tier_obj *)c->v)[i].fileid;

		if (ns_fileid_shard(fileid) >= ns->nshards)
			return -EINVAL;
	}
	return c->n ? ns_mtx_run(ns, done_body, (void *)c) : 0;
}

int ns_tier_del_done(struct ns *ns, const struct ns_tier_obj *v, size_t n)
{
	struct done_ctx c = { v, n, 0 };

	return done_run(ns, &c);
}

int ns_tier_rel_done(struct ns *ns, const struct ns_tier_rel *v, size_t n)
{
	struct done_ctx c = { v, n, 1 };

	return done_run(ns, &c);
}
