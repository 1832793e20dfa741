/*
 * tests/unit/test_rpcrdma_util.h — helpers shared by the RPC-over-RDMA
 * codec tests (test_rpcrdma.c, test_rpcrdma_plan.c): a word-by-word
 * message builder, a reader for encoded replies, and a decode that runs
 * on an exact-size heap copy so the ASan build catches any read past the
 * message.
 */
#ifndef STRATA_TEST_RPCRDMA_UTIL_H
#define STRATA_TEST_RPCRDMA_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "rpcrdma.h"

struct msg {
	uint8_t b[8192];
	size_t len;
};

void m_u32(struct msg *m, uint32_t v);
void m_u64(struct msg *m, uint64_t v);
void m_seg(struct msg *m, uint32_t handle, uint32_t length, uint64_t off);
/* xid, vers, credits, proc */
void m_fixed(struct msg *m, uint32_t xid, uint32_t vers, uint32_t proc);
/* n zero words: empty lists, list ends, an absent reply chunk. */
void m_zeros(struct msg *m, unsigned n);
/* A write-list entry or a present reply chunk of one segment: 1, 1, seg. */
void m_chunk1(struct msg *m, uint32_t handle, uint32_t length, uint64_t off);
/* Empty m, then m_fixed(m, XID, 1, proc). */
void m_reset(struct msg *m, uint32_t proc);
/* A read-list entry: 1, position, segment. */
void m_read(struct msg *m, uint32_t pos, uint32_t handle, uint32_t length);
/* An RPC message of n bytes (n >= 8, a multiple of 4): xid, CALL, then
 * counting words. */
void m_rpc(struct msg *m, uint32_t xid, size_t n);

/* rpcrdma_decode() of the first len bytes of m, on a heap copy. */
enum rpcrdma_status dec_n(const struct msg *m, size_t len,
			  const struct rpcrdma_limits *lim,
			  struct rpcrdma_hdr *h);
enum rpcrdma_status dec(const struct msg *m, const struct rpcrdma_limits *lim,
			struct rpcrdma_hdr *h);

/* Big-endian word i of buf. */
uint32_t word(const uint8_t *buf, size_t i);

/* Default limits (rpcrdma_limits_default). */
struct rpcrdma_limits lim_default(void);

#define XID 0x11223344u

#endif
