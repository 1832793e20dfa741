/*
 * tools/strata-bench/nfsfile.h -- file-level operations on top of the
 * COMPOUND builders: open (with a layout when pNFS is in use), pattern
 * write, read-and-check, commit, close, and the directory operations the
 * workloads need.
 *
 * I/O goes to the data servers through the file's layout when it has one
 * (pieces split at stripe-unit boundaries), else to the MDS.  Writes are
 * UNSTABLE; nf_commit() makes them stable (COMMIT to each data-server
 * object touched, or to the MDS) and nf_close() sends LAYOUTCOMMIT,
 * LAYOUTRETURN and CLOSE in one COMPOUND.
 *
 * Every function runs on the calling lane.  Return values: 0 on success;
 * a positive nfsstat4 where the caller may want to tell "not there"
 * (NFS4ERR_NOENT) or "already there" (NFS4ERR_EXIST) from failure; -1 or
 * any other status with L->err set.  A struct nfile, once opened, is
 * read-only for nf_write/nf_read/nf_commit, so several lanes may share it.
 */
#ifndef STRATA_BENCH_NFSFILE_H
#define STRATA_BENCH_NFSFILE_H

#include <stdint.h>

#include "client.h"

enum nf_flags {
	NF_READ = 1,
	NF_WRITE = 2,
	NF_CREATE = 4,   /* UNCHECKED4 */
	NF_GUARDED = 8,  /* with NF_CREATE: GUARDED4 */
	NF_LAYOUT = 16,  /* ask for a layout (if client_pnfs()) */
};

struct nfile {
	struct fh fh;
	stateid4 open_sid;
	uint64_t key;          /* pattern_key(path) */
	int has_layout;
	struct flayout lo;
	char path[200];        /* relative to the export, for messages */
};

/* Open NAME in DIR; PATH (relative to the export) names it in messages
 * and keys its data pattern. */
int nf_open(struct lane *l, struct client *c, const struct fh *dir,
	    const char *name, const char *path, unsigned flags,
	    struct nfile *f);
/* Write the pattern to [OFF, OFF+LEN); LEN <= the client's io size. */
int nf_write(struct lane *l, struct client *c, const struct nfile *f,
	     uint64_t off, uint32_t len);
/* Read [OFF, OFF+LEN) and check it against the pattern. */
int nf_read(struct lane *l, struct client *c, const struct nfile *f,
	    uint64_t off, uint32_t len);
/* COMMIT what was written in [OFF, OFF+LEN). */
int nf_commit(struct lane *l, struct client *c, const struct nfile *f,
	      uint64_t off, uint64_t len);
/* LAYOUTCOMMIT (when END > 0 and the file has a layout), LAYOUTRETURN,
 * CLOSE.  F is released even on failure (its fh.len is then 0). */
int nf_close(struct lane *l, struct client *c, struct nfile *f, uint64_t end);

/* LOOKUP NAME in DIR: its filehandle (OUT may be NULL) and the attributes
 * in MASK (A may be NULL). */
int nf_lookup(struct lane *l, struct client *c, const struct fh *dir,
	      const char *name, const uint32_t mask[3], struct fh *out,
	      struct attrs *a);
/* RENAME FROM to TO in DIR: 0 or the NFS status. */
int nf_rename(struct lane *l, struct client *c, const struct fh *dir,
	      const char *from, const char *to);
int nf_remove(struct lane *l, struct client *c, const struct fh *dir,
	      const char *name);
/* CREATE a directory (NFS4ERR_EXIST is returned as such). */
int nf_mkdir(struct lane *l, struct client *c, const struct fh *dir,
	     const char *name, struct fh *out);

#endif
