/*
 * datastore/store.h — file bytes on local disk, one file per (fileid,
 * stripe index, data generation) (NN = low byte of the fileid, to keep
 * directories small):
 *   generation 0:  DIR/NN/<fileid, 16 hex>.<stripe, decimal>
 *   generation G:  DIR/NN/<fileid, 16 hex>.<stripe, decimal>.g<G, hex>
 * A file's data copy is named by (fileid, generation): a new copy (a
 * recall from the object tier) is written at a new generation beside the
 * old one, and each is read, synced and removed alone
 * (docs/decisions/0030-data-generations.md). Generation 0 keeps the name
 * every build before generations used, so a data directory from an older
 * build is found as it is, with no conversion: every object it holds is
 * at generation 0 (the inode's layout_gen was always 0 then).
 * Reads and writes go through io_uring
 * (docs/decisions/0010-datastore-io-uring.md).
 *
 * Ownership: ds_store_open*() returns a store owned by the caller, who
 * frees it with ds_store_close() once no other call on it is running.
 * Buffers passed to read/write stay owned by the caller; the store keeps no
 * pointer to them after the call returns.
 *
 * Thread-safety: every call except ds_store_close() may run concurrently
 * from any thread. The store keeps two pieces of shared state, each with
 * its own locks:
 *  - an fd cache: up to DS_STORE_FD_CACHE_SIZE open fds (fewer when
 *    RLIMIT_NOFILE is low) keyed by (fileid, stripe, generation), split
 *    into lock
 *    stripes by key hash. A stripe's mutex protects its hash chains, its LRU
 *    list of unreferenced entries and every entry's refcount. Each I/O takes
 *    a reference on the entry for its fd and drops it when done, so an fd in
 *    use is never closed under it; only unreferenced entries are evicted
 *    (least recently used first). Objects are opened (and, for
 *    write/truncate/create, created) and unlinked with the stripe mutex
 *    held, so the cache never holds an fd for an unlinked file that a later
 *    call could pick up: ds_store_remove() unlinks and drops the entry, and
 *    an I/O that already held the old fd finishes on it before it is closed.
 *    Only ds_store_create() (and ds_store_truncate() to 0) makes a
 *    missing object: read, write, commit and truncate to a non-zero
 *    size answer -ENOENT, so an object that was lost never silently
 *    comes back as a sparse file (docs/decisions/0019).
 *  - a pool of io_uring rings: a mutex protects the free list and the ring
 *    count. A call borrows one ring for its whole I/O (a ring is used by one
 *    thread at a time), the pool grows on demand up to a cap, and a call that
 *    finds none free at the cap (or whose ring fails) does plain
 *    pread/pwrite/fdatasync instead.
 * The library logs nothing and has no global mutable state.
 *
 * Durability: ds_store_write(..., stable=1) and ds_store_commit() return only
 * after fdatasync (an IORING_FSYNC_DATASYNC linked after the write).
 * Within an object, bytes past its end read short (the caller fills the
 * hole); a missing object is -ENOENT.
 *
 * Errors: 0 / byte counts, or a negative errno.
 */
#ifndef STRATA_DATASTORE_STORE_H
#define STRATA_DATASTORE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Open fds the cache keeps at most (split evenly over its lock stripes). */
#define DS_STORE_FD_CACHE_SIZE 1024

/* Bytes of an object's name relative to DIR, with its NUL, at most. */
#define DS_STORE_NAME_MAX 64

/* ds_store_open_opts() flags. */
#define DS_STORE_NO_URING 0x1u /* never use io_uring (tests, comparison) */

struct ds_store;

/* Creates DIR (and its 256 subdirectories) if needed. io_uring is used when
 * a ring can be set up (it may be refused, e.g. by seccomp or the
 * kernel.io_uring_disabled sysctl); otherwise every call uses
 * pread/pwrite. */
int ds_store_open(struct ds_store **out, const char *dir);
int ds_store_open_opts(struct ds_store **out, const char *dir, unsigned flags);
void ds_store_close(struct ds_store *s);

/* 1 when I/O goes through io_uring, 0 when the store fell back to (or was
 * asked for) pread/pwrite. Fixed for the store's lifetime. */
int ds_store_uring_active(struct ds_store *s);
/* Open fds in the cache right now (for tests and statistics). */
size_t ds_store_fd_cached(struct ds_store *s);

/* Every object call names one object: (FILEID, STRIPE, GEN). */

/* The object's name relative to the store's directory (see above) into
 * BUF; 0 or -ENAMETOOLONG. Pure. */
int ds_store_object_name(uint64_t fileid, uint32_t stripe, uint64_t gen,
			 char *buf, size_t len);

/* Read up to LEN bytes at OFF; returns bytes read (short at end of data),
 * -ENOENT when the object does not exist. */
ssize_t ds_store_read(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		      uint64_t gen, uint64_t off, void *buf, size_t len);
/* Write to an existing object (-ENOENT when it does not exist). */
ssize_t ds_store_write(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		       uint64_t gen, uint64_t off, const void *buf, size_t len,
		       int stable);
int ds_store_commit(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		    uint64_t gen);
/* Set the object's length; a missing object is made only for SIZE 0. */
int ds_store_truncate(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		      uint64_t gen, uint64_t size);
/* Remove this generation's object only; a missing one is 0. */
int ds_store_remove(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		    uint64_t gen);
/* Bytes allocated on disk for the object (0 if none). */
int64_t ds_store_space_used(struct ds_store *s, uint64_t fileid,
			    uint32_t stripe, uint64_t gen);
/* Create the object if missing (empty). 0 or -errno. */
int ds_store_create(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		    uint64_t gen);
/* Length of the object, or -ENOENT when it does not exist (a data
 * server's client I/O on a missing object is NFS4ERR_STALE). */
int64_t ds_store_size(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		      uint64_t gen);
/* 1 when the store holds no object at all, 0 when it holds some; -errno. */
int ds_store_empty(struct ds_store *s);
/* Filesystem totals for space_* attributes. */
int ds_store_statfs(struct ds_store *s, uint64_t *total, uint64_t *free,
		    uint64_t *avail);

#endif
