/*
 * nfsd/xtx_break.c — see xtx_break.h.
 */
#include "xtx_break.h"

#include "deleg.h"
#include "layout_state.h"
#include "ns_xtx.h"
#include "server.h"

#define XTX_BREAK_MAX 16 /* inode records of one part: a rename writes 4 */

nfsstat4 xtx_break(struct strata_server *srv, const struct nfs_client *asker,
		   const uint8_t *rec, size_t len)
{
	struct ns_xtx_inode ino[XTX_BREAK_MAX];
	size_t n = ns_xtx_record_inodes(rec, len, ino, XTX_BREAK_MAX);
	nfsstat4 worst = NFS4_OK;

	if (n > XTX_BREAK_MAX)
		n = XTX_BREAK_MAX;
	/* Every recall is sent before answering, so that one retry of the
	 * client finds them all back. */
	for (size_t i = 0; i < n; i++) {
		nfsstat4 st = deleg_break(srv, asker, ino[i].fileid, 1);

		if (ino[i].deleted &&
		    layout_break(srv, asker, ino[i].fileid) != NFS4_OK)
			st = NFS4ERR_DELAY;
		if (st != NFS4_OK)
			worst = st;
	}
	return worst;
}
