/*
 * nfsd/fh.h — the MDS filehandle (RFC 8881 §4): version, kind, generation
 * and fileid; the fileid carries its shard (metadata/ns.h) so an inode is
 * found from the handle alone. Opaque to clients; 16 bytes, fixed layout:
 *   byte 0     FH_VERSION
 *   byte 1     FH_KIND_MDS
 *   bytes 2-3  zero
 *   bytes 4-7  generation (big-endian)
 *   bytes 8-15 fileid (big-endian)
 *
 * A data-server handle (handed out in layouts, RFC 8881 §13.3) names one
 * stripe object and is signed with the cluster key (mac.h) so that a
 * client cannot forge one; 24 bytes:
 *   byte 0      FH_VERSION
 *   byte 1      FH_KIND_DS
 *   byte 2      extent hint (FH_DS_SMALL below), 0 for none
 *   byte 3      stripe index
 *   bytes 4-7   data generation (big-endian): the copy of the file's data
 *               the handle reads and writes (the inode's layout_gen when
 *               the layout was granted; datastore/store.h names objects
 *               by it); a DS refuses it below the file's fence
 *               (pnfs/ds_state.h) or once that copy is gone
 *               (docs/decisions/0030-data-generations.md)
 *   bytes 8-15  fileid (big-endian)
 *   bytes 16-23 HMAC-SHA256(cluster key, bytes 0-15), first 8 bytes
 * Pure functions; any thread.
 */
#ifndef STRATA_NFSD_FH_H
#define STRATA_NFSD_FH_H

#include <stddef.h>
#include <stdint.h>

#define FH_VERSION 1
#define FH_KIND_MDS 1
#define FH_KIND_DS 2
#define FH_LEN 16
#define FH_DS_LEN 24

struct mac_key;

/* Encode into BUF (FH_LEN bytes). */
void fh_encode(uint8_t *buf, uint64_t fileid, uint32_t generation);
/* 0, or -1 when the bytes are not a handle of ours (NFS4ERR_BADHANDLE). */
int fh_decode(const uint8_t *buf, size_t len, uint64_t *fileid,
	      uint32_t *generation);

/*
 * The extent hint of a DS handle: what a data server may conclude from its
 * object's end (nfsd/ops/op_ds_io.c). A dense object's offsets are not
 * the file's (RFC 8881 §13.4.4), so a DS can say where the file ends only
 * when the MDS told it that the file lay inside its first stripe unit:
 *   0                  no hint: a short READ goes to the MDS;
 *   FH_DS_SMALL        the layout was granted for a file of 1..unit bytes,
 *                      and this object holds none of it: any WRITE through
 *                      it (the file growing past its first unit) goes to
 *                      the MDS;
 *   FH_DS_SMALL | u    the same, and this object holds the first unit,
 *                      whose size is u * LAYOUT_MIN_UNIT (u in 1..127): a
 *                      short READ inside it ends the file, a WRITE past it
 *                      goes to the MDS.
 */
#define FH_DS_SMALL 0x80u
#define FH_DS_UNIT_MASK 0x7fu

/* A DS handle for stripe object INDEX (< 256) of FILEID with extent hint
 * HINT. */
void fh_ds_encode(uint8_t *buf, const struct mac_key *k, uint64_t fileid,
		  uint32_t index, uint32_t gen, uint8_t hint);
/* 0; -1 not a DS handle of ours (NFS4ERR_BADHANDLE): wrong length, kind
 * or MAC. */
int fh_ds_decode(const uint8_t *buf, size_t len, const struct mac_key *k,
		 uint64_t *fileid, uint32_t *index, uint32_t *gen,
		 uint8_t *hint);

#endif
