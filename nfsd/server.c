/* nfsd/server.c — server life cycle and RPC dispatch. See server_run.h. */
#include "orphan.h"
#include "server_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster.h"
#include "cmap.h"
#include "peer_delta.h"
#include "peer_cb.h"
#include "peer_client.h"
#include "peer_prot.h"
#include "peer_svc.h"
#include "compound.h"
#include "ctl_svc.h"
#include "ds_self.h"
#include "ds_state.h"
#include "state.h"
#include "exec.h"
#include "reclaim.h"
#include "tier_worker.h"
#include "xtx_resolve.h"
#include "recovery.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "reply_payload.h"
#include "rpc.h"
#include "session.h"

#define NFS4_PROGRAM 100003
#define NFS_V4 4
#define STID_HASH_SIZE 4096

/* ---- RPC dispatch --------------------------------------------------- */

static void send_bytes(struct xprt_conn *c, const void *buf, size_t len)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

	if (xprt_send(c, &iov, 1) < 0)
		log_debug("send to %s failed", c->peer);
}

size_t server_compound_reply(struct strata_server *srv,
			     struct xprt_conn *conn,
			     const struct rpc_call *call, uint8_t *buf,
			     size_t cap)
{
	size_t len;
	int garbage = 0;

	client_expire(srv);
	len = compound_run(srv, conn, call, buf + RPC_REPLY_HDR_LEN,
			   cap - RPC_REPLY_HDR_LEN, &garbage);
	rpc_reply_accepted(buf, call->xid,
			   garbage ? ACCEPT_GARBAGE_ARGS : ACCEPT_SUCCESS);
	return RPC_REPLY_HDR_LEN + (garbage ? 0 : len);
}

/* A data server runs a COMPOUND on the connection's receive thread. */
static void reply_compound(struct strata_server *srv, struct xprt_conn *conn,
			   const struct rpc_call *call)
{
	size_t cap = RPC_REPLY_HDR_LEN + srv->cfg.max_msg;
	uint8_t *buf = malloc(cap);
	uint64_t t0 = metrics_now_ns();
	size_t len;

	if (!buf) {
		uint8_t e[RPC_REPLY_HDR_LEN];
		rpc_reply_accepted(e, call->xid, ACCEPT_SYSTEM_ERR);
		send_bytes(conn, e, sizeof(e));
		return;
	}
	pthread_mutex_lock(&srv->state_lock);
	len = server_compound_reply(srv, conn, call, buf, cap);
	pthread_mutex_unlock(&srv->state_lock);
	send_bytes(conn, buf, len);
	free(buf);
	metrics_observe(&srv->metrics.compound, metrics_lat_bounds_ns,
			METRICS_LAT_BUCKETS, metrics_now_ns() - t0);
}

/* 1 if the call was handed to the MDS executor (it owns MSG then). */
static int dispatch_call(struct strata_server *srv, struct xprt_conn *conn,
			 const struct rpc_call *call, uint8_t *msg)
{
	uint8_t small[32];

	if (call->prog == STRATA_CTL_PROGRAM) {
		ctl_svc_dispatch(srv, conn, call);
		return 0;
	}
	if (call->prog == STRATA_PEER_PROG) {
		if (!peer_svc_dispatch(srv, conn, call))
			return 0;
		exec_submit(srv->exec, conn, msg, call);
		return 1;
	}
	if (call->prog != NFS4_PROGRAM) {
		rpc_reply_accepted(small, call->xid, ACCEPT_PROG_UNAVAIL);
		send_bytes(conn, small, RPC_REPLY_HDR_LEN);
		return 0;
	}
	if (call->vers != NFS_V4) {
		send_bytes(conn, small,
			   rpc_reply_prog_mismatch(small, call->xid, NFS_V4,
						   NFS_V4));
		return 0;
	}
	switch (call->proc) {
	case 0: /* NULL */
		rpc_reply_accepted(small, call->xid, ACCEPT_SUCCESS);
		send_bytes(conn, small, RPC_REPLY_HDR_LEN);
		return 0;
	case 1: /* COMPOUND */
		if (srv->exec) { /* MDS: group commit (exec.h) */
			exec_submit(srv->exec, conn, msg, call);
			return 1;
		}
		reply_compound(srv, conn, call);
		return 0;
	default:
		rpc_reply_accepted(small, call->xid, ACCEPT_PROC_UNAVAIL);
		send_bytes(conn, small, RPC_REPLY_HDR_LEN);
		return 0;
	}
}

static void server_deliver(void *ctx, struct xprt_conn *conn, uint8_t *msg,
			   size_t len)
{
	struct strata_server *srv = ctx;
	struct rpc_call call;
	uint32_t auth_stat = 0;
	uint8_t small[32];

	switch (rpc_parse_call(msg, len, &call, &auth_stat)) {
	case RPC_PARSE_CALL:
		if (dispatch_call(srv, conn, &call, msg))
			return; /* the executor owns msg now */
		break;
	case RPC_PARSE_REPLY:
		if (conn->on_reply) {
			conn->on_reply(conn->on_reply_ctx, conn, msg, len);
			return; /* it owns msg now */
		}
		break;
	case RPC_PARSE_DROP:
		break;
	case RPC_PARSE_RPC_MISMATCH:
		send_bytes(conn, small, rpc_reply_rpc_mismatch(small, call.xid));
		break;
	case RPC_PARSE_AUTH_ERROR:
		atomic_fetch_add(&srv->metrics.auth_errors, 1);
		send_bytes(conn, small,
			   rpc_reply_auth_error(small, call.xid, auth_stat));
		break;
	case RPC_PARSE_GARBAGE:
		rpc_reply_accepted(small, call.xid, ACCEPT_GARBAGE_ARGS);
		send_bytes(conn, small, RPC_REPLY_HDR_LEN);
		break;
	}
	xprt_msg_free(conn, msg);
}

/* ---- identity of this boot ------------------------------------------ */

/* A counter in DIR/boot_epoch, bumped and synced at every start, so ids
 * from an earlier boot are recognised as stale even after a fast restart. */
static int next_epoch(const char *dir, uint32_t *epoch)
{
	char path[4200];
	FILE *f;
	unsigned long v = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/boot_epoch", dir);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	v = (v + 1) & 0xffffffffu;
	if (v == 0)
		v = 1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	dprintf(fd, "%lu\n", v);
	if (fsync(fd) < 0) {
		close(fd);
		return -errno;
	}
	close(fd);
	*epoch = (uint32_t)v;
	return 0;
}

static int server_identity(struct strata_server *srv)
{
	char path[4200];
	uint8_t id[8];
	FILE *f;
	int rc = next_epoch(srv->cfg.data_dir, &srv->boot_epoch);

	if (rc < 0)
		return rc;
	if (getrandom(srv->session_tag, sizeof(srv->session_tag), 0) !=
	    (ssize_t)sizeof(srv->session_tag))
		return -EIO;
	snprintf(path, sizeof(path), "%s/server_id", srv->cfg.data_dir);
	f = fopen(path, "r");
	if (!f || !fgets(srv->server_owner_major,
			 sizeof(srv->server_owner_major), f)) {
		if (f)
			fclose(f);
		if (getrandom(id, sizeof(id), 0) != (ssize_t)sizeof(id))
			return -EIO;
		snprintf(srv->server_owner_major,
			 sizeof(srv->server_owner_major),
			 "strata-%02x%02x%02x%02x%02x%02x%02x%02x", id[0], id[1],
			 id[2], id[3], id[4], id[5], id[6], id[7]);
		f = fopen(path, "w");
		if (!f)
			return -errno;
		fprintf(f, "%s\n", srv->server_owner_major);
	}
	fclose(f);
	srv->server_owner_major[strcspn(srv->server_owner_major, "\n")] = 0;
	/* Every node of a cluster answers with the same scope, so a client
	 * that lands on another node reclaims as after a reboot, and its own
	 * major id (server_id, random per data directory), so the Linux
	 * client never merges two nodes into one client (RFC 8881 §2.10.4;
	 * docs/decisions/0024). A node alone keeps its own id as scope. */
	snprintf(srv->server_scope, sizeof(srv->server_scope), "%s",
		 srv->cfg.cluster_map[0] ? srv->cmap->id
					 : srv->server_owner_major);
	memcpy(srv->write_verf, &srv->boot_epoch, 4);
	if (getrandom(srv->write_verf + 4, 4, 0) != 4)
		return -EIO;
	return 0;
}

/* ---- the cluster map ------------------------------------------------ */

/* MDS: the map names the partitions and who owns them; the namespace is
 * made with one LMDB environment per partition (shard S in partition and
 * environment S mod P: pnfs/cmap.h). Without cluster_map, a map of one
 * node owning every partition of the configured namespace. */
static int load_map(struct strata_server *srv)
{
	struct strata_config *cfg = &srv->cfg;
	char err[CMAP_ERR_MAX];

	srv->cmap = calloc(1, sizeof(*srv->cmap));
	if (!srv->cmap)
		return -ENOMEM;
	if (!cfg->cluster_map[0]) {
		if (cfg->node_id) {
			log_err("node %u given without a cluster map",
				cfg->node_id);
			return -EINVAL;
		}
		cmap_single(srv->cmap, NULL, cfg->nshards, 1);
		srv->node = 1;
		srv->owns_all = 1;
		return 0;
	}
	if (srv->role & ROLE_DS) {
		log_err("cluster_map is a metadata-server setting");
		return -EINVAL;
	}
	if (cmap_load(srv->cmap, cfg->cluster_map, err) < 0) {
		log_err("cluster map %s: %s", cfg->cluster_map, err);
		return -EINVAL;
	}
	if (!cmap_node(srv->cmap, cfg->node_id)) {
		log_err("cluster map %s: no node %u (--node N)",
			cfg->cluster_map, cfg->node_id);
		return -EINVAL;
	}
	if (srv->cmap->nnodes > 1 && !cfg->cluster_key[0]) {
		log_err("cluster map %s: nodes prove themselves to each "
			"other with the cluster key (--cluster-key FILE)",
			cfg->cluster_map);
		return -EINVAL;
	}
	/* Partitions spread over several owners (decision 0024): name
	 * operations go to the entry's owner, directories' counts follow
	 * by deltas, listings go partition by partition, RENAME and
	 * REMOVE, LINK and RMDIR across nodes are cross-node transactions
	 * (nfsd/xtx_task.h); each owner hands out its files' layouts over
	 * the shared data servers (decision 0036). */
	cfg->nshards = srv->cmap->nshards;
	cfg->meta_envs = srv->cmap->npartitions;
	srv->node = cfg->node_id;
	srv->owns_all = cmap_owns_all(srv->cmap, cfg->node_id);
	return 0;
}

/* The data servers (pnfs/cluster.h). In a cluster every node that owns
 * partitions talks to them; the data servers' identities carry one
 * cluster id, derived from the map's cluster name and the cluster key, so
 * every node's registry agrees on it (decision 0036). */
static int open_data_servers(struct strata_server *srv)
{
	uint8_t id[32];
	struct cluster_self self = {
		.node = srv->node,
		.epoch = srv->boot_epoch,
	};

	if (srv->cfg.cluster_map[0]) {
		mac_compute(&srv->key, MAC_DOMAIN_CLUSTER_ID, srv->cmap->id,
			    strlen(srv->cmap->id), id, sizeof(id));
		self.cluster_id = id;
	}
	return cluster_open(&srv->cluster, &srv->cfg, &srv->key, &self);
}

/* An existing namespace keeps the shard count it was made with
 * (decision 0003): it must be the map's. */
static int check_map(struct strata_server *srv)
{
	if (!srv->ns || !srv->cfg.cluster_map[0] ||
	    ns_nshards(srv->ns) == srv->cmap->nshards)
		return 0;
	log_err("cluster map %s: %u shards, the namespace in %s has %u",
		srv->cfg.cluster_map, srv->cmap->nshards, srv->cfg.data_dir,
		ns_nshards(srv->ns));
	return -EINVAL;
}

/* With a cluster map the namespace serves only this node's partitions:
 * anything else reaching it is a routing error and gets -EREMOTE rather
 * than an answer from this node's empty copy (metadata/ns.h, ns_own). */
static int own_partitions(struct strata_server *srv)
{
	uint8_t owned[NS_MAX_SHARDS];
	unsigned np = srv->cmap->npartitions;
	int rc;

	if (!srv->ns || !srv->cfg.cluster_map[0])
		return 0;
	if (ns_nenvs(srv->ns) != np) {
		log_err("cluster map %s: %u partitions, the namespace in %s "
			"has %u environments", srv->cfg.cluster_map, np,
			srv->cfg.data_dir, ns_nenvs(srv->ns));
		return -EINVAL;
	}
	for (unsigned p = 0; p < np; p++)
		owned[p] = cmap_partition_owner(srv->cmap, p) == srv->node;
	rc = ns_own(srv->ns, owned, np);
	if (rc)
		log_err("namespace: %s", strerror(-rc));
	return rc;
}

/* Link thread: an owner applied some of this node's directory deltas. */
static void deltas_wake(void *ctx)
{
	struct strata_server *srv = ctx;

	exec_wake(srv->exec);
}

/* Entries of this node's partitions in other nodes' directories send
 * deltas there (pnfs/peer_delta.h). Before the executor, which uses it. */
static int open_deltas(struct strata_server *srv)
{
	int rc;

	if (srv->owns_all || !srv->cmap->node[srv->node].npartitions)
		return 0;
	rc = delta_ship_new(&srv->deltas, srv->cmap->nshards, deltas_wake,
			    srv);
	if (!rc && srv->cfg.failpoint == FAILPOINT_DELTA_DELAY)
		delta_ship_delay(srv->deltas, DELTA_DELAY_MS);
	return rc;
}

/* client_destroy() of a front's client: tell the owners that hold its
 * state (their answer needs no waiting for). */
static void gone_answered(void *ctx, int err, void *res)
{
	(void)ctx;
	(void)err;
	if (res) {
		xdr_free((xdrproc_t)xdr_peer_stat, res);
		free(res);
	}
}

static void client_gone(struct strata_server *srv, uint64_t clientid,
			uint64_t nodes)
{
	peer_client_gone_args a = { .clientid = clientid };

	if (!srv->peers)
		return;
	for (unsigned n = 1; n <= CMAP_MAX_NODES; n++)
		if (nodes & cmap_node_bit(n))
			peer_call(srv->peers, n, PEER_CLIENT_GONE,
				  (xdrproc_t)xdr_peer_client_gone_args, &a,
				  (xdrproc_t)xdr_peer_stat, sizeof(peer_stat),
				  gone_answered, NULL);
}

/* A link thread: NODE answered PEER_HELLO with EPOCH. A new epoch after
 * an old one means it restarted and lost the per-file state it held for
 * our clients: those clients must reclaim it (SEQUENCE says so until the
 * node reports their RECLAIM_COMPLETE; docs/decisions/0024). */
static void node_epoch(void *ctx, unsigned node, uint32_t epoch)
{
	struct strata_server *srv = ctx;
	uint64_t bit = cmap_node_bit(node);
	unsigned n = 0;

	pthread_mutex_lock(&srv->state_lock);
	if (epoch == 0) { /* lost: stubs of its clients time out (session.c) */
		if (!srv->node_down[node])
			srv->node_down[node] = server_now();
		pthread_mutex_unlock(&srv->state_lock);
		return;
	}
	srv->node_down[node] = 0;
	if (srv->node_epoch[node] && srv->node_epoch[node] != epoch) {
		struct nfs_client *c, *next;

		for (c = srv->clients; c; c = next) {
			next = c->next;
			if (!c->front && (c->state_nodes & bit)) {
				c->reclaim_nodes |= bit;
				/* it reclaims again, and says when done */
				c->rc_done = 0;
				c->reclaim_complete = 0;
				n++;
			} else if (c->front == node) {
				/* A front that restarted lost these clients'
				 * sessions: their state here goes with them. */
				recovery_forget(srv->recovery, c->owner,
						c->owner_len);
				client_destroy(srv, c);
			}
		}
		log_info("node %u restarted (epoch %u -> %u): %u client(s) "
			 "told to reclaim their state there",
			 node, srv->node_epoch[node], epoch, n);
	}
	srv->node_epoch[node] = epoch;
	pthread_mutex_unlock(&srv->state_lock);
}

static int start_peers(struct strata_server *srv)
{
	int rc = peers_start(&srv->peers, srv->cmap, srv->node, &srv->key,
			     srv->boot_epoch, srv->cfg.max_msg, node_epoch,
			     srv);

	if (rc < 0) {
		log_err("peer links: %s", strerror(-rc));
		return rc;
	}
	srv->client_gone = client_gone;
	srv->stub_gone = peer_answers_drop;
	peer_cb_install(srv);
	log_info("node %u of cluster %s (%u nodes, map epoch %llu)%s",
		 srv->node, srv->cmap->id, srv->cmap->nnodes,
		 (unsigned long long)srv->cmap->epoch,
		 srv->owns_all ? ", owner of every partition"
			       : ", a front: forwards to the owner");
	return 0;
}

/* ---- life cycle ----------------------------------------------------- */

static int open_storage(struct strata_server *srv)
{
	char path[4200];
	int rc;

	if (mkdir(srv->cfg.data_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (srv->role & ROLE_DS) {
		/* A data server keeps stripes only: no namespace, no client
		 * records (its clients' state lives on the MDS). */
		snprintf(path, sizeof(path), "%s/stripes", srv->cfg.data_dir);
		rc = ds_store_open(&srv->store, path);
		if (rc < 0) {
			log_err("stripe store %s: %s", path, strerror(-rc));
			return rc;
		}
		rc = ds_store_empty(srv->store);
		if (rc >= 0)
			rc = ds_self_open(&srv->self, path,
					  srv->cfg.ds_replace, rc);
		return rc < 0 ? rc : ds_state_new(&srv->ds);
	}
	snprintf(path, sizeof(path), "%s/meta", srv->cfg.data_dir);
	/* All shards in one LMDB environment by default: a group-commit
	 * batch is then one commit (docs/decisions/0014). */
	rc = ns_open_ex(&srv->ns, path, srv->cfg.nshards,
			srv->cfg.meta_envs < srv->cfg.nshards ? srv->cfg.meta_envs
							       : srv->cfg.nshards);
	if (rc < 0) {
		log_err("namespace %s: %s", path, strerror(-rc));
		return rc;
	}
	snprintf(path, sizeof(path), "%s/data", srv->cfg.data_dir);
	rc = ds_store_open(&srv->store, path);
	if (rc < 0) {
		log_err("data store %s: %s", path, strerror(-rc));
		return rc;
	}
	snprintf(path, sizeof(path), "%s/clients", srv->cfg.data_dir);
	rc = recovery_open(&srv->recovery, path,
			   srv->cfg.grace_set ? srv->cfg.grace_time
					      : srv->cfg.lease_time,
			   server_now());
	if (rc < 0)
		log_err("client records %s: %s", path, strerror(-rc));
	return rc;
}

/* The cluster key (required with data servers or in the DS role), or a
 * random one for a single node (stateid signatures stay in-process). */
static int load_key(struct strata_server *srv)
{
	int rc;

	if (!srv->cfg.cluster_key[0]) {
		if ((srv->role & ROLE_DS) || srv->cfg.nds) {
			log_err("a cluster key is needed (--cluster-key FILE)");
			return -EINVAL;
		}
		return mac_key_random(&srv->key);
	}
	rc = mac_key_load(&srv->key, srv->cfg.cluster_key);
	if (rc < 0)
		log_err("cluster key %s: %s", srv->cfg.cluster_key,
			strerror(-rc));
	return rc;
}

/* The /metrics endpoint, when configured. Its failure (a port in use) is
 * logged and leaves NFS service running: metrics are not worth an outage. */
static void start_metrics(struct strata_server *srv)
{
	const struct strata_config *cfg = &srv->cfg;
	int rc;

	if (!cfg->metrics_port)
		return;
	rc = metrics_http_start(&srv->http, srv, cfg->metrics_addr,
				cfg->metrics_port);
	if (rc < 0)
		log_err("metrics: cannot listen on %s:%u: %s; serving NFS "
			"without a /metrics endpoint",
			cfg->metrics_addr, cfg->metrics_port, strerror(-rc));
	else
		log_info("metrics: http://%s:%u/metrics", cfg->metrics_addr,
			 cfg->metrics_port);
}

/* RPC-over-RDMA beside TCP (xprt_rdma.h), into the same dispatch: the
 * executor never sees which transport a call came on. */
static int start_rdma(struct strata_server *srv)
{
	const struct strata_config *cfg = &srv->cfg;
	const char *addr = cfg->rdma_addr[0] ? cfg->rdma_addr : cfg->listen_addr;
	struct xprt_rdma_params p = {
		.max_msg = cfg->max_msg,
		.credits = 64,
		.reply_slots = 8,
		.deliver = server_deliver,
		.ctx = srv,
		.payload = reply_payload_find,
	};
	int rc = xprt_rdma_listen(&srv->rdma, addr, cfg->rdma_port, &p);

	if (rc < 0)
		log_err("rdma: cannot listen on %s:%u: %s", addr,
			cfg->rdma_port, strerror(-rc));
	else
		log_info("rdma: serving NFSv4.1 over RPC-over-RDMA on %s:%u",
			 addr, cfg->rdma_port);
	return rc;
}

int server_start(struct strata_server **out, const struct strata_config *cfg,
		 unsigned role)
{
	struct strata_server *srv = calloc(1, sizeof(*srv));
	uint16_t port = 0;
	int rc;

	if (!srv)
		return -ENOMEM;
	srv->cfg = *cfg;
	srv->role = role;
	srv->start_wall = time(NULL);
	srv->start_mono_ns = metrics_now_ns();
	pthread_mutex_init(&srv->state_lock, NULL);
	rc = state_tables_init(srv, STID_HASH_SIZE);
	if (rc == 0)
		rc = load_key(srv);
	if (rc == 0)
		rc = load_map(srv);
	if (rc == 0)
		rc = open_storage(srv);
	if (rc == 0)
		rc = check_map(srv);
	if (rc == 0)
		rc = own_partitions(srv);
	if (rc == 0)
		rc = server_identity(srv);
	if (rc == 0 && (role & ROLE_MDS) && cfg->nds)
		rc = open_data_servers(srv);
	if (rc == 0 && srv->ns)
		rc = reclaim_start(&srv->reclaim, srv);
	if (rc == 0 && srv->ns && cfg->tier[0])
		rc = tier_worker_start(&srv->tier, srv); /* sets the hook */
	if (rc == 0 && srv->ns)
		rc = open_deltas(srv);
	if (rc == 0 && srv->ns && !srv->owns_all)
		rc = xtx_resolver_new(&srv->xtx_res);
	if (rc == 0 && srv->ns) {
		rc = exec_start(&srv->exec, srv);
		srv->defer_place = exec_defer_place;
	}
	if (rc == 0 && srv->ns && srv->cmap->nnodes > 1)
		rc = start_peers(srv);
	/* RDMA first: a data server's TCP port also carries the control
	 * protocol, and the MDS asks for its RDMA listener (CTL_TRANSPORTS)
	 * as soon as it connects, once per connection. A data server
	 * restarted under a running MDS was asked before its RDMA listener
	 * was up and was advertised TCP-only from then on (run-rdma.sh,
	 * ds-restart). */
	if (rc == 0 && cfg->rdma)
		rc = start_rdma(srv);
	if (rc == 0)
		rc = xprt_tcp_listen(&srv->tcp, cfg->listen_addr, cfg->port,
				     cfg->max_msg, server_deliver, srv, &port);
	if (rc < 0) {
		server_stop(srv);
		return rc;
	}
	srv->cfg.port = port;
	start_metrics(srv);
	log_info("%s: serving NFSv4.1 on %s:%u, data in %s (epoch %u%s; "
		 "store I/O: %s)",
		 role & ROLE_DS ? "strata-ds" : "strata-mds", cfg->listen_addr,
		 port, cfg->data_dir, srv->boot_epoch,
		 srv->cluster ? ", pNFS with data servers" : "",
		 ds_store_uring_active(srv->store) ? "io_uring"
						   : "pread/pwrite");
	*out = srv;
	return 0;
}

void server_stop(struct strata_server *srv)
{
	if (!srv)
		return;
	metrics_http_stop(srv->http); /* it reads the tables freed below */
	/* Releases control connections waiting on a tier request, so
	 * their receive threads can end. */
	tier_worker_halt(srv->tier);
	if (srv->tcp)
		xprt_tcp_stop(srv->tcp);
	if (srv->rdma)
		xprt_rdma_stop(srv->rdma);
	/* The links answer what is in flight before the executor goes
	 * (their answers come back through its queue). */
	peers_stop(srv->peers);
	srv->peers = NULL;
	exec_stop(srv->exec); /* after the transports: no more submits */
	delta_ship_free(srv->deltas); /* after the links and the executor */
	srv->deltas = NULL;
	xtx_resolver_free(srv->xtx_res); /* its tasks went with the executor */
	srv->xtx_res = NULL;
	pthread_mutex_lock(&srv->state_lock);
	while (srv->clients)
		client_destroy(srv, srv->clients);
	orphan_free_all(srv);
	pthread_mutex_unlock(&srv->state_lock);
	reclaim_stop(srv->reclaim); /* uses the namespace and the cluster */
	tier_worker_free(srv->tier); /* the executor (its hook's caller) is
					gone */
	if (srv->store)
		ds_store_close(srv->store);
	cluster_close(srv->cluster);
	ds_state_free(srv->ds);
	ds_self_free(srv->self);
	recovery_close(srv->recovery);
	if (srv->ns)
		ns_close(srv->ns);
	state_tables_free(srv);
	pthread_mutex_destroy(&srv->state_lock);
	free(srv->cmap);
	free(srv);
}
