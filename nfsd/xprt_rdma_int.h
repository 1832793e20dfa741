/*
 * nfsd/xprt_rdma_int.h — the RDMA transport's own structures, shared by
 * its three files: xprt_rdma_cm.c (listener, connection manager events,
 * accept, teardown), xprt_rdma_conn.c (device resources, the two
 * per-connection threads, the receive path with RDMA Reads) and
 * xprt_rdma_send.c (reply slots, the send path: plan, RDMA Writes, Send).
 * Not for use outside those files. Contract for users in xprt_rdma.h.
 */
#ifndef STRATA_NFSD_XPRT_RDMA_INT_H
#define STRATA_NFSD_XPRT_RDMA_INT_H

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "rpcrdma.h"
#include "rpcrdma_plan.h"
#include "xprt_rdma.h"
#include "xprt_rdma_msg.h"
#include "xprt_set.h"

#define RDMA_INLINE_SIZE 4096u  /* our Receive and Send buffers (RFC 8797) */
#define RDMA_BC_SLOTS 16u       /* the Linux client's backchannel replies */
#define RDMA_RECV_SLACK 4u
#define RDMA_POLL_MS 200        /* threads re-check "dead" this often */
#define RDMA_MSG_BUFS 4u        /* registered message buffers per conn */

/* wr_id = kind << 32 | index */
enum rdma_wr_kind { WR_RECV = 1, WR_SEND, WR_WRITE, WR_READ };

/* The event channel, shared by the listener and every connection id made
 * from it; destroyed by the last of them (rdma_destroy_event_channel
 * needs every id gone). */
struct rdma_chan {
	struct rdma_event_channel *ch;
	atomic_int refs;
};

/* One reply in flight: its Send buffer and its staging buffer (the reply
 * flattened; RDMA Writes read from it). Owned by the sender from
 * slot_get() until the Send completes (send-completion thread frees it). */
struct rdma_slot {
	uint8_t *sbuf;  /* RDMA_INLINE_SIZE bytes in send_mr */
	uint8_t *stage; /* stage_size bytes in stage_mr */
	struct rpcrdma_hdr call;
	struct rpcrdma_plan plan;
	struct rdma_slot *next_free;
};

struct rdma_conn {
	struct xprt_conn base; /* first: the generic part */
	struct xprt_rdma_listener *l;
	struct rdma_chan *chan;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_comp_channel *rch, *sch;
	struct ibv_cq *rcq, *scq;
	struct ibv_mr *recv_mr, *send_mr, *stage_mr, *read_mr;

	/* Fixed after accept. */
	struct rpcrdma_limits lim;
	uint32_t grant;      /* credits in every reply (rpcrdma_credits) */
	uint32_t nrecv;      /* Receives posted per connection */
	uint32_t nslots;
	uint32_t sq_depth;
	uint32_t ord;        /* RDMA Reads in flight at most */
	size_t stage_size;   /* one reply, one call's Read chunks */
	uint8_t *recv_bufs;  /* nrecv * RDMA_INLINE_SIZE */
	uint8_t *send_bufs;  /* nslots * RDMA_INLINE_SIZE */
	uint8_t *stage_bufs; /* nslots * stage_size */
	uint8_t *read_buf;   /* stage_size: Read chunk target (recv thread) */
	/* Registered message buffers (nmsg * stage_size, msg_mr): a call
	 * with Read chunks is RDMA-Read into one and handed up as is; its
	 * owner gives it back with xprt_msg_free() (rdma_msg_free, any
	 * thread) before dropping its reference on the connection, so the
	 * memory lives until rdma_destroy. msg_free_mask: bit i set = buffer
	 * i free (atomic; taken by the receive thread only). */
	uint8_t *msg_bufs;
	struct ibv_mr *msg_mr;
	uint32_t nmsg;
	atomic_uint msg_free_mask;
	struct rdma_slot *slots;

	/* Receive thread only. */
	struct rpcrdma_hdr *rh;

	pthread_mutex_t lock; /* protects everything below */
	pthread_cond_t cond;  /* slot freed, SQ room, Reads done, death */
	struct rdma_slot *free_slots;
	uint32_t sq_out;      /* send-queue WRs posted, not completed */
	uint32_t reads_left;  /* RDMA Reads of the current call */
	int read_err;
	struct rdma_pending *pend;
	uint32_t npend;
	uint64_t pend_seq;
	int threads;          /* running per-connection threads */

	atomic_bool disconnecting; /* rdma_disconnect() called once */
	pthread_t rthr, sthr;
};

struct xprt_rdma_listener {
	struct xprt_rdma_params p;
	struct rdma_chan *chan;
	struct rdma_cm_id *id;
	int wake[2]; /* pipe: stops the CM thread */
	pthread_t thread;
	struct xprt_set conns; /* connections whose threads still run */
	atomic_uint_fast64_t next_id;
	struct { /* xprt_rdma_stats, as atomics (relaxed) */
		atomic_uint_fast64_t conns, calls, read_bytes, write_bytes,
			reply_bytes, errors, bc_calls, read_inplace_bytes;
	} st;
};

/* Add N to the listener counter FIELD of connection C. */
#define RDMA_COUNT(c, field, n)                                            \
	atomic_fetch_add_explicit(&(c)->l->st.field, (uint_fast64_t)(n),    \
				  memory_order_relaxed)

/* xprt_rdma_conn.c */
int rdma_conn_setup(struct rdma_conn *c, const struct rdma_cm_event *ev);
int rdma_conn_start_threads(struct rdma_conn *c);
void rdma_conn_kill(struct rdma_conn *c);
void rdma_conn_free_resources(struct rdma_conn *c);
void rdma_chan_put(struct rdma_chan *ch);
/* Called by each per-connection thread as it ends. */
void rdma_conn_thread_done(struct rdma_conn *c);
/* xprt_ops.msg_free: a registered message buffer back to its pool, any
 * other message free()d. */
void rdma_msg_free(struct xprt_conn *xc, uint8_t *msg);

/* xprt_rdma_send.c */
int rdma_slots_init(struct rdma_conn *c);
int rdma_send_msg(struct xprt_conn *xc, const struct iovec *iov,
		  int iovcnt);
int rdma_send_error(struct rdma_conn *c, uint32_t xid, uint32_t err);
void rdma_pending_add(struct rdma_conn *c, const struct rpcrdma_hdr *h);
/* A send-queue completion (send-completion thread). */
void rdma_send_completion(struct rdma_conn *c, const struct ibv_wc *wc);

/* xprt_rdma_cm.c */
extern const struct xprt_ops rdma_xprt_ops;

#endif
