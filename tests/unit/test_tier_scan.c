/*
 * tests/unit/test_tier_scan.c — the object tier's policy pass in the MDS
 * (nfsd/tier_scan.c over a real namespace) and the in-memory record of
 * when files were last used (nfsd/tier_heat.c).
 *
 *   - tier_heat: a use is remembered, the floor (the start) answers for
 *     files never used, a full table forgets its older half and raises the
 *     floor so nothing reads older than it was.
 *   - tier_scan: a rule's subtree, size and idle times pick exactly the
 *     file that qualifies; a recent use seen by the MDS, or busy(), keeps
 *     it; files no rule covers are never picked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ns.h"
#include "test_ns_util.h"
#include "tier_heat.h"
#include "tier_scan.h"

static void test_heat_remembers_and_floor(void **state)
{
	struct tier_heat *h = tier_heat_new(100, 0);

	(void)state;
	assert_non_null(h);
	assert_int_equal(tier_heat_last(h, 7), 100);
	tier_heat_touch(h, 7, 150);
	tier_heat_touch(h, 7, 120); /* older: kept at 150 */
	assert_int_equal(tier_heat_last(h, 7), 150);
	assert_int_equal(tier_heat_last(h, 8), 100);
	tier_heat_touch(h, 0, 500); /* no file has fileid 0 */
	assert_int_equal(tier_heat_count(h), 1);
	/* Growth past the first table keeps every entry. */
	for (uint64_t f = 1000; f < 4000; f++)
		tier_heat_touch(h, f, (int64_t)f);
	assert_int_equal(tier_heat_count(h), 3001);
	assert_int_equal(tier_heat_last(h, 1234), 1234);
	assert_int_equal(tier_heat_last(h, 7), 150);
	tier_heat_free(h);
}

/* Forgetting keeps every other entry findable (backward-shift deletion
 * across probe chains), checked against a plain array. */
static void test_heat_forget(void **state)
{
	struct tier_heat *h = tier_heat_new(0, 0);
	int64_t want[3001] = { 0 };
	unsigned seed = 7;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		uint64_t f;

		seed = seed * 1103515245u + 12345u;
		f = 1 + (seed >> 8) % 3000;
		if ((seed >> 4) & 1) {
			tier_heat_touch(h, f, round + 1);
			want[f] = round + 1;
		} else {
			tier_heat_forget(h, f);
			want[f] = 0;
		}
	}
	for (uint64_t f = 1; f <= 3000; f++)
		assert_int_equal(tier_heat_last(h, f), want[f]);
	tier_heat_free(h);
}

static void test_heat_full_forgets_conservatively(void **state)
{
	struct tier_heat *h = tier_heat_new(0, 8);

	(void)state;
	for (uint64_t f = 1; f <= 8; f++)
		tier_heat_touch(h, f, (int64_t)(10 * f));
	tier_heat_touch(h, 9, 90);
	assert_true(tier_heat_count(h) <= 8);
	assert_int_equal(tier_heat_last(h, 9), 90);
	assert_int_equal(tier_heat_last(h, 8), 80);
	/* Forgotten files read as used no earlier than they were. */
	for (uint64_t f = 1; f <= 8; f++)
		assert_true(tier_heat_last(h, f) >= (int64_t)(10 * f));
	/* And a file never seen reads as the raised floor. */
	assert_true(tier_heat_last(h, 77) >= 40);
	tier_heat_free(h);
}

struct fixture {
	char *dir;
	struct ns *ns;
	uint64_t big, small, other;
	int64_t now;
};

static uint64_t make_file(struct fixture *fx, uint64_t dir, const char *name,
			  uint64_t size)
{
	struct ns_inode a;
	uint64_t id = tu_create(fx->ns, dir, name, NS_REG);

	memset(&a, 0, sizeof(a));
	a.size = size;
	a.atime.sec = a.mtime.sec = fx->now - 1000;
	assert_int_equal(ns_setattr(fx->ns, id,
				    NS_SET_SIZE | NS_SET_ATIME | NS_SET_MTIME,
				    &a, NULL),
			 0);
	return id;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	uint64_t a, b;

	assert_non_null(fx);
	fx->dir = tu_mkdtemp();
	fx->ns = tu_open(fx->dir, 4);
	fx->now = 1000000;
	a = tu_create(fx->ns, NS_ROOT_FILEID, "a", NS_DIR);
	b = tu_create(fx->ns, NS_ROOT_FILEID, "b", NS_DIR);
	fx->big = make_file(fx, a, "big", 1 << 20);
	fx->small = make_file(fx, a, "small", 10);
	fx->other = make_file(fx, b, "x", 1 << 20);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	ns_close(fx->ns);
	tu_rmrf(fx->dir);
	free(fx);
	return 0;
}

static uint64_t busy_id;
static int busy_kind = TIER_BUSY;
static int busy_one(void *arg, uint64_t fileid)
{
	(void)arg;
	return fileid == busy_id ? busy_kind : TIER_FREE;
}

static void test_scan_picks_the_idle_big_file(void **state)
{
	struct fixture *fx = *state;
	struct tier_rule rule = { .path = "/a", .min_size = 1024,
				  .access_idle = 100, .modify_idle = 100 };
	struct tier_policy pol = { .rules = &rule, .nrules = 1 };
	struct tier_heat *used = tier_heat_new(0, 0);
	struct tier_scan_ctx c = { .ns = fx->ns, .policy = &pol,
				   .used = used, .busy = busy_one,
				   .now = fx->now };
	struct tier_scan_result r;

	busy_id = 0;
	assert_int_equal(tier_scan(&c, &r), 0);
	assert_int_equal(r.files, 3);
	assert_int_equal(r.noffload, 1);
	assert_true(r.offload[0] == fx->big);
	assert_int_equal(r.nrelease, 0);
	tier_scan_result_free(&r);

	/* Used 10 s ago as the MDS saw it (an OPEN): not idle. */
	tier_heat_touch(used, fx->big, fx->now - 10);
	assert_int_equal(tier_scan(&c, &r), 0);
	assert_int_equal(r.noffload, 0);
	tier_scan_result_free(&r);

	/* Idle again later, but busy (open for writing, a layout). */
	c.now += 200;
	busy_id = fx->big;
	assert_int_equal(tier_scan(&c, &r), 0);
	assert_int_equal(r.noffload, 0);
	tier_scan_result_free(&r);
	assert_int_equal(r.nrecall, 0);
	tier_scan_result_free(&r);
	busy_id = 0;
	assert_int_equal(tier_scan(&c, &r), 0);
	assert_int_equal(r.noffload, 1);
	assert_int_equal(r.nrecall, 0);
	tier_scan_result_free(&r);

	/* Held only by kept layouts: not picked, but listed for a layout
	 * recall; the other (small) file, held too, is not (no rule would
	 * pick it). */
	busy_id = fx->big;
	busy_kind = TIER_HELD;
	assert_int_equal(tier_scan(&c, &r), 0);
	assert_int_equal(r.noffload, 0);
	assert_int_equal(r.nrecall, 1);
	assert_true(r.recall[0] == fx->big);
	tier_scan_result_free(&r);
	busy_id = fx->small;
	assert_int_equal(tier_scan(&c, &r), 0);
	assert_int_equal(r.nrecall, 0);
	assert_int_equal(r.noffload, 1);
	tier_scan_result_free(&r);
	/* Held and used lately: neither picked nor recalled. */
	busy_id = fx->big;
	tier_heat_touch(used, fx->big, c.now - 10);
	assert_int_equal(tier_scan(&c, &r), 0);
	assert_int_equal(r.noffload + r.nrecall, 0);
	tier_scan_result_free(&r);
	busy_id = 0;
	busy_kind = TIER_BUSY;
	tier_heat_free(used);
}

/* The only rule "/": no paths needed, every big idle file picked, the
 * older first. */
static void test_scan_whole_namespace(void **state)
{
	struct fixture *fx = *state;
	struct tier_rule rule = { .path = "/", .min_size = 1024 };
	struct tier_policy pol = { .rules = &rule, .nrules = 1 };
	struct tier_scan_ctx c = { .ns = fx->ns, .policy = &pol,
				   .now = fx->now };
	struct tier_scan_result r;
	struct ns_inode a;

	memset(&a, 0, sizeof(a));
	a.atime.sec = a.mtime.sec = fx->now - 2000;
	assert_int_equal(ns_setattr(fx->ns, fx->other,
				    NS_SET_ATIME | NS_SET_MTIME, &a, NULL),
			 0);
	assert_int_equal(tier_scan(&c, &r), 0);
	assert_int_equal(r.noffload, 2);
	assert_true(r.offload[0] == fx->other);
	assert_true(r.offload[1] == fx->big);
	tier_scan_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heat_remembers_and_floor),
		cmocka_unit_test(test_heat_full_forgets_conservatively),
		cmocka_unit_test(test_heat_forget),
		cmocka_unit_test_setup_teardown(
			test_scan_picks_the_idle_big_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_whole_namespace,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
