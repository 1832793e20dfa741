/*
 * pnfs/ds_self.h — a data server's view of its own store's identity and of
 * the metadata server's verdict on it (docs/decisions/0019, handshake in
 * pnfs/ctl_prot.x: CTL_HELLO, CTL_VERDICT).
 *
 * At start the data server reads the identity in its store directory
 * (datastore/identity.h) and says loudly when there is none. Until the MDS
 * has given a verdict on this process's store, client I/O waits
 * (NFS4ERR_DELAY, as before the MDS's first contact); after SERVE or
 * FORMAT it is served; after QUARANTINE every client I/O is refused with
 * NFS4ERR_STALE (the Linux client then goes to the MDS, which answers the
 * stripes of this server with NFS4ERR_IO) until a later verdict says
 * otherwise (an operator restored the directory, or restarted the server
 * with --replace).
 *
 * Ownership: created by server_start() for ROLE_DS, owned by the server.
 * Threads: any; one mutex inside protects everything.
 */
#ifndef STRATA_PNFS_DS_SELF_H
#define STRATA_PNFS_DS_SELF_H

#include "identity.h"

struct ds_self;

enum ds_serving {
	DS_PENDING = 0,   /* no verdict yet: client I/O gets DELAY */
	DS_SERVING,
	DS_QUARANTINED,   /* client I/O gets STALE */
};

/* Read the identity of the store in DIR. REPLACE_OK: started with
 * --replace. EMPTY: the store holds no object. 0, or -errno (-EINVAL: the
 * identity file is malformed; the server does not start). */
int ds_self_open(struct ds_self **out, const char *dir, int replace_ok,
		 int empty);
void ds_self_free(struct ds_self *s);

/* What CTL_HELLO reports: 1 and *ID when the store has an identity. */
int ds_self_identity(struct ds_self *s, struct ds_identity *id,
		     int *replace_ok, int *empty);
/* The MDS's verdict. FORMAT writes ID into the store first (0 or -errno;
 * on failure nothing changes). REASON is logged. */
int ds_self_serve(struct ds_self *s, const struct ds_identity *id);
int ds_self_format(struct ds_self *s, const struct ds_identity *id,
		   const char *reason);
void ds_self_quarantine(struct ds_self *s, const char *reason);
enum ds_serving ds_self_serving(struct ds_self *s);

#endif
