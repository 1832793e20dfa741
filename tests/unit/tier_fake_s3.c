/*
 * tests/unit/tier_fake_s3.c -- the scripted HTTP server (tier_fake_s3.h).
 * A thread accepts; each connection has its own thread (curl's multi
 * interface keeps several open at once) serving requests one after the
 * other on it. Enough HTTP/1.1 for libcurl: Content-Length bodies,
 * "Expect: 100-continue", keep-alive.
 */
#include "tier_fake_s3.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn {
	struct fake_s3 *f;
	int fd;
};

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Receive into BUF (at *LEN of CAP) until NEED bytes are there or the
 * peer goes; -1 on close, error or stop. */
static int recv_some(struct fake_s3 *f, int fd, char *buf, size_t cap,
		     size_t *len)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, 100);
		if (f->stop)
			return -1;
		if (r <= 0)
			continue;
		ssize_t n = recv(fd, buf + *len, cap - *len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		*len += (size_t)n;
		return 0;
	}
}

static void header(const char *hdrs, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);

	out[0] = '\0';
	for (const char *l = hdrs; l && *l; l = strstr(l, "\r\n") ? strstr(l, "\r\n") + 2 : NULL) {
		if (!strncasecmp(l, name, nl) && l[nl] == ':') {
			const char *v = l + nl + 1, *e = strstr(v, "\r\n");
			while (*v == ' ')
				v++;
			size_t vl = e ? (size_t)(e - v) : strlen(v);
			if (vl >= cap)
				vl = cap - 1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return;
		}
	}
}

static void *serve(void *arg)
{
	struct conn *c = arg;
	struct fake_s3 *f = c->f;
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap);

	while (buf) {
		char *end, cl[32], expect[32], *body = NULL;
		struct fake_req rq;
		struct fake_resp rs;

		while (!(end = memmem(buf, len, "\r\n\r\n", 4)))
			if (len == cap || recv_some(f, c->fd, buf, cap, &len))
				goto out;
		*end = '\0';
		memset(&rq, 0, sizeof(rq));
		sscanf(buf, "%7s %1023s", rq.method, rq.target);
		char *hdrs = strstr(buf, "\r\n");
		hdrs = hdrs ? hdrs + 2 : end;
		header(hdrs, "Authorization", rq.auth, sizeof(rq.auth));
		header(hdrs, "Range", rq.range, sizeof(rq.range));
		header(hdrs, "x-amz-content-sha256", rq.sha_hdr,
		       sizeof(rq.sha_hdr));
		header(hdrs, "Content-Type", rq.ctype, sizeof(rq.ctype));
		header(hdrs, "Content-Length", cl, sizeof(cl));
		header(hdrs, "Expect", expect, sizeof(expect));
		rq.body_len = strtoull(cl, NULL, 10);
		size_t hlen = (size_t)(end - buf) + 4;
		memmove(buf, buf + hlen, len - hlen);
		len -= hlen;
		if (rq.body_len) {
			if (expect[0] &&
			    send_all(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25))
				goto out;
			body = malloc(rq.body_len);
			size_t have = len < rq.body_len ? len : rq.body_len;
			memcpy(body, buf, have);
			memmove(buf, buf + have, len - have);
			len -= have;
			while (have < rq.body_len) {
				ssize_t n = recv(c->fd, body + have,
						 rq.body_len - have, 0);
				if (n <= 0) {
					free(body);
					goto out;
				}
				have += (size_t)n;
			}
			for (size_t i = 0; i < rq.body_len; i++)
				rq.body_sum += (unsigned char)body[i];
		}
		memset(&rs, 0, sizeof(rs));
		rs.status = 200;
		pthread_mutex_lock(&f->mu);
		if (f->nreq < FAKE_LOG_MAX)
			f->log[f->nreq] = rq;
		f->nreq++;
		f->handler(f->arg, &rq, body, &rs);
		pthread_mutex_unlock(&f->mu);
		free(body);
		if (rs.hangup)
			goto out;
		size_t blen = rs.body ? (rs.body_len ? rs.body_len
						     : strlen(rs.body))
				      : 0;
		char head[1024];
		int hn = snprintf(head, sizeof(head),
				  "HTTP/1.1 %d X\r\nContent-Length: %llu\r\n"
				  "%s\r\n",
				  rs.status,
				  strcmp(rq.method, "HEAD")
					  ? (unsigned long long)blen
					  : rs.head_len,
				  rs.headers);
		if (send_all(c->fd, head, (size_t)hn))
			goto out;
		if (strcmp(rq.method, "HEAD") && blen &&
		    send_all(c->fd, rs.body, blen))
			goto out;
	}
out:
	free(buf);
	close(c->fd);
	free(c);
	return NULL;
}

static void *accept_loop(void *arg)
{
	struct fake_s3 *f = arg;

	while (!f->stop) {
		struct pollfd p = {.fd = f->lfd, .events = POLLIN};
		if (poll(&p, 1, 100) <= 0)
			continue;
		int fd = accept(f->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		struct conn *c = malloc(sizeof(*c));
		c->f = f;
		c->fd = fd;
		if (f->nconns == FAKE_CONN_MAX ||
		    pthread_create(&f->conns[f->nconns], NULL, serve, c)) {
			close(fd);
			free(c);
			continue;
		}
		f->nconns++;
	}
	for (int i = 0; i < f->nconns; i++)
		pthread_join(f->conns[i], NULL);
	return NULL;
}

int fake_s3_start(struct fake_s3 *f, fake_handler h, void *arg)
{
	/* the first free of 10 ports from 28090, or from
	 * $STRATA_FAKE_S3_PORT (runs that must keep to their own ports) */
	const char *env = getenv("STRATA_FAKE_S3_PORT");
	int base = env && atoi(env) > 1024 && atoi(env) < 65500 ? atoi(env)
								 : 28090;

	memset(f, 0, sizeof(*f));
	f->handler = h;
	f->arg = arg;
	pthread_mutex_init(&f->mu, NULL);
	for (int port = base; port <= base + 9; port++) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_port = htons((uint16_t)port)};
		int one = 1;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		setsockopt(f->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(f->lfd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    listen(f->lfd, 16) == 0) {
			f->port = port;
			return pthread_create(&f->acceptor, NULL, accept_loop,
					      f)
				       ? -1
				       : 0;
		}
		close(f->lfd);
	}
	return -1;
}

void fake_s3_stop(struct fake_s3 *f)
{
	f->stop = 1;
	pthread_join(f->acceptor, NULL);
	close(f->lfd);
	pthread_mutex_destroy(&f->mu);
}
