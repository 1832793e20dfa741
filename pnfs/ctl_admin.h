/*
 * pnfs/ctl_admin.h — the administration procedures of the control
 * protocol (CTL_INFO .. CTL_OPSTATS in pnfs/ctl_prot.x), which the
 * `strata` CLI (tools/strata.c) calls. Each builder fills a result for
 * pnfs/ctl_svc.c to send, then ctl_admin_free() releases what it
 * allocated (the results point into buffers the builder owns; never pass
 * them to xdr_free).
 *
 * Threads: any; builders that read client state (CTL_INFO's grace,
 * CTL_CLIENTS) take srv->state_lock themselves, so the caller must not
 * hold it. Status builders never wait for a data server (the keeper's
 * last heartbeat is used, pnfs/cluster.h).
 */
#ifndef STRATA_PNFS_CTL_ADMIN_H
#define STRATA_PNFS_CTL_ADMIN_H

#include <stdint.h>

#include "ctl_prot.h"

struct strata_server;

/* The result of one administration call: which arm is filled, and the
 * memory behind it. */
struct ctl_admin_res {
	uint32_t proc;
	union {
		ctl_info_res info;
		ctl_status_res status;
		ctl_clients_res clients;
		ctl_exports_res exports;
		ctl_opstats_res opstats;
	} u;
	xdrproc_t xdr;   /* encoder of the filled arm */
	void *mem[4];    /* allocations to free */
};

/* Fill R for PROC (one of CTL_INFO .. CTL_OPSTATS). A failure is an
 * errno status in the result (ENOMEM; ENOTSUP for STATUS and EXPORTS on
 * a data server). */
void ctl_admin_build(struct strata_server *srv, uint32_t proc,
		     struct ctl_admin_res *r);
void ctl_admin_free(struct ctl_admin_res *r);

#endif
