/*
 * tools/strata-bench/compound.c -- COMPOUND4args encoding and
 * COMPOUND4res decoding with the rpcgen routines.  See compound.h.
 */
#include "compound.h"

#include <string.h>

long cpd_encode(const struct cpd *c, uint8_t *buf, size_t cap)
{
	COMPOUND4args a;
	XDR x;
	long n = -1;

	memset(&a, 0, sizeof(a));
	a.minorversion = 1;
	a.argarray.argarray_len = c->n;
	/* XDR_ENCODE only reads through these pointers. */
	a.argarray.argarray_val = (nfs_argop4 *)c->op;
	xdrmem_create(&x, (char *)buf, (u_int)cap, XDR_ENCODE);
	if (xdr_COMPOUND4args(&x, &a))
		n = (long)xdr_getpos(&x);
	xdr_destroy(&x);
	return n;
}

/* The results array is decoded element by element into R->res, so the
 * decoder allocates nothing for it and a reply can never hold more
 * results than R has room for. */
int cres_decode(struct cres *r, const uint8_t *buf, size_t len)
{
	XDR x;
	utf8str_cs tag = { 0, NULL };
	u_int count;
	int ok;

	memset(r, 0, sizeof(*r));
	xdrmem_create(&x, (char *)buf, (u_int)len, XDR_DECODE);
	ok = xdr_nfsstat4(&x, &r->status) && xdr_utf8str_cs(&x, &tag) &&
	     xdr_u_int(&x, &count) && count <= CPD_MAX_OPS;
	xdr_free((xdrproc_t)xdr_utf8str_cs, (char *)&tag);
	for (u_int i = 0; ok && i < count; i++) {
		ok = xdr_nfs_resop4(&x, &r->res[i]);
		r->n = i + (ok ? 1 : 0);
		if (!ok) /* free what the failed element allocated */
			xdr_free((xdrproc_t)xdr_nfs_resop4, (char *)&r->res[i]);
	}
	xdr_destroy(&x);
	if (!ok) {
		cres_free(r);
		return -1;
	}
	return 0;
}

void cres_free(struct cres *r)
{
	for (unsigned i = 0; i < r->n; i++)
		xdr_free((xdrproc_t)xdr_nfs_resop4, (char *)&r->res[i]);
	r->n = 0;
}

nfsstat4 cres_status(const struct cres *r, unsigned i)
{
	nfsstat4 st;

	memcpy(&st, &r->res[i].nfs_resop4_u, sizeof(st));
	return st;
}
