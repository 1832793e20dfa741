/*
 * tools/strata-bench/compound.h -- an NFSv4.1 COMPOUND being built (struct
 * cpd) and its decoded result (struct cres), with the rpcgen routines of
 * strata_xdr doing the XDR.
 *
 * Ownership: a cpd only points at what its builders were given (names,
 * filehandles, payloads) plus the small scratch arrays inside it; those
 * must outlive the call.  A cres owns what the decoder allocated inside
 * its results, except READ data, which points into the caller's receive
 * buffer (zero copy, see nfsd/xdr/payload.h).  cres_free() releases it
 * and must run before the cres is decoded into again.
 *
 * Threads: a cpd/cres pair belongs to one caller (struct lane).
 */
#ifndef STRATA_BENCH_COMPOUND_H
#define STRATA_BENCH_COMPOUND_H

#include <stddef.h>
#include <stdint.h>

#include "nfs4_names.h"
#include "nfs4_prot.h"

#define CPD_MAX_OPS 16

struct cpd {
	nfs_argop4 op[CPD_MAX_OPS];
	unsigned n;
	/* scratch the builders point into (one of each per compound) */
	uint32_t getattr_mask[3];
	uint32_t cattr_mask[2];
	uint8_t cattr_val[8];
	callback_sec_parms4 cb_sec;
};

struct cres {
	nfsstat4 status;          /* COMPOUND status: that of the last op */
	unsigned n;               /* results decoded */
	nfs_resop4 res[CPD_MAX_OPS];
};

/* Encode C as COMPOUND4args (tag "", minor version 1) into BUF.  Bytes
 * written, or -1 if it does not fit. */
long cpd_encode(const struct cpd *c, uint8_t *buf, size_t cap);

/* Decode COMPOUND4res from BUF[0..LEN).  0, or -1 (malformed, or more
 * results than CPD_MAX_OPS); R is then empty. */
int cres_decode(struct cres *r, const uint8_t *buf, size_t len);
void cres_free(struct cres *r);

/* Status of result I (every nfs_resop4 arm starts with an nfsstat4). */
nfsstat4 cres_status(const struct cres *r, unsigned i);

/* Names for messages: nfs4_names.h. */

#endif
