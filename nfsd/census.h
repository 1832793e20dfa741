/*
 * nfsd/census.h — counts of the server's clients and their state, for
 * operators: the totals behind the Prometheus gauges (metrics_text.h) and
 * one row per client for `strata clients` (CTL_CLIENTS), in the spirit of
 * knfsd's /proc/fs/nfsd/clients/<id>/{info,states}.
 *
 * Threads: both functions need srv->state_lock; they walk every client
 * and stateid once (O(clients + stateids)), so callers bound how often
 * they run (metrics_text.c caches the totals for a second).
 */
#ifndef STRATA_NFSD_CENSUS_H
#define STRATA_NFSD_CENSUS_H

#include <stddef.h>
#include <stdint.h>

struct strata_server;

struct census_client {
	uint64_t clientid;
	char owner[128];      /* co_ownerid, non-printable bytes as \xNN */
	char addr[64];        /* a bound connection's peer, or "" */
	uint32_t minor;       /* minor version (always 1 today) */
	int confirmed;
	int courtesy;         /* lease ran out, state kept (courteous) */
	uint32_t lease_age;   /* seconds since the last renewal */
	unsigned sessions;
	unsigned opens;       /* open stateids */
	unsigned locks;       /* byte ranges locked */
	unsigned delegations; /* not revoked */
	unsigned layouts;     /* layout stateids */
	unsigned revoked;     /* revoked delegations not yet freed */
};

struct census_totals {
	unsigned clients_confirmed; /* lease current */
	unsigned clients_courtesy;  /* lease ran out, state kept */
	unsigned clients_unconfirmed;
	unsigned sessions;
	unsigned opens, locks, delegations, layouts;
};

void census_totals(struct strata_server *srv, struct census_totals *t);

/* Up to MAX rows into ROWS (oldest client first is not promised);
 * returns how many clients there are (may exceed MAX). */
size_t census_clients(struct strata_server *srv, struct census_client *rows,
		      size_t max);

#endif
