/*
 * tests/unit/xdr_util.h -- shared helpers of the XDR round-trip tests
 * (test_xdr.c, test_xdr_ops.c, test_xdr_pnfs.c).
 *
 * ROUNDTRIP encodes a value, decodes it into a zeroed object, checks that
 * exactly the encoded bytes were consumed and that re-encoding gives the
 * same bytes; the caller compares fields and XFREE()s the decoded object.
 * ASSERT_TRUNCATION_FAILS checks that every strict prefix fails to decode.
 * The wire buffers are one test's scratch space: cmocka runs the tests of
 * an executable one after another on one thread.
 */
#ifndef STRATA_TESTS_XDR_UTIL_H
#define STRATA_TESTS_XDR_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nfs4_prot.h"

#define WIRE_SIZE (64 * 1024)
/* Aligned so xdrmem hands out inline windows (zero-copy path). */
extern char wire[WIRE_SIZE];
extern char wire2[WIRE_SIZE];

/* Encode *objp into buf; returns the encoded length. */
#define ENCODE_INTO(T, objp, buf, bufsize, lenp)                           \
	do {                                                               \
		XDR x_;                                                    \
		xdrmem_create(&x_, (buf), (bufsize), XDR_ENCODE);          \
		assert_true(xdr_##T(&x_, (objp)));                         \
		*(lenp) = xdr_getpos(&x_);                                 \
		xdr_destroy(&x_);                                          \
	} while (0)

/* Decode exactly len bytes of buf into a zeroed *objp. */
#define DECODE_FROM(T, objp, buf, len)                                     \
	do {                                                               \
		XDR x_;                                                    \
		memset((objp), 0, sizeof(*(objp)));                        \
		xdrmem_create(&x_, (buf), (len), XDR_DECODE);              \
		assert_true(xdr_##T(&x_, (objp)));                         \
		assert_int_equal(xdr_getpos(&x_), (len));                  \
		xdr_destroy(&x_);                                          \
	} while (0)

#define XFREE(T, objp) xdr_free((xdrproc_t)xdr_##T, (char *)(objp))

/*
 * Round trip: encode *in, decode into *out, re-encode *out and require
 * identical bytes.  The caller compares fields and then XFREE()s *out.
 */
#define ROUNDTRIP(T, in, out)                                              \
	do {                                                               \
		u_int n1_, n2_;                                            \
		ENCODE_INTO(T, (in), wire, WIRE_SIZE, &n1_);               \
		assert_true(n1_ % 4 == 0);                                 \
		DECODE_FROM(T, (out), wire, n1_);                          \
		ENCODE_INTO(T, (out), wire2, WIRE_SIZE, &n2_);             \
		assert_int_equal(n1_, n2_);                                \
		assert_memory_equal(wire, wire2, n1_);                     \
	} while (0)

/*
 * Every strict prefix of the encoding of *in must fail to decode, and
 * whatever the failed decode allocated must be releasable by xdr_free.
 */
#define ASSERT_TRUNCATION_FAILS(T, in)                                     \
	do {                                                               \
		u_int n_;                                                  \
		ENCODE_INTO(T, (in), wire, WIRE_SIZE, &n_);                \
		for (u_int k_ = 0; k_ < n_; k_++) {                        \
			T o_;                                              \
			XDR x_;                                            \
			memset(&o_, 0, sizeof(o_));                        \
			xdrmem_create(&x_, wire, k_, XDR_DECODE);          \
			if (xdr_##T(&x_, &o_))                             \
				fail_msg(#T ": prefix %u of %u decoded",   \
					 k_, n_);                          \
			xdr_destroy(&x_);                                  \
			XFREE(T, &o_);                                     \
		}                                                          \
	} while (0)

/* Fill and compare helpers for the counted {len,val} shapes rpcgen
 * produces (xdr_util.c). The filled values point into the caller's
 * storage. */
utf8string str(const char *s);
void check_str(const utf8string *u, const char *s);
bitmap4 bm(uint32_t *words, u_int n);
void check_bm(const bitmap4 *b, const uint32_t *words, u_int n);
nfs_fh4 fh(const char *bytes, u_int n);
void check_fh(const nfs_fh4 *f, const char *bytes, u_int n);
stateid4 sid(uint32_t seq, char fill);
void check_sid(const stateid4 *a, const stateid4 *b);
void check_cinfo(const change_info4 *a, const change_info4 *b);
void check_fattr(const fattr4 *a, const fattr4 *b);
fattr4 sample_fattr(void);

extern const char FH_A[12];
extern const char FH_B[9];
extern uint32_t attr_words[2];
extern char attr_vals[12];

#endif
