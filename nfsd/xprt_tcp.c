/*
 * nfsd/xprt_tcp.c — RPC over TCP: listener, per-connection receive threads,
 * record marking (RFC 5531 §11). Contract in xprt_tcp.h.
 */
#include "xprt_tcp.h"
#include "xprt_set.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

#define RM_LAST 0x80000000u
#define RM_LEN 0x7fffffffu
/* A record this much larger than max_msg is not drained: we hang up. */
#define DRAIN_LIMIT (64u << 20)

struct tcp_conn {
	struct xprt_conn base; /* first: the generic part */
	int fd;
	pthread_mutex_t send_lock; /* serialises whole records on fd */
	struct xprt_tcp_listener *l;
};

struct xprt_tcp_listener {
	int fd;
	size_t max_msg;
	xprt_deliver_fn deliver;
	void *ctx;
	pthread_t thread;
	struct xprt_set conns; /* connections whose receive thread runs */
	atomic_uint_fast64_t next_id;
};

static int write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n > IOV_MAX ? IOV_MAX : n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int tcp_send(struct xprt_conn *xc, const struct iovec *iov, int iovcnt)
{
	struct tcp_conn *c = (struct tcp_conn *)xc;
	size_t total = 0;
	struct iovec stack[16];
	struct iovec *v = stack;
	uint32_t marker;
	int rc;

	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (total > RM_LEN)
		return -EMSGSIZE;
	if (iovcnt + 1 > (int)(sizeof(stack) / sizeof(stack[0]))) {
		v = calloc((size_t)iovcnt + 1, sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	marker = htonl(RM_LAST | (uint32_t)total);
	v[0].iov_base = &marker;
	v[0].iov_len = sizeof(marker);
	memcpy(&v[1], iov, sizeof(*iov) * (size_t)iovcnt);
	pthread_mutex_lock(&c->send_lock);
	rc = write_all(c->fd, v, iovcnt + 1);
	pthread_mutex_unlock(&c->send_lock);
	if (v != stack)
		free(v);
	if (rc < 0) {
		atomic_store(&xc->dead, true);
		shutdown(c->fd, SHUT_RDWR); /* the receive thread ends too */
	}
	return rc;
}

static void tcp_shutdown(struct xprt_conn *xc)
{
	struct tcp_conn *c = (struct tcp_conn *)xc;

	atomic_store(&xc->dead, true);
	shutdown(c->fd, SHUT_RDWR);
}

static void tcp_destroy(struct xprt_conn *xc)
{
	struct tcp_conn *c = (struct tcp_conn *)xc;

	close(c->fd);
	pthread_mutex_destroy(&c->send_lock);
	free(c);
}

static const struct xprt_ops tcp_ops = {
	.netid = "tcp",
	.send = tcp_send,
	.shutdown = tcp_shutdown,
	.destroy = tcp_destroy,
};

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t r = read(fd, p, len);
		if (r == 0)
			return -EPIPE;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static int drain(int fd, size_t len)
{
	char junk[4096];

	while (len > 0) {
		size_t n = len < sizeof(junk) ? len : sizeof(junk);
		int rc = read_full(fd, junk, n);
		if (rc < 0)
			return rc;
		len -= n;
	}
	return 0;
}

/* Reply GARBAGE_ARGS (RFC 5531 §9) to a record we refused to read. */
static void reply_too_big(struct tcp_conn *c, uint32_t xid_be)
{
	uint32_t r[6] = { xid_be, htonl(1), htonl(0), htonl(0), htonl(0),
			  htonl(4) };
	struct iovec iov = { .iov_base = r, .iov_len = sizeof(r) };

	tcp_send(&c->base, &iov, 1);
}

/*
 * Reads one record into *out. Returns 1 with a message, 0 when an
 * oversized record was drained and answered, or -errno to hang up.
 */
static int read_record(struct tcp_conn *c, uint8_t **out, size_t *outlen)
{
	size_t max = c->l->max_msg, len = 0, cap = 0, skipped = 0;
	uint8_t *buf = NULL;
	uint32_t xid_be = 0;
	int last = 0, rc = 0;

	while (!last) {
		uint32_t m;
		size_t flen;

		rc = read_full(c->fd, &m, sizeof(m));
		if (rc < 0)
			goto fail;
		m = ntohl(m);
		last = (m & RM_LAST) != 0;
		flen = m & RM_LEN;
		if (skipped || len + flen > max) {
			/* Oversized: keep the xid, drain the rest. */
			if (!skipped && len >= 4)
				memcpy(&xid_be, buf, 4);
			if (!skipped && len < 4 && flen >= 4 - len) {
				uint8_t head[4];
				if (len) /* buf is NULL before the first fragment */
					memcpy(head, buf, len);
				rc = read_full(c->fd, head + len, 4 - len);
				if (rc < 0)
					goto fail;
				memcpy(&xid_be, head, 4);
				flen -= 4 - len;
				skipped += 4 - len;
			}
			skipped += len + flen;
			len = 0;
			if (skipped > max + DRAIN_LIMIT) {
				rc = -EMSGSIZE;
				goto fail;
			}
			rc = drain(c->fd, flen);
			if (rc < 0)
				goto fail;
			continue;
		}
		if (len + flen > cap) {
			size_t ncap = cap ? cap : 4096;
			uint8_t *nb;
			while (ncap < len + flen)
				ncap *= 2;
			nb = realloc(buf, ncap);
			if (!nb) {
				rc = -ENOMEM;
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		rc = read_full(c->fd, buf + len, flen);
		if (rc < 0)
			goto fail;
		len += flen;
	}
	if (skipped) {
		free(buf);
		log_warn("tcp %s: record of %zu bytes over limit %zu refused",
			 c->base.peer, skipped, max);
		reply_too_big(c, xid_be);
		return 0;
	}
	*out = buf;
	*outlen = len;
	return 1;
fail:
	free(buf);
	return rc;
}

static void *conn_thread(void *arg)
{
	struct tcp_conn *c = arg;

	for (;;) {
		uint8_t *msg = NULL;
		size_t len = 0;
		int rc = read_record(c, &msg, &len);
		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		c->l->deliver(c->l->ctx, &c->base, msg, len);
	}
	atomic_store(&c->base.dead, true);
	shutdown(c->fd, SHUT_RDWR);
	log_debug("tcp %s: connection closed", c->base.peer);
	xprt_set_remove(&c->l->conns, &c->base);
	xprt_conn_put(&c->base);
	return NULL;
}

static void format_peer(const struct sockaddr_storage *ss, char *out,
			size_t outlen)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)ss, sizeof(*ss), host,
			sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(out, outlen, "?");
	else
		snprintf(out, outlen, "%.46s:%.8s", host, serv);
}

static int start_conn(struct xprt_tcp_listener *l, int fd,
		      const struct sockaddr_storage *ss)
{
	struct tcp_conn *c = calloc(1, sizeof(*c));
	pthread_attr_t attr;
	pthread_t t;
	int one = 1;

	if (!c)
		return -ENOMEM;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* A peer that stops reading must not hold a sender (on the MDS: the
	 * executor that answers everyone, nfsd/exec.h) for long: a send that
	 * makes no progress for XPRT_SEND_TIMEOUT_S fails and the connection
	 * is shut down (tcp_send). */
	struct timeval snd = { .tv_sec = XPRT_SEND_TIMEOUT_S };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof(snd));
	c->base.ops = &tcp_ops;
	atomic_init(&c->base.refs, 1); /* the receive thread's reference */
	atomic_init(&c->base.dead, false);
	c->base.id = atomic_fetch_add(&l->next_id, 1) + 1;
	c->base.max_msg = l->max_msg;
	format_peer(ss, c->base.peer, sizeof(c->base.peer));
	c->fd = fd;
	c->l = l;
	pthread_mutex_init(&c->send_lock, NULL);

	if (xprt_set_add(&l->conns, &c->base) < 0) {
		tcp_destroy(&c->base);
		return -ESHUTDOWN;
	}

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, conn_thread, c) != 0) {
		pthread_attr_destroy(&attr);
		xprt_set_remove(&c->l->conns, &c->base);
		tcp_destroy(&c->base);
		return -EAGAIN;
	}
	pthread_attr_destroy(&attr);
	log_debug("tcp %s: connection %llu accepted", c->base.peer,
		  (unsigned long long)c->base.id);
	return 0;
}

static void *accept_thread(void *arg)
{
	struct xprt_tcp_listener *l = arg;

	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl,
				 SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EMFILE || errno == ENFILE)
				continue;
			break; /* listening socket shut down */
		}
		if (start_conn(l, fd, &ss) < 0)
			close(fd);
	}
	return NULL;
}

static int bind_listen(const char *addr, uint16_t port, uint16_t *bound)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	char serv[8];
	int fd, one = 1, rc;

	snprintf(serv, sizeof(serv), "%u", port);
	rc = getaddrinfo(addr, serv, &hints, &ai);
	if (rc != 0)
		return -EINVAL;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0) {
		rc = -errno;
		close(fd);
		goto out;
	}
	if (bound) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		getsockname(fd, (struct sockaddr *)&ss, &sl);
		*bound = ntohs(ss.ss_family == AF_INET6
				       ? ((struct sockaddr_in6 *)&ss)->sin6_port
				       : ((struct sockaddr_in *)&ss)->sin_port);
	}
	rc = fd;
out:
	freeaddrinfo(ai);
	return rc;
}

int xprt_tcp_listen(struct xprt_tcp_listener **out, const char *addr,
		    uint16_t port, size_t max_msg, xprt_deliver_fn deliver,
		    void *ctx, uint16_t *bound_port)
{
	struct xprt_tcp_listener *l = calloc(1, sizeof(*l));
	int fd;

	if (!l)
		return -ENOMEM;
	fd = bind_listen(addr, port, bound_port);
	if (fd < 0) {
		free(l);
		return fd;
	}
	l->fd = fd;
	l->max_msg = max_msg;
	l->deliver = deliver;
	l->ctx = ctx;
	xprt_set_init(&l->conns);
	if (pthread_create(&l->thread, NULL, accept_thread, l) != 0) {
		close(fd);
		xprt_set_destroy(&l->conns);
		free(l);
		return -EAGAIN;
	}
	*out = l;
	return 0;
}

void xprt_tcp_stop(struct xprt_tcp_listener *l)
{
	shutdown(l->fd, SHUT_RDWR);
	pthread_join(l->thread, NULL);
	close(l->fd);
	xprt_set_stop(&l->conns);
	xprt_set_destroy(&l->conns);
	free(l);
}
