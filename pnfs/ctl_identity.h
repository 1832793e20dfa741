/*
 * pnfs/ctl_identity.h — a store identity (datastore/identity.h) to and from
 * its control-protocol form (ctl_identity, pnfs/ctl_prot.x). Pure.
 */
#ifndef STRATA_PNFS_CTL_IDENTITY_H
#define STRATA_PNFS_CTL_IDENTITY_H

#include <string.h>

#include "ctl_prot.h"
#include "identity.h"

static inline void ctl_identity_to_wire(ctl_identity *w,
					const struct ds_identity *id)
{
	memcpy(w->cluster, id->cluster, DS_ID_LEN);
	w->slot = id->slot;
	memcpy(w->ds, id->ds, DS_ID_LEN);
	memcpy(w->replaces, id->replaces, DS_ID_LEN);
}

static inline void ctl_identity_from_wire(struct ds_identity *id,
					  const ctl_identity *w)
{
	memcpy(id->cluster, w->cluster, DS_ID_LEN);
	id->slot = w->slot;
	memcpy(id->ds, w->ds, DS_ID_LEN);
	memcpy(id->replaces, w->replaces, DS_ID_LEN);
}

#endif
