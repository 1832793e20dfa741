/*
 * tools/fsck_cluster.h — strata-fsck --cluster-map: check a whole cluster's
 * namespace offline, every node's partitions together (metadata/ns.h
 * ns_fsck_cluster()).
 *
 * MAP is the cluster map (pnfs/cmap.h); DIRS[i] the namespace directory of
 * node i+1 (strata-local: DIR/data/meta for node 1, DIR/mdsI/meta for node
 * I), N of them, one per node of the map. Each is opened (rolling forward
 * what a crash left pending) and owns the partitions the map gives its
 * node. Prints each violation unless QUIET, then
 *   fsck: cluster of N nodes: I inodes, E entries, K violations
 * Returns the exit status: 0 clean, 1 violations, 2 trouble (a node's
 * namespace could not be opened or read, the map is bad or names other
 * nodes than given).
 */
#ifndef STRATA_TOOLS_FSCK_CLUSTER_H
#define STRATA_TOOLS_FSCK_CLUSTER_H

int fsck_cluster(const char *map, char **dirs, unsigned n, int quiet);

#endif
