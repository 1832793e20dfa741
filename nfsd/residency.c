/* nfsd/residency.c — see residency.h. */
#include "residency.h"

#include <errno.h>

#include "server.h"

int residency_away(const struct ns_inode *ino)
{
	return ino->type == NS_REG && ino->residency == NS_RES_OFFLOADED;
}

int residency_want(struct strata_server *srv, const struct ns_inode *ino)
{
	if (ino->type == NS_REG && srv->tier_used)
		srv->tier_used(srv->tier_used_arg, ino->fileid);
	if (!residency_away(ino))
		return 0;
	if (srv->tier_recall_wanted)
		srv->tier_recall_wanted(srv->tier_recall_arg, ino->fileid);
	return 1;
}

nfsstat4 residency_refuse(struct strata_server *srv,
			  const struct ns_inode *ino, nfsstat4 wait,
			  nfsstat4 stuck)
{
	if (!residency_want(srv, ino))
		return NFS4_OK;
	if (srv->tier_recall_stuck &&
	    srv->tier_recall_stuck(srv->tier_recall_arg, ino->fileid))
		return stuck;
	return wait;
}

int residency_read(struct strata_server *srv, const struct ns_inode *ino,
		   uint64_t off, void *buf, size_t len, size_t *n)
{
	if (!srv->tier_read_parts)
		return -EAGAIN;
	return srv->tier_read_parts(srv->tier_recall_arg, ino->fileid, off, buf,
				    len, n);
}

uint64_t residency_space_used(const struct ns_inode *ino)
{
	uint64_t blocks = ino->size / 4096 + (ino->size % 4096 != 0);

	return blocks * 4096;
}

void residency_open(struct strata_server *srv, const struct ns_inode *ino)
{
	(void)residency_want(srv, ino);
}
