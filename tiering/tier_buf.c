/* tiering/tier_buf.c — see tier_buf.h. */
#include "tier_buf.h"

#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_ALIGN ((size_t)2 << 20)

char *tier_buf_new(size_t size)
{
	void *p = NULL;

	if (posix_memalign(&p, HUGE_ALIGN, size ? size : 1))
		return NULL;
	(void)madvise(p, size ? size : 1, MADV_HUGEPAGE); /* a hint */
	return p;
}
