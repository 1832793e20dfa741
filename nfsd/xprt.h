/*
 * nfsd/xprt.h — the transport interface between the RPC layer and a wire
 * (TCP today, RPC-over-RDMA later; docs/decisions/0002-transport.md).
 *
 * A transport delivers whole RPC messages (no framing) to the RPC layer and
 * sends whole RPC messages given as a scatter list; the record marker (TCP,
 * RFC 5531 §11) or the RPC-over-RDMA header (RFC 8166) is its business only.
 * The same connection object carries server-originated CALLs (the NFSv4.1
 * backchannel, RFC 8881 §2.10.3.1) and routes inbound REPLY messages to the
 * callback client.
 *
 * Ownership and threads:
 *   - A struct xprt_conn is owned by its transport and reference counted.
 *     Anyone keeping a pointer past the delivery callback (a session's
 *     backchannel binding, the callback client) takes a reference with
 *     xprt_conn_get() and drops it with xprt_conn_put().
 *   - xprt_send() may be called from any thread; the transport serialises
 *     whole messages on one connection (send_lock).
 *   - The delivery callback runs on the transport's receive thread for that
 *     connection. It owns the message buffer it is given and releases it
 *     with xprt_msg_free(conn, msg), on any thread, while it still holds a
 *     reference on conn (the buffer may be the transport's own registered
 *     memory: the RDMA transport RDMA-Reads a WRITE's payload straight into
 *     it, decision 0028).
 *   - After the peer disconnects, sends fail with -EPIPE; the object lives
 *     until the last reference is dropped.
 */
#ifndef STRATA_NFSD_XPRT_H
#define STRATA_NFSD_XPRT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>

struct xprt_conn;

struct xprt_ops {
	const char *netid; /* "tcp", "rdma" */
	/* Send one complete RPC message. 0 or -errno. */
	int (*send)(struct xprt_conn *c, const struct iovec *iov, int iovcnt);
	/* Close the connection (idempotent); receive thread then ends. */
	void (*shutdown)(struct xprt_conn *c);
	/* Release transport resources; called once when refs reach 0. */
	void (*destroy)(struct xprt_conn *c);
	/* Release a message this connection delivered; NULL: free(). */
	void (*msg_free)(struct xprt_conn *c, uint8_t *msg);
};

struct xprt_conn {
	const struct xprt_ops *ops;
	atomic_int refs;
	atomic_bool dead;
	uint64_t id;              /* unique per process, for logs and binding */
	char peer[64];            /* "addr:port", for logs only */
	size_t max_msg;           /* largest message accepted or sent */
	/* Backchannel reply routing: set by the callback client, called on the
	 * receive thread for inbound REPLY messages (takes ownership of msg). */
	void (*on_reply)(void *ctx, struct xprt_conn *c, uint8_t *msg,
			 size_t len);
	void *on_reply_ctx;
	/* Control-protocol handshake (pnfs/ctl_svc.c); touched only by this
	 * connection's receive thread. */
	uint8_t ctl_nonce[16];
	int ctl_state; /* 0 none, 1 nonce issued, 2 proven */
	/* The listener's list (xprt_set.h), under its set's lock. */
	struct xprt_conn *set_next;
};

/* A DDP-eligible data item in an RPC reply (RFC 8267 §5: READ4resok.data):
 * bytes [off, off + len) of the message, off a multiple of 4, its XDR pad
 * right after it. Only RPC-over-RDMA uses these (Write chunks). */
struct xprt_payload {
	size_t off, len;
};

/* Finds the DDP-eligible items of the reply MSG (LEN bytes) in order and
 * writes at most CAP of them to OUT; returns how many. A hook the upper
 * layer registers with a transport that moves them (xprt_rdma.h); pure,
 * any thread. An item it does not find stays in the inline reply. */
typedef unsigned (*xprt_payload_fn)(const uint8_t *msg, size_t len,
				    struct xprt_payload *out, unsigned cap);

/* Called by a transport for each complete inbound RPC message. */
typedef void (*xprt_deliver_fn)(void *ctx, struct xprt_conn *c, uint8_t *msg,
				size_t len);

static inline void xprt_conn_get(struct xprt_conn *c)
{
	atomic_fetch_add(&c->refs, 1);
}

static inline void xprt_conn_put(struct xprt_conn *c)
{
	if (atomic_fetch_sub(&c->refs, 1) == 1)
		c->ops->destroy(c);
}

/* Release MSG, delivered by C (NULL C: a malloc'd message). */
static inline void xprt_msg_free(struct xprt_conn *c, uint8_t *msg)
{
	if (c && c->ops->msg_free)
		c->ops->msg_free(c, msg);
	else
		free(msg);
}

static inline int xprt_send(struct xprt_conn *c, const struct iovec *iov,
			    int iovcnt)
{
	if (atomic_load(&c->dead))
		return -32; /* -EPIPE */
	return c->ops->send(c, iov, iovcnt);
}

#endif
