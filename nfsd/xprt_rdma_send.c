/*
 * nfsd/xprt_rdma_send.c — the RDMA transport's send path: reply slots,
 * calls waiting for replies (by xid), and one reply = its RDMA Writes then
 * its Send on the call's QP (RFC 8166 §3.5; RC ordering makes the Writes
 * visible before the Send). Structures in xprt_rdma_int.h.
 */
#include "xprt_rdma_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "rpc.h"
#include "rpcrdma_encode.h"
#include "xprt_tcp.h" /* XPRT_SEND_TIMEOUT_S: the same bound as TCP */

int rdma_slots_init(struct rdma_conn *c)
{
	c->slots = calloc(c->nslots, sizeof(*c->slots));
	if (!c->slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->nslots; i++) {
		struct rdma_slot *s = &c->slots[i];

		s->sbuf = c->send_bufs + (size_t)i * RDMA_INLINE_SIZE;
		s->stage = c->stage_bufs + (size_t)i * c->stage_size;
		s->next_free = c->free_slots;
		c->free_slots = s;
	}
	return 0;
}

static void deadline_in(struct timespec *ts, int secs)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += secs;
}

/* A free slot, or NULL when the connection died or none came free within
 * XPRT_SEND_TIMEOUT_S (the peer stopped completing our Sends). */
static struct rdma_slot *slot_get(struct rdma_conn *c)
{
	struct timespec until;
	struct rdma_slot *s = NULL;

	deadline_in(&until, XPRT_SEND_TIMEOUT_S);
	pthread_mutex_lock(&c->lock);
	while (!c->free_slots && !atomic_load(&c->base.dead))
		if (pthread_cond_timedwait(&c->cond, &c->lock, &until) ==
		    ETIMEDOUT)
			break;
	if (c->free_slots && !atomic_load(&c->base.dead)) {
		s = c->free_slots;
		c->free_slots = s->next_free;
	}
	pthread_mutex_unlock(&c->lock);
	return s;
}

static void slot_put(struct rdma_conn *c, struct rdma_slot *s)
{
	pthread_mutex_lock(&c->lock);
	s->next_free = c->free_slots;
	c->free_slots = s;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

void rdma_pending_add(struct rdma_conn *c, const struct rpcrdma_hdr *h)
{
	pthread_mutex_lock(&c->lock);
	rdma_pending_put(c->pend, c->npend, &c->pend_seq, h);
	pthread_mutex_unlock(&c->lock);
}

/* Takes the call XID is the reply to into *h. 0, or -ENOENT. */
static int pending_take(struct rdma_conn *c, uint32_t xid,
			struct rpcrdma_hdr *h)
{
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = rdma_pending_take(c->pend, c->npend, xid, h);
	pthread_mutex_unlock(&c->lock);
	return rc < 0 ? -ENOENT : 0;
}

static uint64_t wr_id(enum rdma_wr_kind k, uint32_t idx)
{
	return (uint64_t)k << 32 | idx;
}

/* Posts the chain (n WRs) once the send queue has room for it. */
static int post_chain(struct rdma_conn *c, struct ibv_send_wr *first,
		      uint32_t n)
{
	struct ibv_send_wr *bad = NULL;
	struct timespec until;
	int rc = 0;

	deadline_in(&until, XPRT_SEND_TIMEOUT_S);
	pthread_mutex_lock(&c->lock);
	while (c->sq_out + n > c->sq_depth && !atomic_load(&c->base.dead))
		if (pthread_cond_timedwait(&c->cond, &c->lock, &until) ==
		    ETIMEDOUT)
			break;
	if (atomic_load(&c->base.dead) || c->sq_out + n > c->sq_depth)
		rc = -EPIPE;
	else if ((rc = ibv_post_send(c->id->qp, first, &bad)) != 0)
		rc = -rc;
	else
		c->sq_out += n;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* The RDMA Writes of s->plan, then the Send of send_len bytes of s->sbuf;
 * every WR signaled (the send-completion thread counts them). */
static int post_reply(struct rdma_conn *c, struct rdma_slot *s,
		      size_t send_len)
{
	const struct rpcrdma_plan *p = &s->plan;
	struct ibv_send_wr wr[RPCRDMA_OP_CAP + 1];
	struct ibv_sge sge[RPCRDMA_OP_CAP + 1];
	uint32_t idx = (uint32_t)(s - c->slots), n = 0;

	memset(wr, 0, sizeof(wr[0]) * (p->nops + 1));
	for (uint32_t i = 0; i < p->nops; i++, n++) {
		sge[n] = (struct ibv_sge){ (uintptr_t)(s->stage + p->ops[i].src),
					   p->ops[i].len, c->stage_mr->lkey };
		wr[n].wr_id = wr_id(WR_WRITE, idx);
		wr[n].sg_list = &sge[n];
		wr[n].num_sge = 1;
		wr[n].opcode = IBV_WR_RDMA_WRITE;
		wr[n].send_flags = IBV_SEND_SIGNALED;
		wr[n].wr.rdma.remote_addr = p->ops[i].remote;
		wr[n].wr.rdma.rkey = p->ops[i].handle;
		wr[n].next = &wr[n + 1];
	}
	sge[n] = (struct ibv_sge){ (uintptr_t)s->sbuf, (uint32_t)send_len,
				   c->send_mr->lkey };
	wr[n].wr_id = wr_id(WR_SEND, idx);
	wr[n].sg_list = &sge[n];
	wr[n].num_sge = 1;
	/* A plain Send is always correct (RFC 8166 §3.4.3 leaves remote
	 * invalidation optional; shared/rpc-rdma-linux-client.md §4). */
	wr[n].opcode = IBV_WR_SEND;
	wr[n].send_flags = IBV_SEND_SIGNALED;
	wr[n].next = NULL;
	return post_chain(c, wr, n + 1);
}

static size_t flatten(uint8_t *dst, const struct iovec *iov, int iovcnt)
{
	size_t at = 0;

	for (int i = 0; i < iovcnt; i++) {
		memcpy(dst + at, iov[i].iov_base, iov[i].iov_len);
		at += iov[i].iov_len;
	}
	return at;
}

static uint32_t be32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

/* A server-to-client call (RFC 8167): RDMA_MSG, no chunks, inline. */
static int send_bc_call(struct rdma_conn *c, struct rdma_slot *s, size_t len)
{
	size_t hlen = 0;
	int rc;

	if (rpcrdma_encode_bc_call(s->sbuf, RDMA_INLINE_SIZE, &c->lim,
				   be32_at(s->stage), c->grant, len,
				   &hlen) != RPCRDMA_OK)
		return -EMSGSIZE;
	memcpy(s->sbuf + hlen, s->stage, len);
	s->plan.nops = 0;
	rc = post_reply(c, s, hlen + len);
	if (rc == 0)
		RDMA_COUNT(c, bc_calls, 1);
	return rc;
}

/* The reply's READ data, for the Write chunks (RFC 8267 §5). */
static uint32_t find_payloads(struct rdma_conn *c, struct rdma_slot *s,
			      size_t len, struct rpcrdma_payload *pl)
{
	struct xprt_payload xp[RPCRDMA_PAYLOAD_CAP];
	unsigned n;

	if (s->call.nwrite == 0 || !c->l->p.payload)
		return 0;
	n = c->l->p.payload(s->stage, len, xp, RPCRDMA_PAYLOAD_CAP);
	for (unsigned i = 0; i < n; i++)
		pl[i] = (struct rpcrdma_payload){ xp[i].off, xp[i].len };
	return n;
}

/* The counters of one reply posted: bytes RDMA-written to the Reply
 * chunk (the body, RDMA_NOMSG) and to the Write chunks (the rest). */
static void count_reply(struct rdma_conn *c, const struct rpcrdma_plan *p)
{
	uint64_t all = 0, reply = 0;

	for (uint32_t i = 0; i < p->nops; i++)
		all += p->ops[i].len;
	if (p->kind == RPCRDMA_PLAN_REPLY_CHUNK)
		reply = p->body_len < all ? p->body_len : all;
	else if (p->kind == RPCRDMA_PLAN_ERROR)
		RDMA_COUNT(c, errors, 1);
	RDMA_COUNT(c, reply_bytes, reply);
	RDMA_COUNT(c, write_bytes, all - reply);
}

static int send_reply(struct rdma_conn *c, struct rdma_slot *s, size_t len)
{
	struct rpcrdma_payload pl[RPCRDMA_PAYLOAD_CAP];
	uint32_t npl;
	size_t hlen = 0, at;
	int rc;

	if (pending_take(c, be32_at(s->stage), &s->call) < 0) {
		log_debug("rdma %s: reply xid %08x to no call here; dropped",
			  c->base.peer, be32_at(s->stage));
		return -ENOENT;
	}
	npl = find_payloads(c, s, len, pl);
	if (rpcrdma_plan_reply(&s->call, &c->lim, len, pl, npl, &s->plan) !=
		    RPCRDMA_OK &&
	    rpcrdma_plan_reply(&s->call, &c->lim, len, NULL, 0, &s->plan) !=
		    RPCRDMA_OK)
		return -EINVAL;
	if (s->plan.kind == RPCRDMA_PLAN_ERROR)
		log_warn("rdma %s: reply of %zu bytes fits no chunk offered; "
			 "ERR_CHUNK (RFC 8166 §4.5.3)", c->base.peer, len);
	if (rpcrdma_encode_reply(s->sbuf, RDMA_INLINE_SIZE, &s->call, &s->plan,
				 c->grant, &hlen) != RPCRDMA_OK)
		return -EMSGSIZE;
	at = hlen;
	if (s->plan.kind == RPCRDMA_PLAN_INLINE) {
		for (uint32_t i = 0; i < s->plan.nextents; i++) {
			const struct rpcrdma_extent *e = &s->plan.extents[i];

			memcpy(s->sbuf + at, s->stage + e->off, e->len);
			at += e->len;
		}
	}
	rc = post_reply(c, s, at);
	if (rc == 0)
		count_reply(c, &s->plan);
	return rc;
}

int rdma_send_msg(struct xprt_conn *xc, const struct iovec *iov, int iovcnt)
{
	struct rdma_conn *c = (struct rdma_conn *)xc;
	struct rdma_slot *s;
	size_t total = 0;
	int rc;

	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (total > c->stage_size || total < 8)
		return -EMSGSIZE;
	s = slot_get(c);
	if (!s) {
		rdma_conn_kill(c);
		return -EPIPE;
	}
	flatten(s->stage, iov, iovcnt);
	if (be32_at(s->stage + 4) == RPC_CALL)
		rc = send_bc_call(c, s, total);
	else
		rc = send_reply(c, s, total);
	if (rc < 0)
		slot_put(c, s);
	if (rc == -EPIPE)
		rdma_conn_kill(c);
	return rc == -ENOENT ? 0 : rc;
}

int rdma_send_error(struct rdma_conn *c, uint32_t xid, uint32_t err)
{
	struct rdma_slot *s = slot_get(c);
	size_t len = 0;
	int rc;

	if (!s)
		return -EPIPE;
	if (rpcrdma_encode_error(s->sbuf, RDMA_INLINE_SIZE, xid, c->grant,
				 err, &len) != RPCRDMA_OK) {
		slot_put(c, s);
		return -EINVAL;
	}
	s->plan.nops = 0;
	rc = post_reply(c, s, len);
	if (rc < 0)
		slot_put(c, s);
	else
		RDMA_COUNT(c, errors, 1);
	return rc;
}

void rdma_send_completion(struct rdma_conn *c, const struct ibv_wc *wc)
{
	enum rdma_wr_kind k = (enum rdma_wr_kind)(wc->wr_id >> 32);
	uint32_t idx = (uint32_t)wc->wr_id;

	if (wc->status != IBV_WC_SUCCESS) {
		if (wc->status != IBV_WC_WR_FLUSH_ERR)
			log_warn("rdma %s: %s completion failed: %s",
				 c->base.peer,
				 k == WR_READ ? "RDMA Read" :
				 k == WR_WRITE ? "RDMA Write" : "Send",
				 ibv_wc_status_str(wc->status));
		rdma_conn_kill(c);
	}
	pthread_mutex_lock(&c->lock);
	if (c->sq_out > 0)
		c->sq_out--;
	if (k == WR_READ) {
		if (c->reads_left > 0)
			c->reads_left--;
		if (wc->status != IBV_WC_SUCCESS)
			c->read_err = 1;
	}
	if (k == WR_SEND && idx < c->nslots) {
		struct rdma_slot *s = &c->slots[idx];

		s->next_free = c->free_slots;
		c->free_slots = s;
	}
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}
