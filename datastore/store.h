/*
 * datastore/store.h — file bytes on local disk, one file per (fileid,
 * stripe index) under DIR/NN/<fileid hex>.<stripe> (NN = low byte of the
 * fileid, to keep directories small).
 *
 * Thread-safety: all calls may run concurrently from any thread; the store
 * keeps no per-file state in memory (each call opens, uses and closes; an fd
 * cache is a later optimisation behind this same interface).
 *
 * Durability: ds_store_write(..., stable=1) and ds_store_commit() return only
 * after fdatasync. A missing file reads as zeros (holes) up to any size.
 *
 * Errors: 0 / byte counts, or a negative errno.
 */
#ifndef STRATA_DATASTORE_STORE_H
#define STRATA_DATASTORE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ds_store;

int ds_store_open(struct ds_store **out, const char *dir);
void ds_store_close(struct ds_store *s);

/* Read up to LEN bytes at OFF; returns bytes read (short at end of data). */
ssize_t ds_store_read(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		      uint64_t off, void *buf, size_t len);
ssize_t ds_store_write(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		       uint64_t off, const void *buf, size_t len, int stable);
int ds_store_commit(struct ds_store *s, uint64_t fileid, uint32_t stripe);
int ds_store_truncate(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		      uint64_t size);
int ds_store_remove(struct ds_store *s, uint64_t fileid, uint32_t stripe);
/* Bytes allocated on disk for the stripe (0 if none). */
int64_t ds_store_space_used(struct ds_store *s, uint64_t fileid,
			    uint32_t stripe);
/* Create the stripe object if missing (empty). 0 or -errno. */
int ds_store_create(struct ds_store *s, uint64_t fileid, uint32_t stripe);
/* Length of the stripe object, or -ENOENT when it does not exist (a data
 * server's client I/O on a missing object is NFS4ERR_STALE). */
int64_t ds_store_size(struct ds_store *s, uint64_t fileid, uint32_t stripe);
/* Filesystem totals for space_* attributes. */
int ds_store_statfs(struct ds_store *s, uint64_t *total, uint64_t *free,
		    uint64_t *avail);

#endif
