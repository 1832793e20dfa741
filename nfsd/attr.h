/*
 * nfsd/attr.h — NFSv4.1 file attributes (RFC 8881 §5): which we support,
 * encoding an inode's attributes as fattr4, decoding settable ones.
 * Runs inside a COMPOUND (srv->state_lock held); allocations returned in
 * fattr4/bitmap4 are freed by the op's xdr_free.
 */
#ifndef STRATA_NFSD_ATTR_H
#define STRATA_NFSD_ATTR_H

#include "compound.h"
#include "ns.h"

/* Fill OUT with the supported-attributes bitmap (allocates). */
int attr_supported(bitmap4 *out);
/* Attributes that EXCLUSIVE4_1 may set (RFC 8881 §5.8.1.14). */
int attr_exclcreat(bitmap4 *out);

int bitmap_isset(const bitmap4 *bm, unsigned bit);
int bitmap_set(bitmap4 *bm, unsigned bit); /* grows (allocates) */

/*
 * Encode the attributes REQ asks for of INO into OUT. Unsupported bits are
 * skipped (RFC 8881 §5.5: the reply bitmap says what was returned).
 * RDATTR_ERROR is encoded only when RDERR is non-zero.
 */
nfsstat4 attr_encode(struct compound *c, const struct ns_inode *ino,
		     const bitmap4 *req, fattr4 *out, nfsstat4 rderr);

/* Decoded settable attributes. */
struct attr_set {
	unsigned mask;          /* enum ns_setattr_mask */
	struct ns_inode v;      /* values for the fields in mask */
	bitmap4 bits;           /* the attributes present (for attrsset) */
};

/* Decode IN for SETATTR/CREATE/OPEN. NFS4ERR_ATTRNOTSUPP for an
 * unsupported attribute, NFS4ERR_INVAL for a read-only one or a bad value,
 * NFS4ERR_BADXDR for malformed values, NFS4ERR_BADOWNER for an unknown
 * owner. On success the caller frees out->bits.bitmap4_val. */
nfsstat4 attr_decode_set(struct compound *c, const fattr4 *in,
			 struct attr_set *out);

/* VERIFY/NVERIFY: *same = 1 when every attribute in IN equals the inode's.
 * NFS4ERR_INVAL if IN holds RDATTR_ERROR or a write-only attribute. */
nfsstat4 attr_compare(struct compound *c, const struct ns_inode *ino,
		      const fattr4 *in, int *same);

#endif
