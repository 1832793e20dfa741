/*
 * layout/encode.c -- RFC 5665 universal addresses and the XDR bodies of
 * the pNFS file layout (nfsv4_1_file_layout4, the loc_body of LAYOUTGET)
 * and its device (nfsv4_1_file_layout_ds_addr4, the da_addr_body of
 * GETDEVICEINFO).  See layout.h for the contract.
 *
 * Both bodies are encoded with the rpcgen routines of nfs4_prot.x over
 * xdrmem on the caller's buffer.  The device body is written piece by
 * piece (counts with xdr_u_int as xdr_array does, each address with
 * xdr_netaddr4) so that no array of netaddr4 has to be built; the bytes
 * are those of xdr_nfsv4_1_file_layout_ds_addr4 (the unit test decodes
 * them with it).
 */
#include "layout.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "nfs4_prot.h"

/* ------------------------------------------------------------------ */
/* Universal addresses                                                 */
/* ------------------------------------------------------------------ */

/* Canonical text of numeric address ADDR into TEXT; 0 or -EINVAL. */
static int canonical_addr(const char *addr, char *text, size_t cap)
{
	unsigned char bin[sizeof(struct in6_addr)];
	int af;

	if (inet_pton(AF_INET, addr, bin) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, addr, bin) == 1)
		af = AF_INET6;
	else
		return -EINVAL;
	if (inet_ntop(af, bin, text, (socklen_t)cap) == NULL)
		return -EINVAL;
	return 0;
}

int layout_uaddr(char *buf, size_t cap, const char *addr, uint16_t port)
{
	char text[INET6_ADDRSTRLEN];
	int n;

	if (buf == NULL || addr == NULL)
		return -EINVAL;
	if (canonical_addr(addr, text, sizeof(text)) != 0)
		return -EINVAL;
	n = snprintf(buf, cap, "%s.%u.%u", text, (unsigned)(port >> 8), (unsigned)(port & 0xff));
	if (n < 0 || (size_t)n >= cap)
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* xdrmem plumbing                                                     */
/* ------------------------------------------------------------------ */

/* xdrmem takes a u_int size and we return an int length: clamp. */
static u_int xdr_cap(size_t cap)
{
	return cap > INT_MAX ? (u_int)INT_MAX : (u_int)cap;
}

/* ------------------------------------------------------------------ */
/* nfsv4_1_file_layout4                                                */
/* ------------------------------------------------------------------ */

/* Dense layouts carry one filehandle per stripe index. */
static int check_fhs(const struct layout_geom *g, const uint8_t *const *fhs,
		     const uint32_t *fh_lens, uint32_t nfh)
{
	if (fhs == NULL || fh_lens == NULL || nfh != g->stripe_count)
		return -EINVAL;
	for (uint32_t i = 0; i < nfh; i++) {
		if (fhs[i] == NULL || fh_lens[i] == 0 || fh_lens[i] > NFS4_FHSIZE)
			return -EINVAL;
	}
	return 0;
}

int layout_encode_file_layout(uint8_t *buf, size_t cap, const uint8_t deviceid[16],
			      const struct layout_geom *g, const uint8_t *const *fhs,
			      const uint32_t *fh_lens, uint32_t nfh)
{
	nfs_fh4 fh[LAYOUT_MAX_DS];
	nfsv4_1_file_layout4 body;
	XDR x;
	bool_t ok;
	int len;

	if (buf == NULL || deviceid == NULL || layout_geom_check(g) != 0)
		return -EINVAL;
	if (check_fhs(g, fhs, fh_lens, nfh) != 0)
		return -EINVAL;
	for (uint32_t i = 0; i < nfh; i++) {
		fh[i].nfs_fh4_len = fh_lens[i];
		fh[i].nfs_fh4_val = (char *)fhs[i]; /* only read when encoding */
	}
	memset(&body, 0, sizeof(body));
	memcpy(body.nfl_deviceid, deviceid, NFS4_DEVICEID4_SIZE);
	body.nfl_util = g->stripe_unit | NFL4_UFLG_DENSE;
	body.nfl_first_stripe_index = g->first_index;
	body.nfl_pattern_offset = 0;
	body.nfl_fh_list.nfl_fh_list_len = nfh;
	body.nfl_fh_list.nfl_fh_list_val = fh;

	xdrmem_create(&x, (char *)buf, xdr_cap(cap), XDR_ENCODE);
	ok = xdr_nfsv4_1_file_layout4(&x, &body);
	len = (int)xdr_getpos(&x);
	xdr_destroy(&x);
	return ok ? len : -ENOSPC;
}

/* ------------------------------------------------------------------ */
/* nfsv4_1_file_layout_ds_addr4                                        */
/* ------------------------------------------------------------------ */

static int check_netaddr(const struct layout_ds_addr *a)
{
	if (a->netid == NULL || a->uaddr == NULL)
		return -EINVAL;
	if (strlen(a->netid) > STRATA_OPAQUE_MAX || strlen(a->uaddr) > STRATA_OPAQUE_MAX)
		return -EINVAL;
	return 0;
}

static int check_ds_args(uint32_t nds, const struct layout_ds_addr *const *addrs,
			 const uint32_t *naddr)
{
	if (nds == 0 || nds > LAYOUT_MAX_DS || addrs == NULL || naddr == NULL)
		return -EINVAL;
	for (uint32_t i = 0; i < nds; i++) {
		if (addrs[i] == NULL || naddr[i] == 0 || naddr[i] > STRATA_ARRAY_MAX)
			return -EINVAL;
		for (uint32_t k = 0; k < naddr[i]; k++) {
			if (check_netaddr(&addrs[i][k]) != 0)
				return -EINVAL;
		}
	}
	return 0;
}

/* One multipath_list4: count, then each netaddr4. */
static bool_t put_multipath(XDR *x, const struct layout_ds_addr *a, uint32_t n)
{
	u_int count = n;

	if (!xdr_u_int(x, &count))
		return FALSE;
	for (uint32_t k = 0; k < n; k++) {
		netaddr4 na = {
			.na_r_netid = (char *)a[k].netid, /* only read when encoding */
			.na_r_addr = (char *)a[k].uaddr,
		};
		if (!xdr_netaddr4(x, &na))
			return FALSE;
	}
	return TRUE;
}

static bool_t put_ds_addr(XDR *x, uint32_t nds, const struct layout_ds_addr *const *addrs,
			  const uint32_t *naddr)
{
	u_int count = nds;

	if (!xdr_u_int(x, &count)) /* nflda_stripe_indices<> */
		return FALSE;
	for (uint32_t i = 0; i < nds; i++) {
		uint32_t index = i;
		if (!xdr_uint32_t(x, &index))
			return FALSE;
	}
	if (!xdr_u_int(x, &count)) /* nflda_multipath_ds_list<> */
		return FALSE;
	for (uint32_t i = 0; i < nds; i++) {
		if (!put_multipath(x, addrs[i], naddr[i]))
			return FALSE;
	}
	return TRUE;
}

int layout_encode_ds_addr(uint8_t *buf, size_t cap, uint32_t nds,
			  const struct layout_ds_addr *const *addrs, const uint32_t *naddr)
{
	XDR x;
	bool_t ok;
	int len;

	if (buf == NULL || check_ds_args(nds, addrs, naddr) != 0)
		return -EINVAL;
	xdrmem_create(&x, (char *)buf, xdr_cap(cap), XDR_ENCODE);
	ok = put_ds_addr(&x, nds, addrs, naddr);
	len = (int)xdr_getpos(&x);
	xdr_destroy(&x);
	return ok ? len : -ENOSPC;
}

/* XDR size of a string<>: length word, bytes, padding to 4. */
static size_t xdr_string_size(const char *s)
{
	size_t n = strlen(s);

	return 4 + ((n + 3) & ~(size_t)3);
}

size_t layout_ds_addr_size(uint32_t nds, const struct layout_ds_addr *const *addrs,
			   const uint32_t *naddr)
{
	size_t size;

	if (check_ds_args(nds, addrs, naddr) != 0)
		return 0;
	size = 4 + 4 * (size_t)nds + 4; /* two counts and the stripe indices */
	for (uint32_t i = 0; i < nds; i++) {
		size += 4;
		for (uint32_t k = 0; k < naddr[i]; k++)
			size += xdr_string_size(addrs[i][k].netid) +
				xdr_string_size(addrs[i][k].uaddr);
	}
	return size;
}
