/* nfsd/recovery.c — stable client records and grace. See recovery.h. */
#include "recovery.h"

#include <errno.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

#define RECOVERY_MAP_SIZE (64u << 20)

struct reclaimer {
	uint8_t *owner;
	size_t len;
	int complete;
};

struct recovery {
	MDB_env *env;
	MDB_dbi dbi;
	struct reclaimer *set; /* owners of earlier boots */
	size_t nset;
	size_t pending;        /* entries not complete */
	time_t grace_end;      /* 0: no grace period */
	time_t grace_cap;      /* extensions never go past this */
};

/* While owners of the reclaim set keep reclaiming, grace lasts at least
 * this long after their latest reclaim, up to GRACE_CAP_FACTOR times the
 * configured period (RFC 8881 §8.4.2.1 lets the server extend it). */
#define GRACE_EXTEND 5
#define GRACE_CAP_FACTOR 4

static int mdb_err(int rc)
{
	return rc == 0 ? 0 : rc == MDB_MAP_FULL ? -ENOSPC : -EIO;
}

static int load_set(struct recovery *r)
{
	MDB_txn *txn;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc = mdb_txn_begin(r->env, NULL, MDB_RDONLY, &txn);

	if (rc)
		return mdb_err(rc);
	rc = mdb_cursor_open(txn, r->dbi, &cur);
	for (int op = MDB_FIRST; rc == 0; op = MDB_NEXT) {
		struct reclaimer *n;
		rc = mdb_cursor_get(cur, &k, &v, op);
		if (rc)
			break;
		n = realloc(r->set, (r->nset + 1) * sizeof(*n));
		if (!n) {
			rc = ENOMEM;
			break;
		}
		r->set = n;
		n[r->nset].owner = malloc(k.mv_size ? k.mv_size : 1);
		if (!n[r->nset].owner) {
			rc = ENOMEM;
			break;
		}
		memcpy(n[r->nset].owner, k.mv_data, k.mv_size);
		n[r->nset].len = k.mv_size;
		n[r->nset].complete = 0;
		r->nset++;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	r->pending = r->nset;
	return rc == ENOMEM ? -ENOMEM : mdb_err(rc);
}

int recovery_open(struct recovery **out, const char *dir, unsigned grace,
		  time_t now)
{
	struct recovery *r = calloc(1, sizeof(*r));
	MDB_txn *txn;
	int rc;

	if (!r)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		free(r);
		return -errno;
	}
	rc = mdb_env_create(&r->env);
	if (!rc)
		rc = mdb_env_set_mapsize(r->env, RECOVERY_MAP_SIZE);
	if (!rc)
		rc = mdb_env_open(r->env, dir, 0, 0600);
	if (!rc)
		rc = mdb_txn_begin(r->env, NULL, 0, &txn);
	if (!rc) {
		rc = mdb_dbi_open(txn, NULL, 0, &r->dbi);
		rc = rc ? (mdb_txn_abort(txn), rc) : mdb_txn_commit(txn);
	}
	if (!rc)
		rc = load_set(r);
	else
		rc = mdb_err(rc);
	if (rc < 0) {
		recovery_close(r);
		return rc;
	}
	if (r->nset && grace) {
		r->grace_end = now + grace;
		r->grace_cap = now + (time_t)grace * GRACE_CAP_FACTOR;
	}
	if (r->grace_end)
		log_info("grace period: %zu client(s) may reclaim for %us",
			 r->nset, grace);
	*out = r;
	return 0;
}

static void free_set(struct recovery *r)
{
	for (size_t i = 0; i < r->nset; i++)
		free(r->set[i].owner);
	free(r->set);
	r->set = NULL;
	r->nset = r->pending = 0;
}

void recovery_close(struct recovery *r)
{
	if (!r)
		return;
	free_set(r);
	if (r->env)
		mdb_env_close(r->env);
	free(r);
}

static int put_del(struct recovery *r, const void *owner, size_t len,
		   int del)
{
	MDB_txn *txn;
	MDB_val k = { .mv_size = len, .mv_data = (void *)owner };
	MDB_val v = { .mv_size = 1, .mv_data = "c" };
	int rc;

	if (len == 0 || len > 511) /* LMDB's default key limit */
		return -EINVAL;
	rc = mdb_txn_begin(r->env, NULL, 0, &txn);
	if (rc)
		return mdb_err(rc);
	rc = del ? mdb_del(txn, r->dbi, &k, NULL)
		 : mdb_put(txn, r->dbi, &k, &v, 0);
	if (rc && rc != MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return mdb_err(rc);
	}
	return mdb_err(mdb_txn_commit(txn));
}

int recovery_record(struct recovery *r, const void *owner, size_t len)
{
	if (!r)
		return 0;
	return put_del(r, owner, len, 0);
}

int recovery_forget(struct recovery *r, const void *owner, size_t len)
{
	if (!r)
		return 0;
	return put_del(r, owner, len, 1);
}

/* Grace is over: owners that did not reclaim lose their claim. */
static void end_grace(struct recovery *r)
{
	for (size_t i = 0; i < r->nset; i++)
		if (!r->set[i].complete)
			recovery_forget(r, r->set[i].owner, r->set[i].len);
	log_info("grace period over (%zu client(s) did not reclaim)",
		 r->pending);
	free_set(r);
	r->grace_end = 0;
}

int recovery_in_grace(struct recovery *r, time_t now)
{
	if (!r || !r->grace_end)
		return 0;
	if (now >= r->grace_end || r->pending == 0) {
		end_grace(r);
		return 0;
	}
	return 1;
}

static void extend(struct recovery *r, time_t now)
{
	time_t want = now + GRACE_EXTEND;

	if (want > r->grace_cap)
		want = r->grace_cap;
	if (want > r->grace_end)
		r->grace_end = want;
}

static struct reclaimer *find(struct recovery *r, const void *owner,
			      size_t len)
{
	for (size_t i = 0; i < r->nset; i++)
		if (r->set[i].len == len &&
		    (len == 0 || memcmp(r->set[i].owner, owner, len) == 0))
			return &r->set[i];
	return NULL;
}

int recovery_may_reclaim(struct recovery *r, const void *owner, size_t len,
			 time_t now)
{
	struct reclaimer *e;

	if (!r)
		return 0;

	if (!recovery_in_grace(r, now))
		return 0;
	e = find(r, owner, len);
	if (!e || e->complete)
		return 0;
	extend(r, now);
	return 1;
}

int recovery_reclaim_complete(struct recovery *r, const void *owner,
			      size_t len, time_t now)
{
	struct reclaimer *e;

	if (!r)
		return 0;

	if (!r->grace_end)
		return 0;
	e = find(r, owner, len);
	if (!e)
		return 0;
	if (e->complete)
		return 1;
	e->complete = 1;
	r->pending--;
	extend(r, now);
	recovery_in_grace(r, now); /* may end grace early */
	return 0;
}

size_t recovery_pending(const struct recovery *r)
{
	return r ? r->pending : 0;
}
