/*
 * layout/layout.h -- pNFS file-layout striping: policy, offset math and the
 * XDR bodies of LAYOUTGET and GETDEVICEINFO for LAYOUT4_NFSV4_1_FILES.
 * See docs/decisions/0007-file-layout-dense.md.
 *
 * Contract:
 *   - Every function is pure: it reads only its arguments, writes only the
 *     buffers and out-parameters it is given, keeps no state and allocates
 *     nothing.  Any thread may call any function at any time.
 *   - Striping is DENSE (NFL4_UFLG_DENSE) with pattern offset 0: object j
 *     (the j-th filehandle of the layout, on the DS named by stripe index j)
 *     holds the stripe units of the file that map to j, packed end to end.
 *     The formulas are those of RFC 8881 section 13.4 (13.4.1 stripe unit
 *     number, 13.4.2/13.4.3 stripe index and filehandle, 13.4.4 dense
 *     packing), with N = stripe count and SUN = stripe unit number:
 *         SUN    = floor(off / stripe_unit)
 *         j      = (SUN + first_index) mod N
 *         obj_off = floor(off / (stripe_unit * N)) * stripe_unit
 *                   + off mod stripe_unit
 *     which is what the Linux client computes (nfs4_fl_calc_j_index,
 *     filelayout_get_dense_offset).
 *   - The offset-math functions require a geometry G for which
 *     layout_geom_check(G) == 0 and an INDEX < G->stripe_count; they do not
 *     check again.  Offsets are plain uint64_t; a result that would not fit
 *     in 64 bits (only possible for an OBJ_OFF that no file offset maps to)
 *     wraps.
 *   - Encoders return the number of bytes written (a multiple of 4), or
 *     -EINVAL for bad arguments, -ENOSPC when CAP is too small.  On error
 *     the contents of BUF are unspecified.
 */
#ifndef STRATA_LAYOUT_H
#define STRATA_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define LAYOUT_MAX_DS 256     /* one device names at most 256 DSs (Linux u8 index) */
#define LAYOUT_MIN_UNIT 65536 /* stripe unit multiple of 64 KiB */

struct layout_geom {
	uint32_t stripe_unit;  /* bytes; multiple of LAYOUT_MIN_UNIT */
	uint32_t stripe_count; /* N: stripe indices in the device, 1..LAYOUT_MAX_DS */
	uint32_t first_index;  /* nfl_first_stripe_index, < stripe_count */
};

/* 0 if G is valid, else -EINVAL (also for G == NULL). */
int layout_geom_check(const struct layout_geom *g);

/* First stripe index for a file: a hash of FILEID mod STRIPE_COUNT, so that
 * the first stripe units of many files spread over all DSs.  Deterministic;
 * always < STRIPE_COUNT (0 when STRIPE_COUNT is 0 or 1). */
uint32_t layout_first_index(uint64_t fileid, uint32_t stripe_count);

/* Dense mapping (pattern offset 0) of file offset OFF:
 *   *index   = j = (OFF/unit + first) mod N: position in the stripe pattern,
 *              i.e. which filehandle / DS (Linux nfs4_fl_calc_j_index);
 *   *obj_off = (OFF/(unit*N))*unit + OFF%unit: offset inside object j
 *              (Linux filelayout_get_dense_offset);
 *   *run     = bytes from OFF to the end of its stripe unit (1..unit). */
void layout_map(const struct layout_geom *g, uint64_t off, uint32_t *index, uint64_t *obj_off,
		uint32_t *run);

/* Inverse of layout_map: file offset of byte OBJ_OFF of object INDEX. */
uint64_t layout_file_offset(const struct layout_geom *g, uint32_t index, uint64_t obj_off);

/* Bytes object INDEX holds when the file is SIZE bytes long (for truncate).
 * Summed over all N objects this is SIZE. */
uint64_t layout_obj_size(const struct layout_geom *g, uint32_t index, uint64_t size);

/* File size implied by object INDEX being OBJ_SIZE bytes long: the file
 * offset just past its last byte (0 when OBJ_SIZE is 0).  The file size is
 * the maximum of this over all objects. */
uint64_t layout_size_from_obj(const struct layout_geom *g, uint32_t index, uint64_t obj_size);

/* RFC 5665 universal address of numeric address ADDR and PORT into BUF
 * (NUL-terminated): "a.b.c.d.p1.p2" for IPv4, "x:...:y.p1.p2" for IPv6
 * (canonical text form), with p1 = PORT >> 8 and p2 = PORT & 0xff.
 * 0, or -EINVAL for a NULL or non-numeric ADDR or a BUF too small. */
int layout_uaddr(char *buf, size_t cap, const char *addr, uint16_t port);

/* Encode the loc_body of a layout_content4 of type LAYOUT4_NFSV4_1_FILES
 * (an nfsv4_1_file_layout4) into BUF: DEVICEID, nfl_util = unit |
 * NFL4_UFLG_DENSE, first stripe index, pattern offset 0, and the NFH
 * filehandles FHS[i] (each FH_LENS[i] bytes, <= 128).  Dense layouts need
 * exactly one filehandle per stripe index, so NFH must equal
 * G->stripe_count.  Returns bytes written, or -ENOSPC / -EINVAL. */
struct layout_ds_addr {
	const char *netid; /* "tcp", "tcp6", "rdma", "rdma6" */
	const char *uaddr; /* layout_uaddr() form */
}; /* one netaddr4 */
int layout_encode_file_layout(uint8_t *buf, size_t cap, const uint8_t deviceid[16],
			      const struct layout_geom *g, const uint8_t *const *fhs,
			      const uint32_t *fh_lens, uint32_t nfh);

/* Encode the da_addr_body of a device_addr4 of type LAYOUT4_NFSV4_1_FILES
 * (an nfsv4_1_file_layout_ds_addr4) into BUF: stripe indices 0..NDS-1
 * (identity), then one multipath_list4 per DS; DS i has NADDR[i] >= 1
 * addresses ADDRS[i][0..NADDR[i]-1], in the order given (RDMA first, TCP
 * after: the Linux client connects to the first that works).  Returns
 * bytes, or -ENOSPC / -EINVAL (NDS 0 or > LAYOUT_MAX_DS, a DS without
 * addresses, a NULL string). */
int layout_encode_ds_addr(uint8_t *buf, size_t cap, uint32_t nds,
			  const struct layout_ds_addr *const *addrs, const uint32_t *naddr);

/* Byte length layout_encode_ds_addr would produce for the same arguments
 * (for GETDEVICEINFO's gdia_maxcount / NFS4ERR_TOOSMALL); 0 if they are
 * invalid. */
size_t layout_ds_addr_size(uint32_t nds, const struct layout_ds_addr *const *addrs,
			   const uint32_t *naddr);

#endif /* STRATA_LAYOUT_H */
