/*
 * tests/unit/test_tier_part.c — `strata residency DIR` over several
 * metadata nodes (docs/decisions/0037): the CLI's walk
 * (tools/strata/residency.h) over three nodes' CTL_TIER_PART
 * (pnfs/ctl_tier_part.h), each call's arguments and answer through the
 * XDR of ctl_prot.x, gives the same totals as the walk of one node
 * owning everything (pnfs/ctl_tier_walk.h): files per state and their
 * bytes, a file of two links counted once though its links are on
 * different nodes, an entry whose inode is on another node (a rename),
 * directories larger than one chunk, two levels; a node's own walk
 * counts less (skipped); a node that fails ends the walk with its error
 * and its id, not smaller totals.
 *
 * The three nodes are three copies of one namespace of three shards
 * (one partition each), each opened owning one partition (ns_own()): what
 * a node may read is what a node of a spread cluster holds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_tier_part.h"
#include "ctl_tier_walk.h"
#include "ns.h"
#include "ns_tier.h"
#include "residency.h"
#include "test_ns_util.h"

#define NODES 3

struct fixture {
	char *dir[NODES + 1]; /* [0] the whole namespace, [i] node i */
	struct ns *all;
	struct ns *node[NODES + 1];
	uint64_t d;
	int fail_node; /* the fake transport fails calls to it */
	unsigned calls;
	unsigned counts; /* calls counting inodes another node named */
};

static unsigned owner(void *ctx, uint64_t fileid)
{
	(void)ctx;
	return ns_fileid_shard(fileid) % NODES + 1; /* shard I: partition I */
}

/* One call through the wire format, as the CLI's would go. */
static int fake_call(void *ctx, unsigned node, ctl_tier_part_args *a,
		     ctl_tier_part_res *out)
{
	struct fixture *fx = ctx;
	static char wire[1 << 20];
	ctl_tier_part_args in;
	ctl_tier_part_res res;
	XDR x;
	u_int len;

	assert_true(node >= 1 && node <= NODES);
	fx->calls++;
	fx->counts += a->inodes.inodes_len != 0;
	if ((int)node == fx->fail_node)
		return -ECONNREFUSED;
	xdrmem_create(&x, wire, sizeof(wire), XDR_ENCODE);
	assert_true(xdr_ctl_tier_part_args(&x, a));
	len = xdr_getpos(&x);
	memset(&in, 0, sizeof(in));
	xdrmem_create(&x, wire, len, XDR_DECODE);
	assert_true(xdr_ctl_tier_part_args(&x, &in));
	ctl_tier_part(fx->node[node], node, owner, NULL, &in, &res);
	xdr_free((xdrproc_t)xdr_ctl_tier_part_args, (char *)&in);
	xdrmem_create(&x, wire, sizeof(wire), XDR_ENCODE);
	assert_true(xdr_ctl_tier_part_res(&x, &res));
	len = xdr_getpos(&x);
	xdr_free((xdrproc_t)xdr_ctl_tier_part_res, (char *)&res);
	xdrmem_create(&x, wire, len, XDR_DECODE);
	assert_true(xdr_ctl_tier_part_res(&x, out));
	return 0;
}

/*
 * /d/f0..f299        local files of 10 B (more than one chunk)
 * /d/a               1000 B both, also linked as /d/sub/deep/link (the
 *                    two links' entries on different shards)
 * /d/sub/c           3000 B offloaded
 * /d/sub/moved0..19  7 B each, renamed from /d/m0..19: entries moved,
 *                    inodes left where they were made
 * /d/sub/deep/x      500 B local; /d/sub/deep/fifo
 * /d/sub/many/       300 empty files
 */
static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	uint64_t sub, deep, a, c, many;
	uint8_t owned[NODES];
	char name[32], cmd[1024];

	assert_non_null(fx);
	for (int i = 0; i <= NODES; i++)
		fx->dir[i] = tu_mkdtemp();
	fx->all = tu_open(fx->dir[0], NODES); /* one partition a shard */
	fx->d = tu_create(fx->all, NS_ROOT_FILEID, "d", NS_DIR);
	sub = tu_create(fx->all, fx->d, "sub", NS_DIR);
	deep = tu_create(fx->all, sub, "deep", NS_DIR);
	many = tu_create(fx->all, sub, "many", NS_DIR);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		(void)tu_make_file(fx->all, fx->d, name, 10);
		snprintf(name, sizeof(name), "n%d", i);
		(void)tu_create(fx->all, many, name, NS_REG);
	}
	a = tu_make_file(fx->all, fx->d, "a", 1000);
	c = tu_make_file(fx->all, sub, "c", 3000);
	(void)tu_make_file(fx->all, deep, "x", 500);
	(void)tu_create(fx->all, deep, "fifo", NS_FIFO);
	assert_int_equal(ns_link(fx->all, a, deep, "link", 4, NULL), 0);
	for (int i = 0; i < 20; i++) {
		char to[32];

		snprintf(name, sizeof(name), "m%d", i);
		snprintf(to, sizeof(to), "moved%d", i);
		(void)tu_make_file(fx->all, fx->d, name, 7);
		assert_int_equal(ns_rename(fx->all, fx->d, name, strlen(name),
					   sub, to, strlen(to), NULL, NULL,
					   NULL),
				 0);
	}
	tu_offload(fx->all, a);
	tu_offload(fx->all, c);
	tu_release(fx->all, c);
	ns_close(fx->all);
	for (int i = 1; i <= NODES; i++) {
		snprintf(cmd, sizeof(cmd), "cp -a %s/. %s/", fx->dir[0],
			 fx->dir[i]);
		assert_int_equal(system(cmd), 0);
	}
	fx->all = tu_open(fx->dir[0], NODES);
	for (int i = 1; i <= NODES; i++) {
		memset(owned, 0, sizeof(owned));
		owned[i - 1] = 1;
		fx->node[i] = tu_open(fx->dir[i], NODES);
		assert_int_equal(ns_nenvs(fx->node[i]), NODES);
		assert_int_equal(ns_own(fx->node[i], owned, NODES), 0);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	ns_close(fx->all);
	tu_rmrf(fx->dir[0]);
	for (int i = 1; i <= NODES; i++) {
		ns_close(fx->node[i]);
		tu_rmrf(fx->dir[i]);
	}
	free(fx);
	return 0;
}

static void assert_totals_equal(const ctl_tier_totals *x,
				const ctl_tier_totals *y)
{
	for (int i = 0; i < 3; i++) {
		assert_int_equal(x->files[i], y->files[i]);
		assert_int_equal(x->bytes[i], y->bytes[i]);
	}
	assert_int_equal(x->ds_bytes, y->ds_bytes);
	assert_int_equal(x->tier_bytes, y->tier_bytes);
	assert_int_equal(x->dirs, y->dirs);
	assert_int_equal(x->others, y->others);
	assert_int_equal(x->jobs, y->jobs);
	assert_int_equal(x->skipped, y->skipped);
}

static void test_nodes_sum_to_the_whole(void **state)
{
	struct fixture *fx = *state;
	ctl_tier_totals whole, part, sum;
	unsigned node = 9;

	assert_int_equal(ctl_tier_walk(fx->all, fx->d, &whole), 0);
	assert_int_equal(whole.files[NS_RES_LOCAL], 300 + 300 + 20 + 1);
	assert_int_equal(whole.bytes[NS_RES_LOCAL], 3000 + 140 + 500);
	assert_int_equal(whole.files[NS_RES_BOTH], 1); /* a, two links */
	assert_int_equal(whole.files[NS_RES_OFFLOADED], 1);
	assert_int_equal(whole.dirs, 3);
	assert_int_equal(whole.others, 1);
	assert_int_equal(whole.skipped, 0);

	assert_int_equal(residency_walk(NODES, fake_call, fx, fx->d, &sum,
					&node),
			 0);
	assert_int_equal(node, 0);
	assert_totals_equal(&sum, &whole);
	assert_true(fx->counts > 0); /* entries whose inode is elsewhere */
	/* Each node's own walk sees only its part. */
	for (int i = 1; i <= NODES; i++) {
		assert_int_equal(ctl_tier_walk(fx->node[i], fx->d, &part), 0);
		assert_true(part.skipped > 0);
	}
	/* Below a subdirectory, and an empty answer of a leaf. */
	assert_int_equal(residency_walk(NODES, fake_call, fx,
					tu_lookup(fx->all, fx->d, "sub"), &sum,
					&node),
			 0);
	assert_int_equal(ctl_tier_walk(fx->all, tu_lookup(fx->all, fx->d,
							  "sub"),
				       &whole),
			 0);
	assert_totals_equal(&sum, &whole);
}

static void test_node_down_is_an_error(void **state)
{
	struct fixture *fx = *state;
	ctl_tier_totals sum;
	unsigned node = 0;

	for (int down = 1; down <= NODES; down++) {
		fx->fail_node = down;
		assert_int_equal(residency_walk(NODES, fake_call, fx, fx->d,
						&sum, &node),
				 -ECONNREFUSED);
		assert_int_equal(node, down);
		assert_int_equal(sum.files[NS_RES_LOCAL], 0);
	}
	fx->fail_node = 0;
}

static void test_bad_arguments(void **state)
{
	struct fixture *fx = *state;
	uint64_t ids[1] = { fx->d };
	ctl_tier_part_args a = { .dir = fx->d };
	ctl_tier_part_res res;

	/* both a directory and inodes */
	a.inodes.inodes_len = 1;
	a.inodes.inodes_val = ids;
	ctl_tier_part(fx->node[1], 1, owner, NULL, &a, &res);
	assert_int_equal(res.status, EINVAL);
	xdr_free((xdrproc_t)xdr_ctl_tier_part_res, (char *)&res);
	/* a cookie never issued */
	a.inodes.inodes_len = 0;
	a.cookie = ((uint64_t)1 << 56) | 12345678;
	ctl_tier_part(fx->node[2], 2, owner, NULL, &a, &res);
	assert_int_equal(res.status, EINVAL);
	xdr_free((xdrproc_t)xdr_ctl_tier_part_res, (char *)&res);
	/* an inode the map gives to the node asked, which lacks it */
	a.dir = 0;
	a.inodes.inodes_len = 1;
	ids[0] = tu_lookup(fx->all, fx->d, "a");
	ctl_tier_part(fx->node[owner(NULL, ids[0]) % NODES + 1],
		      owner(NULL, ids[0]), owner, NULL, &a, &res);
	assert_int_equal(res.status, EIO);
	xdr_free((xdrproc_t)xdr_ctl_tier_part_res, (char *)&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodes_sum_to_the_whole),
		cmocka_unit_test(test_node_down_is_an_error),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
