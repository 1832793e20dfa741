/* tiering/tier_buf.c — see tier_buf.h. */
#include "tier_buf.h"

#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_ALIGN ((size_t)2 << 20)

char *tier_buf_new(size_t size)
{
	void *p = NULL;

	if (size < HUGE_ALIGN) /* a huge page would be zeroed for nothing */
		return malloc(size ? size : 1);
	if (posix_memalign(&p, HUGE_ALIGN, size))
		return NULL;
	(void)madvise(p, size, MADV_HUGEPAGE); /* a hint */
	return p;
}
