/*
 * tiering/tier_job_internal.h — helpers the engine's flows share
 * (tier_job.c: offload, release, recovery, draining; tier_recall.c:
 * recall). Private to tiering/; same threading as tier_job.h.
 */
#ifndef STRATA_TIER_JOB_INTERNAL_H
#define STRATA_TIER_JOB_INTERNAL_H

#include "tier_job.h"

#define TIER_CHUNK_DEFAULT ((size_t)4 << 20)

/* The object key of (FILEID, GEN, VER) under the engine's prefix. */
int tier_job_key(const struct tier_engine *e, uint64_t fileid, uint32_t gen,
		 uint64_t ver, char *key, size_t cap);
/* Report a failed step RC of FILEID in ST and the log; returns RC. */
int tier_job_failed(const struct tier_engine *e, struct tier_status *st,
		    int rc, const char *step, uint64_t fileid);
/* Each flow starts with an empty status, so a line is about this call. */
void tier_job_status_clear(struct tier_status *st);
/* The object OBJ names is in the store, of its recorded size and etag. */
int tier_job_object_there(const struct tier_engine *e,
			  const struct ns_tier_obj *obj,
			  struct tier_status *st);

#endif
