/*
 * pnfs/ctl_client.h — a client connection to a Strata server's control
 * program (pnfs/ctl_prot.x) over TCP, built on libtirpc's CLIENT
 * (clnt_vc: record marking, xids, timeouts). ctl_connect() connects and
 * proves the cluster key (CHALLENGE + AUTH) before returning.
 *
 * Ownership: the caller owns the struct ctl_conn (ctl_close()).
 * Threads: a ctl_conn is used by one thread at a time; callers serialise
 * (pnfs/cluster.c keeps one per data server under a mutex).
 */
#ifndef STRATA_PNFS_CTL_CLIENT_H
#define STRATA_PNFS_CTL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <rpc/rpc.h>

struct mac_key;
struct ctl_conn;

/* Connect to ADDR:PORT within TIMEOUT_MS and authenticate. MDS_NODE (a
 * metadata node's id; 0: the caller is no metadata node) and EPOCH (that
 * node's boot epoch) are told to a data server. 0 or -errno (-EACCES: the
 * key was refused). */
int ctl_connect(struct ctl_conn **out, const char *addr, uint16_t port,
		const struct mac_key *k, unsigned mds_node, uint32_t epoch,
		int timeout_ms);
void ctl_close(struct ctl_conn *c);
/* Free C but keep its connected, authenticated socket: returns the fd,
 * now the caller's (pnfs/peer_client.c speaks another program on it). */
int ctl_detach(struct ctl_conn *c);
/* "ADDR:PORT" into ADDR (CAP bytes) and *PORT, for the tools. 0 or -1. */
int ctl_parse_hostport(const char *s, char *addr, size_t cap, uint16_t *port);
/* 1 when the server closed its end while no call was in flight (its
 * process restarted): close and reconnect. Does not block. */
int ctl_dead(struct ctl_conn *c);

/* One call. 0, or -errno: -ETIMEDOUT / -EPIPE mean the connection is no
 * longer usable (close it and reconnect). RES is filled by XRES; free it
 * with xdr_free(XRES, RES). */
int ctl_call(struct ctl_conn *c, uint32_t proc, xdrproc_t xargs, void *args,
	     xdrproc_t xres, void *res, int timeout_ms);

#endif
