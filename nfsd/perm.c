/* nfsd/perm.c — see perm.h. */
#include "perm.h"

#include <string.h>

#define MODE_SUID 04000u
#define MODE_SGID 02000u
#define MODE_STICKY 01000u
#define MODE_XGRP 00010u
#define MODE_XANY 00111u

void perm_id_of(const struct rpc_cred *cred, struct perm_id *out)
{
	memset(out, 0, sizeof(*out));
	if (cred->flavor != RPC_AUTH_SYS) {
		out->uid = out->gid = PERM_NOBODY;
		return;
	}
	out->uid = cred->uid;
	out->gid = cred->gid;
	out->ngids = cred->ngids > RPC_MAX_GIDS ? RPC_MAX_GIDS : cred->ngids;
	memcpy(out->gids, cred->gids, out->ngids * sizeof(out->gids[0]));
}

int perm_is_root(const struct perm_id *id)
{
	return id->uid == 0;
}

int perm_in_group(const struct perm_id *id, uint32_t gid)
{
	if (id->gid == gid)
		return 1;
	for (uint32_t i = 0; i < id->ngids; i++)
		if (id->gids[i] == gid)
			return 1;
	return 0;
}

static int is_owner(const struct perm_id *id, const struct ns_inode *ino)
{
	return id->uid == ino->uid;
}

unsigned perm_granted(const struct perm_id *id, const struct ns_inode *ino)
{
	unsigned m = ino->mode;

	if (perm_is_root(id)) {
		/* Root may search any directory and run any file someone
		 * may run. */
		unsigned x = (ino->type != NS_REG || (m & MODE_XANY)) ? 1 : 0;
		return PERM_READ | PERM_WRITE | x;
	}
	if (is_owner(id, ino))
		return (m >> 6) & 7;
	if (perm_in_group(id, ino->gid))
		return (m >> 3) & 7;
	return m & 7;
}

nfsstat4 perm_check(const struct perm_id *id, const struct ns_inode *ino,
		    unsigned want)
{
	return (perm_granted(id, ino) & want) == want ? NFS4_OK
						       : NFS4ERR_ACCESS;
}

nfsstat4 perm_check_open(const struct perm_id *id, const struct ns_inode *ino,
			 unsigned want)
{
	unsigned have = perm_granted(id, ino);

	/* Read-if-exec: a client loads a program it may run by reading it. */
	if (ino->type == NS_REG && (want & PERM_READ) && (have & PERM_EXEC))
		have |= PERM_READ;
	return (have & want) == want ? NFS4_OK : NFS4ERR_ACCESS;
}

nfsstat4 perm_may_create(const struct perm_id *id, const struct ns_inode *dir)
{
	return perm_check(id, dir, PERM_WRITE | PERM_EXEC);
}

nfsstat4 perm_may_delete(const struct perm_id *id, const struct ns_inode *dir,
			 const struct ns_inode *victim)
{
	nfsstat4 st = perm_check(id, dir, PERM_WRITE | PERM_EXEC);

	if (st != NFS4_OK)
		return st;
	/* Sticky directory: only the entry's owner, the directory's owner
	 * or root (POSIX XBD 4.5, Linux's check_sticky). */
	if ((dir->mode & MODE_STICKY) && !perm_is_root(id) &&
	    !is_owner(id, dir) && !is_owner(id, victim))
		return NFS4ERR_PERM;
	return NFS4_OK;
}

uint32_t perm_mode_after_write(const struct perm_id *id,
			       const struct ns_inode *ino)
{
	uint32_t m = ino->mode;

	if (perm_is_root(id) || ino->type != NS_REG)
		return m;
	m &= ~MODE_SUID;
	if (m & MODE_XGRP)
		m &= ~MODE_SGID;
	return m;
}

/* The mode after a change of owner or group of a non-directory (knfsd and
 * the VFS: whoever makes it). */
static uint32_t mode_after_chown(const struct ns_inode *ino, uint32_t m)
{
	if (ino->type == NS_DIR)
		return m;
	m &= ~MODE_SUID;
	if (m & MODE_XGRP)
		m &= ~MODE_SGID;
	return m;
}

static nfsstat4 check_owner_change(const struct perm_id *id,
				   const struct ns_inode *ino, unsigned mask,
				   const struct ns_inode *attr)
{
	if (perm_is_root(id))
		return NFS4_OK;
	/* chown: only root gives a file away; the owner may "set" it to
	 * themselves. */
	if ((mask & NS_SET_UID) &&
	    (!is_owner(id, ino) || attr->uid != ino->uid))
		return NFS4ERR_PERM;
	/* chgrp: the owner, to a group they are in (or the one it has). */
	if ((mask & NS_SET_GID) &&
	    (!is_owner(id, ino) ||
	     (attr->gid != ino->gid && !perm_in_group(id, attr->gid))))
		return NFS4ERR_PERM;
	return NFS4_OK;
}

static nfsstat4 check_times(const struct perm_id *id,
			    const struct ns_inode *ino, unsigned mask)
{
	unsigned explicit = NS_SET_ATIME | NS_SET_MTIME | NS_SET_BTIME;
	unsigned now = NS_SET_ATIME_NOW | NS_SET_MTIME_NOW;

	if (perm_is_root(id) || is_owner(id, ino))
		return NFS4_OK;
	if (mask & explicit)
		return NFS4ERR_PERM;
	if (mask & now)
		return perm_check(id, ino, PERM_WRITE);
	return NFS4_OK;
}

nfsstat4 perm_setattr(const struct perm_id *id, const struct ns_inode *ino,
		      int file_open_for_write, unsigned *mask,
		      struct ns_inode *attr)
{
	uint32_t mode = (*mask & NS_SET_MODE) ? attr->mode : ino->mode;
	uint32_t gid = (*mask & NS_SET_GID) ? attr->gid : ino->gid;
	nfsstat4 st = NFS4_OK;

	/* knfsd lets the owner cut their file whatever its mode (an
	 * ftruncate after fchmod on an open file). */
	if ((*mask & NS_SET_SIZE) && !file_open_for_write && !is_owner(id, ino))
		st = perm_check(id, ino, PERM_WRITE);
	if (st == NFS4_OK)
		st = check_owner_change(id, ino, *mask, attr);
	if (st == NFS4_OK && (*mask & NS_SET_MODE) && !perm_is_root(id) &&
	    !is_owner(id, ino))
		st = NFS4ERR_PERM;
	if (st == NFS4_OK)
		st = check_times(id, ino, *mask);
	if (st != NFS4_OK)
		return st;
	/* What Linux does to the set-ID bits on the way. */
	if ((*mask & NS_SET_MODE) && !perm_is_root(id) &&
	    !perm_in_group(id, gid))
		mode &= ~MODE_SGID;
	if (*mask & (NS_SET_UID | NS_SET_GID))
		mode = mode_after_chown(ino, mode);
	if ((*mask & NS_SET_SIZE) && !(*mask & NS_SET_MODE)) {
		struct ns_inode tmp = *ino;

		tmp.mode = mode;
		mode = perm_mode_after_write(id, &tmp);
	}
	if (mode != ((*mask & NS_SET_MODE) ? attr->mode : ino->mode)) {
		attr->mode = mode;
		*mask |= NS_SET_MODE;
	}
	return NFS4_OK;
}

void perm_new_object(const struct perm_id *id, const struct ns_inode *dir,
		     uint32_t type, uint32_t *gid, uint32_t *mode)
{
	if (dir->mode & MODE_SGID) {
		*gid = dir->gid;
		if (type == NS_DIR)
			*mode |= MODE_SGID;
	}
	if (type != NS_DIR && (*mode & MODE_SGID) && !perm_is_root(id) &&
	    !perm_in_group(id, *gid))
		*mode &= ~MODE_SGID;
}
