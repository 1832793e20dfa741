/* nfsd/tier_auto.c — see tier_auto.h. */
#include "tier_auto.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "cmap.h"
#include "layout_state.h"
#include "log.h"
#include "server.h"

struct tier_auto {
	struct strata_server *srv;
	struct tier_rule rules[TIER_RULES_MAX];
	char paths[TIER_RULES_MAX][1024];
	struct tier_policy policy;
	struct tier_heat *used, *both;
	int64_t interval, next;
	/* The fill after releases (decision 0032, "A fill from before the
	 * releases"): the files the last passes queued for release, until
	 * none is BOTH any more (or HELD_MAX_S have passed); then the
	 * monotonic second every data server's answer must be from. */
	uint64_t *held;
	size_t nheld;
	int64_t held_until, settle_at;
	/* A fill at or above the high mark was seen and none at or below
	 * the low mark since: passes go on down to the low mark. */
	int draining;
};

#define HELD_MAX_S 120 /* a release that failed holds no longer */

static int parse_rules(struct tier_auto *a, const struct strata_config *cfg)
{
	for (unsigned i = 0; i < cfg->tier_npolicy; i++) {
		const char *why = NULL;

		if (tier_rule_parse(cfg->tier_policy[i], &a->rules[i],
				    a->paths[i], sizeof(a->paths[i]),
				    &why) < 0) {
			log_err("tier_policy \"%s\": %s", cfg->tier_policy[i],
				why);
			return -EINVAL;
		}
	}
	a->policy.rules = a->rules;
	a->policy.nrules = cfg->tier_npolicy;
	a->policy.high_pct = cfg->tier_high_pct;
	a->policy.low_pct = cfg->tier_low_pct;
	return 0;
}

int tier_auto_new(struct tier_auto **out, struct strata_server *srv,
		  int64_t now)
{
	const struct strata_config *cfg = &srv->cfg;
	struct tier_auto *a;

	*out = NULL;
	if (!cfg->tier_npolicy && !cfg->tier_high_pct)
		return 0;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->srv = srv;
	if (parse_rules(a, cfg) < 0) {
		free(a);
		return -EINVAL;
	}
	a->used = tier_heat_new(now, 0);
	a->both = tier_heat_new(now, 0);
	if (!a->used || !a->both) {
		tier_auto_free(a);
		return -ENOMEM;
	}
	/* Every owner of a spread cluster releases its own files from the
	 * shared data servers (decision 0037). */
	a->policy.owners = srv->owns_all ? 1 : cmap_owners(srv->cmap);
	a->interval = cfg->tier_scan_interval ? cfg->tier_scan_interval
					      : TIER_SCAN_INTERVAL_DEFAULT;
	a->next = now + a->interval;
	log_info("tier: policy of %u rule(s), watermarks %u%%/%u%%, a pass "
		 "every %lld s", cfg->tier_npolicy, cfg->tier_high_pct,
		 cfg->tier_low_pct, (long long)a->interval);
	*out = a;
	return 0;
}

void tier_auto_free(struct tier_auto *a)
{
	if (!a)
		return;
	tier_heat_free(a->used);
	tier_heat_free(a->both);
	free(a->held);
	free(a);
}

int64_t tier_auto_wait(const struct tier_auto *a, int64_t now)
{
	return a->next > now ? a->next - now : 0;
}

/* The data servers' fill from their last heartbeat answers (capacity 0
 * when none answered: no watermark release). */
static struct tier_fill fill_of(struct strata_server *srv)
{
	struct tier_fill f = { 0, 0 };
	unsigned n = srv->cluster ? cluster_nds(srv->cluster) : 0;

	for (unsigned i = 0; i < n; i++) {
		struct ds_health h;

		cluster_health(srv->cluster, i, &h);
		if (!h.has_info || h.store_avail > h.store_size)
			continue;
		f.capacity += h.store_size;
		f.used += h.store_size - h.store_avail;
	}
	return f;
}

/* 1 when every data server that reports a fill answered at or after
 * the monotonic second AT (the clock of its heartbeats, server_now()). */
static int fill_fresh(struct strata_server *srv, int64_t at)
{
	unsigned n = srv->cluster ? cluster_nds(srv->cluster) : 0;
	int64_t now = (int64_t)server_now();

	for (unsigned i = 0; i < n; i++) {
		struct ds_health h;

		cluster_health(srv->cluster, i, &h);
		if (h.has_info && (h.seen_ago < 0 || now - h.seen_ago < at))
			return 0;
	}
	return 1;
}

/* 1 once none of the files held is BOTH any more (each released, or
 * changed, or gone), or they were held too long. */
static int releases_done(struct tier_auto *a, int64_t now)
{
	if (now >= a->held_until)
		return 1;
	for (size_t i = 0; i < a->nheld; i++) {
		struct ns_inode ino;

		if (ns_getattr(a->srv->ns, a->held[i], &ino) == 0 &&
		    ino.residency == NS_RES_BOTH)
			return 0;
	}
	return 1;
}

/*
 * The fill the pass may act on. The data servers' fill comes from their
 * heartbeat answers, so after releases it still counts the freed copies
 * until each server answers again: a pass acting on it would release (or
 * offload) more than the watermarks ask. While releases a pass queued are
 * not all done, and until every server has answered at least 2 whole
 * seconds after they were seen done (an answer then was measured after
 * the last one ended), the pass sees no fill: no watermark action, the
 * rules still apply.
 */
static struct tier_fill fill_now(struct tier_auto *a, int64_t now)
{
	struct tier_fill none = { 0, 0 };

	if (a->nheld) {
		if (!releases_done(a, now))
			return none;
		a->nheld = 0;
		a->settle_at = (int64_t)server_now() + 2;
	}
	if (a->settle_at) {
		if (!fill_fresh(a->srv, a->settle_at))
			return none;
		a->settle_at = 0;
	}
	return fill_of(a->srv);
}

static int cmp_fileid(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Remember the releases R queues (see fill_now()), each file once (a
 * pass picks a file again while its release is queued). */
static void hold(struct tier_auto *a, const struct tier_scan_result *r,
		 int64_t now)
{
	uint64_t *p;
	size_t n = 0;

	if (!r->nrelease)
		return;
	p = realloc(a->held, (a->nheld + r->nrelease) * sizeof(*p));
	if (!p) { /* no hold: the next pass may act on an older fill */
		log_warn("tier: policy pass: out of memory");
		return;
	}
	memcpy(p + a->nheld, r->release, r->nrelease * sizeof(*p));
	a->held = p;
	a->nheld += r->nrelease;
	qsort(p, a->nheld, sizeof(*p), cmp_fileid);
	for (size_t i = 0; i < a->nheld; i++)
		if (n == 0 || p[i] != p[n - 1])
			p[n++] = p[i];
	a->nheld = n;
	a->held_until = now + HELD_MAX_S;
}

/* Files only kept layouts hold (tier_scan.h): recall those layouts, so
 * a later pass finds them free, or finds them used again. */
static void recall_held(struct strata_server *srv,
			const struct tier_scan_result *r)
{
	if (!r->nrecall)
		return;
	pthread_mutex_lock(&srv->state_lock);
	for (size_t i = 0; i < r->nrecall; i++)
		(void)layout_let_go_closed(srv, r->recall[i]);
	pthread_mutex_unlock(&srv->state_lock);
}

int tier_auto_pass(struct tier_auto *a, int64_t now,
		   struct tier_scan_result *r)
{
	struct tier_policy pol = a->policy;
	struct tier_scan_ctx c = {
		.ns = a->srv->ns,
		.policy = &pol,
		.used = a->used,
		.both = a->both,
		.busy = tier_scan_busy_state,
		.arg = a->srv,
		.now = now,
	};
	int rc;

	a->next = now + a->interval;
	c.fill = fill_now(a, now);
	/* from the high mark down to the low one, across passes */
	tier_policy_hysteresis(&a->policy, &c.fill, &a->draining, &pol);
	rc = tier_scan(&c, r);
	if (rc < 0) {
		log_warn("tier: policy pass: %s", strerror(-rc));
		return rc;
	}
	if (r->noffload || r->nrelease || r->nrecall)
		log_info("tier: policy pass over %zu files: %zu to offload, "
			 "%zu to release, %zu held by closed clients' layouts "
			 "(recalled)", r->files, r->noffload, r->nrelease,
			 r->nrecall);
	recall_held(a->srv, r);
	hold(a, r, now);
	return rc;
}

void tier_auto_used(void *arg, uint64_t fileid)
{
	struct tier_auto *a = arg;

	tier_heat_touch(a->used, fileid, (int64_t)time(NULL));
}

void tier_auto_became_both(struct tier_auto *a, uint64_t fileid,
			   int64_t now)
{
	tier_heat_touch(a->both, fileid, now);
}
