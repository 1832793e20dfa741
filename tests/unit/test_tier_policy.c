/*
 * tests/unit/test_tier_policy.c -- offload and release selection
 * (tiering/tier_policy.c), a pure function: subtree rules, minimum size,
 * idle times since access and since modification, busy files, oldest
 * first, release after a retention time, the high and low watermarks,
 * and bad policies refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ns.h"
#include "tier_policy.h"

#define NOW 100000
#define MAXF 16

static const struct tier_rule rules[] = {
	{ .path = "/scratch", .never = 1 },
	{ .path = "/proj/", .min_size = 10, .access_idle = 100,
	  .modify_idle = 1000, .release_after = 500 },
	{ .path = "/", .min_size = 1000, .access_idle = 50,
	  .modify_idle = 50 },
};

static struct tier_policy pol = { rules, 3, 0, 0, 0 };

static struct tier_file file(uint64_t id, const char *path, uint64_t size,
			     int64_t age_a, int64_t age_m, uint32_t res)
{
	return (struct tier_file){ .fileid = id, .path = path, .size = size,
				   .atime = NOW - age_a, .mtime = NOW - age_m,
				   .residency = res };
}

/* Select among F[0..N); the picks' fileids, 0-terminated. */
static void run(const struct tier_policy *p, const struct tier_file *f,
		size_t n, const struct tier_fill *fill, uint64_t *off,
		uint64_t *rel)
{
	size_t io[MAXF], ir[MAXF];
	struct tier_picks pk = { io, 0, ir, 0 };

	assert_int_equal(tier_policy_select(p, f, n, NOW, fill, &pk), 0);
	for (size_t i = 0; i < pk.noffload; i++)
		off[i] = f[io[i]].fileid;
	off[pk.noffload] = 0;
	for (size_t i = 0; i < pk.nrelease; i++)
		rel[i] = f[ir[i]].fileid;
	rel[pk.nrelease] = 0;
}

static void test_rule_match(void **state)
{
	(void)state;
	assert_ptr_equal(tier_policy_rule(&pol, "/scratch/x"), &rules[0]);
	assert_ptr_equal(tier_policy_rule(&pol, "/scratch"), &rules[0]);
	assert_ptr_equal(tier_policy_rule(&pol, "/scratchy"), &rules[2]);
	assert_ptr_equal(tier_policy_rule(&pol, "/proj/a/b"), &rules[1]);
	assert_ptr_equal(tier_policy_rule(&pol, "/projx"), &rules[2]);
	struct tier_policy none = { rules, 2, 0, 0, 0 };
	assert_null(tier_policy_rule(&none, "/home/f"));
}

static void test_offload_filters_and_order(void **state)
{
	struct tier_file f[] = {
		file(1, "/home/a", 5000, 60, 60, NS_RES_LOCAL),	/* yes */
		file(2, "/home/b", 999, 60, 60, NS_RES_LOCAL),	/* small */
		file(3, "/home/c", 5000, 40, 60, NS_RES_LOCAL),	/* read */
		file(4, "/home/d", 5000, 60, 40, NS_RES_LOCAL),	/* written */
		file(5, "/scratch/e", 5000, 900, 900, NS_RES_LOCAL),
		file(6, "/proj/f", 10, 200, 2000, NS_RES_LOCAL), /* yes */
		file(7, "/proj/g", 10, 200, 999, NS_RES_LOCAL), /* written */
		file(8, "/home/h", 5000, 70, 70, NS_RES_BOTH),	/* done */
		file(9, "/home/i", 5000, 80, 80, NS_RES_LOCAL), /* yes */
		file(10, "/home/j", 5000, 80, 80, NS_RES_LOCAL), /* busy */
		file(11, "/home/k", 5000, 2000, 60, NS_RES_LOCAL), /* yes */
	};
	uint64_t off[MAXF], rel[MAXF];

	(void)state;
	f[9].busy = 1;
	run(&pol, f, 11, NULL, off, rel);
	/* Oldest first by the later of access and modification: 6 (200),
	 * 9 (80), then 1 and 11 (60 both: by fileid). */
	assert_true(off[0] == 6 && off[1] == 9 && off[2] == 1 &&
		    off[3] == 11 && off[4] == 0);
	assert_true(rel[0] == 0);
}

static void test_release_after(void **state)
{
	struct tier_file f[] = {
		file(1, "/proj/a", 100, 10000, 10000, NS_RES_BOTH),
		file(2, "/proj/b", 100, 10000, 10000, NS_RES_BOTH),
		file(3, "/home/c", 5000, 10000, 10000, NS_RES_BOTH), /* no rule */
		file(4, "/proj/d", 100, 10000, 10000, NS_RES_OFFLOADED),
		/* BOTH long ago (a recall's clock lost), read 10 s ago */
		file(5, "/proj/e", 100, 10, 10000, NS_RES_BOTH),
	};
	uint64_t off[MAXF], rel[MAXF];

	(void)state;
	f[0].both_since = NOW - 500; /* due */
	f[1].both_since = NOW - 499;
	f[2].both_since = 0;
	f[4].both_since = NOW - 5000; /* due by BOTH, not by its last use */
	run(&pol, f, 5, NULL, off, rel);
	assert_true(rel[0] == 1 && rel[1] == 0);
	assert_true(off[0] == 0);
}

static void test_watermarks(void **state)
{
	struct tier_policy p = pol;
	struct tier_fill fill = { 900, 1000 };
	struct tier_file f[] = {
		file(1, "/home/a", 100, 5, 5, NS_RES_BOTH),
		file(2, "/home/b", 150, 1000, 1000, NS_RES_BOTH), /* oldest */
		file(3, "/home/c", 100, 30, 30, NS_RES_BOTH),
		file(4, "/home/d", 100, 3000, 3000, NS_RES_BOTH), /* busy */
	};
	uint64_t off[MAXF], rel[MAXF];

	(void)state;
	f[3].busy = 1;
	p.high_pct = 85;
	p.low_pct = 70;
	/* 900 of 1000: 200 bytes to free to reach 70 %: 2 (150), 3 (100). */
	run(&p, f, 4, &fill, off, rel);
	assert_true(rel[0] == 2 && rel[1] == 3 && rel[2] == 0);
	/* Below the high mark: nothing. */
	fill.used = 849;
	run(&p, f, 4, &fill, off, rel);
	assert_true(rel[0] == 0 && off[0] == 0);
	/* Exactly at it: released down to the low mark. */
	fill.used = 850;
	run(&p, f, 4, &fill, off, rel);
	assert_true(rel[0] == 2 && rel[1] == 0);
	/* Two nodes release from the same data servers (decision 0037):
	 * each frees half of the 200 bytes, so the oldest (150) alone. */
	fill.used = 900;
	p.owners = 2;
	run(&p, f, 4, &fill, off, rel);
	assert_true(rel[0] == 2 && rel[1] == 0);
}

static void test_watermark_offloads_more(void **state)
{
	struct tier_policy p = pol;
	struct tier_fill fill = { 950, 1000 };
	struct tier_file f[] = {
		file(1, "/home/a", 100, 5, 5, NS_RES_BOTH),
		file(2, "/home/b", 2000, 10, 10, NS_RES_LOCAL), /* not idle */
		file(3, "/home/c", 2000, 20, 20, NS_RES_LOCAL), /* not idle */
		file(4, "/home/d", 500, 20, 20, NS_RES_LOCAL),	/* small */
		file(5, "/scratch/e", 5000, 30, 30, NS_RES_LOCAL),
	};
	uint64_t off[MAXF], rel[MAXF];

	(void)state;
	p.high_pct = 90;
	p.low_pct = 70;
	/* 250 to free, 100 by releasing 1: 150 more to offload, oldest
	 * eligible first (3), and that covers it. */
	run(&p, f, 5, &fill, off, rel);
	assert_true(rel[0] == 1 && rel[1] == 0);
	assert_true(off[0] == 3 && off[1] == 0);
}

/* Across passes: the high mark seen once, passes go on releasing down to
 * the low mark though the fill is back under the high one (the first
 * pass could only offload); a fill at the low mark ends it. */
static void test_watermark_hysteresis(void **state)
{
	struct tier_policy p = pol, pass;
	struct tier_fill fill = { 577, 1000 };
	struct tier_file f[] = {
		file(1, "/home/a", 71, 5, 5, NS_RES_BOTH),
		file(2, "/home/b", 71, 1000, 1000, NS_RES_BOTH),
		file(3, "/home/c", 71, 30, 30, NS_RES_BOTH),
	};
	uint64_t off[MAXF], rel[MAXF];
	int draining = 0;

	(void)state;
	p.high_pct = 55;
	p.low_pct = 20;
	/* no fill to act on: nothing changes */
	tier_policy_hysteresis(&p, NULL, &draining, &pass);
	assert_int_equal(draining, 0);
	assert_int_equal(pass.high_pct, 55);
	/* 57.7 %: at the high mark */
	tier_policy_hysteresis(&p, &fill, &draining, &pass);
	assert_int_equal(draining, 1);
	assert_int_equal(pass.high_pct, 20);
	/* 50.3 % after one release: under the high mark, still draining;
	 * without the hysteresis this pass releases nothing */
	fill.used = 503;
	run(&p, f, 3, &fill, off, rel);
	assert_true(rel[0] == 0);
	tier_policy_hysteresis(&p, &fill, &draining, &pass);
	assert_int_equal(draining, 1);
	run(&pass, f, 3, &fill, off, rel);
	assert_true(rel[0] == 2 && rel[1] == 3 && rel[2] == 1 && rel[3] == 0);
	/* a fill with capacity 0 (held: no fresh fill) keeps it */
	fill.capacity = 0;
	tier_policy_hysteresis(&p, &fill, &draining, &pass);
	assert_int_equal(draining, 1);
	/* at the low mark: done; the high mark is the high one again */
	fill.capacity = 1000;
	fill.used = 200;
	tier_policy_hysteresis(&p, &fill, &draining, &pass);
	assert_int_equal(draining, 0);
	assert_int_equal(pass.high_pct, 55);
	fill.used = 400; /* between the marks: nothing */
	tier_policy_hysteresis(&p, &fill, &draining, &pass);
	assert_int_equal(draining, 0);
	run(&pass, f, 3, &fill, off, rel);
	assert_true(rel[0] == 0);
}

static void test_bad_policy(void **state)
{
	struct tier_rule bad = { .path = "proj" };
	struct tier_policy p = pol;
	size_t io[1], ir[1];
	struct tier_picks pk = { io, 0, ir, 0 };

	(void)state;
	p.high_pct = 70;
	p.low_pct = 80;
	assert_int_equal(tier_policy_select(&p, NULL, 0, NOW, NULL, &pk),
			 -EINVAL);
	p.high_pct = 101;
	assert_int_equal(tier_policy_select(&p, NULL, 0, NOW, NULL, &pk),
			 -EINVAL);
	p = (struct tier_policy){ &bad, 1, 0, 0, 0 };
	assert_int_equal(tier_policy_select(&p, NULL, 0, NOW, NULL, &pk),
			 -EINVAL);
}

/* The configuration form of a rule: units, never, defaults, and the
 * faults named. */
static void test_rule_parse(void **state)
{
	struct tier_rule r;
	char path[64];
	const char *why = NULL;

	(void)state;
	assert_int_equal(tier_rule_parse("/data  min_size=4K access_idle=10m "
					 "modify_idle=2h release_after=1d",
					 &r, path, sizeof(path), &why),
			 0);
	assert_string_equal(r.path, "/data");
	assert_int_equal(r.min_size, 4096);
	assert_int_equal(r.access_idle, 600);
	assert_int_equal(r.modify_idle, 7200);
	assert_int_equal(r.release_after, 86400);
	assert_int_equal(r.never, 0);
	assert_int_equal(tier_rule_parse("/scratch never", &r, path,
					 sizeof(path), &why),
			 0);
	assert_int_equal(r.never, 1);
	assert_int_equal(r.min_size, 0);
	assert_int_equal(r.access_idle, 0);
	assert_int_equal(tier_rule_parse("/ access_idle=30", &r, path,
					 sizeof(path), &why),
			 0);
	assert_int_equal(r.access_idle, 30);
	assert_int_equal(r.release_after, 0);
	/* Faults: no absolute path, unknown field, bad unit, overflow,
	 * a negative number, a path longer than the caller's buffer. */
	assert_int_equal(tier_rule_parse("data access_idle=1", &r, path,
					 sizeof(path), &why),
			 -EINVAL);
	assert_non_null(why);
	assert_int_equal(tier_rule_parse("/d colour=blue", &r, path,
					 sizeof(path), &why),
			 -EINVAL);
	assert_int_equal(tier_rule_parse("/d min_size=4X", &r, path,
					 sizeof(path), &why),
			 -EINVAL);
	assert_int_equal(tier_rule_parse("/d min_size=99999999999T", &r,
					 path, sizeof(path), &why),
			 -EINVAL);
	assert_int_equal(tier_rule_parse("/d access_idle=-5", &r, path,
					 sizeof(path), &why),
			 -EINVAL);
	assert_int_equal(tier_rule_parse("/a-rather-long-path", &r, path, 8,
					 &why),
			 -EINVAL);
	assert_int_equal(tier_rule_parse("", &r, path, sizeof(path), &why),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_match),
		cmocka_unit_test(test_offload_filters_and_order),
		cmocka_unit_test(test_release_after),
		cmocka_unit_test(test_watermarks),
		cmocka_unit_test(test_watermark_offloads_more),
		cmocka_unit_test(test_watermark_hysteresis),
		cmocka_unit_test(test_bad_policy),
		cmocka_unit_test(test_rule_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
