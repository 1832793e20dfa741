/*
 * nfsd/xdr/payload.c -- xdr_strata_payload(): zero-copy XDR for the data
 * body of WRITE4args and READ4resok.  See payload.h for the contract.
 */
#include "payload.h"

#include <stdlib.h>
#include <string.h>

/* Granularity of the copying fallback: buffer growth follows the bytes
 * actually received, never the (untrusted) length field alone. */
#define PAYLOAD_CHUNK (64u * 1024u)

static uint32_t xdr_roundup(uint32_t len)
{
	/* Callers guarantee len <= STRATA_PAYLOAD_MAX, so this cannot wrap. */
	return (len + (BYTES_PER_XDR_UNIT - 1)) & ~(uint32_t)(BYTES_PER_XDR_UNIT - 1);
}

/*
 * Copying decode, for streams that cannot expose the payload as one
 * contiguous window.  On success *out is a malloc'ed buffer of len bytes
 * and the padding has been consumed.
 */
static bool_t payload_decode_copy(XDR *xdrs, uint32_t len, char **out)
{
	char *buf = NULL;
	uint32_t cap = 0, got = 0;

	while (got < len) {
		uint32_t chunk = len - got;
		if (chunk > PAYLOAD_CHUNK)
			chunk = PAYLOAD_CHUNK;
		if (got + chunk > cap) {
			uint32_t ncap = cap ? cap * 2 : chunk;
			if (ncap > len)
				ncap = len;
			if (ncap < got + chunk)
				ncap = got + chunk;
			char *nbuf = realloc(buf, ncap);
			if (nbuf == NULL) {
				free(buf);
				return FALSE;
			}
			buf = nbuf;
			cap = ncap;
		}
		if (!XDR_GETBYTES(xdrs, buf + got, chunk)) {
			free(buf);
			return FALSE;
		}
		got += chunk;
	}

	uint32_t pad = xdr_roundup(len) - len;
	if (pad != 0) {
		char crud[BYTES_PER_XDR_UNIT];
		if (!XDR_GETBYTES(xdrs, crud, pad)) {
			free(buf);
			return FALSE;
		}
	}
	*out = buf;
	return TRUE;
}

bool_t xdr_strata_payload(XDR *xdrs, strata_payload *p)
{
	switch (xdrs->x_op) {
	case XDR_DECODE: {
		u_int len;

		p->len = 0;
		p->base = NULL;
		p->owned = 0;

		if (!xdr_u_int(xdrs, &len))
			return FALSE;
		if (len > STRATA_PAYLOAD_MAX)
			return FALSE;
		if (len == 0)
			return TRUE;

		/*
		 * Zero copy: ask the stream for a window covering bytes and
		 * padding.  xdrmem over a 4-byte aligned buffer returns a
		 * pointer into that buffer, or NULL without consuming
		 * anything when fewer bytes remain than requested.
		 */
		char *win = (char *)XDR_INLINE(xdrs, (u_int)xdr_roundup(len));
		if (win != NULL) {
			p->base = win;
			p->len = len;
			p->owned = 0;
			return TRUE;
		}

		/*
		 * No contiguous window (record stream, unaligned buffer, or
		 * simply not enough bytes left): copy.  A truncated message
		 * makes XDR_GETBYTES fail, and we return FALSE.
		 */
		char *buf;
		if (!payload_decode_copy(xdrs, len, &buf))
			return FALSE;
		p->base = buf;
		p->len = len;
		p->owned = 1;
		return TRUE;
	}

	case XDR_ENCODE: {
		u_int len = p->len;

		if (len > STRATA_PAYLOAD_MAX)
			return FALSE;
		if (len != 0 && p->base == NULL)
			return FALSE;
		if (!xdr_u_int(xdrs, &len))
			return FALSE;
		/*
		 * TODO(rdma): an RPC-over-RDMA transport (RFC 8166) will not
		 * copy here.  It will record the extent (p->base, len) so the
		 * bytes travel as a Write/Reply chunk placed directly from
		 * the data buffer, and emit only what the chunk rules require
		 * into the inline XDR stream.  Until then: copy + pad.
		 */
		return xdr_opaque(xdrs, p->base, len);
	}

	case XDR_FREE:
		if (p->owned)
			free(p->base);
		p->base = NULL;
		p->len = 0;
		p->owned = 0;
		return TRUE;
	}
	return FALSE;
}
