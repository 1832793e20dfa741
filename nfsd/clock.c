/* nfsd/clock.c — server_now(), the lease clock. Declared in server.h. */
#include "server.h"

#include <time.h>

time_t server_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}
