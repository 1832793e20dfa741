/* pnfs/ds_xprts.c — see ds_xprts.h. */
#include "ds_xprts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl_client.h"
#include "ctl_prot.h"
#include "log.h"

#define XPRTS_TIMEOUT_MS 10000

int ds_xprts_unspecified(const char *addr)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (!addr[0])
		return 1;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return a4.s_addr == htonl(INADDR_ANY);
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_UNSPECIFIED(&a6);
	return 0;
}

/* A usable entry: netid rdma/rdma6 matching a numeric address of that
 * family (or an unspecified one), a port. */
static int usable(const ctl_transport *t)
{
	unsigned char bin[sizeof(struct in6_addr)];
	int v6 = strcmp(t->netid, "rdma6") == 0;

	if (!v6 && strcmp(t->netid, "rdma") != 0)
		return 0;
	if (t->port == 0 || t->port > 65535 || strlen(t->addr) >= 64)
		return 0;
	if (!t->addr[0])
		return 1;
	return inet_pton(v6 ? AF_INET6 : AF_INET, t->addr, bin) == 1;
}

int ds_xprts_rdma(struct ctl_conn *conn, struct ds_rdma_ep *ep)
{
	ctl_transports_res r;
	int found = 0;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = ctl_call(conn, CTL_TRANSPORTS, NULL, NULL,
		      (xdrproc_t)xdr_ctl_transports_res, &r, XPRTS_TIMEOUT_MS);
	if (rc == -EOPNOTSUPP)
		return 0; /* an older data server: TCP only */
	if (rc < 0)
		return rc;
	for (u_int i = 0; r.status == 0 && !found &&
			  i < r.transports.transports_len; i++) {
		const ctl_transport *t = &r.transports.transports_val[i];

		if (strncmp(t->netid, "rdma", 4) != 0)
			continue; /* a transport this MDS does not know */
		if (!usable(t)) {
			log_warn("data server reported an unusable RDMA "
				 "endpoint (%.16s %.80s port %u): TCP only",
				 t->netid, t->addr, t->port);
			continue;
		}
		snprintf(ep->netid, sizeof(ep->netid), "%s", t->netid);
		snprintf(ep->addr, sizeof(ep->addr), "%s", t->addr);
		ep->port = (uint16_t)t->port;
		found = 1;
	}
	xdr_free((xdrproc_t)xdr_ctl_transports_res, &r);
	return found;
}
