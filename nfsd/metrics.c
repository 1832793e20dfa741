/* nfsd/metrics.c — see metrics.h. */
#include "metrics.h"

#include <time.h>

const uint64_t metrics_lat_bounds_ns[METRICS_LAT_BUCKETS] = {
	10000ull,     25000ull,     50000ull,      100000ull,
	250000ull,    500000ull,    1000000ull,    2500000ull,
	5000000ull,   10000000ull,  25000000ull,   50000000ull,
	100000000ull, 250000000ull, 500000000ull,  1000000000ull,
	2500000000ull, 10000000000ull,
};

const uint64_t metrics_batch_bounds[METRICS_BATCH_BUCKETS] = {
	1, 2, 4, 8, 16, 32, 64, 128,
};

uint64_t metrics_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void metrics_observe(struct metrics_hist *h, const uint64_t *bounds,
		     unsigned n, uint64_t v)
{
	unsigned i = 0;

	while (i < n && v > bounds[i])
		i++;
	atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum, v, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
}

/* The slot counting STATUS in O, claiming a free one; -1 when all are
 * taken by other statuses. */
static int status_slot(struct metrics_op *o, uint32_t status)
{
	uint_fast32_t want = (uint_fast32_t)status + 1;

	for (int i = 0; i < METRICS_STATUS_SLOTS; i++) {
		uint_fast32_t cur = atomic_load_explicit(&o->status[i],
							 memory_order_acquire);
		if (cur == want)
			return i;
		if (cur == 0) {
			uint_fast32_t expect = 0;
			if (atomic_compare_exchange_strong(&o->status[i],
							   &expect, want) ||
			    expect == want)
				return i;
		}
	}
	return -1;
}

void metrics_op_done(struct strata_metrics *m, uint32_t opnum,
		     uint32_t status, uint64_t ns)
{
	struct metrics_op *o = &m->op[opnum % METRICS_NOPS];
	int s = status_slot(o, status);

	if (s < 0)
		atomic_fetch_add_explicit(&o->other, 1, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&o->count[s], 1,
					  memory_order_relaxed);
	metrics_observe(&o->lat, metrics_lat_bounds_ns, METRICS_LAT_BUCKETS,
			ns);
}

uint64_t metrics_op_total(const struct strata_metrics *m, uint32_t opnum)
{
	const struct metrics_op *o = &m->op[opnum % METRICS_NOPS];
	uint64_t t = atomic_load(&o->other);

	for (int i = 0; i < METRICS_STATUS_SLOTS; i++)
		t += atomic_load(&o->count[i]);
	return t;
}
