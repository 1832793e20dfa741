/*
 * nfsd/rdma/rpcrdma_credits.c — the credit grant. Contract in
 * rpcrdma_credits.h.
 */
#include "rpcrdma_credits.h"

uint32_t rpcrdma_credits_grant(uint32_t target, uint32_t recv_reserved)
{
	uint32_t g = target < recv_reserved ? target : recv_reserved;

	return g ? g : 1;
}

uint32_t rpcrdma_credits_recvs_needed(uint32_t grant, uint32_t bc_replies,
				      uint32_t slack)
{
	uint64_t n = (uint64_t)grant + bc_replies + slack;

	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}
