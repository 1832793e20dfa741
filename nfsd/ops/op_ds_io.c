/*
 * nfsd/ops/op_ds_io.c — the data-server role (RFC 8881 §13.6): PUTFH of a
 * data-server handle, READ, WRITE and COMMIT of one stripe object.
 *
 * A DS trusts nothing a client says: the handle's MAC (fh.h) proves the
 * MDS issued it; its data generation names the copy it reads and writes
 * (datastore/store.h) and must not be below the file's fence (a layout
 * of a copy the MDS has moved on from: docs/decisions/0030),
 * and the stateid must carry the MDS's signature for this file, be of the
 * MDS's current boot and not be revoked (pnfs/ds_state.h). Stateid errors
 * are NFS4ERR_BAD_STATEID, which sends the Linux client to the MDS to
 * recover its state; a missing object (file removed, or lost) is
 * NFS4ERR_STALE, which makes it drop the layout and do I/O through the
 * MDS, which knows which of the two it is (nfsd/data.h). Until the MDS
 * has accepted this server's store (pnfs/ds_self.h) client I/O gets
 * NFS4ERR_DELAY; once it quarantined it, NFS4ERR_STALE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ds_self.h"
#include "ds_state.h"
#include "fh.h"
#include "layout.h"
#include "ops.h"
#include "server.h"
#include "state.h"
#include "stateid_fmt.h"

nfsstat4 op_ds_putfh(struct compound *c, void *args, void *res)
{
	PUTFH4args *a = args;
	uint64_t fileid;
	uint32_t index, gen;
	uint8_t hint;

	(void)res;
	switch (ds_self_serving(c->srv->self)) {
	case DS_PENDING:
		return NFS4ERR_DELAY;
	case DS_QUARANTINED:
		return NFS4ERR_STALE;
	case DS_SERVING:
		break;
	}
	if (fh_ds_decode((const uint8_t *)a->object.nfs_fh4_val,
			 a->object.nfs_fh4_len, &c->srv->key, &fileid, &index,
			 &gen, &hint) < 0)
		return NFS4ERR_BADHANDLE;
	/* A stale layout: STALE makes the Linux client drop the layout and
	 * send the I/O to the MDS, which reads the current copy
	 * (shared/pnfs-linux-client.md §6; RFC 8881 §13.6 lets a DS refuse
	 * a handle the MDS no longer backs). Checked again at each op via
	 * the object: a dropped copy is missing, STALE as well. */
	if (gen < ds_state_fence_of(c->srv->ds, fileid))
		return NFS4ERR_STALE;
	c->cur.fileid = fileid;
	c->cur.generation = gen;
	c->cur.stripe = index;
	c->cur.ds_hint = hint;
	c->cur.type = NS_REG;
	c->cur_stateid_valid = 0;
	return NFS4_OK;
}

/* The object went between the size check and the I/O: STALE, like a
 * missing one. */
static nfsstat4 gone_is_stale(int rc)
{
	return rc == -ENOENT ? NFS4ERR_STALE : nfs_errno(rc);
}

static nfsstat4 ds_stateid(struct compound *c, const stateid4 *in)
{
	const uint8_t *other;
	uint32_t epoch;

	if (stateid_is_current(in)) {
		if (!c->cur_stateid_valid)
			return NFS4ERR_BAD_STATEID;
		in = &c->cur_stateid;
	}
	/* Special stateids name no open on the MDS (§8.2.3): refused. */
	if (stateid_is_anonymous(in) || stateid_is_bypass(in))
		return NFS4ERR_BAD_STATEID;
	other = (const uint8_t *)in->other;
	/* The epoch of the node that minted it (decision 0036). */
	if (!ds_state_epoch(c->srv->ds, stateid_node(other), &epoch))
		return NFS4ERR_DELAY; /* that node has not reached us yet */
	if (!stateid_epoch_matches(epoch, other) ||
	    !stateid_sig_ok(&c->srv->key, other, c->cur.fileid) ||
	    ds_state_revoked(c->srv->ds, other))
		return NFS4ERR_BAD_STATEID;
	return NFS4_OK;
}

/*
 * Where a READ ends the file (RFC 8881 §13.4.4: a dense object's offsets
 * are not the file's). The Linux client takes eof to end the file at the
 * READ's own offset plus the bytes returned, measured from the request's
 * start in the file (nfs_readpage_result: "pos = args.offset + res.count;
 * new = pos - io_start"), and its args.offset is the object's offset.
 *  - A full read never ends the file: for every stripe unit after the
 *    first the object's offset is below the file's, and eof on a whole
 *    unit read up to the object's end made the client hand the unit to
 *    the reader as zeros (the second MiB of a 2 MiB file, 2 DSs).
 *  - A short read ends the file only inside the first unit of a file the
 *    MDS said fits in it (fh.h extent hint), where both offsets agree.
 *  - Any other short read is answered NFS4ERR_PNFS_IO_HOLE (RFC 8881
 *    §15.1.10: the DS cannot serve that range). An eof there would fall
 *    before the request and be ignored, so an O_DIRECT read across the
 *    end got zeros past it (8,192 bytes of a 6-byte tail). The Linux
 *    file-layout driver sends a READ failing with an error it has no
 *    case for to the MDS and keeps the layout (filelayout_async_handle_
 *    error, "default: reset"); the MDS knows the size and where the
 *    holes are (ops/op_io.c). Not NFS4ERR_PNFS_NO_LAYOUT: that makes the
 *    client destroy the layout, and with it a pending LAYOUTCOMMIT
 *    (pnfs_clear_layoutcommit), so the MDS would never learn the size
 *    of writes done through it.
 * A read short because of the max_io cap is not at the object's end: no
 * eof, and the client asks for the rest.
 */
enum ds_read_end { DS_READ_MORE, DS_READ_EOF, DS_READ_TO_MDS };

static uint64_t hint_unit(uint8_t hint)
{
	return (uint64_t)(hint & FH_DS_UNIT_MASK) * LAYOUT_MIN_UNIT;
}

static enum ds_read_end ds_read_end(uint8_t hint, uint64_t off,
				    uint32_t asked, uint64_t got,
				    uint64_t size)
{
	if (got >= asked || off + got < size)
		return DS_READ_MORE;
	if ((hint & FH_DS_SMALL) && off < hint_unit(hint))
		return DS_READ_EOF;
	return DS_READ_TO_MDS;
}

/* A WRITE through a layout granted for a file inside its first unit may
 * only stay there (fh.h): one past it grows the file where the hint no
 * longer holds. NFS4ERR_PNFS_NO_LAYOUT: the client drops the layout and
 * writes through the MDS, and its next LAYOUTGET gets handles without the
 * hint. The LAYOUTCOMMIT the drop loses covered writes inside the first
 * unit only, and the MDS's WRITE past it takes the size beyond them. */
static bool_t ds_write_allowed(uint8_t hint, uint64_t off, uint32_t len)
{
	if (!(hint & FH_DS_SMALL))
		return TRUE;
	return off + len <= hint_unit(hint) ? TRUE : FALSE;
}

nfsstat4 op_ds_read(struct compound *c, void *args, void *res)
{
	READ4args *a = args;
	READ4resok *ok = &((READ4res *)res)->READ4res_u.resok4;
	uint32_t count = a->count;
	uint64_t size = 0;
	ssize_t n = 0;
	char *buf;
	nfsstat4 s = ds_stateid(c, &a->stateid);

	if (s == NFS4_OK)
		s = ds_object_size(c, &size);
	if (s != NFS4_OK)
		return s;
	if (count > c->srv->cfg.max_io)
		count = c->srv->cfg.max_io;
	if (a->offset >= size)
		count = 0;
	else if (size - a->offset < count)
		count = (uint32_t)(size - a->offset);
	buf = malloc(count ? count : 1);
	if (!buf)
		return NFS4ERR_RESOURCE;
	if (count) {
		n = ds_store_read(c->srv->store, c->cur.fileid, c->cur.stripe,
				  c->cur.generation, a->offset, buf, count);
		if (n < 0) {
			free(buf);
			return gone_is_stale((int)n);
		}
	}
	ok->data.base = buf;
	ok->data.len = (uint32_t)n;
	ok->data.owned = 1;
	switch (ds_read_end(c->cur.ds_hint, a->offset, a->count, (uint64_t)n,
			    size)) {
	case DS_READ_TO_MDS:
		free(buf);
		return NFS4ERR_PNFS_IO_HOLE;
	case DS_READ_EOF:
		ok->eof = TRUE;
		break;
	case DS_READ_MORE:
		ok->eof = FALSE;
		break;
	}
	atomic_fetch_add(&c->srv->counters.read_bytes, (uint64_t)n);
	return NFS4_OK;
}

nfsstat4 op_ds_write(struct compound *c, void *args, void *res)
{
	WRITE4args *a = args;
	WRITE4resok *ok = &((WRITE4res *)res)->WRITE4res_u.resok4;
	int stable = a->stable != UNSTABLE4;
	uint64_t size;
	ssize_t n;
	nfsstat4 s = ds_stateid(c, &a->stateid);

	if (s == NFS4_OK)
		s = ds_object_size(c, &size);
	if (s != NFS4_OK)
		return s;
	if (a->offset + a->data.len < a->offset)
		return NFS4ERR_FBIG;
	if (!ds_write_allowed(c->cur.ds_hint, a->offset, a->data.len))
		return NFS4ERR_PNFS_NO_LAYOUT;
	n = ds_store_write(c->srv->store, c->cur.fileid, c->cur.stripe,
			   c->cur.generation, a->offset, a->data.base,
			   a->data.len, stable);
	if (n < 0)
		return gone_is_stale((int)n);
	ok->count = (count4)n;
	/* The file's size and times live on the MDS, which learns them from
	 * LAYOUTCOMMIT. A FILE_SYNC reply would tell the Linux client to
	 * skip LAYOUTCOMMIT, so a synced write answers DATA_SYNC4: the data
	 * is durable, the metadata is the MDS's business (RFC 8881 §13.10,
	 * §18.32.3). */
	ok->committed = stable ? DATA_SYNC4 : UNSTABLE4;
	memcpy(ok->writeverf, c->srv->write_verf, NFS4_VERIFIER_SIZE);
	atomic_fetch_add(&c->srv->counters.write_bytes, (uint64_t)n);
	return NFS4_OK;
}

nfsstat4 op_ds_commit(struct compound *c, void *args, void *res)
{
	COMMIT4resok *ok = &((COMMIT4res *)res)->COMMIT4res_u.resok4;
	uint64_t size;
	nfsstat4 s = ds_object_size(c, &size);
	int rc;

	(void)args;
	if (s != NFS4_OK)
		return s;
	rc = ds_store_commit(c->srv->store, c->cur.fileid, c->cur.stripe,
			     c->cur.generation);
	if (rc < 0)
		return gone_is_stale(rc);
	memcpy(ok->writeverf, c->srv->write_verf, NFS4_VERIFIER_SIZE);
	return NFS4_OK;
}
