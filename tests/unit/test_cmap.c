/*
 * tests/unit/test_cmap.c — the cluster map (pnfs/cmap.h) and a node's
 * identity on the wire (docs/decisions/0024): maps that must load and the
 * ones that must be refused with a message naming the fault, routing of
 * fileids and entries to owners, and what an MDS started with a map says
 * in EXCHANGE_ID (cluster scope, its own major id, client ids carrying
 * its node id) or why it refuses to start.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmap.h"
#include "compound_harness.h"
#include "config.h"
#include "server.h"
#include "session.h"

#define MAP3                                                                  \
	"[cluster]\n"                                                         \
	"id = test-cluster\n"                                                 \
	"epoch = 7\n"                                                         \
	"shards = 16\n"                                                       \
	"partitions = 6\n"                                                    \
	"pnfs = yes\n"                                                        \
	"[node 1]\n"                                                          \
	"nfs = 127.0.0.1:2049\n"                                              \
	"peer = 127.0.0.1:2149\n"                                             \
	"partitions = 0,3\n"                                                  \
	"[node 2]\n"                                                          \
	"nfs = 127.0.0.2:2049\n"                                              \
	"peer = 127.0.0.2:2149\n"                                             \
	"partitions = 1, 4\n"                                                 \
	"[node 3]\n"                                                          \
	"nfs = [::1]:2050\n"                                                  \
	"peer = [::1]:2150 ; inline comment\n"                                \
	"partitions = 2-2,5\n"

static void test_parse_ok(void **state)
{
	struct cmap m;
	char err[CMAP_ERR_MAX];

	(void)state;
	assert_int_equal(cmap_parse(&m, MAP3, err), 0);
	assert_string_equal(m.id, "test-cluster");
	assert_int_equal(m.epoch, 7);
	assert_int_equal(m.nshards, 16);
	assert_int_equal(m.npartitions, 6);
	assert_int_equal(m.nnodes, 3);
	assert_true(m.pnfs);
	for (unsigned p = 0; p < 6; p++)
		assert_int_equal(cmap_partition_owner(&m, p), p % 3 + 1);
	assert_non_null(cmap_node(&m, 3));
	assert_string_equal(cmap_node(&m, 3)->peer_addr, "::1");
	assert_int_equal(cmap_node(&m, 3)->peer_port, 2150);
	assert_int_equal(cmap_node(&m, 2)->npartitions, 2);
	assert_null(cmap_node(&m, 4));
	assert_null(cmap_node(&m, 0));
	assert_false(cmap_owns_all(&m, 1));
	assert_int_equal(cmap_owners(&m), 3);
	/* Shard 9 is in partition 3, owned by node 1; shard 11 in 5 (node
	 * 3). The fileid carries its shard in the top 8 bits. */
	assert_int_equal(cmap_fileid_owner(&m, (9ull << 56) | 42), 1);
	assert_int_equal(cmap_fileid_owner(&m, (11ull << 56) | 1), 3);
	/* A fileid of no shard belongs to nobody. */
	assert_int_equal(cmap_fileid_owner(&m, (200ull << 56) | 1), 0);
}

/* Entries of one directory spread over the owners like the shards do:
 * with 16 shards in 6 partitions nodes own 6, 5 and 5 shards. */
static void test_entry_spread(void **state)
{
	struct cmap m;
	char err[CMAP_ERR_MAX];
	unsigned count[4] = { 0 };
	char name[32];

	(void)state;
	assert_int_equal(cmap_parse(&m, MAP3, err), 0);
	for (unsigned i = 0; i < 30000; i++) {
		int n = snprintf(name, sizeof(name), "file-%u", i);
		unsigned o = cmap_entry_owner(&m, NS_ROOT_FILEID, name,
					      (size_t)n);
		unsigned shard = ns_hash_shard(16, NS_ROOT_FILEID, name,
					       (size_t)n);

		assert_in_range(o, 1, 3);
		assert_int_equal(o, cmap_partition_owner(&m, shard % 6));
		count[o]++;
	}
	/* Expected 6/16, 5/16, 5/16 of 30000 = 11250, 9375, 9375 (+-5%). */
	assert_in_range(count[1], 10687, 11812);
	assert_in_range(count[2], 8906, 9843);
	assert_in_range(count[3], 8906, 9843);
}

struct bad_map {
	const char *text;
	const char *says; /* a word the message must contain */
};

static void test_parse_refused(void **state)
{
	static const char head[] = "[cluster]\nid = c\nepoch = 1\n"
				   "shards = 4\npartitions = 2\n";
	static const char n1[] = "[node 1]\nnfs = 127.0.0.1:1\n"
				 "peer = 127.0.0.1:2\n";
	static const struct bad_map bad[] = {
		{ "partitions = 0,1\n[node 2]\nnfs = 127.0.0.1:3\n"
		  "peer = 127.0.0.1:4\npartitions = 1\n",
		  "owned by nodes 1 and 2" },
		{ "partitions = 0\n", "partition 1 has no owner" },
		{ "partitions = 0-2\n", "owns partition 2 of 2" },
		{ "partitions = 1-0\n", "bad partition" },
		{ "partitions = x\n", "bad partition" },
		{ "partitions = 0,1\nweight = 3\n", "unknown key 'weight'" },
		{ "partitions = 0,1\n[node 0]\nnfs = 127.0.0.1:5\n",
		  "node ids are 1-64" },
		{ "partitions = 0,1\n[node 65]\nnfs = 127.0.0.1:5\n",
		  "node ids are 1-64" },
		{ "partitions = 0,1\n[mds]\nid = 1\n", "unknown section [mds]" },
		{ "partitions = 0,1\nnfs = nowhere:1\n", "nfs 'nowhere:1'" },
		{ "partitions = 0,1\npeer = 127.0.0.1\n", "peer '127.0.0.1'" },
		{ "partitions = 0,1\n[node 2]\nnfs = 127.0.0.1:3\n",
		  "node 2 needs nfs and peer" },
		{ "partitions = 0,1\nthis line is not ini\n", "syntax error" },
	};
	struct cmap m;
	char err[CMAP_ERR_MAX], text[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s%s", head, n1, bad[i].text);
		if (cmap_parse(&m, text, err) != -1)
			fail_msg("map %zu accepted", i);
		if (!strstr(err, bad[i].says))
			fail_msg("map %zu: '%s' does not say '%s'", i, err,
				 bad[i].says);
		assert_int_equal(m.nnodes, 0); /* nothing half-filled */
	}
	/* The [cluster] section itself. */
	assert_int_equal(cmap_parse(&m, "[cluster]\npnfs = maybe\n", err), -1);
	assert_non_null(strstr(err, "yes or no"));
	assert_int_equal(cmap_parse(&m, "[cluster]\nid = bad/id\n", err), -1);
	assert_non_null(strstr(err, "cluster id"));
	snprintf(text, sizeof(text), "[cluster]\nid = c\nepoch = 1\n"
				     "shards = 2\npartitions = 3\n%s"
				     "partitions = 0-2\n", n1);
	assert_int_equal(cmap_parse(&m, text, err), -1);
	assert_non_null(strstr(err, "3 partitions for 2 shards"));
	snprintf(text, sizeof(text), "[cluster]\nid = c\nshards = 2\n"
				     "partitions = 1\n%spartitions = 0\n", n1);
	assert_int_equal(cmap_parse(&m, text, err), -1);
	assert_non_null(strstr(err, "needs id, epoch"));
	assert_int_equal(cmap_load(&m, "/nonexistent/map", err), -1);
	assert_non_null(strstr(err, "cannot read"));
}

static void test_single(void **state)
{
	struct cmap m;

	(void)state;
	cmap_single(&m, NULL, 16, 1);
	assert_string_equal(m.id, "strata");
	assert_true(cmap_owns_all(&m, 1));
	assert_int_equal(cmap_owners(&m), 1);
	assert_int_equal(cmap_fileid_owner(&m, (15ull << 56) | 3), 1);
	assert_int_equal(cmap_entry_owner(&m, 1, "x", 1), 1);
}

/* Node sets: every id 1..CMAP_MAX_NODES has its own bit and comes back
 * from it (node 64's bit used to be read back as node 0: a bulk
 * LAYOUTRETURN, a RECLAIM_COMPLETE or a client's end never reached node
 * 64). */
static void test_node_bits(void **state)
{
	uint64_t all = 0, set;

	(void)state;
	for (unsigned id = 1; id <= CMAP_MAX_NODES; id++) {
		uint64_t b = cmap_node_bit(id);

		assert_int_not_equal(b, 0);
		assert_int_equal(all & b, 0);
		assert_int_equal(cmap_first_node(b), id);
		all |= b;
	}
	assert_true(all == UINT64_MAX);
	assert_true(cmap_node_bit(0) == 0);
	assert_true(cmap_node_bit(CMAP_MAX_NODES + 1) == 0);
	set = cmap_node_bit(CMAP_MAX_NODES) | cmap_node_bit(3);
	assert_int_equal(cmap_first_node(set), 3);
	set &= ~cmap_node_bit(3);
	assert_int_equal(cmap_first_node(set), CMAP_MAX_NODES);
}

/* ---- a server started with a map ------------------------------------- */

static char *write_map(const char *dir, const char *text)
{
	char *path = NULL;
	FILE *f;

	assert_true(asprintf(&path, "%s/cluster.map", dir) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static const char map_node3[] =
	"[cluster]\nid = scope-under-test\nepoch = 1\nshards = 8\n"
	"partitions = 4\n"
	"[node 3]\nnfs = 127.0.0.1:2049\npeer = 127.0.0.1:2149\n"
	"partitions = 0-3\n";

/* Start an MDS with the map TEXT as node NODE; returns server_start()'s
 * result and leaves the server in *SRV (stop it) on success. */
static int start_with_map_key(struct strata_server **srv, char **dir,
			      const char *text, unsigned node,
			      unsigned nshards, int with_key)
{
	char tmpl[] = "/tmp/strata-cmap-XXXXXX";
	struct strata_config cfg;
	char *map, key[64];
	int rc;

	assert_non_null(mkdtemp(tmpl));
	map = write_map(tmpl, text);
	config_defaults(&cfg);
	snprintf(key, sizeof(key), "%s/key", tmpl);
	if (with_key) {
		FILE *f = fopen(key, "w");
		assert_non_null(f);
		fputs("0123456789abcdef0123456789abcdef", f);
		fclose(f);
		snprintf(cfg.cluster_key, sizeof(cfg.cluster_key), "%s", key);
	}
	snprintf(cfg.cluster_map, sizeof(cfg.cluster_map), "%s", map);
	cfg.node_id = node;
	cfg.nshards = nshards;
	cfg.port = 0;
	rc = ch_server_start_cfg(srv, dir, &cfg, ROLE_MDS);
	unlink(map);
	unlink(key);
	free(map);
	rmdir(tmpl);
	return rc;
}

static int start_with_map(struct strata_server **srv, char **dir,
			  const char *text, unsigned node, unsigned nshards)
{
	return start_with_map_key(srv, dir, text, node, nshards, 0);
}

static void test_server_identity(void **state)
{
	struct strata_server *srv;
	struct ch_client cl;
	EXCHANGE_ID4resok *ok;
	char *dir;

	(void)state;
	/* The map's shard count wins over the configured one (16). */
	assert_int_equal(start_with_map(&srv, &dir, map_node3, 3, 16), 0);
	assert_int_equal(ns_nshards(srv->ns), 8);
	assert_int_equal(ch_client_init(&cl, srv, NULL), 0);
	assert_int_equal(ch_exchange_id(&cl, "owner-a", "verf0001"), NFS4_OK);
	ok = &ch_res(&cl, 0)->nfs_resop4_u.opexchange_id.EXCHANGE_ID4res_u
		      .eir_resok4;
	assert_int_equal(ok->eir_server_scope.eir_server_scope_len,
			 strlen("scope-under-test"));
	assert_memory_equal(ok->eir_server_scope.eir_server_scope_val,
			    "scope-under-test", strlen("scope-under-test"));
	/* Its own major id (server_id), not the cluster's name. */
	assert_int_equal(ok->eir_server_owner.so_major_id.so_major_id_len,
			 strlen(srv->server_owner_major));
	assert_memory_equal(ok->eir_server_owner.so_major_id.so_major_id_val,
			    srv->server_owner_major,
			    strlen(srv->server_owner_major));
	assert_int_equal(client_id_node(cl.clientid), 3);
	assert_int_equal((cl.clientid >> 32) & 0xffff,
			 srv->boot_epoch & 0xffff);
	/* Session ids start with the client id, so they carry it too. */
	assert_int_equal(ch_create_session(&cl, 4), NFS4_OK);
	assert_memory_equal(cl.sessionid, &cl.clientid, 8);
	ch_client_fini(&cl);
	ch_server_stop(srv, dir);
}

static void test_server_refuses(void **state)
{
	static const char two_nodes[] =
		"[cluster]\nid = c\nepoch = 1\nshards = 8\npartitions = 2\n"
		"[node 1]\nnfs = 127.0.0.1:1\npeer = 127.0.0.1:2\n"
		"partitions = 0\n"
		"[node 2]\nnfs = 127.0.0.1:3\npeer = 127.0.0.1:4\n"
		"partitions = 1\n";
	struct strata_server *srv = NULL;
	char *dir = NULL;

	(void)state;
	/* Not in the map. */
	assert_int_equal(start_with_map(&srv, &dir, map_node3, 2, 16),
			 -EINVAL);
	/* Nodes vouch for each other with the cluster key. */
	assert_int_equal(start_with_map(&srv, &dir, two_nodes, 1, 16),
			 -EINVAL);
	/* A broken map. */
	assert_int_equal(start_with_map(&srv, &dir, "[cluster]\n", 1, 16),
			 -EINVAL);
}

/* Without a map a server is node 0 and its scope is its own id, as
 * before; two such servers never hand out the same client id bits for
 * the node. */
static void test_server_without_map(void **state)
{
	struct strata_server *srv;
	struct ch_client cl;
	char *dir;

	(void)state;
	assert_int_equal(ch_server_start(&srv, &dir, 4, 0), 0);
	assert_string_equal(srv->server_scope, srv->server_owner_major);
	assert_non_null(srv->cmap);
	assert_true(cmap_owns_all(srv->cmap, 1));
	assert_int_equal(ch_client_init(&cl, srv, NULL), 0);
	assert_int_equal(ch_exchange_id(&cl, "owner-b", "verf0002"), NFS4_OK);
	assert_int_equal(client_id_node(cl.clientid), 0);
	ch_client_fini(&cl);
	ch_server_stop(srv, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_entry_spread),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_node_bits),
		cmocka_unit_test(test_server_identity),
		cmocka_unit_test(test_server_refuses),
		cmocka_unit_test(test_server_without_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
