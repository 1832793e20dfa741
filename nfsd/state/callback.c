/* nfsd/state/callback.c — the callback client. Contract in callback.h. */
#include "callback.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fh.h"
#include "layout_state.h"
#include "log.h"
#include "rpc.h"
#include "server.h"
#include "session.h"
#include "state.h"
#include "xprt.h"

#define CB_VERSION 1
#define CB_PROC_COMPOUND 1
#define CB_BUF 2048

struct nfs_session *cb_session(struct nfs_client *clp)
{
	for (struct nfs_session *s = clp->sessions; s; s = s->next)
		if (s->back_conn && !atomic_load(&s->back_conn->dead))
			return s;
	return NULL;
}

nfsstat4 cb_set_sec(struct nfs_session *s, const callback_sec_parms4 *p,
		    unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		XDR x;
		authsys_parms4 *sys;

		if (p[i].cb_secflavor == RPC_AUTH_NONE) {
			s->cb_flavor = RPC_AUTH_NONE;
			s->cb_cred_len = 0;
			return NFS4_OK;
		}
		if (p[i].cb_secflavor != RPC_AUTH_SYS)
			continue;
		sys = (authsys_parms4 *)&p[i].callback_sec_parms4_u.cbsp_sys_cred;
		xdrmem_create(&x, (char *)s->cb_cred, sizeof(s->cb_cred),
			      XDR_ENCODE);
		if (!xdr_authsys_parms4(&x, sys))
			return NFS4ERR_INVAL;
		s->cb_flavor = RPC_AUTH_SYS;
		s->cb_cred_len = xdr_getpos(&x);
		return NFS4_OK;
	}
	/* Only RPCSEC_GSS offered: callbacks go out with AUTH_NONE and the
	 * client may refuse them (we then revoke after a lease). */
	s->cb_flavor = RPC_AUTH_NONE;
	s->cb_cred_len = 0;
	return NFS4_OK;
}

/* RPC call header for CB_COMPOUND (RFC 5531 §9) with the session's
 * callback credential. */
static bool_t encode_call_header(XDR *x, const struct nfs_session *s,
				 uint32_t xid)
{
	uint32_t w[6] = { xid, RPC_CALL, 2, s->cb_program, CB_VERSION,
			  CB_PROC_COMPOUND };
	char *cred = (char *)s->cb_cred;
	u_int credlen = s->cb_cred_len;
	uint32_t flavor = s->cb_flavor, vflavor = RPC_AUTH_NONE, vlen = 0;

	for (int i = 0; i < 6; i++)
		if (!xdr_u_int(x, &w[i]))
			return FALSE;
	return xdr_u_int(x, &flavor) &&
	       xdr_bytes(x, &cred, &credlen, RPC_MAX_AUTH_BYTES) &&
	       xdr_u_int(x, &vflavor) && xdr_u_int(x, &vlen);
}

/* Send CB_SEQUENCE + OP on S's back channel; REF (may be NULL) names the
 * referring call. */
static int cb_send(struct strata_server *srv, struct nfs_session *s,
		   const struct nfs_stid *ref, const nfs_cb_argop4 *op,
		   const char *what)
{
	referring_call_list4 rcl;
	referring_call4 rc1;
	uint8_t *buf;
	nfs_cb_argop4 ops[2];
	CB_COMPOUND4args args;
	struct iovec iov;
	uint32_t xid;
	XDR x;
	int rc;

	if (!s->back_conn || atomic_load(&s->back_conn->dead))
		return -EPIPE;
	/* A call in flight for longer than a lease is given up on. */
	if (s->cb_xid && server_now() - s->cb_sent <= srv->cfg.lease_time)
		return -EBUSY;
	buf = malloc(CB_BUF);
	if (!buf)
		return -ENOMEM;
	memset(ops, 0, sizeof(ops));
	memset(&args, 0, sizeof(args));
	ops[0].argop = OP_CB_SEQUENCE;
	CB_SEQUENCE4args *seq = &ops[0].nfs_cb_argop4_u.opcbsequence;
	memcpy(seq->csa_sessionid, s->id, NFS4_SESSIONID_SIZE);
	seq->csa_sequenceid = s->cb_seqid + 1;
	seq->csa_slotid = 0;
	seq->csa_highest_slotid = 0;
	seq->csa_cachethis = FALSE;
	if (ref && memcmp(ref->ref_session, s->id, NFS4_SESSIONID_SIZE) == 0) {
		memcpy(rcl.rcl_sessionid, s->id, NFS4_SESSIONID_SIZE);
		rc1.rc_sequenceid = ref->ref_seqid;
		rc1.rc_slotid = ref->ref_slot;
		rcl.rcl_referring_calls.rcl_referring_calls_len = 1;
		rcl.rcl_referring_calls.rcl_referring_calls_val = &rc1;
		seq->csa_referring_call_lists.csa_referring_call_lists_len = 1;
		seq->csa_referring_call_lists.csa_referring_call_lists_val =
			&rcl;
	}
	ops[1] = *op;
	args.minorversion = 1;
	args.argarray.argarray_len = 2;
	args.argarray.argarray_val = ops;
	xid = ++srv->next_cb_xid;
	if (xid == 0)
		xid = ++srv->next_cb_xid;
	xdrmem_create(&x, (char *)buf, CB_BUF, XDR_ENCODE);
	if (!encode_call_header(&x, s, xid) ||
	    !xdr_CB_COMPOUND4args(&x, &args)) {
		free(buf);
		return -EINVAL;
	}
	iov.iov_base = buf;
	iov.iov_len = xdr_getpos(&x);
	/* RFC 8881 §18.36.3: no call larger than the back channel's
	 * ca_maxrequestsize. The Linux client over RDMA drops the
	 * connection on one larger than its inline buffer (rpc-rdma notes,
	 * pitfall 14). Not sent: the conflict retries, and after a lease
	 * the state is revoked as for an unanswered recall. */
	if (iov.iov_len > s->back.ca_maxrequestsize) {
		log_warn("%s for client %llx not sent: %zu bytes, its back "
			 "channel takes %u", what,
			 (unsigned long long)s->client->clientid, iov.iov_len,
			 s->back.ca_maxrequestsize);
		free(buf);
		return -EMSGSIZE;
	}
	rc = xprt_send(s->back_conn, &iov, 1);
	free(buf);
	if (rc < 0)
		return rc;
	s->cb_xid = xid;
	s->cb_sent = server_now();
	s->cb_seqid++;
	s->cb_layout = op->argop == OP_CB_LAYOUTRECALL;
	if (s->cb_layout)
		memcpy(s->cb_other,
		       op->nfs_cb_argop4_u.opcblayoutrecall.clora_recall
			       .layoutrecall4_u.lor_layout.lor_stateid.other,
		       NFS4_OTHER_SIZE);
	log_info("%s sent to client %llx (xid %u)", what,
		 (unsigned long long)s->client->clientid, xid);
	return 0;
}

static int send_recall(struct strata_server *srv, struct nfs_session *s,
		       const struct nfs_stid *deleg)
{
	nfs_cb_argop4 op;
	uint8_t fh[FH_LEN];
	CB_RECALL4args *rec = &op.nfs_cb_argop4_u.opcbrecall;

	memset(&op, 0, sizeof(op));
	op.argop = OP_CB_RECALL;
	stid_to_wire(deleg, &rec->stateid);
	rec->truncate = FALSE;
	fh_encode(fh, deleg->fileid, deleg->generation);
	rec->fh.nfs_fh4_len = FH_LEN;
	rec->fh.nfs_fh4_val = (char *)fh;
	atomic_fetch_add(&srv->metrics.recalls_sent[METRICS_RECALL_DELEG], 1);
	return cb_send(srv, s, deleg, &op, "CB_RECALL");
}

static int send_layoutrecall(struct strata_server *srv,
			     struct nfs_session *s,
			     const struct nfs_stid *layout)
{
	nfs_cb_argop4 op;
	uint8_t fh[FH_LEN];
	CB_LAYOUTRECALL4args *r = &op.nfs_cb_argop4_u.opcblayoutrecall;
	layoutrecall_file4 *f = &r->clora_recall.layoutrecall4_u.lor_layout;

	memset(&op, 0, sizeof(op));
	op.argop = OP_CB_LAYOUTRECALL;
	r->clora_type = LAYOUT4_NFSV4_1_FILES;
	r->clora_iomode = LAYOUTIOMODE4_ANY;
	r->clora_changed = TRUE;
	r->clora_recall.lor_recalltype = LAYOUTRECALL4_FILE;
	fh_encode(fh, layout->fileid, layout->generation);
	f->lor_fh.nfs_fh4_len = FH_LEN;
	f->lor_fh.nfs_fh4_val = (char *)fh;
	f->lor_offset = 0;
	f->lor_length = NFS4_UINT64_MAX;
	stid_to_wire(layout, &f->lor_stateid);
	atomic_fetch_add(&srv->metrics.recalls_sent[METRICS_RECALL_LAYOUT], 1);
	return cb_send(srv, s, layout, &op, "CB_LAYOUTRECALL");
}

int cb_reachable(struct strata_server *srv, const struct nfs_client *clp)
{
	if (clp->front)
		return clp->cb_via_front && srv->cb_remote != NULL;
	return cb_session((struct nfs_client *)clp) != NULL;
}

/* The state's client: here, or through its front. */
static int recall(struct strata_server *srv, const struct nfs_stid *st,
		  int layout)
{
	struct nfs_session *s;

	if (st->client->front)
		return srv->cb_remote ? srv->cb_remote(srv, st, layout)
				      : -EPIPE;
	s = cb_session(st->client);
	if (!s)
		return -EPIPE;
	s->cb_owner = 0;
	return layout ? send_layoutrecall(srv, s, st)
		      : send_recall(srv, s, st);
}

int cb_recall(struct strata_server *srv, const struct nfs_stid *deleg)
{
	return recall(srv, deleg, 0);
}

int cb_layoutrecall(struct strata_server *srv, const struct nfs_stid *layout)
{
	return recall(srv, layout, 1);
}

int cb_recall_for(struct strata_server *srv, struct nfs_client *clp,
		  unsigned owner, int layout, const struct nfs_stid *st)
{
	struct nfs_session *s = cb_session(clp);
	int rc;

	if (!s)
		return -EPIPE;
	rc = layout ? send_layoutrecall(srv, s, st) : send_recall(srv, s, st);
	if (rc == 0)
		s->cb_owner = owner;
	return rc;
}

void cb_remote_failed(struct strata_server *srv,
		      const uint8_t other[NFS4_OTHER_SIZE])
{
	struct nfs_stid *st = stid_find_other(srv, other);

	if (st && st->recall_sent) {
		st->recall_sent = 0;
		if (st->kind == STID_LAYOUT)
			st->seqid--; /* not sent after all (RFC 8881 §12.5.3) */
	}
}

/* The status of op OPNUM in a CB_COMPOUND reply whose xid and msg_type
 * were read from X; NFS4ERR_SERVERFAULT if it cannot be told. */
static nfsstat4 cb_result(XDR *x, nfs_cb_opnum4 opnum)
{
	CB_COMPOUND4res res;
	uint32_t stat, vflavor, vlen, astat;
	nfsstat4 out = NFS4ERR_SERVERFAULT;

	if (!xdr_u_int(x, &stat) || stat != RPC_MSG_ACCEPTED ||
	    !xdr_u_int(x, &vflavor) || !xdr_u_int(x, &vlen) ||
	    vlen > RPC_MAX_AUTH_BYTES ||
	    !xdr_setpos(x, xdr_getpos(x) + ((vlen + 3) & ~3u)) ||
	    !xdr_u_int(x, &astat) || astat != ACCEPT_SUCCESS)
		return out;
	memset(&res, 0, sizeof(res));
	if (!xdr_CB_COMPOUND4res(x, &res))
		return out;
	out = res.status;
	for (u_int i = 0; i < res.resarray.resarray_len; i++) {
		nfs_cb_resop4 *r = &res.resarray.resarray_val[i];
		if (r->resop == opnum)
			out = r->nfs_cb_resop4_u.opcblayoutrecall.clorr_status;
	}
	xdr_free((xdrproc_t)xdr_CB_COMPOUND4res, &res);
	return out;
}

static struct nfs_session *session_by_cb_xid(struct strata_server *srv,
					     struct xprt_conn *c,
					     uint32_t xid)
{
	for (struct nfs_client *clp = srv->clients; clp; clp = clp->next)
		for (struct nfs_session *s = clp->sessions; s; s = s->next)
			if (s->back_conn == c && s->cb_xid == xid)
				return s;
	return NULL;
}

/* Reply: xid, REPLY, MSG_ACCEPTED, verifier, SUCCESS, CB_COMPOUND4res.
 * The slot is free again whatever the outcome; a failed CB_SEQUENCE
 * (e.g. misordered) resynchronises the sequence id. */
void cb_on_reply(void *ctx, struct xprt_conn *c, uint8_t *msg, size_t len)
{
	struct strata_server *srv = ctx;
	struct nfs_session *s;
	uint32_t w[3] = { 0 };
	XDR x;

	xdrmem_create(&x, (char *)msg, (u_int)len, XDR_DECODE);
	if (!xdr_u_int(&x, &w[0]) || !xdr_u_int(&x, &w[1])) {
		xprt_msg_free(c, msg);
		return;
	}
	pthread_mutex_lock(&srv->state_lock);
	s = session_by_cb_xid(srv, c, w[0]);
	if (s) {
		s->cb_xid = 0;
		if (s->cb_layout) {
			nfsstat4 st = cb_result(&x, OP_CB_LAYOUTRECALL);

			s->cb_layout = 0;
			/* A partition owner's layout: the answer is its. */
			if (s->cb_owner && srv->cb_done_remote)
				srv->cb_done_remote(srv, s->cb_owner,
						    s->cb_other, st);
			else
				layout_recall_done(srv, s->cb_other, st);
		}
		log_debug("callback reply from client %llx (xid %u)",
			  (unsigned long long)s->client->clientid, w[0]);
	}
	pthread_mutex_unlock(&srv->state_lock);
	xprt_msg_free(c, msg);
}
