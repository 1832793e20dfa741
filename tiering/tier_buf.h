/*
 * tiering/tier_buf.h — the tier's large transfer buffers (a multipart
 * part, a recall's part: 16 MiB by default).
 *
 * A fresh buffer of that size is a fresh mapping whose first touch faults
 * once per 4 KiB page; in a virtual machine those faults cost more than
 * copying the bytes (perf of `scripts/bench --tier`: docs/performance.md).
 * tier_buf_new() asks for 2 MiB pages where the kernel gives them to who
 * asks (transparent huge pages "madvise", Debian's default), so filling
 * 16 MiB faults 8 times; without them the pages are ordinary ones.
 *
 * Threads: any. Memory: the caller's; free it with free().
 */
#ifndef STRATA_TIER_BUF_H
#define STRATA_TIER_BUF_H

#include <stddef.h>

/* SIZE bytes (at least 1), aligned to 2 MiB when SIZE is 2 MiB or more
 * (a smaller buffer is a plain malloc); NULL without memory. */
char *tier_buf_new(size_t size);

#endif
