/* pnfs/tier_ds.c — see tier_ds.h. */
#include "tier_ds.h"

#include <errno.h>

#include "cluster.h"

static int ds_read(void *arg, uint64_t fileid, uint64_t gen, uint64_t off,
		   void *buf, size_t len)
{
	ssize_t n = cluster_read(arg, fileid, gen, off, buf, len, 0);

	if (n == -ENOENT || n == -ENODEV || (n >= 0 && (size_t)n < len))
		return -EIO; /* a piece of the copy is missing */
	return n < 0 ? (int)n : 0;
}

static int ds_write(void *arg, uint64_t fileid, uint64_t gen, uint64_t off,
		    const void *buf, size_t len)
{
	ssize_t n = cluster_write(arg, fileid, gen, off, buf, len, 0);

	if (n == -ENOENT || (n >= 0 && (size_t)n < len)) {
		/* An object of the copy not made yet (a short count: the
		 * first missing one is after the bytes written). */
		int rc = cluster_create(arg, fileid, gen);

		if (rc < 0)
			return rc;
		n = cluster_write(arg, fileid, gen, off, buf, len, 0);
	}
	if (n >= 0 && (size_t)n < len)
		return -EIO;
	return n < 0 ? (int)n : 0;
}

/* Every object of the copy durable: the written ones, and those no write
 * reached (holes past the data, an empty file) made first. */
static int ds_sync(void *arg, uint64_t fileid, uint64_t gen)
{
	int rc = cluster_commit(arg, fileid, gen, 0);

	if (rc == -ENOENT) { /* one was never made: make them, then again */
		rc = cluster_create(arg, fileid, gen);
		if (rc == 0)
			rc = cluster_commit(arg, fileid, gen, 0);
	}
	return rc;
}

static int ds_create(void *arg, uint64_t fileid, uint64_t gen)
{
	return cluster_create(arg, fileid, gen);
}

static int ds_drop(void *arg, uint64_t fileid, uint64_t gen)
{
	return cluster_remove(arg, fileid, gen);
}

static int ds_fence(void *arg, uint64_t fileid, uint64_t below)
{
	return cluster_fence(arg, fileid, below);
}

const struct tier_data_ops tier_ds_ops = { ds_read, ds_write, ds_sync,
					   ds_drop, ds_fence, ds_create };
