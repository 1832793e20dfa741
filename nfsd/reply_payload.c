/*
 * nfsd/reply_payload.c — the READ data of a COMPOUND reply. Contract in
 * reply_payload.h.
 */
#include "reply_payload.h"

#include <stdlib.h>

#include "compound.h"
#include "rpc.h"

struct cur {
	const uint8_t *p;
	size_t len, pos;
};

static int get_u32(struct cur *c, uint32_t *v)
{
	if (c->len - c->pos < 4)
		return -1;
	*v = (uint32_t)c->p[c->pos] << 24 | (uint32_t)c->p[c->pos + 1] << 16 |
	     (uint32_t)c->p[c->pos + 2] << 8 | c->p[c->pos + 3];
	c->pos += 4;
	return 0;
}

/* Skips an XDR opaque<>; its length word is read first. */
static int skip_opaque(struct cur *c, size_t max)
{
	uint32_t n;
	size_t padded;

	if (get_u32(c, &n) < 0 || n > max)
		return -1;
	padded = ((size_t)n + 3u) & ~(size_t)3u;
	if (c->len - c->pos < padded)
		return -1;
	c->pos += padded;
	return 0;
}

/* RFC 5531 §9: xid, REPLY, MSG_ACCEPTED, verifier, SUCCESS. */
static int skip_rpc_reply(struct cur *c)
{
	uint32_t xid, mtype, rstat, flavor, astat;

	if (get_u32(c, &xid) < 0 || get_u32(c, &mtype) < 0 ||
	    mtype != RPC_REPLY || get_u32(c, &rstat) < 0 ||
	    rstat != RPC_MSG_ACCEPTED || get_u32(c, &flavor) < 0 ||
	    skip_opaque(c, RPC_MAX_AUTH_BYTES) < 0 || get_u32(c, &astat) < 0 ||
	    astat != ACCEPT_SUCCESS)
		return -1;
	return 0;
}

/* Steps over one non-READ result with its rpcgen decoder. */
static int skip_result(struct cur *c, uint32_t opnum)
{
	const struct op_desc *d = op_table_lookup(opnum);
	void *res;
	XDR x;
	int ok;

	if (!d || !d->xdr_res)
		return -1;
	res = calloc(1, d->res_size ? d->res_size : 1);
	if (!res)
		return -1;
	xdrmem_create(&x, (char *)(uintptr_t)(c->p + c->pos),
		      (u_int)(c->len - c->pos), XDR_DECODE);
	ok = d->xdr_res(&x, res, 0);
	if (ok)
		c->pos += xdr_getpos(&x);
	xdr_free(d->xdr_res, res);
	free(res);
	return ok ? 0 : -1;
}

/* READ4res (RFC 8881 §18.22.2): status, then eof and data<> if NFS4_OK. */
static int read_result(struct cur *c, struct xprt_payload *out, int *found)
{
	uint32_t status, eof, n;

	*found = 0;
	if (get_u32(c, &status) < 0)
		return -1;
	if (status != NFS4_OK)
		return 0;
	if (get_u32(c, &eof) < 0 || get_u32(c, &n) < 0 ||
	    c->len - c->pos < (((size_t)n + 3u) & ~(size_t)3u))
		return -1;
	out->off = c->pos;
	out->len = n;
	c->pos += ((size_t)n + 3u) & ~(size_t)3u;
	*found = 1;
	return 0;
}

unsigned reply_payload_find(const uint8_t *msg, size_t len,
			    struct xprt_payload *out, unsigned cap)
{
	struct cur c = { .p = msg, .len = len };
	uint32_t status, count, opnum;
	unsigned n = 0;

	if (len > UINT32_MAX || skip_rpc_reply(&c) < 0 ||
	    get_u32(&c, &status) < 0 || skip_opaque(&c, NFS4_OPAQUE_LIMIT) < 0 ||
	    get_u32(&c, &count) < 0)
		return 0;
	for (uint32_t i = 0; i < count && n < cap; i++) {
		int found = 0;

		if (get_u32(&c, &opnum) < 0)
			break;
		if (opnum == OP_READ) {
			if (read_result(&c, &out[n], &found) < 0)
				break;
			n += (unsigned)found;
		} else if (skip_result(&c, opnum) < 0) {
			break;
		}
	}
	return n;
}
