/*
 * nfsd/state/state.h — stateids and what they stand for: opens (share access
 * and deny), byte-range locks, and later delegations and layouts
 * (RFC 8881 §8, §9, §10).
 *
 * A stateid's "other" field is 12 bytes (nfsd/stateid_fmt.h): the low 16
 * bits of the server boot epoch (2, big-endian), the node id (1), a 40-bit
 * id (5) and a signature (4): the first bytes of an HMAC (mac.h) over the
 * first 8 bytes and the stateid's fileid, so a data server can check a
 * stateid the MDS minted without
 * asking it (RFC 8881 §13.9.1 "tightly coupled" in effect). A stateid from
 * an earlier boot is NFS4ERR_STALE_STATEID.
 * Every nfs_stid belongs to one client (client->stids list), to the
 * server's hash by "other" and to its file's chain in the server's hash by
 * fileid (walk it with STATE_FOR_FILE), so the per-file checks of every
 * OPEN, READ, WRITE, LOCK, LAYOUTGET and recall cost the file's stateids,
 * not every stateid of every client.
 *
 * Threads: every function here needs srv->state_lock.
 */
#ifndef STRATA_NFSD_STATE_H
#define STRATA_NFSD_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <string.h>

#include "nfs4_prot.h"

struct strata_server;
struct nfs_client;
struct mac_key;
struct compound;

enum stid_kind {
	STID_OPEN = 1,
	STID_LOCK = 2,
	STID_DELEG = 3,
	STID_LAYOUT = 4,
};

struct lock_range {
	uint64_t start;
	uint64_t end; /* exclusive; UINT64_MAX = to end of file */
	int write;
	struct lock_range *next;
};

struct nfs_stid {
	uint8_t other[NFS4_OTHER_SIZE];
	uint32_t seqid;
	enum stid_kind kind;
	struct nfs_client *client;
	uint64_t fileid;
	struct nfs_stid *hash_next;   /* srv->stid_hash chain */
	struct nfs_stid *file_next;   /* srv->file_hash chain (any fileid) */
	struct nfs_stid *client_next; /* client->stids */
	struct nfs_stid **client_pprev; /* what points at it there */
	/* STID_LAYOUT: the client's layouts in grant order (oldest first,
	 * client->lo_first), for layout_trim() */
	struct nfs_stid *lo_prev, *lo_next;
	/* owner: the open-owner (STID_OPEN) or lock-owner (STID_LOCK) */
	uint8_t *owner;
	size_t owner_len;
	/* STID_OPEN */
	uint32_t access; /* OPEN4_SHARE_ACCESS_* bits held */
	uint32_t deny;   /* OPEN4_SHARE_DENY_* bits held */
	/* STID_LOCK */
	struct nfs_stid *open; /* the open it was created from */
	struct lock_range *locks;
	/* STID_DELEG: access holds OPEN4_SHARE_ACCESS_READ or _WRITE */
	uint32_t generation;   /* of the file, for CB_RECALL's filehandle */
	time_t recalled;       /* first recall attempt; 0 none (revocation
				  clock starts here; for a layout, when an
				  operation starts waiting for it) */
	int recall_sent;       /* CB_RECALL went out */
	int recall_waited;     /* STID_LAYOUT: an operation waits for its
				  return (nfsd/state/layout_state.h) */
	int mtime_set;         /* STID_LAYOUT: a SETATTR set the file's
				  mtime since this layout's last
				  LAYOUTCOMMIT, which keeps it
				  (layout_note_mtime_set) */
	/* The OPEN that granted it, named in CB_SEQUENCE's referring call
	 * list so the client can tell a recall that races the OPEN reply
	 * (RFC 8881 §2.10.6.3). */
	uint8_t ref_session[NFS4_SESSIONID_SIZE];
	uint32_t ref_slot, ref_seqid;
	int revoked;           /* NFS4ERR_DELEG_REVOKED until FREE_STATEID */
};

/* Compare counted byte strings; either may be NULL when its length is 0. */
static inline int bytes_eq(const void *a, size_t alen, const void *b,
			   size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* The server's stateid tables (hash by "other", hash by fileid), SIZE
 * buckets each; state_tables_free() frees the tables, not the stateids.
 * state_tables_init returns 0 or -ENOMEM. */
int state_tables_init(struct strata_server *srv, unsigned size);
void state_tables_free(struct strata_server *srv);

struct nfs_stid *stid_new(struct strata_server *srv, struct nfs_client *clp,
			  enum stid_kind kind, uint64_t fileid,
			  const void *owner, size_t owner_len);
void stid_free(struct strata_server *srv, struct nfs_stid *st);
struct nfs_stid *stid_find_other(struct strata_server *srv,
				 const uint8_t other[NFS4_OTHER_SIZE]);
void stid_to_wire(const struct nfs_stid *st, stateid4 *out);

/* First stateid in the chain that holds FILEID's stateids (and those of
 * other files that hash alike); STATE_FOR_FILE filters on the fileid.
 * The body may not free ST (save file_next first, as the _SAFE form does). */
struct nfs_stid *state_file_chain(struct strata_server *srv, uint64_t fileid);
#define STATE_FOR_FILE(srv, fid, st)                                       \
	for (struct nfs_stid *st = state_file_chain((srv), (fid)); st;        \
	     st = st->file_next)                                             \
		if (st->fileid == (fid))
#define STATE_FOR_FILE_SAFE(srv, fid, st, nx)                              \
	for (struct nfs_stid *st = state_file_chain((srv), (fid)),          \
			     *nx = st ? st->file_next : NULL;                  \
	     st; st = nx, nx = st ? st->file_next : NULL)                    \
		if (st->fileid == (fid))
void state_release_client(struct strata_server *srv, struct nfs_client *clp);

/* Signature and epoch of an "other" field (see the top of this file);
 * pure, any thread. */
void stateid_sign(const struct mac_key *k, uint8_t *other, uint64_t fileid);
int stateid_sig_ok(const struct mac_key *k, const uint8_t *other,
		   uint64_t fileid);
int stateid_epoch_matches(uint32_t boot_epoch, const uint8_t *other);

/* Special stateids (RFC 8881 §8.2.3). */
int stateid_is_anonymous(const stateid4 *s);  /* all zeros */
int stateid_is_bypass(const stateid4 *s);     /* all ones */
int stateid_is_current(const stateid4 *s);    /* seqid 1, other zeros */

/*
 * Resolve a stateid an op was given for file FILEID: substitutes the
 * current stateid, checks the epoch, existence, client, kind (KINDS is a
 * bit mask of 1 << stid_kind) and seqid (0 means "the latest",
 * RFC 8881 §8.2.2). *out is NULL for the special anonymous/bypass ids.
 */
nfsstat4 state_resolve(struct compound *c, const stateid4 *in,
		       unsigned kinds, uint64_t fileid,
		       struct nfs_stid **out);

/* Share reservations (RFC 8881 §9.7). */
nfsstat4 state_share_check(struct strata_server *srv, uint64_t fileid,
			   const struct nfs_stid *self, uint32_t access,
			   uint32_t deny);
/* May a READ or WRITE with STID (may be NULL: special stateid) proceed
 * against other opens' deny modes and locks? */
nfsstat4 state_io_check(struct strata_server *srv, uint64_t fileid,
			const struct nfs_stid *stid, int write,
			uint64_t off, uint64_t len);
int state_file_has_opens(struct strata_server *srv, uint64_t fileid);

/* Byte-range locks (RFC 8881 §12.2 of locking). */
struct nfs_stid *lock_conflict(struct strata_server *srv, uint64_t fileid,
			       const struct nfs_client *clp,
			       const void *owner, size_t owner_len, int write,
			       uint64_t start, uint64_t end);
int lock_add(struct nfs_stid *ls, int write, uint64_t start, uint64_t end);
int lock_remove(struct nfs_stid *ls, uint64_t start, uint64_t end);

#endif
