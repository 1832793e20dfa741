/*
 * tools/fsck_cluster.c — see fsck_cluster.h.
 */
#include "fsck_cluster.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmap.h"
#include "ns.h"

static void report(void *ctx, const char *msg)
{
	if (!*(const int *)ctx)
		printf("violation: %s\n", msg);
}

/* Open node ID's namespace in DIR owning its partitions of M. */
static int open_node(const struct cmap *m, unsigned id, const char *dir,
		     struct ns **out)
{
	uint8_t owned[NS_MAX_SHARDS] = { 0 };
	int rc = ns_open_ex(out, dir, m->nshards, m->npartitions);

	if (rc) {
		fprintf(stderr, "strata-fsck: node %u: cannot open %s: %s\n",
			id, dir, strerror(-rc));
		return rc;
	}
	for (unsigned p = 0; p < m->npartitions; p++)
		owned[p] = cmap_partition_owner(m, p) == id;
	rc = ns_nenvs(*out) == m->npartitions
		     ? ns_own(*out, owned, m->npartitions)
		     : -EINVAL;
	if (rc)
		fprintf(stderr, "strata-fsck: node %u: %s has %u partitions, "
				"the map %u\n",
			id, dir, ns_nenvs(*out), m->npartitions);
	else
		printf("fsck: node %u: %s: replayed %u pending intent(s) on "
		       "open\n", id, dir, ns_replayed_intents(*out));
	return rc;
}

int fsck_cluster(const char *map, char **dirs, unsigned n, int quiet)
{
	struct cmap *m = calloc(1, sizeof(*m));
	struct ns *nodes[CMAP_MAX_NODES] = { 0 };
	struct ns_fsck_counts counts = { 0 };
	char err[CMAP_ERR_MAX];
	int rc = 0, status = 2;

	if (!m)
		return 2;
	if (cmap_load(m, map, err) < 0) {
		fprintf(stderr, "strata-fsck: cluster map %s: %s\n", map, err);
		goto out;
	}
	if (n != m->nnodes || n > CMAP_MAX_NODES) {
		fprintf(stderr, "strata-fsck: the map has %u nodes, %u "
				"directories given\n", m->nnodes, n);
		goto out;
	}
	for (unsigned i = 0; !rc && i < n; i++)
		rc = cmap_node(m, i + 1) ? open_node(m, i + 1, dirs[i],
						     &nodes[i])
					 : -EINVAL;
	if (!rc)
		rc = ns_fsck_cluster(nodes, n, report, &quiet, &counts);
	if (rc < 0) {
		fprintf(stderr, "strata-fsck: cluster: %s\n", strerror(-rc));
		goto out;
	}
	printf("fsck: cluster of %u nodes: %llu inodes, %llu entries, %d "
	       "violations\n", n, (unsigned long long)counts.inodes,
	       (unsigned long long)counts.entries, rc);
	status = rc ? 1 : 0;
out:
	for (unsigned i = 0; i < n && i < CMAP_MAX_NODES; i++)
		ns_close(nodes[i]);
	free(m);
	return status;
}
