/*
 * pnfs/cluster.h — the metadata server's view of its data servers: one
 * authenticated control connection per DS (pnfs/ctl_client.h), reconnected
 * on demand; the stripe geometry of each file (layout/layout.h); and file
 * I/O striped over the DSs, so the MDS can always serve READ/WRITE itself
 * (the Linux client falls back to MDS I/O on any layout or DS error).
 *
 * Device ids: one device lists every DS. Its id carries an availability
 * epoch that is bumped whenever a DS that was unreachable answers again,
 * so layouts handed out afterwards name a device the client has not
 * marked unavailable (Linux waits 120 s before retrying a failed deviceid).
 *
 * Identity (docs/decisions/0019): every new control connection starts
 * with the identity handshake (pnfs/ds_greet.h) against the registry kept
 * in the MDS's data_dir/dsreg (pnfs/ds_registry.h). A data server whose
 * store fails it is quarantined: no call reaches it (-ENODEV) and it is
 * checked again at most every 2 s, so restoring its directory and
 * restarting it (or restarting it with --replace) brings it back.
 *
 * Errors: 0 / byte counts, or -errno; -EAGAIN when a DS cannot be reached
 * now (callers answer NFS4ERR_DELAY or NFS4ERR_LAYOUTTRYLATER); -ENODEV
 * for a quarantined one.
 *
 * Threads: any. Each DS link has its own mutex, held across one control
 * call (bounded by timeouts); the revocation list has its own.
 */
#ifndef STRATA_PNFS_CLUSTER_H
#define STRATA_PNFS_CLUSTER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "layout.h"

struct cluster;
struct strata_config;
struct ds_endpoint;
struct mac_key;

#define CLUSTER_DEVICEID_LEN 16

/* Who this metadata node is to its data servers. Several nodes of a
 * cluster share the data servers (decision 0036): each tells them its
 * node id with its boot epoch (a data server keeps one epoch per node),
 * and all agree on the cluster id of the data servers' identities. */
struct cluster_self {
	unsigned node;      /* 1 alone; the cluster map's node id */
	uint32_t epoch;     /* this node's boot epoch */
	const uint8_t *cluster_id; /* CLUSTER_ID_LEN bytes for a new
				      registry; NULL: a random one */
};
#define CLUSTER_ID_LEN 16

int cluster_open(struct cluster **out, const struct strata_config *cfg,
		 const struct mac_key *k, const struct cluster_self *self);
void cluster_close(struct cluster *c);

unsigned cluster_nds(const struct cluster *c);
const struct ds_endpoint *cluster_ds(const struct cluster *c, unsigned i);
uint32_t cluster_stripe_unit(const struct cluster *c);

/* Geometry of FILEID's stripes (dense, first index rotated per file). */
void cluster_geom(const struct cluster *c, uint64_t fileid,
		  struct layout_geom *g);

/* The current device id; 1 if ID is one of ours (any epoch). */
void cluster_deviceid(struct cluster *c, uint8_t id[CLUSTER_DEVICEID_LEN]);
int cluster_deviceid_ours(const uint8_t id[CLUSTER_DEVICEID_LEN]);

/* Every call below names a data copy by FILEID and its data generation
 * GEN (the inode's layout_gen for the file's current copy; a recall from
 * the object tier writes a new copy at a new generation beside the old
 * one: docs/decisions/0030-data-generations.md). The *_many calls take
 * GENS[i] for FILEIDS[i], or GENS NULL: every file at generation 0.
 *
 * Striped file I/O through the control protocol. A piece whose stripe
 * object is missing, or whose data server is quarantined, is "unreadable":
 * with MISSING_IS_HOLE a missing object reads as zeros (nfsd/data.h says
 * when that is right); otherwise an unreadable piece ends the call: the
 * bytes before it (a short count), or -ENOENT (missing) / -ENODEV
 * (quarantined) when it is the first. Bytes past an object's end read as
 * zeros. Reads return LEN when whole (the caller clamps to the file
 * size). Writes never make a missing object: the same short count, or
 * -ENOENT / -ENODEV. */
ssize_t cluster_read(struct cluster *c, uint64_t fileid, uint64_t gen,
		     uint64_t off, void *buf, size_t len, int missing_is_hole);
ssize_t cluster_write(struct cluster *c, uint64_t fileid, uint64_t gen,
		      uint64_t off, const void *buf, size_t len, int stable);
/* COMMIT every stripe object; a missing one is -ENOENT unless MISSING_OK. */
int cluster_commit(struct cluster *c, uint64_t fileid, uint64_t gen,
		   int missing_ok);
/* Object management for all stripes of FILEID: create makes the missing
 * ones (empty); truncate makes a missing one only when it is cut to 0
 * (else -ENOENT: its bytes were lost); remove ignores missing ones. */
int cluster_create(struct cluster *c, uint64_t fileid, uint64_t gen);
int cluster_truncate(struct cluster *c, uint64_t fileid, uint64_t gen,
		     uint64_t size);
int cluster_remove(struct cluster *c, uint64_t fileid, uint64_t gen);
/* The same for N files at once: one call per data server (at most
 * CTL_OBJS_MAX files per call). 0 or the first error; every data server
 * and file is still tried after one fails. */
int cluster_create_many(struct cluster *c, const uint64_t *fileids,
			const uint64_t *gens, size_t n);
int cluster_remove_many(struct cluster *c, const uint64_t *fileids,
			const uint64_t *gens, size_t n);
/* Length of stripe object DS of each of N files (N <= CTL_OBJS_MAX) on
 * data server DS, one call: SIZES[i] = -1 when missing. 0, or -ENODEV /
 * -EAGAIN / -errno for the whole call. */
int cluster_stat_many(struct cluster *c, unsigned ds,
		      const uint64_t *fileids, const uint64_t *gens, size_t n,
		      int64_t *sizes);
/* File size implied by the stripe objects (max over objects). */
int cluster_size(struct cluster *c, uint64_t fileid, uint64_t gen,
		 uint64_t *size);
/* Data servers whose store failed the identity check (pnfs/ds_ident.h):
 * their stripes are refused (-ENODEV) until it passes. */
unsigned cluster_quarantined(const struct cluster *c);
/* Forget DS I's back-off: the next call to it connects (and checks its
 * identity) at once. */
void cluster_retry_now(struct cluster *c, unsigned i);
/* Health of DS I as the keeper last saw it (it asks every data server
 * CTL_INFO each heartbeat): up (answered, within STALE_BEATS heartbeats),
 * down, or quarantined; what it said about itself when HAS_INFO. Never
 * waits for a data server. */
enum { CLUSTER_DS_UP = 0, CLUSTER_DS_DOWN = 1, CLUSTER_DS_QUARANTINED = 2 };
struct ds_health {
	int state;
	int64_t seen_ago;      /* seconds since it last answered; -1 never */
	int has_info;
	char version[64];
	char listen[80];
	char metrics[80];
	int64_t start_time;
	uint64_t uptime_s;     /* when it answered */
	uint64_t store_size, store_avail;
	int serving;
};
void cluster_health(struct cluster *c, unsigned i, struct ds_health *h);
uint32_t cluster_heartbeat(const struct cluster *c);
/* DS I's RPC-over-RDMA endpoint as it reported it when its control
 * connection was last made (pnfs/ds_xprts.h, decision 0029): 1 and *EP,
 * or 0 (none, or not heard yet). Learning a new one bumps the device
 * epoch: a device id's contents never change. Never waits. */
struct ds_rdma_ep;
int cluster_ds_rdma(struct cluster *c, unsigned i, struct ds_rdma_ep *ep);
uint32_t cluster_device_epoch(struct cluster *c);

/* Refuse DS handles of FILEID whose data generation is below FENCE, on
 * every DS (kept in the data servers' memory: pnfs/ds_state.h). The MDS
 * keeps the fence too and sends it again to a data server that
 * reconnects (pnfs/fence_table.h), so one that is down or restarts
 * gets it all the same; an error here means some data server has not
 * got it yet. */
int cluster_fence(struct cluster *c, uint64_t fileid, uint64_t fence);
/* FILEID's fence as the MDS keeps it (0: none). */
uint64_t cluster_fence_of(struct cluster *c, uint64_t fileid);
/* FILEID's data was reclaimed (removed file): its fence is not needed
 * any more (fence_table.h). */
void cluster_fence_forget(struct cluster *c, uint64_t fileid);
/* Tell every DS that these stateids are revoked (kept and re-sent to a DS
 * that reconnects). */
int cluster_revoke(struct cluster *c, const uint8_t (*others)[12],
		   unsigned n);

#endif
