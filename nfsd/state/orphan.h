/*
 * nfsd/state/orphan.h — files whose last name went while a client had them
 * open.
 *
 * When REMOVE or RENAME-over frees a regular file's inode record while some
 * client still has it open, the file's data must not go at once (the open
 * state still names it) nor stay forever (a client may never CLOSE it: the
 * Linux client drops a file it sees as stale without one). The server keeps the inode as it was here and removes the data
 * when the last open goes: at CLOSE, or when the client's state is released
 * (DESTROY_CLIENTID, lease expiry): orphan_reap() drops the entry and
 * kicks the reclaimer.
 *
 * Meanwhile the opener keeps using it (POSIX unlink semantics across
 * clients, as knfsd gives): PUTFH of its handle works while some open
 * remains, and GETATTR, READ, WRITE, SETATTR, COMMIT, LAYOUTGET and
 * LAYOUTCOMMIT see and change the kept inode (orphan_getattr and the
 * orphan_* updates below, called by the ops' inode helpers in ops.h when
 * the namespace no longer has the fileid). A kept file that never held
 * data (NS_INO_NO_DATA: its removal wrote no reclaim record) gets one
 * before its first data is made (orphan_prepare_data), so nothing leaks.
 * (docs/decisions/0018)
 *
 * Ownership: the list hangs off struct strata_server (srv->orphans), each
 * entry owned by the list. Concurrency: every call needs srv->state_lock,
 * like the open state it follows.
 *
 * The data itself is freed by the reclaimer (nfsd/state/reclaim.h), from the
 * namespace's reclaim list, which the removal wrote; the reclaimer skips
 * files on this list. Crash: this list is not persistent, the reclaim list
 * is: after a restart no open survives, so the data is freed then.
 */
#ifndef STRATA_NFSD_ORPHAN_H
#define STRATA_NFSD_ORPHAN_H

#include <stdint.h>

#include "ns.h"
#include "ns_xtx.h"

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
/* The kept inode of FILEID if its generation is GEN: 0, or -ENOENT. */
int orphan_getattr(struct strata_server *srv, uint64_t fileid, uint32_t gen,
		   struct ns_inode *out);
/* Data is about to be made for kept FILEID (a write, stripe objects):
 * make sure its removal is on the reclaim list first. 0, -ENOENT (not
 * kept) or -errno. */
int orphan_prepare_data(struct strata_server *srv, uint64_t fileid);
/* ns_note_write / ns_setattr / ns_data_placed on the kept inode (*out may
 * be NULL). 0, -ENOENT (not kept) or -errno. */
int orphan_note_write(struct strata_server *srv, uint64_t fileid,
		      uint64_t end, struct ns_inode *out);
int orphan_setattr(struct strata_server *srv, uint64_t fileid, unsigned mask,
		   const struct ns_inode *attr, struct ns_inode *out);
/* Record where FILEID's data objects stand (ns.h, ns_inode_flags): PLACED
 * 1 after every object was created (ns_data_placed), 0 after a creation
 * that failed part way (ns_data_unsure); on the namespace's record, or on
 * the kept inode when the namespace no longer has it. 0, -ENOENT (neither)
 * or -errno. */
int inode_mark_data(struct strata_server *srv, uint64_t fileid, int placed);

/* INO's last link just went (REMOVE, RENAME over it, or a cross-node
 * transaction that took its inode record out here): keep it while some
 * client has it open, else forget its layouts and let the reclaimer free
 * its data (the removal listed it). GONE: every such inode of one
 * transaction (ns_xtx.h). Under state_lock. */
void orphan_unlinked(struct strata_server *srv, const struct ns_inode *ino);
void orphan_unlinked_all(struct strata_server *srv,
			 const struct ns_xtx_gone *gone);

/* Let go of every orphan nobody has open any more (the reclaimer frees
 * their data). */
void orphan_reap(struct strata_server *srv);
/* Free the list without touching data (server shutdown). */
void orphan_free_all(struct strata_server *srv);

#endif
