/* pnfs/peer_client.c — see peer_client.h. */
#include "peer_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "cmap.h"
#include "ctl_client.h"
#include "log.h"
#include "peer_prot.h"

#define PEER_CONNECT_MS 1000
#define PEER_CALL_TIMEOUT_S 15
#define PEER_LAST_FRAG 0x80000000u

/* One queued or in-flight call. */
struct pcall {
	struct pcall *next;
	uint32_t xid;
	uint8_t *msg; /* record mark + CALL, until sent */
	size_t len;
	xdrproc_t xres;
	size_t res_size;
	peer_done_fn done;
	void *ctx;
	time_t sent;
};

struct link {
	struct peers *peers;
	unsigned node;
	char addr[64];
	uint16_t port;
	pthread_t thread;
	int started;
	int wake;              /* eventfd: a call was queued, or stop */
	pthread_mutex_t lock;  /* queue and stop */
	struct pcall *queue, **qtail;
	int stop;
	/* Link thread only. */
	int fd;
	int ever;              /* connected once: keep it connected */
	struct pcall *inflight;
	uint8_t *rbuf;
	size_t rlen, rcap;
	atomic_uint_fast64_t sent;
};

struct peers {
	peer_epoch_fn on_epoch;
	void *epoch_ctx;
	const struct mac_key *key;
	uint32_t epoch;
	size_t max_msg;
	atomic_uint xid;
	struct link *link[CMAP_MAX_NODES + 1];
};

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void finish(struct pcall *c, int err, void *res)
{
	c->done(c->ctx, err, res);
	free(c->msg);
	free(c);
}

static void fail_list(struct pcall *c, int err)
{
	while (c) {
		struct pcall *next = c->next;
		finish(c, err, NULL);
		c = next;
	}
}

/* ---- encoding (any thread) -------------------------------------------- */

static uint8_t *encode_call(struct peers *p, uint32_t xid, uint32_t proc,
			    xdrproc_t xargs, void *args, size_t *len)
{
	struct rpc_msg m;
	XDR x;
	/* The CALL header with AUTH_NONE is 40 bytes: the exact size, not
	 * the largest message (a sub-compound is usually a few hundred). */
	size_t cap = 4 + 64 + xdr_sizeof(xargs, args);
	uint8_t *buf;
	uint32_t mark;

	if (cap > p->max_msg || !(buf = malloc(cap)))
		return NULL;
	memset(&m, 0, sizeof(m));
	m.rm_xid = xid;
	m.rm_direction = CALL;
	m.rm_call.cb_rpcvers = 2;
	m.rm_call.cb_prog = STRATA_PEER_PROGRAM;
	m.rm_call.cb_vers = STRATA_PEER_V1;
	m.rm_call.cb_proc = proc;
	m.rm_call.cb_cred.oa_flavor = AUTH_NONE;
	m.rm_call.cb_verf.oa_flavor = AUTH_NONE;
	xdrmem_create(&x, (char *)buf + 4, (u_int)(cap - 4), XDR_ENCODE);
	if (!xdr_callmsg(&x, &m) || !xargs(&x, args)) {
		free(buf);
		return NULL;
	}
	*len = 4 + xdr_getpos(&x);
	mark = htonl(PEER_LAST_FRAG | (uint32_t)(*len - 4));
	memcpy(buf, &mark, 4);
	return buf;
}

int peer_call(struct peers *p, unsigned node, uint32_t proc, xdrproc_t xargs,
	      void *args, xdrproc_t xres, size_t res_size, peer_done_fn done,
	      void *ctx)
{
	struct link *l = node <= CMAP_MAX_NODES ? p->link[node] : NULL;
	struct pcall *c;
	uint64_t one = 1;

	if (!l)
		return -ENOENT;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->xid = atomic_fetch_add(&p->xid, 1);
	c->msg = encode_call(p, c->xid, proc, xargs, args, &c->len);
	if (!c->msg) {
		free(c);
		return -EINVAL;
	}
	c->xres = xres;
	c->res_size = res_size;
	c->done = done;
	c->ctx = ctx;
	pthread_mutex_lock(&l->lock);
	if (l->stop) {
		pthread_mutex_unlock(&l->lock);
		free(c->msg);
		free(c);
		return -ESHUTDOWN;
	}
	*l->qtail = c;
	l->qtail = &c->next;
	pthread_mutex_unlock(&l->lock);
	if (write(l->wake, &one, sizeof(one)) < 0)
		log_debug("peer: wake node %u: %s", node, strerror(errno));
	return 0;
}

uint64_t peer_calls_sent(const struct peers *p, unsigned node)
{
	const struct link *l = node <= CMAP_MAX_NODES ? p->link[node] : NULL;

	return l ? atomic_load(&l->sent) : 0;
}

/* ---- the link thread ---------------------------------------------------- */

/* Everything queued so far, oldest first; *STOP set when stopping. */
static struct pcall *take_queue(struct link *l, int *stop)
{
	struct pcall *q;
	uint64_t n;

	if (read(l->wake, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_debug("peer: drain: %s", strerror(errno));
	pthread_mutex_lock(&l->lock);
	q = l->queue;
	l->queue = NULL;
	l->qtail = &l->queue;
	*stop = l->stop;
	pthread_mutex_unlock(&l->lock);
	return q;
}

static void drop_conn(struct link *l, int err)
{
	if (l->fd >= 0) {
		close(l->fd);
		l->fd = -1;
		log_info("peer: connection to node %u lost", l->node);
		if (err != -ESHUTDOWN && l->peers->on_epoch)
			l->peers->on_epoch(l->peers->epoch_ctx, l->node, 0);
	}
	l->rlen = 0;
	fail_list(l->inflight, err);
	l->inflight = NULL;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void hello_answered(void *ctx, int err, void *res)
{
	struct link *l = ctx;

	if (!err && res && l->peers->on_epoch)
		l->peers->on_epoch(l->peers->epoch_ctx, l->node,
				   *(uint32_t *)res);
	free(res);
}

static bool_t xdr_nothing(XDR *x, void *p)
{
	(void)x;
	(void)p;
	return TRUE;
}

/* Connect and authenticate; the first call on the new connection asks
 * the node's boot epoch. 0 or -errno. */
static int link_connect(struct link *l, struct pcall **q)
{
	struct ctl_conn *cc;
	struct pcall *h;
	int rc = ctl_connect(&cc, l->addr, l->port, l->peers->key, 0,
			     l->peers->epoch, PEER_CONNECT_MS);

	if (rc < 0) {
		log_debug("peer: node %u at %s:%u: %s", l->node, l->addr,
			  l->port, strerror(-rc));
		return rc;
	}
	l->fd = ctl_detach(cc);
	if (!l->ever)
		log_info("peer: connected to node %u at %s:%u", l->node,
			 l->addr, l->port);
	else
		log_info("peer: reconnected to node %u", l->node);
	l->ever = 1;
	h = calloc(1, sizeof(*h));
	if (!h)
		return 0;
	h->xid = atomic_fetch_add(&l->peers->xid, 1);
	h->msg = encode_call(l->peers, h->xid, PEER_HELLO,
			     (xdrproc_t)xdr_nothing, NULL, &h->len);
	if (!h->msg) {
		free(h);
		return 0;
	}
	h->xres = (xdrproc_t)xdr_u_int;
	h->res_size = sizeof(uint32_t);
	h->done = hello_answered;
	h->ctx = l;
	h->next = *q;
	*q = h;
	return 0;
}

/* Send the queued calls (connecting first if needed). */
static void send_queue(struct link *l, struct pcall *q)
{
	if (q && l->fd < 0 && link_connect(l, &q) < 0) {
		fail_list(q, -EHOSTDOWN);
		return;
	}
	while (q) {
		struct pcall *c = q;

		q = q->next;
		if (write_all(l->fd, c->msg, c->len) < 0) {
			c->next = q;
			drop_conn(l, -EPIPE);
			fail_list(c, -EPIPE);
			return;
		}
		free(c->msg);
		c->msg = NULL;
		c->sent = now_s();
		c->next = l->inflight;
		l->inflight = c;
		atomic_fetch_add(&l->sent, 1);
	}
}

static struct pcall *unlink_xid(struct link *l, uint32_t xid)
{
	for (struct pcall **pp = &l->inflight; *pp; pp = &(*pp)->next) {
		if ((*pp)->xid == xid) {
			struct pcall *c = *pp;
			*pp = c->next;
			return c;
		}
	}
	return NULL;
}

/* One whole REPLY message. */
static void deliver(struct link *l, const uint8_t *msg, size_t len)
{
	struct rpc_msg m;
	struct pcall *c;
	uint32_t xid;
	void *res;
	XDR x;
	int ok;

	if (len < 4)
		return;
	memcpy(&xid, msg, 4);
	c = unlink_xid(l, ntohl(xid));
	if (!c)
		return; /* timed out meanwhile */
	res = calloc(1, c->res_size ? c->res_size : 1);
	if (!res) {
		finish(c, -ENOMEM, NULL);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.acpted_rply.ar_verf = _null_auth;
	m.acpted_rply.ar_results.where = res;
	m.acpted_rply.ar_results.proc = c->xres;
	xdrmem_create(&x, (char *)msg, (u_int)len, XDR_DECODE);
	ok = xdr_replymsg(&x, &m) && m.rm_reply.rp_stat == MSG_ACCEPTED &&
	     m.acpted_rply.ar_stat == SUCCESS;
	if (!ok) {
		xdr_free(c->xres, res);
		free(res);
		finish(c, -EPROTO, NULL);
		return;
	}
	finish(c, 0, res);
}

/* Read what is there; deliver every whole record. -1: connection gone. */
static int receive(struct link *l)
{
	ssize_t n;
	size_t off = 0;

	if (l->rcap - l->rlen < 65536) {
		size_t cap = l->rcap ? 2 * l->rcap : 262144;
		uint8_t *b;

		if (cap > l->peers->max_msg + 65536 && l->rcap)
			cap = l->rcap + 65536;
		b = realloc(l->rbuf, cap);
		if (!b)
			return -1;
		l->rbuf = b;
		l->rcap = cap;
	}
	n = read(l->fd, l->rbuf + l->rlen, l->rcap - l->rlen);
	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN) ? 0 : -1;
	l->rlen += (size_t)n;
	/* Single-fragment records only: what a Strata server sends. */
	while (l->rlen - off >= 4) {
		uint32_t mark, flen;

		memcpy(&mark, l->rbuf + off, 4);
		mark = ntohl(mark);
		flen = mark & ~PEER_LAST_FRAG;
		if (!(mark & PEER_LAST_FRAG) || flen > l->peers->max_msg)
			return -1;
		if (l->rlen - off - 4 < flen)
			break;
		deliver(l, l->rbuf + off + 4, flen);
		off += 4 + flen;
	}
	memmove(l->rbuf, l->rbuf + off, l->rlen - off);
	l->rlen -= off;
	return 0;
}

static void expire_old(struct link *l)
{
	time_t now = now_s();

	for (struct pcall **pp = &l->inflight; *pp;) {
		struct pcall *c = *pp;
		if (now - c->sent > PEER_CALL_TIMEOUT_S) {
			*pp = c->next;
			finish(c, -ETIMEDOUT, NULL);
		} else {
			pp = &c->next;
		}
	}
}

static void *link_main(void *arg)
{
	struct link *l = arg;
	int stop = 0;

	while (!stop) {
		struct pollfd pf[2] = { { .fd = l->wake, .events = POLLIN },
					{ .fd = l->fd, .events = POLLIN } };
		int n = poll(pf, l->fd >= 0 ? 2 : 1, 1000);

		if (n < 0 && errno != EINTR)
			break;
		if (pf[0].revents & POLLIN)
			send_queue(l, take_queue(l, &stop));
		if (l->fd >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    receive(l) < 0)
			drop_conn(l, -EPIPE);
		if (n == 0 && l->fd < 0 && l->ever && !stop) {
			/* Idle and cut off: see the node again as soon as it
			 * is back (its HELLO tells a restart). */
			struct pcall *q = NULL;
			if (link_connect(l, &q) == 0)
				send_queue(l, q);
		}
		expire_old(l);
	}
	drop_conn(l, -ESHUTDOWN);
	fail_list(take_queue(l, &stop), -ESHUTDOWN);
	return NULL;
}

/* ---- life cycle ----------------------------------------------------------- */

static int link_start(struct peers *p, const struct cmap_node *n)
{
	struct link *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return -ENOMEM;
	l->peers = p;
	l->node = n->id;
	snprintf(l->addr, sizeof(l->addr), "%s", n->peer_addr);
	l->port = n->peer_port;
	l->fd = -1;
	l->qtail = &l->queue;
	l->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->wake < 0) {
		free(l);
		return -errno;
	}
	pthread_mutex_init(&l->lock, NULL);
	p->link[n->id] = l;
	rc = pthread_create(&l->thread, NULL, link_main, l);
	if (rc)
		return -rc;
	l->started = 1;
	return 0;
}

int peers_start(struct peers **out, const struct cmap *m, unsigned self,
		const struct mac_key *key, uint32_t epoch, size_t max_msg,
		peer_epoch_fn on_epoch, void *ctx)
{
	struct peers *p = calloc(1, sizeof(*p));
	int rc = 0;

	if (!p)
		return -ENOMEM;
	p->on_epoch = on_epoch;
	p->epoch_ctx = ctx;
	p->key = key;
	p->epoch = epoch;
	p->max_msg = max_msg + 65536;
	atomic_init(&p->xid, (unsigned)epoch << 20);
	for (unsigned id = 1; id <= CMAP_MAX_NODES && rc == 0; id++) {
		const struct cmap_node *n = cmap_node(m, id);
		if (n && id != self)
			rc = link_start(p, n);
	}
	if (rc < 0) {
		peers_stop(p);
		return rc;
	}
	*out = p;
	return 0;
}

void peers_stop(struct peers *p)
{
	uint64_t one = 1;

	if (!p)
		return;
	for (unsigned id = 1; id <= CMAP_MAX_NODES; id++) {
		struct link *l = p->link[id];
		if (!l)
			continue;
		pthread_mutex_lock(&l->lock);
		l->stop = 1;
		pthread_mutex_unlock(&l->lock);
		if (write(l->wake, &one, sizeof(one)) < 0)
			log_debug("peer: stop: %s", strerror(errno));
	}
	for (unsigned id = 1; id <= CMAP_MAX_NODES; id++) {
		struct link *l = p->link[id];
		if (!l)
			continue;
		if (l->started)
			pthread_join(l->thread, NULL);
		close(l->wake);
		pthread_mutex_destroy(&l->lock);
		free(l->rbuf);
		free(l);
	}
	free(p);
}
