/*
 * tiering/tier_backend.c — the calls every backend shares: argument checks,
 * the status line and the log hook, paging a whole listing, the fd source.
 * The contract is tier_backend.h.
 */
#include "tier_backend.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *level_name(int level)
{
	static const char *const n[] = {"err", "warn", "info", "debug"};
	return level >= 0 && level <= 3 ? n[level] : "info";
}

static void emit(void (*hook)(void *, int, const char *), void *arg,
		 int level, const char *line)
{
	if (hook)
		hook(arg, level, line);
	else if (level <= TIER_LOG_WARN)
		fprintf(stderr, "tier: level=%s %s\n", level_name(level), line);
}

void tier_log(const struct tier_backend *b, int level, const char *fmt, ...)
{
	char line[TIER_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(b ? b->log : NULL, b ? b->log_arg : NULL, level, line);
}

void tier_report(struct tier_backend *b, struct tier_status *st, int level,
		 const char *fmt, ...)
{
	char line[TIER_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (st)
		snprintf(st->msg, sizeof(st->msg), "%s", line);
	emit(b ? b->log : NULL, b ? b->log_arg : NULL, level, line);
}

void tier_config_defaults(struct tier_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->kind = TIER_KIND_DIR;
	cfg->region = "us-east-1";
	cfg->addressing = TIER_PATH_STYLE;
	cfg->multipart_threshold = 16u << 20;
	cfg->part_size = 16u << 20;
	cfg->parallel_parts = 4;
	cfg->max_attempts = 5;
	cfg->backoff_ms = 100;
	cfg->backoff_max_ms = 5000;
	cfg->connect_timeout_ms = 5000;
	cfg->low_speed_s = 60;
}

static void status_clear(struct tier_status *st)
{
	if (st)
		memset(st, 0, sizeof(*st));
}

int tier_open(const struct tier_config *cfg, struct tier_backend **out,
	      struct tier_status *st)
{
	struct tier_backend tmp = {.log = cfg->log, .log_arg = cfg->log_arg};

	status_clear(st);
	*out = NULL;
	switch (cfg->kind) {
	case TIER_KIND_DIR:
		return tier_dir_open(cfg, out, st);
	case TIER_KIND_S3:
		return tier_s3_open(cfg, out, st);
	}
	tier_report(&tmp, st, TIER_LOG_ERR, "tier open: unknown kind %d",
		    (int)cfg->kind);
	return -EINVAL;
}

void tier_close(struct tier_backend *b)
{
	if (b)
		b->ops->close(b);
}

int tier_key_ok(const char *key, int is_prefix)
{
	size_t len = key ? strlen(key) : 0, seg = 0;

	if (len == 0 || len > TIER_KEY_MAX || key[0] == '/')
		return 0;
	for (size_t i = 0; i <= len; i++) {
		char c = key[i];
		if (c == '/' || c == '\0') {
			if (seg == 0)
				return c == '\0' && is_prefix && i > 0;
			if ((seg == 1 && key[i - 1] == '.') ||
			    (seg == 2 && key[i - 1] == '.' && key[i - 2] == '.'))
				return 0;
			seg = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
		seg++;
	}
	return 1;
}

static int bad_key(struct tier_backend *b, struct tier_status *st,
		   const char *op)
{
	tier_report(b, st, TIER_LOG_ERR,
		    "tier %s %s: invalid key (allowed: '/'-separated segments "
		    "of [A-Za-z0-9._-])",
		    b->ops->name, op);
	return -EINVAL;
}

int tier_put(struct tier_backend *b, const char *key,
	     const struct tier_source *src, uint64_t size, struct tier_obj *out,
	     struct tier_status *st)
{
	status_clear(st);
	if (!tier_key_ok(key, 0))
		return bad_key(b, st, "put");
	return b->ops->put(b, key, src, size, out, st);
}

int tier_get(struct tier_backend *b, const char *key, uint64_t off,
	     size_t len, void *buf, size_t *got, struct tier_status *st)
{
	status_clear(st);
	*got = 0;
	if (!tier_key_ok(key, 0))
		return bad_key(b, st, "get");
	if (len == 0)
		return 0;
	return b->ops->get(b, key, off, len, buf, got, st);
}

int tier_get_obj(struct tier_backend *b, const char *key, uint64_t off,
		 size_t len, void *buf, size_t *got, struct tier_obj *obj,
		 struct tier_status *st)
{
	int rc;

	status_clear(st);
	*got = 0;
	if (!tier_key_ok(key, 0))
		return bad_key(b, st, "get");
	if (len && b->ops->get_obj)
		return b->ops->get_obj(b, key, off, len, buf, got, obj, st);
	rc = b->ops->head(b, key, obj, st);
	if (rc == 0 && len)
		rc = b->ops->get(b, key, off, len, buf, got, st);
	return rc;
}

int tier_head(struct tier_backend *b, const char *key, struct tier_obj *out,
	      struct tier_status *st)
{
	status_clear(st);
	if (!tier_key_ok(key, 0))
		return bad_key(b, st, "head");
	return b->ops->head(b, key, out, st);
}

int tier_delete(struct tier_backend *b, const char *key,
		struct tier_status *st)
{
	status_clear(st);
	if (!tier_key_ok(key, 0))
		return bad_key(b, st, "delete");
	return b->ops->del(b, key, st);
}

/* RC of a listing call (OP) that filled PAGE: a page that says "more
 * follow" without a way to get them fails closed (-EIO); PAGE is freed on
 * any error. */
static int page_checked(struct tier_backend *b, const char *prefix,
			const char *op, int rc, struct tier_list_page *page,
			struct tier_status *st)
{
	if (rc == 0 && page->truncated && (!page->next || !page->next[0])) {
		tier_list_free(page);
		tier_report(b, st, TIER_LOG_ERR,
			    "tier %s %s %s: listing says truncated but gives "
			    "no continuation token",
			    b->ops->name, op, prefix);
		return -EIO;
	}
	if (rc != 0)
		tier_list_free(page);
	return rc;
}

int tier_list(struct tier_backend *b, const char *prefix, const char *token,
	      unsigned max, struct tier_list_page *page,
	      struct tier_status *st)
{
	int rc;

	status_clear(st);
	memset(page, 0, sizeof(*page));
	if (!tier_key_ok(prefix, 1))
		return bad_key(b, st, "list");
	if (max == 0 || max > 1000) {
		tier_report(b, st, TIER_LOG_ERR,
			    "tier %s list: page size %u not in 1..1000",
			    b->ops->name, max);
		return -EINVAL;
	}
	rc = b->ops->list(b, prefix, token, max, page, st);
	return page_checked(b, prefix, "list", rc, page, st);
}

void tier_list_free(struct tier_list_page *page)
{
	for (size_t i = 0; i < page->n; i++) {
		free(page->v[i].key);
		free(page->v[i].upload_id);
	}
	free(page->v);
	free(page->next);
	free(page->next_upload);
	memset(page, 0, sizeof(*page));
}

/* One page of unfinished uploads, failing closed as tier_list(). */
static int list_uploads(struct tier_backend *b, const char *prefix,
			const char *key_marker, const char *id_marker,
			unsigned max, struct tier_list_page *page,
			struct tier_status *st)
{
	int rc;

	status_clear(st);
	memset(page, 0, sizeof(*page));
	if (!tier_key_ok(prefix, 1))
		return bad_key(b, st, "list uploads");
	rc = b->ops->uploads(b, prefix, key_marker, id_marker, max, page, st);
	return page_checked(b, prefix, "list uploads", rc, page, st);
}

/* Every page into *ALL: of objects, or (UPLOADS) of unfinished uploads. */
static int list_all(struct tier_backend *b, const char *prefix, unsigned max,
		    int uploads, struct tier_list_page *all,
		    struct tier_status *st)
{
	struct tier_list_page pg;
	char *token = NULL, *id_token = NULL;
	size_t cap = 0;
	int rc;

	memset(all, 0, sizeof(*all));
	for (;;) {
		rc = uploads ? list_uploads(b, prefix, token, id_token, max,
					    &pg, st)
			     : tier_list(b, prefix, token, max, &pg, st);
		free(token);
		free(id_token);
		token = id_token = NULL;
		if (rc != 0)
			break;
		if (all->n + pg.n > cap) {
			size_t ncap = cap ? cap * 2 : 64;
			while (ncap < all->n + pg.n)
				ncap *= 2;
			void *nv = realloc(all->v, ncap * sizeof(*all->v));
			if (!nv) {
				tier_list_free(&pg);
				rc = -ENOMEM;
				break;
			}
			all->v = nv;
			cap = ncap;
		}
		if (pg.n)
			memcpy(all->v + all->n, pg.v, pg.n * sizeof(*pg.v));
		all->n += pg.n;
		free(pg.v);
		token = pg.next;
		id_token = pg.next_upload;
		if (!pg.truncated) {
			free(token);
			free(id_token);
			return 0;
		}
	}
	tier_list_free(all);
	return rc;
}

int tier_list_all(struct tier_backend *b, const char *prefix, unsigned max,
		  struct tier_list_page *all, struct tier_status *st)
{
	return list_all(b, prefix, max, 0, all, st);
}

int tier_list_uploads_all(struct tier_backend *b, const char *prefix,
			  struct tier_list_page *all, struct tier_status *st)
{
	memset(all, 0, sizeof(*all));
	if (!b->ops->uploads)
		return 0;
	return list_all(b, prefix, 1000, 1, all, st);
}

int tier_abort_upload(struct tier_backend *b, const char *key,
		      const char *upload_id, struct tier_status *st)
{
	status_clear(st);
	if (!b->ops->abort_upload)
		return -EOPNOTSUPP;
	if (!tier_key_ok(key, 0))
		return bad_key(b, st, "abort upload");
	return b->ops->abort_upload(b, key, upload_id, st);
}

int tier_source_fd_read(void *arg, uint64_t off, void *buf, size_t len)
{
	int fd = *(const int *)arg;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* the source is shorter than promised */
		done += (size_t)n;
	}
	return 0;
}
