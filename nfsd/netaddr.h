/*
 * nfsd/netaddr.h — a numeric IPv4 or IPv6 address and a port as a socket
 * address (no name lookup: servers and the control protocol take
 * literals). Pure function, any thread.
 */
#ifndef STRATA_NFSD_NETADDR_H
#define STRATA_NFSD_NETADDR_H

#include <stdint.h>
#include <sys/socket.h>

/* 0 with *SS and *LEN (may be NULL) filled, or -EINVAL. */
int netaddr_resolve(const char *addr, uint16_t port,
		    struct sockaddr_storage *ss, socklen_t *len);

#endif
