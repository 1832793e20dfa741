/* nfsd/data.c — see data.h. */
#include "data.h"

#include <errno.h>
#include <string.h>

#include "cluster.h"
#include "log.h"
#include "ns.h"
#include "server.h"

enum data_missing data_missing_means(const struct ns_inode *ino)
{
	if (ino->flags & NS_INO_DATA_PLACED)
		return DATA_MISSING_LOST;
	if (ino->flags & NS_INO_NO_DATA)
		return DATA_MISSING_NOTHING;
	return DATA_MISSING_HOLE;
}

/* An object that should be there is missing (-ENOENT) or its data server
 * is quarantined (-ENODEV): count it, say so, and make it -EIO. Other
 * errors pass. */
static int lost(struct strata_server *srv, const struct ns_inode *ino,
		const char *what, int rc)
{
	if (rc != -ENOENT && rc != -ENODEV)
		return rc;
	atomic_fetch_add(&srv->counters.data_lost, 1);
	log_warn("fileid %llx: %s refused: %s (its data was placed; "
		 "strata-fsck --scrub lists such files)",
		 (unsigned long long)ino->fileid, what,
		 rc == -ENOENT ? "a data object is missing"
			       : "a data server is quarantined");
	return -EIO;
}

/* The local store's object of a single-node MDS. */
static ssize_t local_read(struct strata_server *srv,
			  const struct ns_inode *ino, uint64_t off, void *buf,
			  size_t len)
{
	ssize_t n = ds_store_read(srv->store, ino->fileid, 0, ino->layout_gen,
				  off, buf, len);

	if (n == -ENOENT && data_missing_means(ino) == DATA_MISSING_HOLE)
		n = 0;
	if (n < 0)
		return lost(srv, ino, "READ", (int)n);
	/* Bytes past the stored data but within size are a hole. */
	if ((size_t)n < len)
		memset((char *)buf + n, 0, len - (size_t)n);
	return (ssize_t)len;
}

uint64_t data_written_size(struct strata_server *srv,
			   const struct ns_inode *ino)
{
	uint64_t size = 0;

	if (!srv->cluster || data_missing_means(ino) == DATA_MISSING_NOTHING ||
	    cluster_size(srv->cluster, ino->fileid, ino->layout_gen, &size) < 0)
		return ino->size;
	return size > ino->size ? size : ino->size;
}

ssize_t data_read(struct strata_server *srv, const struct ns_inode *ino,
		  uint64_t off, void *buf, size_t len)
{
	enum data_missing m = data_missing_means(ino);
	ssize_t n;

	if (m == DATA_MISSING_NOTHING) {
		memset(buf, 0, len);
		return (ssize_t)len;
	}
	if (!srv->cluster)
		return local_read(srv, ino, off, buf, len);
	n = cluster_read(srv->cluster, ino->fileid, ino->layout_gen, off, buf,
			 len, m == DATA_MISSING_HOLE);
	if (n >= 0 && (size_t)n < len)
		atomic_fetch_add(&srv->counters.data_lost, 1);
	return n < 0 ? lost(srv, ino, "READ", (int)n) : n;
}

ssize_t data_write(struct strata_server *srv, const struct ns_inode *ino,
		   uint64_t off, const void *buf, size_t len, int stable)
{
	ssize_t n;

	if (srv->cluster)
		n = cluster_write(srv->cluster, ino->fileid, ino->layout_gen,
				  off, buf, len, stable);
	else
		n = ds_store_write(srv->store, ino->fileid, 0, ino->layout_gen,
				   off, buf, len, stable);
	return n < 0 ? lost(srv, ino, "WRITE", (int)n) : n;
}

int data_commit(struct strata_server *srv, const struct ns_inode *ino)
{
	enum data_missing m = data_missing_means(ino);
	int rc;

	if (m == DATA_MISSING_NOTHING)
		return 0;
	if (srv->cluster)
		rc = cluster_commit(srv->cluster, ino->fileid, ino->layout_gen,
				    m == DATA_MISSING_HOLE);
	else
		rc = ds_store_commit(srv->store, ino->fileid, 0,
				     ino->layout_gen);
	if (rc == -ENOENT && m == DATA_MISSING_HOLE)
		rc = 0;
	return lost(srv, ino, "COMMIT", rc);
}

int data_truncate(struct strata_server *srv, const struct ns_inode *ino,
		  uint64_t size)
{
	enum data_missing m = data_missing_means(ino);
	int rc = 0;

	if (m == DATA_MISSING_NOTHING)
		return 0; /* no object was ever made: nothing to cut (ns.h) */
	/* Unsure: a missing object was never made, so making it is right. */
	if (m == DATA_MISSING_HOLE)
		rc = data_place(srv, ino->fileid, ino->layout_gen);
	if (rc == 0 && srv->cluster)
		rc = cluster_truncate(srv->cluster, ino->fileid,
				      ino->layout_gen, size);
	else if (rc == 0)
		rc = ds_store_truncate(srv->store, ino->fileid, 0,
				       ino->layout_gen, size);
	return lost(srv, ino, "truncate", rc);
}

int data_place(struct strata_server *srv, uint64_t fileid, uint64_t gen)
{
	if (srv->cluster)
		return cluster_create(srv->cluster, fileid, gen);
	return ds_store_create(srv->store, fileid, 0, gen);
}

int data_place_many(struct strata_server *srv, const uint64_t *fileids,
		    size_t n)
{
	int first_err = 0;

	if (srv->cluster)
		return cluster_create_many(srv->cluster, fileids, NULL, n);
	for (size_t i = 0; i < n; i++) {
		int rc = data_place(srv, fileids[i], 0);

		if (rc < 0 && !first_err)
			first_err = rc;
	}
	return first_err;
}

int data_remove(struct strata_server *srv, uint64_t fileid, uint64_t gen)
{
	if (srv->cluster)
		return cluster_remove(srv->cluster, fileid, gen);
	return ds_store_remove(srv->store, fileid, 0, gen);
}

int data_remove_many(struct strata_server *srv, const uint64_t *fileids,
		     const uint64_t *gens, size_t n)
{
	int first_err = 0;

	if (srv->cluster)
		return cluster_remove_many(srv->cluster, fileids, gens, n);
	for (size_t i = 0; i < n; i++) {
		int rc = data_remove(srv, fileids[i], gens[i]);

		if (rc < 0 && rc != -ENOENT && !first_err)
			first_err = rc;
	}
	return first_err;
}

int64_t data_space_used(struct strata_server *srv, uint64_t fileid,
			uint64_t gen, uint64_t size)
{
	int64_t used;

	/* The data servers are not asked on every GETATTR: report the
	 * logical size rounded up to 4 KiB. */
	if (srv->cluster || (srv->role & ROLE_DS))
		return (int64_t)((size + 4095) & ~(uint64_t)4095);
	used = ds_store_space_used(srv->store, fileid, 0, gen);
	return used < 0 ? 0 : used;
}
