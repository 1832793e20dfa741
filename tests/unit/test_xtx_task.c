/*
 * tests/unit/test_xtx_task.c — the pure parts of the server's cross-node
 * transactions (nfsd/xtx_task.h, nfsd/xtx_resolve.h): transaction ids,
 * which partitions make a node's part, the NFS status of a step's error,
 * and when the resolver takes up a record.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "xtx_resolve.h"
#include "xtx_task.h"

static void test_txid_unique(void **state)
{
	(void)state;
	/* node, boot epoch and counter each have their bits */
	assert_int_equal(xtx_txid_make(3, 7, 9), UINT64_C(0x0003000700000009));
	assert_true(xtx_txid_make(1, 1, 1) != xtx_txid_make(2, 1, 1));
	assert_true(xtx_txid_make(1, 1, 1) != xtx_txid_make(1, 2, 1));
	assert_true(xtx_txid_make(1, 1, 1) != xtx_txid_make(1, 1, 2));
	/* a restart (next epoch) never reuses the last boot's ids */
	assert_true(xtx_txid_make(1, 5, 0xffffffffu) !=
		    xtx_txid_make(1, 6, 0xffffffffu));
}

static void test_parts_of(void **state)
{
	const uint8_t owner[4] = { 1, 2, 3, 2 };
	uint8_t parts[4];

	(void)state;
	assert_int_equal(xtx_parts_of(owner, 4, 2, parts), 2);
	assert_memory_equal(parts, ((uint8_t[]){ 0, 1, 0, 1 }), 4);
	assert_int_equal(xtx_parts_of(owner, 4, 4, parts), 0);
	assert_memory_equal(parts, ((uint8_t[]){ 0, 0, 0, 0 }), 4);
}

static void test_status(void **state)
{
	(void)state;
	assert_int_equal(xtx_status(0), NFS4_OK);
	/* held keys, stale plans, unreachable nodes: the client retries */
	assert_int_equal(xtx_status(-EBUSY), NFS4ERR_DELAY);
	assert_int_equal(xtx_status(-ESTALE), NFS4ERR_DELAY);
	assert_int_equal(xtx_status(-EPIPE), NFS4ERR_DELAY);
	assert_int_equal(xtx_status(-EHOSTDOWN), NFS4ERR_DELAY);
	/* a directory moved across nodes: not built, mv copies */
	assert_int_equal(xtx_status(-EXDEV), NFS4ERR_XDEV);
	assert_int_equal(xtx_status(-ENOENT), NFS4ERR_NOENT);
	assert_int_equal(xtx_status(-EISDIR), NFS4ERR_ISDIR);
}

static void test_resolve_due(void **state)
{
	struct xtx_seen seen[4];
	size_t n = 0, due[4];
	const uint64_t a[3] = { 10, 11, 12 }, b[2] = { 12, 13 };

	(void)state;
	/* first seen: none due yet */
	assert_int_equal(xtx_resolve_due(seen, &n, 4, a, 3, 100, 3, due), 0);
	assert_int_equal(n, 3);
	assert_int_equal(xtx_resolve_due(seen, &n, 4, a, 3, 102, 3, due), 0);
	/* three seconds later: all three, by their index in the list */
	assert_int_equal(xtx_resolve_due(seen, &n, 4, a, 3, 103, 3, due), 3);
	assert_int_equal(due[2], 2);
	/* 10 and 11 went, 13 is new: only 12 is due, at index 0 */
	assert_int_equal(xtx_resolve_due(seen, &n, 4, b, 2, 104, 3, due), 1);
	assert_int_equal(due[0], 0);
	assert_int_equal(n, 2);
	/* no room: a record is not tracked (so never due) until there is */
	n = 0;
	assert_int_equal(xtx_resolve_due(seen, &n, 1, a, 3, 100, 0, due), 1);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txid_unique),
		cmocka_unit_test(test_parts_of),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_resolve_due),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
