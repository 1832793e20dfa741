/* datastore/usage.c — see usage.h. */
#include "usage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define USAGE_DEPTH_MAX 32 /* the store's tree is a few levels deep */

/* The directory FD (consumed) into *BYTES. */
static int walk(int fd, unsigned depth, uint64_t *bytes)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;

	if (!d) {
		close(fd);
		return -errno;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		int sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		if (S_ISREG(st.st_mode)) {
			*bytes += (uint64_t)st.st_blocks * 512;
		} else if (S_ISDIR(st.st_mode) && depth < USAGE_DEPTH_MAX) {
			sub = openat(dirfd(d), e->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
			if (sub >= 0)
				(void)walk(sub, depth + 1, bytes);
		}
	}
	closedir(d);
	return 0;
}

int ds_dir_allocated(const char *dir, uint64_t *bytes)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*bytes = 0;
	if (fd < 0)
		return -errno;
	return walk(fd, 0, bytes);
}
