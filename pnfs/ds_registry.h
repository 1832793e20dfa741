/*
 * pnfs/ds_registry.h — what the metadata server remembers of its data
 * servers' stores, durably (docs/decisions/0019): the cluster's id (made
 * at the first start) and, per data-server slot, the id of the store that
 * serves it (pnfs/ds_ident.h decides what to do when a data server's
 * store says otherwise).
 *
 * Kept in its own small LMDB environment, DIR (the MDS's data_dir/dsreg):
 * key "cluster" -> 16 bytes; key "slot.N" -> 16 bytes. Every write is one
 * durable commit.
 *
 * Ownership: ds_registry_open() returns a registry owned by the caller
 * (the cluster, pnfs/cluster.h). Threads: any; LMDB serialises writers
 * and the calls keep no other state.
 */
#ifndef STRATA_PNFS_DS_REGISTRY_H
#define STRATA_PNFS_DS_REGISTRY_H

#include <stdint.h>

#include "identity.h"

struct ds_registry;

/* Open (creating) the registry in DIR; a new one gets the cluster id
 * CLUSTER, or a random one when CLUSTER is NULL (one metadata node alone).
 * Several metadata nodes share their data servers, so they must agree on
 * the id (decision 0036): each derives it from the cluster map. An
 * existing registry keeps the id it has (ds_registry_cluster() tells).
 * 0 or -errno. */
int ds_registry_open(struct ds_registry **out, const char *dir,
		     const uint8_t *cluster);
void ds_registry_close(struct ds_registry *r);

void ds_registry_cluster(const struct ds_registry *r,
			 uint8_t out[DS_ID_LEN]);
/* 1 and *ID when SLOT has a record, 0 when not; -errno. */
int ds_registry_get(struct ds_registry *r, uint32_t slot,
		    uint8_t id[DS_ID_LEN]);
/* Record ID for SLOT durably. 0 or -errno. */
int ds_registry_set(struct ds_registry *r, uint32_t slot,
		    const uint8_t id[DS_ID_LEN]);

#endif
