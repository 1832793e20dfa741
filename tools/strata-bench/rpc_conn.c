/*
 * tools/strata-bench/rpc_conn.c -- TCP, record marking, xid matching.
 * See rpc_conn.h for the contract.
 */
#include "rpc_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RX_BUF (256u * 1024u)
#define LAST_FRAG 0x80000000u
#define RPC_PROG_NFS 100003u
#define RPC_VERS_NFS 4u
#define MACHINE "strata-bench"

struct rpc_conn {
	int fd;
	char name[96];
	pthread_mutex_t send_lock;
	pthread_t rx;
	atomic_int dead;
	_Atomic(struct rpc_call *) waiting[RPC_MAX_CALLERS];
	/* receiver thread only */
	uint8_t *rxbuf;
	size_t rxhead, rxtail;
};

int rpc_call_init(struct rpc_call *call, size_t rcap)
{
	memset(call, 0, sizeof(*call));
	call->rbuf = malloc(rcap);
	if (!call->rbuf)
		return -ENOMEM;
	call->rcap = rcap;
	if (sem_init(&call->done, 0, 0) < 0) {
		free(call->rbuf);
		return -errno;
	}
	return 0;
}

void rpc_call_destroy(struct rpc_call *call)
{
	if (!call->rbuf)
		return;
	sem_destroy(&call->done);
	free(call->rbuf);
	call->rbuf = NULL;
}

const char *rpc_conn_name(const struct rpc_conn *c)
{
	return c->name;
}

/* ---- receiver ---------------------------------------------------- */

/* Read exactly N bytes of the stream into DST (buffered). 0 or -errno. */
static int rx_read(struct rpc_conn *c, uint8_t *dst, size_t n)
{
	while (n > 0) {
		size_t have = c->rxtail - c->rxhead;
		if (have > 0) {
			size_t k = have < n ? have : n;
			if (dst) {
				memcpy(dst, c->rxbuf + c->rxhead, k);
				dst += k;
			}
			c->rxhead += k;
			n -= k;
			continue;
		}
		c->rxhead = c->rxtail = 0;
		ssize_t r;
		if (dst && n >= RX_BUF / 2)
			r = read(c->fd, dst, n); /* large payload: no copy */
		else
			r = read(c->fd, c->rxbuf, RX_BUF);
		if (r == 0)
			return -EPIPE;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (dst && n >= RX_BUF / 2) {
			dst += r;
			n -= (size_t)r;
		} else {
			c->rxtail = (size_t)r;
		}
	}
	return 0;
}

static int rx_u32(struct rpc_conn *c, uint32_t *v)
{
	uint8_t b[4];
	int rc = rx_read(c, b, 4);
	if (rc == 0)
		*v = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
		     ((uint32_t)b[2] << 8) | b[3];
	return rc;
}

/* Receive the rest of a record whose first fragment (FLEN bytes after
 * the xid, LAST set if it is the only one) is being read.  DST/CAP: where
 * the record goes after the xid (NULL: discard).  *GOT: bytes stored. */
static int rx_record(struct rpc_conn *c, uint32_t flen, int last,
		     uint8_t *dst, size_t cap, size_t *got)
{
	size_t total = 0;
	int rc, overflow = 0;

	for (;;) {
		if (dst && !overflow && total + flen <= cap) {
			rc = rx_read(c, dst + total, flen);
			total += flen;
		} else {
			overflow = dst != NULL;
			rc = rx_read(c, NULL, flen);
		}
		if (rc < 0 || last)
			break;
		uint32_t mark = 0;
		rc = rx_u32(c, &mark);
		if (rc < 0)
			break;
		last = (mark & LAST_FRAG) != 0;
		flen = mark & ~LAST_FRAG;
	}
	*got = total;
	if (rc == 0 && overflow)
		rc = -EMSGSIZE;
	return rc;
}

static void fail_all(struct rpc_conn *c, int err)
{
	atomic_store(&c->dead, 1);
	shutdown(c->fd, SHUT_RDWR);
	for (int i = 0; i < RPC_MAX_CALLERS; i++) {
		struct rpc_call *w = atomic_exchange(&c->waiting[i], NULL);
		if (w) {
			w->err = err;
			sem_post(&w->done);
		}
	}
}

static void *rx_main(void *arg)
{
	struct rpc_conn *c = arg;
	int rc;

	for (;;) {
		uint32_t mark = 0, xid = 0;
		rc = rx_u32(c, &mark);
		if (rc < 0)
			break;
		uint32_t flen = mark & ~LAST_FRAG;
		if (flen < 4) {
			rc = -EPROTO;
			break;
		}
		rc = rx_u32(c, &xid);
		if (rc < 0)
			break;
		struct rpc_call *w = atomic_load(&c->waiting[xid & 0xff]);
		size_t got = 0;
		if (!w || w->xid != xid) { /* stray or late reply: drop it */
			rc = rx_record(c, flen - 4, (mark & LAST_FRAG) != 0,
				       NULL, 0, &got);
			if (rc < 0)
				break;
			continue;
		}
		w->rbuf[0] = (uint8_t)(xid >> 24);
		w->rbuf[1] = (uint8_t)(xid >> 16);
		w->rbuf[2] = (uint8_t)(xid >> 8);
		w->rbuf[3] = (uint8_t)xid;
		rc = rx_record(c, flen - 4, (mark & LAST_FRAG) != 0,
			       w->rbuf + 4, w->rcap - 4, &got);
		if (rc < 0)
			break; /* fail_all wakes w with the error */
		w->rlen = got + 4;
		w->err = 0;
		struct rpc_call *expect = w;
		if (atomic_compare_exchange_strong(&c->waiting[xid & 0xff],
						   &expect, NULL))
			sem_post(&w->done);
	}
	fail_all(c, rc < 0 ? rc : -EPIPE);
	return NULL;
}

/* ---- connection -------------------------------------------------- */

static int connect_to(const char *host, uint16_t port, char *err,
		      size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char ps[8];
	int fd = -1, rc;

	snprintf(ps, sizeof(ps), "%u", port);
	rc = getaddrinfo(host, ps, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", host, gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	rc = -ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			rc = -errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		rc = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "connect %s:%u: %s", host, port,
			 strerror(-rc));
		return rc;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int rpc_conn_open(struct rpc_conn **out, const char *host, uint16_t port,
		  char *err, size_t errlen)
{
	struct rpc_conn *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	c->rxbuf = malloc(RX_BUF);
	if (!c->rxbuf) {
		free(c);
		return -ENOMEM;
	}
	snprintf(c->name, sizeof(c->name), "%s:%u", host, port);
	c->fd = connect_to(host, port, err, errlen);
	if (c->fd < 0) {
		rc = c->fd;
		free(c->rxbuf);
		free(c);
		return rc;
	}
	pthread_mutex_init(&c->send_lock, NULL);
	rc = pthread_create(&c->rx, NULL, rx_main, c);
	if (rc != 0) {
		snprintf(err, errlen, "pthread_create: %s", strerror(rc));
		close(c->fd);
		pthread_mutex_destroy(&c->send_lock);
		free(c->rxbuf);
		free(c);
		return -rc;
	}
	*out = c;
	return 0;
}

void rpc_conn_close(struct rpc_conn *c)
{
	if (!c)
		return;
	atomic_store(&c->dead, 1);
	shutdown(c->fd, SHUT_RDWR);
	pthread_join(c->rx, NULL);
	close(c->fd);
	pthread_mutex_destroy(&c->send_lock);
	free(c->rxbuf);
	free(c);
}

/* ---- RPC call header --------------------------------------------- */

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

/* AUTH_SYS body: stamp, machinename<>, uid, gid, gids<> */
#define MACH_LEN (sizeof(MACHINE) - 1)
#define MACH_PAD ((MACH_LEN + 3) & ~(size_t)3)
#define CRED_BODY (4 + 4 + MACH_PAD + 4 + 4 + 4)

size_t rpc_hdr_len(void)
{
	/* mark, xid, mtype, rpcvers, prog, vers, proc, cred, verf */
	return 4 + 4 + 4 + 4 + 4 + 4 + 4 + (8 + CRED_BODY) + 8;
}

void rpc_hdr_put(uint8_t *buf, size_t total, uint32_t xid, uint32_t proc)
{
	uint8_t *p = buf;

	p = put32(p, LAST_FRAG | (uint32_t)(total - 4));
	p = put32(p, xid);
	p = put32(p, 0); /* CALL */
	p = put32(p, 2); /* RPC version */
	p = put32(p, RPC_PROG_NFS);
	p = put32(p, RPC_VERS_NFS);
	p = put32(p, proc);
	p = put32(p, 1); /* AUTH_SYS */
	p = put32(p, (uint32_t)CRED_BODY);
	p = put32(p, 0); /* stamp */
	p = put32(p, (uint32_t)MACH_LEN);
	memset(p, 0, MACH_PAD);
	memcpy(p, MACHINE, MACH_LEN);
	p += MACH_PAD;
	p = put32(p, 0); /* uid */
	p = put32(p, 0); /* gid */
	p = put32(p, 0); /* no supplementary gids */
	p = put32(p, 0); /* verifier AUTH_NONE */
	put32(p, 0);
}

int rpc_reply_body(const struct rpc_call *call, size_t *body, char *err,
		   size_t errlen)
{
	const uint8_t *b = call->rbuf;
	size_t n = call->rlen;

	if (n < 12 || get32(b + 4) != 1) {
		snprintf(err, errlen, "malformed RPC reply");
		return -EPROTO;
	}
	if (get32(b + 8) != 0) { /* MSG_DENIED */
		uint32_t why = n >= 16 ? get32(b + 12) : 99;
		snprintf(err, errlen, "RPC call denied (%s)",
			 why == 0 ? "RPC_MISMATCH" : "AUTH_ERROR");
		return -EPROTO;
	}
	if (n < 20) {
		snprintf(err, errlen, "short RPC reply");
		return -EPROTO;
	}
	uint32_t vlen = get32(b + 16);
	size_t off = 20 + ((vlen + 3) & ~3u);
	if (vlen > 400 || off + 4 > n) {
		snprintf(err, errlen, "malformed RPC reply verifier");
		return -EPROTO;
	}
	uint32_t stat = get32(b + off);
	if (stat != 0) {
		static const char *const names[] = {
			"SUCCESS", "PROG_UNAVAIL", "PROG_MISMATCH",
			"PROC_UNAVAIL", "GARBAGE_ARGS", "SYSTEM_ERR" };
		snprintf(err, errlen, "RPC accept_stat %s",
			 stat < 6 ? names[stat] : "?");
		return -EPROTO;
	}
	*body = off + 4;
	return 0;
}

/* ---- calls -------------------------------------------------------- */

static int send_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Take CALL back from the waiting table if the receiver has not; else
 * wait for the receiver's post (whoever removes a call from the table
 * posts it, except this function). */
static int reclaim(struct rpc_conn *c, struct rpc_call *call, int err)
{
	struct rpc_call *expect = call;
	if (atomic_compare_exchange_strong(&c->waiting[call->xid & 0xff],
					   &expect, NULL))
		return err;
	while (sem_wait(&call->done) < 0 && errno == EINTR)
		;
	return call->err ? call->err : err;
}

/* Break the connection and wait until the receiver has let go of CALL
 * (it may be copying a reply into CALL->rbuf right now): after the
 * shutdown it either delivers the reply or fails every waiter. */
static int abandon(struct rpc_conn *c, struct rpc_call *call, int err)
{
	atomic_store(&c->dead, 1);
	shutdown(c->fd, SHUT_RDWR);
	while (sem_wait(&call->done) < 0 && errno == EINTR)
		;
	return err;
}

int rpc_conn_call(struct rpc_conn *c, struct rpc_call *call,
		  const uint8_t *buf, size_t len, int timeout_ms)
{
	struct timespec dl;
	int rc;

	call->err = 0;
	call->rlen = 0;
	atomic_store(&c->waiting[call->xid & 0xff], call);
	if (atomic_load(&c->dead))
		return reclaim(c, call, -EPIPE);
	pthread_mutex_lock(&c->send_lock);
	rc = send_all(c->fd, buf, len);
	pthread_mutex_unlock(&c->send_lock);
	if (rc < 0)
		return abandon(c, call, rc);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += timeout_ms / 1000;
	dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	while ((rc = sem_timedwait(&call->done, &dl)) < 0 && errno == EINTR)
		;
	if (rc < 0)
		return abandon(c, call, -ETIMEDOUT);
	return call->err;
}
