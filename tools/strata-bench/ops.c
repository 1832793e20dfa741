/*
 * tools/strata-bench/ops.c -- COMPOUND operation builders.  See ops.h.
 */
#include "ops.h"

#include <string.h>

const stateid4 STATEID_CURRENT = { .seqid = 1 };

/* XDR_ENCODE only reads through the pointers the builders store, so the
 * const qualifiers of the arguments are dropped where rpcgen's types
 * have plain pointers. */
#define UNCONST(p) ((void *)(uintptr_t)(p))

void cpd_start(struct cpd *c)
{
	memset(c->op, 0, sizeof(c->op[0]));
	c->n = 1;
}

void cpd_start_nosess(struct cpd *c)
{
	c->n = 0;
}

static nfs_argop4 *add(struct cpd *c, nfs_opnum4 op, int *idx)
{
	if (c->n >= CPD_MAX_OPS) {
		*idx = -1;
		return NULL;
	}
	nfs_argop4 *a = &c->op[c->n];
	memset(a, 0, sizeof(*a));
	a->argop = op;
	*idx = (int)c->n++;
	return a;
}

int cpd_sequence(struct cpd *c, const char *sessionid, uint32_t seqid,
		 uint32_t slot, uint32_t highest)
{
	nfs_argop4 *a = &c->op[0];

	memset(a, 0, sizeof(*a));
	a->argop = OP_SEQUENCE;
	SEQUENCE4args *s = &a->nfs_argop4_u.opsequence;
	memcpy(s->sa_sessionid, sessionid, NFS4_SESSIONID_SIZE);
	s->sa_sequenceid = seqid;
	s->sa_slotid = slot;
	s->sa_highest_slotid = highest;
	s->sa_cachethis = FALSE;
	return 0;
}

int cpd_putrootfh(struct cpd *c)
{
	int i;
	add(c, OP_PUTROOTFH, &i);
	return i;
}

int cpd_putfh(struct cpd *c, const struct fh *fh)
{
	int i;
	nfs_argop4 *a = add(c, OP_PUTFH, &i);
	if (a) {
		a->nfs_argop4_u.opputfh.object.nfs_fh4_len = fh->len;
		a->nfs_argop4_u.opputfh.object.nfs_fh4_val = UNCONST(fh->data);
	}
	return i;
}

static void set_name(component4 *comp, const char *name)
{
	comp->utf8string_len = (u_int)strlen(name);
	comp->utf8string_val = UNCONST(name);
}

int cpd_lookup(struct cpd *c, const char *name)
{
	int i;
	nfs_argop4 *a = add(c, OP_LOOKUP, &i);
	if (a)
		set_name(&a->nfs_argop4_u.oplookup.objname, name);
	return i;
}

int cpd_getfh(struct cpd *c)
{
	int i;
	add(c, OP_GETFH, &i);
	return i;
}

int cpd_getattr(struct cpd *c, const uint32_t mask[3])
{
	int i;
	nfs_argop4 *a = add(c, OP_GETATTR, &i);
	if (a) {
		bitmap4 *bm = &a->nfs_argop4_u.opgetattr.attr_request;
		memcpy(c->getattr_mask, mask, sizeof(c->getattr_mask));
		bm->bitmap4_len = mask[2] ? 3 : mask[1] ? 2 : 1;
		bm->bitmap4_val = c->getattr_mask;
	}
	return i;
}

/* createattrs = { mode MODE } in C's scratch */
static void set_mode_attr(struct cpd *c, fattr4 *fa, uint32_t mode)
{
	c->cattr_mask[0] = 0;
	c->cattr_mask[1] = 1u << (FATTR4_MODE - 32);
	c->cattr_val[0] = (uint8_t)(mode >> 24);
	c->cattr_val[1] = (uint8_t)(mode >> 16);
	c->cattr_val[2] = (uint8_t)(mode >> 8);
	c->cattr_val[3] = (uint8_t)mode;
	fa->attrmask.bitmap4_len = 2;
	fa->attrmask.bitmap4_val = c->cattr_mask;
	fa->attr_vals.attrlist4_len = 4;
	fa->attr_vals.attrlist4_val = (char *)c->cattr_val;
}

int cpd_open(struct cpd *c, const char *name, uint32_t access,
	     enum open_how how, const struct open_owner *oo)
{
	int i;
	nfs_argop4 *a = add(c, OP_OPEN, &i);
	if (!a)
		return i;
	OPEN4args *o = &a->nfs_argop4_u.opopen;
	o->seqid = 0;
	o->share_access = access | OPEN4_SHARE_ACCESS_WANT_NO_DELEG;
	o->share_deny = OPEN4_SHARE_DENY_NONE;
	o->owner.clientid = oo->clientid;
	o->owner.owner.owner_len = oo->len;
	o->owner.owner.owner_val = UNCONST(oo->name);
	if (how == OPEN_PLAIN) {
		o->openhow.opentype = OPEN4_NOCREATE;
	} else {
		o->openhow.opentype = OPEN4_CREATE;
		createhow4 *ch = &o->openhow.openflag4_u.how;
		ch->mode = how == OPEN_GUARDED ? GUARDED4 : UNCHECKED4;
		set_mode_attr(c, &ch->createhow4_u.createattrs, 0644);
	}
	if (name) {
		o->claim.claim = CLAIM_NULL;
		set_name(&o->claim.open_claim4_u.file, name);
	} else {
		o->claim.claim = CLAIM_FH;
	}
	return i;
}

int cpd_close(struct cpd *c, const stateid4 *sid)
{
	int i;
	nfs_argop4 *a = add(c, OP_CLOSE, &i);
	if (a)
		a->nfs_argop4_u.opclose.open_stateid = *sid;
	return i;
}

int cpd_read(struct cpd *c, const stateid4 *sid, uint64_t off, uint32_t cnt)
{
	int i;
	nfs_argop4 *a = add(c, OP_READ, &i);
	if (a) {
		a->nfs_argop4_u.opread.stateid = *sid;
		a->nfs_argop4_u.opread.offset = off;
		a->nfs_argop4_u.opread.count = cnt;
	}
	return i;
}

int cpd_write(struct cpd *c, const stateid4 *sid, uint64_t off,
	      const void *data, uint32_t len, stable_how4 how)
{
	int i;
	nfs_argop4 *a = add(c, OP_WRITE, &i);
	if (a) {
		WRITE4args *w = &a->nfs_argop4_u.opwrite;
		w->stateid = *sid;
		w->offset = off;
		w->stable = how;
		strata_payload_set(&w->data, UNCONST(data), len);
	}
	return i;
}

int cpd_commit(struct cpd *c)
{
	int i;
	add(c, OP_COMMIT, &i); /* offset 0, count 0: the whole file */
	return i;
}

int cpd_remove(struct cpd *c, const char *name)
{
	int i;
	nfs_argop4 *a = add(c, OP_REMOVE, &i);
	if (a)
		set_name(&a->nfs_argop4_u.opremove.target, name);
	return i;
}

int cpd_savefh(struct cpd *c)
{
	int i;
	add(c, OP_SAVEFH, &i);
	return i;
}

int cpd_rename(struct cpd *c, const char *from, const char *to)
{
	int i;
	nfs_argop4 *a = add(c, OP_RENAME, &i);
	if (a) {
		set_name(&a->nfs_argop4_u.oprename.oldname, from);
		set_name(&a->nfs_argop4_u.oprename.newname, to);
	}
	return i;
}

int cpd_mkdir(struct cpd *c, const char *name)
{
	int i;
	nfs_argop4 *a = add(c, OP_CREATE, &i);
	if (a) {
		CREATE4args *cr = &a->nfs_argop4_u.opcreate;
		cr->objtype.type = NF4DIR;
		set_name(&cr->objname, name);
		set_mode_attr(c, &cr->createattrs, 0755);
	}
	return i;
}

int cpd_reclaim_complete(struct cpd *c)
{
	int i;
	add(c, OP_RECLAIM_COMPLETE, &i); /* rca_one_fs = FALSE */
	return i;
}

int cpd_layoutget(struct cpd *c, const stateid4 *sid, layoutiomode4 mode,
		  uint32_t maxcount)
{
	int i;
	nfs_argop4 *a = add(c, OP_LAYOUTGET, &i);
	if (a) {
		LAYOUTGET4args *l = &a->nfs_argop4_u.oplayoutget;
		l->loga_signal_layout_avail = FALSE;
		l->loga_layout_type = LAYOUT4_NFSV4_1_FILES;
		l->loga_iomode = mode;
		l->loga_offset = 0;
		l->loga_length = NFS4_UINT64_MAX;
		l->loga_minlength = 0;
		l->loga_stateid = *sid;
		l->loga_maxcount = maxcount;
	}
	return i;
}

int cpd_getdeviceinfo(struct cpd *c, const char *devid, uint32_t maxcount)
{
	int i;
	nfs_argop4 *a = add(c, OP_GETDEVICEINFO, &i);
	if (a) {
		GETDEVICEINFO4args *g = &a->nfs_argop4_u.opgetdeviceinfo;
		memcpy(g->gdia_device_id, devid, NFS4_DEVICEID4_SIZE);
		g->gdia_layout_type = LAYOUT4_NFSV4_1_FILES;
		g->gdia_maxcount = maxcount;
	}
	return i;
}

int cpd_layoutcommit(struct cpd *c, const stateid4 *lsid, uint64_t end)
{
	int i;
	nfs_argop4 *a = add(c, OP_LAYOUTCOMMIT, &i);
	if (a) {
		LAYOUTCOMMIT4args *l = &a->nfs_argop4_u.oplayoutcommit;
		l->loca_offset = 0;
		l->loca_length = end;
		l->loca_reclaim = FALSE;
		l->loca_stateid = *lsid;
		l->loca_last_write_offset.no_newoffset = TRUE;
		l->loca_last_write_offset.newoffset4_u.no_offset = end - 1;
		l->loca_time_modify.nt_timechanged = FALSE;
		l->loca_layoutupdate.lou_type = LAYOUT4_NFSV4_1_FILES;
	}
	return i;
}

int cpd_layoutreturn(struct cpd *c, const stateid4 *lsid)
{
	int i;
	nfs_argop4 *a = add(c, OP_LAYOUTRETURN, &i);
	if (a) {
		LAYOUTRETURN4args *l = &a->nfs_argop4_u.oplayoutreturn;
		l->lora_reclaim = FALSE;
		l->lora_layout_type = LAYOUT4_NFSV4_1_FILES;
		l->lora_iomode = LAYOUTIOMODE4_ANY;
		l->lora_layoutreturn.lr_returntype = LAYOUTRETURN4_FILE;
		layoutreturn_file4 *f = &l->lora_layoutreturn.layoutreturn4_u.lr_layout;
		f->lrf_offset = 0;
		f->lrf_length = NFS4_UINT64_MAX;
		f->lrf_stateid = *lsid;
	}
	return i;
}

int cpd_exchange_id(struct cpd *c, const char verifier[8], const char *owner,
		    uint32_t owner_len, uint32_t flags)
{
	int i;
	nfs_argop4 *a = add(c, OP_EXCHANGE_ID, &i);
	if (a) {
		EXCHANGE_ID4args *e = &a->nfs_argop4_u.opexchange_id;
		memcpy(e->eia_clientowner.co_verifier, verifier,
		       NFS4_VERIFIER_SIZE);
		e->eia_clientowner.co_ownerid.co_ownerid_len = owner_len;
		e->eia_clientowner.co_ownerid.co_ownerid_val = UNCONST(owner);
		e->eia_flags = flags;
		e->eia_state_protect.spa_how = SP4_NONE;
	}
	return i;
}

static void chan_attrs(channel_attrs4 *ca, uint32_t maxreq, uint32_t maxmsg,
		       uint32_t cached, uint32_t maxops)
{
	ca->ca_headerpadsize = 0;
	ca->ca_maxrequestsize = maxmsg;
	ca->ca_maxresponsesize = maxmsg;
	ca->ca_maxresponsesize_cached = cached;
	ca->ca_maxoperations = maxops;
	ca->ca_maxrequests = maxreq;
}

int cpd_create_session(struct cpd *c, uint64_t clientid, uint32_t seq,
		       uint32_t maxreq, uint32_t maxmsg, uint32_t maxops)
{
	int i;
	nfs_argop4 *a = add(c, OP_CREATE_SESSION, &i);
	if (a) {
		CREATE_SESSION4args *s = &a->nfs_argop4_u.opcreate_session;
		s->csa_clientid = clientid;
		s->csa_sequence = seq;
		s->csa_flags = 0;
		chan_attrs(&s->csa_fore_chan_attrs, maxreq, maxmsg, 4096, maxops);
		chan_attrs(&s->csa_back_chan_attrs, 1, 4096, 0, 2);
		s->csa_cb_program = 0x40000000;
		memset(&c->cb_sec, 0, sizeof(c->cb_sec));
		c->cb_sec.cb_secflavor = AUTH_NONE;
		s->csa_sec_parms.csa_sec_parms_len = 1;
		s->csa_sec_parms.csa_sec_parms_val = &c->cb_sec;
	}
	return i;
}

int cpd_destroy_session(struct cpd *c, const char *sessionid)
{
	int i;
	nfs_argop4 *a = add(c, OP_DESTROY_SESSION, &i);
	if (a)
		memcpy(a->nfs_argop4_u.opdestroy_session.dsa_sessionid,
		       sessionid, NFS4_SESSIONID_SIZE);
	return i;
}

int cpd_destroy_clientid(struct cpd *c, uint64_t clientid)
{
	int i;
	nfs_argop4 *a = add(c, OP_DESTROY_CLIENTID, &i);
	if (a)
		a->nfs_argop4_u.opdestroy_clientid.dca_clientid = clientid;
	return i;
}

int fh_copy(struct fh *out, const nfs_fh4 *in)
{
	if (in->nfs_fh4_len > FH_MAX)
		return -1;
	out->len = in->nfs_fh4_len;
	if (out->len > 0)
		memcpy(out->data, in->nfs_fh4_val, out->len);
	return 0;
}
