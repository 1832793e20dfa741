/*
 * tools/strata-bench/hist.h -- latency histogram: log-linear buckets over
 * nanoseconds (32 linear sub-buckets per power of two, so a percentile is
 * within about 3% of the true value), fixed size, no allocation.
 *
 * Threads: a histogram is written by one thread (its lane); merge after
 * the writers have stopped.
 */
#ifndef STRATA_BENCH_HIST_H
#define STRATA_BENCH_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 5
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t max_ns;
	uint64_t bucket[HIST_BUCKETS];
};

void hist_reset(struct hist *h);
void hist_add(struct hist *h, uint64_t ns);
void hist_merge(struct hist *into, const struct hist *from);
/* Value (ns) at quantile Q in [0,1] (the middle of its bucket, at most
 * max_ns); 0 for an empty histogram. */
uint64_t hist_quantile(const struct hist *h, double q);

#endif
