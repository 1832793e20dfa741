/*
 * pnfs/ds_greet.h — the metadata server's side of the identity handshake
 * with one data server (docs/decisions/0019): CTL_HELLO, the decision of
 * pnfs/ds_ident.h against the registry (pnfs/ds_registry.h), CTL_VERDICT,
 * and the registry's update. Runs on a freshly authenticated control
 * connection, before any other call on it.
 *
 * Threads: the caller's (pnfs/cluster.c holds the data server's link lock).
 */
#ifndef STRATA_PNFS_DS_GREET_H
#define STRATA_PNFS_DS_GREET_H

#include <stddef.h>
#include <stdint.h>

struct ctl_conn;
struct ds_registry;

/* Greet the data server of SLOT on CONN. 0: it serves (now or after a new
 * identity); -ENODEV: it is quarantined (*WHY: static text saying why);
 * other -errno: the connection failed (close it, try later). *REPLACED is
 * set to 1 when the slot's previous store was replaced (its stripes are
 * lost: the caller says so loudly). */
int ds_greet(struct ctl_conn *conn, struct ds_registry *reg, uint32_t slot,
	     const char **why, int *replaced);

#endif
