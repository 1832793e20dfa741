/* pnfs/ds_registry.c — see ds_registry.h. */
#include "ds_registry.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REGISTRY_MAP_SIZE (1u << 20)
#define KEY_CLUSTER "cluster"

struct ds_registry {
	MDB_env *env;
	MDB_dbi dbi;
	uint8_t cluster[DS_ID_LEN];
};

static int mdb_err(int rc)
{
	return rc == 0 ? 0 : rc == MDB_MAP_FULL ? -ENOSPC : -EIO;
}

static int get(struct ds_registry *r, const char *key,
	       uint8_t out[DS_ID_LEN])
{
	MDB_txn *txn;
	MDB_val k = { strlen(key), (void *)key }, v;
	int rc = mdb_txn_begin(r->env, NULL, MDB_RDONLY, &txn);

	if (rc)
		return mdb_err(rc);
	rc = mdb_get(txn, r->dbi, &k, &v);
	if (rc == 0 && v.mv_size == DS_ID_LEN)
		memcpy(out, v.mv_data, DS_ID_LEN);
	mdb_txn_abort(txn);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc == 0 && v.mv_size != DS_ID_LEN)
		return -EINVAL;
	return rc ? mdb_err(rc) : 1;
}

static int put(struct ds_registry *r, const char *key,
	       const uint8_t id[DS_ID_LEN])
{
	MDB_txn *txn;
	MDB_val k = { strlen(key), (void *)key };
	MDB_val v = { DS_ID_LEN, (void *)id };
	int rc = mdb_txn_begin(r->env, NULL, 0, &txn);

	if (rc)
		return mdb_err(rc);
	rc = mdb_put(txn, r->dbi, &k, &v, 0);
	if (rc) {
		mdb_txn_abort(txn);
		return mdb_err(rc);
	}
	return mdb_err(mdb_txn_commit(txn));
}

static int open_env(struct ds_registry *r, const char *dir)
{
	MDB_txn *txn;
	int rc;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	rc = mdb_env_create(&r->env);
	if (!rc)
		rc = mdb_env_set_mapsize(r->env, REGISTRY_MAP_SIZE);
	if (!rc)
		rc = mdb_env_open(r->env, dir, 0, 0600);
	if (!rc)
		rc = mdb_txn_begin(r->env, NULL, 0, &txn);
	if (!rc) {
		rc = mdb_dbi_open(txn, NULL, 0, &r->dbi);
		rc = rc ? (mdb_txn_abort(txn), rc) : mdb_txn_commit(txn);
	}
	return mdb_err(rc);
}

int ds_registry_open(struct ds_registry **out, const char *dir,
		     const uint8_t *cluster)
{
	struct ds_registry *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	rc = open_env(r, dir);
	if (rc == 0)
		rc = get(r, KEY_CLUSTER, r->cluster);
	if (rc == 0) { /* a new registry */
		if (cluster)
			memcpy(r->cluster, cluster, DS_ID_LEN);
		else
			rc = ds_id_random(r->cluster);
		if (rc == 0)
			rc = put(r, KEY_CLUSTER, r->cluster);
	}
	if (rc < 0) {
		ds_registry_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

void ds_registry_close(struct ds_registry *r)
{
	if (!r)
		return;
	if (r->env)
		mdb_env_close(r->env);
	free(r);
}

void ds_registry_cluster(const struct ds_registry *r, uint8_t out[DS_ID_LEN])
{
	memcpy(out, r->cluster, DS_ID_LEN);
}

int ds_registry_get(struct ds_registry *r, uint32_t slot,
		    uint8_t id[DS_ID_LEN])
{
	char key[32];

	snprintf(key, sizeof(key), "slot.%u", slot);
	return get(r, key, id);
}

int ds_registry_set(struct ds_registry *r, uint32_t slot,
		    const uint8_t id[DS_ID_LEN])
{
	char key[32];

	snprintf(key, sizeof(key), "slot.%u", slot);
	return put(r, key, id);
}
