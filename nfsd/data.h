/*
 * nfsd/data.h — where the metadata server's READ, WRITE, COMMIT, truncate
 * and remove go: the local data store (single node) or the data servers
 * (pnfs/cluster.h) when the MDS has any. The file's size lives in the
 * namespace either way; these move bytes only.
 *
 * Missing objects (docs/decisions/0019). A file's data objects (one per
 * stripe index, or the local store's one object) are made by
 * data_place() and nothing else: reads and writes never create one. What
 * a missing object means comes from the inode's placement flags
 * (metadata/ns.h, ns_inode_flags) through data_missing_means():
 *   - NO_DATA: no object was ever made: the whole file reads as zeros and
 *     nobody is asked;
 *   - unsure (neither flag: a record from before the flags, or a placement
 *     that failed part way): a missing object is a hole;
 *   - DATA_PLACED: every object was made, so a missing one was lost (a
 *     wiped or replaced disk), and so is an object on a quarantined data
 *     server (pnfs/ds_ident.h): an I/O error, never zeros.
 *
 * Data generations (docs/decisions/0030): the calls that take the inode
 * use its current copy, at ino->layout_gen; the others name the
 * generation (GEN); data_place_many() works on generation 0, the one
 * every new file is made with, and data_remove_many() on GENS[i] (the
 * reclaim of removed files at the generation of their last unlink).
 *
 * Errors: byte counts / 0, or -errno: -EIO for lost data (counted in
 * srv->counters.data_lost and logged), -EAGAIN when a data server is
 * unreachable (NFS4ERR_DELAY to the client). Threads: any.
 */
#ifndef STRATA_NFSD_DATA_H
#define STRATA_NFSD_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ns_inode;
struct strata_server;

enum data_missing {
	DATA_MISSING_NOTHING = 0, /* no object was ever made */
	DATA_MISSING_HOLE = 1,    /* a missing object is a hole */
	DATA_MISSING_LOST = 2,    /* a missing object lost its bytes */
};

/* What a missing object of INO means (above); pure. */
enum data_missing data_missing_means(const struct ns_inode *ino);

/* The size INO's data has on the data servers: its size, or more when a
 * client wrote past it through a layout and has not sent LAYOUTCOMMIT yet
 * (the size the largest stripe object implies, docs/decisions/0007). Asks
 * every data server (blocking); INO's size when there are none or one
 * does not answer. */
uint64_t data_written_size(struct strata_server *srv,
			   const struct ns_inode *ino);

/* Read LEN bytes of INO at OFF (the caller clamps to the size); holes read
 * as zeros. Returns LEN, or fewer when lost data follows the first bytes
 * (a short read: the client asks again from there), or -EIO when the
 * range starts in lost data. */
ssize_t data_read(struct strata_server *srv, const struct ns_inode *ino,
		  uint64_t off, void *buf, size_t len);
/* Write to INO's objects, which must have been placed (data_place()):
 * a missing object is lost data (-EIO, or a short count after some
 * bytes). */
ssize_t data_write(struct strata_server *srv, const struct ns_inode *ino,
		   uint64_t off, const void *buf, size_t len, int stable);
int data_commit(struct strata_server *srv, const struct ns_inode *ino);
/* Cut INO's data to SIZE; a file that never had objects has none to cut.
 * An object that was lost and must hold bytes below SIZE: -EIO (one that
 * is cut to nothing is made again, empty). */
int data_truncate(struct strata_server *srv, const struct ns_inode *ino,
		  uint64_t size);
/* Make FILEID's data objects, empty, where they are missing (all stripe
 * objects, or the local object): 0 once all exist. The caller records
 * the outcome with inode_mark_data() (nfsd/state/orphan.h). */
int data_place(struct strata_server *srv, uint64_t fileid, uint64_t gen);
/* data_place() of N files, one call per data server; 0 or the first
 * error (then some files may be placed and some not: place them one by
 * one to know which). */
int data_place_many(struct strata_server *srv, const uint64_t *fileids,
		    size_t n);
int data_remove(struct strata_server *srv, uint64_t fileid, uint64_t gen);
/* data_remove() of N files, FILEIDS[i] at generation GENS[i], one call
 * per data server; 0 or the first error (every file is still tried). */
int data_remove_many(struct strata_server *srv, const uint64_t *fileids,
		     const uint64_t *gens, size_t n);
/* Bytes allocated for the file's data (0 if unknown). */
int64_t data_space_used(struct strata_server *srv, uint64_t fileid,
			uint64_t gen, uint64_t size);

#endif
