/* datastore/store.c — local-disk stripe files. Contract in store.h. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

struct ds_store {
	char dir[PATH_MAX];
	int dirfd;
};

int ds_store_open(struct ds_store **out, const char *dir)
{
	struct ds_store *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		free(s);
		return -errno;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		int e = -errno;
		free(s);
		return e;
	}
	for (int i = 0; i < 256; i++) {
		char sub[4];
		snprintf(sub, sizeof(sub), "%02x", i);
		if (mkdirat(s->dirfd, sub, 0700) < 0 && errno != EEXIST) {
			int e = -errno;
			ds_store_close(s);
			return e;
		}
	}
	*out = s;
	return 0;
}

void ds_store_close(struct ds_store *s)
{
	if (!s)
		return;
	close(s->dirfd);
	free(s);
}

static void path_of(uint64_t fileid, uint32_t stripe, char *buf, size_t len)
{
	snprintf(buf, len, "%02x/%016llx.%u", (unsigned)(fileid & 0xff),
		 (unsigned long long)fileid, stripe);
}

static int open_stripe(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		       int flags)
{
	char p[64];
	int fd;

	path_of(fileid, stripe, p, sizeof(p));
	fd = openat(s->dirfd, p, flags | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

ssize_t ds_store_read(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		      uint64_t off, void *buf, size_t len)
{
	int fd = open_stripe(s, fileid, stripe, O_RDONLY);
	size_t done = 0;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			done = 0;
			r = -errno;
			close(fd);
			return r;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	close(fd);
	return (ssize_t)done;
}

ssize_t ds_store_write(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		       uint64_t off, const void *buf, size_t len, int stable)
{
	int fd = open_stripe(s, fileid, stripe, O_WRONLY | O_CREAT);
	size_t done = 0;
	ssize_t rc;

	if (fd < 0)
		return fd;
	while (done < len) {
		ssize_t w = pwrite(fd, (const char *)buf + done, len - done,
				   (off_t)(off + done));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			close(fd);
			return rc;
		}
		done += (size_t)w;
	}
	rc = (ssize_t)done;
	if (stable && fdatasync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int ds_store_commit(struct ds_store *s, uint64_t fileid, uint32_t stripe)
{
	int fd = open_stripe(s, fileid, stripe, O_WRONLY);
	int rc = 0;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	if (fdatasync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int ds_store_truncate(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		      uint64_t size)
{
	int fd = open_stripe(s, fileid, stripe, O_WRONLY | O_CREAT);
	int rc = 0;

	if (fd < 0)
		return fd;
	if (ftruncate(fd, (off_t)size) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int ds_store_remove(struct ds_store *s, uint64_t fileid, uint32_t stripe)
{
	char p[64];

	path_of(fileid, stripe, p, sizeof(p));
	if (unlinkat(s->dirfd, p, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int64_t ds_store_space_used(struct ds_store *s, uint64_t fileid,
			    uint32_t stripe)
{
	char p[64];
	struct stat st;

	path_of(fileid, stripe, p, sizeof(p));
	if (fstatat(s->dirfd, p, &st, 0) < 0)
		return errno == ENOENT ? 0 : -errno;
	return (int64_t)st.st_blocks * 512;
}

int ds_store_statfs(struct ds_store *s, uint64_t *total, uint64_t *free,
		    uint64_t *avail)
{
	struct statvfs v;

	if (fstatvfs(s->dirfd, &v) < 0)
		return -errno;
	*total = (uint64_t)v.f_blocks * v.f_frsize;
	*free = (uint64_t)v.f_bfree * v.f_frsize;
	*avail = (uint64_t)v.f_bavail * v.f_frsize;
	return 0;
}

int ds_store_create(struct ds_store *s, uint64_t fileid, uint32_t stripe)
{
	int fd = open_stripe(s, fileid, stripe, O_WRONLY | O_CREAT);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int64_t ds_store_size(struct ds_store *s, uint64_t fileid, uint32_t stripe)
{
	char p[64];
	struct stat st;

	path_of(fileid, stripe, p, sizeof(p));
	if (fstatat(s->dirfd, p, &st, 0) < 0)
		return -errno;
	return (int64_t)st.st_size;
}
