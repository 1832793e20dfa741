/*
 * nfsd/xdr/payload.h -- strata_payload: the bulk-data body of WRITE4args
 * and READ4resok, hand-coded so it can be decoded without a copy.
 *
 * On the wire a strata_payload is exactly an XDR variable-length opaque
 * (`opaque data<>`): a 4-byte length, the bytes, zero padding to a
 * multiple of four.  nfs4_prot.x names the type and rpcgen-generated code
 * calls xdr_strata_payload() for those two fields.
 *
 * Ownership:
 *   - After XDR_DECODE from a contiguous stream (xdrmem over the receive
 *     buffer) `base` points INTO that buffer and `owned` is 0: the payload
 *     is only valid while the receive buffer is.  A handler that needs the
 *     bytes beyond the request's lifetime must copy them.
 *   - If the stream cannot hand out a contiguous window (record-marking
 *     stream, buffer not 4-byte aligned, fragment boundary), the decoder
 *     allocates, copies, and sets `owned` to 1.
 *   - XDR_FREE releases `base` only when `owned` is set, then clears the
 *     struct.  xdr_free() on the enclosing rpcgen type therefore does the
 *     right thing in both cases.
 *   - For XDR_ENCODE the caller sets base/len (owned 0 unless the caller
 *     wants xdr_free() to release the buffer, e.g. a malloc'ed READ
 *     buffer: then set owned = 1).
 *
 * Limits (decode):
 *   - len > STRATA_PAYLOAD_MAX is rejected (FALSE) before any allocation.
 *   - len larger than what remains in the stream is rejected (FALSE); it
 *     never reads past the buffer, and the allocating fallback grows its
 *     buffer only as bytes actually arrive, so a lying length field costs
 *     at most the size of the message itself.
 */
#ifndef STRATA_NFSD_XDR_PAYLOAD_H
#define STRATA_NFSD_XDR_PAYLOAD_H

#include <stdint.h>
#include <rpc/rpc.h>

/*
 * Upper bound accepted for a single payload in either direction.  Larger
 * than any sensible ca_maxrequestsize / maxread; it exists so that a
 * corrupt length is refused outright.  Override with -DSTRATA_PAYLOAD_MAX.
 */
#ifndef STRATA_PAYLOAD_MAX
#define STRATA_PAYLOAD_MAX (64u * 1024u * 1024u)
#endif

typedef struct strata_payload {
	uint32_t len;   /* payload length in bytes (without XDR padding) */
	char *base;     /* first byte; NULL only when len == 0 */
	int owned;      /* 1: base is malloc'ed and freed by XDR_FREE */
} strata_payload;

bool_t xdr_strata_payload(XDR *xdrs, strata_payload *p);

/* Point a payload at caller-owned bytes (for encoding a READ reply). */
static inline void strata_payload_set(strata_payload *p, void *base, uint32_t len)
{
	p->len = len;
	p->base = base;
	p->owned = 0;
}

#endif /* STRATA_NFSD_XDR_PAYLOAD_H */
