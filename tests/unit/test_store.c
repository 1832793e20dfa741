/*
 * tests/unit/test_store.c — datastore/: stripe objects on local disk through
 * the fd cache and io_uring (docs/decisions/0010).
 *
 * Every behaviour test runs twice, on a store using io_uring and on one
 * opened with DS_STORE_NO_URING (pread/pwrite), so both paths keep the same
 * contract. Covered: missing objects read as nothing and are never created
 * by readers; round trips at unaligned offsets and across holes; stable
 * writes and commit; truncate; remove and re-create; more objects than the
 * fd cache holds; 8 threads on overlapping objects with a byte pattern
 * check; remove while other threads have I/O in flight; data
 * generations (copies side by side, one removed alone, the names, a data
 * directory of an older build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "test_ns_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

#define KiB 1024u
#define MiB (1024u * 1024u)

/* ------------------------------------------------------------------ */
/* Fixture: a fresh directory and a store in the mode named by the     */
/* prestate (0 or DS_STORE_NO_URING).                                  */
/* ------------------------------------------------------------------ */

static const unsigned mode_uring = 0;
static const unsigned mode_sync = DS_STORE_NO_URING;

struct fx {
	char *dir;
	unsigned flags;
	struct ds_store *s;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = tu_mkdtemp();
	f->flags = *(const unsigned *)*state;
	assert_int_equal(ds_store_open_opts(&f->s, f->dir, f->flags), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ds_store_close(f->s);
	tu_rmrf(f->dir);
	free(f);
	return 0;
}

/* The byte every test expects at OFF of object ID (never 0). */
static unsigned char pat(uint64_t id, uint64_t off)
{
	return (unsigned char)((id * 131u + off * 7u + (off >> 9)) % 255u + 1u);
}

static void fill(unsigned char *b, uint64_t id, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		b[i] = pat(id, off + i);
}

static void check_pat(const unsigned char *b, uint64_t id, uint64_t off,
		      size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] != pat(id, off + i))
			fail_msg("object %llu byte %llu: %u, want %u",
				 (unsigned long long)id,
				 (unsigned long long)(off + i), b[i],
				 pat(id, off + i));
}

static void check_zero(const unsigned char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (b[i])
			fail_msg("byte %zu of a hole is %u", i, b[i]);
}

/* Write the pattern to an object, made first if missing (writes never
 * make objects: store.h). */
static void put(struct ds_store *s, uint64_t id, uint32_t st, uint64_t off,
		size_t len, int stable)
{
	unsigned char *b = malloc(len ? len : 1);

	assert_non_null(b);
	fill(b, id, off, len);
	assert_int_equal(ds_store_create(s, id, st, 0), 0);
	assert_int_equal(ds_store_write(s, id, st, 0, off, b, len, stable),
			 (ssize_t)len);
	free(b);
}

/* The object's file as the store lays it out (store.h). */
static int object_exists(struct fx *f, uint64_t id, uint32_t st)
{
	char p[4200];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%02x/%016llx.%u", f->dir,
		 (unsigned)(id & 0xff), (unsigned long long)id, st);
	return stat(p, &sb) == 0;
}

static unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* ------------------------------------------------------------------ */
/* Single-threaded behaviour                                           */
/* ------------------------------------------------------------------ */

static void test_missing_object(void **state)
{
	struct fx *f = *state;
	unsigned char buf[100];

	/* A missing object is an error for reads, writes, commits and
	 * truncates to a non-zero size, and none of them makes it: a lost
	 * object must not come back as a hole (decision 0019). */
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(ds_store_read(f->s, 0x1234, 2, 0, 0, buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(ds_store_read(f->s, 0x1234, 2, 0, 12345, buf, 7),
			 -ENOENT);
	assert_int_equal(ds_store_write(f->s, 0x1234, 2, 0, 0, buf, 7, 0),
			 -ENOENT);
	assert_int_equal(ds_store_write(f->s, 0x1234, 2, 0, 4096, buf, 7, 1),
			 -ENOENT);
	assert_int_equal(ds_store_truncate(f->s, 0x1234, 2, 0, 100), -ENOENT);
	assert_int_equal(ds_store_size(f->s, 0x1234, 2, 0), -ENOENT);
	assert_int_equal(ds_store_space_used(f->s, 0x1234, 2, 0), 0);
	assert_int_equal(ds_store_commit(f->s, 0x1234, 2, 0), -ENOENT);
	assert_int_equal(ds_store_remove(f->s, 0x1234, 2, 0), 0);
	assert_false(object_exists(f, 0x1234, 2));
	assert_int_equal(ds_store_fd_cached(f->s), 0);
	assert_int_equal(ds_store_empty(f->s), 1);

	assert_int_equal(ds_store_create(f->s, 0x1234, 2, 0), 0);
	assert_true(object_exists(f, 0x1234, 2));
	assert_int_equal(ds_store_size(f->s, 0x1234, 2, 0), 0);
	assert_int_equal(ds_store_read(f->s, 0x1234, 2, 0, 0, buf, sizeof(buf)),
			 0);
	/* Creating again keeps what is there. */
	put(f->s, 0x1234, 2, 0, 10, 0);
	assert_int_equal(ds_store_create(f->s, 0x1234, 2, 0), 0);
	assert_int_equal(ds_store_size(f->s, 0x1234, 2, 0), 10);
	/* Another stripe of the same file is another object. */
	assert_int_equal(ds_store_size(f->s, 0x1234, 3, 0), -ENOENT);
	assert_int_equal(ds_store_empty(f->s), 0);
}

static void test_roundtrip_unaligned(void **state)
{
	struct fx *f = *state;
	static const struct { uint64_t off; size_t len; } io[] = {
		{ 1, 6 }, { 7, 4088 }, { 4095, 2 }, { 4097, 8191 },
		{ 12288, 53243 }, { 65531, 70001 }, { 300001, 13 },
	};
	unsigned char *b = malloc(400 * KiB);

	assert_non_null(b);
	for (size_t i = 0; i < sizeof(io) / sizeof(io[0]); i++)
		put(f->s, 77, 0, io[i].off, io[i].len, 0);
	/* Byte 0 was never written: a hole. The writes cover bytes
	 * 1..135531 without a gap, then 300001..300013. */
	assert_int_equal(ds_store_size(f->s, 77, 0, 0), 300014);
	assert_int_equal(ds_store_read(f->s, 77, 0, 0, 0, b, 1), 1);
	check_zero(b, 1);
	assert_int_equal(ds_store_read(f->s, 77, 0, 0, 1, b, 135531), 135531);
	check_pat(b, 77, 1, 135531);
	assert_int_equal(ds_store_read(f->s, 77, 0, 0, 135532, b,
				       300001 - 135532),
			 300001 - 135532);
	check_zero(b, 300001 - 135532);
	/* A read past the end comes back short; at the end, empty. */
	assert_int_equal(ds_store_read(f->s, 77, 0, 0, 300003, b, 100), 11);
	check_pat(b, 77, 300003, 11);
	assert_int_equal(ds_store_read(f->s, 77, 0, 0, 300014, b, 100), 0);
	assert_int_equal(ds_store_read(f->s, 77, 0, 0, 1ull << 40, b, 100), 0);
	/* Overwrite in the middle, unaligned, and a zero-length write. */
	put(f->s, 77, 0, 3, 5, 1);
	assert_int_equal(ds_store_write(f->s, 77, 0, 0, 9, b, 0, 0), 0);
	assert_int_equal(ds_store_read(f->s, 77, 0, 0, 0, b, 20), 20);
	check_zero(b, 1);
	check_pat(b + 1, 77, 1, 19);
	free(b);
}

static void test_hole(void **state)
{
	struct fx *f = *state;
	size_t span = 2 * MiB + 100;
	unsigned char *b = malloc(span);

	assert_non_null(b);
	put(f->s, 9, 1, 10, 90, 0);
	put(f->s, 9, 1, 2 * MiB + 3, 97, 0);
	assert_int_equal(ds_store_size(f->s, 9, 1, 0), 2 * MiB + 100);
	memset(b, 0xee, span);
	assert_int_equal(ds_store_read(f->s, 9, 1, 0, 0, b, span), (ssize_t)span);
	check_zero(b, 10);
	check_pat(b + 10, 9, 10, 90);
	check_zero(b + 100, 2 * MiB + 3 - 100);
	check_pat(b + 2 * MiB + 3, 9, 2 * MiB + 3, 97);
	/* Space used counts blocks, not the logical size. */
	assert_true(ds_store_space_used(f->s, 9, 1, 0) > 0);
	assert_true(ds_store_space_used(f->s, 9, 1, 0) < (int64_t)MiB);
	free(b);
}

static void test_large_io(void **state)
{
	struct fx *f = *state;
	size_t len = 3 * MiB + 17;
	unsigned char *b = malloc(len);

	assert_non_null(b);
	put(f->s, 5, 0, 4093, len, 1);
	memset(b, 0, len);
	assert_int_equal(ds_store_read(f->s, 5, 0, 0, 4093, b, len), (ssize_t)len);
	check_pat(b, 5, 4093, len);
	free(b);
}

static void test_stable_and_commit(void **state)
{
	struct fx *f = *state;
	unsigned char b[8192];

	put(f->s, 21, 4, 100, 5000, 1);
	put(f->s, 21, 4, 5100, 3000, 0);
	assert_int_equal(ds_store_commit(f->s, 21, 4, 0), 0);
	assert_int_equal(ds_store_commit(f->s, 21, 4, 0), 0);
	assert_int_equal(ds_store_read(f->s, 21, 4, 0, 100, b, 8000), 8000);
	check_pat(b, 21, 100, 8000);
	/* A stable write of nothing to a made object syncs it. */
	assert_int_equal(ds_store_create(f->s, 22, 0, 0), 0);
	assert_int_equal(ds_store_write(f->s, 22, 0, 0, 0, b, 0, 1), 0);
	assert_int_equal(ds_store_size(f->s, 22, 0, 0), 0);
}

static void test_truncate(void **state)
{
	struct fx *f = *state;
	unsigned char b[10000];

	put(f->s, 33, 0, 0, 10000, 0);
	assert_int_equal(ds_store_truncate(f->s, 33, 0, 0, 3000), 0);
	assert_int_equal(ds_store_size(f->s, 33, 0, 0), 3000);
	assert_int_equal(ds_store_read(f->s, 33, 0, 0, 0, b, sizeof(b)), 3000);
	check_pat(b, 33, 0, 3000);
	/* Growing again shows zeros, not the old bytes. */
	assert_int_equal(ds_store_truncate(f->s, 33, 0, 0, 8000), 0);
	assert_int_equal(ds_store_read(f->s, 33, 0, 0, 0, b, sizeof(b)), 8000);
	check_pat(b, 33, 0, 3000);
	check_zero(b + 3000, 5000);
	assert_int_equal(ds_store_truncate(f->s, 33, 0, 0, 0), 0);
	assert_int_equal(ds_store_read(f->s, 33, 0, 0, 0, b, sizeof(b)), 0);
	/* Truncating a missing object: to a size it would hold lost bytes
	 * as zeros (refused); to 0 it holds nothing (made, empty). */
	assert_int_equal(ds_store_truncate(f->s, 34, 0, 0, 4096), -ENOENT);
	assert_int_equal(ds_store_size(f->s, 34, 0, 0), -ENOENT);
	assert_int_equal(ds_store_truncate(f->s, 34, 0, 0, 0), 0);
	assert_int_equal(ds_store_size(f->s, 34, 0, 0), 0);
}

static void test_remove_recreate(void **state)
{
	struct fx *f = *state;
	unsigned char b[4096];

	put(f->s, 44, 1, 0, 4096, 1);
	assert_int_equal(ds_store_size(f->s, 44, 1, 0), 4096);
	assert_int_equal(ds_store_remove(f->s, 44, 1, 0), 0);
	assert_false(object_exists(f, 44, 1));
	assert_int_equal(ds_store_size(f->s, 44, 1, 0), -ENOENT);
	assert_int_equal(ds_store_read(f->s, 44, 1, 0, 0, b, sizeof(b)), -ENOENT);
	assert_int_equal(ds_store_space_used(f->s, 44, 1, 0), 0);
	assert_false(object_exists(f, 44, 1));
	/* Re-created: a new, empty file, not the old one. */
	assert_int_equal(ds_store_create(f->s, 44, 1, 0), 0);
	assert_int_equal(ds_store_size(f->s, 44, 1, 0), 0);
	assert_int_equal(ds_store_read(f->s, 44, 1, 0, 0, b, sizeof(b)), 0);
	/* Remove again: a write does not bring it back; made again, it
	 * holds only the new bytes. */
	assert_int_equal(ds_store_remove(f->s, 44, 1, 0), 0);
	assert_int_equal(ds_store_write(f->s, 44, 1, 0, 1000, b, 10, 0), -ENOENT);
	assert_false(object_exists(f, 44, 1));
	put(f->s, 44, 1, 1000, 10, 0);
	assert_int_equal(ds_store_read(f->s, 44, 1, 0, 0, b, sizeof(b)), 1010);
	check_zero(b, 1000);
	check_pat(b + 1000, 44, 1000, 10);
	/* Removing a missing object is not an error. */
	assert_int_equal(ds_store_remove(f->s, 44, 1, 0), 0);
	assert_int_equal(ds_store_remove(f->s, 44, 1, 0), 0);
}

/* A write that crosses RLIMIT_FSIZE comes back short from the kernel: the
 * rest is resubmitted (a linked datasync is cancelled by the short write
 * and owed again) and fails with EFBIG, as pwrite in a loop would. */
static void test_short_write(void **state)
{
	struct fx *f = *state;
	struct rlimit old, lim;
	unsigned char b[12000];
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 10000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	fill(b, 51, 0, sizeof(b));
	assert_int_equal(ds_store_create(f->s, 51, 0, 0), 0);
	assert_int_equal(ds_store_create(f->s, 52, 0, 0), 0);
	assert_int_equal(ds_store_write(f->s, 51, 0, 0, 0, b, sizeof(b), 1),
			 -EFBIG);
	assert_int_equal(ds_store_write(f->s, 52, 0, 0, 0, b, sizeof(b), 0),
			 -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(ds_store_size(f->s, 51, 0, 0), 10000);
	memset(b, 0, sizeof(b));
	assert_int_equal(ds_store_read(f->s, 51, 0, 0, 0, b, sizeof(b)), 10000);
	check_pat(b, 51, 0, 10000);
	assert_int_equal(ds_store_size(f->s, 52, 0, 0), 10000);
}

static void test_uring_active(void **state)
{
	struct fx *f = *state;
	struct ds_store *s = NULL;

	assert_int_equal(ds_store_uring_active(f->s),
			 f->flags & DS_STORE_NO_URING ? 0 : 1);
	assert_int_equal(ds_store_open(&s, f->dir), 0);
	assert_int_equal(ds_store_uring_active(s), 1);
	ds_store_close(s);
}

/* Bytes written by one mode read back the same in the other. */
static void test_cross_mode(void **state)
{
	struct fx *f = *state;
	unsigned other = f->flags ^ DS_STORE_NO_URING;
	struct ds_store *s = NULL;
	unsigned char b[20000];

	put(f->s, 61, 0, 5, 12345, 1);
	ds_store_close(f->s);
	assert_int_equal(ds_store_open_opts(&s, f->dir, other), 0);
	assert_int_equal(ds_store_read(s, 61, 0, 0, 0, b, sizeof(b)), 12350);
	check_zero(b, 5);
	check_pat(b + 5, 61, 5, 12345);
	put(s, 62, 3, 7, 999, 0);
	ds_store_close(s);
	assert_int_equal(ds_store_open_opts(&f->s, f->dir, f->flags), 0);
	assert_int_equal(ds_store_read(f->s, 62, 3, 0, 7, b, 2000), 999);
	check_pat(b, 62, 7, 999);
}

/* Three times more objects than the cache holds: the cache stays within
 * its size and every object still reads back. */
static void test_eviction(void **state)
{
	struct fx *f = *state;
	const unsigned n = 3 * DS_STORE_FD_CACHE_SIZE - 72;
	unsigned base = open_fds();
	unsigned char b[400];

	for (unsigned i = 0; i < n; i++) {
		uint64_t id = 0x10000 + i;

		put(f->s, id, i % 3, i % 50, 100 + i % 200, i % 97 == 0);
		assert_true(ds_store_fd_cached(f->s) <= DS_STORE_FD_CACHE_SIZE);
	}
	/* The cache plus the ring pool, with room for stray descriptors. */
	assert_true(open_fds() <= base + DS_STORE_FD_CACHE_SIZE + 64);
	for (unsigned i = 0; i < n; i++) {
		uint64_t id = 0x10000 + i;
		size_t want = i % 50 + 100 + i % 200;

		assert_int_equal(ds_store_size(f->s, id, i % 3, 0), (int64_t)want);
		assert_int_equal(ds_store_read(f->s, id, i % 3, 0, 0, b, sizeof(b)),
				 (ssize_t)want);
		check_zero(b, i % 50);
		check_pat(b + i % 50, id, i % 50, want - i % 50);
		if (i % 101 == 0)
			assert_int_equal(ds_store_commit(f->s, id, i % 3, 0), 0);
	}
	assert_true(ds_store_fd_cached(f->s) > 0);
	assert_true(ds_store_fd_cached(f->s) <= DS_STORE_FD_CACHE_SIZE);
	/* Removing evicted and cached objects alike. */
	for (unsigned i = 0; i < n; i += 7)
		assert_int_equal(ds_store_remove(f->s, 0x10000 + i, i % 3, 0), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(ds_store_size(f->s, 0x10000 + i, i % 3, 0) < 0,
				 i % 7 == 0);
}

/* ------------------------------------------------------------------ */
/* Threads                                                             */
/* ------------------------------------------------------------------ */

#define NTHREADS 8
#define NOBJ 6
#define OBJ_SIZE (96 * KiB)
#define OPS 400

struct shared {
	struct ds_store *s;
	/* 1 where a write that covered the byte has returned. */
	atomic_uchar written[NOBJ][OBJ_SIZE];
	atomic_int bad;
};

struct worker {
	struct shared *sh;
	unsigned seed;
	pthread_t t;
};

/* Every byte read is the pattern or a hole (a read can overlap a write
 * in progress, so it may see a mix, but never anything else). */
static int read_ok(struct shared *sh, unsigned obj, uint64_t off, size_t len,
		   unsigned char *b)
{
	ssize_t n = ds_store_read(sh->s, obj, obj % 2, 0, off, b, len);

	if (n < 0 || (size_t)n > len)
		return 0;
	for (ssize_t i = 0; i < n; i++)
		if (b[i] && b[i] != pat(obj, off + (uint64_t)i))
			return 0;
	return 1;
}

static int write_ok(struct shared *sh, unsigned obj, uint64_t off, size_t len,
		    unsigned char *b, int stable)
{
	fill(b, obj, off, len);
	if (ds_store_write(sh->s, obj, obj % 2, 0, off, b, len, stable) !=
	    (ssize_t)len)
		return 0;
	for (size_t i = 0; i < len; i++)
		sh->written[obj][off + i] = 1;
	return 1;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	unsigned char *b = malloc(16 * KiB);

	for (int i = 0; b && i < OPS; i++) {
		unsigned obj = (unsigned)rand_r(&w->seed) % NOBJ;
		uint64_t off = (unsigned)rand_r(&w->seed) % (OBJ_SIZE - 1);
		size_t len = 1 + (unsigned)rand_r(&w->seed) % (16 * KiB);
		unsigned op = (unsigned)rand_r(&w->seed) % 10;
		int ok = 1;

		if (off + len > OBJ_SIZE)
			len = OBJ_SIZE - off;
		/* Few syncs: each one is a disk flush. */
		if (op < 4)
			ok = write_ok(sh, obj, off, len, b,
				      op == 0 && i % 8 == 0);
		else if (op < 8)
			ok = read_ok(sh, obj, off, len, b);
		else if (op == 8 && i % 8 == 0)
			ok = ds_store_commit(sh->s, obj, obj % 2, 0) == 0;
		else
			ok = ds_store_size(sh->s, obj, obj % 2, 0) >= 0 ||
			     ds_store_size(sh->s, obj, obj % 2, 0) == -ENOENT;
		if (!ok)
			atomic_fetch_add(&sh->bad, 1);
	}
	if (!b)
		atomic_fetch_add(&sh->bad, 1);
	free(b);
	return NULL;
}

static void test_threads(void **state)
{
	struct fx *f = *state;
	struct shared *sh = calloc(1, sizeof(*sh));
	struct worker w[NTHREADS];
	unsigned char *b = malloc(OBJ_SIZE);

	assert_non_null(sh);
	assert_non_null(b);
	sh->s = f->s;
	for (unsigned obj = 0; obj < NOBJ; obj++)
		assert_int_equal(ds_store_create(f->s, obj, obj % 2, 0), 0);
	for (int i = 0; i < NTHREADS; i++) {
		w[i].sh = sh;
		w[i].seed = 1000u + (unsigned)i;
		assert_int_equal(pthread_create(&w[i].t, NULL, worker_main,
						&w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(w[i].t, NULL);
	assert_int_equal(atomic_load(&sh->bad), 0);
	/* Afterwards: exactly the bytes some write covered hold the
	 * pattern, all others are holes or past the end. */
	for (unsigned obj = 0; obj < NOBJ; obj++) {
		ssize_t n = ds_store_read(f->s, obj, obj % 2, 0, 0, b, OBJ_SIZE);

		assert_true(n >= 0);
		for (size_t i = 0; i < OBJ_SIZE; i++) {
			int want = sh->written[obj][i];

			if ((ssize_t)i >= n)
				assert_int_equal(want, 0);
			else if (want)
				assert_int_equal(b[i], pat(obj, i));
			else
				assert_int_equal(b[i], 0);
		}
	}
	free(b);
	free(sh);
}

/* Removers and I/O on the same object at once. */
#define RM_OBJ 900
#define RM_LEN (256 * KiB)
#define RM_ROUNDS 60

struct rm_shared {
	struct ds_store *s;
	atomic_int io_left; /* I/O threads still running */
	atomic_int bad;
};

static void *rm_io_main(void *arg)
{
	struct rm_shared *sh = arg;
	unsigned char *b = malloc(RM_LEN);
	unsigned char *r = malloc(RM_LEN);

	for (int i = 0; b && r && i < RM_ROUNDS; i++) {
		ssize_t n;

		fill(b, RM_OBJ, 0, RM_LEN);
		/* The object comes and goes: -ENOENT is a fine answer,
		 * anything else but the whole length is not. */
		n = ds_store_write(sh->s, RM_OBJ, 0, 0, 0, b, RM_LEN, i % 8 == 0);
		if (n != (ssize_t)RM_LEN && n != -ENOENT)
			atomic_fetch_add(&sh->bad, 1);
		n = ds_store_read(sh->s, RM_OBJ, 0, 0, 0, r, RM_LEN);
		if ((n < 0 && n != -ENOENT) || n > (ssize_t)RM_LEN)
			atomic_fetch_add(&sh->bad, 1);
		for (ssize_t j = 0; n > 0 && j < n; j++)
			if (r[j] && r[j] != pat(RM_OBJ, (uint64_t)j)) {
				atomic_fetch_add(&sh->bad, 1);
				break;
			}
		if (i % 4 == 1) {
			int rc = ds_store_commit(sh->s, RM_OBJ, 0, 0);

			if (rc != 0 && rc != -ENOENT)
				atomic_fetch_add(&sh->bad, 1);
		}
	}
	if (!b || !r)
		atomic_fetch_add(&sh->bad, 1);
	free(b);
	free(r);
	atomic_fetch_sub(&sh->io_left, 1);
	return NULL;
}

static void *rm_remover_main(void *arg)
{
	struct rm_shared *sh = arg;

	while (atomic_load(&sh->io_left) > 0) {
		int64_t sz;

		if (ds_store_remove(sh->s, RM_OBJ, 0, 0) != 0)
			atomic_fetch_add(&sh->bad, 1);
		sz = ds_store_size(sh->s, RM_OBJ, 0, 0);
		if (sz < 0 && sz != -ENOENT)
			atomic_fetch_add(&sh->bad, 1);
		if (ds_store_truncate(sh->s, RM_OBJ, 0, 0, 0) != 0)
			atomic_fetch_add(&sh->bad, 1);
		if (ds_store_create(sh->s, RM_OBJ, 0, 0) != 0)
			atomic_fetch_add(&sh->bad, 1);
	}
	return NULL;
}

static void test_remove_in_flight(void **state)
{
	struct fx *f = *state;
	struct rm_shared sh = { .s = f->s };
	pthread_t io[3], rm[2];
	unsigned char b[8192];

	/* A bystander object that must come out untouched. */
	put(f->s, RM_OBJ + 1, 0, 0, sizeof(b), 1);
	atomic_store(&sh.io_left, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&io[i], NULL, rm_io_main, &sh),
				 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&rm[i], NULL, rm_remover_main,
						&sh), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(io[i], NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(rm[i], NULL);
	assert_int_equal(atomic_load(&sh.bad), 0);

	assert_int_equal(ds_store_read(f->s, RM_OBJ + 1, 0, 0, 0, b, sizeof(b)),
			 (ssize_t)sizeof(b));
	check_pat(b, RM_OBJ + 1, 0, sizeof(b));
	/* The contested object still works as a fresh one. */
	assert_int_equal(ds_store_remove(f->s, RM_OBJ, 0, 0), 0);
	assert_int_equal(ds_store_size(f->s, RM_OBJ, 0, 0), -ENOENT);
	put(f->s, RM_OBJ, 0, 10, 100, 1);
	assert_int_equal(ds_store_read(f->s, RM_OBJ, 0, 0, 0, b, sizeof(b)), 110);
	check_zero(b, 10);
	check_pat(b + 10, RM_OBJ, 10, 100);
}

/* ------------------------------------------------------------------ */
/* Data generations (docs/decisions/0030-data-generations.md): a      */
/* file's copies are named by (fileid, generation), side by side;     */
/* each is read, written and removed alone; generation 0 keeps the    */
/* name data directories of older builds use; a generation never made */
/* is -ENOENT, never a hole (decision 0019).                          */
/* ------------------------------------------------------------------ */

static void put_text(struct ds_store *s, uint64_t id, uint32_t st,
		     uint64_t gen, const char *text)
{
	size_t n = strlen(text);

	assert_int_equal(ds_store_create(s, id, st, gen), 0);
	assert_int_equal(ds_store_write(s, id, st, gen, 0, text, n, 1),
			 (ssize_t)n);
}

static void expect_text(struct ds_store *s, uint64_t id, uint32_t st,
			uint64_t gen, const char *text)
{
	char buf[64];
	size_t n = strlen(text);

	memset(buf, 0, sizeof(buf));
	assert_int_equal(ds_store_read(s, id, st, gen, 0, buf, sizeof(buf)),
			 (ssize_t)n);
	assert_memory_equal(buf, text, n);
	assert_int_equal(ds_store_size(s, id, st, gen), (int64_t)n);
}

static int name_exists(struct fx *f, const char *rel)
{
	char p[4200];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", f->dir, rel);
	return stat(p, &sb) == 0;
}

/* The names: generation 0 as before (NN/<fileid>.<stripe>), others with
 * ".g<hex>" after it; pure, and too small a buffer is refused. */
static void test_object_names(void **state)
{
	char b[DS_STORE_NAME_MAX];

	(void)state;
	assert_int_equal(ds_store_object_name(0x1234, 2, 0, b, sizeof(b)), 0);
	assert_string_equal(b, "34/0000000000001234.2");
	assert_int_equal(ds_store_object_name(0x1234, 2, 1, b, sizeof(b)), 0);
	assert_string_equal(b, "34/0000000000001234.2.g1");
	assert_int_equal(ds_store_object_name(0xffffffffffffffffull,
					      4294967295u,
					      0xffffffffffffffffull, b,
					      sizeof(b)),
			 0);
	assert_string_equal(b, "ff/ffffffffffffffff.4294967295."
			       "gffffffffffffffff");
	assert_int_equal(ds_store_object_name(0x1234, 2, 0xab, b, 10),
			 -ENAMETOOLONG);
}

/* Two copies of one stripe object, side by side: each reads its own
 * bytes, each has its own file under the documented name, and writing
 * one leaves the other as it was. */
static void test_copies_side_by_side(void **state)
{
	struct fx *f = *state;
	char n0[DS_STORE_NAME_MAX], n1[DS_STORE_NAME_MAX];

	put_text(f->s, 0x77, 1, 0, "generation zero");
	put_text(f->s, 0x77, 1, 1, "generation one, longer");
	expect_text(f->s, 0x77, 1, 0, "generation zero");
	expect_text(f->s, 0x77, 1, 1, "generation one, longer");
	assert_int_equal(ds_store_object_name(0x77, 1, 0, n0, sizeof(n0)), 0);
	assert_int_equal(ds_store_object_name(0x77, 1, 1, n1, sizeof(n1)), 0);
	assert_true(name_exists(f, n0));
	assert_true(name_exists(f, n1));
	/* An overwrite of generation 1 through the fd cache: generation 0
	 * (cached too) is untouched. */
	assert_int_equal(ds_store_write(f->s, 0x77, 1, 1, 0, "GENERATION", 10,
					0),
			 10);
	expect_text(f->s, 0x77, 1, 0, "generation zero");
	expect_text(f->s, 0x77, 1, 1, "GENERATION one, longer");
	/* A cut of one does not cut the other. */
	assert_int_equal(ds_store_truncate(f->s, 0x77, 1, 0, 4), 0);
	expect_text(f->s, 0x77, 1, 0, "gene");
	expect_text(f->s, 0x77, 1, 1, "GENERATION one, longer");
}

/* Removing a copy removes that generation's object only, even while the
 * other is in the fd cache; a generation never made is -ENOENT for every
 * call but create (no zeros, decision 0019). */
static void test_remove_one_generation(void **state)
{
	struct fx *f = *state;
	char buf[16];

	put_text(f->s, 0x99, 0, 3, "old copy");
	put_text(f->s, 0x99, 0, 4, "new copy");
	expect_text(f->s, 0x99, 0, 3, "old copy");
	assert_int_equal(ds_store_remove(f->s, 0x99, 0, 3), 0);
	assert_int_equal(ds_store_size(f->s, 0x99, 0, 3), -ENOENT);
	assert_int_equal(ds_store_read(f->s, 0x99, 0, 3, 0, buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(ds_store_write(f->s, 0x99, 0, 3, 0, "x", 1, 0),
			 -ENOENT);
	assert_int_equal(ds_store_commit(f->s, 0x99, 0, 3), -ENOENT);
	expect_text(f->s, 0x99, 0, 4, "new copy");
	/* Removing a missing generation is not an error, and removes
	 * nothing else. */
	assert_int_equal(ds_store_remove(f->s, 0x99, 0, 3), 0);
	assert_int_equal(ds_store_remove(f->s, 0x99, 0, 5), 0);
	expect_text(f->s, 0x99, 0, 4, "new copy");
	/* No generation 0 was ever made: it is missing, not a hole. */
	assert_int_equal(ds_store_read(f->s, 0x99, 0, 0, 0, buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(ds_store_space_used(f->s, 0x99, 0, 0), 0);
	assert_true(ds_store_space_used(f->s, 0x99, 0, 4) > 0);
}

/* A data directory from a build before generations: its objects are
 * files NN/<fileid>.<stripe>, written here by hand the way that build
 * did. A new store on it reads them as generation 0, with their bytes;
 * the same file at generation 1 is missing (-ENOENT), not zeros. */
static void test_older_data_dir(void **state)
{
	struct fx *f = *state;
	char p[4200], buf[32];
	const char *text = "written by an older build";
	int fd;

	ds_store_close(f->s);
	f->s = NULL;
	snprintf(p, sizeof(p), "%s/%02x/%016llx.%u", f->dir, 0x5a,
		 (unsigned long long)0xabc5a, 1u);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(ds_store_open_opts(&f->s, f->dir, f->flags), 0);
	assert_int_equal(ds_store_empty(f->s), 0);
	expect_text(f->s, 0xabc5a, 1, 0, text);
	assert_int_equal(ds_store_read(f->s, 0xabc5a, 1, 1, 0, buf,
				       sizeof(buf)),
			 -ENOENT);
	assert_int_equal(ds_store_size(f->s, 0xabc5a, 1, 1), -ENOENT);
}

/* ------------------------------------------------------------------ */

#define BOTH(t)                                                             \
	cmocka_unit_test_prestate_setup_teardown(t, setup, teardown,        \
						 (void *)&mode_uring),      \
	cmocka_unit_test_prestate_setup_teardown(t, setup, teardown,        \
						 (void *)&mode_sync)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_missing_object),
		BOTH(test_roundtrip_unaligned),
		BOTH(test_hole),
		BOTH(test_large_io),
		BOTH(test_stable_and_commit),
		BOTH(test_truncate),
		BOTH(test_remove_recreate),
		BOTH(test_short_write),
		BOTH(test_uring_active),
		BOTH(test_cross_mode),
		BOTH(test_eviction),
		BOTH(test_threads),
		BOTH(test_remove_in_flight),
		cmocka_unit_test(test_object_names),
		BOTH(test_copies_side_by_side),
		BOTH(test_remove_one_generation),
		BOTH(test_older_data_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
