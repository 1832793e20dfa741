/*
 * metadata/ns_answer.c — durable answers of requests that may be sent
 * again (ns.h: ns_answer_put/get/drop). Each shard has an "answers"
 * database (ns_internal.h); a put is one mtx, so inside a batch it commits
 * with the batch's other writes or not at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ns_internal.h"

struct answer_put {
	unsigned shard;
	const void *key, *val;
	size_t klen, vlen;
};

static int answer_put_body(struct ns_mtx *m, void *arg)
{
	const struct answer_put *a = arg;

	return ns_mtx_put(m, a->shard, NS_DB_ANSWERS, a->key, a->klen, a->val,
			  a->vlen);
}

int ns_answer_put(struct ns *ns, unsigned shard, const void *key, size_t klen,
		  const void *val, size_t vlen)
{
	struct answer_put a = { shard, key, val, klen, vlen };

	if (shard >= ns->nshards || !klen || klen > NS_ANSWER_KEY_MAX ||
	    vlen > NS_ANSWER_VAL_MAX)
		return -EINVAL;
	return ns_mtx_run(ns, answer_put_body, &a);
}

/* The answer under KEY on shard S if its value starts with MATCH: 0
 * (*VAL malloc()ed), -ENOENT, -errno. */
static int answer_get_on(struct ns *ns, unsigned s, const void *key,
			 size_t klen, const void *match, size_t mlen,
			 void **val, size_t *vlen)
{
	MDB_val k = { .mv_size = klen, .mv_data = (void *)key };
	MDB_val v;
	MDB_txn *txn;
	int rc = ns_rtxn_begin(ns, s, &txn);

	if (rc)
		return rc;
	rc = ns_mdb_err(mdb_get(txn, ns->shard[s].dbi[NS_DB_ANSWERS], &k, &v));
	if (!rc && (v.mv_size < mlen || memcmp(v.mv_data, match, mlen)))
		rc = -ENOENT; /* an older answer of that key */
	if (!rc) {
		*val = malloc(v.mv_size ? v.mv_size : 1);
		if (*val) {
			memcpy(*val, v.mv_data, v.mv_size);
			*vlen = v.mv_size;
		} else {
			rc = -ENOMEM;
		}
	}
	mdb_txn_abort(txn);
	return rc;
}

int ns_answer_get(struct ns *ns, const void *key, size_t klen,
		  const void *match, size_t mlen, void **val, size_t *vlen)
{
	if (!klen || klen > NS_ANSWER_KEY_MAX || (mlen && !match))
		return -EINVAL;
	for (unsigned s = 0; s < ns->nshards; s++) {
		if (!ns_shard_owned(ns, s))
			continue;
		int rc = answer_get_on(ns, s, key, klen, match, mlen, val,
				       vlen);

		if (rc != -ENOENT)
			return rc;
	}
	return -ENOENT;
}

/* Keys collected from one shard (NS_ANSWER_KEY_MAX bytes each, with
 * their lengths). */
struct answer_keys {
	uint8_t (*key)[NS_ANSWER_KEY_MAX];
	size_t *len;
	size_t n, cap;
};

static int keys_add(struct answer_keys *ks, const MDB_val *k)
{
	if (ks->n == ks->cap) {
		size_t cap = ks->cap ? 2 * ks->cap : 8;
		void *key = realloc(ks->key, cap * sizeof(*ks->key));
		void *len;

		if (!key)
			return -ENOMEM;
		ks->key = key;
		len = realloc(ks->len, cap * sizeof(*ks->len));
		if (!len)
			return -ENOMEM;
		ks->len = len;
		ks->cap = cap;
	}
	memcpy(ks->key[ks->n], k->mv_data, k->mv_size);
	ks->len[ks->n++] = k->mv_size;
	return 0;
}

/* Collect the keys under PREFIX on shard S (as the caller's batch sees
 * them, if it has one) into KS. */
static int answer_keys_on(struct ns *ns, unsigned s, const void *prefix,
			  size_t plen, struct answer_keys *ks)
{
	MDB_val k = { .mv_size = plen, .mv_data = (void *)prefix };
	MDB_val v;
	MDB_cursor *cur;
	MDB_txn *txn;
	int rc = ns_rtxn_begin(ns, s, &txn), op;

	if (rc)
		return rc;
	rc = ns_mdb_err(
		mdb_cursor_open(txn, ns->shard[s].dbi[NS_DB_ANSWERS], &cur));
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	for (op = MDB_SET_RANGE; !rc && !mdb_cursor_get(cur, &k, &v, op);
	     op = MDB_NEXT) {
		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) ||
		    k.mv_size > NS_ANSWER_KEY_MAX)
			break;
		rc = keys_add(ks, &k);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return rc;
}

struct answer_drop {
	unsigned shard;
	const struct answer_keys *ks;
};

static int answer_drop_body(struct ns_mtx *m, void *arg)
{
	const struct answer_drop *d = arg;
	int rc = 0;

	for (size_t i = 0; !rc && i < d->ks->n; i++)
		rc = ns_mtx_del(m, d->shard, NS_DB_ANSWERS, d->ks->key[i],
				d->ks->len[i]);
	return rc;
}

int ns_answer_drop(struct ns *ns, const void *prefix, size_t plen)
{
	int rc = 0;

	if (!plen || plen > NS_ANSWER_KEY_MAX)
		return -EINVAL;
	for (unsigned s = 0; !rc && s < ns->nshards; s++) {
		struct answer_keys ks = { 0 };
		struct answer_drop d = { s, &ks };

		if (!ns_shard_owned(ns, s))
			continue;
		rc = answer_keys_on(ns, s, prefix, plen, &ks);
		if (!rc && ks.n)
			rc = ns_mtx_run(ns, answer_drop_body, &d);
		free(ks.key);
		free(ks.len);
	}
	return rc;
}
