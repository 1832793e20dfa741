/* pnfs/cluster_keeper.c — the keeper thread of pnfs/cluster.h: every
 * heartbeat it reconnects (and greets) data servers without a connection,
 * notices restarted ones, and asks each connected one CTL_INFO; the
 * answers are the data servers' health (cluster_health()). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cluster_internal.h"
#include "ctl_client.h"
#include "ctl_prot.h"
#include "log.h"

/* A data server whose last answer is older than this many heartbeats is
 * down even if its connection looks open (a hung process). */
#define STALE_BEATS 3

void cluster_health_down(struct ds_link *l)
{
	pthread_mutex_lock(&l->hlock);
	l->alive = 0;
	pthread_mutex_unlock(&l->hlock);
}

static void copy_info(struct ds_health *h, const ctl_info *in)
{
	snprintf(h->version, sizeof(h->version), "%s", in->sw_version);
	snprintf(h->listen, sizeof(h->listen), "%s", in->listen);
	snprintf(h->metrics, sizeof(h->metrics), "%s", in->metrics);
	h->start_time = in->start_time;
	h->uptime_s = in->uptime_s;
	h->store_size = in->store_size;
	h->store_avail = in->store_avail;
	h->serving = in->serving;
	h->has_info = 1;
}

/* Ask DS I (connected, link lock held in L) for CTL_INFO, within one
 * heartbeat. The call's result, for cluster_link_put(). */
static int beat(struct cluster *c, struct ds_link *l)
{
	ctl_info_res res;
	int rc;

	memset(&res, 0, sizeof(res));
	rc = ctl_call(l->conn, CTL_INFO, NULL, NULL,
		      (xdrproc_t)xdr_ctl_info_res, &res,
		      (int)c->heartbeat * 1000);
	pthread_mutex_lock(&l->hlock);
	if (rc == 0 && res.status == 0) {
		l->alive = 1;
		l->last_ok = cluster_now_s();
		copy_info(&l->info, &res.ctl_info_res_u.info);
	} else {
		l->alive = 0;
	}
	pthread_mutex_unlock(&l->hlock);
	if (rc == 0)
		xdr_free((xdrproc_t)xdr_ctl_info_res, &res);
	return rc;
}

/* One round: drop dead connections, connect (and greet) every data
 * server without one whose back-off has run out, then heartbeat each. */
static void keep_links(struct cluster *c)
{
	for (unsigned i = 0; i < c->nds; i++) {
		struct ds_link *l = &c->link[i];
		int want;

		pthread_mutex_lock(&l->lock);
		if (l->conn && ctl_dead(l->conn)) {
			/* Restarted: greet the new process (it waits for
			 * its verdict, and its store may have changed). */
			ctl_close(l->conn);
			l->conn = NULL;
			l->was_down = 1;
			l->next_try = 0;
			cluster_health_down(l);
		}
		want = l->conn || cluster_now_s() >= l->next_try;
		pthread_mutex_unlock(&l->lock);
		if (want && cluster_link_get(c, i, &l) == 0)
			cluster_link_put(l, beat(c, l));
	}
}

static void *keeper_main(void *arg)
{
	struct cluster *c = arg;
	struct timespec until;

	pthread_mutex_lock(&c->keeper_lock);
	while (!c->keeper_stop) {
		pthread_mutex_unlock(&c->keeper_lock);
		keep_links(c);
		pthread_mutex_lock(&c->keeper_lock);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += c->heartbeat;
		/* A wake-up (cluster_retry_now) or the period: another
		 * round either way. */
		if (!c->keeper_stop)
			pthread_cond_timedwait(&c->keeper_wake, &c->keeper_lock,
					       &until);
	}
	pthread_mutex_unlock(&c->keeper_lock);
	return NULL;
}

int cluster_keeper_start(struct cluster *c)
{
	pthread_condattr_t ca;
	int rc;

	pthread_mutex_init(&c->keeper_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->keeper_wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&c->keeper, NULL, keeper_main, c);
	if (rc)
		return -rc;
	c->keeper_running = 1;
	return 0;
}

void cluster_keeper_stop(struct cluster *c)
{
	if (!c->keeper_running)
		return;
	pthread_mutex_lock(&c->keeper_lock);
	c->keeper_stop = 1;
	pthread_cond_broadcast(&c->keeper_wake);
	pthread_mutex_unlock(&c->keeper_lock);
	pthread_join(c->keeper, NULL);
	c->keeper_running = 0;
	pthread_cond_destroy(&c->keeper_wake);
	pthread_mutex_destroy(&c->keeper_lock);
}

void cluster_health(struct cluster *c, unsigned i, struct ds_health *h)
{
	struct ds_link *l = &c->link[i];
	time_t now = cluster_now_s();

	memset(h, 0, sizeof(*h));
	h->seen_ago = -1;
	if (i >= c->nds) {
		h->state = CLUSTER_DS_DOWN;
		return;
	}
	pthread_mutex_lock(&l->hlock);
	*h = l->info;
	h->seen_ago = l->last_ok ? (int64_t)(now - l->last_ok) : -1;
	if (l->hquarantined)
		h->state = CLUSTER_DS_QUARANTINED;
	else if (l->alive &&
		 now - l->last_ok <= (time_t)(STALE_BEATS * c->heartbeat))
		h->state = CLUSTER_DS_UP;
	else
		h->state = CLUSTER_DS_DOWN;
	pthread_mutex_unlock(&l->hlock);
}

uint32_t cluster_heartbeat(const struct cluster *c)
{
	return c->heartbeat;
}

uint32_t cluster_device_epoch(struct cluster *c)
{
	return atomic_load(&c->dev_epoch);
}
