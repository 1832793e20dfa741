/*
 * nfsd/rdma/rpcrdma_cm.c — RFC 8797 private data. Contract in
 * rpcrdma_cm.h.
 */
#include "rpcrdma_cm.h"

static uint8_t size_code(uint32_t bytes)
{
	if (bytes < RPCRDMA_CM_SIZE_MIN)
		bytes = RPCRDMA_CM_SIZE_MIN;
	if (bytes > RPCRDMA_CM_SIZE_MAX)
		bytes = RPCRDMA_CM_SIZE_MAX;
	return (uint8_t)((bytes >> 10) - 1);
}

static uint32_t size_bytes(uint8_t code)
{
	return ((uint32_t)code + 1) << 10;
}

size_t rpcrdma_cm_encode(uint8_t *buf, size_t cap, const struct rpcrdma_cm_pd *pd)
{
	if (cap < RPCRDMA_CM_LEN)
		return 0;
	buf[0] = (uint8_t)(RPCRDMA_CM_MAGIC >> 24);
	buf[1] = (uint8_t)(RPCRDMA_CM_MAGIC >> 16);
	buf[2] = (uint8_t)(RPCRDMA_CM_MAGIC >> 8);
	buf[3] = (uint8_t)RPCRDMA_CM_MAGIC;
	buf[4] = RPCRDMA_CM_VERSION;
	buf[5] = pd->remote_inv ? RPCRDMA_CM_FLAG_REMOTE_INV : 0;
	buf[6] = size_code(pd->send_size);
	buf[7] = size_code(pd->recv_size);
	return RPCRDMA_CM_LEN;
}

void rpcrdma_cm_decode(const uint8_t *buf, size_t len,
		       struct rpcrdma_cm_pd *pd)
{
	uint32_t magic;

	*pd = (struct rpcrdma_cm_pd){
		.send_size = RPCRDMA_INLINE_MIN,
		.recv_size = RPCRDMA_INLINE_MIN,
	};
	if (buf == NULL || len < RPCRDMA_CM_LEN)
		return;
	magic = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
		(uint32_t)buf[2] << 8 | buf[3];
	if (magic != RPCRDMA_CM_MAGIC || buf[4] != RPCRDMA_CM_VERSION)
		return;
	pd->present = true;
	/* Flag bits this version does not define are ignored. */
	pd->remote_inv = (buf[5] & RPCRDMA_CM_FLAG_REMOTE_INV) != 0;
	pd->send_size = size_bytes(buf[6]);
	pd->recv_size = size_bytes(buf[7]);
}

void rpcrdma_cm_apply(const struct rpcrdma_cm_pd *peer, uint32_t our_send,
		      uint32_t our_recv, struct rpcrdma_limits *lim)
{
	lim->max_inline_recv = our_recv;
	lim->max_inline_send =
		our_send < peer->recv_size ? our_send : peer->recv_size;
}
