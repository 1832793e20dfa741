/*
 * pnfs/cmap.h — the cluster map: which metadata node owns which part
 * of the namespace (docs/decisions/0024-multi-mds.md).
 *
 * Units (ns.h, decisions 0003 and 0014):
 *   - a shard is the unit of placement: fileid bits, hash(parent, name);
 *   - a partition is the unit of ownership, execution and commit: shard S
 *     belongs to partition S mod P, which is also the LMDB environment
 *     S mod E of ns_open_ex() when a node's namespace is made with E = P;
 *   - a node is one strata-mds process; each partition has exactly one
 *     owner node, and every node is a front for the whole namespace.
 * The map carries an epoch (its version): whoever changes owners bumps it,
 * and a node refuses requests routed with a map older than its own.
 *
 * File format (INI, read with inih like the server configuration):
 *
 *   [cluster]
 *   id = strata-prod-1      ; the cluster's name, 1..63 of [A-Za-z0-9._-]:
 *                           ; the NFS server scope of every node
 *   epoch = 1               ; >= 1
 *   shards = 16             ; = the namespace's shard count
 *   partitions = 4          ; 1..shards
 *   pnfs = yes              ; optional (default no): the owners hand out
 *                           ; pNFS layouts, so every node says so in
 *                           ; EXCHANGE_ID (a front forwards LAYOUTGET)
 *
 *   [node 1]                ; node ids 1..CMAP_MAX_NODES
 *   nfs = 127.0.0.1:2049    ; where clients mount it
 *   peer = 127.0.0.1:2149   ; where other nodes reach it
 *   partitions = 0,2        ; the partitions it owns
 *
 * Every partition must be owned by exactly one node; a map that leaves
 * one without owner or gives it two is refused with a message naming it.
 *
 * Ownership and threads: a struct cmap is a plain value, filled by
 * cmap_load()/cmap_parse()/cmap_single() and then read-only; it may be
 * read from any thread without a lock once published. No global state.
 */
#ifndef STRATA_PNFS_CMAP_H
#define STRATA_PNFS_CMAP_H

#include <stddef.h>
#include <stdint.h>

#include "ns.h"

#define CMAP_MAX_NODES 64
#define CMAP_ID_MAX 63
#define CMAP_ERR_MAX 160

struct cmap_node {
	unsigned id;            /* 1..CMAP_MAX_NODES; 0: slot unused */
	char nfs_addr[64];
	uint16_t nfs_port;
	char peer_addr[64];
	uint16_t peer_port;
	unsigned npartitions;   /* how many it owns */
};

struct cmap {
	char id[CMAP_ID_MAX + 1];
	uint64_t epoch;
	unsigned nshards;
	unsigned npartitions;
	unsigned nnodes;
	int pnfs;               /* the owners serve pNFS layouts */
	struct cmap_node node[CMAP_MAX_NODES + 1]; /* indexed by node id */
	uint8_t owner[NS_MAX_SHARDS];               /* partition -> node id */
};

/* Read and check the map in PATH. 0, or -1 with the reason in ERR. */
int cmap_load(struct cmap *m, const char *path, char err[CMAP_ERR_MAX]);
/* The same from the text TEXT (tests, the launcher's dry runs). */
int cmap_parse(struct cmap *m, const char *text, char err[CMAP_ERR_MAX]);
/* The map of a cluster of one: node 1 owns every partition. ID may be
 * NULL ("strata"). */
void cmap_single(struct cmap *m, const char *id, unsigned nshards,
		 unsigned npartitions);

/* Sets of nodes (a client's owners, the nodes a call went to) are 64-bit
 * masks: node ID is bit ID - 1, so every id 1..CMAP_MAX_NODES has one.
 * 0 for an id out of that range. */
static inline uint64_t cmap_node_bit(unsigned id)
{
	return id >= 1 && id <= CMAP_MAX_NODES ? 1ull << (id - 1) : 0;
}

/* The lowest node id in SET, which must not be empty. */
static inline unsigned cmap_first_node(uint64_t set)
{
	return (unsigned)__builtin_ctzll(set) + 1;
}

static inline unsigned cmap_shard_partition(const struct cmap *m,
					    unsigned shard)
{
	return shard % m->npartitions;
}

static inline unsigned cmap_partition_owner(const struct cmap *m,
					    unsigned partition)
{
	return m->owner[partition];
}

/* The node that owns FILEID's inode (the shard in its top bits). */
unsigned cmap_fileid_owner(const struct cmap *m, uint64_t fileid);
/* The node that owns the entry NAME in directory PARENT. */
unsigned cmap_entry_owner(const struct cmap *m, uint64_t parent,
			  const char *name, size_t namelen);
/* NULL if ID names no node of the map. */
const struct cmap_node *cmap_node(const struct cmap *m, unsigned id);
/* Nonzero if node ID owns every partition (a cluster of one node as far
 * as routing goes). */
int cmap_owns_all(const struct cmap *m, unsigned id);
/* How many nodes own at least one partition. */
unsigned cmap_owners(const struct cmap *m);

#endif
