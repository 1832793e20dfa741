/*
 * tiering/tier_meta_ns.c — the engine's namespace interface (tier_job.h,
 * struct tier_meta_ops) over a struct ns: each entry is the ns_tier.h call
 * of the same name, ARG being the struct ns.
 */
#include "tier_job.h"

static int m_offload_begin(void *a, uint64_t fileid, struct ns_tier_job *j)
{
	return ns_tier_offload_begin(a, fileid, j);
}

static int m_offload_commit(void *a, const struct ns_tier_job *j,
			    const struct ns_tier_obj *o, int *committed)
{
	return ns_tier_offload_commit(a, j, o, committed);
}

static int m_job_abort(void *a, const struct ns_tier_job *j)
{
	return ns_tier_job_abort(a, j);
}

static int m_release(void *a, uint64_t fileid, uint64_t *old_gen)
{
	return ns_tier_release(a, fileid, old_gen);
}

static int m_recall_begin(void *a, uint64_t fileid, struct ns_tier_job *j,
			  struct ns_tier_obj *o)
{
	return ns_tier_recall_begin(a, fileid, j, o);
}

static int m_recall_commit(void *a, const struct ns_tier_job *j)
{
	return ns_tier_recall_commit(a, j);
}

static int m_obj_get(void *a, uint64_t fileid, struct ns_tier_obj *o)
{
	return ns_tier_obj_get(a, fileid, o);
}

static int m_objs(void *a, const struct ns_tier_obj *after,
		  struct ns_tier_obj *v, size_t max, size_t *n)
{
	return ns_tier_objs(a, after, v, max, n);
}

static int m_jobs(void *a, const struct ns_tier_job *after,
		  struct ns_tier_job *v, size_t max, size_t *n)
{
	return ns_tier_jobs(a, after, v, max, n);
}

static int m_dels(void *a, const struct ns_tier_obj *after,
		  struct ns_tier_obj *v, size_t max, size_t *n)
{
	return ns_tier_dels(a, after, v, max, n);
}

static int m_del_done(void *a, const struct ns_tier_obj *v, size_t n)
{
	return ns_tier_del_done(a, v, n);
}

static int m_rels(void *a, const struct ns_tier_rel *after,
		  struct ns_tier_rel *v, size_t max, size_t *n)
{
	return ns_tier_rels(a, after, v, max, n);
}

static int m_rel_done(void *a, const struct ns_tier_rel *v, size_t n)
{
	return ns_tier_rel_done(a, v, n);
}

const struct tier_meta_ops tier_meta_ns = {
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
