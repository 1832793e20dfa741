/* nfsd/compound.c — COMPOUND decode/dispatch/encode. See compound.h. */
#include "compound.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "server.h"
#include "slot.h"

#define MAX_TAG 1024
/* Ops accepted before a session says otherwise (RFC 8881 §18.36.3). */
#define MAX_OPS_NO_SESSION 16

struct reply_hdr {
	u_int status_pos;
	u_int count_pos;
	uint32_t count;
};

static int encode_header(XDR *out, const char *tag, u_int taglen,
			 struct reply_hdr *h)
{
	nfsstat4 st = NFS4_OK;
	uint32_t zero = 0;
	char *t = (char *)tag;

	h->status_pos = xdr_getpos(out);
	if (!xdr_enum(out, (enum_t *)&st))
		return -1;
	if (!xdr_bytes(out, &t, &taglen, MAX_TAG))
		return -1;
	h->count_pos = xdr_getpos(out);
	h->count = 0;
	return xdr_u_int(out, &zero) ? 0 : -1;
}

static void patch_header(XDR *out, struct reply_hdr *h, nfsstat4 status)
{
	u_int end = xdr_getpos(out);

	xdr_setpos(out, h->status_pos);
	xdr_enum(out, (enum_t *)&status);
	xdr_setpos(out, h->count_pos);
	xdr_u_int(out, &h->count);
	xdr_setpos(out, end);
}

/* Append a result that is only an opcode and a status. */
static int encode_status_only(XDR *out, struct reply_hdr *h, uint32_t opnum,
			      nfsstat4 status)
{
	uint32_t empty = 0;

	if (!xdr_u_int(out, &opnum) || !xdr_enum(out, (enum_t *)&status))
		return -1;
	/* SETATTR4res carries attrsset whatever the status (§18.30.2). */
	if (opnum == OP_SETATTR && !xdr_u_int(out, &empty))
		return -1;
	h->count++;
	return 0;
}

/*
 * Session rules for op I (RFC 8881 §2.6.3.1.1.x, §18.46.3). Returns
 * NFS4_OK if the op may run now.
 */
static nfsstat4 check_position(const struct compound *c,
			       const struct op_desc *d, unsigned i)
{
	if (i > 0 && (d->flags & OPF_SEQUENCE))
		return NFS4ERR_SEQUENCE_POS;
	if (c->session)
		return NFS4_OK;
	if (i == 0 && (d->flags & (OPF_SEQUENCE | OPF_NO_SESSION))) {
		/* EXCHANGE_ID & co. without SEQUENCE must stand alone. */
		if ((d->flags & OPF_NO_SESSION) && c->nops > 1)
			return NFS4ERR_NOT_ONLY_OP;
		return NFS4_OK;
	}
	return NFS4ERR_OP_NOT_IN_SESSION;
}

/* The op-table flag of a server role (enum strata_role, server.h). */
static unsigned role_flags(unsigned role)
{
	return ((role & ROLE_MDS) ? OPF_MDS : 0u) |
	       ((role & ROLE_DS) ? OPF_DS : 0u);
}
static nfsstat4 check_op(const struct compound *c, const struct op_desc *d,
			 unsigned i)
{
	nfsstat4 st;

	if (!(d->flags & OPF_MV1))
		return NFS4ERR_NOTSUPP; /* v4.0-only ops: RFC 8881 §18 */
	st = check_position(c, d, i);
	if (st != NFS4_OK)
		return st;
	if (!(d->flags & role_flags(c->role)))
		return NFS4ERR_NOTSUPP; /* e.g. OPEN on a data server */
	return NFS4_OK;
}

/* Decode, run and encode one op. Returns its status; *stop set when the
 * COMPOUND must end without a further result (encoding failure). */
static nfsstat4 run_op(struct compound *c, XDR *in, XDR *out,
		       struct reply_hdr *h, uint32_t opnum,
		       const struct op_desc *d)
{
	void *args = calloc(1, d->args_size ? d->args_size : 1);
	void *res = calloc(1, d->res_size ? d->res_size : 1);
	nfsstat4 st = NFS4_OK;
	u_int mark = xdr_getpos(out);
	uint64_t t0 = metrics_now_ns();

	if (!args || !res) {
		st = NFS4ERR_SERVERFAULT;
		goto done_noresult;
	}
	if (d->xdr_args && !d->xdr_args(in, args, 0)) {
		st = NFS4ERR_BADXDR;
		goto done_noresult;
	}
	if ((d->flags & OPF_CFH) && c->cur.fileid == 0)
		st = NFS4ERR_NOFILEHANDLE;
	else
		st = ((c->role & ROLE_DS) && d->ds_fn ? d->ds_fn : d->fn)(
			c, args, res);
	if (c->replay)
		goto out;
	*(nfsstat4 *)res = st;
	if (!xdr_u_int(out, &opnum) || !d->xdr_res(out, res, 0) ||
	    xdr_getpos(out) > c->max_reply) {
		/* RFC 8881 §2.10.6.4: the reply would exceed the limit. */
		xdr_setpos(out, mark);
		st = !c->session   ? NFS4ERR_RESOURCE
		     : c->cachethis ? NFS4ERR_REP_TOO_BIG_TO_CACHE
				    : NFS4ERR_REP_TOO_BIG;
		encode_status_only(out, h, opnum, st);
		goto out;
	}
	h->count++;
	goto out;
done_noresult:
	encode_status_only(out, h, opnum, st);
out:
	if (!c->replay)
		metrics_op_done(&c->srv->metrics, opnum, st,
				metrics_now_ns() - t0);
	if (args && d->xdr_args)
		xdr_free(d->xdr_args, args);
	if (res && d->xdr_res)
		xdr_free(d->xdr_res, res);
	free(args);
	free(res);
	return st;
}

static int decode_header(XDR *in, char **tag, u_int *taglen,
			 uint32_t *minor, uint32_t *nops)
{
	*tag = NULL;
	*taglen = 0;
	if (!xdr_bytes(in, tag, taglen, MAX_TAG))
		return -1;
	if (!xdr_u_int(in, minor) || !xdr_u_int(in, nops))
		return -1;
	return 0;
}

static size_t finish(struct compound *c, XDR *out, struct reply_hdr *h,
		     nfsstat4 status, uint8_t *buf)
{
	size_t len;

	patch_header(out, h, status);
	len = xdr_getpos(out);
	if (c->slot)
		session_slot_done(c->session, c->slot, buf, len, c->cachethis);
	return len;
}

size_t compound_run(struct strata_server *srv, struct xprt_conn *conn,
		    const struct rpc_call *call, uint8_t *buf, size_t cap,
		    int *garbage)
{
	struct compound c = { .srv = srv, .conn = conn, .call = call,
			      .role = srv->role, .max_reply = cap };
	struct reply_hdr h;
	XDR in, out;
	char *tag = NULL;
	u_int taglen = 0;
	uint32_t nops = 0;
	nfsstat4 status = NFS4_OK;
	size_t len;

	*garbage = 0;
	perm_id_of(&call->cred, &c.who);
	xdrmem_create(&in, (char *)call->args, (u_int)call->args_len,
		      XDR_DECODE);
	xdrmem_create(&out, (char *)buf, (u_int)cap, XDR_ENCODE);
	if (decode_header(&in, &tag, &taglen, &c.minorversion, &nops) < 0) {
		free(tag);
		*garbage = 1;
		return 0;
	}
	atomic_fetch_add(&srv->counters.compounds, 1);
	if (encode_header(&out, tag, taglen, &h) < 0) {
		free(tag);
		*garbage = 1;
		return 0;
	}
	free(tag);
	c.nops = nops;
	/* RFC 8881 §16.2.3: other minor versions get an empty result. */
	if (c.minorversion != 1) {
		patch_header(&out, &h, NFS4ERR_MINOR_VERS_MISMATCH);
		return xdr_getpos(&out);
	}
	for (unsigned i = 0; i < nops; i++) {
		uint32_t opnum;
		const struct op_desc *d;

		c.opindex = i;
		if (!xdr_u_int(&in, &opnum)) {
			status = NFS4ERR_BADXDR;
			encode_status_only(&out, &h, OP_ILLEGAL, status);
			break;
		}
		d = op_table_lookup(opnum);
		if (!d) {
			status = NFS4ERR_OP_ILLEGAL;
			encode_status_only(&out, &h, OP_ILLEGAL, status);
			break;
		}
		if (i == 0 && !(d->flags & OPF_SEQUENCE) &&
		    !(d->flags & OPF_NO_SESSION) &&
		    nops > MAX_OPS_NO_SESSION) {
			status = NFS4ERR_OP_NOT_IN_SESSION;
			encode_status_only(&out, &h, opnum, status);
			break;
		}
		status = check_op(&c, d, i);
		if (status != NFS4_OK) {
			encode_status_only(&out, &h, opnum, status);
			break;
		}
		status = run_op(&c, &in, &out, &h, opnum, d);
		if (c.replay) {
			atomic_fetch_add(&srv->metrics.drc_hits, 1);
			len = c.replay_len <= cap ? c.replay_len : 0;
			memcpy(buf, c.replay, len);
			return len;
		}
		if (status != NFS4_OK)
			break;
	}
	return finish(&c, &out, &h, status, buf);
}
