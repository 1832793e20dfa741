/* nfsd/metrics_text.c — see metrics_text.h. */
#include "metrics_text.h"

#include <inttypes.h>
#include <string.h>
#include <sys/statvfs.h>

#include "cluster.h"
#include "compound.h"
#include "ds_self.h"
#include "metrics.h"
#include "nfs4_names.h"
#include "recovery.h"
#include "server.h"
#include "usage.h"
#include "ns_xtx.h"

#ifndef STRATA_VERSION
#define STRATA_VERSION "unknown"
#endif

const char *strata_version(void)
{
	return STRATA_VERSION;
}

/* The data directory's file system; or, with the test knob
 * store_capacity, that capacity with the bytes allocated under the
 * directory as used (datastore/usage.h). Never under the state lock: the
 * knob's walk reads the whole directory. */
static void disk_facts(struct strata_server *srv, struct metrics_facts *x)
{
	struct statvfs vfs;
	uint64_t used;

	if (srv->cfg.store_capacity) {
		if (ds_dir_allocated(srv->cfg.data_dir, &used) == 0) {
			x->store_size = srv->cfg.store_capacity;
			x->store_avail = used < x->store_size
						 ? x->store_size - used
						 : 0;
		}
		return;
	}
	if (statvfs(srv->cfg.data_dir, &vfs) == 0) {
		x->store_size = (uint64_t)vfs.f_blocks * vfs.f_frsize;
		x->store_avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	}
}

/* Grace (under the state lock, LOCKED: the caller holds it). */
static void facts(struct strata_server *srv, struct metrics_facts *x,
		  int locked)
{
	memset(x, 0, sizeof(*x));
	if (srv->recovery) {
		if (!locked)
			pthread_mutex_lock(&srv->state_lock);
		x->grace = recovery_in_grace(srv->recovery, server_now());
		x->reclaim_pending = (unsigned)recovery_pending(srv->recovery);
		if (!locked)
			pthread_mutex_unlock(&srv->state_lock);
	}
}

void metrics_facts_take(struct strata_server *srv, struct metrics_facts *x)
{
	facts(srv, x, 0);
	disk_facts(srv, x);
}

void metrics_snap_take(struct strata_server *srv, struct metrics_snap *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&srv->state_lock);
	census_totals(srv, &s->totals);
	facts(srv, &s->facts, 1);
	pthread_mutex_unlock(&srv->state_lock);
	disk_facts(srv, &s->facts);
	if (srv->tier) {
		s->tier = 1;
		tier_worker_stats(srv->tier, &s->tier_stats);
		s->res_ok = ns_res_counts(srv->ns, &s->res) == 0;
	}
}

static void head(FILE *f, const char *name, const char *type,
		 const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void scalar(FILE *f, const char *name, const char *type,
		   const char *help, uint64_t v)
{
	head(f, name, type, help);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* One histogram's series; LABELS is "" or `op="OPEN",` (with the comma).
 * Bucket bounds are nanoseconds when AS_SECONDS, else plain units. The
 * _count is the +Inf bucket (the buckets are read one by one while
 * observations go on; deriving the count from them keeps the series
 * consistent). */
static void hist(FILE *f, const char *name, const char *labels,
		 const struct metrics_hist *h, const uint64_t *bounds,
		 unsigned n, int as_seconds)
{
	uint64_t cum = 0, sum = atomic_load(&h->sum);
	int l = labels[0] ? (int)strlen(labels) - 1 : 0; /* without comma */
	char set[96] = "";

	for (unsigned i = 0; i < n; i++) {
		cum += atomic_load(&h->bucket[i]);
		if (as_seconds)
			fprintf(f, "%s_bucket{%sle=\"%g\"} %" PRIu64 "\n", name,
				labels, secs(bounds[i]), cum);
		else
			fprintf(f, "%s_bucket{%sle=\"%" PRIu64 "\"} %" PRIu64
				   "\n", name, labels, bounds[i], cum);
	}
	cum += atomic_load(&h->bucket[n]);
	fprintf(f, "%s_bucket{%sle=\"+Inf\"} %" PRIu64 "\n", name, labels, cum);
	if (l)
		snprintf(set, sizeof(set), "{%.*s}", l, labels);
	if (as_seconds)
		fprintf(f, "%s_sum%s %.9f\n", name, set, secs(sum));
	else
		fprintf(f, "%s_sum%s %" PRIu64 "\n", name, set, sum);
	fprintf(f, "%s_count%s %" PRIu64 "\n", name, set, cum);
}

static const char *op_label(unsigned i)
{
	const struct op_desc *d = op_table_lookup(i);

	return d ? d->name : NULL;
}

static void write_ops(struct strata_server *srv, FILE *f)
{
	const struct strata_metrics *m = &srv->metrics;
	char labels[64];

	head(f, "strata_nfs_ops_total", "counter",
	     "NFSv4.1 COMPOUND operations run, by operation and status.");
	for (unsigned i = 0; i < METRICS_NOPS; i++) {
		const struct metrics_op *o = &m->op[i];
		const char *name = op_label(i);
		uint64_t other = atomic_load(&o->other);

		if (!name)
			continue;
		for (int s = 0; s < METRICS_STATUS_SLOTS; s++) {
			uint32_t st = (uint32_t)atomic_load(&o->status[s]);
			if (st == 0)
				break;
			fprintf(f,
				"strata_nfs_ops_total{op=\"%s\",status=\"%s\"} "
				"%" PRIu64 "\n",
				name, nfs_status_name((nfsstat4)(st - 1)),
				(uint64_t)atomic_load(&o->count[s]));
		}
		if (other)
			fprintf(f,
				"strata_nfs_ops_total{op=\"%s\",status=\"other\"}"
				" %" PRIu64 "\n", name, other);
	}
	head(f, "strata_nfs_op_seconds", "histogram",
	     "Time to run one operation inside the server (decode to "
	     "encode), by operation.");
	for (unsigned i = 0; i < METRICS_NOPS; i++) {
		const char *name = op_label(i);

		if (!name || atomic_load(&m->op[i].lat.count) == 0)
			continue;
		snprintf(labels, sizeof(labels), "op=\"%s\",", name);
		hist(f, "strata_nfs_op_seconds", labels, &m->op[i].lat,
		     metrics_lat_bounds_ns, METRICS_LAT_BUCKETS, 1);
	}
	head(f, "strata_nfs_compound_seconds", "histogram",
	     "Time from reading a COMPOUND off the connection to sending its "
	     "reply, queueing and group commit included.");
	hist(f, "strata_nfs_compound_seconds", "", &m->compound,
	     metrics_lat_bounds_ns, METRICS_LAT_BUCKETS, 1);
}

static void write_io(struct strata_server *srv, FILE *f)
{
	const struct strata_counters *k = &srv->counters;
	const char *path = (srv->role & ROLE_DS) ? "ds" : "mds";

	head(f, "strata_nfs_bytes_total", "counter",
	     "NFS READ and WRITE payload bytes served by this server "
	     "(path=ds on a data server, mds on a metadata server).");
	fprintf(f, "strata_nfs_bytes_total{dir=\"read\",path=\"%s\"} %" PRIu64
		   "\n", path, (uint64_t)atomic_load(&k->read_bytes));
	fprintf(f, "strata_nfs_bytes_total{dir=\"write\",path=\"%s\"} %" PRIu64
		   "\n", path, (uint64_t)atomic_load(&k->write_bytes));
	scalar(f, "strata_nfs_compounds_total", "counter",
	       "NFSv4.1 COMPOUND requests run.", atomic_load(&k->compounds));
	scalar(f, "strata_ctl_calls_total", "counter",
	       "Control-protocol calls served (MDS <-> data servers, admin).",
	       atomic_load(&k->ctl_calls));
	head(f, "strata_ctl_bytes_total", "counter",
	     "Stripe bytes moved by control-protocol READ/WRITE (the MDS "
	     "serving I/O itself).");
	fprintf(f, "strata_ctl_bytes_total{dir=\"read\"} %" PRIu64 "\n",
		(uint64_t)atomic_load(&k->ctl_read_bytes));
	fprintf(f, "strata_ctl_bytes_total{dir=\"write\"} %" PRIu64 "\n",
		(uint64_t)atomic_load(&k->ctl_write_bytes));
	scalar(f, "strata_data_lost_total", "counter",
	       "I/O refused because placed file data is missing "
	       "(docs/decisions/0019-lost-data-objects.md).",
	       atomic_load(&k->data_lost));
	scalar(f, "strata_drc_hits_total", "counter",
	       "Retransmitted requests answered from the session reply cache.",
	       atomic_load(&srv->metrics.drc_hits));
	scalar(f, "strata_rpc_auth_errors_total", "counter",
	       "RPC calls refused with an authentication error.",
	       atomic_load(&srv->metrics.auth_errors));
	fprintf(f, "# HELP strata_peer_subcompounds_total Parts of client "
		   "COMPOUNDs forwarded between metadata nodes: sent by this "
		   "node as a front, served by it as an owner.\n"
		   "# TYPE strata_peer_subcompounds_total counter\n");
	fprintf(f, "strata_peer_subcompounds_total{dir=\"sent\"} %" PRIu64
		   "\n",
		(uint64_t)atomic_load(&srv->metrics.subs_sent));
	fprintf(f, "strata_peer_subcompounds_total{dir=\"served\"} %" PRIu64
		   "\n",
		(uint64_t)atomic_load(&srv->metrics.subs_served));
}

/* RPC-over-RDMA (nfsd/xprt_rdma.h), when this server listens on it. */
static void write_rdma(struct strata_server *srv, FILE *f)
{
	struct xprt_rdma_stats st;

	if (!srv->rdma)
		return;
	xprt_rdma_stats(srv->rdma, &st);
	scalar(f, "strata_rdma_connections_total", "counter",
	       "RPC-over-RDMA connections accepted.", st.conns);
	scalar(f, "strata_rdma_calls_total", "counter",
	       "RPC calls received over RDMA.", st.calls);
	head(f, "strata_rdma_bytes_total", "counter",
	     "Bytes moved by RDMA Read and Write, by chunk (read: Read chunks "
	     "pulled; write: Write chunks pushed, READ data; reply: Reply "
	     "chunks pushed).");
	fprintf(f, "strata_rdma_bytes_total{chunk=\"read\"} %" PRIu64 "\n",
		st.read_bytes);
	fprintf(f, "strata_rdma_bytes_total{chunk=\"write\"} %" PRIu64 "\n",
		st.write_bytes);
	fprintf(f, "strata_rdma_bytes_total{chunk=\"reply\"} %" PRIu64 "\n",
		st.reply_bytes);
	scalar(f, "strata_rdma_read_inplace_bytes_total", "counter",
	       "Read-chunk bytes RDMA-Read straight into the call handed up "
	       "(WRITE data never copied by the CPU).",
	       st.read_inplace_bytes);
	scalar(f, "strata_rdma_errors_total", "counter",
	       "RDMA_ERROR replies sent (RFC 8166 §4.5).", st.errors);
	scalar(f, "strata_rdma_backchannel_calls_total", "counter",
	       "Callbacks sent over RDMA (RFC 8167).", st.bc_calls);
}

static void write_state(struct strata_server *srv,
			const struct metrics_snap *s, FILE *f)
{
	const struct census_totals *t = &s->totals;
	const struct strata_metrics *m = &srv->metrics;

	head(f, "strata_clients", "gauge",
	     "NFS clients known, by state (confirmed: lease current; "
	     "courtesy: lease ran out, state kept).");
	fprintf(f, "strata_clients{state=\"confirmed\"} %u\n",
		t->clients_confirmed);
	fprintf(f, "strata_clients{state=\"courtesy\"} %u\n",
		t->clients_courtesy);
	fprintf(f, "strata_clients{state=\"unconfirmed\"} %u\n",
		t->clients_unconfirmed);
	scalar(f, "strata_sessions", "gauge", "NFSv4.1 sessions.", t->sessions);
	scalar(f, "strata_opens", "gauge", "Open stateids.", t->opens);
	scalar(f, "strata_locks", "gauge", "Byte ranges locked.", t->locks);
	scalar(f, "strata_delegations", "gauge", "Delegations held.",
	       t->delegations);
	scalar(f, "strata_layouts_outstanding", "gauge",
	       "pNFS layout stateids held by clients.", t->layouts);
	scalar(f, "strata_grace_active", "gauge",
	       "1 while the server is in its grace period (reclaims only).",
	       (uint64_t)s->facts.grace);
	scalar(f, "strata_grace_reclaim_pending", "gauge",
	       "Clients of the previous boot still expected to reclaim.",
	       s->facts.reclaim_pending);
	scalar(f, "strata_lease_seconds", "gauge", "The lease time.",
	       srv->cfg.lease_time);
	head(f, "strata_recalls_sent_total", "counter",
	     "Recalls sent on clients' back channels, by kind.");
	head(f, "strata_recalls_timed_out_total", "counter",
	     "Recalls not answered within a lease: the delegation was "
	     "revoked or the layout holder fenced.");
	for (int k = 0; k < 2; k++) {
		const char *kind = k == METRICS_RECALL_DELEG ? "delegation"
							     : "layout";
		fprintf(f, "strata_recalls_sent_total{kind=\"%s\"} %" PRIu64
			   "\n", kind, (uint64_t)atomic_load(&m->recalls_sent[k]));
		fprintf(f, "strata_recalls_timed_out_total{kind=\"%s\"} %" PRIu64
			   "\n", kind,
			(uint64_t)atomic_load(&m->recalls_timedout[k]));
	}
}

static void write_mds(struct strata_server *srv, FILE *f)
{
	const struct strata_metrics *m = &srv->metrics;
	unsigned up = 0, down = 0, quar = 0;

	head(f, "strata_lmdb_commit_seconds", "histogram",
	     "Time of one group commit of namespace changes (every LMDB "
	     "environment written by the batch).");
	hist(f, "strata_lmdb_commit_seconds", "", &m->commit,
	     metrics_lat_bounds_ns, METRICS_LAT_BUCKETS, 1);
	head(f, "strata_lmdb_commit_batch_compounds", "histogram",
	     "COMPOUNDs that shared one group commit.");
	hist(f, "strata_lmdb_commit_batch_compounds", "", &m->batch,
	     metrics_batch_bounds, METRICS_BATCH_BUCKETS, 0);
	if (srv->xtx_res) {
		struct ns_xtx_rec r[64];
		size_t n = 0;

		if (ns_xtx_list(srv->ns, r, 64, &n) == 0)
			scalar(f, "strata_xtx_records", "gauge",
			       "Cross-node transaction records on this node "
			       "(PREPARED or COMMITTED, at most 64 counted): "
			       "0 once every transaction is resolved "
			       "(nfsd/xtx_resolve.h).",
			       n);
	}
	if (!srv->cluster)
		return;
	head(f, "strata_data_server_up", "gauge",
	     "1 when the data server answered its last heartbeat and serves.");
	for (unsigned i = 0; i < cluster_nds(srv->cluster); i++) {
		struct ds_health h;
		const struct ds_endpoint *e = cluster_ds(srv->cluster, i);

		cluster_health(srv->cluster, i, &h);
		up += h.state == CLUSTER_DS_UP;
		down += h.state == CLUSTER_DS_DOWN;
		quar += h.state == CLUSTER_DS_QUARANTINED;
		fprintf(f, "strata_data_server_up{slot=\"%u\",address=\"%s:%u\"}"
			   " %d\n", i, e->addr, e->port,
			h.state == CLUSTER_DS_UP);
	}
	head(f, "strata_data_servers", "gauge",
	     "Data servers by state (up, down, quarantined).");
	fprintf(f, "strata_data_servers{state=\"up\"} %u\n", up);
	fprintf(f, "strata_data_servers{state=\"down\"} %u\n", down);
	fprintf(f, "strata_data_servers{state=\"quarantined\"} %u\n", quar);
}

/* A label value as the exposition format wants it: \\, \" and \n
 * escaped, into BUF (cut to fit). */
static const char *label_value(const char *v, char *buf, size_t cap)
{
	size_t n = 0;

	for (; *v && n + 3 < cap; v++) {
		if (*v == '\\' || *v == '"' || *v == '\n')
			buf[n++] = '\\';
		buf[n++] = *v == '\n' ? 'n' : *v;
	}
	buf[n] = 0;
	return buf;
}

/* The object tier's worker in the MDS (nfsd/tier_worker.h). */
static void write_tier(struct strata_server *srv,
		       const struct metrics_snap *s, FILE *f)
{
	static const char *const ops[] = { "offload", "release", "recall" };
	static const char *const states[] = { "resident", "offloaded",
					      "both" };
	const struct tier_worker_stats *t = &s->tier_stats;
	const char *spec = srv->cfg.tier, *colon = strchr(spec, ':');
	char where[512];

	head(f, "strata_tier_info", "gauge",
	     "Always 1; the labels say which object tier the MDS uses "
	     "(kind dir or s3, and where: the directory or ENDPOINT/BUCKET).");
	fprintf(f, "strata_tier_info{kind=\"%.*s\",where=\"%s\"} 1\n",
		colon ? (int)(colon - spec) : 0, spec,
		label_value(colon ? colon + 1 : "", where, sizeof(where)));
	scalar(f, "strata_tier_queue_length", "gauge",
	       "Tier steps (offload, release, recall) waiting for the tier "
	       "worker.", t->queued);
	scalar(f, "strata_tier_running", "gauge",
	       "1 while the tier worker runs a step.", t->running_op != 0);
	head(f, "strata_tier_steps_total", "counter",
	     "Tier steps the worker ended since start, by step and result "
	     "(nothing: a recall of a file no longer offloaded).");
	for (int i = 0; i < TIER_REQ_NOPS; i++) {
		uint64_t done = t->done[i];

		fprintf(f, "strata_tier_steps_total{step=\"%s\",result=\"done\"}"
			   " %" PRIu64 "\n", ops[i], done);
		fprintf(f, "strata_tier_steps_total{step=\"%s\",result="
			   "\"failed\"} %" PRIu64 "\n", ops[i], t->failed[i]);
	}
	fprintf(f, "strata_tier_steps_total{step=\"recall\",result="
		   "\"nothing\"} %" PRIu64 "\n", t->recalls_nothing);
	head(f, "strata_tier_bytes_total", "counter",
	     "Object bytes moved since start: up, stored in the tier by "
	     "offloads; down, read back by recalls.");
	fprintf(f, "strata_tier_bytes_total{dir=\"up\"} %" PRIu64 "\n",
		t->bytes_up);
	fprintf(f, "strata_tier_bytes_total{dir=\"down\"} %" PRIu64 "\n",
		t->bytes_down);
	head(f, "strata_tier_part_reads_total", "counter",
	     "READs of offloaded files through the MDS while their recall "
	     "runs: served, from the parts already back; waited, told "
	     "NFS4ERR_DELAY with their part fetched next.");
	fprintf(f, "strata_tier_part_reads_total{answer=\"served\"} %" PRIu64
		   "\n", t->part_reads_served);
	fprintf(f, "strata_tier_part_reads_total{answer=\"waited\"} %" PRIu64
		   "\n", t->part_reads_waited);
	scalar(f, "strata_tier_parts_asked_total", "counter",
	       "Parts moved to the front of a recall's fetch order by a "
	       "waiting READ.", t->parts_asked);
	scalar(f, "strata_tier_jobs_recovered_total", "counter",
	       "Tier jobs a crash left, given up by the recovery at start.",
	       t->recovered);
	head(f, "strata_tier_drains_total", "counter",
	     "Passes over the tier's delete and release records, by result.");
	fprintf(f, "strata_tier_drains_total{result=\"ok\"} %" PRIu64 "\n",
		t->drains - t->drain_failures);
	fprintf(f, "strata_tier_drains_total{result=\"failed\"} %" PRIu64
		   "\n", t->drain_failures);
	scalar(f, "strata_tier_objects_deleted_total", "counter",
	       "Objects deleted from the tier by drains.", t->deleted);
	scalar(f, "strata_tier_copies_freed_total", "counter",
	       "Data-server copies of released or abandoned data freed by "
	       "drains.", t->freed);
	scalar(f, "strata_tier_last_drain_timestamp_seconds", "gauge",
	       "When the last drain ended, in unix seconds (0: none yet).",
	       (uint64_t)t->last_drain);
	if (!s->res_ok)
		return;
	/* ns.h enum ns_residency: 0 local, 1 offloaded, 2 both */
	head(f, "strata_tier_files", "gauge",
	     "Regular files of this node's partitions by residency state "
	     "(counters the namespace keeps, decision 0034).");
	for (int i = 0; i < 3; i++)
		fprintf(f, "strata_tier_files{state=\"%s\"} %" PRIu64 "\n",
			states[i], s->res.files[i]);
	head(f, "strata_tier_file_bytes", "gauge",
	     "Sum of the sizes of those files, by residency state.");
	for (int i = 0; i < 3; i++)
		fprintf(f, "strata_tier_file_bytes{state=\"%s\"} %" PRIu64
			   "\n", states[i], s->res.bytes[i]);
}

int metrics_text_write(struct strata_server *srv,
		       const struct metrics_snap *s, FILE *f)
{
	const char *role = (srv->role & ROLE_DS) ? "ds" : "mds";

	head(f, "strata_build_info", "gauge",
	     "Always 1; the labels say which build and role this is.");
	fprintf(f, "strata_build_info{version=\"%s\",role=\"%s\"} 1\n",
		strata_version(), role);
	scalar(f, "strata_start_time_seconds", "gauge",
	       "When the server started, in unix seconds.",
	       (uint64_t)srv->start_wall);
	scalar(f, "strata_store_size_bytes", "gauge",
	       "Size of the file system holding the data directory.",
	       s->facts.store_size);
	scalar(f, "strata_store_avail_bytes", "gauge",
	       "Bytes available there to the server.",
	       s->facts.store_avail);
	write_ops(srv, f);
	write_io(srv, f);
	write_rdma(srv, f);
	write_state(srv, s, f);
	if (srv->role & ROLE_MDS)
		write_mds(srv, f);
	if (s->tier)
		write_tier(srv, s, f);
	if (srv->self)
		scalar(f, "strata_ds_serving", "gauge",
		       "Data server: 1 when the MDS's verdict lets it serve "
		       "client I/O (0: waiting or quarantined).",
		       ds_self_serving(srv->self) == DS_SERVING);
	return ferror(f) ? -1 : 0;
}
