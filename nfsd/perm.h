/*
 * nfsd/perm.h — POSIX permission checks on the metadata server: who may
 * look up, list, create, remove, rename, open, read, write and change the
 * attributes of what, from the RPC credential and the mode bits, owner and
 * group of the inodes (RFC 8881 §6.1: the mode attribute's semantics, as a
 * POSIX file system and knfsd apply them; docs/decisions/0020).
 *
 * Identity: perm_id_of() turns an RPC credential into the identity every
 * check uses. It is the one place where identities are mapped (AUTH_NONE is
 * nobody, 65534; root squashing and export rules will go here).
 *
 * Root (uid 0) may do anything but run a regular file nobody may run (the
 * Linux rule for CAP_DAC_OVERRIDE and CAP_FOWNER).
 *
 * Errors: NFS4ERR_ACCESS where POSIX says EACCES (mode bits), NFS4ERR_PERM
 * where it says EPERM (ownership: chmod/chown/explicit times by a
 * non-owner, the sticky bit).
 *
 * Pure functions; any thread.
 */
#ifndef STRATA_NFSD_PERM_H
#define STRATA_NFSD_PERM_H

#include <stdint.h>

#include "nfs4_prot.h"
#include "ns.h"
#include "rpc.h"

#define PERM_NOBODY 65534u

struct perm_id {
	uint32_t uid, gid;
	uint32_t ngids;
	uint32_t gids[RPC_MAX_GIDS];
};

enum perm_want {
	PERM_EXEC = 1,  /* search, for a directory */
	PERM_WRITE = 2,
	PERM_READ = 4,
};

void perm_id_of(const struct rpc_cred *cred, struct perm_id *out);
int perm_is_root(const struct perm_id *id);
/* GID is the identity's primary group or one of its supplementary ones. */
int perm_in_group(const struct perm_id *id, uint32_t gid);

/* The rwx bits (enum perm_want) ID has on INO: the owner's, the group's or
 * the others' class, or for root everything but x on a regular file
 * without any x bit. ACCESS answers from this. */
unsigned perm_granted(const struct perm_id *id, const struct ns_inode *ino);
/* NFS4_OK when ID has every bit of WANT on INO, else NFS4ERR_ACCESS. */
nfsstat4 perm_check(const struct perm_id *id, const struct ns_inode *ino,
		    unsigned want);
/* The check of OPEN of an existing file and of READ/WRITE with a special
 * stateid: as perm_check(), but reading a regular file one may execute is
 * allowed (clients read the programs they run: knfsd's read-if-exec). */
nfsstat4 perm_check_open(const struct perm_id *id, const struct ns_inode *ino,
			 unsigned want);

/* Making a new entry in DIR: write and search (NFS4ERR_ACCESS). */
nfsstat4 perm_may_create(const struct perm_id *id, const struct ns_inode *dir);
/* Taking entry VICTIM out of DIR (remove, or either end of a rename):
 * write and search on DIR (NFS4ERR_ACCESS); in a sticky directory only
 * the owner of the entry or of the directory, or root (NFS4ERR_PERM). */
nfsstat4 perm_may_delete(const struct perm_id *id, const struct ns_inode *dir,
			 const struct ns_inode *victim);

/*
 * SETATTR of the fields in *MASK (enum ns_setattr_mask) with values ATTR
 * on INO by ID. FILE_OPEN_FOR_WRITE: the call carries a stateid of an
 * open (or delegation) with write access, which was checked at OPEN (a
 * size change then needs nothing more). Checks, in the order Linux does:
 * size (write permission; the owner always, as knfsd), owner (root only, or the
 * owner keeping it), group (root, or the owner giving it to one of their
 * groups), mode (owner or root), explicit times (owner or root), times
 * set to now (owner, root or write permission). On success it may adjust
 * ATTR and *MASK as Linux does: a mode set by a non-root caller outside
 * the file's (new) group loses S_ISGID; a change of owner or group of a
 * non-directory clears S_ISUID, and S_ISGID when group-execute is set; a
 * size change by a non-root caller does the same (perm_mode_after_write).
 */
nfsstat4 perm_setattr(const struct perm_id *id, const struct ns_inode *ino,
		      int file_open_for_write, unsigned *mask,
		      struct ns_inode *attr);

/* After a write (or truncate) by ID: INO's mode with S_ISUID cleared, and
 * S_ISGID when group-execute is set (it marks mandatory locking without
 * it), unless ID is root or INO is no regular file. Equal to INO's mode
 * when nothing changes. */
uint32_t perm_mode_after_write(const struct perm_id *id,
			       const struct ns_inode *ino);

/* Group and mode of a new object of TYPE made by ID in DIR with the
 * requested MODE: a set-group-ID directory passes its group on (and, to a
 * new directory, its S_ISGID bit); a non-root maker outside the new
 * object's group cannot give a non-directory S_ISGID. */
void perm_new_object(const struct perm_id *id, const struct ns_inode *dir,
		     uint32_t type, uint32_t *gid, uint32_t *mode);

#endif
