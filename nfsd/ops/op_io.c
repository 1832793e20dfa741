/* nfsd/ops/op_io.c — READ (RFC 8881 §18.22), WRITE (§18.32),
 * COMMIT (§18.3) on the metadata server, through nfsd/data.h (the local
 * store, or the data servers when the MDS serves I/O itself). A data
 * server's READ/WRITE/COMMIT are in op_ds_io.c (op_table.c picks). A
 * file offloaded to the object tier: nfsd/residency.h. */
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "layout_state.h"
#include "ops.h"
#include "residency.h"
#include "server.h"
#include "state.h"

static nfsstat4 regular(const struct compound *c)
{
	if (c->cur.type == NS_REG)
		return NFS4_OK;
	return c->cur.type == NS_DIR ? NFS4ERR_ISDIR : NFS4ERR_INVAL;
}

/* Resolve the stateid of an I/O op on INO and check its open mode and
 * conflicts (RFC 8881 §8.2.2, §9.1.2). A special stateid names no OPEN,
 * so the caller's permission is checked here, as OPEN would (perm.h). */
static nfsstat4 io_stateid(struct compound *c, const struct ns_inode *ino,
			   const stateid4 *sid, int write, uint64_t off,
			   uint64_t len)
{
	struct nfs_stid *st;
	const struct nfs_stid *open;
	nfsstat4 s;

	s = state_resolve(c, sid, (1u << STID_OPEN) | (1u << STID_LOCK) |
				  (1u << STID_DELEG),
			  c->cur.fileid, &st);
	if (s != NFS4_OK)
		return s;
	if (!st) {
		s = perm_check_open(&c->who, ino, write ? PERM_WRITE
							: PERM_READ);
		if (s != NFS4_OK)
			return s;
	}
	open = st && st->kind == STID_LOCK ? st->open : st;
	if (open && open->kind == STID_OPEN) {
		if (write && !(open->access & OPEN4_SHARE_ACCESS_WRITE))
			return NFS4ERR_OPENMODE;
		/* A write-only open may read (the client reads around
		 * partial page writes), RFC 8881 §9.1.2. */
	}
	return state_io_check(c->srv, c->cur.fileid, st, write, off, len);
}

/* Where a READ of COUNT at OFF finds the file's end. A client holding an
 * RW layout may have written past the size the MDS knows and not yet sent
 * LAYOUTCOMMIT (RFC 8881 §12.5.4): its own READs come here when a data
 * server sends a read across the end of a stripe object to the MDS
 * (ops/op_ds_io.c), and must see those bytes, not an eof before them. */
static uint64_t read_size(struct compound *c, const struct ns_inode *ino,
			  uint64_t off, uint32_t count)
{
	if ((off < ino->size && ino->size - off >= count) ||
	    !layout_rw_granted(c->srv, c->cur.fileid))
		return ino->size;
	return data_written_size(c->srv, ino);
}

/* READ of an offloaded file (residency.h): from the parts its recall has
 * brought back, else STATUS (DELAY while it is recalled, the client
 * retries, §15.1.1.3; IO once its recall is stuck). A failed read of
 * the parts (a data server away, or one that lost the copy's unsynced
 * writes) is answered STATUS too: the file's data is safe in the
 * object, and the recall either brings it back or fails and is retried. */
static nfsstat4 read_away(struct compound *c, const READ4args *a,
			  READ4resok *ok, const struct ns_inode *ino,
			  nfsstat4 status)
{
	uint32_t count = a->count;
	size_t n = 0;
	char *buf;
	int rc;

	if (count > c->srv->cfg.max_io)
		count = c->srv->cfg.max_io;
	if (a->offset >= ino->size)
		count = 0;
	else if (ino->size - a->offset < count)
		count = (uint32_t)(ino->size - a->offset);
	buf = malloc(count ? count : 1);
	if (!buf)
		return NFS4ERR_RESOURCE;
	rc = residency_read(c->srv, ino, a->offset, buf, count, &n);
	if (rc < 0) {
		free(buf);
		return status;
	}
	ok->data.base = buf;
	ok->data.len = (u_int)n;
	ok->data.owned = 1;
	ok->eof = a->offset + n >= ino->size ? TRUE : FALSE;
	atomic_fetch_add(&c->srv->counters.read_bytes, n);
	return NFS4_OK;
}

nfsstat4 op_read(struct compound *c, void *args, void *res)
{
	READ4args *a = args;
	READ4resok *ok = &((READ4res *)res)->READ4res_u.resok4;
	struct ns_inode ino;
	uint32_t count = a->count;
	uint64_t size;
	ssize_t n = 0;
	char *buf;
	nfsstat4 s = regular(c);

	if (s == NFS4_OK)
		s = cur_inode(c, &ino);
	if (s == NFS4_OK)
		s = io_stateid(c, &ino, &a->stateid, 0, a->offset, a->count);
	if (s != NFS4_OK)
		return s;
	/* Offloaded: no copy on the data servers to read but the parts a
	 * running recall has brought back; otherwise the client retries
	 * (§15.1.1.3) while the tier recalls it. */
	s = residency_refuse(c->srv, &ino, NFS4ERR_DELAY, NFS4ERR_IO);
	if (s != NFS4_OK)
		return read_away(c, a, ok, &ino, s);
	if (count > c->srv->cfg.max_io)
		count = c->srv->cfg.max_io;
	size = read_size(c, &ino, a->offset, count);
	if (a->offset >= size)
		count = 0;
	else if (size - a->offset < count)
		count = (uint32_t)(size - a->offset);
	buf = malloc(count ? count : 1);
	if (!buf)
		return NFS4ERR_RESOURCE;
	if (count) {
		/* Short when lost data follows (data.h): the client asks
		 * again from there and gets the error. */
		n = data_read(c->srv, &ino, a->offset, buf, count);
		if (n < 0) {
			free(buf);
			return nfs_errno((int)n);
		}
		count = (uint32_t)n;
	}
	ok->data.base = buf;
	ok->data.len = count;
	ok->data.owned = 1;
	ok->eof = a->offset + count >= size ? TRUE : FALSE;
	atomic_fetch_add(&c->srv->counters.read_bytes, count);
	return NFS4_OK;
}

nfsstat4 op_write(struct compound *c, void *args, void *res)
{
	WRITE4args *a = args;
	WRITE4resok *ok = &((WRITE4res *)res)->WRITE4res_u.resok4;
	struct ns_inode ino;
	int stable = a->stable != UNSTABLE4;
	ssize_t n;
	int rc;
	nfsstat4 s = regular(c);

	if (s == NFS4_OK)
		s = cur_inode(c, &ino);
	if (s == NFS4_OK)
		s = io_stateid(c, &ino, &a->stateid, 1, a->offset,
			       a->data.len);
	if (s != NFS4_OK)
		return s;
	if (a->offset + a->data.len < a->offset)
		return NFS4ERR_FBIG;
	/* Offloaded: recall first (residency.h), nothing written. */
	s = residency_refuse(c->srv, &ino, NFS4ERR_DELAY, NFS4ERR_IO);
	if (s != NFS4_OK)
		return s;
	/* Writes never make objects (data.h): a file's first write makes
	 * them here. */
	rc = inode_place_data(c, &ino, 0);
	if (rc < 0)
		return nfs_errno(rc);
	n = data_write(c->srv, &ino, a->offset, a->data.base, a->data.len,
		       stable);
	if (n < 0)
		return nfs_errno((int)n);
	rc = inode_note_write(c, c->cur.fileid, a->offset + (uint64_t)n, &ino);
	if (rc == 0)
		rc = drop_setid(c, &ino);
	if (rc < 0)
		return nfs_errno(rc);
	ok->count = (count4)n;
	/* Size and times are committed durably with the write's metadata,
	 * so a synced data write is FILE_SYNC. */
	ok->committed = stable ? FILE_SYNC4 : UNSTABLE4;
	memcpy(ok->writeverf, c->srv->write_verf, NFS4_VERIFIER_SIZE);
	atomic_fetch_add(&c->srv->counters.write_bytes, (uint64_t)n);
	return NFS4_OK;
}

nfsstat4 op_commit(struct compound *c, void *args, void *res)
{
	COMMIT4resok *ok = &((COMMIT4res *)res)->COMMIT4res_u.resok4;
	struct ns_inode ino;
	nfsstat4 s = regular(c);
	int rc;

	(void)args;
	if (s == NFS4_OK)
		s = cur_inode(c, &ino);
	if (s != NFS4_OK)
		return s;
	/* Offloaded: what was written is in the tier's object, durable;
	 * nothing on the data servers to commit (residency.h). */
	rc = residency_away(&ino) ? 0 : data_commit(c->srv, &ino);
	if (rc < 0)
		return nfs_errno(rc);
	memcpy(ok->writeverf, c->srv->write_verf, NFS4_VERIFIER_SIZE);
	return NFS4_OK;
}
