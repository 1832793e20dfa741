/*
 * tests/unit/compound_tests.c -- the shared part of the in-process
 * COMPOUND tests (contract in compound_tests.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compound_harness.h"
#include "fh.h"
#include "store.h"
#include "test_util_ch.h"
#include "server_run.h"
#include "config.h"
#include "reclaim.h"
#include "session.h"
#include "compound_tests.h"

struct strata_server *g_srv;
char *g_dir;

int group_setup(void **state)
{
	(void)state;
	if (ch_server_start(&g_srv, &g_dir, 2, 0) < 0)
		return -1;
	return 0;
}

int group_teardown(void **state)
{
	(void)state;
	ch_server_stop(g_srv, g_dir);
	g_srv = NULL;
	g_dir = NULL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */


int call_ops(struct ch_client *cl, uint32_t minor, nfs_argop4 *ops,
		    unsigned n)
{
	int st = ch_call(cl, minor, ops, n);

	if (st < 0)
		fail_msg("COMPOUND could not be run or decoded (garbage=%d)",
			 cl->garbage);
	return st;
}


void expect_status(const struct ch_client *cl, unsigned i, int want,
			  const char *file, int line)
{
	int got = ch_status(cl, i);

	if (got != want) {
		print_error("%s:%d: op %u: status %d, expected %d\n", file,
			       line, i, got, want);
		_fail(file, line);
	}
}


struct ch_client *new_client(const char *owner)
{
	struct ch_client *cl = calloc(1, sizeof(*cl));

	assert_non_null(cl);
	assert_int_equal(ch_client_init(cl, g_srv, NULL), 0);
	if (owner && ch_setup(cl, owner) != 0)
		fail_msg("EXCHANGE_ID/CREATE_SESSION for %s failed", owner);
	return cl;
}

stateid4 lock_sid(struct ch_client *cl, unsigned i)
{
	nfs_resop4 *r = ch_res(cl, i);

	assert_non_null(r);
	assert_int_equal(r->resop, OP_LOCK);
	return r->nfs_resop4_u.oplock.LOCK4res_u.resok4.lock_stateid;
}

/* OPEN (create) NAME in the root as OWNER; returns the OPEN status and
 * fills *sid and *fh on success. */
int open_file(struct ch_client *cl, const char *owner,
		     const char *name, int create, uint32_t access,
		     uint32_t deny, stateid4 *sid, struct fh *fh)
{
	CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
	     ch_op_open(cl, owner, name, create, access, deny), ch_op_getfh());
	if (ch_status(cl, 2) == NFS4_OK) {
		if (sid)
			*sid = tu_open_sid(cl, 2);
		if (fh)
			tu_save_fh(cl, 3, fh);
	}
	return ch_status(cl, 2);
}

const stateid4 anon_sid; /* all zeros */

/* Encode OPS, then append raw big-endian WORDS as EXTRA more ops' worth
 * of bytes, patching the op count to N + EXTRA. */
size_t encode_with_tail(uint8_t *buf, size_t cap, nfs_argop4 *ops,
			       unsigned n, const uint32_t *words,
			       unsigned nwords, unsigned extra)
{
	size_t len;
	uint32_t be;
	size_t count_pos = 4 + 8 /* "harness" padded */ + 4;

	assert_int_equal(ch_encode(1, "harness", ops, n, buf, cap, &len), 0);
	for (unsigned i = 0; i < nwords; i++) {
		be = htonl(words[i]);
		memcpy(buf + len, &be, 4);
		len += 4;
	}
	be = htonl(n + extra);
	memcpy(buf + count_pos, &be, 4);
	return len;
}
