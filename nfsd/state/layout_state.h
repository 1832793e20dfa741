/*
 * nfsd/state/layout_state.h — layouts held by clients and their recall
 * (RFC 8881 §12.5). A client's layouts on one file are one STID_LAYOUT
 * stateid (nfsd/state/state.h): `access` holds the iomodes granted (bit
 * 1 << LAYOUTIOMODE4_READ / _RW), `generation` the file's generation (for
 * the recall's filehandle), `recalled`/`recall_sent` the recall clock.
 * Layouts are always whole-file (the Linux files-layout driver uses no
 * other), so a return is of the whole layout.
 *
 * Layouts are not returned at CLOSE (logr_return_on_close is false,
 * docs/decisions/0017): a client keeps its layout for a reopen, and
 * returns it when it evicts the inode, on a recall, or at unmount.
 *
 * Recall barrier: an operation that invalidates layouts (truncate down,
 * remove, later restripe and tier migration) calls layout_break(), which
 * sends CB_LAYOUTRECALL to every other holder. Holders that have the file
 * open (an open or a delegation) may have I/O in flight: the operation
 * answers NFS4ERR_DELAY until they are returned, and new LAYOUTGETs on the
 * file wait (layout_recall_pending). A holder that does not return it
 * within a lease of the recall is fenced: its layout is dropped and its
 * stateids for the file are revoked on every data server, so its DS I/O
 * fails and it must come back to the MDS. Holders that have it closed have
 * nothing in flight (the Linux client writes, COMMITs and LAYOUTCOMMITs
 * before CLOSE): they are sent the recall but not waited for (without a
 * back channel their layout is dropped), so removing or truncating a file
 * another client read a while ago costs no round trip.
 *
 * Threads: every function needs srv->state_lock.
 */
#ifndef STRATA_PNFS_LAYOUT_STATE_H
#define STRATA_PNFS_LAYOUT_STATE_H

#include <stdint.h>

#include "nfs4_prot.h"

struct strata_server;
struct nfs_client;
struct nfs_stid;

#define LAYOUT_IOMODE_BIT(m) (1u << (m))

/* CLP's layout stateid for FILEID, or NULL. */
struct nfs_stid *layout_find(struct strata_server *srv,
			     const struct nfs_client *clp, uint64_t fileid);

/* Recall layouts on FILEID held by clients other than EXCEPT (may be
 * NULL); NFS4_OK when none remain, else NFS4ERR_DELAY. */
nfsstat4 layout_break(struct strata_server *srv,
		      const struct nfs_client *except, uint64_t fileid);

/* After a LAYOUTGET: while CLP holds more than srv->cfg.max_layouts
 * layouts, recall the oldest on files it has closed, as many as its back
 * channel takes now (not waited for; without a back channel they are
 * dropped). Layouts live until the client evicts the inode (no
 * return-on-close), so this is what bounds the server's memory per
 * client. Walks the client's layouts oldest first (nfs_client.lo_first)
 * and stops at once in the common case. */
void layout_trim(struct strata_server *srv, struct nfs_client *clp);

/* FILEID's last link went and nobody has it open: drop every layout on
 * it (their holders' LAYOUTRETURNs would find the file STALE; kept, they
 * would pile up for clients that create and remove files all day). */
void layout_forget_file(struct strata_server *srv, uint64_t fileid);

/* 1 if some client holding a layout on FILEID has the file open (an open
 * or a delegation). state_lock. */
int layout_held_open(struct strata_server *srv, uint64_t fileid);

/* 1 if some client holds an RW layout on FILEID: it may have written past
 * the size the MDS knows, until its LAYOUTCOMMIT (RFC 8881 §12.5.4).
 * state_lock. */
int layout_rw_granted(struct strata_server *srv, uint64_t fileid);

/* Recall each layout on FILEID whose client has the file closed (a
 * layout kept after CLOSE: told, not waited for, as layout_break() does
 * with those); layouts of clients that have it open are left alone. The
 * object tier's policy uses it for an idle file that only such layouts
 * keep busy (nfsd/tier_scan.h). How many were recalled or, for clients
 * that cannot be called back, dropped. state_lock. */
unsigned layout_let_go_closed(struct strata_server *srv, uint64_t fileid);

/* 1 while some layout on FILEID is being recalled. */
int layout_recall_pending(struct strata_server *srv, uint64_t fileid);

/* A SETATTR set FILEID's mtime: the next LAYOUTCOMMIT of each of its
 * layouts keeps that mtime rather than stamping the commit's time. The
 * Linux client writes its data to the data servers before such a SETATTR
 * (utimensat after the writes: tar, cp -p, rsync) but may send the
 * LAYOUTCOMMIT for them after it, without a time_modify (RFC 8881
 * §18.42.3); stamping "now" then would undo the SETATTR. state_lock. */
void layout_note_mtime_set(struct strata_server *srv, uint64_t fileid);

/* The client answered the CB_LAYOUTRECALL of layout stateid OTHER with
 * STATUS (NFS4ERR_NOMATCHING_LAYOUT: it holds none; drop ours). */
void layout_recall_done(struct strata_server *srv,
			const uint8_t other[NFS4_OTHER_SIZE], nfsstat4 status);

/* Revoke on the data servers CLP's open, lock and delegation stateids for
 * FILEID (all files when FILEID is 0) that could be used for DS I/O. */
void layout_fence_client(struct strata_server *srv,
			 const struct nfs_client *clp, uint64_t fileid);

#endif
