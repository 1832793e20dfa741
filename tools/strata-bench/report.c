/*
 * tools/strata-bench/report.c -- result lines.  See report.h.
 *
 * TSV columns: label workload io conns qd ops bytes secs ops_per_s
 * mib_per_s p50_us p99_us cpu_s ops_per_cpu_s mib_per_cpu_s cpu
 * where cpu_s sums the --pid processes ("-" without --pid, "?" when /proc
 * could not be read), the per-CPU-second rates are "-" when that sum is 0
 * (below the clock tick), and cpu lists NAME=SECONDS for each process.
 */
#include "report.h"

#include <stdio.h>

#define MIB (1024.0 * 1024.0)

void report_header(const struct bench_opts *o)
{
	if (!o->tsv)
		return;
	printf("label\tworkload\tio\tconns\tqd\tops\tbytes\tsecs\tops_per_s\t"
	       "mib_per_s\tp50_us\tp99_us\tcpu_s\tops_per_cpu_s\t"
	       "mib_per_cpu_s\tcpu\n");
	fflush(stdout);
}

/* Sum of the known CPU times; *UNKNOWN set if any is missing. */
static double cpu_total(const struct bench_opts *o, const struct result *r,
			int *unknown)
{
	double t = 0;
	*unknown = 0;
	for (int i = 0; i < o->npids; i++) {
		if (r->cpu[i] < 0)
			*unknown = 1;
		else
			t += r->cpu[i];
	}
	return t;
}

static void cpu_list(const struct bench_opts *o, const struct result *r,
		     const char *sep, const char *fmt)
{
	for (int i = 0; i < o->npids; i++) {
		printf("%s%s=", i ? sep : "", o->pid_names[i]);
		if (r->cpu[i] < 0)
			printf("?");
		else
			printf(fmt, r->cpu[i]);
	}
}

static void line_tsv(const struct bench_opts *o, const struct result *r,
		     double ops_s, double mib_s, double cpu, int unknown)
{
	printf("%s\t%s\t%s\t%u\t%u\t%llu\t%llu\t%.3f\t%.1f\t%.2f\t%.0f\t%.0f\t",
	       o->label, r->workload, r->io_mode, o->client.conns, o->client.qd,
	       (unsigned long long)r->ops, (unsigned long long)r->bytes,
	       r->secs, ops_s, mib_s, hist_quantile(&r->lat, 0.50) / 1e3,
	       hist_quantile(&r->lat, 0.99) / 1e3);
	if (o->npids == 0 || unknown)
		printf("%s\t-\t-\t", o->npids ? "?" : "-");
	else if (cpu <= 0) /* less than a clock tick */
		printf("%.3f\t-\t-\t", cpu);
	else
		printf("%.3f\t%.0f\t%.2f\t", cpu, (double)r->ops / cpu,
		       (double)r->bytes / MIB / cpu);
	cpu_list(o, r, ",", "%.3f");
	printf("\n");
}

static void line_text(const struct bench_opts *o, const struct result *r,
		      double ops_s, double mib_s, double cpu, int unknown)
{
	printf("%-10s %-5s %8llu ops %9.1f MiB %7.2f s ", r->workload,
	       r->io_mode, (unsigned long long)r->ops,
	       (double)r->bytes / MIB, r->secs);
	if (r->bytes_unit)
		printf("%9.1f MiB/s %9.0f ops/s", mib_s, ops_s);
	else
		printf("%9.0f ops/s %9.1f MiB/s", ops_s, mib_s);
	printf("  p50 %7.0f us  p99 %7.0f us",
	       hist_quantile(&r->lat, 0.50) / 1e3,
	       hist_quantile(&r->lat, 0.99) / 1e3);
	if (o->npids > 0) {
		printf("  cpu ");
		cpu_list(o, r, " ", "%.2fs");
		if (!unknown && cpu > 0) {
			if (r->bytes_unit)
				printf("  %.1f MiB/cpu-s",
				       (double)r->bytes / MIB / cpu);
			else
				printf("  %.0f ops/cpu-s", (double)r->ops / cpu);
		}
	}
	printf("  [%s]\n", o->label);
}

void report_line(const struct bench_opts *o, const struct result *r)
{
	double secs = r->secs > 0 ? r->secs : 1e-9;
	double ops_s = (double)r->ops / secs;
	double mib_s = (double)r->bytes / MIB / secs;
	int unknown;
	double cpu = cpu_total(o, r, &unknown);

	if (o->tsv)
		line_tsv(o, r, ops_s, mib_s, cpu, unknown);
	else
		line_text(o, r, ops_s, mib_s, cpu, unknown);
	fflush(stdout);
}
