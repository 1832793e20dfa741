/*
 * pnfs/cluster_internal.h — the inside of struct cluster, shared by
 * pnfs/cluster.c (links, striped I/O, object management) and
 * pnfs/cluster_keeper.c (the keeper thread: reconnects, greets and
 * heartbeats every data server). Not for other modules: they use
 * cluster.h.
 *
 * Locks: each link's `lock` is held across one control call on its
 * connection (bounded by timeouts); `hlock` guards only the health fields
 * and the RDMA endpoint and is never held across a call, so status
 * readers (metrics, the admin CLI, GETDEVICEINFO) never wait for a data
 * server.
 */
#ifndef STRATA_PNFS_CLUSTER_INTERNAL_H
#define STRATA_PNFS_CLUSTER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "cluster.h"
#include "ds_xprts.h"
#include "mac.h"
#include "server.h"

struct ctl_conn;
struct ds_registry;
struct fence_table;

struct ds_link {
	pthread_mutex_t lock; /* conn, was_down, quarantined, next_try */
	struct ctl_conn *conn;
	int was_down;
	int quarantined;       /* its store failed the identity check */
	time_t next_try;
	unsigned sent_revokes; /* how many of c->revoked this DS has */
	/* Health, under hlock (see above). */
	pthread_mutex_t hlock;
	int alive;             /* answered the last heartbeat; cleared when
				  its connection is dropped */
	int hquarantined;      /* mirror of quarantined */
	time_t last_ok;        /* monotonic seconds of that answer; 0 never */
	struct ds_health info; /* its last CTL_INFO (state fields unused) */
	int has_rdma;          /* its RDMA endpoint, as it last reported it */
	struct ds_rdma_ep rdma;
};

struct cluster {
	struct mac_key key;
	uint32_t mds_epoch;
	unsigned node;         /* this metadata node's id (1 alone) */
	uint32_t stripe_unit;
	uint32_t heartbeat;    /* seconds: keeper period, heartbeat timeout */
	unsigned nds;
	struct ds_endpoint ds[STRATA_MAX_DS];
	struct ds_link link[STRATA_MAX_DS];
	atomic_uint dev_epoch;
	atomic_uint nquarantined;
	struct ds_registry *reg; /* the stores' identities (its own lock) */
	/* The keeper (cluster_keeper.c): connects to every data server that
	 * has no connection (at start, after a restart, while quarantined),
	 * so one is greeted, and a bad store reported, without waiting for a
	 * client to need it; a restarted data server, whose clients wait
	 * (DELAY) for the MDS's verdict, gets it within a heartbeat; and it
	 * asks each connected one CTL_INFO every heartbeat (its health). */
	pthread_t keeper;
	pthread_mutex_t keeper_lock; /* keeper_stop */
	pthread_cond_t keeper_wake;
	int keeper_stop, keeper_running;
	/* Fences, re-sent on every new connection (fence_table.h; its
	 * own lock). */
	struct fence_table *fences;
	pthread_mutex_t rev_lock; /* revoked, nrevoked */
	uint8_t (*revoked)[12];
	unsigned nrevoked, caprevoked;
};

/* Monotonic seconds. */
time_t cluster_now_s(void);

/* Lock DS I's link and make sure it is connected. 0 with the lock held,
 * or without it -EAGAIN (unreachable now) or -ENODEV (quarantined). */
int cluster_link_get(struct cluster *c, unsigned i, struct ds_link **out);
/* Release after a call that returned RC; a dead connection is dropped. */
void cluster_link_put(struct ds_link *l, int rc);

/* Record a change of DS I's link health (hlock taken inside). */
void cluster_health_down(struct ds_link *l);

int cluster_keeper_start(struct cluster *c);
void cluster_keeper_stop(struct cluster *c);

#endif
