/*
 * tiering/tier_job.c — offload, release, recovery and draining
 * (tier_job.h; the recall is tier_recall.c). Each function is the
 * sequence of steps of one flow; every namespace step is one durable
 * commit (metadata/ns_tier.h), so a crash between two steps leaves what
 * the previous commit left.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tier_job_internal.h"
#include "tier_key.h"

#define LIST_BATCH 256

int tier_job_key(const struct tier_engine *e, uint64_t fileid, uint32_t gen,
		 uint64_t ver, char *key, size_t cap)
{
	struct tier_key k = { fileid, gen, ver };
	int n = tier_key_format(key, cap, e->prefix, &k);

	return n < 0 ? n : 0;
}

int tier_job_failed(const struct tier_engine *e, struct tier_status *st,
		    int rc, const char *step, uint64_t fileid)
{
	char prev[TIER_MSG_MAX / 2] = "";

	if (st && st->msg[0]) /* what the object store said, if it failed */
		snprintf(prev, sizeof prev, ": %.280s", st->msg);
	tier_report(e->backend, st, TIER_LOG_WARN, "tier %s %016llx: %s%s",
		    step, (unsigned long long)fileid, strerror(-rc), prev);
	return rc;
}

void tier_job_status_clear(struct tier_status *st)
{
	if (st)
		memset(st, 0, sizeof *st);
}

/* ---- offload ------------------------------------------------------------ */

struct copy_src {
	const struct tier_engine *e;
	const struct ns_tier_job *job;
};

static int copy_read(void *arg, uint64_t off, void *buf, size_t len)
{
	const struct copy_src *c = arg;

	return c->e->data->read(c->e->data_arg, c->job->fileid,
				c->job->data_gen, off, buf, len);
}

/* Upload JOB's object; *OBJ gets what the store holds, as its answer to
 * the upload states it (tier_backend.h tier_put: the size and etag a HEAD
 * would give, without the request). */
static int offload_upload(const struct tier_engine *e,
			  const struct ns_tier_job *job,
			  struct ns_tier_obj *obj, struct tier_status *st)
{
	struct copy_src c = { e, job };
	struct tier_source src = { copy_read, &c };
	char key[TIER_KEY_MAX];
	struct tier_obj got;
	int rc = tier_job_key(e, job->fileid, job->gen, job->ver, key,
			      sizeof key);

	if (!rc)
		rc = tier_put(e->backend, key, &src, job->size, &got, st);
	if (!rc && got.size != job->size)
		rc = -EIO; /* not the object we wrote */
	if (!rc && strlen(got.etag) >= sizeof obj->etag)
		rc = -ENAMETOOLONG; /* the inode could not hold it */
	if (rc)
		return rc;
	*obj = (struct ns_tier_obj){ .fileid = job->fileid, .gen = job->gen,
				     .ver = job->ver, .size = got.size };
	memcpy(obj->etag, got.etag, strlen(got.etag) + 1);
	return 0;
}

int tier_offload(const struct tier_engine *e, uint64_t fileid,
		 int *committed, struct tier_status *st)
{
	struct ns_tier_job job;
	struct ns_tier_obj obj;
	int rc;

	tier_job_status_clear(st);
	rc = e->meta->offload_begin(e->meta_arg, fileid, &job);

	if (rc)
		return tier_job_failed(e, st, rc, "offload begin", fileid);
	rc = offload_upload(e, &job, &obj, st);
	if (!rc)
		rc = e->meta->offload_commit(e->meta_arg, &job, &obj,
					     committed);
	if (!rc)
		return 0;
	/* The object may exist: the abort puts it on the delete list. If
	 * the abort fails too, the job stays for tier_recover(). */
	tier_job_failed(e, st, rc, "offload", fileid);
	e->meta->job_abort(e->meta_arg, &job);
	return rc;
}

/* ---- release ------------------------------------------------------------ */

int tier_job_object_there(const struct tier_engine *e,
			  const struct ns_tier_obj *obj,
			  struct tier_status *st)
{
	char key[TIER_KEY_MAX];
	struct tier_obj head;
	int rc = tier_job_key(e, obj->fileid, obj->gen, obj->ver, key,
			      sizeof key);

	if (!rc)
		rc = tier_head(e->backend, key, &head, st);
	if (!rc && (head.size != obj->size || strcmp(head.etag, obj->etag)))
		rc = -EIO;
	return rc;
}

/* Fence FILEID's copy DATA_GEN (and any older), then drop it: a layout
 * of that copy is refused before its objects start to go. */
static int fence_drop(const struct tier_engine *e, uint64_t fileid,
		      uint64_t data_gen)
{
	int rc = e->data->fence
			 ? e->data->fence(e->data_arg, fileid, data_gen + 1)
			 : 0;

	return rc ? rc : e->data->drop(e->data_arg, fileid, data_gen);
}

int tier_release(const struct tier_engine *e, uint64_t fileid,
		 struct tier_status *st)
{
	struct ns_tier_obj obj;
	struct ns_tier_rel rel = { .fileid = fileid };
	int rc;

	tier_job_status_clear(st);
	rc = e->meta->obj_get(e->meta_arg, fileid, &obj);

	if (rc == -ENOENT)
		rc = -EALREADY; /* LOCAL: nothing to release to */
	if (!rc)
		rc = tier_job_object_there(e, &obj, st);
	if (!rc)
		rc = e->meta->release(e->meta_arg, fileid, &rel.data_gen);
	if (!rc)
		rc = fence_drop(e, fileid, rel.data_gen);
	if (!rc)
		rc = e->meta->rel_done(e->meta_arg, &rel, 1);
	return rc ? tier_job_failed(e, st, rc, "release", fileid) : 0;
}

/* ---- recovery and draining ---------------------------------------------- */

int tier_recover(const struct tier_engine *e, size_t *n,
		 struct tier_status *st)
{
	struct ns_tier_job v[LIST_BATCH];
	size_t got, total = 0;
	int rc;

	/* Each abort removes its job, so the list restarts from the top. */
	do {
		rc = e->meta->jobs(e->meta_arg, NULL, v, LIST_BATCH, &got);
		for (size_t i = 0; !rc && i < got; i++)
			rc = e->meta->job_abort(e->meta_arg, &v[i]);
		total += rc ? 0 : got;
	} while (!rc && got == LIST_BATCH);
	if (n)
		*n = total;
	return rc ? tier_job_failed(e, st, rc, "recover", 0) : 0;
}

/* Delete the objects of V[0..N), forgetting those deleted. */
static int drain_dels(const struct tier_engine *e, struct ns_tier_obj *v,
		      size_t n, size_t *done, struct tier_status *st)
{
	char key[TIER_KEY_MAX];
	size_t ok = 0;
	int first = 0;

	for (size_t i = 0; i < n; i++) {
		int rc;

		if (e->keep && e->keep(e->keep_arg, v[i].fileid))
			continue; /* still open: a later drain */
		rc = tier_job_key(e, v[i].fileid, v[i].gen, v[i].ver, key,
			     sizeof key);

		if (!rc)
			rc = tier_delete(e->backend, key, st);
		if (rc && !first)
			first = rc;
		if (!rc)
			v[ok++] = v[i];
	}
	*done += ok;
	if (ok) {
		int rc = e->meta->del_done(e->meta_arg, v, ok);

		first = first ? first : rc;
	}
	return first;
}

static int drain_rels(const struct tier_engine *e, struct ns_tier_rel *v,
		      size_t n, size_t *done)
{
	size_t ok = 0;
	int first = 0;

	for (size_t i = 0; i < n; i++) {
		int rc = fence_drop(e, v[i].fileid, v[i].data_gen);

		if (rc && !first)
			first = rc;
		if (!rc)
			v[ok++] = v[i];
	}
	*done += ok;
	if (ok) {
		int rc = e->meta->rel_done(e->meta_arg, v, ok);

		first = first ? first : rc;
	}
	return first;
}

int tier_drain(const struct tier_engine *e, size_t *deleted, size_t *freed,
	       struct tier_status *st)
{
	struct ns_tier_obj dv[LIST_BATCH];
	struct ns_tier_rel rv[LIST_BATCH];
	size_t nd = 0, nf = 0, got;
	int rc, first = 0;

	/* One pass over each list: a record that fails stays for the next
	 * drain, and the walk goes on after it. */
	for (const struct ns_tier_obj *after = NULL;; after = &dv[got - 1]) {
		rc = e->meta->dels(e->meta_arg, after, dv, LIST_BATCH, &got);
		if (!rc && got)
			rc = drain_dels(e, dv, got, &nd, st);
		first = first ? first : rc;
		if (!got || got < LIST_BATCH || rc)
			break;
	}
	for (const struct ns_tier_rel *after = NULL;; after = &rv[got - 1]) {
		rc = e->meta->rels(e->meta_arg, after, rv, LIST_BATCH, &got);
		if (!rc && got)
			rc = drain_rels(e, rv, got, &nf);
		first = first ? first : rc;
		if (!got || got < LIST_BATCH || rc)
			break;
	}
	if (deleted)
		*deleted = nd;
	if (freed)
		*freed = nf;
	return first ? tier_job_failed(e, st, first, "drain", 0) : 0;
}
