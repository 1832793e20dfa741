/*
 * nfsd/state/reclaim.c — see reclaim.h.
 */
#include "reclaim.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "data.h"
#include "log.h"
#include "ns.h"
#include "orphan.h"
#include "server.h"

#define RECLAIM_BATCH 256

struct reclaim {
	struct strata_server *srv;
	pthread_t thread;
	pthread_mutex_t lock; /* protects the three counters and stop */
	pthread_cond_t cond;
	unsigned long wanted; /* passes asked for (kicks) */
	unsigned long started;
	unsigned long ended;
	int stop;
};

static int held_open(struct strata_server *srv, uint64_t fileid)
{
	int held;

	pthread_mutex_lock(&srv->state_lock);
	held = orphan_find(srv, fileid) != NULL;
	pthread_mutex_unlock(&srv->state_lock);
	return held;
}

/* Free TODO's N files' data, TODO[i]'s copy at generation GENS[i] (the
 * one its last unlink named: docs/decisions/0030): all in one call per
 * data server, or, if that fails, file by file; DONE gets those freed.
 * Returns their number. */
static size_t free_data(struct strata_server *srv, const uint64_t *todo,
			const uint64_t *gens, size_t n, uint64_t *done)
{
	size_t ndone = 0;

	if (data_remove_many(srv, todo, gens, n) == 0) {
		memcpy(done, todo, n * sizeof(*done));
		return n;
	}
	for (size_t i = 0; i < n; i++) {
		int rc = data_remove(srv, todo[i], gens[i]);

		if (rc < 0 && rc != -ENOENT) {
			log_debug("reclaim fileid %llx: %d (retried later)",
				  (unsigned long long)todo[i], rc);
			continue;
		}
		done[ndone++] = todo[i];
	}
	return ndone;
}

/* Free what the list names; 1 if a full list was worked through with some
 * progress (more may be behind it: go again at once). */
static int pass(struct reclaim *r)
{
	struct strata_server *srv = r->srv;
	uint64_t ids[RECLAIM_BATCH], gens[RECLAIM_BATCH];
	uint64_t todo[RECLAIM_BATCH], tgens[RECLAIM_BATCH], done[RECLAIM_BATCH];
	size_t n = 0, ntodo = 0, ndone, left;
	int rc;

	if (ns_reclaim_list(srv->ns, ids, gens, RECLAIM_BATCH, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (held_open(srv, ids[i]))
			continue;
		tgens[ntodo] = gens[i];
		todo[ntodo++] = ids[i];
	}
	ndone = ntodo ? free_data(srv, todo, tgens, ntodo, done) : 0;
	left = n - ndone;
	rc = ns_reclaim_done(srv->ns, done, ndone); /* one commit */
	if (rc < 0) {
		log_warn("reclaim: namespace: %d", rc);
		return 0;
	}
	for (size_t i = 0; srv->cluster && i < ndone; i++)
		cluster_fence_forget(srv->cluster, done[i]); /* nothing left */
	return n == RECLAIM_BATCH && left < n;
}

static int stopping(struct reclaim *r)
{
	int stop;

	pthread_mutex_lock(&r->lock);
	stop = r->stop;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

static void *reclaim_main(void *arg)
{
	struct reclaim *r = arg;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		if (r->wanted == r->started) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += RECLAIM_RETRY_S;
			if (pthread_cond_timedwait(&r->cond, &r->lock, &until) ==
				    ETIMEDOUT &&
			    r->wanted == r->started)
				r->wanted++; /* the periodic retry */
			continue;
		}
		unsigned long mine = r->wanted;
		r->started = mine;
		pthread_mutex_unlock(&r->lock);
		while (pass(r) && !stopping(r))
			;
		pthread_mutex_lock(&r->lock);
		r->ended = mine;
		pthread_cond_broadcast(&r->cond);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int reclaim_start(struct reclaim **out, struct strata_server *srv)
{
	struct reclaim *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	r->srv = srv;
	r->wanted = 1; /* what a crash left behind */
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	rc = pthread_create(&r->thread, NULL, reclaim_main, r);
	if (rc) {
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return -rc;
	}
	*out = r;
	return 0;
}

void reclaim_kick(struct reclaim *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->wanted++;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

void reclaim_wait_idle(struct reclaim *r)
{
	unsigned long target;

	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	target = ++r->wanted;
	pthread_cond_broadcast(&r->cond);
	while (r->ended < target && !r->stop)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

void reclaim_stop(struct reclaim *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
