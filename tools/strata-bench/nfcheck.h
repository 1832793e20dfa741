/*
 * tools/strata-bench/nfcheck.h -- read a range and say what is there,
 * without failing: right bytes, an error (which one, from where), or wrong
 * bytes (zeros or other). The "verify" workload uses it to show where a
 * file's data is lost and that no wrong byte is ever returned
 * (docs/decisions/0019).
 *
 * Like the Linux files-layout driver, a piece a data server refuses
 * (STALE, BADHANDLE, an I/O error...) is read again through the MDS.
 * Runs on the calling lane.
 */
#ifndef STRATA_BENCH_NFCHECK_H
#define STRATA_BENCH_NFCHECK_H

#include <stdint.h>

#include "nfsfile.h"

struct nf_verdict {
	nfsstat4 status;   /* NFS4_OK, or the error that ended the range */
	int wrong;         /* bytes that are not the pattern came back */
	int zeros;         /* ... and they were zeros */
	int early_eof;     /* the server said EOF before the end */
	uint64_t at;       /* file offset of the first problem */
	int fell_back;     /* a data server refused a piece: MDS read it */
};

/* Read [OFF, OFF+LEN) of F; *V says what came back. 0, or -1 (L->err) on
 * a transport or protocol failure. */
int nf_check(struct lane *l, struct client *c, const struct nfile *f,
	     uint64_t off, uint32_t len, struct nf_verdict *v);

#endif
