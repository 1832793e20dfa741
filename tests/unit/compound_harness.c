/* tests/unit/compound_harness.c — see compound_harness.h. */
#include "compound_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* ---- fake connection ------------------------------------------------ */

static int ch_send(struct xprt_conn *c, const struct iovec *iov, int iovcnt)
{
	struct ch_conn *cc = ch_conn_of(c);

	for (int i = 0; i < iovcnt; i++) {
		size_t need = cc->sent_len + iov[i].iov_len;
		if (need > cc->sent_cap) {
			size_t cap = cc->sent_cap ? cc->sent_cap : 256;
			uint8_t *p;
			while (cap < need)
				cap *= 2;
			p = realloc(cc->sent, cap);
			if (!p)
				return -ENOMEM;
			cc->sent = p;
			cc->sent_cap = cap;
		}
		if (iov[i].iov_len)
			memcpy(cc->sent + cc->sent_len, iov[i].iov_base,
			       iov[i].iov_len);
		cc->sent_len += iov[i].iov_len;
	}
	cc->nsends++;
	return 0;
}

static void ch_shutdown(struct xprt_conn *c)
{
	atomic_store(&c->dead, true);
}

static void ch_destroy(struct xprt_conn *c)
{
	struct ch_conn *cc = ch_conn_of(c);

	if (cc->destroyed)
		(*cc->destroyed)++;
	free(cc->sent);
	free(cc);
}

static const struct xprt_ops ch_conn_ops = {
	.netid = "tcp",
	.send = ch_send,
	.shutdown = ch_shutdown,
	.destroy = ch_destroy,
};

struct xprt_conn *ch_conn_new(int *destroyed_counter)
{
	static uint64_t next_id = 1;
	struct ch_conn *cc = calloc(1, sizeof(*cc));

	if (!cc)
		return NULL;
	cc->base.ops = &ch_conn_ops;
	atomic_init(&cc->base.refs, 1);
	atomic_init(&cc->base.dead, false);
	cc->base.id = next_id++;
	snprintf(cc->base.peer, sizeof(cc->base.peer), "fake:%llu",
		 (unsigned long long)cc->base.id);
	cc->base.max_msg = 2u * 1024 * 1024;
	cc->destroyed = destroyed_counter;
	return &cc->base;
}

/* ---- server --------------------------------------------------------- */

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void ch_rmrf(const char *dir)
{
	if (dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int ch_server_start(struct strata_server **out, char **dir_out,
		    unsigned nshards, uint32_t max_io)
{
	struct strata_config cfg;

	config_defaults(&cfg);
	snprintf(cfg.listen_addr, sizeof(cfg.listen_addr), "127.0.0.1");
	cfg.port = 0;
	if (nshards)
		cfg.nshards = nshards;
	if (max_io) {
		cfg.max_io = max_io;
		cfg.max_msg = max_io + 64 * 1024;
	}
	return ch_server_start_cfg(out, dir_out, &cfg, ROLE_MDS);
}

int ch_server_start_cfg(struct strata_server **out, char **dir_out,
			struct strata_config *cfg, unsigned role)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[1024];
	int rc;

	*out = NULL;
	*dir_out = NULL;
	snprintf(tmpl, sizeof(tmpl), "%s/strata-ch-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl))
		return -errno;
	snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s/srv", tmpl);
	rc = server_start(out, cfg, role);
	if (rc < 0) {
		ch_rmrf(tmpl);
		return rc;
	}
	*dir_out = strdup(tmpl);
	return 0;
}

void ch_server_stop(struct strata_server *srv, char *dir)
{
	if (srv)
		server_stop(srv);
	ch_rmrf(dir);
	free(dir);
}

void ch_cred_sys(struct rpc_cred *cred, uint32_t uid, uint32_t gid)
{
	memset(cred, 0, sizeof(*cred));
	cred->flavor = RPC_AUTH_SYS;
	cred->uid = uid;
	cred->gid = gid;
	snprintf(cred->machine, sizeof(cred->machine), "harness");
}

size_t ch_run(struct strata_server *srv, struct xprt_conn *conn,
	      const struct rpc_cred *cred, const uint8_t *args,
	      size_t args_len, uint8_t *out, size_t cap, int *garbage)
{
	struct rpc_call call;
	size_t len;

	memset(&call, 0, sizeof(call));
	call.xid = 1;
	call.prog = CH_NFS4_PROGRAM;
	call.vers = 4;
	call.proc = 1;
	call.cred = *cred;
	call.args = args;
	call.args_len = args_len;
	pthread_mutex_lock(&srv->state_lock);
	client_expire(srv);
	len = compound_run(srv, conn, &call, out, cap, garbage);
	pthread_mutex_unlock(&srv->state_lock);
	return len;
}

int ch_encode(uint32_t minor, const char *tag, nfs_argop4 *ops, unsigned n,
	      uint8_t *buf, size_t cap, size_t *len)
{
	COMPOUND4args a;
	XDR x;
	int ok;

	memset(&a, 0, sizeof(a));
	a.tag.utf8string_val = (char *)(tag ? tag : "");
	a.tag.utf8string_len = (u_int)strlen(a.tag.utf8string_val);
	a.minorversion = minor;
	a.argarray.argarray_len = n;
	a.argarray.argarray_val = ops;
	xdrmem_create(&x, (char *)buf, (u_int)cap, XDR_ENCODE);
	ok = xdr_COMPOUND4args(&x, &a);
	*len = xdr_getpos(&x);
	xdr_destroy(&x);
	return ok ? 0 : -1;
}

static void put32(uint8_t **p, uint32_t v)
{
	uint32_t be = htonl(v);
	memcpy(*p, &be, 4);
	*p += 4;
}

size_t ch_rpc_wrap(uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc,
		   const uint8_t *args, size_t args_len, uint8_t *out,
		   size_t cap)
{
	static const char machine[] = "fuzzhost"; /* 8 bytes: no padding */
	uint8_t *p = out;

	if (cap < 80 + args_len)
		return 0;
	put32(&p, xid);
	put32(&p, 0); /* CALL */
	put32(&p, 2);
	put32(&p, prog);
	put32(&p, vers);
	put32(&p, proc);
	put32(&p, RPC_AUTH_SYS);
	put32(&p, 4 + 4 + 8 + 4 + 4 + 4); /* body length */
	put32(&p, 0);                     /* stamp */
	put32(&p, 8);
	memcpy(p, machine, 8);
	p += 8;
	put32(&p, 0); /* uid */
	put32(&p, 0); /* gid */
	put32(&p, 0); /* no gids */
	put32(&p, RPC_AUTH_NONE);
	put32(&p, 0);
	if (args_len)
		memcpy(p, args, args_len);
	p += args_len;
	return (size_t)(p - out);
}

/* ---- a client ------------------------------------------------------- */

int ch_client_init(struct ch_client *cl, struct strata_server *srv,
		   struct xprt_conn *conn)
{
	memset(cl, 0, sizeof(*cl));
	cl->srv = srv;
	if (conn) {
		xprt_conn_get(conn);
		cl->conn = conn;
	} else {
		cl->conn = ch_conn_new(NULL);
		if (!cl->conn)
			return -1;
	}
	ch_cred_sys(&cl->cred, 0, 0);
	cl->reply_cap = srv->cfg.max_msg;
	cl->reply = malloc(cl->reply_cap);
	return cl->reply ? 0 : -1;
}

static void free_res(struct ch_client *cl)
{
	if (cl->have_res)
		xdr_free((xdrproc_t)xdr_COMPOUND4res, (char *)&cl->res);
	memset(&cl->res, 0, sizeof(cl->res));
	cl->have_res = 0;
}

void ch_client_fini(struct ch_client *cl)
{
	free_res(cl);
	free(cl->reply);
	cl->reply = NULL;
	if (cl->conn)
		xprt_conn_put(cl->conn);
	cl->conn = NULL;
}

int ch_call_raw(struct ch_client *cl, const uint8_t *args, size_t len)
{
	XDR x;
	int ok;

	free_res(cl);
	cl->reply_len = ch_run(cl->srv, cl->conn, &cl->cred, args, len,
			       cl->reply, cl->reply_cap, &cl->garbage);
	if (cl->garbage)
		return -1;
	xdrmem_create(&x, (char *)cl->reply, (u_int)cl->reply_len,
		      XDR_DECODE);
	ok = xdr_COMPOUND4res(&x, &cl->res);
	/* The whole reply must be consumed. */
	if (ok && xdr_getpos(&x) != cl->reply_len)
		ok = 0;
	xdr_destroy(&x);
	cl->have_res = 1;
	if (!ok) {
		free_res(cl);
		return -1;
	}
	return (int)cl->res.status;
}

int ch_call(struct ch_client *cl, uint32_t minor, nfs_argop4 *ops,
	    unsigned n)
{
	if (ch_encode(minor, "harness", ops, n, cl->req, sizeof(cl->req),
		      &cl->req_len) < 0)
		return -1;
	return ch_call_raw(cl, cl->req, cl->req_len);
}

unsigned ch_nres(const struct ch_client *cl)
{
	return cl->have_res ? cl->res.resarray.resarray_len : 0;
}

nfs_resop4 *ch_res(struct ch_client *cl, unsigned i)
{
	if (i >= ch_nres(cl))
		return NULL;
	return &cl->res.resarray.resarray_val[i];
}

int ch_status(const struct ch_client *cl, unsigned i)
{
	if (i >= ch_nres(cl))
		return -1;
	/* Every result arm starts with its nfsstat4. */
	return (int)*(const nfsstat4 *)&cl->res.resarray.resarray_val[i]
		.nfs_resop4_u;
}

int ch_exchange_id(struct ch_client *cl, const char *owner,
		   const char *verf)
{
	nfs_argop4 op;
	EXCHANGE_ID4args *a = &op.nfs_argop4_u.opexchange_id;
	int st;

	memset(&op, 0, sizeof(op));
	op.argop = OP_EXCHANGE_ID;
	memcpy(a->eia_clientowner.co_verifier, verf, NFS4_VERIFIER_SIZE);
	a->eia_clientowner.co_ownerid.co_ownerid_val = (char *)owner;
	a->eia_clientowner.co_ownerid.co_ownerid_len = (u_int)strlen(owner);
	a->eia_flags = 0;
	a->eia_state_protect.spa_how = SP4_NONE;
	st = ch_call(cl, 1, &op, 1);
	if (st < 0 || ch_nres(cl) != 1)
		return -1;
	st = ch_status(cl, 0);
	if (st == NFS4_OK) {
		EXCHANGE_ID4resok *ok = &ch_res(cl, 0)
			->nfs_resop4_u.opexchange_id.EXCHANGE_ID4res_u
			.eir_resok4;
		cl->clientid = ok->eir_clientid;
		cl->cs_seq = ok->eir_sequenceid;
	}
	return st;
}

static void chan_attrs(channel_attrs4 *ca, uint32_t maxreqs, int back)
{
	memset(ca, 0, sizeof(*ca));
	ca->ca_headerpadsize = 0;
	ca->ca_maxrequestsize = back ? 4096 : 1024 * 1024;
	ca->ca_maxresponsesize = back ? 4096 : 1024 * 1024;
	ca->ca_maxresponsesize_cached = back ? 4096 : 64 * 1024;
	ca->ca_maxoperations = back ? 2 : 16;
	ca->ca_maxrequests = maxreqs;
}

nfs_argop4 ch_op_create_session(const struct ch_client *cl,
				     uint32_t maxreqs)
{
	static callback_sec_parms4 none = { .cb_secflavor = 0 };
	nfs_argop4 op;
	CREATE_SESSION4args *a = &op.nfs_argop4_u.opcreate_session;

	memset(&op, 0, sizeof(op));
	op.argop = OP_CREATE_SESSION;
	a->csa_clientid = cl->clientid;
	a->csa_sequence = cl->cs_seq;
	a->csa_flags = 0;
	chan_attrs(&a->csa_fore_chan_attrs, maxreqs, 0);
	chan_attrs(&a->csa_back_chan_attrs, 1, 1);
	a->csa_cb_program = 0x40000000;
	a->csa_sec_parms.csa_sec_parms_len = 1;
	a->csa_sec_parms.csa_sec_parms_val = &none;
	return op;
}

int ch_create_session(struct ch_client *cl, uint32_t maxreqs)
{
	return ch_create_session_flags(cl, maxreqs, 0);
}

int ch_create_session_flags(struct ch_client *cl, uint32_t maxreqs,
			    uint32_t flags)
{
	nfs_argop4 op = ch_op_create_session(cl, maxreqs);
	int st;

	op.nfs_argop4_u.opcreate_session.csa_flags = flags;
	st = ch_call(cl, 1, &op, 1);

	if (st < 0 || ch_nres(cl) != 1)
		return -1;
	st = ch_status(cl, 0);
	if (st == NFS4_OK) {
		CREATE_SESSION4resok *ok = &ch_res(cl, 0)
			->nfs_resop4_u.opcreate_session.CREATE_SESSION4res_u
			.csr_resok4;
		memcpy(cl->sessionid, ok->csr_sessionid, NFS4_SESSIONID_SIZE);
		cl->have_session = 1;
		memset(cl->slot_seq, 0, sizeof(cl->slot_seq));
		cl->cs_seq++;
	}
	return st;
}

static int setup_flags(struct ch_client *cl, const char *owner,
		       uint32_t flags)
{
	if (ch_exchange_id(cl, owner, "verf0001") != NFS4_OK)
		return -1;
	if (ch_create_session_flags(cl, 8, flags) != NFS4_OK)
		return -1;
	/* Like a real client: RECLAIM_COMPLETE before any OPEN (RFC 8881
	 * §18.51.3), on the last slot so tests own slots 0..6. */
	{
		nfs_argop4 ops[2] = { ch_op_seq(cl, 7, 0),
				      ch_op_reclaim_complete() };
		if (ch_call(cl, 1, ops, 2) != NFS4_OK)
			return -1;
	}
	return 0;
}

int ch_setup(struct ch_client *cl, const char *owner)
{
	return setup_flags(cl, owner, 0);
}

int ch_setup_back_chan(struct ch_client *cl, const char *owner)
{
	return setup_flags(cl, owner, CREATE_SESSION4_FLAG_CONN_BACK_CHAN);
}

/* ---- op builders ---------------------------------------------------- */

static nfs_argop4 op0(uint32_t opnum)
{
	nfs_argop4 op;

	memset(&op, 0, sizeof(op));
	op.argop = (nfs_opnum4)opnum;
	return op;
}

static void comp(component4 *c, const char *s, size_t len)
{
	c->utf8string_val = (char *)s;
	c->utf8string_len = (u_int)len;
}

nfs_argop4 ch_op_raw(uint32_t opnum)
{
	return op0(opnum);
}

nfs_argop4 ch_op_sequence(const struct ch_client *cl, uint32_t slot,
			  uint32_t seqid, int cachethis)
{
	nfs_argop4 op = op0(OP_SEQUENCE);
	SEQUENCE4args *a = &op.nfs_argop4_u.opsequence;

	memcpy(a->sa_sessionid, cl->sessionid, NFS4_SESSIONID_SIZE);
	a->sa_sequenceid = seqid;
	a->sa_slotid = slot;
	a->sa_highest_slotid = slot;
	a->sa_cachethis = cachethis ? TRUE : FALSE;
	return op;
}

nfs_argop4 ch_op_seq(struct ch_client *cl, uint32_t slot, int cachethis)
{
	uint32_t s = slot < SESSION_MAX_SLOTS ? slot : 0;

	return ch_op_sequence(cl, slot, ++cl->slot_seq[s], cachethis);
}

nfs_argop4 ch_op_putrootfh(void)
{
	return op0(OP_PUTROOTFH);
}

nfs_argop4 ch_op_putfh(const nfs_fh4 *fh)
{
	nfs_argop4 op = op0(OP_PUTFH);

	op.nfs_argop4_u.opputfh.object = *fh;
	return op;
}

nfs_argop4 ch_op_getfh(void)
{
	return op0(OP_GETFH);
}

nfs_argop4 ch_op_savefh(void)
{
	return op0(OP_SAVEFH);
}

nfs_argop4 ch_op_restorefh(void)
{
	return op0(OP_RESTOREFH);
}

nfs_argop4 ch_op_lookup(const char *name, size_t len)
{
	nfs_argop4 op = op0(OP_LOOKUP);

	comp(&op.nfs_argop4_u.oplookup.objname, name, len);
	return op;
}

nfs_argop4 ch_op_lookupp(void)
{
	return op0(OP_LOOKUPP);
}

nfs_argop4 ch_op_access(uint32_t bits)
{
	nfs_argop4 op = op0(OP_ACCESS);

	op.nfs_argop4_u.opaccess.access = bits;
	return op;
}

nfs_argop4 ch_op_create_dir(const char *name)
{
	nfs_argop4 op = op0(OP_CREATE);
	CREATE4args *a = &op.nfs_argop4_u.opcreate;

	a->objtype.type = NF4DIR;
	comp(&a->objname, name, strlen(name));
	return op;
}

nfs_argop4 ch_op_remove(const char *name)
{
	nfs_argop4 op = op0(OP_REMOVE);

	comp(&op.nfs_argop4_u.opremove.target, name, strlen(name));
	return op;
}

nfs_argop4 ch_op_rename(const char *from, const char *to)
{
	nfs_argop4 op = op0(OP_RENAME);

	comp(&op.nfs_argop4_u.oprename.oldname, from, strlen(from));
	comp(&op.nfs_argop4_u.oprename.newname, to, strlen(to));
	return op;
}

nfs_argop4 ch_op_link(const char *name)
{
	nfs_argop4 op = op0(OP_LINK);

	comp(&op.nfs_argop4_u.oplink.newname, name, strlen(name));
	return op;
}

nfs_argop4 ch_op_getattr(uint32_t *words, unsigned nwords)
{
	nfs_argop4 op = op0(OP_GETATTR);

	op.nfs_argop4_u.opgetattr.attr_request.bitmap4_len = nwords;
	op.nfs_argop4_u.opgetattr.attr_request.bitmap4_val = words;
	return op;
}

nfs_argop4 ch_op_readdir(uint64_t cookie, uint32_t maxcount,
			 uint32_t *words, unsigned nwords)
{
	nfs_argop4 op = op0(OP_READDIR);
	READDIR4args *a = &op.nfs_argop4_u.opreaddir;

	a->cookie = cookie;
	a->dircount = maxcount;
	a->maxcount = maxcount;
	a->attr_request.bitmap4_len = nwords;
	a->attr_request.bitmap4_val = words;
	return op;
}

nfs_argop4 ch_op_open(const struct ch_client *cl, const char *owner,
		      const char *name, int create, uint32_t access,
		      uint32_t deny)
{
	nfs_argop4 op = op0(OP_OPEN);
	OPEN4args *a = &op.nfs_argop4_u.opopen;

	a->seqid = 0;
	a->share_access = access;
	a->share_deny = deny;
	a->owner.clientid = cl->clientid;
	a->owner.owner.owner_val = (char *)owner;
	a->owner.owner.owner_len = (u_int)strlen(owner);
	if (create) {
		a->openhow.opentype = OPEN4_CREATE;
		a->openhow.openflag4_u.how.mode = UNCHECKED4;
	} else {
		a->openhow.opentype = OPEN4_NOCREATE;
	}
	a->claim.claim = CLAIM_NULL;
	comp(&a->claim.open_claim4_u.file, name, strlen(name));
	return op;
}

nfs_argop4 ch_op_close(const stateid4 *sid)
{
	nfs_argop4 op = op0(OP_CLOSE);

	op.nfs_argop4_u.opclose.open_stateid = *sid;
	return op;
}

nfs_argop4 ch_op_write(const stateid4 *sid, uint64_t off, const void *data,
		       uint32_t len, stable_how4 stable)
{
	nfs_argop4 op = op0(OP_WRITE);
	WRITE4args *a = &op.nfs_argop4_u.opwrite;

	a->stateid = *sid;
	a->offset = off;
	a->stable = stable;
	strata_payload_set(&a->data, (void *)data, len);
	return op;
}

nfs_argop4 ch_op_read(const stateid4 *sid, uint64_t off, uint32_t count)
{
	nfs_argop4 op = op0(OP_READ);

	op.nfs_argop4_u.opread.stateid = *sid;
	op.nfs_argop4_u.opread.offset = off;
	op.nfs_argop4_u.opread.count = count;
	return op;
}

nfs_argop4 ch_op_commit(uint64_t off, uint32_t count)
{
	nfs_argop4 op = op0(OP_COMMIT);

	op.nfs_argop4_u.opcommit.offset = off;
	op.nfs_argop4_u.opcommit.count = count;
	return op;
}

nfs_argop4 ch_op_lock_new(const struct ch_client *cl, nfs_lock_type4 type,
			  uint64_t off, uint64_t len, const stateid4 *open_sid,
			  const char *lock_owner)
{
	nfs_argop4 op = op0(OP_LOCK);
	LOCK4args *a = &op.nfs_argop4_u.oplock;
	open_to_lock_owner4 *o = &a->locker.locker4_u.open_owner;

	a->locktype = type;
	a->reclaim = FALSE;
	a->offset = off;
	a->length = len;
	a->locker.new_lock_owner = TRUE;
	o->open_stateid = *open_sid;
	o->lock_owner.clientid = cl->clientid;
	o->lock_owner.owner.owner_val = (char *)lock_owner;
	o->lock_owner.owner.owner_len = (u_int)strlen(lock_owner);
	return op;
}

nfs_argop4 ch_op_lock_exist(nfs_lock_type4 type, uint64_t off, uint64_t len,
			    const stateid4 *lock_sid)
{
	nfs_argop4 op = op0(OP_LOCK);
	LOCK4args *a = &op.nfs_argop4_u.oplock;

	a->locktype = type;
	a->offset = off;
	a->length = len;
	a->locker.new_lock_owner = FALSE;
	a->locker.locker4_u.lock_owner.lock_stateid = *lock_sid;
	return op;
}

nfs_argop4 ch_op_lockt(const struct ch_client *cl, nfs_lock_type4 type,
		       uint64_t off, uint64_t len, const char *lock_owner)
{
	nfs_argop4 op = op0(OP_LOCKT);
	LOCKT4args *a = &op.nfs_argop4_u.oplockt;

	a->locktype = type;
	a->offset = off;
	a->length = len;
	a->owner.clientid = cl->clientid;
	a->owner.owner.owner_val = (char *)lock_owner;
	a->owner.owner.owner_len = (u_int)strlen(lock_owner);
	return op;
}

nfs_argop4 ch_op_locku(nfs_lock_type4 type, uint64_t off, uint64_t len,
		       const stateid4 *lock_sid)
{
	nfs_argop4 op = op0(OP_LOCKU);
	LOCKU4args *a = &op.nfs_argop4_u.oplocku;

	a->locktype = type;
	a->lock_stateid = *lock_sid;
	a->offset = off;
	a->length = len;
	return op;
}

nfs_argop4 ch_op_destroy_session(const sessionid4 id)
{
	nfs_argop4 op = op0(OP_DESTROY_SESSION);

	memcpy(op.nfs_argop4_u.opdestroy_session.dsa_sessionid, id,
	       NFS4_SESSIONID_SIZE);
	return op;
}

nfs_argop4 ch_op_destroy_clientid(clientid4 id)
{
	nfs_argop4 op = op0(OP_DESTROY_CLIENTID);

	op.nfs_argop4_u.opdestroy_clientid.dca_clientid = id;
	return op;
}

nfs_argop4 ch_op_reclaim_complete(void)
{
	nfs_argop4 op = op0(OP_RECLAIM_COMPLETE);

	op.nfs_argop4_u.opreclaim_complete.rca_one_fs = FALSE;
	return op;
}

nfs_argop4 ch_op_setattr_size(const stateid4 *sid, uint64_t size,
			      uint32_t *word, char *val)
{
	nfs_argop4 op = op0(OP_SETATTR);
	SETATTR4args *a = &op.nfs_argop4_u.opsetattr;
	uint32_t hi = htonl((uint32_t)(size >> 32)), lo = htonl((uint32_t)size);

	a->stateid = *sid;
	*word = 1u << FATTR4_SIZE;
	memcpy(val, &hi, 4);
	memcpy(val + 4, &lo, 4);
	a->obj_attributes.attrmask.bitmap4_len = 1;
	a->obj_attributes.attrmask.bitmap4_val = word;
	a->obj_attributes.attr_vals.attrlist4_len = 8;
	a->obj_attributes.attr_vals.attrlist4_val = val;
	return op;
}

nfs_argop4 ch_op_setattr_mode(const stateid4 *sid, uint32_t mode,
			      uint32_t word[2], char *val)
{
	nfs_argop4 op = op0(OP_SETATTR);
	SETATTR4args *a = &op.nfs_argop4_u.opsetattr;
	uint32_t be = htonl(mode);

	a->stateid = *sid;
	word[0] = 0;
	word[1] = 1u << (FATTR4_MODE - 32);
	memcpy(val, &be, 4);
	a->obj_attributes.attrmask.bitmap4_len = 2;
	a->obj_attributes.attrmask.bitmap4_val = word;
	a->obj_attributes.attr_vals.attrlist4_len = 4;
	a->obj_attributes.attr_vals.attrlist4_val = val;
	return op;
}

nfs_argop4 ch_op_layoutget(layoutiomode4 iomode, uint64_t off, uint64_t len,
			   const stateid4 *sid, uint32_t maxcount)
{
	nfs_argop4 op = op0(OP_LAYOUTGET);
	LAYOUTGET4args *a = &op.nfs_argop4_u.oplayoutget;

	a->loga_signal_layout_avail = FALSE;
	a->loga_layout_type = LAYOUT4_NFSV4_1_FILES;
	a->loga_iomode = iomode;
	a->loga_offset = off;
	a->loga_length = len;
	a->loga_minlength = 0;
	a->loga_stateid = *sid;
	a->loga_maxcount = maxcount;
	return op;
}

nfs_argop4 ch_op_layoutcommit(uint64_t off, uint64_t len, const stateid4 *sid,
			      int have_last, uint64_t last)
{
	nfs_argop4 op = op0(OP_LAYOUTCOMMIT);
	LAYOUTCOMMIT4args *a = &op.nfs_argop4_u.oplayoutcommit;

	a->loca_offset = off;
	a->loca_length = len;
	a->loca_reclaim = FALSE;
	a->loca_stateid = *sid;
	a->loca_last_write_offset.no_newoffset = have_last ? TRUE : FALSE;
	a->loca_last_write_offset.newoffset4_u.no_offset = last;
	a->loca_time_modify.nt_timechanged = FALSE;
	a->loca_layoutupdate.lou_type = LAYOUT4_NFSV4_1_FILES;
	return op;
}

nfs_argop4 ch_op_layoutreturn_file(layoutiomode4 iomode, uint64_t off,
				   uint64_t len, const stateid4 *sid)
{
	nfs_argop4 op = op0(OP_LAYOUTRETURN);
	LAYOUTRETURN4args *a = &op.nfs_argop4_u.oplayoutreturn;
	layoutreturn_file4 *f = &a->lora_layoutreturn.layoutreturn4_u.lr_layout;

	a->lora_reclaim = FALSE;
	a->lora_layout_type = LAYOUT4_NFSV4_1_FILES;
	a->lora_iomode = iomode;
	a->lora_layoutreturn.lr_returntype = LAYOUTRETURN4_FILE;
	f->lrf_offset = off;
	f->lrf_length = len;
	f->lrf_stateid = *sid;
	return op;
}

nfs_argop4 ch_op_getdeviceinfo(const void *devid, uint32_t maxcount)
{
	nfs_argop4 op = op0(OP_GETDEVICEINFO);
	GETDEVICEINFO4args *a = &op.nfs_argop4_u.opgetdeviceinfo;

	memcpy(a->gdia_device_id, devid, NFS4_DEVICEID4_SIZE);
	a->gdia_layout_type = LAYOUT4_NFSV4_1_FILES;
	a->gdia_maxcount = maxcount;
	return op;
}

nfs_argop4 ch_op_getdevicelist(uint32_t maxdevices, uint64_t cookie)
{
	nfs_argop4 op = op0(OP_GETDEVICELIST);
	GETDEVICELIST4args *a = &op.nfs_argop4_u.opgetdevicelist;

	a->gdla_layout_type = LAYOUT4_NFSV4_1_FILES;
	a->gdla_maxdevices = maxdevices;
	a->gdla_cookie = cookie;
	return op;
}

/* ---- reply helpers -------------------------------------------------- */

static int only_bit(const fattr4 *a, unsigned bit, size_t size)
{
	unsigned w = bit / 32;

	if (a->attrmask.bitmap4_len <= w)
		return -1;
	for (unsigned i = 0; i < a->attrmask.bitmap4_len; i++) {
		uint32_t want = i == w ? 1u << (bit % 32) : 0;
		if (a->attrmask.bitmap4_val[i] != want)
			return -1;
	}
	return a->attr_vals.attrlist4_len == size ? 0 : -1;
}

int ch_attr_u32(const fattr4 *a, unsigned bit, uint32_t *out)
{
	uint32_t be;

	if (only_bit(a, bit, 4) < 0)
		return -1;
	memcpy(&be, a->attr_vals.attrlist4_val, 4);
	*out = ntohl(be);
	return 0;
}

int ch_attr_u64(const fattr4 *a, unsigned bit, uint64_t *out)
{
	uint32_t hi, lo;

	if (only_bit(a, bit, 8) < 0)
		return -1;
	memcpy(&hi, a->attr_vals.attrlist4_val, 4);
	memcpy(&lo, a->attr_vals.attrlist4_val + 4, 4);
	*out = ((uint64_t)ntohl(hi) << 32) | ntohl(lo);
	return 0;
}
