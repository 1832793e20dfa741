/* pnfs/ctl_admin.c — see ctl_admin.h. */
#include "ctl_admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "cmap.h"
#include "cluster.h"
#include "compound.h"
#include "ds_self.h"
#include "metrics.h"
#include "metrics_text.h"
#include "server.h"

#define CLIENTS_MAX 4096

/* Strings of one ctl_info. */
struct info_buf {
	char cluster[64];
	char version[64];
	char listen[80];
	char metrics[80];
};

static void *keep(struct ctl_admin_res *r, void *p)
{
	for (unsigned i = 0; p && i < sizeof(r->mem) / sizeof(r->mem[0]); i++)
		if (!r->mem[i]) {
			r->mem[i] = p;
			return p;
		}
	free(p);
	return NULL;
}

/* The node's part of the cluster (an MDS; nothing without a map). */
static void node_info(struct strata_server *srv, ctl_info *in,
		      struct info_buf *b)
{
	struct ns_stats ns;

	b->cluster[0] = 0;
	in->cluster = b->cluster;
	if (!srv->ns)
		return;
	if (ns_stats(srv->ns, &ns) == 0) {
		in->inodes = ns.inodes;
		in->entries = ns.entries;
	}
	in->subs_sent = atomic_load(&srv->metrics.subs_sent);
	in->subs_served = atomic_load(&srv->metrics.subs_served);
	if (!srv->cfg.cluster_map[0])
		return;
	snprintf(b->cluster, sizeof(b->cluster), "%s", srv->cmap->id);
	in->node = srv->node;
	in->partitions = srv->cmap->npartitions;
	in->partitions_owned = srv->cmap->node[srv->node].npartitions;
}

static void self_info(struct strata_server *srv, ctl_info *in,
		      struct info_buf *b)
{
	const struct strata_config *cfg = &srv->cfg;
	struct metrics_facts x;

	metrics_facts_take(srv, &x);
	memset(in, 0, sizeof(*in));
	snprintf(b->version, sizeof(b->version), "%s", strata_version());
	snprintf(b->listen, sizeof(b->listen), "%s:%u", cfg->listen_addr,
		 cfg->port);
	if (srv->http)
		snprintf(b->metrics, sizeof(b->metrics), "%s:%u",
			 cfg->metrics_addr, cfg->metrics_port);
	else
		b->metrics[0] = 0;
	in->sw_version = b->version;
	in->listen = b->listen;
	in->metrics = b->metrics;
	in->role = (srv->role & ROLE_DS) ? 2 : 1;
	in->start_time = srv->start_wall;
	in->uptime_s = (metrics_now_ns() - srv->start_mono_ns) / 1000000000ull;
	in->store_size = x.store_size;
	in->store_avail = x.store_avail;
	in->serving = !srv->self || ds_self_serving(srv->self) == DS_SERVING;
	in->lease_time = cfg->lease_time;
	in->grace = x.grace;
	in->reclaim_pending = x.reclaim_pending;
	node_info(srv, in, b);
}

static void build_info(struct strata_server *srv, struct ctl_admin_res *r)
{
	struct info_buf *b = keep(r, calloc(1, sizeof(*b)));

	r->xdr = (xdrproc_t)xdr_ctl_info_res;
	if (!b) {
		r->u.info.status = ENOMEM;
		return;
	}
	self_info(srv, &r->u.info.ctl_info_res_u.info, b);
}

/* One data server's row: its health as the keeper last saw it. */
struct ds_row {
	char addr[80];
	char adv[80];
	ctl_info info;
	struct info_buf b;
};

static void ds_row(struct cluster *cl, unsigned i, ctl_ds_status *d,
		   struct ds_row *row)
{
	const struct ds_endpoint *e = cluster_ds(cl, i);
	struct ds_health h;

	cluster_health(cl, i, &h);
	snprintf(row->addr, sizeof(row->addr), "%s:%u", e->addr, e->port);
	snprintf(row->adv, sizeof(row->adv), "%s:%u", e->adv_addr,
		 e->adv_port);
	d->slot = i;
	d->addr = row->addr;
	d->advertised = row->adv;
	d->state = h.state == CLUSTER_DS_UP     ? CTL_DS_UP
		   : h.state == CLUSTER_DS_DOWN ? CTL_DS_DOWN
						: CTL_DS_QUARANTINED;
	d->seen_ago = h.seen_ago < 0 ? 0xffffffffu : (u_int)h.seen_ago;
	d->info = NULL;
	if (!h.has_info)
		return;
	snprintf(row->b.version, sizeof(row->b.version), "%s", h.version);
	snprintf(row->b.listen, sizeof(row->b.listen), "%s", h.listen);
	snprintf(row->b.metrics, sizeof(row->b.metrics), "%s", h.metrics);
	row->info.sw_version = row->b.version;
	row->info.listen = row->b.listen;
	row->info.metrics = row->b.metrics;
	row->b.cluster[0] = 0; /* a data server is no metadata node */
	row->info.cluster = row->b.cluster;
	row->info.role = 2;
	row->info.start_time = h.start_time;
	row->info.uptime_s = h.uptime_s + (h.seen_ago > 0 ? h.seen_ago : 0);
	row->info.store_size = h.store_size;
	row->info.store_avail = h.store_avail;
	row->info.serving = h.serving;
	d->info = &row->info;
}

static void build_status(struct strata_server *srv, struct ctl_admin_res *r)
{
	ctl_status *st = &r->u.status.ctl_status_res_u.st;
	struct cluster *cl = srv->cluster;
	unsigned n = cl ? cluster_nds(cl) : 0;
	struct info_buf *b = keep(r, calloc(1, sizeof(*b)));
	ctl_ds_status *ds = keep(r, calloc(n ? n : 1, sizeof(*ds)));
	struct ds_row *rows = keep(r, calloc(n ? n : 1, sizeof(*rows)));

	r->xdr = (xdrproc_t)xdr_ctl_status_res;
	if (!(srv->role & ROLE_MDS)) {
		r->u.status.status = ENOTSUP;
		return;
	}
	if (!b || !ds || !rows) {
		r->u.status.status = ENOMEM;
		return;
	}
	self_info(srv, &st->self, b);
	st->heartbeat = cl ? cluster_heartbeat(cl) : srv->cfg.heartbeat;
	st->stripe_unit = cl ? cluster_stripe_unit(cl) : 0;
	st->device_epoch = cl ? cluster_device_epoch(cl) : 0;
	for (unsigned i = 0; i < n; i++)
		ds_row(cl, i, &ds[i], &rows[i]);
	st->ds.ds_len = n;
	st->ds.ds_val = ds;
}

static void build_clients(struct strata_server *srv, struct ctl_admin_res *r)
{
	ctl_clients *cl = &r->u.clients.ctl_clients_res_u.cl;
	struct census_client *rows =
		keep(r, calloc(CLIENTS_MAX, sizeof(*rows)));
	ctl_client *out = keep(r, calloc(CLIENTS_MAX, sizeof(*out)));
	size_t total, n;

	r->xdr = (xdrproc_t)xdr_ctl_clients_res;
	if (!rows || !out) {
		r->u.clients.status = ENOMEM;
		return;
	}
	pthread_mutex_lock(&srv->state_lock);
	total = census_clients(srv, rows, CLIENTS_MAX);
	pthread_mutex_unlock(&srv->state_lock);
	n = total < CLIENTS_MAX ? total : CLIENTS_MAX;
	for (size_t i = 0; i < n; i++) {
		const struct census_client *c = &rows[i];
		ctl_client *o = &out[i];

		o->clientid = c->clientid;
		o->owner = rows[i].owner;
		o->addr = rows[i].addr;
		o->minor = c->minor;
		o->confirmed = c->confirmed;
		o->courtesy = c->courtesy;
		o->lease_age = c->lease_age;
		o->sessions = c->sessions;
		o->opens = c->opens;
		o->locks = c->locks;
		o->delegations = c->delegations;
		o->layouts = c->layouts;
	}
	cl->total = total;
	cl->clients.clients_len = (u_int)n;
	cl->clients.clients_val = out;
}

/* One export today: the whole namespace, to everyone, AUTH_SYS, with
 * POSIX permission checks (docs/decisions/0020) and no squashing. */
static void build_exports(struct strata_server *srv, struct ctl_admin_res *r)
{
	struct exp_buf {
		ctl_export e;
		char path[8];
		char clients[8];
		char options[256];
	} *b = keep(r, calloc(1, sizeof(struct exp_buf)));

	r->xdr = (xdrproc_t)xdr_ctl_exports_res;
	if (!(srv->role & ROLE_MDS)) {
		r->u.exports.status = ENOTSUP;
		return;
	}
	if (!b) {
		r->u.exports.status = ENOMEM;
		return;
	}
	snprintf(b->path, sizeof(b->path), "/");
	snprintf(b->clients, sizeof(b->clients), "*");
	if (srv->cluster)
		snprintf(b->options, sizeof(b->options),
			 "rw,sync,sec=sys,no_root_squash,pnfs=files,"
			 "data_servers=%u,stripe_unit=%u",
			 cluster_nds(srv->cluster),
			 cluster_stripe_unit(srv->cluster));
	else
		snprintf(b->options, sizeof(b->options),
			 "rw,sync,sec=sys,no_root_squash,no_pnfs");
	b->e.path = b->path;
	b->e.clients = b->clients;
	b->e.options = b->options;
	r->u.exports.ctl_exports_res_u.exports.exports_len = 1;
	r->u.exports.ctl_exports_res_u.exports.exports_val = &b->e;
}

/* Op stats with their bucket arrays. */
struct opstat_buf {
	ctl_op_stat ops[METRICS_NOPS];
	uint64_t buckets[METRICS_NOPS + 1][METRICS_LAT_BUCKETS + 1];
	uint64_t bounds[METRICS_LAT_BUCKETS];
	char name[16];
};

static void fill_stat(ctl_op_stat *o, const char *name,
		      const struct metrics_hist *h, uint64_t *buckets,
		      uint64_t count, uint64_t errors)
{
	o->name = (char *)name;
	o->count = count;
	o->errors = errors;
	o->sum_ns = atomic_load(&h->sum);
	for (int i = 0; i <= METRICS_LAT_BUCKETS; i++)
		buckets[i] = atomic_load(&h->bucket[i]);
	o->buckets.buckets_len = METRICS_LAT_BUCKETS + 1;
	o->buckets.buckets_val = (u_quad_t *)buckets;
}

/* Ops of OP that did not end NFS4_OK. */
static uint64_t op_errors(const struct metrics_op *o, uint64_t total)
{
	for (int s = 0; s < METRICS_STATUS_SLOTS; s++)
		if (atomic_load(&o->status[s]) == NFS4_OK + 1)
			return total - atomic_load(&o->count[s]);
	return total;
}

static void build_opstats(struct strata_server *srv, struct ctl_admin_res *r)
{
	ctl_opstats *st = &r->u.opstats.ctl_opstats_res_u.st;
	const struct strata_metrics *m = &srv->metrics;
	struct opstat_buf *b = keep(r, calloc(1, sizeof(*b)));
	u_int n = 0;

	r->xdr = (xdrproc_t)xdr_ctl_opstats_res;
	if (!b) {
		r->u.opstats.status = ENOMEM;
		return;
	}
	st->now_ns = metrics_now_ns();
	memcpy(b->bounds, metrics_lat_bounds_ns, sizeof(b->bounds));
	st->bounds_ns.bounds_ns_len = METRICS_LAT_BUCKETS;
	st->bounds_ns.bounds_ns_val = (u_quad_t *)b->bounds;
	snprintf(b->name, sizeof(b->name), "COMPOUND");
	fill_stat(&st->compound, b->name, &m->compound,
		  b->buckets[METRICS_NOPS],
		  atomic_load(&srv->counters.compounds), 0);
	for (unsigned i = 0; i < METRICS_NOPS; i++) {
		const struct op_desc *d = op_table_lookup(i);
		uint64_t total = metrics_op_total(m, i);

		if (!d || !total)
			continue;
		fill_stat(&b->ops[n], d->name, &m->op[i].lat, b->buckets[i],
			  total, op_errors(&m->op[i], total));
		n++;
	}
	st->ops.ops_len = n;
	st->ops.ops_val = b->ops;
	st->read_bytes = atomic_load(&srv->counters.read_bytes);
	st->write_bytes = atomic_load(&srv->counters.write_bytes);
}

void ctl_admin_build(struct strata_server *srv, uint32_t proc,
		     struct ctl_admin_res *r)
{
	memset(r, 0, sizeof(*r));
	r->proc = proc;
	switch (proc) {
	case CTL_INFO:
		build_info(srv, r);
		break;
	case CTL_STATUS:
		build_status(srv, r);
		break;
	case CTL_CLIENTS:
		build_clients(srv, r);
		break;
	case CTL_EXPORTS:
		build_exports(srv, r);
		break;
	default:
		build_opstats(srv, r);
		break;
	}
}

void ctl_admin_free(struct ctl_admin_res *r)
{
	for (unsigned i = 0; i < sizeof(r->mem) / sizeof(r->mem[0]); i++)
		free(r->mem[i]);
	memset(r, 0, sizeof(*r));
}
