/*
 * nfsd/netaddr.h — a numeric IPv4 or IPv6 address and a port as a socket
 * address (no name lookup: servers and the control protocol take
 * literals). Pure function, any thread.
 */
#ifndef STRATA_NFSD_NETADDR_H
#define STRATA_NFSD_NETADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* 0 with *SS and *LEN (may be NULL) filled, or -EINVAL. */
int netaddr_resolve(const char *addr, uint16_t port,
		    struct sockaddr_storage *ss, socklen_t *len);

/* "ADDR:PORT" or "[V6ADDR]:PORT" into ADDR (CAP bytes, the address not
 * checked) and *PORT (1..65535). 0, or -1. */
int netaddr_split(const char *s, char *addr, size_t cap, uint16_t *port);

#endif
