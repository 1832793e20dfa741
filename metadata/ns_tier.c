/*
 * metadata/ns_tier.c — the object tier's records and residency steps
 * (ns_tier.h). Each step is one mtx (ns_mtx.c): the inode and the records
 * commit together, inside a batch with the batch.
 *
 * Database "tier" of each shard (ns_internal.h), keys by kind:
 *   'J' fileid(8 BE)                       job     (JOB_LEN bytes)
 *   'O' fileid(8 BE)                       object  (OBJ_LEN bytes)
 *   'D' fileid(8 BE) gen(4 BE) ver(8 BE)   delete  (1 + 8: format, time)
 *   'R' fileid(8 BE) data_gen(8 BE)        release (1 byte, format)
 * Values start with a format byte (1); integers little-endian.
 * Meta counter "tier_ver" of the shard: the next data version (from 1).
 */
#include <errno.h>
#include <string.h>

#include "ns_internal.h"
#include "ns_tier.h"
#include "ns_tier_rec.h"

#define REC_FORMAT 1
#define JOB_LEN (1 + 4 + 4 + 8 * 5)
#define OBJ_LEN (1 + 4 + 8 + 8 + NS_TIER_ETAG_MAX)
#define META_TIER_VER "tier_ver"

/* ---- keys and values ---------------------------------------------------- */

size_t ns_tier_key_file(uint8_t *k, char kind, uint64_t fileid)
{
	k[0] = (uint8_t)kind;
	ns_put_be64(k + 1, fileid);
	return 9;
}

size_t ns_tier_key_del(uint8_t *k, const struct ns_tier_obj *o)
{
	ns_tier_key_file(k, 'D', o->fileid);
	k[9] = (uint8_t)(o->gen >> 24);
	k[10] = (uint8_t)(o->gen >> 16);
	k[11] = (uint8_t)(o->gen >> 8);
	k[12] = (uint8_t)o->gen;
	ns_put_be64(k + 13, o->ver);
	return 21;
}

size_t ns_tier_key_rel(uint8_t *k, const struct ns_tier_rel *r)
{
	ns_tier_key_file(k, 'R', r->fileid);
	ns_put_be64(k + 9, r->data_gen);
	return 17;
}

int ns_tier_key_del_decode(const MDB_val *k, struct ns_tier_obj *o)
{
	const uint8_t *kb = k->mv_data;

	if (k->mv_size != 21 || kb[0] != 'D')
		return -EIO;
	memset(o, 0, sizeof *o);
	o->fileid = ns_get_be64(kb + 1);
	o->gen = (uint32_t)kb[9] << 24 | (uint32_t)kb[10] << 16 |
		 (uint32_t)kb[11] << 8 | kb[12];
	o->ver = ns_get_be64(kb + 13);
	return 0;
}

static void job_encode(const struct ns_tier_job *j, uint8_t *v)
{
	v[0] = REC_FORMAT;
	ns_put_le32(v + 1, j->kind);
	ns_put_le32(v + 5, j->gen);
	ns_put_le64(v + 9, j->ver);
	ns_put_le64(v + 17, j->change);
	ns_put_le64(v + 25, j->size);
	ns_put_le64(v + 33, j->data_gen);
	ns_put_le64(v + 41, (uint64_t)j->started);
}

int ns_tier_job_decode(uint64_t fileid, const MDB_val *val,
		      struct ns_tier_job *j)
{
	const uint8_t *v = val->mv_data;

	if (val->mv_size != JOB_LEN || v[0] != REC_FORMAT)
		return -EIO;
	j->fileid = fileid;
	j->kind = ns_get_le32(v + 1);
	j->gen = ns_get_le32(v + 5);
	j->ver = ns_get_le64(v + 9);
	j->change = ns_get_le64(v + 17);
	j->size = ns_get_le64(v + 25);
	j->data_gen = ns_get_le64(v + 33);
	j->started = (int64_t)ns_get_le64(v + 41);
	return 0;
}

static void obj_encode(const struct ns_tier_obj *o, uint8_t *v)
{
	v[0] = REC_FORMAT;
	ns_put_le32(v + 1, o->gen);
	ns_put_le64(v + 5, o->ver);
	ns_put_le64(v + 13, o->size);
	memset(v + 21, 0, NS_TIER_ETAG_MAX);
	memcpy(v + 21, o->etag, strnlen(o->etag, NS_TIER_ETAG_MAX - 1));
}

int ns_tier_obj_decode(uint64_t fileid, const MDB_val *val,
		      struct ns_tier_obj *o)
{
	const uint8_t *v = val->mv_data;

	if (val->mv_size != OBJ_LEN || v[0] != REC_FORMAT)
		return -EIO;
	o->fileid = fileid;
	o->gen = ns_get_le32(v + 1);
	o->ver = ns_get_le64(v + 5);
	o->size = ns_get_le64(v + 13);
	memcpy(o->etag, v + 21, NS_TIER_ETAG_MAX);
	o->etag[NS_TIER_ETAG_MAX - 1] = '\0';
	return 0;
}

/* ---- record access inside an mtx ---------------------------------------- */

static int job_load(struct ns_mtx *m, uint64_t fileid, struct ns_tier_job *j)
{
	uint8_t k[NS_TIER_KEY_MAX];
	MDB_val v;
	int rc = ns_mtx_get(m, ns_fileid_shard(fileid), NS_DB_TIER, k,
			    ns_tier_key_file(k, 'J', fileid), &v);

	return rc ? rc : ns_tier_job_decode(fileid, &v, j);
}

static int job_store(struct ns_mtx *m, const struct ns_tier_job *j)
{
	uint8_t k[NS_TIER_KEY_MAX], v[JOB_LEN];

	job_encode(j, v);
	return ns_mtx_put(m, ns_fileid_shard(j->fileid), NS_DB_TIER, k,
			  ns_tier_key_file(k, 'J', j->fileid), v, sizeof v);
}

static int rec_del(struct ns_mtx *m, char kind, uint64_t fileid)
{
	uint8_t k[NS_TIER_KEY_MAX];

	return ns_mtx_del(m, ns_fileid_shard(fileid), NS_DB_TIER, k,
			  ns_tier_key_file(k, kind, fileid));
}

static int obj_load(struct ns_mtx *m, uint64_t fileid, struct ns_tier_obj *o)
{
	uint8_t k[NS_TIER_KEY_MAX];
	MDB_val v;
	int rc = ns_mtx_get(m, ns_fileid_shard(fileid), NS_DB_TIER, k,
			    ns_tier_key_file(k, 'O', fileid), &v);

	return rc ? rc : ns_tier_obj_decode(fileid, &v, o);
}

static int obj_store(struct ns_mtx *m, const struct ns_tier_obj *o)
{
	uint8_t k[NS_TIER_KEY_MAX], v[OBJ_LEN];

	obj_encode(o, v);
	return ns_mtx_put(m, ns_fileid_shard(o->fileid), NS_DB_TIER, k,
			  ns_tier_key_file(k, 'O', o->fileid), v, sizeof v);
}

static int del_add(struct ns_mtx *m, const struct ns_tier_obj *o)
{
	uint8_t k[NS_TIER_KEY_MAX], v[9];

	v[0] = REC_FORMAT;
	ns_put_le64(v + 1, (uint64_t)ns_time_now().sec);
	return ns_mtx_put(m, ns_fileid_shard(o->fileid), NS_DB_TIER, k,
			  ns_tier_key_del(k, o), v, sizeof v);
}

static int rel_add(struct ns_mtx *m, uint64_t fileid, uint64_t data_gen)
{
	struct ns_tier_rel r = { fileid, data_gen };
	uint8_t k[NS_TIER_KEY_MAX], v = REC_FORMAT;

	return ns_mtx_put(m, ns_fileid_shard(fileid), NS_DB_TIER, k,
			  ns_tier_key_rel(k, &r), &v, 1);
}

/* No job may exist for FILEID: 0, -EBUSY, -errno. */
static int no_job(struct ns_mtx *m, uint64_t fileid)
{
	struct ns_tier_job j;
	int rc = job_load(m, fileid, &j);

	if (rc == 0)
		return -EBUSY;
	return rc == -ENOENT ? 0 : rc;
}

/* The regular file FILEID: 0, -ENOENT, -EINVAL, -errno. */
static int reg_load(struct ns_mtx *m, uint64_t fileid, struct ns_inode *ino)
{
	int rc = ns_ino_load(m, fileid, ino);

	if (!rc && ino->type != NS_REG)
		rc = -EINVAL;
	return rc;
}

/* ---- the hook of every change that drops the object ------------------- */

int ns_tier_drop_ref(struct ns_mtx *m, struct ns_inode *ino)
{
	struct ns_tier_obj o;
	int rc;

	if (ino->type != NS_REG || ino->residency == NS_RES_LOCAL)
		return 0;
	rc = obj_load(m, ino->fileid, &o);
	if (rc == 0)
		rc = del_add(m, &o);
	else if (rc == -ENOENT)
		rc = 0; /* residency set by hand (NS_SET_RESIDENCY) */
	if (!rc)
		rc = rec_del(m, 'O', ino->fileid);
	if (rc)
		return rc;
	ino->residency = NS_RES_LOCAL;
	memset(ino->object_etag, 0, sizeof ino->object_etag);
	return 0;
}

/* ---- offload ------------------------------------------------------------ */

struct step_ctx {
	uint64_t fileid;
	const struct ns_tier_job *in;
	const struct ns_tier_obj *obj;
	struct ns_tier_job *job;
	struct ns_tier_obj *obj_out;
	uint64_t *gen_out;
	int *committed;
};

static int offload_begin_body(struct ns_mtx *m, void *arg)
{
	struct step_ctx *c = arg;
	unsigned s = ns_fileid_shard(c->fileid);
	struct ns_inode ino;
	uint64_t ver = 1;
	int rc = reg_load(m, c->fileid, &ino);

	if (!rc && ino.residency != NS_RES_LOCAL)
		rc = -EALREADY;
	if (!rc)
		rc = no_job(m, c->fileid);
	if (!rc) {
		rc = ns_mtx_get_u64(m, s, META_TIER_VER, &ver);
		if (rc == -ENOENT)
			rc = 0, ver = 1;
	}
	if (!rc)
		rc = ns_mtx_put_u64(m, s, META_TIER_VER, ver + 1);
	if (rc)
		return rc;
	*c->job = (struct ns_tier_job){
		.fileid = c->fileid, .kind = NS_TIER_OFFLOAD,
		.gen = ino.generation, .ver = ver, .change = ino.change,
		.size = ino.size, .data_gen = ino.layout_gen,
		.started = ns_time_now().sec,
	};
	return job_store(m, c->job);
}

int ns_tier_offload_begin(struct ns *ns, uint64_t fileid,
			  struct ns_tier_job *job)
{
	struct step_ctx c = { .fileid = fileid, .job = job };

	if (!job || ns_fileid_shard(fileid) >= ns->nshards)
		return -EINVAL;
	return ns_mtx_run(ns, offload_begin_body, &c);
}

/* The stored job is IN (the caller's copy is not stale): 0, -ENOENT. */
static int job_is(struct ns_mtx *m, const struct ns_tier_job *in)
{
	struct ns_tier_job j;
	int rc = job_load(m, in->fileid, &j);

	if (!rc && (j.kind != in->kind || j.ver != in->ver ||
		    j.data_gen != in->data_gen || j.gen != in->gen))
		rc = -ENOENT;
	return rc;
}

/* The file is still the one offload job J read. */
static int offload_still(const struct ns_inode *ino,
			 const struct ns_tier_job *j)
{
	return ino->generation == j->gen && ino->change == j->change &&
	       ino->size == j->size && ino->residency == NS_RES_LOCAL &&
	       ino->layout_gen == j->data_gen;
}

static int offload_commit_body(struct ns_mtx *m, void *arg)
{
	struct step_ctx *c = arg;
	struct ns_inode ino;
	int rc = job_is(m, c->in), same;

	if (rc)
		return rc;
	rc = ns_ino_load(m, c->in->fileid, &ino);
	if (rc && rc != -ENOENT)
		return rc;
	same = !rc && offload_still(&ino, c->in);
	rc = rec_del(m, 'J', c->in->fileid);
	if (!rc && !same)
		rc = del_add(m, c->obj);
	if (!rc && same) {
		ino.residency = NS_RES_BOTH;
		memset(ino.object_etag, 0, sizeof ino.object_etag);
		memcpy(ino.object_etag, c->obj->etag,
		       strnlen(c->obj->etag, sizeof ino.object_etag - 1));
		rc = obj_store(m, c->obj);
		if (!rc)
			rc = ns_ino_store(m, &ino);
	}
	if (!rc)
		*c->committed = same;
	return rc;
}

int ns_tier_offload_commit(struct ns *ns, const struct ns_tier_job *job,
			   const struct ns_tier_obj *obj, int *committed)
{
	struct step_ctx c = { .in = job, .obj = obj, .committed = committed };

	if (!job || !obj || !committed || job->kind != NS_TIER_OFFLOAD ||
	    ns_fileid_shard(job->fileid) >= ns->nshards)
		return -EINVAL;
	if (obj->fileid != job->fileid || obj->gen != job->gen ||
	    obj->ver != job->ver || obj->size != job->size)
		return -EINVAL;
	if (strnlen(obj->etag, NS_TIER_ETAG_MAX) >= NS_TIER_ETAG_MAX)
		return -ENAMETOOLONG;
	return ns_mtx_run(ns, offload_commit_body, &c);
}

/* A recall given up: its generation is never used again, so the next
 * recall's copy cannot be the one the release record frees. */
static int gen_retire(struct ns_mtx *m, const struct ns_tier_job *j)
{
	struct ns_inode ino;
	int rc = reg_load(m, j->fileid, &ino);

	if (rc == -ENOENT || rc == -EINVAL)
		return 0; /* removed meanwhile */
	if (rc || ino.residency != NS_RES_OFFLOADED ||
	    ino.layout_gen + 1 != j->data_gen)
		return rc;
	ino.layout_gen = j->data_gen;
	return ns_ino_store(m, &ino);
}

static int job_abort_body(struct ns_mtx *m, void *arg)
{
	struct step_ctx *c = arg;
	const struct ns_tier_job *j = c->in;
	struct ns_tier_obj o = { .fileid = j->fileid, .gen = j->gen,
				 .ver = j->ver };
	int rc = job_is(m, j);

	if (!rc)
		rc = rec_del(m, 'J', j->fileid);
	if (!rc && j->kind == NS_TIER_OFFLOAD)
		rc = del_add(m, &o);
	if (!rc && j->kind == NS_TIER_RECALL)
		rc = rel_add(m, j->fileid, j->data_gen);
	if (!rc && j->kind == NS_TIER_RECALL)
		rc = gen_retire(m, j);
	return rc;
}

int ns_tier_job_abort(struct ns *ns, const struct ns_tier_job *job)
{
	struct step_ctx c = { .in = job };

	if (!job || ns_fileid_shard(job->fileid) >= ns->nshards)
		return -EINVAL;
	return ns_mtx_run(ns, job_abort_body, &c);
}

/* ---- release and recall ------------------------------------------------- */

static int release_body(struct ns_mtx *m, void *arg)
{
	struct step_ctx *c = arg;
	struct ns_inode ino;
	int rc = reg_load(m, c->fileid, &ino);

	if (!rc && ino.residency != NS_RES_BOTH)
		rc = -EALREADY;
	if (!rc)
		rc = no_job(m, c->fileid);
	if (!rc)
		rc = rel_add(m, c->fileid, ino.layout_gen);
	if (rc)
		return rc;
	*c->gen_out = ino.layout_gen;
	ino.residency = NS_RES_OFFLOADED;
	ino.layout_gen++;
	return ns_ino_store(m, &ino);
}

int ns_tier_release(struct ns *ns, uint64_t fileid, uint64_t *old_gen)
{
	uint64_t dummy;
	struct step_ctx c = { .fileid = fileid,
			      .gen_out = old_gen ? old_gen : &dummy };

	if (ns_fileid_shard(fileid) >= ns->nshards)
		return -EINVAL;
	return ns_mtx_run(ns, release_body, &c);
}

static int recall_begin_body(struct ns_mtx *m, void *arg)
{
	struct step_ctx *c = arg;
	struct ns_inode ino;
	int rc = reg_load(m, c->fileid, &ino);

	if (!rc && ino.residency != NS_RES_OFFLOADED)
		rc = -EALREADY;
	if (!rc)
		rc = no_job(m, c->fileid);
	if (!rc) {
		rc = obj_load(m, c->fileid, c->obj_out);
		if (rc == -ENOENT)
			rc = -EIO; /* OFFLOADED without its object */
	}
	if (rc)
		return rc;
	*c->job = (struct ns_tier_job){
		.fileid = c->fileid, .kind = NS_TIER_RECALL,
		.gen = ino.generation, .ver = c->obj_out->ver,
		.change = ino.change, .size = c->obj_out->size,
		.data_gen = ino.layout_gen + 1,
		.started = ns_time_now().sec,
	};
	return job_store(m, c->job);
}

int ns_tier_recall_begin(struct ns *ns, uint64_t fileid,
			 struct ns_tier_job *job, struct ns_tier_obj *obj)
{
	struct step_ctx c = { .fileid = fileid, .job = job, .obj_out = obj };

	if (!job || !obj || ns_fileid_shard(fileid) >= ns->nshards)
		return -EINVAL;
	return ns_mtx_run(ns, recall_begin_body, &c);
}

static int recall_commit_body(struct ns_mtx *m, void *arg)
{
	struct step_ctx *c = arg;
	struct ns_inode ino;
	int rc = job_is(m, c->in);

	if (rc)
		return rc;
	rc = reg_load(m, c->in->fileid, &ino);
	if (rc == -ENOENT || rc == -EINVAL)
		return -EALREADY; /* removed meanwhile */
	if (rc)
		return rc;
	if (ino.residency != NS_RES_OFFLOADED ||
	    ino.generation != c->in->gen ||
	    ino.layout_gen + 1 != c->in->data_gen)
		return -EALREADY;
	ino.residency = NS_RES_BOTH;
	ino.layout_gen = c->in->data_gen;
	rc = rec_del(m, 'J', c->in->fileid);
	return rc ? rc : ns_ino_store(m, &ino);
}

int ns_tier_recall_commit(struct ns *ns, const struct ns_tier_job *job)
{
	struct step_ctx c = { .in = job };

	if (!job || job->kind != NS_TIER_RECALL ||
	    ns_fileid_shard(job->fileid) >= ns->nshards)
		return -EINVAL;
	return ns_mtx_run(ns, recall_commit_body, &c);
}
