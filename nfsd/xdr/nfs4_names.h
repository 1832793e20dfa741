/*
 * nfsd/xdr/nfs4_names.h -- names of NFSv4.1 statuses and operations as the
 * RFC spells them ("NFS4ERR_DELAY", "OPEN"). Pure functions, any thread;
 * the strings are static.
 */
#ifndef STRATA_XDR_NFS4_NAMES_H
#define STRATA_XDR_NFS4_NAMES_H

#include "nfs4_prot.h"

/* An unknown value gives a fixed placeholder (see the .c). */
const char *nfs_status_name(nfsstat4 st);
const char *nfs_op_name(nfs_opnum4 op);

#endif
