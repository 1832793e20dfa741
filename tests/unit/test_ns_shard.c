/*
 * tests/unit/test_ns_shard.c — placement: the hash is pinned, entries and
 * their new inodes share a shard, and names spread evenly.
 */
#include <stdio.h>
#include <string.h>

#include "test_ns_util.h"

struct fx {
	char *dir;
	struct ns *ns;
};

static int open_with(void **state, unsigned nshards)
{
	struct fx *f = calloc(1, sizeof *f);

	f->dir = tu_mkdtemp();
	f->ns = tu_open(f->dir, nshards);
	assert_int_equal(ns_test_set_nosync(f->ns, 1), 0);
	*state = f;
	return 0;
}

static int setup16(void **state)
{
	return open_with(state, 16);
}

static int setup7(void **state)
{
	return open_with(state, 7);
}

static int setup256(void **state)
{
	return open_with(state, 256);
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

/*
 * Golden values computed outside this code base (FNV-1a 64 over the parent
 * big-endian and the name, then fmix64). If this fails, the placement hash
 * changed and every existing namespace would lose its entries.
 */
static void test_hash_pinned_16(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ns_entry_shard(f->ns, 1, "a", 1), 4);
	assert_int_equal(ns_entry_shard(f->ns, 1, "hello", 5), 10);
	assert_int_equal(ns_entry_shard(f->ns, 0x0300000000000002ull, "file-42", 7),
			 7);
	assert_int_equal(ns_entry_shard(f->ns, 1, "\xff\xfe", 2), 0);
}

static void test_hash_pinned_7(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ns_entry_shard(f->ns, 1, "a", 1), 2);
	assert_int_equal(ns_entry_shard(f->ns, 1, "hello", 5), 2);
	assert_int_equal(ns_entry_shard(f->ns, 0x0300000000000002ull, "file-42", 7),
			 3);
}

static void test_hash_pinned_256(void **state)
{
	struct fx *f = *state;
	char x255[255];

	memset(x255, 'x', sizeof x255);
	assert_int_equal(ns_entry_shard(f->ns, 1, "a", 1), 52);
	assert_int_equal(ns_entry_shard(f->ns, 1, "\xff\xfe", 2), 128);
	assert_int_equal(ns_entry_shard(f->ns, 0x00ff0000000000abull, x255, 255),
			 149);
}

/* The new inode is allocated on its entry's shard, for every type. */
static void test_inode_on_entry_shard(void **state)
{
	struct fx *f = *state;
	const uint32_t types[] = { NS_REG, NS_DIR, NS_LNK, NS_FIFO };
	uint64_t parent = NS_ROOT_FILEID;

	for (int i = 0; i < 400; i++) {
		char name[32];
		uint32_t type = types[i % 4];
		snprintf(name, sizeof name, "e%d", i);
		uint64_t id = tu_create(f->ns, parent, name, type);
		assert_int_equal(ns_fileid_shard(id),
				 ns_entry_shard(f->ns, parent, name, strlen(name)));
		assert_true(ns_fileid_shard(id) < ns_nshards(f->ns));
		if (type == NS_DIR && i % 40 == 1)
			parent = id; /* go deeper now and then */
	}
}

static void check_spread(struct ns *ns, uint64_t parent, unsigned n)
{
	unsigned s = ns_nshards(ns);
	unsigned counts[256] = { 0 };
	double expect = (double)n / s;

	for (unsigned i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "file-%u", i);
		counts[ns_entry_shard(ns, parent, name, strlen(name))]++;
	}
	for (unsigned i = 0; i < s; i++) {
		/* +-15% of the mean: over 4 standard deviations at n=10000 */
		if (counts[i] < expect * 0.85 || counts[i] > expect * 1.15)
			fail_msg("shard %u got %u of %u (mean %.0f)", i,
				 counts[i], n, expect);
	}
}

static void test_distribution(void **state)
{
	struct fx *f = *state;

	check_spread(f->ns, NS_ROOT_FILEID, 10000);
	check_spread(f->ns, 0x0500000000000123ull, 10000);
}

/* Real creates land evenly too (inodes counted per shard by fileid). */
static void test_distribution_created(void **state)
{
	struct fx *f = *state;
	unsigned s = ns_nshards(f->ns), counts[256] = { 0 };
	uint64_t d = tu_create(f->ns, NS_ROOT_FILEID, "big", NS_DIR);
	const unsigned n = 2000;

	for (unsigned i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "f%u", i);
		counts[ns_fileid_shard(tu_create(f->ns, d, name, NS_REG))]++;
	}
	for (unsigned i = 0; i < s; i++)
		assert_true(counts[i] > n / s / 2 && counts[i] < n / s * 2);
	assert_int_equal(tu_getattr(f->ns, d).size, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hash_pinned_16, setup16,
						teardown),
		cmocka_unit_test_setup_teardown(test_hash_pinned_7, setup7,
						teardown),
		cmocka_unit_test_setup_teardown(test_hash_pinned_256, setup256,
						teardown),
		cmocka_unit_test_setup_teardown(test_inode_on_entry_shard, setup16,
						teardown),
		cmocka_unit_test_setup_teardown(test_distribution, setup16,
						teardown),
		cmocka_unit_test_setup_teardown(test_distribution, setup7,
						teardown),
		cmocka_unit_test_setup_teardown(test_distribution_created, setup16,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
