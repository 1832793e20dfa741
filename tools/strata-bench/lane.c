/*
 * tools/strata-bench/lane.c -- per-caller state.  See lane.h.
 */
#include "lane.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lane_init(struct lane *l, uint32_t id, size_t msg_cap, size_t io)
{
	memset(l, 0, sizeof(*l));
	l->id = id;
	l->rng = 0x9E3779B97F4A7C15ull * (id + 1);
	if (rpc_call_init(&l->call, msg_cap) < 0)
		return -ENOMEM;
	l->sbuf = malloc(msg_cap);
	l->pbuf = malloc(io);
	if (!l->sbuf || !l->pbuf) {
		lane_destroy(l);
		return -ENOMEM;
	}
	l->scap = msg_cap;
	l->pcap = io;
	return 0;
}

void lane_destroy(struct lane *l)
{
	cres_free(&l->res);
	rpc_call_destroy(&l->call);
	free(l->sbuf);
	free(l->pbuf);
	l->sbuf = l->pbuf = NULL;
}

uint32_t lane_next_xid(struct lane *l)
{
	l->xid_seq++;
	return (l->xid_seq << 8) | (l->id & 0xff);
}

uint64_t lane_rand(struct lane *l)
{
	uint64_t x = l->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	l->rng = x;
	return x;
}

int lane_fail(struct lane *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->err, sizeof(l->err), fmt, ap);
	va_end(ap);
	return -1;
}
