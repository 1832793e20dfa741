/*
 * nfsd/rdma/rpcrdma_credits.h — the credit grant a reply carries
 * (RFC 8166 §3.3.1, §4.2.3).
 *
 * In a call, credits is what the requester asks for; in a reply it is the
 * most calls the requester may have outstanding on this connection. The
 * responder must have a Receive posted for every call it allows.
 *
 * Contract of rpcrdma_credits_grant():
 *   - never 0: a grant of 0 would stop the client (the Linux client turns
 *     it into 1, which serialises the connection);
 *   - never more than recv_reserved, the Receives this connection's
 *     forechannel always has posted (its share of the queue, re-posted
 *     before each reply is sent; not a momentary count); the rule above
 *     wins when recv_reserved is 0 (grant 1), which a transport that
 *     posts its Receives before it accepts never asks;
 *   - steady: the same target and recv_reserved give the same grant on
 *     every reply, whatever the client asks. The Linux client asks for
 *     its slot count (128 by default) on every call and clamps a larger
 *     grant to it itself, so the request is not an input.
 * Pure; any thread.
 */
#ifndef STRATA_NFSD_RDMA_RPCRDMA_CREDITS_H
#define STRATA_NFSD_RDMA_RPCRDMA_CREDITS_H

#include <stdint.h>

#define RPCRDMA_CREDITS_DEFAULT 128u /* Linux RPCRDMA_DEF_SLOT_TABLE */

/* The grant: min(target, recv_reserved), at least 1. */
uint32_t rpcrdma_credits_grant(uint32_t target, uint32_t recv_reserved);

/* Receives to post on a connection granting `grant` credits and taking
 * `bc_replies` backchannel replies (the Linux client's 16 slots), plus
 * `slack` for the Receives being re-posted; saturates at UINT32_MAX. */
uint32_t rpcrdma_credits_recvs_needed(uint32_t grant, uint32_t bc_replies,
				      uint32_t slack);

#endif
