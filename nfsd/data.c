/* nfsd/data.c — see data.h. */
#include "data.h"

#include <errno.h>
#include <string.h>

#include "cluster.h"
#include "ns.h"
#include "server.h"

ssize_t data_read(struct strata_server *srv, uint64_t fileid, uint64_t off,
		  void *buf, size_t len)
{
	ssize_t n;

	if (srv->cluster)
		return cluster_read(srv->cluster, fileid, off, buf, len);
	n = ds_store_read(srv->store, fileid, 0, off, buf, len);
	/* Bytes past the stored data but within size are a hole. */
	if (n >= 0 && (size_t)n < len)
		memset((char *)buf + n, 0, len - (size_t)n);
	return n < 0 ? n : (ssize_t)len;
}

ssize_t data_write(struct strata_server *srv, uint64_t fileid, uint64_t off,
		   const void *buf, size_t len, int stable)
{
	if (srv->cluster)
		return cluster_write(srv->cluster, fileid, off, buf, len,
				     stable);
	return ds_store_write(srv->store, fileid, 0, off, buf, len, stable);
}

int data_commit(struct strata_server *srv, uint64_t fileid)
{
	if (srv->cluster)
		return cluster_commit(srv->cluster, fileid);
	return ds_store_commit(srv->store, fileid, 0);
}

int data_truncate(struct strata_server *srv, const struct ns_inode *ino,
		  uint64_t size)
{
	if (ino->flags & NS_INO_NO_DATA)
		return 0; /* no object was ever made: nothing to cut (ns.h) */
	if (srv->cluster)
		return cluster_truncate(srv->cluster, ino->fileid, size);
	return ds_store_truncate(srv->store, ino->fileid, 0, size);
}

int data_remove(struct strata_server *srv, uint64_t fileid)
{
	if (srv->cluster)
		return cluster_remove(srv->cluster, fileid);
	return ds_store_remove(srv->store, fileid, 0);
}

int data_remove_many(struct strata_server *srv, const uint64_t *fileids,
		     size_t n)
{
	int first_err = 0;

	if (srv->cluster)
		return cluster_remove_many(srv->cluster, fileids, n);
	for (size_t i = 0; i < n; i++) {
		int rc = data_remove(srv, fileids[i]);

		if (rc < 0 && rc != -ENOENT && !first_err)
			first_err = rc;
	}
	return first_err;
}

int64_t data_space_used(struct strata_server *srv, uint64_t fileid,
			uint64_t size)
{
	int64_t used;

	/* The data servers are not asked on every GETATTR: report the
	 * logical size rounded up to 4 KiB. */
	if (srv->cluster || (srv->role & ROLE_DS))
		return (int64_t)((size + 4095) & ~(uint64_t)4095);
	used = ds_store_space_used(srv->store, fileid, 0);
	return used < 0 ? 0 : used;
}
