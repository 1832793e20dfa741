/*
 * nfsd/orphan.h — files whose last name went while a client had them open.
 *
 * When REMOVE or RENAME-over frees a regular file's inode record while some
 * client still has it open, the file's data must not go at once (the open
 * state still names it) nor stay forever (the opener's next READ gets
 * NFS4ERR_STALE, and the Linux client then drops the file without a CLOSE,
 * so "free at the last CLOSE" alone leaks the data until the client's state
 * goes). The server keeps the inode as it was here and removes the data
 * when the last open goes: at CLOSE, or when the client's state is released
 * (DESTROY_CLIENTID, lease expiry): orphan_reap() drops the entry and
 * kicks the reclaimer.
 *
 * Not yet: serving the unlinked file to its opener (POSIX unlink semantics
 * across clients, as knfsd does); today its READ/WRITE/GETATTR get
 * NFS4ERR_STALE. The kept inode is what that needs.
 *
 * Ownership: the list hangs off struct strata_server (srv->orphans), each
 * entry owned by the list. Concurrency: every call needs srv->state_lock,
 * like the open state it follows.
 *
 * The data itself is freed by the reclaimer (nfsd/reclaim.h), from the
 * namespace's reclaim list, which the removal wrote; the reclaimer skips
 * files on this list. Crash: this list is not persistent, the reclaim list
 * is: after a restart no open survives, so the data is freed then.
 */
#ifndef STRATA_NFSD_ORPHAN_H
#define STRATA_NFSD_ORPHAN_H

#include <stdint.h>

#include "ns.h"

struct strata_server;

struct orphan {
	struct ns_inode ino;
	struct orphan *next;
};

/* Keep INO (just unlinked, still open). 0 or -ENOMEM (then the caller
 * frees the data at once, as before). */
int orphan_add(struct strata_server *srv, const struct ns_inode *ino);
/* The kept inode of FILEID, or NULL. */
struct orphan *orphan_find(struct strata_server *srv, uint64_t fileid);
/* Let go of every orphan nobody has open any more (the reclaimer frees
 * their data). */
void orphan_reap(struct strata_server *srv);
/* Free the list without touching data (server shutdown). */
void orphan_free_all(struct strata_server *srv);

#endif
