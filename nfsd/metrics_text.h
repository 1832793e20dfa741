/*
 * nfsd/metrics_text.h — a server's metrics in the Prometheus text
 * exposition format (version 0.0.4), every name prefixed strata_, units
 * in the name (_seconds, _bytes), counters ending _total. The names and
 * what each means are listed in docs/operations.md.
 *
 * Two steps, so the state lock is taken rarely: metrics_snap_take() copies
 * what needs srv->state_lock (client and state counts, grace) and the
 * cluster's view of its data servers; metrics_text_write() formats a snap
 * and the lock-free counters (metrics.h). The HTTP endpoint keeps a snap
 * for a second, so a flood of scrapes takes the lock once a second.
 *
 * Threads: metrics_snap_take() takes and releases srv->state_lock and
 * then the tier worker's lock (the caller must hold neither);
 * metrics_text_write() takes no lock.
 */
#ifndef STRATA_NFSD_METRICS_TEXT_H
#define STRATA_NFSD_METRICS_TEXT_H

#include <stdint.h>
#include <stdio.h>

#include "census.h"
#include "ns.h"
#include "tier_worker.h"

struct strata_server;

/* What a server says of itself besides the census: metrics, CTL_INFO. */
struct metrics_facts {
	int grace;                 /* MDS: grace period on */
	unsigned reclaim_pending;  /* MDS: clients still to reclaim */
	uint64_t store_size;       /* file system of the data directory (or
				      the test knob store_capacity) */
	uint64_t store_avail;
};

struct metrics_snap {
	struct census_totals totals;
	struct metrics_facts facts;
	int tier;                       /* an MDS with an object tier */
	struct tier_worker_stats tier_stats;
	int res_ok;                     /* res read (metadata/ns.h) */
	struct ns_res_counts res;       /* files per residency state */
};

void metrics_snap_take(struct strata_server *srv, struct metrics_snap *s);
/* Only the facts (takes srv->state_lock briefly; caller must not hold it). */
void metrics_facts_take(struct strata_server *srv, struct metrics_facts *x);

/* Write the whole page to F. 0, or -1 when F failed. */
int metrics_text_write(struct strata_server *srv,
		       const struct metrics_snap *s, FILE *f);

/* The version string the servers report (CMake's project version). */
const char *strata_version(void);

#endif
