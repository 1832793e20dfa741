/*
 * nfsd/server.h — one Strata NFSv4.1 server instance: a metadata server
 * (ROLE_MDS) or a data server (ROLE_DS); both run the same core, the op
 * table says which ops a role allows.
 *
 * Ownership: struct strata_server is created by server_start() and owned by
 * main() (both in nfsd/server_run.h); it owns the namespace, the data
 * store, the client/session/state tables and the transports.
 *
 * Layer (docs/decisions/0023-layers.md): this header is the server record
 * of the core layer, included by every layer above; it names the higher
 * layers' objects (cluster, exec, reclaim, ...) only as opaque pointers,
 * and reaches them only through hooks they register (defer_place). The
 * life cycle (start, stop, RPC dispatch) is the assembly: server_run.h.
 *
 * Concurrency contract (v1, docs/decisions/0002-transport.md):
 *   - Each connection has a receive thread; COMPOUNDs from one connection
 *     run in arrival order on that thread.
 *   - srv->state_lock serialises every COMPOUND's execution (clients,
 *     sessions, slots, stateids, opens, locks and the per-op namespace
 *     sequences). The namespace (metadata/ns.h) and the data store are
 *     thread-safe on their own, so this lock can later be split per shard
 *     without touching them.
 *   - On the MDS the COMPOUNDs of all connections run on one executor
 *     thread (nfsd/exec.h: group commit); on a DS each runs on its
 *     connection's receive thread. Either way under srv->state_lock.
 *   - Counters are atomics, read without the lock.
 */
#ifndef STRATA_NFSD_SERVER_H
#define STRATA_NFSD_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "mac.h"
#include "metrics.h"
#include "ns.h"
#include "recovery.h"
#include "store.h"
#include "xprt_rdma.h"
#include "xprt_tcp.h"

struct nfs_client;
struct nfs_session;
struct nfs_stid;

enum strata_role {
	ROLE_MDS = 1u << 0,
	ROLE_DS = 1u << 1,
};

#define STRATA_MAX_DS 256

/* One data server as the MDS knows it: where to reach it (control
 * protocol) and the address clients are told (GETDEVICEINFO). */
struct ds_endpoint {
	char addr[64];
	uint16_t port;
	char adv_addr[64];
	uint16_t adv_port;
};

struct strata_config {
	char listen_addr[64];
	uint16_t port;
	char data_dir[4096];
	unsigned nshards;
	uint32_t lease_time;     /* seconds */
	uint32_t grace_time;     /* seconds; 0 disables grace */
	int grace_set;           /* grace_time given; else = lease_time */
	uint32_t max_msg;        /* largest RPC record accepted */
	uint32_t max_io;         /* maxread / maxwrite */
	char cluster_key[4096];  /* path of the cluster key; "" none */
	unsigned nds;            /* data servers (MDS with pNFS); 0 none */
	struct ds_endpoint ds[STRATA_MAX_DS];
	uint32_t stripe_unit;    /* bytes, multiple of 64 KiB */
	unsigned meta_envs;      /* LMDB environments for a new namespace
				    (ns_open_ex); 0: one per shard */
	unsigned max_layouts;    /* per client, before closed files' layouts
				    are recalled (nfsd/state/layout_state.h) */
	int ds_replace;          /* DS: --replace (pnfs/ds_ident.h) */
	uint32_t heartbeat;      /* MDS: seconds between liveness checks of
				    each data server (pnfs/cluster.h) */
	char metrics_addr[64];   /* /metrics HTTP endpoint (metrics_http.h) */
	uint16_t metrics_port;   /* 0: no endpoint */
	int metrics_port_set;    /* given; else the role's default */
	char cluster_map[4096];  /* MDS: path of the cluster map
				    (pnfs/cmap.h); "" a cluster of one */
	unsigned node_id;        /* MDS: this node in the map, 1..64; 0
				    without a map */
	unsigned failpoint;      /* enum strata_failpoint: tests only */
	unsigned long failpoint_step; /* FAILPOINT_TIER_STEP's N */
	int rdma;                /* also serve RPC-over-RDMA (xprt_rdma.h) */
	char rdma_addr[64];      /* its address; "" = listen_addr */
	uint16_t rdma_port;      /* 20049 by default (RFC 8267) */
	/* MDS: the object tier (issue 16, docs/decisions/0031): "" none,
	 * "dir:PATH" or "s3:ENDPOINT/BUCKET" (nfsd/tier_worker.h). */
	char tier[4096];
	char tier_credentials[4096]; /* s3: access key, secret (0025) */
	char tier_region[64];        /* s3: SigV4 region; "" us-east-1 */
	char tier_ca_file[4096];     /* s3: CA bundle; "" the system's */
	char tier_prefix[128];       /* of the object keys; "" "strata" */
	/* The tier's policy (decision 0032, nfsd/tier_auto.h): rules in
	 * their configuration form, checked when read; watermarks of the
	 * data servers' fill (high 0: off); seconds between passes. */
	char tier_policy[16][1024];
	unsigned tier_npolicy;
	unsigned tier_high_pct, tier_low_pct;
	uint32_t tier_scan_interval;
	uint32_t tier_recall_timeout; /* s a failing recall is waited for; 0: 300 */
	uint32_t tier_gc_interval;    /* s between orphan collections; 0: 3600 */
	uint32_t tier_gc_grace;       /* s an orphan waits; 0: 86400 */
	uint32_t tier_workers;        /* steps at once, 1-16; 0: 4 */
	/* Tests only: the capacity the server reports for its data
	 * directory (CTL_INFO, so the MDS's watermarks, and /metrics),
	 * with the bytes allocated under it as used, instead of its file
	 * system's (nfsd/metrics_text.h); 0: the file system's. */
	uint64_t store_capacity;
};

/* Faults a test arms with the failpoint key (--failpoint NAME): each
 * makes the server fail at one exact point a signal cannot hit. */
enum strata_failpoint {
	FAILPOINT_NONE = 0,
	/* "peer-answer-exit": an owner exits (status 137, as if SIGKILLed)
	 * right after the commit of a batch that ran a front's mutating
	 * sub-compound, before any reply leaves: the change is durable,
	 * its answer lost (docs/decisions/0024, "retried sub-compounds"). */
	FAILPOINT_PEER_ANSWER_EXIT = 1,
	/* "delta-delay": directory deltas leave this node no sooner than
	 * DELTA_DELAY_MS after they were made (pnfs/peer_delta.h), so a
	 * request that raced ahead of them would find the directory's owner
	 * not knowing the change yet. */
	FAILPOINT_DELTA_DELAY = 2,
	/* "tier-step:N": the MDS exits (status 137, as if SIGKILLed) right
	 * before the Nth step of a tier request (an offload, release or
	 * recall: each call the tier engine makes to the object store, the
	 * data servers or the namespace), and logs every step it counts;
	 * "tier-step:0" only logs them (nfsd/tier_failstep.h). */
	FAILPOINT_TIER_STEP = 7,
	/* Cross-node transactions (nfsd/xtx_task.h), one per step:
	 * "xtx-prepared-exit": a coordinator exits once every participant
	 * answered its PREPARE, before deciding (nothing committed there);
	 * "xtx-decided-exit": it exits right after its decision committed,
	 * before any participant was told; "xtx-prepare-exit" and
	 * "xtx-finish-exit": a participant exits right after committing a
	 * PREPARE (a FINISH), before answering it. */
	FAILPOINT_XTX_PREPARED_EXIT = 3,
	FAILPOINT_XTX_DECIDED_EXIT = 4,
	FAILPOINT_XTX_PREPARE_EXIT = 5,
	FAILPOINT_XTX_FINISH_EXIT = 6,
};

/* Number of COMPOUND ops counted per op number (0..63). */
#define STRATA_NOPS 64

struct strata_counters {
	atomic_uint_fast64_t read_bytes;
	atomic_uint_fast64_t write_bytes;
	atomic_uint_fast64_t compounds;
	atomic_uint_fast64_t ctl_calls;
	atomic_uint_fast64_t ctl_read_bytes;  /* control-protocol payload */
	atomic_uint_fast64_t ctl_write_bytes;
	atomic_uint_fast64_t data_lost; /* I/O refused: placed data missing
					   (nfsd/data.h) */
};

struct cluster;
struct tier_worker;
struct cmap;
struct peers;
struct ds_state;
struct ds_self;
struct xtx_resolver;

struct strata_server {
	struct strata_config cfg;
	unsigned role; /* enum strata_role bits */
	struct ns *ns;           /* MDS only (NULL on a DS) */
	struct ds_store *store;  /* local bytes: the DS's stripes, or a
				    single-node MDS's files */
	struct cluster *cluster; /* MDS with data servers (pnfs/cluster.h) */
	struct cmap *cmap;       /* MDS: the cluster map, const after start;
				    a map of one node without cluster_map */
	unsigned node;           /* this node in the map (1 without one) */
	int owns_all;            /* it owns every partition: nothing is
				    forwarded (compound.h) */
	struct delta_ship *deltas; /* directory deltas to their owners
				      (pnfs/peer_delta.h), or NULL: this
				      node owns every partition */
	struct peers *peers;     /* links to the other nodes, or NULL
				    (pnfs/peer_client.h) */
	uint32_t node_epoch[65]; /* boot epoch each node last said (PEER_HELLO);
				    under state_lock */
	time_t node_down[65];    /* since when the link to a node is lost,
				    0 while up; under state_lock */
	/* Called by client_destroy() for a client whose sub-compounds went
	 * to NODES (bit N: node N), under state_lock; must not block. */
	void (*client_gone)(struct strata_server *srv, uint64_t clientid,
			    uint64_t nodes);
	/* Called by client_destroy() for a stub (a client of another
	 * front), under state_lock: what was kept for it goes. */
	void (*stub_gone)(struct strata_server *srv, uint64_t clientid);
	/* Cross-node transactions (nfsd/xtx_task.h): the last txid counter
	 * used (executor only) and the resolver of what crashes left
	 * (nfsd/xtx_resolve.h), NULL when the node owns every partition. */
	uint32_t xtx_counter;
	struct xtx_resolver *xtx_res;
	/* Executor only: a failpoint that exits after the commit fired in
	 * this batch (FAILPOINT_PEER_ANSWER_EXIT, the XTX ones). */
	int failpoint_exit;
	/* Owner: recall ST (a delegation, or a layout with LAYOUT set) of a
	 * stub client through its front (nfsd/callback.h). 0 asked, or
	 * -errno. Under state_lock; must not block. */
	int (*cb_remote)(struct strata_server *srv,
			 const struct nfs_stid *st, int layout);
	/* Owner: DELTA more revoked states of stub CLP (its front sets the
	 * SEQUENCE flag). Under state_lock; must not block. */
	void (*revoked_remote)(struct strata_server *srv,
			       struct nfs_client *clp, int delta);
	/* Front: the client answered a layout recall node NODE asked for. */
	void (*cb_done_remote)(struct strata_server *srv, unsigned node,
			       const uint8_t other[12], uint32_t status);
	struct ds_state *ds;     /* DS role: fences, revocations
				    (pnfs/ds_state.h; its own lock) */
	struct ds_self *self;    /* DS role: its store's identity and the
				    MDS's verdict (pnfs/ds_self.h) */
	struct mac_key key;      /* cluster key (or a random one); const
				    after start */
	struct xprt_tcp_listener *tcp;
	struct xprt_rdma_listener *rdma; /* NULL unless cfg.rdma */
	struct exec *exec;       /* MDS: COMPOUND executor (exec.h) */
	/* Hook the executor (assembly) gives the ops below it: create
	 * FILEID's stripe objects at the end of the running batch
	 * (exec_defer_place(), exec.h). NULL with no executor. */
	int (*defer_place)(struct exec *e, uint64_t fileid);
	struct reclaim *reclaim; /* MDS: frees removed files' data */
	struct tier_worker *tier; /* MDS with a tier: nfsd/tier_worker.h */
	struct recovery *recovery; /* needs state_lock */
	/* The object tier's hook (nfsd/residency.h): a client wants the
	 * data of FILEID, which is offloaded: start (or hurry) its recall.
	 * Set by the tier worker (nfsd/tier_worker.h) before serving; NULL
	 * without a tier (nothing recalls). Called on the executor with
	 * state_lock held: must only queue, never block. */
	void (*tier_recall_wanted)(void *arg, uint64_t fileid);
	void *tier_recall_arg;
	/* Has FILEID's recall been failing for tier_recall_timeout seconds
	 * (1) or not (0)? Same setter, argument and rules. */
	int (*tier_recall_stuck)(void *arg, uint64_t fileid);
	/* A READ of FILEID (offloaded) while its recall runs: LEN bytes at
	 * OFF from the parts already back (tiering/tier_parts.h), 0 with
	 * *N of them read into BUF; -EAGAIN while the first byte's part is
	 * not back (it is fetched next) or no recall runs; -errno. Same
	 * setter, argument and rules, but it blocks on the data servers
	 * (one read, as any MDS READ), never on the object store. */
	int (*tier_read_parts)(void *arg, uint64_t fileid, uint64_t off,
			       void *buf, size_t len, size_t *n);
	/* The tier's policy (nfsd/tier_auto.h): a client used FILEID
	 * (opened, laid out, read or written through the MDS) now. Set by
	 * the tier worker when a policy is configured; same rules as above. */
	void (*tier_used)(void *arg, uint64_t fileid);
	void *tier_used_arg;

	/* Identity of this boot: part of client ids, stateids, verifiers. */
	uint32_t boot_epoch;
	uint8_t write_verf[8];
	uint64_t server_owner_minor;
	char server_owner_major[64];
	char server_scope[64];   /* the map's cluster id: the same on every
				    node (RFC 8881 §2.10.4) */
	uint8_t session_tag[4]; /* random per start: last bytes of session ids */

	pthread_mutex_t state_lock; /* see the contract above */
	/* Everything below is protected by state_lock. */
	struct nfs_client *clients;
	struct orphan *orphans; /* unlinked while open: nfsd/state/orphan.h */
	uint64_t next_clientid;
	uint64_t next_stid;
	uint32_t next_cb_xid;
	struct nfs_stid **stid_hash; /* by "other" (nfsd/state/state.h) */
	unsigned stid_hash_size;
	struct nfs_stid **file_hash; /* by fileid, stid_hash_size buckets */
	time_t last_expire_scan; /* client_expire() ran in this second */

	struct strata_counters counters;
	struct strata_metrics metrics; /* atomics, no lock (metrics.h) */
	time_t start_wall;             /* when server_start() ran */
	uint64_t start_mono_ns;        /* the same, metrics_now_ns() */
	struct metrics_http *http;     /* the /metrics endpoint, or NULL */
};

/* Seconds on a monotonic clock (leases). nfsd/clock.c. */
time_t server_now(void);

#endif
