/*
 * tests/unit/test_rpcrdma_util.c — see test_rpcrdma_util.h.
 */
#include "test_rpcrdma_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rpcrdma_decode.h"

void m_u32(struct msg *m, uint32_t v)
{
	assert_true(m->len + 4 <= sizeof(m->b));
	m->b[m->len] = (uint8_t)(v >> 24);
	m->b[m->len + 1] = (uint8_t)(v >> 16);
	m->b[m->len + 2] = (uint8_t)(v >> 8);
	m->b[m->len + 3] = (uint8_t)v;
	m->len += 4;
}

void m_u64(struct msg *m, uint64_t v)
{
	m_u32(m, (uint32_t)(v >> 32));
	m_u32(m, (uint32_t)v);
}

void m_seg(struct msg *m, uint32_t handle, uint32_t length, uint64_t off)
{
	m_u32(m, handle);
	m_u32(m, length);
	m_u64(m, off);
}

void m_fixed(struct msg *m, uint32_t xid, uint32_t vers, uint32_t proc)
{
	m_u32(m, xid);
	m_u32(m, vers);
	m_u32(m, 128); /* credits asked for */
	m_u32(m, proc);
}

void m_zeros(struct msg *m, unsigned n)
{
	while (n--)
		m_u32(m, 0);
}

void m_chunk1(struct msg *m, uint32_t handle, uint32_t length, uint64_t off)
{
	m_u32(m, 1);
	m_u32(m, 1);
	m_seg(m, handle, length, off);
}

void m_reset(struct msg *m, uint32_t proc)
{
	m->len = 0;
	m_fixed(m, XID, 1, proc);
}

void m_read(struct msg *m, uint32_t pos, uint32_t handle, uint32_t length)
{
	m_u32(m, 1);
	m_u32(m, pos);
	m_seg(m, handle, length, 0x1000u * handle);
}

void m_rpc(struct msg *m, uint32_t xid, size_t n)
{
	assert_true(n >= 8 && n % 4 == 0);
	m_u32(m, xid);
	m_u32(m, 0); /* CALL */
	for (size_t i = 8; i < n; i += 4)
		m_u32(m, (uint32_t)i);
}

enum rpcrdma_status dec_n(const struct msg *m, size_t len,
			  const struct rpcrdma_limits *lim,
			  struct rpcrdma_hdr *h)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum rpcrdma_status st;

	assert_non_null(copy);
	memcpy(copy, m->b, len);
	st = rpcrdma_decode(copy, len, lim, h);
	free(copy);
	return st;
}

enum rpcrdma_status dec(const struct msg *m, const struct rpcrdma_limits *lim,
			struct rpcrdma_hdr *h)
{
	return dec_n(m, m->len, lim, h);
}

uint32_t word(const uint8_t *buf, size_t i)
{
	const uint8_t *b = buf + 4 * i;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

struct rpcrdma_limits lim_default(void)
{
	struct rpcrdma_limits lim;

	rpcrdma_limits_default(&lim);
	return lim;
}
