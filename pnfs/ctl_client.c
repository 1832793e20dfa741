/* pnfs/ctl_client.c — see ctl_client.h. */
#include "ctl_client.h"
#include "netaddr.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "ctl_prot.h"
#include "mac.h"

struct ctl_conn {
	CLIENT *cl;
	int fd;
	struct sockaddr_storage sa;
	socklen_t salen;
};

/* Non-blocking connect bounded by TIMEOUT_MS; returns a blocking fd. */
static int connect_timed(const struct sockaddr_storage *ss, socklen_t len,
			 int timeout_ms)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1, err = 0;
	socklen_t el = sizeof(err);
	struct pollfd p;

	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (connect(fd, (const struct sockaddr *)ss, len) < 0) {
		if (errno != EINPROGRESS) {
			err = errno;
			close(fd);
			return -err;
		}
		p.fd = fd;
		p.events = POLLOUT;
		if (poll(&p, 1, timeout_ms) != 1) {
			close(fd);
			return -ETIMEDOUT;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 ||
		    err) {
			close(fd);
			return -(err ? err : EIO);
		}
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* xdr_void's prototype takes no arguments; this one matches xdrproc_t. */
static bool_t xdr_nothing(XDR *x, ...)
{
	(void)x;
	return TRUE;
}

int ctl_call(struct ctl_conn *c, uint32_t proc, xdrproc_t xargs, void *args,
	     xdrproc_t xres, void *res, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	enum clnt_stat st;

	st = clnt_call(c->cl, proc, xargs ? xargs : xdr_nothing, args,
		       xres ? xres : xdr_nothing, res, tv);
	switch (st) {
	case RPC_SUCCESS:
		return 0;
	case RPC_TIMEDOUT:
		return -ETIMEDOUT;
	case RPC_CANTSEND:
	case RPC_CANTRECV:
		return -EPIPE;
	case RPC_PROCUNAVAIL:
	case RPC_PROGUNAVAIL:
	case RPC_PROGVERSMISMATCH:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

static int authenticate(struct ctl_conn *c, const struct mac_key *k,
			unsigned mds_node, uint32_t epoch, int timeout_ms)
{
	ctl_nonce nonce;
	ctl_auth_args a;
	int st = -1, rc;

	memset(nonce, 0, sizeof(nonce));
	rc = ctl_call(c, CTL_CHALLENGE, NULL, NULL, (xdrproc_t)xdr_ctl_nonce,
		      nonce, timeout_ms);
	if (rc < 0)
		return rc;
	memset(&a, 0, sizeof(a));
	mac_compute(k, MAC_DOMAIN_CTL_AUTH, nonce, CTL_NONCE_LEN,
		    (uint8_t *)a.mac, CTL_MAC_LEN);
	a.is_mds = mds_node ? TRUE : FALSE;
	a.mds_epoch = epoch;
	a.mds_node = mds_node;
	rc = ctl_call(c, CTL_AUTH, (xdrproc_t)xdr_ctl_auth_args, &a,
		      (xdrproc_t)xdr_int, &st, timeout_ms);
	if (rc < 0)
		return rc;
	return st == 0 ? 0 : -EACCES;
}

int ctl_connect(struct ctl_conn **out, const char *addr, uint16_t port,
		const struct mac_key *k, unsigned mds_node, uint32_t epoch,
		int timeout_ms)
{
	struct ctl_conn *c = calloc(1, sizeof(*c));
	struct netbuf nb;
	int rc;

	if (!c)
		return -ENOMEM;
	rc = netaddr_resolve(addr, port, &c->sa, &c->salen);
	if (rc == 0)
		rc = c->fd = connect_timed(&c->sa, c->salen, timeout_ms);
	if (rc < 0) {
		free(c);
		return rc;
	}
	nb.buf = &c->sa;
	nb.len = nb.maxlen = c->salen;
	c->cl = clnt_vc_create(c->fd, &nb, STRATA_CTL_PROG,
			       STRATA_CTL_V2, 0, 0);
	if (!c->cl) {
		close(c->fd);
		free(c);
		return -EIO;
	}
	/* clnt_destroy closes the socket. */
	clnt_control(c->cl, CLSET_FD_CLOSE, NULL);
	rc = authenticate(c, k, mds_node, epoch, timeout_ms);
	if (rc < 0) {
		ctl_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

int ctl_parse_hostport(const char *s, char *addr, size_t cap, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	size_t n;
	long p;
	char *end;

	if (!colon)
		return -1;
	n = (size_t)(colon - s);
	if (n == 0 || n >= cap)
		return -1;
	memcpy(addr, s, n);
	addr[n] = 0;
	p = strtol(colon + 1, &end, 10);
	if (*end || p <= 0 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

int ctl_dead(struct ctl_conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN | POLLRDHUP };

	/* Between calls nothing is due from the server: anything to read
	 * there is its end of the connection (or garbage). */
	if (poll(&p, 1, 0) < 0)
		return 0;
	return (p.revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

int ctl_detach(struct ctl_conn *c)
{
	int fd = c->fd;

	clnt_control(c->cl, CLSET_FD_NCLOSE, NULL);
	clnt_destroy(c->cl);
	free(c);
	return fd;
}

void ctl_close(struct ctl_conn *c)
{
	if (!c)
		return;
	clnt_destroy(c->cl);
	free(c);
}
