/* nfsd/callback.c — the callback client. Contract in callback.h. */
#include "callback.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fh.h"
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

int cb_recall(struct strata_server *srv, struct nfs_session *s,
	      const struct nfs_stid *deleg)
{
	referring_call_list4 rcl;
	referring_call4 rc1;
	uint8_t fh[FH_LEN], *buf;
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
	if (memcmp(deleg->ref_session, s->id, NFS4_SESSIONID_SIZE) == 0) {
		memcpy(rcl.rcl_sessionid, s->id, NFS4_SESSIONID_SIZE);
		rc1.rc_sequenceid = deleg->ref_seqid;
		rc1.rc_slotid = deleg->ref_slot;
		rcl.rcl_referring_calls.rcl_referring_calls_len = 1;
		rcl.rcl_referring_calls.rcl_referring_calls_val = &rc1;
		seq->csa_referring_call_lists.csa_referring_call_lists_len = 1;
		seq->csa_referring_call_lists.csa_referring_call_lists_val =
			&rcl;
	}
	ops[1].argop = OP_CB_RECALL;
	CB_RECALL4args *rec = &ops[1].nfs_cb_argop4_u.opcbrecall;
	stid_to_wire(deleg, &rec->stateid);
	rec->truncate = FALSE;
	fh_encode(fh, deleg->fileid, deleg->generation);
	rec->fh.nfs_fh4_len = FH_LEN;
	rec->fh.nfs_fh4_val = (char *)fh;
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
	rc = xprt_send(s->back_conn, &iov, 1);
	free(buf);
	if (rc < 0)
		return rc;
	s->cb_xid = xid;
	s->cb_sent = server_now();
	s->cb_seqid++;
	log_info("CB_RECALL sent to client %llx (xid %u)",
		  (unsigned long long)s->client->clientid, xid);
	return 0;
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
		free(msg);
		return;
	}
	pthread_mutex_lock(&srv->state_lock);
	s = session_by_cb_xid(srv, c, w[0]);
	if (s) {
		s->cb_xid = 0;
		log_debug("callback reply from client %llx (xid %u)",
			  (unsigned long long)s->client->clientid, w[0]);
	}
	pthread_mutex_unlock(&srv->state_lock);
	free(msg);
}
