/*
 * nfsd/metrics_http.h — the Prometheus endpoint: GET /metrics over HTTP
 * (libmicrohttpd, docs/decisions/0022-metrics-and-admin-cli.md) on the configured
 * address and port (metrics_listen, metrics_port; loopback by default).
 *
 * Isolation from NFS service: libmicrohttpd runs its own single thread
 * (internal polling with epoll), with a cap on connections in total and
 * per client address and an idle timeout, so a flood or a slow reader on
 * the metrics port costs that thread only. A scrape reads atomics; the
 * state counts that need srv->state_lock are taken at most once a second
 * whatever the request rate (metrics_text.h).
 *
 * Ownership: struct metrics_http belongs to the server (srv->http);
 * metrics_http_start() creates it, metrics_http_stop() joins the thread
 * and frees it. Everything inside is touched by the HTTP thread only,
 * except the snapshot (its own mutex).
 */
#ifndef STRATA_NFSD_METRICS_HTTP_H
#define STRATA_NFSD_METRICS_HTTP_H

#include <stdint.h>

struct strata_server;
struct metrics_http;

/* Listen on ADDR:PORT (IPv4 or IPv6 literal). 0, or -errno
 * (-EADDRINUSE, -EINVAL for a bad address). */
int metrics_http_start(struct metrics_http **out, struct strata_server *srv,
		       const char *addr, uint16_t port);
void metrics_http_stop(struct metrics_http *h);

#endif
