/*
 * tests/unit/test_util_ch.h — cmocka helpers shared by the tests that drive
 * the in-process server through compound_harness.h (test_compound*.c,
 * test_pnfs*.c). They fail the running test on a malformed reply. Include
 * after <cmocka.h>. Single-threaded, like the harness.
 */
#ifndef STRATA_TEST_UTIL_CH_H
#define STRATA_TEST_UTIL_CH_H

#include "compound_harness.h"

/* A filehandle copied out of a reply, usable as PUTFH's argument. */
struct fh {
	char b[NFS4_FHSIZE];
	nfs_fh4 fh;
};

/* The fileid a (metadata server) filehandle names; fails the test if it
 * does not decode. */
uint64_t tu_fileid(const struct fh *fh);
/* Release a client made with calloc + ch_client_init. */
void tu_free_client(struct ch_client *cl);
/* A unique name per call (the last 8 stay valid). */
const char *tu_uniq(const char *prefix);
/* Copy the filehandle of result I (a GETFH) into *OUT. */
void tu_save_fh(struct ch_client *cl, unsigned i, struct fh *out);
/* The stateid of result I (an OPEN). */
stateid4 tu_open_sid(struct ch_client *cl, unsigned i);
/* FH's size attribute (SEQUENCE, PUTFH, GETATTR; fails the test unless
 * all three succeed). */
uint64_t tu_size(struct ch_client *cl, const struct fh *fh);
/* SETATTR of FH's size with stateid SID: the COMPOUND's status. */
int tu_setattr_size(struct ch_client *cl, const struct fh *fh,
		    const stateid4 *sid, uint64_t size);

#endif
