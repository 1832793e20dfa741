/*
 * tests/unit/test_ns_readdir.c — READDIR: exact listings, cookie rules and
 * cookie stability while entries come and go (between batches and from a
 * concurrent thread).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "test_ns_util.h"

#define NSHARDS 8

struct fx {
	char *dir;
	struct ns *ns;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	f->dir = tu_mkdtemp();
	f->ns = tu_open(f->dir, NSHARDS);
	assert_int_equal(ns_test_set_nosync(f->ns, 1), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tu_fsck_clean(f->ns);
	ns_close(f->ns);
	tu_rmrf(f->dir);
	free(f);
	return 0;
}

/* A listing: every name seen, in order, with its cookie. */
struct seen {
	char (*names)[NS_NAME_MAX + 1];
	uint64_t *cookies;
	uint64_t *fileids;
	size_t n, cap;
	size_t batch;       /* stop after this many per call (0: never) */
	size_t in_batch;
};

static void seen_init(struct seen *s, size_t cap, size_t batch)
{
	memset(s, 0, sizeof *s);
	s->names = calloc(cap, sizeof *s->names);
	s->cookies = calloc(cap, sizeof *s->cookies);
	s->fileids = calloc(cap, sizeof *s->fileids);
	s->cap = cap;
	s->batch = batch;
}

static void seen_free(struct seen *s)
{
	free(s->names);
	free(s->cookies);
	free(s->fileids);
}

static int collect(void *ctx, const char *name, size_t namelen,
		   uint64_t fileid, uint64_t cookie)
{
	struct seen *s = ctx;

	if (s->batch && s->in_batch == s->batch)
		return 1; /* "reply buffer full": this entry is not taken */
	assert_true(s->n < s->cap);
	assert_true(namelen <= NS_NAME_MAX);
	memcpy(s->names[s->n], name, namelen);
	s->names[s->n][namelen] = '\0';
	s->cookies[s->n] = cookie;
	s->fileids[s->n] = fileid;
	s->n++;
	s->in_batch++;
	return 0;
}

/* One READDIR call resuming after the last cookie seen; returns eof. */
static int list_step(struct ns *ns, uint64_t dir, struct seen *s)
{
	uint64_t cookie = s->n ? s->cookies[s->n - 1] : 0;
	int eof = -1;

	s->in_batch = 0;
	assert_int_equal(ns_readdir(ns, dir, cookie, collect, s, &eof), 0);
	assert_true(eof == 0 || eof == 1);
	return eof;
}

static void list_all(struct ns *ns, uint64_t dir, struct seen *s)
{
	while (!list_step(ns, dir, s))
		;
}

static size_t count_name(const struct seen *s, const char *name)
{
	size_t c = 0;

	for (size_t i = 0; i < s->n; i++)
		c += strcmp(s->names[i], name) == 0;
	return c;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* No name twice, cookies > 2 and strictly increasing. */
static void check_listing(struct seen *s)
{
	char (*sorted)[NS_NAME_MAX + 1] = calloc(s->n + 1, sizeof *sorted);

	for (size_t i = 0; i < s->n; i++) {
		assert_true(s->cookies[i] > 2);
		if (i)
			assert_true(s->cookies[i] > s->cookies[i - 1]);
	}
	memcpy(sorted, s->names, s->n * sizeof *sorted);
	qsort(sorted, s->n, sizeof *sorted, cmp_str);
	for (size_t i = 1; i < s->n; i++)
		if (!strcmp(sorted[i], sorted[i - 1]))
			fail_msg("\"%s\" listed twice", sorted[i]);
	free(sorted);
}

static void test_empty(void **state)
{
	struct fx *f = *state;
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	struct seen s;
	int eof = 0;

	seen_init(&s, 4, 0);
	assert_int_equal(ns_readdir(f->ns, d, 0, collect, &s, &eof), 0);
	assert_int_equal(eof, 1);
	assert_int_equal(s.n, 0);
	seen_free(&s);
}

static void test_bad_cookies(void **state)
{
	struct fx *f = *state;
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	uint64_t x = tu_create(f->ns, d, "x", NS_REG);
	struct seen s;
	int eof;

	seen_init(&s, 4, 0);
	assert_int_equal(ns_readdir(f->ns, d, 1, collect, &s, &eof), -EINVAL);
	assert_int_equal(ns_readdir(f->ns, d, 2, collect, &s, &eof), -EINVAL);
	/* shard out of range, seq below 3, seq never issued */
	assert_int_equal(ns_readdir(f->ns, d, (uint64_t)NSHARDS << 56 | 5,
				    collect, &s, &eof),
			 -EINVAL);
	assert_int_equal(ns_readdir(f->ns, d, (uint64_t)3 << 56 | 1, collect, &s,
				    &eof),
			 -EINVAL);
	assert_int_equal(ns_readdir(f->ns, d, (uint64_t)3 << 56 | 0xffffffffffull,
				    collect, &s, &eof),
			 -EINVAL);
	assert_int_equal(ns_readdir(f->ns, x, 0, collect, &s, &eof), -ENOTDIR);
	assert_int_equal(ns_readdir(f->ns, 0x0100000000000999ull, 0, collect, &s,
				    &eof),
			 -ENOENT);
	assert_int_equal(s.n, 0);
	/* the cookie of the last entry is valid and gives eof */
	list_all(f->ns, d, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(ns_readdir(f->ns, d, s.cookies[0], collect, &s, &eof), 0);
	assert_int_equal(eof, 1);
	assert_int_equal(s.n, 1);
	seen_free(&s);
}

static void test_5000_exact(void **state)
{
	struct fx *f = *state;
	const size_t n = 5000;
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "big", NS_DIR);
	uint64_t *ids = calloc(n, sizeof *ids);
	struct seen s;

	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "entry-%05zu", i);
		ids[i] = tu_create(f->ns, d, name, i % 10 ? NS_REG : NS_DIR);
	}
	/* in batches of 97 */
	seen_init(&s, n + 1, 97);
	list_all(f->ns, d, &s);
	assert_int_equal(s.n, n);
	check_listing(&s);
	for (size_t i = 0; i < s.n; i++) {
		unsigned idx;
		assert_int_equal(sscanf(s.names[i], "entry-%05u", &idx), 1);
		assert_true(idx < n);
		assert_int_equal(s.fileids[i], ids[idx]);
	}
	seen_free(&s);
	/* in one call */
	seen_init(&s, n + 1, 0);
	assert_int_equal(list_step(f->ns, d, &s), 1);
	assert_int_equal(s.n, n);
	check_listing(&s);
	seen_free(&s);
	assert_int_equal(tu_getattr(f->ns, d).size, n);
	assert_int_equal(tu_getattr(f->ns, d).nlink, 2 + n / 10);
	free(ids);
}

static void make_names(struct ns *ns, uint64_t d, const char *prefix, int n)
{
	for (int i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "%s-%d", prefix, i);
		tu_create(ns, d, name, NS_REG);
	}
}

static void remove_name(struct ns *ns, uint64_t d, const char *prefix, int i)
{
	char name[32];

	snprintf(name, sizeof name, "%s-%d", prefix, i);
	assert_int_equal(ns_remove(ns, d, name, strlen(name), NULL, NULL, NULL),
			 0);
}

/* Entries present throughout appear exactly once despite churn. */
static void test_stable_between_batches(void **state)
{
	struct fx *f = *state;
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	const int keep = 300, gone = 300;
	int removed = 0, added = 0, eof = 0;
	struct seen s;

	make_names(f->ns, d, "keep", keep);
	make_names(f->ns, d, "gone", gone);
	seen_init(&s, 4096, 37);
	while (!eof) {
		eof = list_step(f->ns, d, &s);
		/* between batches: remove 10 "gone", add 10 "new" */
		for (int i = 0; i < 10 && removed < gone; i++)
			remove_name(f->ns, d, "gone", removed++);
		for (int i = 0; i < 10; i++) {
			char name[32];
			snprintf(name, sizeof name, "new-%d", added++);
			tu_create(f->ns, d, name, NS_REG);
		}
	}
	check_listing(&s);
	for (int i = 0; i < keep; i++) {
		char name[32];
		snprintf(name, sizeof name, "keep-%d", i);
		if (count_name(&s, name) != 1)
			fail_msg("%s listed %zu times", name, count_name(&s, name));
	}
	seen_free(&s);
}

/* Resuming from the cookie of a removed entry continues with the next. */
static void test_resume_after_removed(void **state)
{
	struct fx *f = *state;
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	struct seen all, part;

	make_names(f->ns, d, "n", 200);
	seen_init(&all, 256, 0);
	list_all(f->ns, d, &all);
	assert_int_equal(all.n, 200);
	for (size_t cut = 0; cut < all.n; cut += 23) {
		int eof = 0;
		/* remove the entry whose cookie we resume from */
		assert_int_equal(ns_remove(f->ns, d, all.names[cut],
					   strlen(all.names[cut]), NULL, NULL,
					   NULL),
				 0);
		seen_init(&part, 256, 0);
		assert_int_equal(ns_readdir(f->ns, d, all.cookies[cut], collect,
					    &part, &eof),
				 0);
		assert_int_equal(eof, 1);
		/* exactly the later entries still present */
		size_t want = 0;
		for (size_t i = cut + 1; i < all.n; i++)
			if (tu_lookup(f->ns, d, all.names[i]))
				want++;
		assert_int_equal(part.n, want);
		for (size_t i = 0; i < part.n; i++)
			assert_true(part.cookies[i] > all.cookies[cut]);
		seen_free(&part);
	}
	seen_free(&all);
}

/* ---- concurrent churn from another thread ------------------------------- */

struct churn {
	struct ns *ns;
	uint64_t dir;
	atomic_int stop;
	atomic_int ops;
};

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	char name[32];

	for (int i = 0; !atomic_load(&c->stop); i++) {
		snprintf(name, sizeof name, "tmp-%d", i);
		struct ns_create_args a = { .type = NS_REG, .mode = 0600 };
		if (ns_create(c->ns, c->dir, name, strlen(name), &a, NULL, NULL))
			break;
		if (i >= 20) {
			snprintf(name, sizeof name, "tmp-%d", i - 20);
			if (ns_remove(c->ns, c->dir, name, strlen(name), NULL,
				      NULL, NULL))
				break;
		}
		c->ops++;
	}
	return NULL;
}

static void test_stable_concurrent(void **state)
{
	struct fx *f = *state;
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "d", NS_DIR);
	struct churn c = { .ns = f->ns, .dir = d };
	pthread_t th;

	make_names(f->ns, d, "keep", 400);
	assert_int_equal(pthread_create(&th, NULL, churn_main, &c), 0);
	/* The listings must overlap the churn: list until it has made 50
	 * changes as well as for 15 rounds (bounded: 2,000 rounds), instead
	 * of hoping the thread got a turn (it did not, once in three, on a
	 * loaded machine). */
	for (int round = 0;
	     round < 15 || (atomic_load(&c.ops) < 50 && round < 2000);
	     round++) {
		struct seen s;
		seen_init(&s, 8192, 13);
		list_all(f->ns, d, &s);
		check_listing(&s);
		for (int i = 0; i < 400; i++) {
			char name[32];
			snprintf(name, sizeof name, "keep-%d", i);
			assert_int_equal(count_name(&s, name), 1);
		}
		seen_free(&s);
	}
	atomic_store(&c.stop, 1);
	pthread_join(th, NULL);
	assert_true(atomic_load(&c.ops) >= 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_cookies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_5000_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stable_between_batches, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resume_after_removed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stable_concurrent, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
