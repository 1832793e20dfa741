/* nfsd/metrics_http.c — see metrics_http.h. */
#include "metrics_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "metrics_text.h"
#include "netaddr.h"
#include "server.h"

#define HTTP_MAX_CONNS 64       /* in total */
#define HTTP_MAX_PER_IP 16
#define HTTP_IDLE_TIMEOUT_S 10
#define SNAP_MAX_AGE_NS 1000000000ull

struct metrics_http {
	struct strata_server *srv;
	struct MHD_Daemon *daemon;
	pthread_mutex_t snap_lock; /* snap, snap_ns */
	struct metrics_snap snap;
	uint64_t snap_ns;          /* when snap was taken; 0: never */
};

/* A snapshot of the locked state at most a second old. */
static void fresh_snap(struct metrics_http *h, struct metrics_snap *out)
{
	uint64_t now = metrics_now_ns();

	pthread_mutex_lock(&h->snap_lock);
	if (h->snap_ns == 0 || now - h->snap_ns >= SNAP_MAX_AGE_NS) {
		metrics_snap_take(h->srv, &h->snap);
		h->snap_ns = metrics_now_ns();
	}
	*out = h->snap;
	pthread_mutex_unlock(&h->snap_lock);
}

static enum MHD_Result answer_text(struct MHD_Connection *conn,
				   unsigned code, const char *type,
				   char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer_plain(struct MHD_Connection *conn,
				    unsigned code, const char *msg)
{
	char *body = strdup(msg);

	if (!body)
		return MHD_NO;
	return answer_text(conn, code, "text/plain; charset=utf-8", body,
			   strlen(body));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct metrics_http *h = cls;
	struct metrics_snap snap;
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer_plain(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				    "only GET\n");
	if (*upload_size) { /* a GET with a body: ignore it */
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/metrics") != 0)
		return answer_plain(conn, MHD_HTTP_NOT_FOUND,
				    "Strata: metrics are at /metrics\n");
	fresh_snap(h, &snap);
	f = open_memstream(&body, &len);
	if (!f)
		return answer_plain(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				    "out of memory\n");
	if (metrics_text_write(h->srv, &snap, f) < 0 || fclose(f) != 0) {
		free(body);
		return answer_plain(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				    "out of memory\n");
	}
	return answer_text(conn, MHD_HTTP_OK,
			   "text/plain; version=0.0.4; charset=utf-8", body,
			   len);
}

int metrics_http_start(struct metrics_http **out, struct strata_server *srv,
		       const char *addr, uint16_t port)
{
	struct metrics_http *h;
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;

	if (netaddr_resolve(addr, port, &ss, NULL) < 0)
		return -EINVAL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->srv = srv;
	pthread_mutex_init(&h->snap_lock, NULL);
	h->daemon = MHD_start_daemon(
		flags, port, NULL, NULL, on_request, h,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_MAX_PER_IP,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
		MHD_OPTION_END);
	if (!h->daemon) {
		int e = errno ? errno : EADDRINUSE;
		pthread_mutex_destroy(&h->snap_lock);
		free(h);
		return -e;
	}
	*out = h;
	return 0;
}

void metrics_http_stop(struct metrics_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon);
	pthread_mutex_destroy(&h->snap_lock);
	free(h);
}
