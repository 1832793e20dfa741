/*
 * tools/strata-bench/lane.h -- a lane: one caller of the benchmark, run by
 * one thread at a time.  It has one call in flight at most, so on every
 * server it uses slot LANE->id of the session and connection
 * id % nconns; its xids carry the id in their low 8 bits (rpc_conn.h).
 *
 * A lane owns its buffers, its COMPOUND scratch, its latency histogram
 * and its last error message.  Nothing in it is shared: the thread that
 * runs the lane is the only one that touches it until it is joined.
 */
#ifndef STRATA_BENCH_LANE_H
#define STRATA_BENCH_LANE_H

#include <stddef.h>
#include <stdint.h>

#include "compound.h"
#include "hist.h"
#include "ops.h"
#include "rpc_conn.h"

struct lane {
	uint32_t id;
	uint32_t xid_seq;
	struct rpc_call call;    /* receive buffer: the reply record */
	uint8_t *sbuf;           /* send buffer: one call record */
	size_t scap;
	uint8_t *pbuf;           /* pattern scratch for WRITE payloads */
	size_t pcap;
	struct cpd cpd;
	struct cres res;
	struct open_owner owner; /* this lane's open-owner (MDS clientid) */
	struct hist hist;
	uint64_t rng;            /* xorshift64 state, never 0 */
	char err[512];           /* message of the last failure */
};

/* MSG_CAP: the largest call or reply record; IO: largest payload. */
int lane_init(struct lane *l, uint32_t id, size_t msg_cap, size_t io);
void lane_destroy(struct lane *l);

uint32_t lane_next_xid(struct lane *l);
uint64_t lane_rand(struct lane *l);
/* Set L->err (printf style); returns -1 for "return lane_fail(...)". */
int lane_fail(struct lane *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
