/*
 * tests/unit/test_tier_dir.c -- the "dir" backend (tiering/tier_dir.c)
 * through the interface (tier_backend.h): round trip, ranged reads, no
 * overwrite, a failed put leaves nothing, delete, paged listing; and
 * listing failures reaching the caller as errors, never as a short list
 * (the dir backend's own, and tier_list_all() over a backend whose second
 * page fails).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <errno.h>

#include <cmocka.h>

#include "tier_backend.h"

#define MiB (1024u * 1024u)

struct mem_src {
	const unsigned char *p;
	size_t len;
	uint64_t fail_at; /* a read reaching past this fails (0: never) */
};

static int mem_read(void *arg, uint64_t off, void *buf, size_t len)
{
	struct mem_src *m = arg;

	if (m->fail_at && off + len > m->fail_at)
		return -EIO;
	assert_true(off + len <= m->len);
	memcpy(buf, m->p + off, len);
	return 0;
}

struct fx {
	char dir[64];
	struct tier_backend *b;
	unsigned char *data;
	size_t len;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct tier_config cfg;
	struct tier_status st;

	strcpy(f->dir, "/tmp/strata-tier-dir-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	strcat(f->dir, "/objects"); /* tier_open makes it */
	tier_config_defaults(&cfg);
	cfg.kind = TIER_KIND_DIR;
	cfg.dir = f->dir;
	if (tier_open(&cfg, &f->b, &st) != 0)
		return -1;
	f->len = 3 * MiB + 7;
	f->data = malloc(f->len);
	for (size_t i = 0; i < f->len; i++)
		f->data[i] = (unsigned char)((i * 2654435761u) >> 13);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	tier_close(f->b);
	*strrchr(f->dir, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	free(f->data);
	free(f);
	return system(cmd) == 0 ? 0 : -1;
}

static int put_mem(struct fx *f, const char *key, size_t len,
		   uint64_t fail_at, struct tier_obj *o)
{
	struct mem_src m = {f->data, len, fail_at};
	struct tier_source src = {mem_read, &m};
	struct tier_status st;

	return tier_put(f->b, key, &src, len, o, &st);
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	struct tier_obj o, h;
	struct tier_status st;
	unsigned char *buf = malloc(f->len);
	size_t got;

	assert_int_equal(put_mem(f, "s/v1/aa/one", f->len, 0, &o), 0);
	assert_true(o.size == f->len);
	assert_true(o.etag[0] != '\0');
	assert_int_equal(tier_head(f->b, "s/v1/aa/one", &h, &st), 0);
	assert_true(h.size == f->len);
	assert_string_equal(h.etag, o.etag);
	assert_int_equal(tier_get(f->b, "s/v1/aa/one", 0, f->len, buf, &got,
				  &st),
			 0);
	assert_true(got == f->len);
	assert_memory_equal(buf, f->data, f->len);
	free(buf);
}

static void test_ranged_reads(void **state)
{
	struct fx *f = *state;
	const struct {
		uint64_t off;
		size_t len, want;
	} r[] = {
		{0, 1, 1},
		{MiB - 1, 2, 2},	       /* across the copy chunk */
		{2 * MiB - 4096, 8192, 8192},
		{f->len - 10, 100, 10},	       /* runs past the end */
		{f->len - 1, 1, 1},
	};
	struct tier_status st;
	unsigned char buf[8192];
	size_t got;

	assert_int_equal(put_mem(f, "s/v1/aa/ranged", f->len, 0, NULL), 0);
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		assert_int_equal(tier_get(f->b, "s/v1/aa/ranged", r[i].off,
					  r[i].len, buf, &got, &st),
				 0);
		assert_true(got == r[i].want);
		assert_memory_equal(buf, f->data + r[i].off, got);
	}
	/* at or past the end */
	assert_int_equal(tier_get(f->b, "s/v1/aa/ranged", f->len, 1, buf, &got,
				  &st),
			 -ERANGE);
	assert_int_equal(tier_get(f->b, "s/v1/aa/absent", 0, 1, buf, &got,
				  &st),
			 -ENOENT);
	assert_non_null(strstr(st.msg, "s/v1/aa/absent"));
	/* an empty object */
	assert_int_equal(put_mem(f, "s/v1/aa/empty", 0, 0, NULL), 0);
	assert_int_equal(tier_get(f->b, "s/v1/aa/empty", 0, 10, buf, &got,
				  &st),
			 0);
	assert_true(got == 0);
}

static void test_no_overwrite(void **state)
{
	struct fx *f = *state;
	struct tier_obj o1, o2;
	struct tier_status st;
	unsigned char buf[16];
	size_t got;

	assert_int_equal(put_mem(f, "s/v1/bb/once", 16, 0, &o1), 0);
	assert_int_equal(put_mem(f, "s/v1/bb/once", 100, 0, NULL), -EEXIST);
	assert_int_equal(tier_head(f->b, "s/v1/bb/once", &o2, &st), 0);
	assert_true(o2.size == 16);
	assert_string_equal(o1.etag, o2.etag);
	assert_int_equal(tier_get(f->b, "s/v1/bb/once", 0, 16, buf, &got, &st),
			 0);
	assert_memory_equal(buf, f->data, 16);
}

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The source fails half-way: no object, no temporary file left. */
static void test_failed_put_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct tier_obj o;
	struct tier_status st;
	char path[128];

	assert_int_equal(put_mem(f, "s/v1/cc/half", f->len, 2 * MiB, NULL),
			 -EIO);
	assert_int_equal(tier_head(f->b, "s/v1/cc/half", &o, &st), -ENOENT);
	snprintf(path, sizeof(path), "%s/s/v1/cc", f->dir);
	assert_int_equal(count_entries(path), 0);
}

static void test_bad_keys(void **state)
{
	struct fx *f = *state;
	struct tier_status st;
	struct tier_obj o;
	char path[128];
	struct stat sb;

	assert_int_equal(put_mem(f, "../escape", 4, 0, NULL), -EINVAL);
	assert_int_equal(put_mem(f, "a//b", 4, 0, NULL), -EINVAL);
	assert_int_equal(put_mem(f, "/abs", 4, 0, NULL), -EINVAL);
	assert_int_equal(tier_head(f->b, "a/./b", &o, &st), -EINVAL);
	assert_non_null(strstr(st.msg, "invalid key"));
	snprintf(path, sizeof(path), "%s/../escape", f->dir);
	assert_int_equal(stat(path, &sb), -1);
}

static void test_delete(void **state)
{
	struct fx *f = *state;
	struct tier_status st;
	struct tier_obj o;

	assert_int_equal(put_mem(f, "s/v1/dd/gone", 10, 0, NULL), 0);
	assert_int_equal(tier_delete(f->b, "s/v1/dd/gone", &st), 0);
	assert_int_equal(tier_head(f->b, "s/v1/dd/gone", &o, &st), -ENOENT);
	/* deleting what is not there succeeds, as in S3 */
	assert_int_equal(tier_delete(f->b, "s/v1/dd/gone", &st), 0);
}

static void test_list_paged(void **state)
{
	struct fx *f = *state;
	struct tier_list_page pg, all;
	struct tier_status st;
	char key[160], *token = NULL;
	size_t seen = 0;
	FILE *tmp;

	for (int i = 0; i < 25; i++) {
		snprintf(key, sizeof(key), "L/v1/%02x/obj-%02d", i % 4, i);
		assert_int_equal(put_mem(f, key, (size_t)i, 0, NULL), 0);
	}
	for (int i = 0; i < 3; i++) { /* outside the prefix */
		snprintf(key, sizeof(key), "M/v1/%02x/obj-%02d", i, i);
		assert_int_equal(put_mem(f, key, 1, 0, NULL), 0);
	}
	/* a put's temporary file is never listed */
	snprintf(key, sizeof(key), "%s/L/v1/00/#tmp.1.2", f->dir);
	tmp = fopen(key, "w");
	assert_non_null(tmp);
	fclose(tmp);

	/* page by page, 4 a page: 7 pages, in key order */
	for (int page = 0;; page++) {
		assert_int_equal(tier_list(f->b, "L/", token, 4, &pg, &st), 0);
		free(token);
		token = NULL;
		assert_true(pg.n <= 4);
		for (size_t i = 0; i < pg.n; i++) {
			assert_int_equal(strncmp(pg.v[i].key, "L/", 2), 0);
			seen++;
		}
		if (!pg.truncated) {
			assert_int_equal(page, 6);
			tier_list_free(&pg);
			break;
		}
		token = strdup(pg.next);
		tier_list_free(&pg);
	}
	assert_int_equal(seen, 25);
	assert_int_equal(tier_list_all(f->b, "L/v1/0", 3, &all, &st), 0);
	assert_int_equal(all.n, 25);
	for (size_t i = 1; i < all.n; i++)
		assert_true(strcmp(all.v[i - 1].key, all.v[i].key) < 0);
	assert_string_equal(all.v[0].key, "L/v1/00/obj-00");
	assert_true(all.v[1].size == 4);
	tier_list_free(&all);
	/* a prefix that matches nothing, and one ending inside a name */
	assert_int_equal(tier_list_all(f->b, "Z/", 10, &all, &st), 0);
	assert_int_equal(all.n, 0);
	tier_list_free(&all);
	assert_int_equal(tier_list_all(f->b, "L/v1/01/obj-1", 10, &all, &st),
			 0);
	assert_int_equal(all.n, 2); /* obj-13 and obj-17 */
	tier_list_free(&all);
}

/* Something in the tier directory that is not an object: the listing
 * fails, naming it, and lists nothing. */
static void test_list_fails_closed(void **state)
{
	struct fx *f = *state;
	struct tier_list_page all;
	struct tier_status st;
	char path[128];

	assert_int_equal(put_mem(f, "F/v1/00/a", 1, 0, NULL), 0);
	snprintf(path, sizeof(path), "%s/F/v1/00/fifo", f->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(tier_list_all(f->b, "F/", 100, &all, &st), -EIO);
	assert_int_equal(all.n, 0);
	assert_null(all.v);
	assert_non_null(strstr(st.msg, "F/v1/00/fifo"));
	unlink(path);
	snprintf(path, sizeof(path), "%s/F/v1/00/has space", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(tier_list_all(f->b, "F/", 100, &all, &st), -EIO);
	assert_int_equal(all.n, 0);
	assert_non_null(strstr(st.msg, "not a key"));
	rmdir(path);
	assert_int_equal(tier_list_all(f->b, "F/", 100, &all, &st), 0);
	assert_int_equal(all.n, 1);
	tier_list_free(&all);
}

/* A backend of our own: page 1 fine and "more follow", page 2 fails (or
 * claims more without a token). tier_list_all must return the error and
 * nothing, however much it had gathered. */
static int fake_mode;

static int fake_list(struct tier_backend *b, const char *prefix,
		     const char *token, unsigned max,
		     struct tier_list_page *page, struct tier_status *st)
{
	(void)b;
	(void)prefix;
	(void)max;
	if (token && fake_mode == 0) {
		snprintf(st->msg, sizeof(st->msg), "page 2 broke");
		return -EIO;
	}
	page->v = calloc(2, sizeof(*page->v));
	page->v[0].key = strdup(token ? "p/c" : "p/a");
	page->v[1].key = strdup(token ? "p/d" : "p/b");
	page->n = 2;
	page->truncated = !token || fake_mode == 1;
	page->next = token ? NULL : strdup("p/b");
	return 0;
}

static void fake_close(struct tier_backend *b)
{
	(void)b;
}

static void test_list_all_propagates(void **state)
{
	static const struct tier_ops ops = {.name = "fake",
					    .list = fake_list,
					    .close = fake_close};
	struct tier_backend b = {.ops = &ops};
	struct tier_list_page all;
	struct tier_status st;

	(void)state;
	fake_mode = 0; /* page 2 fails */
	assert_int_equal(tier_list_all(&b, "p/", 2, &all, &st), -EIO);
	assert_int_equal(all.n, 0);
	assert_null(all.v);
	assert_string_equal(st.msg, "page 2 broke");
	fake_mode = 1; /* page 2 says "truncated" but gives no token */
	assert_int_equal(tier_list_all(&b, "p/", 2, &all, &st), -EIO);
	assert_int_equal(all.n, 0);
	assert_non_null(strstr(st.msg, "no continuation token"));
	fake_mode = 2; /* both pages good */
	assert_int_equal(tier_list_all(&b, "p/", 2, &all, &st), 0);
	assert_int_equal(all.n, 4);
	assert_string_equal(all.v[3].key, "p/d");
	tier_list_free(&all);
	/* page sizes outside 1..1000 are refused */
	assert_int_equal(tier_list(&b, "p/", NULL, 0, &all, &st), -EINVAL);
	assert_int_equal(tier_list(&b, "p/", NULL, 1001, &all, &st), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ranged_reads, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_overwrite, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed_put_leaves_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_paged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_list_fails_closed, setup,
						teardown),
		cmocka_unit_test(test_list_all_propagates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
