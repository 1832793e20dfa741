/*
 * pnfs/op_layout.c — LAYOUTGET (RFC 8881 §18.43), LAYOUTCOMMIT (§18.42)
 * and LAYOUTRETURN (§18.44) on the metadata server, for
 * LAYOUT4_NFSV4_1_FILES only.
 *
 * Layouts are whole-file and DENSE with one data-server handle per stripe
 * index (docs/decisions/0007-file-layout-dense.md): the Linux client
 * rejects any other range, and only splits I/O at stripe boundaries when a
 * layout has more than one handle (shared/pnfs-linux-client.md §2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "fh.h"
#include "layout.h"
#include "layout_state.h"
#include "log.h"
#include "ops.h"
#include "residency.h"
#include "server.h"
#include "session.h"
#include "state.h"

#define LAYOUT_BODY_MAX (64 + LAYOUT_MAX_DS * (4 + FH_DS_LEN))

static nfsstat4 layout_target(struct compound *c, layouttype4 type)
{
	if (!c->srv->cluster)
		return NFS4ERR_LAYOUTUNAVAILABLE;
	if (type != LAYOUT4_NFSV4_1_FILES)
		return NFS4ERR_UNKNOWN_LAYOUTTYPE;
	if (c->cur.type == NS_DIR)
		return NFS4ERR_ISDIR;
	if (c->cur.type != NS_REG)
		return NFS4ERR_INVAL;
	return NFS4_OK;
}

/* §18.43.3: the range must make sense. */
static nfsstat4 check_range(const LAYOUTGET4args *a)
{
	if (a->loga_iomode != LAYOUTIOMODE4_READ &&
	    a->loga_iomode != LAYOUTIOMODE4_RW)
		return NFS4ERR_BADIOMODE;
	if (a->loga_length == 0 || a->loga_minlength > a->loga_length)
		return NFS4ERR_INVAL;
	if (a->loga_length != NFS4_UINT64_MAX &&
	    a->loga_offset + a->loga_length < a->loga_offset)
		return NFS4ERR_INVAL;
	if (a->loga_minlength != NFS4_UINT64_MAX &&
	    a->loga_offset + a->loga_minlength < a->loga_offset)
		return NFS4ERR_INVAL;
	return NFS4_OK;
}

/* The layout stateid to answer with: the one given, or the client's
 * existing one, or a new one (§12.5.2: the first LAYOUTGET passes an
 * open, lock or delegation stateid). */
static nfsstat4 layout_stid(struct compound *c, const stateid4 *sid,
			    struct ns_inode *ino, struct nfs_stid **out)
{
	struct nfs_client *clp = c->client;
	struct nfs_stid *st;
	nfsstat4 s = state_resolve(c, sid,
				   (1u << STID_OPEN) | (1u << STID_LOCK) |
					   (1u << STID_DELEG) |
					   (1u << STID_LAYOUT),
				   c->cur.fileid, &st);

	if (s != NFS4_OK)
		return s;
	if (!st)
		return NFS4ERR_BAD_STATEID; /* special stateids: no open */
	if (st->kind == STID_LAYOUT) {
		*out = st;
		return NFS4_OK;
	}
	st = layout_find(c->srv, clp, c->cur.fileid);
	if (!st) {
		st = stid_new(c->srv, clp, STID_LAYOUT, c->cur.fileid, NULL, 0);
		if (!st)
			return NFS4ERR_RESOURCE;
		st->seqid = 0; /* bumped to 1 by the grant */
		st->generation = ino->generation;
		memcpy(st->ref_session, c->ref.session, NFS4_SESSIONID_SIZE);
	}
	*out = st;
	return NFS4_OK;
}

/* The extent hint (nfsd/fh.h) of object INDEX in a layout of INO: for a
 * file of 1..unit bytes, "short reads of unit 0 end the file and writes
 * stay in it", with the unit on the object holding it. An empty file gets
 * none: its writer fills it through the layout, and a file it spreads
 * past its first unit with a hole there would make the hint false. */
static uint8_t ds_hint(const struct layout_geom *g, const struct ns_inode *ino,
		       uint32_t index)
{
	uint32_t u = g->stripe_unit / LAYOUT_MIN_UNIT;

	if (ino->size == 0 || ino->size > g->stripe_unit ||
	    u > FH_DS_UNIT_MASK)
		return 0;
	return (uint8_t)(FH_DS_SMALL | (index == g->first_index ? u : 0));
}

static nfsstat4 encode_layout(struct compound *c, const struct ns_inode *ino,
			      layout4 *lo, uint32_t maxcount)
{
	struct cluster *cl = c->srv->cluster;
	struct layout_geom g;
	uint8_t devid[CLUSTER_DEVICEID_LEN];
	uint8_t fhs[LAYOUT_MAX_DS][FH_DS_LEN];
	const uint8_t *fhp[LAYOUT_MAX_DS];
	uint32_t lens[LAYOUT_MAX_DS];
	uint8_t *body;
	int n;

	cluster_geom(cl, ino->fileid, &g);
	cluster_deviceid(cl, devid);
	for (uint32_t i = 0; i < g.stripe_count; i++) {
		fh_ds_encode(fhs[i], &c->srv->key, ino->fileid, i,
			     (uint32_t)ino->layout_gen, ds_hint(&g, ino, i));
		fhp[i] = fhs[i];
		lens[i] = FH_DS_LEN;
	}
	body = malloc(LAYOUT_BODY_MAX);
	if (!body)
		return NFS4ERR_RESOURCE;
	n = layout_encode_file_layout(body, LAYOUT_BODY_MAX, devid, &g, fhp,
				      lens, g.stripe_count);
	if (n < 0) {
		free(body);
		return NFS4ERR_SERVERFAULT;
	}
	/* The whole LAYOUTGET4resok must fit the client's maxcount. */
	if (maxcount && (uint32_t)n + 64 > maxcount) {
		free(body);
		return NFS4ERR_TOOSMALL;
	}
	lo->lo_offset = 0;
	lo->lo_length = NFS4_UINT64_MAX;
	lo->lo_content.loc_type = LAYOUT4_NFSV4_1_FILES;
	lo->lo_content.loc_body.loc_body_len = (u_int)n;
	lo->lo_content.loc_body.loc_body_val = (char *)body;
	return NFS4_OK;
}

/* A layout stateid made by this LAYOUTGET (never granted: seqid 0) goes
 * when the LAYOUTGET fails, so the client holds no layout it never saw. */
static void drop_if_new(struct compound *c, struct nfs_stid *st)
{
	if (st->seqid == 0)
		stid_free(c->srv, st);
}

nfsstat4 op_layoutget(struct compound *c, void *args, void *res)
{
	LAYOUTGET4args *a = args;
	LAYOUTGET4res *r = res;
	LAYOUTGET4resok *ok = &r->LAYOUTGET4res_u.logr_resok4;
	struct nfs_stid *st;
	struct ns_inode ino;
	layout4 *lo;
	int rc;
	nfsstat4 away;
	nfsstat4 s = layout_target(c, a->loga_layout_type);

	if (s == NFS4_OK)
		s = check_range(a);
	if (s == NFS4_OK)
		s = cur_inode(c, &ino);
	/* A DS handle carries 32 bits of the data generation (fh.h): a
	 * file past them is served through the MDS (§18.43.3). */
	if (s == NFS4_OK && ino.layout_gen > UINT32_MAX)
		s = NFS4ERR_LAYOUTUNAVAILABLE;
	if (s == NFS4_OK)
		s = layout_stid(c, &a->loga_stateid, &ino, &st);
	if (s != NFS4_OK)
		return s;
	/* §12.5.5.2: while a recall of this file is in progress, new
	 * layouts wait. */
	if (st->recalled)
		return NFS4ERR_RECALLCONFLICT;
	/* §18.43.3: offloaded, so nothing on the data servers to lay out
	 * until the recall: TRYLATER, the client retries the LAYOUTGET
	 * and gets pNFS once the file is back (residency.h; decision 0030
	 * says why not LAYOUTUNAVAILABLE). Same while a layout recall of
	 * the file is pending. */
	away = residency_refuse(c->srv, &ino, NFS4ERR_LAYOUTTRYLATER,
				NFS4ERR_LAYOUTUNAVAILABLE);
	if (away != NFS4_OK || layout_recall_pending(c->srv, c->cur.fileid)) {
		r->LAYOUTGET4res_u.logr_will_signal_layout_avail = FALSE;
		drop_if_new(c, st);
		return away != NFS4_OK ? away : NFS4ERR_LAYOUTTRYLATER;
	}
	/* Every stripe object must exist before a client writes to it (a DS
	 * answers STALE for a missing one): made for the file's first layout,
	 * which later layouts skip; on the executor at the end of the batch,
	 * before its commit and replies, shared with the batch's other new
	 * files (exec.h). */
	rc = inode_place_data(c, &ino, 1);
	if (rc < 0) {
		log_warn("LAYOUTGET fileid %llx: data servers: %d",
			 (unsigned long long)ino.fileid, rc);
		r->LAYOUTGET4res_u.logr_will_signal_layout_avail = FALSE;
		drop_if_new(c, st);
		return NFS4ERR_LAYOUTTRYLATER;
	}
	lo = calloc(1, sizeof(*lo));
	if (!lo) {
		drop_if_new(c, st);
		return NFS4ERR_RESOURCE;
	}
	s = encode_layout(c, &ino, lo, a->loga_maxcount);
	if (s != NFS4_OK) {
		free(lo);
		drop_if_new(c, st);
		return s;
	}
	lo->lo_iomode = a->loga_iomode;
	st->access |= LAYOUT_IOMODE_BIT(a->loga_iomode);
	st->seqid++;
	/* Kept across CLOSE so a reopen needs no LAYOUTGET; a recall of a
	 * closed file's layout does not wait (layout_state.h, decision
	 * 0017). */
	ok->logr_return_on_close = FALSE;
	stid_to_wire(st, &ok->logr_stateid);
	ok->logr_layout.logr_layout_len = 1;
	ok->logr_layout.logr_layout_val = lo;
	set_cur_stateid(c, &ok->logr_stateid);
	log_debug("LAYOUTGET client %llx fileid %llx iomode %d: seqid %u",
		  (unsigned long long)st->client->clientid,
		  (unsigned long long)st->fileid, (int)a->loga_iomode,
		  st->seqid);
	layout_trim(c->srv, st->client);
	return NFS4_OK;
}

nfsstat4 op_layoutcommit(struct compound *c, void *args, void *res)
{
	LAYOUTCOMMIT4args *a = args;
	LAYOUTCOMMIT4resok *ok = &((LAYOUTCOMMIT4res *)res)->LAYOUTCOMMIT4res_u
					  .locr_resok4;
	struct nfs_stid *st;
	struct ns_inode ino;
	int rc;
	nfsstat4 s = layout_target(c, a->loca_layoutupdate.lou_type);

	if (s == NFS4_OK)
		s = cur_inode(c, &ino);
	if (s == NFS4_OK)
		s = state_resolve(c, &a->loca_stateid, 1u << STID_LAYOUT,
				  c->cur.fileid, &st);
	if (s != NFS4_OK)
		return s;
	if (!st || !(st->access & LAYOUT_IOMODE_BIT(LAYOUTIOMODE4_RW)))
		return NFS4ERR_BADLAYOUT; /* §18.42.3: no RW layout */
	ok->locr_newsize.ns_sizechanged = FALSE;
	if (a->loca_last_write_offset.no_newoffset) {
		uint64_t end = a->loca_last_write_offset.newoffset4_u.no_offset;
		if (end == UINT64_MAX)
			return NFS4ERR_INVAL;
		/* §18.42.3: the size grows to last_write_offset + 1, and
		 * the writes the layout carried change mtime (the client
		 * sends no time_modify: the commit's time stands for
		 * theirs), except that an mtime set since the last commit
		 * stays (the writes came before it: layout_state.h). */
		struct ns_inode set = { .mtime = ino.mtime };
		uint64_t size0 = ino.size;

		rc = inode_note_write(c, ino.fileid, end + 1, &ino);
		if (rc == 0 && st->mtime_set)
			rc = inode_setattr(c, ino.fileid, NS_SET_MTIME, &set,
					   &ino);
		if (rc < 0)
			return nfs_errno(rc);
		if (ino.size > size0) {
			ok->locr_newsize.ns_sizechanged = TRUE;
			ok->locr_newsize.newsize4_u.ns_size = ino.size;
		}
		/* The writes the layout carried: set-ID bits go as with
		 * a WRITE through the MDS. */
		rc = drop_setid(c, &ino);
		if (rc < 0)
			return nfs_errno(rc);
	}
	st->mtime_set = 0;
	if (a->loca_time_modify.nt_timechanged) {
		struct ns_inode t;
		const nfstime4 *m = &a->loca_time_modify.newtime4_u.nt_time;
		memset(&t, 0, sizeof(t));
		t.mtime.sec = m->seconds;
		t.mtime.nsec = m->nseconds;
		if (m->nseconds >= 1000000000u)
			return NFS4ERR_INVAL;
		rc = inode_setattr(c, ino.fileid, NS_SET_MTIME, &t, &ino);
		if (rc < 0)
			return nfs_errno(rc);
	}
	return NFS4_OK;
}

static nfsstat4 return_file(struct compound *c, const LAYOUTRETURN4args *a,
			    LAYOUTRETURN4res *r)
{
	const layoutreturn_file4 *f =
		&a->lora_layoutreturn.layoutreturn4_u.lr_layout;
	struct nfs_stid *st;
	nfsstat4 s;

	if (!c->cur.fileid)
		return NFS4ERR_NOFILEHANDLE;
	if (c->cur.type != NS_REG)
		return c->cur.type == NS_DIR ? NFS4ERR_ISDIR : NFS4ERR_INVAL;
	if (f->lrf_length == 0)
		return NFS4ERR_INVAL;
	s = state_resolve(c, &f->lrf_stateid, 1u << STID_LAYOUT,
			  c->cur.fileid, &st);
	if (s != NFS4_OK)
		return s;
	if (!st)
		return NFS4ERR_BAD_STATEID;
	if (a->lora_iomode == LAYOUTIOMODE4_ANY)
		st->access = 0;
	else
		st->access &= ~LAYOUT_IOMODE_BIT(a->lora_iomode);
	/* Layouts are whole-file: a partial return keeps the layout. */
	if (f->lrf_offset != 0 || f->lrf_length != NFS4_UINT64_MAX) {
		if (a->lora_iomode == LAYOUTIOMODE4_ANY)
			st->access = LAYOUT_IOMODE_BIT(LAYOUTIOMODE4_RW);
	}
	st->seqid++;
	log_debug("LAYOUTRETURN client %llx fileid %llx iomode %d: seqid %u%s",
		  (unsigned long long)st->client->clientid,
		  (unsigned long long)st->fileid, (int)a->lora_iomode,
		  st->seqid, st->access ? "" : ", none left");
	if (st->access == 0) {
		/* §18.44.3: no layout left, no stateid returned. */
		stid_free(c->srv, st);
		r->LAYOUTRETURN4res_u.lorr_stateid.lrs_present = FALSE;
		return NFS4_OK;
	}
	r->LAYOUTRETURN4res_u.lorr_stateid.lrs_present = TRUE;
	stid_to_wire(st, &r->LAYOUTRETURN4res_u.lorr_stateid
				  .layoutreturn_stateid_u.lrs_stateid);
	return NFS4_OK;
}

nfsstat4 op_layoutreturn(struct compound *c, void *args, void *res)
{
	LAYOUTRETURN4args *a = args;
	LAYOUTRETURN4res *r = res;
	struct nfs_client *clp = c->client;
	struct nfs_stid *st;

	if (a->lora_layout_type != LAYOUT4_NFSV4_1_FILES)
		return c->srv->cluster ? NFS4ERR_UNKNOWN_LAYOUTTYPE
				       : NFS4ERR_LAYOUTUNAVAILABLE;
	if (a->lora_iomode != LAYOUTIOMODE4_READ &&
	    a->lora_iomode != LAYOUTIOMODE4_RW &&
	    a->lora_iomode != LAYOUTIOMODE4_ANY)
		return NFS4ERR_INVAL;
	switch (a->lora_layoutreturn.lr_returntype) {
	case LAYOUTRETURN4_FILE:
		return return_file(c, a, r);
	case LAYOUTRETURN4_FSID:
	case LAYOUTRETURN4_ALL:
		/* One file system: FSID returns everything too. */
		if (a->lora_layoutreturn.lr_returntype == LAYOUTRETURN4_FSID &&
		    !c->cur.fileid)
			return NFS4ERR_NOFILEHANDLE;
		while ((st = clp->lo_first) != NULL)
			stid_free(c->srv, st);
		r->LAYOUTRETURN4res_u.lorr_stateid.lrs_present = FALSE;
		return NFS4_OK;
	default:
		return NFS4ERR_INVAL;
	}
}
