/*
 * nfsd/data.h — where the metadata server's READ, WRITE, COMMIT, truncate
 * and remove go: the local data store (single node) or the data servers
 * (pnfs/cluster.h) when the MDS has any. The file's size lives in the
 * namespace either way; these move bytes only.
 *
 * Errors: byte counts / 0, or -errno (-EAGAIN: a data server is
 * unreachable; NFS4ERR_DELAY to the client). Threads: any.
 */
#ifndef STRATA_NFSD_DATA_H
#define STRATA_NFSD_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ns_inode;
struct strata_server;

/* Read LEN bytes at OFF (holes read as zeros); returns bytes read. */
ssize_t data_read(struct strata_server *srv, uint64_t fileid, uint64_t off,
		  void *buf, size_t len);
ssize_t data_write(struct strata_server *srv, uint64_t fileid, uint64_t off,
		   const void *buf, size_t len, int stable);
int data_commit(struct strata_server *srv, uint64_t fileid);
/* Cut INO's data to SIZE; a file that never had objects has none to cut. */
int data_truncate(struct strata_server *srv, const struct ns_inode *ino,
		  uint64_t size);
int data_remove(struct strata_server *srv, uint64_t fileid);
/* data_remove() of N files, one call per data server; 0 or the first error
 * (every file is still tried). */
int data_remove_many(struct strata_server *srv, const uint64_t *fileids,
		     size_t n);
/* Bytes allocated for the file's data (0 if unknown). */
int64_t data_space_used(struct strata_server *srv, uint64_t fileid,
			uint64_t size);

#endif
