/*
 * tools/strata-bench/report.h -- one line of results per workload, as
 * aligned text for people or TSV for scripts.  Main thread only.
 */
#ifndef STRATA_BENCH_REPORT_H
#define STRATA_BENCH_REPORT_H

#include <stdint.h>

#include "bench.h"
#include "hist.h"

struct result {
	const char *workload;
	const char *io_mode;       /* "pnfs", "mds", "mixed", or "-" */
	int bytes_unit;            /* throughput in MiB/s matters */
	uint64_t ops, bytes;
	double secs;
	struct hist lat;           /* per operation */
	double cpu[MAX_PIDS];      /* server CPU seconds, -1 if unknown */
};

void report_header(const struct bench_opts *o);
void report_line(const struct bench_opts *o, const struct result *r);

#endif
