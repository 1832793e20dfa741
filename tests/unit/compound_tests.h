/*
 * tests/unit/compound_tests.h -- what the in-process COMPOUND tests
 * (test_compound.c, test_compound_ns.c) share: one server for the whole
 * cmocka group (group_setup/group_teardown start and stop it; g_srv is it),
 * CALL and EXPECT macros that fail the running test on an undecodable
 * reply or a wrong status, and a few COMPOUND builders. Single-threaded,
 * like the harness (compound_harness.h); include after <cmocka.h>.
 */
#ifndef STRATA_TESTS_COMPOUND_TESTS_H
#define STRATA_TESTS_COMPOUND_TESTS_H

#include <stddef.h>
#include <stdint.h>

#include "compound_harness.h"
#include "test_util_ch.h"

/* Built with ASan (+UBSan: the project enables both together)? */
#if defined(__SANITIZE_ADDRESS__)
#define STRATA_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRATA_SANITIZED 1
#endif
#endif
#ifndef STRATA_SANITIZED
#define STRATA_SANITIZED 0
#endif
#define NOPS(...) (sizeof((nfs_argop4[]){ __VA_ARGS__ }) / sizeof(nfs_argop4))
/* Run the ops (minor version 1); evaluates to the COMPOUND status. */
#define CALL(cl, ...)                                                        \
	call_ops((cl), 1, (nfs_argop4[]){ __VA_ARGS__ }, NOPS(__VA_ARGS__))
#define CALLV(cl, minor, ...)                                                \
	call_ops((cl), (minor), (nfs_argop4[]){ __VA_ARGS__ },               \
		 NOPS(__VA_ARGS__))
/* Like CALL, but an undecodable reply gives -1 instead of failing. */
#define CALL_RAW_OPS(cl, ...)                                                \
	ch_call((cl), 1, (nfs_argop4[]){ __VA_ARGS__ }, NOPS(__VA_ARGS__))
/* Op I of the last reply has status WANT. */
#define EXPECT_OP(cl, i, want) expect_status((cl), (i), (want), __FILE__, __LINE__)
/* The last reply has N results and COMPOUND status WANT. */
#define EXPECT_RES(cl, n, want)                                              \
	do {                                                                 \
		assert_int_equal((cl)->res.status, (want));                  \
		assert_int_equal(ch_nres(cl), (n));                          \
	} while (0)

/* The server of the group (started by group_setup). */
extern struct strata_server *g_srv;
/* A stateid of all zeros (RFC 8881 §8.2.3, the anonymous stateid). */
extern const stateid4 anon_sid;

int group_setup(void **state);
int group_teardown(void **state);
/* Run N ops at minor version MINOR: the COMPOUND status (fails the test
 * when the reply cannot be decoded). Use CALL/CALLV. */
int call_ops(struct ch_client *cl, uint32_t minor, nfs_argop4 *ops,
	     unsigned n);
void expect_status(const struct ch_client *cl, unsigned i, int want,
		   const char *file, int line);
/* A client of g_srv; with OWNER, its EXCHANGE_ID and CREATE_SESSION done.
 * Release with tu_free_client(). */
struct ch_client *new_client(const char *owner);
/* The lock stateid of result I (a LOCK). */
stateid4 lock_sid(struct ch_client *cl, unsigned i);
/* OPEN (create) NAME in the root as OWNER; returns the OPEN status and
 * fills *sid and *fh on success. */
int open_file(struct ch_client *cl, const char *owner, const char *name,
	      int create, uint32_t access, uint32_t deny, stateid4 *sid,
	      struct fh *fh);
/* Encode OPS, then append raw big-endian WORDS as EXTRA more ops' worth
 * of bytes, patching the op count to N + EXTRA. */
size_t encode_with_tail(uint8_t *buf, size_t cap, nfs_argop4 *ops,
			unsigned n, const uint32_t *words, unsigned nwords,
			unsigned extra);

#endif
