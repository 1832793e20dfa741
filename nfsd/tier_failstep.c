/* nfsd/tier_failstep.c — see tier_failstep.h. */
#include "tier_failstep.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"

struct fs_backend {
	struct tier_backend base; /* first: the engine's handle */
	struct tier_backend *in;
	struct tier_failstep *f;
};

struct tier_failstep {
	unsigned long exit_at; /* 0: count and log only */
	unsigned long steps;   /* of the running request */
	int active;
	const char *op;
	uint64_t fileid;
	struct fs_backend b;
	const struct tier_data_ops *data;
	void *data_arg;
	const struct tier_meta_ops *meta;
	void *meta_arg;
};

struct tier_failstep *tier_failstep_new(unsigned long exit_at)
{
	struct tier_failstep *f = calloc(1, sizeof(*f));

	if (f)
		f->exit_at = exit_at;
	return f;
}

void tier_failstep_free(struct tier_failstep *f)
{
	free(f);
}

void tier_failstep_begin(struct tier_failstep *f, const char *op,
			 uint64_t fileid)
{
	if (!f)
		return;
	f->active = 1;
	f->steps = 0;
	f->op = op;
	f->fileid = fileid;
}

void tier_failstep_end(struct tier_failstep *f)
{
	if (!f)
		return;
	f->active = 0;
	if (f->exit_at && f->exit_at == f->steps + 1) {
		log_warn("failpoint tier-step: %s of fileid %llx exiting after "
			 "its last step %lu, before the answer",
			 f->op, (unsigned long long)f->fileid, f->steps);
		_exit(137);
	}
}

/* One call through an interface: counted, logged, and the exit at N. */
static void step(struct tier_failstep *f, const char *name)
{
	if (!f->active)
		return;
	f->steps++;
	if (f->exit_at && f->steps == f->exit_at) {
		log_warn("failpoint tier-step: %s of fileid %llx exiting "
			 "before step %lu %s",
			 f->op, (unsigned long long)f->fileid, f->steps, name);
		_exit(137);
	}
	log_info("failpoint tier-step: %s of fileid %llx step %lu %s", f->op,
		 (unsigned long long)f->fileid, f->steps, name);
}

/* ---- the object store ------------------------------------------------- */

#define FB(b) ((struct fs_backend *)(b))

static int b_put(struct tier_backend *b, const char *key,
		 const struct tier_source *src, uint64_t size,
		 struct tier_obj *out, struct tier_status *st)
{
	step(FB(b)->f, "store.put");
	return FB(b)->in->ops->put(FB(b)->in, key, src, size, out, st);
}

static int b_get(struct tier_backend *b, const char *key, uint64_t off,
		 size_t len, void *buf, size_t *got, struct tier_status *st)
{
	step(FB(b)->f, "store.get");
	return FB(b)->in->ops->get(FB(b)->in, key, off, len, buf, got, st);
}

static int b_head(struct tier_backend *b, const char *key,
		  struct tier_obj *out, struct tier_status *st)
{
	step(FB(b)->f, "store.head");
	return FB(b)->in->ops->head(FB(b)->in, key, out, st);
}

static int b_del(struct tier_backend *b, const char *key,
		 struct tier_status *st)
{
	step(FB(b)->f, "store.delete");
	return FB(b)->in->ops->del(FB(b)->in, key, st);
}

static int b_list(struct tier_backend *b, const char *prefix,
		  const char *token, unsigned max, struct tier_list_page *page,
		  struct tier_status *st)
{
	step(FB(b)->f, "store.list");
	return FB(b)->in->ops->list(FB(b)->in, prefix, token, max, page, st);
}

static int b_uploads(struct tier_backend *b, const char *prefix,
		     const char *key_marker, const char *id_marker,
		     unsigned max, struct tier_list_page *page,
		     struct tier_status *st)
{
	struct tier_backend *in = FB(b)->in;

	step(FB(b)->f, "store.uploads");
	if (!in->ops->uploads)
		return 0; /* none: an empty last page */
	return in->ops->uploads(in, prefix, key_marker, id_marker, max, page,
				st);
}

static int b_abort(struct tier_backend *b, const char *key,
		   const char *upload_id, struct tier_status *st)
{
	struct tier_backend *in = FB(b)->in;

	step(FB(b)->f, "store.abort_upload");
	if (!in->ops->abort_upload)
		return -EOPNOTSUPP;
	return in->ops->abort_upload(in, key, upload_id, st);
}

/* A GET that states the object's size and etag (tier_backend.h): one
 * step, as in the backend it wraps; one without it is a head and a get,
 * two steps, as tier_get_obj() would make them. */
static int b_get_obj(struct tier_backend *b, const char *key, uint64_t off,
		     size_t len, void *buf, size_t *got, struct tier_obj *obj,
		     struct tier_status *st)
{
	struct tier_backend *in = FB(b)->in;
	int rc;

	if (in->ops->get_obj) {
		step(FB(b)->f, "store.get_obj");
		return in->ops->get_obj(in, key, off, len, buf, got, obj, st);
	}
	rc = b_head(b, key, obj, st);
	return rc == 0 ? b_get(b, key, off, len, buf, got, st) : rc;
}

/* Never called: the worker closes the backend it opened. */
static void b_close(struct tier_backend *b)
{
	(void)b;
}

static const struct tier_ops fs_backend_ops = {
	.name = "failstep",
	.put = b_put,
	.get = b_get,
	.head = b_head,
	.del = b_del,
	.list = b_list,
	.close = b_close,
	.uploads = b_uploads,
	.abort_upload = b_abort,
	.get_obj = b_get_obj,
};

/* ---- the data servers' copies ------------------------------------------ */

#define F(a) ((struct tier_failstep *)(a))

static int d_read(void *a, uint64_t fileid, uint64_t gen, uint64_t off,
		  void *buf, size_t len)
{
	step(F(a), "data.read");
	return F(a)->data->read(F(a)->data_arg, fileid, gen, off, buf, len);
}

static int d_write(void *a, uint64_t fileid, uint64_t gen, uint64_t off,
		   const void *buf, size_t len)
{
	step(F(a), "data.write");
	return F(a)->data->write(F(a)->data_arg, fileid, gen, off, buf, len);
}

static int d_sync(void *a, uint64_t fileid, uint64_t gen)
{
	step(F(a), "data.sync");
	return F(a)->data->sync(F(a)->data_arg, fileid, gen);
}

static int d_drop(void *a, uint64_t fileid, uint64_t gen)
{
	step(F(a), "data.drop");
	return F(a)->data->drop(F(a)->data_arg, fileid, gen);
}

static int d_fence(void *a, uint64_t fileid, uint64_t below)
{
	step(F(a), "data.fence");
	return F(a)->data->fence(F(a)->data_arg, fileid, below);
}

/* Counted whether or not the wrapped ops make the objects ahead (a
 * NULL create: nothing to do, the writes make them). */
static int d_create(void *a, uint64_t fileid, uint64_t gen)
{
	step(F(a), "data.create");
	if (!F(a)->data->create)
		return 0;
	return F(a)->data->create(F(a)->data_arg, fileid, gen);
}

static const struct tier_data_ops fs_data_ops = {
	d_read, d_write, d_sync, d_drop, d_fence, d_create,
};
static const struct tier_data_ops fs_data_ops_nofence = {
	d_read, d_write, d_sync, d_drop, NULL, d_create,
};

/* ---- the namespace ------------------------------------------------------ */

#define M(a) (F(a)->meta)
#define MA(a) (F(a)->meta_arg)

static int m_offload_begin(void *a, uint64_t fileid, struct ns_tier_job *job)
{
	step(F(a), "meta.offload_begin");
	return M(a)->offload_begin(MA(a), fileid, job);
}

static int m_offload_commit(void *a, const struct ns_tier_job *job,
			    const struct ns_tier_obj *obj, int *committed)
{
	step(F(a), "meta.offload_commit");
	return M(a)->offload_commit(MA(a), job, obj, committed);
}

static int m_job_abort(void *a, const struct ns_tier_job *job)
{
	step(F(a), "meta.job_abort");
	return M(a)->job_abort(MA(a), job);
}

static int m_release(void *a, uint64_t fileid, uint64_t *old_gen)
{
	step(F(a), "meta.release");
	return M(a)->release(MA(a), fileid, old_gen);
}

static int m_recall_begin(void *a, uint64_t fileid, struct ns_tier_job *job,
			  struct ns_tier_obj *obj)
{
	step(F(a), "meta.recall_begin");
	return M(a)->recall_begin(MA(a), fileid, job, obj);
}

static int m_recall_commit(void *a, const struct ns_tier_job *job)
{
	step(F(a), "meta.recall_commit");
	return M(a)->recall_commit(MA(a), job);
}

static int m_obj_get(void *a, uint64_t fileid, struct ns_tier_obj *obj)
{
	step(F(a), "meta.obj_get");
	return M(a)->obj_get(MA(a), fileid, obj);
}

static int m_objs(void *a, const struct ns_tier_obj *after,
		  struct ns_tier_obj *v, size_t max, size_t *n)
{
	step(F(a), "meta.objs");
	return M(a)->objs(MA(a), after, v, max, n);
}

static int m_jobs(void *a, const struct ns_tier_job *after,
		  struct ns_tier_job *v, size_t max, size_t *n)
{
	step(F(a), "meta.jobs");
	return M(a)->jobs(MA(a), after, v, max, n);
}

static int m_dels(void *a, const struct ns_tier_obj *after,
		  struct ns_tier_obj *v, size_t max, size_t *n)
{
	step(F(a), "meta.dels");
	return M(a)->dels(MA(a), after, v, max, n);
}

static int m_del_done(void *a, const struct ns_tier_obj *v, size_t n)
{
	step(F(a), "meta.del_done");
	return M(a)->del_done(MA(a), v, n);
}

static int m_rels(void *a, const struct ns_tier_rel *after,
		  struct ns_tier_rel *v, size_t max, size_t *n)
{
	step(F(a), "meta.rels");
	return M(a)->rels(MA(a), after, v, max, n);
}

static int m_rel_done(void *a, const struct ns_tier_rel *v, size_t n)
{
	step(F(a), "meta.rel_done");
	return M(a)->rel_done(MA(a), v, n);
}

static const struct tier_meta_ops fs_meta_ops = {
	.offload_begin = m_offload_begin,
	.offload_commit = m_offload_commit,
	.job_abort = m_job_abort,
	.release = m_release,
	.recall_begin = m_recall_begin,
	.recall_commit = m_recall_commit,
	.obj_get = m_obj_get,
	.objs = m_objs,
	.jobs = m_jobs,
	.dels = m_dels,
	.del_done = m_del_done,
	.rels = m_rels,
	.rel_done = m_rel_done,
};

void tier_failstep_wrap(struct tier_failstep *f, struct tier_engine *e)
{
	f->b.base.ops = &fs_backend_ops;
	f->b.base.log = e->backend->log;
	f->b.base.log_arg = e->backend->log_arg;
	f->b.in = e->backend;
	f->b.f = f;
	e->backend = &f->b.base;
	f->data = e->data;
	f->data_arg = e->data_arg;
	e->data = e->data->fence ? &fs_data_ops : &fs_data_ops_nofence;
	e->data_arg = f;
	f->meta = e->meta;
	f->meta_arg = e->meta_arg;
	e->meta = &fs_meta_ops;
	e->meta_arg = f;
}
