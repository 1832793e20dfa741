/*
 * tests/unit/test_tier_key.c -- tiering/tier_key.h: the canonical object
 * key (format, parse, what is not canonical), key validity
 * (tier_key_ok) and how an upload is cut into parts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <errno.h>

#include <cmocka.h>

#include "tier_backend.h"
#include "tier_key.h"

#define MiB (1024ull * 1024ull)

/* The form is pinned: objects already in a bucket are found by these
 * names, so a change to the hash or the widths must fail here. */
static void test_key_pinned(void **state)
{
	struct tier_key k = {0x0300000000001a2full, 1, 2};
	char buf[200];

	(void)state;
	assert_int_equal(tier_key_format(buf, sizeof(buf), "strata", &k),
			 (int)strlen("strata/v1/a0/0300000000001a2f-00000001-"
				     "0000000000000002"));
	assert_string_equal(buf, "strata/v1/a0/0300000000001a2f-00000001-"
				 "0000000000000002");
	k = (struct tier_key){1, 0, 0};
	tier_key_format(buf, sizeof(buf), "p", &k);
	assert_string_equal(buf, "p/v1/2c/0000000000000001-00000000-"
				 "0000000000000000");
}

static void test_key_round_trip(void **state)
{
	const struct tier_key ks[] = {
		{0, 0, 0},
		{UINT64_MAX, UINT32_MAX, UINT64_MAX},
		{0x0100000000000007ull, 3, 0x10},
		{0xfedcba9876543210ull, 0x89abcdef, 0x0123456789abcdefull},
	};
	const char *prefixes[] = {"strata", "a/b-c/D_e.f", "x"};
	char buf[TIER_KEY_MAX + 1];

	(void)state;
	for (size_t p = 0; p < 3; p++)
		for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
			struct tier_key back = {1, 1, 1};
			assert_true(tier_key_format(buf, sizeof(buf),
						    prefixes[p], &ks[i]) > 0);
			assert_true(tier_key_ok(buf, 0));
			assert_int_equal(tier_key_parse(buf, prefixes[p],
							&back),
					 0);
			assert_true(back.fileid == ks[i].fileid);
			assert_true(back.gen == ks[i].gen);
			assert_true(back.ver == ks[i].ver);
			/* hex and '-' only below the prefix */
			const char *tail = buf + strlen(prefixes[p]);
			assert_int_equal(strspn(tail, "/v0123456789abcdef-"),
					 strlen(tail));
		}
}

/* Versions of one file get distinct keys, and so do files. */
static void test_key_distinct(void **state)
{
	struct tier_key a = {42, 1, 1}, b = {42, 1, 2}, c = {42, 2, 1},
			d = {43, 1, 1};
	char ka[128], kb[128], kc[128], kd[128];

	(void)state;
	tier_key_format(ka, sizeof(ka), "s", &a);
	tier_key_format(kb, sizeof(kb), "s", &b);
	tier_key_format(kc, sizeof(kc), "s", &c);
	tier_key_format(kd, sizeof(kd), "s", &d);
	assert_string_not_equal(ka, kb);
	assert_string_not_equal(ka, kc);
	assert_string_not_equal(ka, kd);
}

static void test_key_not_canonical(void **state)
{
	struct tier_key k;
	const char *good = "strata/v1/a0/0300000000001a2f-00000001-"
			   "0000000000000002";
	const char *bad[] = {
		/* uppercase hex */
		"strata/v1/a0/0300000000001A2F-00000001-0000000000000002",
		/* the hash directory of another fileid */
		"strata/v1/a1/0300000000001a2f-00000001-0000000000000002",
		/* short and long fields */
		"strata/v1/a0/300000000001a2f-00000001-0000000000000002",
		"strata/v1/a0/0300000000001a2f-0000001-0000000000000002",
		"strata/v1/a0/0300000000001a2f-00000001-00000000000000002",
		/* a suffix, another scheme version, another prefix */
		"strata/v1/a0/0300000000001a2f-00000001-0000000000000002.t",
		"strata/v2/a0/0300000000001a2f-00000001-0000000000000002",
		"strat/v1/a0/0300000000001a2f-00000001-0000000000000002",
		"stratax/v1/a0/0300000000001a2f-00000001-0000000000000002",
		/* separators */
		"strata/v1/a0/0300000000001a2f_00000001-0000000000000002",
		"strata/v1/a0-0300000000001a2f-00000001-0000000000000002",
		"strata/v1/a0/0300000000001a2f-00000001-000000000000000g",
		"",
	};

	(void)state;
	assert_int_equal(tier_key_parse(good, "strata", &k), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tier_key_parse(bad[i], "strata", &k), -EINVAL);
}

static void test_key_format_errors(void **state)
{
	struct tier_key k = {1, 2, 3};
	char buf[128];
	const char *bad[] = {"", "/a", "a/", "a//b", "a/../b", "..", ".",
			     "a b", "a/%2f", "ä", "a\\b"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tier_key_format(buf, sizeof(buf), bad[i], &k),
				 -EINVAL);
	assert_int_equal(tier_key_format(buf, 20, "strata", &k), -ENAMETOOLONG);
}

static void test_key_ok(void **state)
{
	char longkey[TIER_KEY_MAX + 2];

	(void)state;
	assert_true(tier_key_ok("a", 0));
	assert_true(tier_key_ok("a/b.c/d-e_F9", 0));
	assert_true(tier_key_ok("a/...x", 0));
	assert_true(tier_key_ok("a/b/", 1));  /* a prefix may end in '/' */
	assert_false(tier_key_ok("a/b/", 0)); /* a key may not */
	assert_false(tier_key_ok("a/./b", 0));
	assert_false(tier_key_ok("a/../b", 1));
	assert_false(tier_key_ok("../b", 0));
	assert_false(tier_key_ok("/a", 0));
	assert_false(tier_key_ok("a//b", 1));
	assert_false(tier_key_ok("a?b", 0));
	assert_false(tier_key_ok("a=b", 0));
	assert_false(tier_key_ok("#tmp.1", 0));
	assert_false(tier_key_ok("", 1));
	assert_false(tier_key_ok(NULL, 0));
	memset(longkey, 'a', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_false(tier_key_ok(longkey, 0));
	longkey[TIER_KEY_MAX] = '\0';
	assert_true(tier_key_ok(longkey, 0));
}

/* Fileids of one shard count up from one base: the hash must still use
 * (nearly) every one of the 256 directories. */
static void test_key_hash_spreads(void **state)
{
	int seen[256] = {0}, used = 0;

	(void)state;
	for (uint64_t i = 0; i < 4096; i++)
		seen[tier_key_hash(0x0300000000000000ull + i)]++;
	for (int i = 0; i < 256; i++)
		used += seen[i] > 0;
	assert_true(used >= 250);
	for (int i = 0; i < 256; i++)
		assert_true(seen[i] < 64); /* no directory takes 4x its share */
}

/* The invariants of every plan. */
static void check_plan(uint64_t size, uint64_t thr, uint64_t target)
{
	struct tier_part_plan p;

	assert_int_equal(tier_part_plan(size, thr, target, &p), 0);
	assert_true(p.nparts >= 1 && p.nparts <= TIER_PARTS_MAX);
	if (!p.multipart) {
		assert_int_equal(p.nparts, 1);
		assert_true(p.last_size == size);
		assert_true(size <= TIER_PART_MAX);
		return;
	}
	assert_true(p.nparts >= 2);
	assert_true(p.part_size >= TIER_PART_MIN);
	assert_true(p.part_size <= TIER_PART_MAX);
	assert_true(p.last_size >= 1 && p.last_size <= p.part_size);
	assert_true((uint64_t)(p.nparts - 1) * p.part_size + p.last_size ==
		    size);
}

static void test_part_plan_edges(void **state)
{
	struct tier_part_plan p;

	(void)state;
	/* empty and small objects: one PUT */
	assert_int_equal(tier_part_plan(0, 16 * MiB, 16 * MiB, &p), 0);
	assert_false(p.multipart);
	assert_int_equal(p.nparts, 1);
	assert_true(p.last_size == 0);
	assert_int_equal(tier_part_plan(16 * MiB, 16 * MiB, 16 * MiB, &p), 0);
	assert_false(p.multipart);
	/* one byte over the threshold: a 16 MiB part and a 1-byte last */
	assert_int_equal(tier_part_plan(16 * MiB + 1, 16 * MiB, 16 * MiB, &p),
			 0);
	assert_true(p.multipart);
	assert_int_equal(p.nparts, 2);
	assert_true(p.part_size == 16 * MiB && p.last_size == 1);
	/* over the threshold but within one part: still one PUT */
	assert_int_equal(tier_part_plan(10 * MiB, 8 * MiB, 16 * MiB, &p), 0);
	assert_false(p.multipart);
	assert_true(p.last_size == 10 * MiB);
	/* a target under S3's 5 MiB minimum is raised */
	assert_int_equal(tier_part_plan(64 * MiB, 0, 1 * MiB, &p), 0);
	assert_true(p.part_size == 5 * MiB);
	assert_int_equal(p.nparts, 13);
	assert_true(p.last_size == 4 * MiB);
	/* exact multiple: the last part is full */
	assert_int_equal(tier_part_plan(64 * MiB, 0, 8 * MiB, &p), 0);
	assert_int_equal(p.nparts, 8);
	assert_true(p.last_size == 8 * MiB);
	/* 10,000 parts of the target exactly: kept */
	assert_int_equal(tier_part_plan(10000 * 16 * MiB, 0, 16 * MiB, &p), 0);
	assert_int_equal(p.nparts, 10000);
	assert_true(p.part_size == 16 * MiB);
	/* one byte more: the part grows to a whole MiB, parts <= 10,000 */
	assert_int_equal(tier_part_plan(10000 * 16 * MiB + 1, 0, 16 * MiB, &p),
			 0);
	assert_true(p.part_size == 17 * MiB);
	assert_true(p.nparts <= 10000);
	/* the largest object S3 takes, and one byte more */
	assert_int_equal(tier_part_plan(TIER_OBJECT_MAX, 0, 16 * MiB, &p), 0);
	assert_true(p.part_size == 525 * MiB); /* 5 TiB / 10,000, MiB up */
	assert_int_equal(p.nparts, 9987);
	assert_int_equal(tier_part_plan(TIER_OBJECT_MAX + 1, 0, 16 * MiB, &p),
			 -EFBIG);
	/* a target over the 5 GiB part maximum is capped */
	assert_int_equal(tier_part_plan(20ull << 30, 0, 8ull << 30, &p), 0);
	assert_true(p.part_size == TIER_PART_MAX);
	assert_int_equal(p.nparts, 4);
	/* a threshold over 5 GiB cannot make a single PUT of 6 GiB */
	assert_int_equal(tier_part_plan(6ull << 30, 8ull << 30, 16 * MiB, &p),
			 0);
	assert_true(p.multipart);
	assert_int_equal(tier_part_plan(1, 0, 0, &p), -EINVAL);
}

static void test_part_plan_sweep(void **state)
{
	const uint64_t sizes[] = {1,
				  5 * MiB - 1,
				  5 * MiB,
				  5 * MiB + 1,
				  64 * MiB - 1,
				  64 * MiB + 1,
				  (1ull << 30) + 12345,
				  160000 * MiB - 1,
				  160000 * MiB + 1,
				  (1ull << 40) + 3,
				  TIER_OBJECT_MAX - 1};
	const uint64_t targets[] = {1, 5 * MiB, 8 * MiB, 16 * MiB, 100 * MiB,
				    5ull << 30};

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]);
		     t++) {
			check_plan(sizes[i], 0, targets[t]);
			check_plan(sizes[i], 16 * MiB, targets[t]);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_pinned),
		cmocka_unit_test(test_key_round_trip),
		cmocka_unit_test(test_key_distinct),
		cmocka_unit_test(test_key_not_canonical),
		cmocka_unit_test(test_key_format_errors),
		cmocka_unit_test(test_key_ok),
		cmocka_unit_test(test_key_hash_spreads),
		cmocka_unit_test(test_part_plan_edges),
		cmocka_unit_test(test_part_plan_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
