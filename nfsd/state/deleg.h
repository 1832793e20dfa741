/*
 * nfsd/state/deleg.h — delegations (RFC 8881 §10.2): when to grant one at
 * OPEN, recalling conflicting ones (CB_RECALL through callback.c) and revoking
 * those not returned within a lease.
 *
 * Policy: a read delegation for a read-only open when no other client has
 * the file open for write or holds a write delegation; a write delegation
 * only when the client asks for one (OPEN4_SHARE_ACCESS_WANT_WRITE_DELEG /
 * _ANY_DELEG) and no other client has the file open or delegated. Only
 * clients with a working back channel get delegations.
 *
 * Threads: srv->state_lock held.
 */
#ifndef STRATA_NFSD_DELEG_H
#define STRATA_NFSD_DELEG_H

#include "compound.h"

struct nfs_client;

/* Fill OUT for the OPEN that just granted or upgraded an open on FILEID
 * (generation GEN) with share_access ACCESS (incl. WANT bits). */
void deleg_offer(struct compound *c, uint64_t fileid, uint32_t gen,
		 uint32_t share_access, open_delegation4 *out);

/* CLP (NULL: no client, e.g. a special stateid) is about to access FILEID
 * for writing (WRITE=1: open for write, remove, rename, truncate) or
 * reading. Recalls every conflicting delegation of other clients, revokes
 * those recalled more than a lease ago; NFS4ERR_DELAY while any conflict
 * remains. */
nfsstat4 deleg_break(struct strata_server *srv, const struct nfs_client *clp,
		     uint64_t fileid, int write);

#endif
