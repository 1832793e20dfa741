/*
 * nfsd/fh.h — the MDS filehandle (RFC 8881 §4): version, kind, generation
 * and fileid; the fileid carries its shard (metadata/ns.h) so an inode is
 * found from the handle alone. Opaque to clients; 16 bytes, fixed layout:
 *   byte 0     FH_VERSION
 *   byte 1     FH_KIND_MDS (data-server handles, with a MAC, come later)
 *   bytes 2-3  zero
 *   bytes 4-7  generation (big-endian)
 *   bytes 8-15 fileid (big-endian)
 * Pure functions; any thread.
 */
#ifndef STRATA_NFSD_FH_H
#define STRATA_NFSD_FH_H

#include <stddef.h>
#include <stdint.h>

#define FH_VERSION 1
#define FH_KIND_MDS 1
#define FH_LEN 16

/* Encode into BUF (FH_LEN bytes). */
void fh_encode(uint8_t *buf, uint64_t fileid, uint32_t generation);
/* 0, or -1 when the bytes are not a handle of ours (NFS4ERR_BADHANDLE). */
int fh_decode(const uint8_t *buf, size_t len, uint64_t *fileid,
	      uint32_t *generation);

#endif
