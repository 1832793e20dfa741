/*
 * pnfs/ds_xprts.h — the metadata server asks a data server where it
 * serves NFS besides its TCP address (CTL_TRANSPORTS, pnfs/ctl_prot.x;
 * docs/decisions/0029): today its RPC-over-RDMA listener, which
 * GETDEVICEINFO then lists before the TCP address (pnfs/op_device.c).
 * Runs on a freshly authenticated and greeted control connection.
 *
 * Threads: the caller's (pnfs/cluster.c holds the data server's link
 * lock). No state.
 */
#ifndef STRATA_PNFS_DS_XPRTS_H
#define STRATA_PNFS_DS_XPRTS_H

#include <stdint.h>

struct ctl_conn;

/* A data server's RPC-over-RDMA endpoint as it reported it: netid
 * "rdma" or "rdma6" (RFC 5665), the numeric address its listener bound
 * (possibly unspecified: 0.0.0.0 or ::) and the port. */
struct ds_rdma_ep {
	char netid[8];
	char addr[64];
	uint16_t port;
};

/* Ask the data server on CONN. 1 and *EP when it serves RDMA; 0 when it
 * does not, or is older than CTL_TRANSPORTS (PROC_UNAVAIL) or reported
 * something unusable (logged); -errno when the call failed (the
 * connection is no longer usable). */
int ds_xprts_rdma(struct ctl_conn *conn, struct ds_rdma_ep *ep);

/* 1 when ADDR is an unspecified address (0.0.0.0, ::) or empty: the data
 * server listens on every address; clients are then given its advertised
 * one. */
int ds_xprts_unspecified(const char *addr);

#endif
