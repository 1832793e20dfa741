/*
 * tools/strata-bench/fattr.h -- the few file attributes the benchmark asks
 * for (GETATTR masks) and a decoder for the fattr4 that comes back.
 * Pure functions, any thread.
 */
#ifndef STRATA_BENCH_FATTR_H
#define STRATA_BENCH_FATTR_H

#include <stdint.h>

#include "nfs4_prot.h"

struct attrs {
	uint32_t type;           /* nfs_ftype4 */
	uint64_t change, size, fileid;
	uint32_t mode, nlink;
	int64_t mtime_s;
	uint32_t lease;          /* seconds */
	uint64_t maxread, maxwrite;
	int files_layout;        /* fs_layout_types lists NFSV4_1_FILES */
};

/* What stat(2) on an NFS client asks for. */
extern const uint32_t ATTRS_STAT[3];
/* Type and size only. */
extern const uint32_t ATTRS_SIZE[3];
/* File system: lease time, maxread, maxwrite, fs_layout_types. */
extern const uint32_t ATTRS_FS[3];

/* Decode FA into *OUT (fields not returned stay 0).  0, or -1 if it is
 * malformed or holds an attribute this decoder does not know. */
int attrs_decode(const fattr4 *fa, struct attrs *out);

#endif
