/*
 * nfsd/xprt_rdma_cm.c — the RDMA listener: rdma_cm events (connect
 * requests with their RFC 8797 private data, establishment, disconnects,
 * device removal), accept, and connection teardown. Structures in
 * xprt_rdma_int.h; contract in xprt_rdma.h.
 */
#include "xprt_rdma_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rpcrdma_cm.h"

static void rdma_shutdown(struct xprt_conn *xc)
{
	rdma_conn_kill((struct rdma_conn *)xc);
}

/* The last reference: the threads have ended. QP first, then the id
 * (rdma_destroy_id waits for this id's events to be acked). */
static void rdma_destroy(struct xprt_conn *xc)
{
	struct rdma_conn *c = (struct rdma_conn *)xc;
	struct rdma_chan *chan = c->chan;

	rdma_conn_free_resources(c);
	if (c->id)
		rdma_destroy_id(c->id);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
	if (chan)
		rdma_chan_put(chan);
}

const struct xprt_ops rdma_xprt_ops = {
	.netid = "rdma",
	.send = rdma_send_msg,
	.shutdown = rdma_shutdown,
	.destroy = rdma_destroy,
	.msg_free = rdma_msg_free,
};

void rdma_conn_thread_done(struct rdma_conn *c)
{
	int last;

	pthread_mutex_lock(&c->lock);
	last = --c->threads == 0;
	pthread_mutex_unlock(&c->lock);
	if (last) {
		log_debug("rdma %s: connection closed", c->base.peer);
		xprt_set_remove(&c->l->conns, &c->base);
	}
	xprt_conn_put(&c->base);
}

static void format_peer(struct rdma_cm_id *id, char *out, size_t outlen)
{
	struct sockaddr *sa = rdma_get_peer_addr(id);
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	socklen_t sl = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						 : sizeof(struct sockaddr_in);

	if (getnameinfo(sa, sl, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(out, outlen, "?");
	else
		snprintf(out, outlen, "%.46s:%.8s", host, serv);
}

static struct rdma_conn *conn_new(struct xprt_rdma_listener *l,
				  struct rdma_cm_id *id)
{
	struct rdma_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->base.ops = &rdma_xprt_ops;
	atomic_init(&c->base.refs, 2); /* the two threads' references */
	atomic_init(&c->base.dead, false);
	atomic_init(&c->disconnecting, false);
	c->base.id = atomic_fetch_add(&l->next_id, 1) + 1;
	c->base.max_msg = l->p.max_msg;
	format_peer(id, c->base.peer, sizeof(c->base.peer));
	c->l = l;
	c->id = id;
	c->threads = 2;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	id->context = c;
	return c;
}

/* A connection that never started its threads. The event is acked
 * before (rdma_destroy_id waits for it). */
static void conn_abort(struct rdma_conn *c)
{
	c->chan = NULL; /* took no channel reference yet */
	rdma_destroy(&c->base);
}

/* Accept (RFC 8797 §4: our private data; RFC 8166 §3.3.1: Receives are
 * posted first, in rdma_conn_setup). 0, or -errno: the caller rejects. */
static int accept_conn(struct xprt_rdma_listener *l, struct rdma_conn *c,
		       const struct rdma_cm_event *ev)
{
	struct rdma_conn_param cp;
	struct rpcrdma_cm_pd ours = { .present = true,
				      .remote_inv = false,
				      .send_size = RDMA_INLINE_SIZE,
				      .recv_size = RDMA_INLINE_SIZE };
	uint8_t pd[RPCRDMA_CM_LEN];
	int rc = rdma_conn_setup(c, ev);

	if (rc < 0)
		return rc;
	memset(&cp, 0, sizeof(cp));
	cp.private_data = pd;
	cp.private_data_len = (uint8_t)rpcrdma_cm_encode(pd, sizeof(pd), &ours);
	cp.responder_resources = 0; /* the client never reads from us */
	cp.initiator_depth = (uint8_t)c->ord;
	cp.rnr_retry_count = 7;
	if (xprt_set_add(&l->conns, &c->base) < 0)
		return -ESHUTDOWN;
	atomic_fetch_add(&l->chan->refs, 1);
	c->chan = l->chan;
	if (rdma_accept(c->id, &cp)) {
		rc = -errno;
		rdma_conn_kill(c);
	} else {
		RDMA_COUNT(c, conns, 1);
	}
	rdma_conn_start_threads(c); /* they end at once when killed */
	log_info("rdma %s: connection %llu: inline %u/%u, %u credits, "
		 "%u receives, ord %u", c->base.peer,
		 (unsigned long long)c->base.id, c->lim.max_inline_recv,
		 c->lim.max_inline_send, c->grant, c->nrecv, c->ord);
	return 0;
}

static void on_connect_request(struct xprt_rdma_listener *l,
			       struct rdma_cm_event *ev)
{
	struct rdma_cm_id *id = ev->id;
	struct rdma_conn *c = conn_new(l, id);
	int rc = c ? accept_conn(l, c, ev) : -ENOMEM;

	if (rc < 0) {
		log_warn("rdma: connect request refused: %s", strerror(-rc));
		rdma_reject(id, NULL, 0);
	}
	rdma_ack_cm_event(ev);
	if (rc < 0) {
		if (c)
			conn_abort(c);
		else
			rdma_destroy_id(id);
	}
}

static void on_event(struct xprt_rdma_listener *l, struct rdma_cm_event *ev)
{
	struct rdma_conn *c = ev->id != l->id ? ev->id->context : NULL;

	switch (ev->event) {
	case RDMA_CM_EVENT_CONNECT_REQUEST:
		on_connect_request(l, ev);
		return; /* acked there */
	case RDMA_CM_EVENT_ESTABLISHED:
		if (c)
			log_debug("rdma %s: established", c->base.peer);
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_CONNECT_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_REJECTED:
		if (c)
			rdma_conn_kill(c);
		break;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		log_err("rdma: device removed: every connection closed");
		xprt_set_shutdown_all(&l->conns);
		break;
	default:
		break;
	}
	rdma_ack_cm_event(ev);
}

static void *cm_thread(void *arg)
{
	struct xprt_rdma_listener *l = arg;
	struct pollfd pfd[2] = { { .fd = l->chan->ch->fd, .events = POLLIN },
				 { .fd = l->wake[0], .events = POLLIN } };

	for (;;) {
		struct rdma_cm_event *ev;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		if (rdma_get_cm_event(l->chan->ch, &ev) == 0)
			on_event(l, ev);
	}
	return NULL;
}

static int bind_listen(struct xprt_rdma_listener *l, const char *addr,
		       uint16_t port)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	char serv[8];
	int rc;

	snprintf(serv, sizeof(serv), "%u", port);
	if (getaddrinfo(addr, serv, &hints, &ai) != 0)
		return -EINVAL;
	rc = rdma_create_id(l->chan->ch, &l->id, l, RDMA_PS_TCP);
	if (rc == 0)
		rc = rdma_bind_addr(l->id, ai->ai_addr);
	if (rc == 0 && !l->id->verbs)
		errno = ENODEV, rc = -1; /* bound, but to no RDMA device */
	if (rc == 0)
		rc = rdma_listen(l->id, 128);
	freeaddrinfo(ai);
	return rc ? -errno : 0;
}

int xprt_rdma_listen(struct xprt_rdma_listener **out, const char *addr,
		     uint16_t port, const struct xprt_rdma_params *p)
{
	struct xprt_rdma_listener *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return -ENOMEM;
	l->p = *p;
	l->wake[0] = l->wake[1] = -1;
	l->chan = calloc(1, sizeof(*l->chan));
	if (!l->chan) {
		free(l);
		return -ENOMEM;
	}
	atomic_init(&l->chan->refs, 1);
	l->chan->ch = rdma_create_event_channel();
	rc = l->chan->ch ? bind_listen(l, addr, port) : -ENODEV;
	if (rc == 0 && pipe(l->wake) < 0)
		rc = -errno;
	xprt_set_init(&l->conns);
	if (rc == 0 && pthread_create(&l->thread, NULL, cm_thread, l) != 0)
		rc = -EAGAIN;
	if (rc < 0) {
		if (l->id)
			rdma_destroy_id(l->id);
		if (l->chan->ch)
			rdma_destroy_event_channel(l->chan->ch);
		if (l->wake[0] >= 0) {
			close(l->wake[0]);
			close(l->wake[1]);
		}
		xprt_set_destroy(&l->conns);
		free(l->chan);
		free(l);
		return rc;
	}
	*out = l;
	return 0;
}

void xprt_rdma_stats(const struct xprt_rdma_listener *l,
		     struct xprt_rdma_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!l)
		return;
	out->conns = atomic_load(&l->st.conns);
	out->calls = atomic_load(&l->st.calls);
	out->read_bytes = atomic_load(&l->st.read_bytes);
	out->read_inplace_bytes = atomic_load(&l->st.read_inplace_bytes);
	out->write_bytes = atomic_load(&l->st.write_bytes);
	out->reply_bytes = atomic_load(&l->st.reply_bytes);
	out->errors = atomic_load(&l->st.errors);
	out->bc_calls = atomic_load(&l->st.bc_calls);
}

void xprt_rdma_stop(struct xprt_rdma_listener *l)
{
	if (write(l->wake[1], "x", 1) < 0)
		log_warn("rdma: cannot wake the listener thread");
	pthread_join(l->thread, NULL);
	xprt_set_stop(&l->conns);
	rdma_destroy_id(l->id);
	rdma_chan_put(l->chan); /* the connections still referenced keep it */
	close(l->wake[0]);
	close(l->wake[1]);
	xprt_set_destroy(&l->conns);
	free(l);
}
