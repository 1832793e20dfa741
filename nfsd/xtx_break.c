/*
 * nfsd/xtx_break.c — see xtx_break.h.
 */
#include "xtx_break.h"

#include <errno.h>

#include "deleg.h"
#include "layout_state.h"
#include "ns_xtx.h"
#include "server.h"
#include "session.h"

#define XTX_BREAK_MAX 16 /* inode records of one part: a rename writes 4 */

int xtx_break(struct strata_server *srv, uint64_t asker, const uint8_t *rec,
	      size_t len)
{
	const struct nfs_client *clp = asker ? client_find(srv, asker) : NULL;
	struct ns_xtx_inode ino[XTX_BREAK_MAX];
	size_t n = ns_xtx_record_inodes(rec, len, ino, XTX_BREAK_MAX);
	int busy = 0;

	if (n > XTX_BREAK_MAX)
		n = XTX_BREAK_MAX;
	/* Every recall is sent before answering, so that one retry of the
	 * client finds them all back. */
	for (size_t i = 0; i < n; i++) {
		if (deleg_break(srv, clp, ino[i].fileid, 1) != NFS4_OK)
			busy = 1;
		if (ino[i].deleted &&
		    layout_break(srv, clp, ino[i].fileid) != NFS4_OK)
			busy = 1;
	}
	return busy ? -EBUSY : 0;
}
