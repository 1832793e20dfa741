/*
 * nfsd/xprt_tcp.h — ONC RPC over TCP with record marking (RFC 5531 §11).
 *
 * One listener thread accepts; each connection gets a receive thread that
 * reassembles multi-fragment records and hands each whole message to the
 * delivery callback, in arrival order (requests pipelined on a connection
 * are answered in order). Sockets use TCP_NODELAY.
 *
 * A record larger than max_msg is drained and answered with an RPC
 * GARBAGE_ARGS reply (its xid taken from the first fragment); a record that
 * cannot even be drained within a hard bound closes the connection.
 *
 * A send that makes no progress for XPRT_SEND_TIMEOUT_S seconds (the peer
 * stopped reading) fails and shuts the connection down.
 *
 * Ownership: struct xprt_tcp_listener is owned by the caller of
 * xprt_tcp_listen() and released by xprt_tcp_stop(), which closes the
 * listening socket, shuts every connection down and joins all threads.
 */
#ifndef STRATA_NFSD_XPRT_TCP_H
#define STRATA_NFSD_XPRT_TCP_H

#include "xprt.h"

#define XPRT_SEND_TIMEOUT_S 10

struct xprt_tcp_listener;

/* Listen on ADDR:PORT (ADDR numeric, IPv4 or IPv6). PORT 0 picks one;
 * *bound_port (may be NULL) gets the port. 0 or -errno. */
int xprt_tcp_listen(struct xprt_tcp_listener **out, const char *addr,
		    uint16_t port, size_t max_msg, xprt_deliver_fn deliver,
		    void *ctx, uint16_t *bound_port);
void xprt_tcp_stop(struct xprt_tcp_listener *l);

#endif
