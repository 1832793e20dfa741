/*
 * nfsd/xprt_rdma_conn.c — one RPC-over-RDMA connection: its device
 * resources (PD, CQs, QP, registered buffers), its receive thread (decode
 * each Receive with the codec, pull Read chunks with RDMA Read, deliver
 * the rebuilt RPC message) and its send-completion thread. Structures in
 * xprt_rdma_int.h; contract in xprt_rdma.h.
 */
#include "xprt_rdma_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "rpc.h"
#include "rpcrdma_cm.h"
#include "rpcrdma_credits.h"
#include "rpcrdma_decode.h"

#define READ_TIMEOUT_S 30 /* RDMA Reads of one call (the client's RPC
			   * timeout on RDMA is 60 s) */

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

void rdma_chan_put(struct rdma_chan *ch)
{
	if (atomic_fetch_sub(&ch->refs, 1) == 1) {
		rdma_destroy_event_channel(ch->ch);
		free(ch);
	}
}

void rdma_conn_kill(struct rdma_conn *c)
{
	atomic_store(&c->base.dead, true);
	if (!atomic_exchange(&c->disconnecting, true))
		rdma_disconnect(c->id); /* the QP goes to error: WRs flush */
	pthread_mutex_lock(&c->lock);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Sizes from the device, the peer's RFC 8797 data and the parameters. */
static int size_conn(struct rdma_conn *c, const struct rdma_cm_event *ev,
		     const struct ibv_device_attr *da)
{
	const struct xprt_rdma_params *p = &c->l->p;
	struct rpcrdma_cm_pd peer;

	rpcrdma_cm_decode(ev->param.conn.private_data,
			  ev->param.conn.private_data_len, &peer);
	rpcrdma_limits_default(&c->lim);
	/* We receive at most our buffer, send at most the peer's (§3.3.2). */
	rpcrdma_cm_apply(&peer, RDMA_INLINE_SIZE, RDMA_INLINE_SIZE, &c->lim);
	c->stage_size = p->max_msg + RDMA_INLINE_SIZE;
	c->lim.max_seg_bytes = (uint32_t)c->stage_size;
	c->lim.max_chunk_bytes = c->stage_size;
	c->lim.max_total_bytes = c->stage_size;
	c->nslots = p->reply_slots;
	c->grant = rpcrdma_credits_grant(p->credits, p->credits);
	c->nrecv = rpcrdma_credits_recvs_needed(c->grant, RDMA_BC_SLOTS,
						RDMA_RECV_SLACK);
	c->sq_depth = c->nslots * (RPCRDMA_OP_CAP + 1) + RPCRDMA_SEG_CAP;
	if (c->nrecv > (uint32_t)da->max_qp_wr ||
	    c->sq_depth > (uint32_t)da->max_qp_wr ||
	    c->nrecv > (uint32_t)da->max_cqe ||
	    c->sq_depth > (uint32_t)da->max_cqe) {
		log_err("rdma %s: device queues too small (max_qp_wr %d, "
			"max_cqe %d)", c->base.peer, da->max_qp_wr,
			da->max_cqe);
		return -ENOSPC;
	}
	/* Our RDMA Reads in flight: what the client will answer (its
	 * responder resources, seen here as our initiator depth) and what
	 * the device can issue (pitfall 15 of the client notes). */
	c->ord = min_u32(ev->param.conn.initiator_depth,
			 (uint32_t)da->max_qp_init_rd_atom);
	if (c->ord == 0)
		c->ord = 1;
	return rpcrdma_limits_check(&c->lim) == RPCRDMA_OK ? 0 : -EINVAL;
}

static uint8_t *alloc_reg(struct rdma_conn *c, size_t len,
			  struct ibv_mr **mr)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, len) != 0)
		return NULL;
	memset(p, 0, len);
	/* We only initiate: local access (Receives, RDMA Read targets). */
	*mr = ibv_reg_mr(c->pd, p, len, IBV_ACCESS_LOCAL_WRITE);
	if (!*mr) {
		log_err("rdma %s: ibv_reg_mr of %zu bytes: %s (RLIMIT_MEMLOCK?)",
			c->base.peer, len, strerror(errno));
		free(p);
		return NULL;
	}
	return p;
}

static int make_buffers(struct rdma_conn *c)
{
	c->recv_bufs = alloc_reg(c, (size_t)c->nrecv * RDMA_INLINE_SIZE,
				 &c->recv_mr);
	c->send_bufs = alloc_reg(c, (size_t)c->nslots * RDMA_INLINE_SIZE,
				 &c->send_mr);
	c->stage_bufs = alloc_reg(c, (size_t)c->nslots * c->stage_size,
				  &c->stage_mr);
	c->read_buf = alloc_reg(c, c->stage_size, &c->read_mr);
	/* Optional: without them every call is copied once (rebuild). */
	c->msg_bufs = alloc_reg(c, (size_t)RDMA_MSG_BUFS * c->stage_size,
				&c->msg_mr);
	c->nmsg = c->msg_bufs ? RDMA_MSG_BUFS : 0;
	atomic_store(&c->msg_free_mask, (1u << c->nmsg) - 1);
	c->npend = 2 * c->nrecv;
	c->pend = calloc(c->npend, sizeof(*c->pend));
	c->rh = malloc(sizeof(*c->rh));
	if (!c->recv_bufs || !c->send_bufs || !c->stage_bufs ||
	    !c->read_buf || !c->pend || !c->rh)
		return -ENOMEM;
	return rdma_slots_init(c);
}

static int make_cq(struct rdma_conn *c, struct ibv_comp_channel **ch,
		   struct ibv_cq **cq, uint32_t depth)
{
	*ch = ibv_create_comp_channel(c->id->verbs);
	if (!*ch)
		return -errno;
	fcntl((*ch)->fd, F_SETFL, fcntl((*ch)->fd, F_GETFL) | O_NONBLOCK);
	*cq = ibv_create_cq(c->id->verbs, (int)depth, c, *ch, 0);
	if (!*cq)
		return -errno;
	return ibv_req_notify_cq(*cq, 0) ? -EIO : 0;
}

static int post_recv(struct rdma_conn *c, uint32_t i)
{
	struct ibv_sge sge = { (uintptr_t)(c->recv_bufs +
					   (size_t)i * RDMA_INLINE_SIZE),
			       RDMA_INLINE_SIZE, c->recv_mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = (uint64_t)WR_RECV << 32 | i,
				  .sg_list = &sge, .num_sge = 1 };
	struct ibv_recv_wr *bad = NULL;

	return ibv_post_recv(c->id->qp, &wr, &bad) ? -EIO : 0;
}

int rdma_conn_setup(struct rdma_conn *c, const struct rdma_cm_event *ev)
{
	struct ibv_device_attr da;
	struct ibv_qp_init_attr qa;
	int rc;

	if (ibv_query_device(c->id->verbs, &da))
		return -EIO;
	rc = size_conn(c, ev, &da);
	if (rc < 0)
		return rc;
	c->pd = ibv_alloc_pd(c->id->verbs);
	if (!c->pd)
		return -ENOMEM;
	rc = make_buffers(c);
	if (rc == 0)
		rc = make_cq(c, &c->rch, &c->rcq, c->nrecv);
	if (rc == 0)
		rc = make_cq(c, &c->sch, &c->scq, c->sq_depth);
	if (rc < 0)
		return rc;
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = c->scq;
	qa.recv_cq = c->rcq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = c->sq_depth;
	qa.cap.max_recv_wr = c->nrecv;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	if (rdma_create_qp(c->id, c->pd, &qa))
		return -errno;
	/* Every Receive before the accept (RFC 8166 §3.3.1: a credit is a
	 * Receive posted). */
	for (uint32_t i = 0; i < c->nrecv; i++)
		if (post_recv(c, i) < 0)
			return -EIO;
	return 0;
}

void rdma_conn_free_resources(struct rdma_conn *c)
{
	if (c->id && c->id->qp)
		rdma_destroy_qp(c->id);
	if (c->rcq)
		ibv_destroy_cq(c->rcq);
	if (c->scq)
		ibv_destroy_cq(c->scq);
	if (c->rch)
		ibv_destroy_comp_channel(c->rch);
	if (c->sch)
		ibv_destroy_comp_channel(c->sch);
	if (c->recv_mr)
		ibv_dereg_mr(c->recv_mr);
	if (c->send_mr)
		ibv_dereg_mr(c->send_mr);
	if (c->stage_mr)
		ibv_dereg_mr(c->stage_mr);
	if (c->read_mr)
		ibv_dereg_mr(c->read_mr);
	if (c->msg_mr)
		ibv_dereg_mr(c->msg_mr);
	if (c->pd)
		ibv_dealloc_pd(c->pd);
	free(c->recv_bufs);
	free(c->send_bufs);
	free(c->stage_bufs);
	free(c->read_buf);
	free(c->msg_bufs);
	free(c->slots);
	free(c->pend);
	free(c->rh);
	c->rcq = c->scq = NULL;
	c->rch = c->sch = NULL;
	c->recv_mr = c->send_mr = c->stage_mr = c->read_mr = c->msg_mr = NULL;
	c->msg_bufs = NULL;
	c->nmsg = 0;
	c->pd = NULL;
	c->recv_bufs = c->send_bufs = c->stage_bufs = c->read_buf = NULL;
	c->slots = NULL;
	c->pend = NULL;
	c->rh = NULL;
}

/* ---- receive path ---------------------------------------------------- */

/* Where each segment of H's Read chunks goes: one after another from
 * BASE, or (INPLACE) chunk k's at BASE + its position (RFC 8166 §3.4.5).
 * Returns the number of segments (from h->read[0].first on). */
static uint32_t read_targets(const struct rpcrdma_hdr *h, uint8_t *base,
			     int inplace, uint8_t **dst)
{
	uint32_t n = 0;
	size_t at = 0;

	for (uint32_t k = 0; k < h->nread; k++) {
		const struct rpcrdma_chunk *ch = &h->read[k];

		if (inplace)
			at = ch->position;
		for (uint32_t j = 0; j < ch->nsegs; j++) {
			dst[n++] = base + at;
			at += h->segs[ch->first + j].length;
		}
	}
	return n;
}

/* RDMA-Read every segment of the call's Read chunks into BASE (registered
 * in MR), laid out as read_targets() says, at most c->ord in flight; waits
 * for them. 0 or -errno. */
static int read_chunks(struct rdma_conn *c, const struct rpcrdma_hdr *h,
		       uint8_t *base, const struct ibv_mr *mr, int inplace)
{
	uint32_t first = h->read[0].first;
	uint8_t *dst[RPCRDMA_SEG_CAP];
	uint32_t nseg = read_targets(h, base, inplace, dst);
	size_t total = 0;

	for (uint32_t k = 0; k < nseg;) {
		uint32_t batch = min_u32(nseg - k, c->ord);
		struct ibv_send_wr wr[RPCRDMA_SEG_CAP];
		struct ibv_sge sge[RPCRDMA_SEG_CAP];
		struct ibv_send_wr *bad = NULL;
		struct timespec until;
		int rc = 0;

		memset(wr, 0, sizeof(wr[0]) * batch);
		for (uint32_t j = 0; j < batch; j++) {
			const struct rpcrdma_segment *s = &h->segs[first + k + j];

			sge[j] = (struct ibv_sge){ (uintptr_t)dst[k + j],
						   s->length, mr->lkey };
			total += s->length;
			wr[j].wr_id = (uint64_t)WR_READ << 32;
			wr[j].sg_list = &sge[j];
			wr[j].num_sge = 1;
			wr[j].opcode = IBV_WR_RDMA_READ;
			wr[j].send_flags = IBV_SEND_SIGNALED;
			wr[j].wr.rdma.remote_addr = s->offset;
			wr[j].wr.rdma.rkey = s->handle;
			wr[j].next = j + 1 < batch ? &wr[j + 1] : NULL;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += READ_TIMEOUT_S;
		pthread_mutex_lock(&c->lock);
		while (c->sq_out + batch > c->sq_depth &&
		       !atomic_load(&c->base.dead))
			if (pthread_cond_timedwait(&c->cond, &c->lock, &until))
				break;
		c->reads_left = batch;
		c->read_err = 0;
		if (atomic_load(&c->base.dead) ||
		    c->sq_out + batch > c->sq_depth ||
		    ibv_post_send(c->id->qp, wr, &bad))
			rc = -EPIPE;
		else
			c->sq_out += batch;
		while (rc == 0 && c->reads_left > 0 &&
		       !atomic_load(&c->base.dead))
			if (pthread_cond_timedwait(&c->cond, &c->lock, &until))
				rc = -ETIMEDOUT;
		if (rc == 0 && (c->read_err || c->reads_left > 0))
			rc = -EIO;
		pthread_mutex_unlock(&c->lock);
		if (rc < 0)
			return rc;
		k += batch;
	}
	RDMA_COUNT(c, read_bytes, total);
	if (inplace)
		RDMA_COUNT(c, read_inplace_bytes, total);
	return 0;
}

/* A free registered message buffer (its index), or -1. Receive thread. */
static int msg_buf_take(struct rdma_conn *c)
{
	unsigned m = atomic_load(&c->msg_free_mask);

	while (m) {
		unsigned i = (unsigned)__builtin_ctz(m);

		if (atomic_compare_exchange_weak(&c->msg_free_mask, &m,
						 m & ~(1u << i)))
			return (int)i;
	}
	return -1;
}

static void msg_buf_give(struct rdma_conn *c, unsigned i)
{
	atomic_fetch_or(&c->msg_free_mask, 1u << i);
}

void rdma_msg_free(struct xprt_conn *xc, uint8_t *msg)
{
	struct rdma_conn *c = (struct rdma_conn *)xc;
	size_t span = (size_t)c->nmsg * c->stage_size;

	if (msg && c->msg_bufs && msg >= c->msg_bufs &&
	    msg < c->msg_bufs + span) {
		msg_buf_give(c, (unsigned)((size_t)(msg - c->msg_bufs) /
					   c->stage_size));
		return;
	}
	free(msg);
}

/* The call of H with its Read chunks: RDMA-Read straight into a free
 * registered message buffer when it fits one (no CPU copy of the
 * payload), else into read_buf and copied into a malloc'd message.
 * The message (release: xprt_msg_free) and *mlen, or NULL with *err: -1
 * a bad chunk list (RDMA_ERROR), -2 the Reads failed (disconnect). */
static uint8_t *pull_call(struct rdma_conn *c, const struct rpcrdma_hdr *h,
			  const uint8_t *inl, size_t *mlen, int *err)
{
	int i = -1;
	uint8_t *m;

	*err = -1;
	if (h->nread > 0 && rdma_msg_inplace_ok(h, c->stage_size))
		i = msg_buf_take(c);
	if (i >= 0) {
		m = c->msg_bufs + (size_t)i * c->stage_size;
		if (read_chunks(c, h, m, c->msg_mr, 1) < 0) {
			msg_buf_give(c, (unsigned)i);
			*err = -2;
			return NULL;
		}
		if (rdma_msg_inplace(h, inl, m, mlen) == 0)
			return m;
		msg_buf_give(c, (unsigned)i);
		return NULL;
	}
	if (h->nread > 0 && read_chunks(c, h, c->read_buf, c->read_mr, 0) < 0) {
		*err = -2;
		return NULL;
	}
	return rdma_msg_rebuild(h, inl, c->read_buf, c->stage_size, mlen);
}

/* One Receive: decode, answer what the codec says (RFC 8166 §4.5),
 * deliver a call or a backchannel reply. Re-posts the Receive. */
static void on_recv(struct rdma_conn *c, uint32_t idx, uint32_t len)
{
	uint8_t *buf = c->recv_bufs + (size_t)idx * RDMA_INLINE_SIZE;
	struct rpcrdma_hdr *h = c->rh;
	enum rpcrdma_status st = rpcrdma_decode(buf, len, &c->lim, h);
	uint8_t *msg = NULL;
	size_t mlen = 0;
	int err = 0;

	switch (rpcrdma_action(st)) {
	case RPCRDMA_ACT_PROCESS:
		break;
	case RPCRDMA_ACT_DROP:
		post_recv(c, idx);
		return;
	case RPCRDMA_ACT_ERR_VERS:
	case RPCRDMA_ACT_ERR_CHUNK:
		log_warn("rdma %s: bad header (%s): RDMA_ERROR", c->base.peer,
			 rpcrdma_status_name(st));
		post_recv(c, idx);
		rdma_send_error(c, h->xid,
				rpcrdma_action(st) == RPCRDMA_ACT_ERR_VERS
					? ERR_VERS : ERR_CHUNK);
		return;
	default:
		log_warn("rdma %s: %s: disconnecting", c->base.peer,
			 rpcrdma_status_name(st));
		rdma_conn_kill(c);
		return;
	}
	msg = pull_call(c, h, buf + h->hdr_len, &mlen, &err);
	if (!msg && err == -2) {
		log_warn("rdma %s: RDMA Read of a Read chunk failed",
			 c->base.peer);
		rdma_conn_kill(c);
		return;
	}
	post_recv(c, idx);
	if (!msg) {
		rdma_send_error(c, h->xid, ERR_CHUNK);
		return;
	}
	/* A call gets a reply matched to its chunks by xid (xprt_rdma_send.c);
	 * a backchannel reply (RFC 8167) goes up as on TCP. */
	if (mlen >= 8 && msg[4] == 0 && msg[5] == 0 && msg[6] == 0 &&
	    msg[7] == RPC_CALL) {
		rdma_pending_add(c, h);
		RDMA_COUNT(c, calls, 1);
	}
	c->l->p.deliver(c->l->p.ctx, &c->base, msg, mlen);
}

/* Waits up to RDMA_POLL_MS for CH; drains CQ into fn. 0, or -1 when the
 * connection is dead and this thread should end. */
static int cq_round(struct rdma_conn *c, struct ibv_comp_channel *ch,
		    struct ibv_cq *cq, void (*fn)(struct rdma_conn *,
						  const struct ibv_wc *))
{
	struct pollfd pfd = { .fd = ch->fd, .events = POLLIN };
	struct ibv_cq *ev_cq;
	void *ev_ctx;
	struct ibv_wc wc[16];
	int n;

	if (poll(&pfd, 1, RDMA_POLL_MS) > 0 &&
	    ibv_get_cq_event(ch, &ev_cq, &ev_ctx) == 0) {
		ibv_ack_cq_events(ev_cq, 1);
		ibv_req_notify_cq(cq, 0);
	}
	while ((n = ibv_poll_cq(cq, 16, wc)) > 0)
		for (int i = 0; i < n; i++)
			fn(c, &wc[i]);
	return n < 0 || atomic_load(&c->base.dead) ? -1 : 0;
}

static void recv_completion(struct rdma_conn *c, const struct ibv_wc *wc)
{
	if (atomic_load(&c->base.dead))
		return;
	if (wc->status != IBV_WC_SUCCESS) {
		if (wc->status != IBV_WC_WR_FLUSH_ERR)
			log_warn("rdma %s: Receive failed: %s", c->base.peer,
				 ibv_wc_status_str(wc->status));
		rdma_conn_kill(c);
		return;
	}
	on_recv(c, (uint32_t)wc->wr_id, wc->byte_len);
}

static void *recv_thread(void *arg)
{
	struct rdma_conn *c = arg;

	while (cq_round(c, c->rch, c->rcq, recv_completion) == 0)
		;
	rdma_conn_thread_done(c);
	return NULL;
}

static void *send_thread(void *arg)
{
	struct rdma_conn *c = arg;
	int rounds_dead = 0;

	/* After death, keep reaping flushed WRs for a while so slots and
	 * waiters are released, then end. */
	for (;;) {
		if (cq_round(c, c->sch, c->scq, rdma_send_completion) < 0) {
			pthread_mutex_lock(&c->lock);
			int idle = c->sq_out == 0;
			pthread_mutex_unlock(&c->lock);
			if (idle || ++rounds_dead > 10)
				break;
		}
	}
	rdma_conn_thread_done(c);
	return NULL;
}

int rdma_conn_start_threads(struct rdma_conn *c)
{
	/* The caller set refs to 2 and threads to 2: one share each. */
	if (pthread_create(&c->sthr, NULL, send_thread, c) != 0) {
		rdma_conn_kill(c);
		rdma_conn_thread_done(c);
		rdma_conn_thread_done(c);
		return -EAGAIN;
	}
	pthread_detach(c->sthr);
	if (pthread_create(&c->rthr, NULL, recv_thread, c) != 0) {
		rdma_conn_kill(c);
		rdma_conn_thread_done(c); /* the receive thread's share */
		return -EAGAIN;
	}
	pthread_detach(c->rthr);
	return 0;
}
