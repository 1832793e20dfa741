/*
 * datastore/usage.h — the bytes allocated under a directory (a `du` of a
 * server's data directory): what the test knob store_capacity reports as
 * used (nfsd/server.h, nfsd/metrics_text.c), so a test can fill a data
 * server past a watermark without filling a file system.
 *
 * Threads: any; reentrant (no global state, no chdir). Cost: one
 * fstatat() per entry of the tree; not for large stores (the knob is for
 * tests).
 */
#ifndef STRATA_DATASTORE_USAGE_H
#define STRATA_DATASTORE_USAGE_H

#include <stdint.h>

/* The blocks allocated to regular files under DIR (recursively, not
 * following symbolic links), in bytes, into *BYTES. 0 or -errno (DIR
 * unreadable); entries that vanish during the walk are skipped. */
int ds_dir_allocated(const char *dir, uint64_t *bytes);

#endif
