/* nfsd/ops/op_notsupp.c — ops we decode (so a COMPOUND stays parseable)
 * but do not offer yet. */
#include "ops.h"

nfsstat4 op_notsupp(struct compound *c, void *args, void *res)
{
	(void)c;
	(void)args;
	(void)res;
	return NFS4ERR_NOTSUPP;
}

/* Layout ops before pNFS lands: never EIO, see pnfs-linux-client.md. */
nfsstat4 op_layoutunavailable(struct compound *c, void *args, void *res)
{
	(void)c;
	(void)args;
	(void)res;
	return NFS4ERR_LAYOUTUNAVAILABLE;
}
