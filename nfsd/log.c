/* nfsd/log.c — see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

int strata_log_level = LOG_INFO;

void strata_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "ERR", "WARN", "INFO", "DEBUG" };
	char line[1024];
	struct timespec ts;
	va_list ap;

	if (level > strata_log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%lld.%03ld %s %s\n", (long long)ts.tv_sec,
		ts.tv_nsec / 1000000, names[level & 3], line);
}
