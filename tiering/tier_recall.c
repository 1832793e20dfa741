/*
 * tiering/tier_recall.c — the recall (OFFLOADED -> BOTH) by parts, and
 * reads of a recall's parts while it runs (tier_job.h, tier_parts.h;
 * docs/decisions/0035-recall-by-parts.md).
 *
 * A part is the engine's chunk: one ranged GET into one buffer, written
 * to the new copy. With a part map (e->parts) the recall publishes
 * itself there, fetches the parts in the order the map gives (parts
 * readers wait for first) and marks each one in once its write
 * returned; without one it fetches them in order and publishes nothing.
 * One buffer of one part per recall: the worker pool's thread count
 * bounds the memory and the requests in flight.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tier_buf.h"
#include "tier_job_internal.h"
#include "tier_key.h"

/* What one recall moves: its job, the object, the key, the part size. */
struct recall {
	const struct tier_engine *e;
	const struct ns_tier_job *job;
	const struct ns_tier_obj *obj;
	const char *key;
	uint64_t part;
	int verified; /* a GET's answer stated the recorded size and etag */
};

/* Fetch part IDX into BUF and write it to the new copy. The first GET
 * (of whichever part) checks the object is the one recorded, before
 * anything is written. */
static int part_copy(struct recall *r, uint64_t idx, uint8_t *buf,
		     struct tier_status *st)
{
	const struct tier_engine *e = r->e;
	uint64_t off = idx * r->part;
	size_t want = (size_t)(r->job->size - off < r->part
				       ? r->job->size - off
				       : r->part),
	       got = 0;
	int rc;

	if (!r->verified) {
		struct tier_obj seen;

		rc = tier_get_obj(e->backend, r->key, off, want, buf, &got,
				  &seen, st);
		if (!rc && (seen.size != r->obj->size ||
			    strcmp(seen.etag, r->obj->etag)))
			rc = -EIO; /* not the object recorded */
		r->verified = rc == 0;
	} else {
		rc = tier_get(e->backend, r->key, off, want, buf, &got, st);
	}
	if (!rc && got != want)
		rc = -EIO; /* the object is shorter than recorded */
	if (!rc)
		rc = e->data->write(e->data_arg, r->job->fileid,
				    r->job->data_gen, off, buf, got);
	return rc;
}

/* Copy the object into the new data copy, part by part, and sync it.
 * *REC gets the recall's record in the part map (NULL without one): the
 * caller takes it out once committed or before giving the job up. */
static int recall_copy(struct recall *r, struct tier_parts_rec **rec,
		       struct tier_status *st)
{
	const struct tier_engine *e = r->e;
	uint64_t nparts =
		r->job->size / r->part + (r->job->size % r->part != 0);
	uint8_t *buf;
	int rc = 0;

	*rec = NULL;
	if (r->job->size == 0)
		rc = tier_job_object_there(e, r->obj, st);
	else if (e->parts)
		rc = tier_parts_begin(e->parts, r->job->fileid,
				      r->job->data_gen, r->job->size, r->part,
				      rec);
	/* the copy's objects, before its writes (tier_data_ops) */
	if (!rc && e->data->create)
		rc = e->data->create(e->data_arg, r->job->fileid,
				     r->job->data_gen);
	/* a part, or the whole file when it is smaller */
	buf = rc ? NULL
		 : (uint8_t *)tier_buf_new(r->job->size < r->part
						   ? (size_t)r->job->size
						   : r->part);
	if (!rc && !buf)
		rc = -ENOMEM;
	for (uint64_t k = 0; !rc && k < nparts; k++) {
		int64_t idx = *rec ? tier_parts_next(e->parts, *rec)
				   : (int64_t)k;

		if (idx < 0)
			break; /* every part in */
		rc = part_copy(r, (uint64_t)idx, buf, st);
		if (!rc && *rec)
			tier_parts_in(e->parts, *rec, (uint64_t)idx);
	}
	free(buf);
	if (!rc)
		rc = e->data->sync(e->data_arg, r->job->fileid,
				   r->job->data_gen);
	return rc;
}

int tier_recall(const struct tier_engine *e, uint64_t fileid,
		struct tier_status *st)
{
	struct ns_tier_job job;
	struct ns_tier_obj obj;
	struct tier_parts_rec *rec = NULL;
	char key[TIER_KEY_MAX];
	struct recall r = { .e = e, .job = &job, .obj = &obj, .key = key,
			    .part = e->chunk ? e->chunk : TIER_CHUNK_DEFAULT };
	int rc;

	tier_job_status_clear(st);
	rc = e->meta->recall_begin(e->meta_arg, fileid, &job, &obj);
	if (rc)
		return tier_job_failed(e, st, rc, "recall begin", fileid);
	rc = tier_job_key(e, fileid, obj.gen, obj.ver, key, sizeof key);
	if (!rc)
		rc = recall_copy(&r, &rec, st);
	if (!rc)
		rc = e->meta->recall_commit(e->meta_arg, &job);
	/* Committed: the copy is the file's, read as such from now on.
	 * Failed: no reader may be in the partial copy once its release
	 * record lets a drain free it. */
	if (rec)
		tier_parts_end(e->parts, rec);
	if (!rc)
		return 0;
	tier_job_failed(e, st, rc, "recall", fileid);
	e->meta->job_abort(e->meta_arg, &job); /* its partial copy goes */
	return rc;
}

int tier_recall_read(const struct tier_engine *e, uint64_t fileid,
		     uint64_t off, void *buf, size_t len, size_t *n)
{
	struct tier_parts_rec *ref;
	uint64_t gen = 0, avail = 0;
	int rc = 0;

	if (!e->parts || tier_parts_want(e->parts, fileid, off, len, &gen,
					 &avail, &ref) != TIER_PARTS_IN)
		return -EAGAIN;
	if (avail)
		rc = e->data->read(e->data_arg, fileid, gen, off, buf,
				   (size_t)avail);
	tier_parts_put(e->parts, ref, rc == 0);
	if (!rc)
		*n = (size_t)avail;
	return rc;
}
