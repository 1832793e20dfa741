/* pnfs/cluster.c — see cluster.h. */
#include "cluster.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fence_table.h"
#include "ctl_client.h"
#include "ctl_prot.h"
#include "ds_greet.h"
#include "ds_registry.h"
#include "log.h"
#include "mac.h"
#include "server.h"
#include "cluster_internal.h"

#define CTL_TIMEOUT_MS 10000
#define CONNECT_TIMEOUT_MS 2000

static const uint8_t DEVID_MAGIC[4] = { 'S', 'T', 'R', 'A' };

time_t cluster_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

int cluster_open(struct cluster **out, const struct strata_config *cfg,
		 const struct mac_key *k, const struct cluster_self *self)
{
	struct cluster *c = calloc(1, sizeof(*c));
	char path[4200];
	int rc;

	if (!c)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/dsreg", cfg->data_dir);
	rc = ds_registry_open(&c->reg, path, self->cluster_id);
	if (rc < 0) {
		log_err("data-server registry %s: %s", path, strerror(-rc));
		free(c);
		return rc;
	}
	_Static_assert(CLUSTER_ID_LEN == DS_ID_LEN, "one id size");
	if (self->cluster_id) {
		uint8_t have[DS_ID_LEN];

		ds_registry_cluster(c->reg, have);
		if (memcmp(have, self->cluster_id, DS_ID_LEN) != 0)
			log_warn("data-server registry %s was made for another "
				 "cluster id than the cluster map's: data "
				 "servers other nodes formatted will be "
				 "quarantined here (decision 0036)", path);
	}
	rc = fence_table_new(&c->fences);
	if (rc < 0) {
		ds_registry_close(c->reg);
		free(c);
		return rc;
	}
	c->key = *k;
	c->mds_epoch = self->epoch;
	c->node = self->node;
	c->stripe_unit = cfg->stripe_unit;
	c->nds = cfg->nds;
	c->heartbeat = cfg->heartbeat ? cfg->heartbeat : 1;
	memcpy(c->ds, cfg->ds, sizeof(c->ds));
	for (unsigned i = 0; i < c->nds; i++) {
		pthread_mutex_init(&c->link[i].lock, NULL);
		pthread_mutex_init(&c->link[i].hlock, NULL);
	}
	pthread_mutex_init(&c->rev_lock, NULL);
	atomic_store(&c->dev_epoch, 1);
	rc = cluster_keeper_start(c);
	if (rc < 0) {
		cluster_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

void cluster_close(struct cluster *c)
{
	if (!c)
		return;
	cluster_keeper_stop(c);
	for (unsigned i = 0; i < c->nds; i++) {
		ctl_close(c->link[i].conn);
		pthread_mutex_destroy(&c->link[i].lock);
		pthread_mutex_destroy(&c->link[i].hlock);
	}
	pthread_mutex_destroy(&c->rev_lock);
	ds_registry_close(c->reg);
	fence_table_free(c->fences);
	free(c->revoked);
	free(c);
}

unsigned cluster_quarantined(const struct cluster *c)
{
	return atomic_load(&c->nquarantined);
}

void cluster_retry_now(struct cluster *c, unsigned i)
{
	if (i >= c->nds)
		return;
	pthread_mutex_lock(&c->link[i].lock);
	c->link[i].next_try = 0;
	pthread_mutex_unlock(&c->link[i].lock);
	pthread_mutex_lock(&c->keeper_lock);
	pthread_cond_broadcast(&c->keeper_wake);
	pthread_mutex_unlock(&c->keeper_lock);
}

unsigned cluster_nds(const struct cluster *c)
{
	return c->nds;
}

const struct ds_endpoint *cluster_ds(const struct cluster *c, unsigned i)
{
	return i < c->nds ? &c->ds[i] : NULL;
}

uint32_t cluster_stripe_unit(const struct cluster *c)
{
	return c->stripe_unit;
}

void cluster_geom(const struct cluster *c, uint64_t fileid,
		  struct layout_geom *g)
{
	g->stripe_unit = c->stripe_unit;
	g->stripe_count = c->nds;
	g->first_index = layout_first_index(fileid, c->nds);
}

void cluster_deviceid(struct cluster *c, uint8_t id[CLUSTER_DEVICEID_LEN])
{
	uint32_t e = atomic_load(&c->dev_epoch);

	memset(id, 0, CLUSTER_DEVICEID_LEN);
	memcpy(id, DEVID_MAGIC, 4);
	for (int i = 0; i < 4; i++)
		id[4 + i] = (uint8_t)(e >> (24 - 8 * i));
}

int cluster_deviceid_ours(const uint8_t id[CLUSTER_DEVICEID_LEN])
{
	static const uint8_t zero[8];

	return memcmp(id, DEVID_MAGIC, 4) == 0 && memcmp(id + 8, zero, 8) == 0;
}

/* ---- links ------------------------------------------------------------ */

/* Send (up to 1024 of) the revocations this DS has not seen; how many,
 * or -errno. Link lock held. */
static int push_revokes(struct cluster *c, struct ds_link *l)
{
	ctl_revoke_args a;
	unsigned from, n;
	int st = 0, rc = 0;

	pthread_mutex_lock(&c->rev_lock);
	from = l->sent_revokes;
	n = c->nrevoked - from;
	if (n > 1024)
		n = 1024;
	if (n == 0) {
		pthread_mutex_unlock(&c->rev_lock);
		return 0;
	}
	a.others.others_len = n;
	a.others.others_val = malloc((size_t)n * sizeof(ctl_other));
	if (a.others.others_val)
		memcpy(a.others.others_val, c->revoked + from,
		       (size_t)n * 12);
	pthread_mutex_unlock(&c->rev_lock);
	if (!a.others.others_val)
		return -ENOMEM;
	rc = ctl_call(l->conn, CTL_REVOKE, (xdrproc_t)xdr_ctl_revoke_args, &a,
		      (xdrproc_t)xdr_int, &st, CTL_TIMEOUT_MS);
	free(a.others.others_val);
	if (rc < 0 || st)
		return rc < 0 ? rc : -st;
	l->sent_revokes = from + n;
	return (int)n;
}

/* Send every fence the MDS keeps (fence_table.h) on L's new connection,
 * one CTL_FENCE each. 0 or the first failure. Link lock held. */
static int push_fences(struct cluster *c, struct ds_link *l)
{
	struct fence_entry *v;
	size_t n;
	int rc = fence_table_copy(c->fences, &v, &n);

	for (size_t i = 0; !rc && i < n; i++) {
		ctl_fence_args a = { v[i].fileid, v[i].fence };
		int st = 0;

		rc = ctl_call(l->conn, CTL_FENCE, (xdrproc_t)xdr_ctl_fence_args,
			      &a, (xdrproc_t)xdr_int, &st, CTL_TIMEOUT_MS);
		if (!rc && st)
			rc = -st;
	}
	free(v);
	return rc;
}

/* The data server's store failed (QUARANTINED 1) or passed the identity
 * check: count and log changes only. Link lock held. */
static void set_quarantined(struct cluster *c, unsigned i, int quarantined,
			    const char *why)
{
	struct ds_link *l = &c->link[i];

	if (quarantined == l->quarantined)
		return;
	l->quarantined = quarantined;
	pthread_mutex_lock(&l->hlock);
	l->hquarantined = quarantined;
	pthread_mutex_unlock(&l->hlock);
	if (quarantined) {
		atomic_fetch_add(&c->nquarantined, 1);
		log_err("DATA SERVER %u (%s:%u) QUARANTINED: %s. Files with "
			"stripes on it get I/O errors; strata-fsck --scrub "
			"lists them",
			i, c->ds[i].addr, c->ds[i].port, why);
	} else {
		atomic_fetch_sub(&c->nquarantined, 1);
		log_info("data server %u (%s:%u): identity checked, serving "
			 "again", i, c->ds[i].addr, c->ds[i].port);
	}
}

/* Ask DS I (just greeted, link lock held) for its RDMA endpoint and
 * record it; a change gives the device a new epoch (its contents are
 * those of one id forever: op_device.c). 0 or -errno (the call failed). */
static int learn_transports(struct cluster *c, unsigned i)
{
	struct ds_link *l = &c->link[i];
	struct ds_rdma_ep ep;
	int has, changed;

	memset(&ep, 0, sizeof(ep));
	has = ds_xprts_rdma(l->conn, &ep);
	if (has < 0)
		return has;
	pthread_mutex_lock(&l->hlock);
	changed = has != l->has_rdma ||
		  (has && memcmp(&ep, &l->rdma, sizeof(ep)) != 0);
	l->has_rdma = has;
	l->rdma = ep;
	pthread_mutex_unlock(&l->hlock);
	if (!changed)
		return 0;
	atomic_fetch_add(&c->dev_epoch, 1);
	if (has)
		log_info("data server %u (%s:%u): RPC-over-RDMA at %s %s port "
			 "%u; device epoch %u", i, c->ds[i].addr,
			 c->ds[i].port, ep.netid, ep.addr[0] ? ep.addr : "*",
			 ep.port, atomic_load(&c->dev_epoch));
	else
		log_info("data server %u (%s:%u): no RDMA any more; device "
			 "epoch %u", i, c->ds[i].addr, c->ds[i].port,
			 atomic_load(&c->dev_epoch));
	return 0;
}

int cluster_ds_rdma(struct cluster *c, unsigned i, struct ds_rdma_ep *ep)
{
	struct ds_link *l;
	int has;

	if (i >= c->nds)
		return 0;
	l = &c->link[i];
	pthread_mutex_lock(&l->hlock);
	has = l->has_rdma;
	if (has)
		*ep = l->rdma;
	pthread_mutex_unlock(&l->hlock);
	return has;
}

/* Connect to DS I and check its store's identity (ds_greet.h). 0, -ENODEV
 * (quarantined) or -EAGAIN. Link lock held, no connection yet. */
static int link_connect(struct cluster *c, unsigned i)
{
	struct ds_link *l = &c->link[i];
	const char *why = "";
	int replaced = 0;
	int rc = ctl_connect(&l->conn, c->ds[i].addr, c->ds[i].port, &c->key,
			     c->node, c->mds_epoch, CONNECT_TIMEOUT_MS);

	/* Fences before the verdict: until it, the data server answers
	 * client I/O with DELAY, so a restarted one never serves a handle
	 * the MDS fenced off (fence_table.h). */
	if (rc == 0)
		rc = push_fences(c, l);
	if (rc == 0)
		rc = ds_greet(l->conn, c->reg, i, &why, &replaced);
	if (rc == 0)
		rc = learn_transports(c, i);
	if (rc == 0 && replaced)
		log_err("data server %u (%s:%u) REPLACED (%s): the stripes its "
			"old store held are lost; strata-fsck --scrub lists "
			"the files they belonged to",
			i, c->ds[i].addr, c->ds[i].port, why);
	if (rc == 0 || rc == -ENODEV)
		set_quarantined(c, i, rc == -ENODEV, why);
	if (rc == 0)
		return 0;
	ctl_close(l->conn);
	l->conn = NULL;
	l->next_try = cluster_now_s() + (rc == -ENODEV ? 2 : 1);
	if (rc == -ENODEV)
		return rc;
	if (!l->was_down)
		log_warn("data server %u (%s:%u) unreachable: %s", i,
			 c->ds[i].addr, c->ds[i].port, strerror(-rc));
	l->was_down = 1;
	return -EAGAIN;
}

/* Lock DS I's link and make sure it is connected. 0 with the lock held,
 * or without it -EAGAIN (unreachable now) or -ENODEV (quarantined). */
int cluster_link_get(struct cluster *c, unsigned i, struct ds_link **out)
{
	struct ds_link *l = &c->link[i];
	int rc;

	pthread_mutex_lock(&l->lock);
	if (!l->conn) {
		if (cluster_now_s() < l->next_try) {
			rc = l->quarantined ? -ENODEV : -EAGAIN;
			pthread_mutex_unlock(&l->lock);
			return rc;
		}
		rc = link_connect(c, i);
		if (rc < 0) {
			pthread_mutex_unlock(&l->lock);
			return rc;
		}
		l->sent_revokes = 0;
		if (l->was_down) {
			atomic_fetch_add(&c->dev_epoch, 1);
			log_info("data server %u (%s:%u) is back; device epoch %u",
				 i, c->ds[i].addr, c->ds[i].port,
				 atomic_load(&c->dev_epoch));
		}
		l->was_down = 0;
	}
	while (push_revokes(c, l) > 0)
		;
	*out = l;
	return 0;
}

/* Release after a call that returned RC; a dead connection is dropped. */
void cluster_link_put(struct ds_link *l, int rc)
{
	if (rc == -EPIPE || rc == -ETIMEDOUT || rc == -EIO) {
		ctl_close(l->conn);
		l->conn = NULL;
		l->was_down = 1;
		cluster_health_down(l);
	}
	pthread_mutex_unlock(&l->lock);
}

/* One call to DS I; transport failures become -EAGAIN, a quarantined DS
 * -ENODEV, a non-zero status from the DS -status (STATUS points into RES,
 * may be NULL). */
static int call_ds(struct cluster *c, unsigned i, uint32_t proc,
		   xdrproc_t xa, void *a, xdrproc_t xr, void *r,
		   const int *status)
{
	struct ds_link *l;
	int rc = cluster_link_get(c, i, &l);

	if (rc < 0)
		return rc;
	rc = ctl_call(l->conn, proc, xa, a, xr, r, CTL_TIMEOUT_MS);
	cluster_link_put(l, rc);
	if (rc < 0) {
		log_warn("data server %u: control call %u failed: %s", i, proc,
			 strerror(-rc));
		return -EAGAIN;
	}
	if (status && *status)
		return -*status;
	return 0;
}

static int call_obj(struct cluster *c, unsigned i, uint32_t proc,
		    uint64_t fileid, uint64_t gen)
{
	ctl_obj o = { fileid, i, gen };
	int st = 0;

	return call_ds(c, i, proc, (xdrproc_t)xdr_ctl_obj, &o,
		       (xdrproc_t)xdr_int, &st, &st);
}

/* ---- striped I/O ---------------------------------------------------- */

/* The piece of a file range at OFF (LEFT bytes to go) that lies in one
 * stripe unit: its object, the offset in that object, and its length. */
static size_t piece(const struct layout_geom *g, uint64_t fileid,
		    uint64_t gen, uint64_t off, size_t left, ctl_obj *obj,
		    uint64_t *ooff)
{
	uint32_t j, run;

	layout_map(g, off, &j, ooff, &run);
	obj->fileid = fileid;
	obj->index = j;
	obj->gen = gen;
	return left < run ? left : run;
}

/* A piece that could not be read because its object is missing
 * (-ENOENT) or its data server quarantined (-ENODEV). */
static int unreadable(int rc)
{
	return rc == -ENOENT || rc == -ENODEV;
}

/* A CTL_READ answer (ctl_prot.x ctl_read_res: status, eof, then the
 * data as opaque<CTL_DATA_MAX>) decoded with its bytes straight into the
 * caller's buffer BUF of CAP bytes, rather than into a buffer of their
 * own that the caller copies again (the tier's offload read 1 GiB twice:
 * docs/performance.md). More bytes than CAP fail the decode. */
struct read_into {
	int status;
	bool_t eof;
	char *buf;
	u_int cap;
	u_int len;
};

static bool_t xdr_read_into(XDR *x, struct read_into *r)
{
	if (x->x_op == XDR_FREE)
		return TRUE; /* nothing of its own */
	if (x->x_op != XDR_DECODE || !xdr_int(x, &r->status) ||
	    !xdr_bool(x, &r->eof) || !xdr_u_int(x, &r->len) ||
	    r->len > r->cap || r->len > CTL_DATA_MAX)
		return FALSE;
	return xdr_opaque(x, r->buf, r->len);
}

ssize_t cluster_read(struct cluster *c, uint64_t fileid, uint64_t gen,
		     uint64_t off, void *buf, size_t len, int missing_is_hole)
{
	struct layout_geom g;
	size_t done = 0;

	cluster_geom(c, fileid, &g);
	while (done < len) {
		ctl_read_args a;
		size_t n = piece(&g, fileid, gen, off + done, len - done,
				 &a.obj, &a.offset);
		struct read_into r = { .buf = (char *)buf + done,
				       .cap = (u_int)n };
		int rc;

		a.count = (uint32_t)n;
		rc = call_ds(c, a.obj.index, CTL_READ, (xdrproc_t)xdr_ctl_read_args, &a,
			     (xdrproc_t)xdr_read_into, &r, &r.status);
		/* Short (past the object's end: a hole) reads as zeros. */
		if (rc == 0)
			memset((char *)buf + done + r.len, 0, n - r.len);
		/* Never made: a hole (data.h says when that holds). */
		if (rc == -ENOENT && missing_is_hole) {
			memset((char *)buf + done, 0, n);
			rc = 0;
		}
		if (rc < 0 && unreadable(rc) && done)
			return (ssize_t)done; /* the good bytes first */
		if (rc < 0)
			return rc;
		done += n;
	}
	return (ssize_t)len;
}

ssize_t cluster_write(struct cluster *c, uint64_t fileid, uint64_t gen,
		      uint64_t off, const void *buf, size_t len, int stable)
{
	struct layout_geom g;
	size_t done = 0;

	cluster_geom(c, fileid, &g);
	while (done < len) {
		ctl_write_args a;
		ctl_write_res r;
		size_t n = piece(&g, fileid, gen, off + done, len - done,
				 &a.obj, &a.offset);
		int rc;

		a.stable = stable ? TRUE : FALSE;
		a.data.data_len = (u_int)n;
		a.data.data_val = (char *)buf + done;
		memset(&r, 0, sizeof(r));
		rc = call_ds(c, a.obj.index, CTL_WRITE, (xdrproc_t)xdr_ctl_write_args,
			     &a, (xdrproc_t)xdr_ctl_write_res, &r, &r.status);
		if (rc < 0)
			return done && unreadable(rc) ? (ssize_t)done : rc;
		if (r.count < n)
			return (ssize_t)(done + r.count);
		done += n;
	}
	return (ssize_t)len;
}

/* PROC on every stripe object of FILEID; a missing one counts as done
 * when MISSING_OK. */
static int each_obj(struct cluster *c, uint32_t proc, uint64_t fileid,
		    uint64_t gen, int missing_ok)
{
	int first_err = 0;

	for (unsigned i = 0; i < c->nds; i++) {
		int rc = call_obj(c, i, proc, fileid, gen);
		if (rc == -ENOENT && missing_ok)
			rc = 0;
		if (rc < 0 && !first_err)
			first_err = rc;
	}
	return first_err;
}

int cluster_commit(struct cluster *c, uint64_t fileid, uint64_t gen,
		   int missing_ok)
{
	return each_obj(c, CTL_COMMIT, fileid, gen, missing_ok);
}

int cluster_create(struct cluster *c, uint64_t fileid, uint64_t gen)
{
	return each_obj(c, CTL_CREATE, fileid, gen, 0);
}

int cluster_remove(struct cluster *c, uint64_t fileid, uint64_t gen)
{
	return each_obj(c, CTL_REMOVE, fileid, gen, 1);
}

/* PROC (CTL_CREATE_MANY / CTL_REMOVE_MANY) of stripe object I of N files
 * on data server I, in calls of at most CTL_OBJS_MAX objects. */
static int many_on_ds(struct cluster *c, unsigned i, uint32_t proc,
		      const uint64_t *fileids, const uint64_t *gens, size_t n,
		      ctl_obj *objs)
{
	int first_err = 0;

	for (size_t k = 0; k < n; k += CTL_OBJS_MAX) {
		size_t m = n - k < CTL_OBJS_MAX ? n - k : CTL_OBJS_MAX;
		ctl_objs a = { { (u_int)m, objs } };
		int st = 0;
		int rc;

		for (size_t j = 0; j < m; j++) {
			objs[j].fileid = fileids[k + j];
			objs[j].index = i;
			objs[j].gen = gens ? gens[k + j] : 0;
		}
		rc = call_ds(c, i, proc, (xdrproc_t)xdr_ctl_objs, &a,
			     (xdrproc_t)xdr_int, &st, &st);
		if (rc < 0 && !first_err)
			first_err = rc;
	}
	return first_err;
}

static int each_many(struct cluster *c, uint32_t proc,
		     const uint64_t *fileids, const uint64_t *gens, size_t n)
{
	size_t cap = n < CTL_OBJS_MAX ? n : CTL_OBJS_MAX;
	ctl_obj *objs;
	int first_err = 0;

	if (!n)
		return 0;
	objs = calloc(cap, sizeof(*objs));
	if (!objs)
		return -ENOMEM;
	for (unsigned i = 0; i < c->nds; i++) {
		int rc = many_on_ds(c, i, proc, fileids, gens, n, objs);
		if (rc < 0 && !first_err)
			first_err = rc;
	}
	free(objs);
	return first_err;
}

int cluster_create_many(struct cluster *c, const uint64_t *fileids,
			const uint64_t *gens, size_t n)
{
	return each_many(c, CTL_CREATE_MANY, fileids, gens, n);
}

int cluster_remove_many(struct cluster *c, const uint64_t *fileids,
			const uint64_t *gens, size_t n)
{
	return each_many(c, CTL_REMOVE_MANY, fileids, gens, n);
}

int cluster_stat_many(struct cluster *c, unsigned ds,
		      const uint64_t *fileids, const uint64_t *gens, size_t n,
		      int64_t *sizes)
{
	ctl_obj *objs = calloc(n ? n : 1, sizeof(*objs));
	ctl_objs a = { { (u_int)n, objs } };
	ctl_stat_many_res r;
	int rc;

	if (!objs)
		return -ENOMEM;
	if (ds >= c->nds || n > CTL_OBJS_MAX) {
		free(objs);
		return -EINVAL;
	}
	for (size_t j = 0; j < n; j++) {
		objs[j].fileid = fileids[j];
		objs[j].index = ds;
		objs[j].gen = gens ? gens[j] : 0;
	}
	memset(&r, 0, sizeof(r));
	rc = call_ds(c, ds, CTL_STAT_MANY, (xdrproc_t)xdr_ctl_objs, &a,
		     (xdrproc_t)xdr_ctl_stat_many_res, &r, &r.status);
	if (rc == 0 && r.sizes.sizes_len != n)
		rc = -EIO;
	for (size_t j = 0; rc == 0 && j < n; j++)
		sizes[j] = r.sizes.sizes_val[j];
	xdr_free((xdrproc_t)xdr_ctl_stat_many_res, &r);
	free(objs);
	return rc;
}

int cluster_truncate(struct cluster *c, uint64_t fileid, uint64_t gen,
		     uint64_t size)
{
	struct layout_geom g;
	int first_err = 0;

	cluster_geom(c, fileid, &g);
	for (unsigned i = 0; i < c->nds; i++) {
		ctl_truncate_args a = { { fileid, i, gen },
					layout_obj_size(&g, i, size) };
		int st = 0;
		int rc = call_ds(c, i, CTL_TRUNCATE,
				 (xdrproc_t)xdr_ctl_truncate_args, &a,
				 (xdrproc_t)xdr_int, &st, &st);
		if (rc < 0 && !first_err)
			first_err = rc;
	}
	return first_err;
}

int cluster_size(struct cluster *c, uint64_t fileid, uint64_t gen,
		 uint64_t *size)
{
	struct layout_geom g;

	*size = 0;
	cluster_geom(c, fileid, &g);
	for (unsigned i = 0; i < c->nds; i++) {
		ctl_obj o = { fileid, i, gen };
		ctl_size_res r;
		uint64_t s;
		int rc;

		memset(&r, 0, sizeof(r));
		rc = call_ds(c, i, CTL_SIZE, (xdrproc_t)xdr_ctl_obj, &o,
			     (xdrproc_t)xdr_ctl_size_res, &r, &r.status);
		if (rc == -ENOENT)
			continue;
		if (rc < 0)
			return rc;
		s = layout_size_from_obj(&g, i, r.size);
		if (s > *size)
			*size = s;
	}
	return 0;
}

int cluster_fence(struct cluster *c, uint64_t fileid, uint64_t fence)
{
	/* Kept first: a data server down now gets it when it is back. */
	int first_err = fence_table_raise(c->fences, fileid, fence);

	for (unsigned i = 0; i < c->nds; i++) {
		ctl_fence_args a = { fileid, fence };
		int st = 0;
		int rc = call_ds(c, i, CTL_FENCE, (xdrproc_t)xdr_ctl_fence_args,
				 &a, (xdrproc_t)xdr_int, &st, &st);
		if (rc < 0 && !first_err)
			first_err = rc;
	}
	return first_err;
}

uint64_t cluster_fence_of(struct cluster *c, uint64_t fileid)
{
	return fence_table_get(c->fences, fileid);
}

void cluster_fence_forget(struct cluster *c, uint64_t fileid)
{
	fence_table_forget(c->fences, fileid);
}

int cluster_revoke(struct cluster *c, const uint8_t (*others)[12],
		   unsigned n)
{
	pthread_mutex_lock(&c->rev_lock);
	if (c->nrevoked + n > c->caprevoked) {
		unsigned cap = (c->nrevoked + n) * 2 + 16;
		void *p = realloc(c->revoked, (size_t)cap * 12);
		if (!p) {
			pthread_mutex_unlock(&c->rev_lock);
			return -ENOMEM;
		}
		c->revoked = p;
		c->caprevoked = cap;
	}
	memcpy(c->revoked + c->nrevoked, others, (size_t)n * 12);
	c->nrevoked += n;
	pthread_mutex_unlock(&c->rev_lock);
	/* Push now; a DS that is down gets them when it reconnects. */
	for (unsigned i = 0; i < c->nds; i++) {
		struct ds_link *l;
		if (cluster_link_get(c, i, &l) == 0)
			cluster_link_put(l, 0);
	}
	return 0;
}
