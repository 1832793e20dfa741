/*
 * tools/strata-bench/cpu.c -- per-process CPU seconds from /proc.
 */
#include "cpu.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

double cpu_seconds(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1.0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* Field 2 (comm) may contain spaces and parentheses: skip to the
	 * last ')', then fields 3.. follow; utime and stime are 14 and 15. */
	char *p = strrchr(buf, ')');
	if (!p)
		return -1.0;
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &ut, &st) != 2)
		return -1.0;
	long tck = sysconf(_SC_CLK_TCK);
	return (double)(ut + st) / (double)(tck > 0 ? tck : 100);
}
