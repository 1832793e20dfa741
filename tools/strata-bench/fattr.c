/*
 * tools/strata-bench/fattr.c -- fattr4 decoding for the attributes in
 * fattr.h's masks (values in attribute-number order, RFC 8881 §5).
 */
#include "fattr.h"

#include <string.h>

#define BIT(n) ((n) < 32 ? 1u << (n) : 0u)
#define BIT1(n) ((n) >= 32 && (n) < 64 ? 1u << ((n) - 32) : 0u)

const uint32_t ATTRS_STAT[3] = {
	BIT(FATTR4_TYPE) | BIT(FATTR4_CHANGE) | BIT(FATTR4_SIZE) |
		BIT(FATTR4_FILEID),
	BIT1(FATTR4_MODE) | BIT1(FATTR4_NUMLINKS) | BIT1(FATTR4_OWNER) |
		BIT1(FATTR4_OWNER_GROUP) | BIT1(FATTR4_TIME_MODIFY),
	0
};
const uint32_t ATTRS_SIZE[3] = { BIT(FATTR4_TYPE) | BIT(FATTR4_SIZE), 0, 0 };
const uint32_t ATTRS_FS[3] = {
	BIT(FATTR4_LEASE_TIME) | BIT(FATTR4_MAXREAD) | BIT(FATTR4_MAXWRITE),
	BIT1(FATTR4_FS_LAYOUT_TYPES), 0
};

static int skip_opaque(XDR *x)
{
	u_int len;
	char pad[4];
	if (!xdr_u_int(x, &len) || len > 4096)
		return 0;
	while (len > 0) {
		u_int k = len > 4 ? 4 : len;
		if (!xdr_opaque(x, pad, k))
			return 0;
		len -= k;
	}
	return 1;
}

static int layout_types(XDR *x, struct attrs *a)
{
	u_int n;
	if (!xdr_u_int(x, &n) || n > 64)
		return 0;
	for (u_int i = 0; i < n; i++) {
		uint32_t t;
		if (!xdr_uint32_t(x, &t))
			return 0;
		if (t == LAYOUT4_NFSV4_1_FILES)
			a->files_layout = 1;
	}
	return 1;
}

static int one_attr(XDR *x, unsigned n, struct attrs *a)
{
	uint32_t ns;
	switch (n) {
	case FATTR4_TYPE: return xdr_uint32_t(x, &a->type);
	case FATTR4_CHANGE: return xdr_uint64_t(x, &a->change);
	case FATTR4_SIZE: return xdr_uint64_t(x, &a->size);
	case FATTR4_LEASE_TIME: return xdr_uint32_t(x, &a->lease);
	case FATTR4_FILEID: return xdr_uint64_t(x, &a->fileid);
	case FATTR4_MAXREAD: return xdr_uint64_t(x, &a->maxread);
	case FATTR4_MAXWRITE: return xdr_uint64_t(x, &a->maxwrite);
	case FATTR4_MODE: return xdr_uint32_t(x, &a->mode);
	case FATTR4_NUMLINKS: return xdr_uint32_t(x, &a->nlink);
	case FATTR4_OWNER:
	case FATTR4_OWNER_GROUP: return skip_opaque(x);
	case FATTR4_TIME_MODIFY:
		return xdr_int64_t(x, &a->mtime_s) && xdr_uint32_t(x, &ns);
	case FATTR4_FS_LAYOUT_TYPES: return layout_types(x, a);
	default: return 0;
	}
}

int attrs_decode(const fattr4 *fa, struct attrs *out)
{
	XDR x;
	int ok = 1;

	memset(out, 0, sizeof(*out));
	xdrmem_create(&x, fa->attr_vals.attrlist4_val,
		      fa->attr_vals.attrlist4_len, XDR_DECODE);
	for (u_int w = 0; ok && w < fa->attrmask.bitmap4_len; w++) {
		uint32_t bits = fa->attrmask.bitmap4_val[w];
		for (unsigned b = 0; ok && b < 32; b++)
			if (bits & (1u << b))
				ok = one_attr(&x, w * 32 + b, out);
	}
	xdr_destroy(&x);
	return ok ? 0 : -1;
}
