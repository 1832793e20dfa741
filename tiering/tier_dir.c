/*
 * tiering/tier_dir.c — the "dir" backend: objects as files in a local
 * directory (the embedded default; tier_backend.h has the contract).
 *
 * An object KEY is the file ROOT/KEY. A put writes a temporary file
 * "#tmp.<pid>.<n>" beside it ('#' is never in a key, so listings skip it),
 * fsyncs it, renames it into place without replacing (renameat2
 * RENAME_NOREPLACE; link + unlink where the file system lacks it) and
 * fsyncs the directory, so an object is either absent or whole and
 * durable. Directories made for a key are fsynced into their parents.
 * The etag is the file's identity, not a content hash: "<inode>-<mtime
 * ns>" in hex, which changes whenever the object is replaced.
 */
#include "tier_backend.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_PREFIX "#tmp."
#define COPY_CHUNK (1u << 20)

struct dir_backend {
	struct tier_backend base;
	char *root;
	int rootfd;
	atomic_ulong seq;
};

static struct dir_backend *D(struct tier_backend *b)
{
	return (struct dir_backend *)b;
}

static void dir_etag(const struct stat *sb, char *out, size_t cap)
{
	snprintf(out, cap, "%llx-%llx", (unsigned long long)sb->st_ino,
		 (unsigned long long)sb->st_mtim.tv_sec * 1000000000ull +
			 (unsigned long long)sb->st_mtim.tv_nsec);
}

/* fsync the directory holding PATH (relative to the root; "" = root). */
static int fsync_parent(struct dir_backend *d, const char *path)
{
	char dir[TIER_KEY_MAX + 1];
	const char *slash = strrchr(path, '/');
	int fd, rc = 0;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	fd = openat(d->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* Make the directories above KEY; each new one is fsynced into its parent. */
static int make_parents(struct dir_backend *d, const char *key)
{
	char path[TIER_KEY_MAX + 1];
	struct stat sb;

	for (const char *s = strchr(key, '/'); s; s = strchr(s + 1, '/')) {
		snprintf(path, sizeof(path), "%.*s", (int)(s - key), key);
		if (mkdirat(d->rootfd, path, 0755) == 0) {
			int rc = fsync_parent(d, path);
			if (rc)
				return rc;
		} else if (errno != EEXIST) {
			return -errno;
		} else if (fstatat(d->rootfd, path, &sb, AT_SYMLINK_NOFOLLOW) ||
			   !S_ISDIR(sb.st_mode)) {
			return -ENOTDIR;
		}
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int dir_put(struct tier_backend *b, const char *key,
		   const struct tier_source *src, uint64_t size,
		   struct tier_obj *out, struct tier_status *st)
{
	struct dir_backend *d = D(b);
	char tmp[TIER_KEY_MAX + 64];
	const char *slash = strrchr(key, '/');
	const char *what = "make its directories";
	char *buf = NULL;
	struct stat sb;
	int fd = -1, rc;

	rc = make_parents(d, key);
	if (rc)
		goto fail;
	snprintf(tmp, sizeof(tmp), "%.*s%s%ld.%lu",
		 slash ? (int)(slash - key + 1) : 0, key, TMP_PREFIX,
		 (long)getpid(), (unsigned long)atomic_fetch_add(&d->seq, 1));
	what = "create the temporary file";
	fd = openat(d->rootfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	buf = malloc(COPY_CHUNK);
	if (!buf) {
		rc = -ENOMEM;
		goto fail_tmp;
	}
	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < COPY_CHUNK ? (size_t)(size - off)
						   : COPY_CHUNK;
		what = "read the source";
		rc = src->read(src->arg, off, buf, n);
		if (rc)
			goto fail_tmp;
		what = "write";
		rc = write_all(fd, buf, n);
		if (rc)
			goto fail_tmp;
		off += n;
	}
	what = "fsync";
	if (fsync(fd) != 0 || fstat(fd, &sb) != 0) {
		rc = -errno;
		goto fail_tmp;
	}
	what = "rename into place";
	if (renameat2(d->rootfd, tmp, d->rootfd, key, RENAME_NOREPLACE) != 0) {
		if (errno != EINVAL) {
			rc = -errno;
			goto fail_tmp;
		}
		/* No RENAME_NOREPLACE here: link() also refuses to replace. */
		if (linkat(d->rootfd, tmp, d->rootfd, key, 0) != 0) {
			rc = -errno;
			goto fail_tmp;
		}
		unlinkat(d->rootfd, tmp, 0);
	}
	what = "fsync the directory";
	rc = fsync_parent(d, key);
	if (rc)
		goto fail;
	close(fd);
	free(buf);
	if (out) {
		out->size = (uint64_t)sb.st_size;
		dir_etag(&sb, out->etag, sizeof(out->etag));
	}
	return 0;
fail_tmp:
	unlinkat(d->rootfd, tmp, 0);
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	tier_report(b, st, TIER_LOG_ERR, "tier dir put %s: cannot %s: %s%s",
		    key, what, strerror(-rc),
		    rc == -EEXIST ? " (objects are never overwritten)" : "");
	return rc;
}

static int dir_get(struct tier_backend *b, const char *key, uint64_t off,
		   size_t len, void *buf, size_t *got, struct tier_status *st)
{
	struct dir_backend *d = D(b);
	struct stat sb;
	size_t want, done = 0;
	int fd, rc = 0;

	fd = openat(d->rootfd, key, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if (fstat(fd, &sb) != 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = -EIO;
		goto out;
	}
	if (off >= (uint64_t)sb.st_size) {
		rc = sb.st_size == 0 && off == 0 ? 0 : -ERANGE;
		goto out;
	}
	want = (uint64_t)sb.st_size - off < len ? (size_t)(sb.st_size - off)
						 : len;
	while (done < want) {
		ssize_t n = pread(fd, (char *)buf + done, want - done,
				  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			goto out;
		}
		done += (size_t)n;
	}
	*got = done;
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		tier_report(b, st, rc == -ENOENT ? TIER_LOG_INFO : TIER_LOG_ERR,
			    "tier dir get %s [%llu+%zu]: %s", key,
			    (unsigned long long)off, len, strerror(-rc));
	return rc;
}

static int dir_head(struct tier_backend *b, const char *key,
		    struct tier_obj *out, struct tier_status *st)
{
	struct stat sb;
	int rc = 0;

	if (fstatat(D(b)->rootfd, key, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		rc = -errno;
	else if (!S_ISREG(sb.st_mode))
		rc = -EIO;
	if (rc) {
		tier_report(b, st, rc == -ENOENT ? TIER_LOG_DEBUG : TIER_LOG_ERR,
			    "tier dir head %s: %s", key, strerror(-rc));
		return rc;
	}
	if (out) {
		out->size = (uint64_t)sb.st_size;
		dir_etag(&sb, out->etag, sizeof(out->etag));
	}
	return 0;
}

static int dir_del(struct tier_backend *b, const char *key,
		   struct tier_status *st)
{
	struct dir_backend *d = D(b);
	int rc = 0;

	if (unlinkat(d->rootfd, key, 0) != 0) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
	} else {
		rc = fsync_parent(d, key);
	}
	if (rc)
		tier_report(b, st, TIER_LOG_ERR, "tier dir delete %s: %s", key,
			    strerror(-rc));
	return rc;
}

/* ---- listing: walk the directory under the prefix, sort, page ---- */

struct keyvec {
	struct tier_list_entry *v;
	size_t n, cap;
};

static int kv_push(struct keyvec *kv, const char *key, const struct stat *sb)
{
	if (kv->n == kv->cap) {
		size_t ncap = kv->cap ? kv->cap * 2 : 64;
		void *nv = realloc(kv->v, ncap * sizeof(*kv->v));
		if (!nv)
			return -ENOMEM;
		kv->v = nv;
		kv->cap = ncap;
	}
	memset(&kv->v[kv->n], 0, sizeof(kv->v[0]));
	kv->v[kv->n].key = strdup(key);
	if (!kv->v[kv->n].key)
		return -ENOMEM;
	kv->v[kv->n].size = (uint64_t)sb->st_size;
	dir_etag(sb, kv->v[kv->n].etag, sizeof(kv->v[0].etag));
	kv->n++;
	return 0;
}

/* Collect the keys under directory REL (relative to the root; "" is the
 * root) that start with PREFIX. Anything that is neither a directory, a
 * regular file with a key's name, nor our temporary file fails the walk:
 * a listing never skips what it does not understand. */
static int walk(struct dir_backend *d, const char *rel, const char *prefix,
		struct keyvec *kv, int depth, char *bad, size_t badlen)
{
	char path[TIER_KEY_MAX + 2];
	struct dirent *de;
	struct stat sb;
	DIR *dir;
	int fd, rc = 0;

	if (depth > 64)
		return -ELOOP;
	fd = openat(d->rootfd, *rel ? rel : ".",
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT && depth == 0 ? 0 : -errno;
	dir = fdopendir(fd);
	if (!dir) {
		rc = -errno;
		close(fd);
		return rc;
	}
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			rc = errno ? -errno : 0;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", rel,
				     *rel ? "/" : "", de->d_name) >=
			    sizeof(path) ||
		    !tier_key_ok(path, 0)) {
			snprintf(bad, badlen, "entry '%.200s' is not a key",
				 path);
			rc = -EIO;
			break;
		}
		/* Prune directories the prefix excludes. */
		size_t pl = strlen(path), fl = strlen(prefix);
		if (strncmp(path, prefix, pl < fl ? pl : fl) != 0)
			continue;
		if (fstatat(d->rootfd, path, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = -errno;
			snprintf(bad, badlen, "%.200s", path);
			break;
		}
		if (S_ISDIR(sb.st_mode)) {
			rc = walk(d, path, prefix, kv, depth + 1, bad, badlen);
		} else if (S_ISREG(sb.st_mode)) {
			if (pl >= fl)
				rc = kv_push(kv, path, &sb);
		} else {
			snprintf(bad, badlen,
				 "entry '%.200s' is neither a file nor a "
				 "directory",
				 path);
			rc = -EIO;
		}
		if (rc)
			break;
	}
	closedir(dir);
	return rc;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tier_list_entry *)a)->key,
		      ((const struct tier_list_entry *)b)->key);
}

static int dir_list(struct tier_backend *b, const char *prefix,
		    const char *token, unsigned max,
		    struct tier_list_page *page, struct tier_status *st)
{
	struct dir_backend *d = D(b);
	char start[TIER_KEY_MAX + 1], bad[256] = "";
	const char *slash = strrchr(prefix, '/');
	struct keyvec kv = {0};
	size_t i = 0, j;
	int rc;

	/* Start at the deepest directory the prefix names. */
	snprintf(start, sizeof(start), "%.*s",
		 slash ? (int)(slash - prefix) : 0, prefix);
	rc = walk(d, start, prefix, &kv, 0, bad, sizeof(bad));
	if (rc == 0) {
		if (kv.n)
			qsort(kv.v, kv.n, sizeof(*kv.v), key_cmp);
		if (token)
			while (i < kv.n && strcmp(kv.v[i].key, token) <= 0)
				i++;
		page->v = calloc(max, sizeof(*page->v));
		if (!page->v)
			rc = -ENOMEM;
	}
	if (rc == 0) {
		for (j = i; j < kv.n && page->n < max; j++) {
			page->v[page->n++] = kv.v[j];
			kv.v[j].key = NULL;
		}
		if (j < kv.n) {
			page->truncated = 1;
			page->next = strdup(page->v[page->n - 1].key);
			if (!page->next)
				rc = -ENOMEM;
		}
	}
	for (j = 0; j < kv.n; j++)
		free(kv.v[j].key);
	free(kv.v);
	if (rc)
		tier_report(b, st, TIER_LOG_ERR, "tier dir list %s: %s%s%s",
			    prefix, strerror(-rc), bad[0] ? ": " : "", bad);
	return rc;
}

static void dir_close(struct tier_backend *b)
{
	struct dir_backend *d = D(b);

	close(d->rootfd);
	free(d->root);
	free(d);
}

static const struct tier_ops dir_ops = {
	.name = "dir",
	.put = dir_put,
	.get = dir_get,
	.head = dir_head,
	.del = dir_del,
	.list = dir_list,
	.close = dir_close,
};

int tier_dir_open(const struct tier_config *cfg, struct tier_backend **out,
		  struct tier_status *st)
{
	struct tier_backend tmp = {.log = cfg->log, .log_arg = cfg->log_arg};
	struct dir_backend *d;
	int rc;

	if (!cfg->dir || !*cfg->dir) {
		tier_report(&tmp, st, TIER_LOG_ERR,
			    "tier dir: no directory configured");
		return -EINVAL;
	}
	if (mkdir(cfg->dir, 0755) != 0 && errno != EEXIST) {
		rc = -errno;
		tier_report(&tmp, st, TIER_LOG_ERR, "tier dir %s: %s", cfg->dir,
			    strerror(errno));
		return rc;
	}
	d = calloc(1, sizeof(*d));
	if (!d || !(d->root = strdup(cfg->dir))) {
		free(d);
		return -ENOMEM;
	}
	d->rootfd = open(cfg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->rootfd < 0) {
		rc = -errno;
		tier_report(&tmp, st, TIER_LOG_ERR, "tier dir %s: %s", cfg->dir,
			    strerror(errno));
		free(d->root);
		free(d);
		return rc;
	}
	d->base.ops = &dir_ops;
	d->base.log = cfg->log;
	d->base.log_arg = cfg->log_arg;
	*out = &d->base;
	return 0;
}
