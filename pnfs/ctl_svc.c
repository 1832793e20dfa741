/* pnfs/ctl_svc.c — control protocol procedures. See ctl_svc.h and
 * ctl_prot.x. */
#include "ctl_svc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cluster.h"
#include "compound.h"
#include "ctl_admin.h"
#include "ctl_datagen.h"
#include "ctl_tier.h"
#include "ctl_identity.h"
#include "ctl_prot.h"
#include "ds_self.h"
#include "ds_state.h"
#include "log.h"
#include "scrub.h"
#include "server.h"

struct ctl_req {
	struct strata_server *srv;
	struct xprt_conn *conn;
	const struct rpc_call *call;
};

static void send_reply(struct ctl_req *r, uint32_t stat, xdrproc_t xres,
		       void *res)
{
	size_t len = xres ? xdr_sizeof(xres, res) : 0;
	uint8_t *buf = malloc(RPC_REPLY_HDR_LEN + len + 4);
	struct iovec iov;
	XDR x;

	if (!buf)
		return;
	rpc_reply_accepted(buf, r->call->xid, stat);
	if (xres && stat == ACCEPT_SUCCESS) {
		xdrmem_create(&x, (char *)buf + RPC_REPLY_HDR_LEN,
			      (u_int)len + 4, XDR_ENCODE);
		if (!xres(&x, res, 0)) {
			rpc_reply_accepted(buf, r->call->xid,
					   ACCEPT_SYSTEM_ERR);
			len = 0;
		}
		xdr_destroy(&x);
	} else {
		len = 0;
	}
	iov.iov_base = buf;
	iov.iov_len = RPC_REPLY_HDR_LEN + len;
	if (xprt_send(r->conn, &iov, 1) < 0)
		log_debug("ctl: reply to %s failed", r->conn->peer);
	free(buf);
}

/* Decode the call's arguments; on failure answer GARBAGE_ARGS. */
static int get_args(struct ctl_req *r, xdrproc_t xargs, void *args)
{
	XDR x;
	int ok;

	xdrmem_create(&x, (char *)r->call->args, (u_int)r->call->args_len,
		      XDR_DECODE);
	ok = xargs(&x, args, 0);
	xdr_destroy(&x);
	if (!ok) {
		xdr_free(xargs, args);
		send_reply(r, ACCEPT_GARBAGE_ARGS, NULL, NULL);
	}
	return ok;
}

static int errno_stat(long rc)
{
	return rc < 0 ? (int)-rc : 0;
}

/* ---- handshake -------------------------------------------------------- */

static void do_challenge(struct ctl_req *r)
{
	if (getrandom(r->conn->ctl_nonce, CTL_NONCE_LEN, 0) != CTL_NONCE_LEN) {
		send_reply(r, ACCEPT_SYSTEM_ERR, NULL, NULL);
		return;
	}
	r->conn->ctl_state = 1;
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_nonce,
		   r->conn->ctl_nonce);
}

static void do_auth(struct ctl_req *r)
{
	ctl_auth_args a;
	int st = CTL_EAUTH;

	memset(&a, 0, sizeof(a));
	if (!get_args(r, (xdrproc_t)xdr_ctl_auth_args, &a))
		return;
	if (r->conn->ctl_state == 1 &&
	    mac_verify(&r->srv->key, MAC_DOMAIN_CTL_AUTH, r->conn->ctl_nonce,
		       CTL_NONCE_LEN, (const uint8_t *)a.mac, CTL_MAC_LEN)) {
		r->conn->ctl_state = 2;
		st = 0;
		if (a.is_mds && r->srv->ds &&
		    ds_state_set_epoch(r->srv->ds, a.mds_node,
				       a.mds_epoch) < 0)
			log_warn("ctl: %s: metadata node %u is out of range; "
				 "its stateids are refused",
				 r->conn->peer, a.mds_node);
		if (a.is_mds)
			log_info("ctl: %s authenticated (metadata node %u)",
				 r->conn->peer, a.mds_node);
		else
			log_info("ctl: %s authenticated", r->conn->peer);
	} else {
		r->conn->ctl_state = 0; /* one try per nonce */
		log_warn("ctl: %s failed authentication", r->conn->peer);
	}
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_int, &st);
}

/* ---- data procedures (data server) ---------------------------------- */

/* CREATE or REMOVE of one object, as a status (a missing object is not a
 * failure to REMOVE); also each object of CTL_CREATE_MANY / _REMOVE_MANY. */
static int create_or_remove(struct strata_server *srv, int create,
			    const ctl_obj *o)
{
	int st;

	if (create)
		return errno_stat(ds_store_create(srv->store, o->fileid,
						  o->index, o->gen));
	st = errno_stat(ds_store_remove(srv->store, o->fileid, o->index,
					o->gen));
	return st == ENOENT ? 0 : st;
}

static void do_obj(struct ctl_req *r, uint32_t proc)
{
	ctl_obj o;
	ctl_size_res sr;
	int st = 0;
	int64_t sz;

	memset(&o, 0, sizeof(o));
	if (!get_args(r, (xdrproc_t)xdr_ctl_obj, &o))
		return;
	switch (proc) {
	case CTL_CREATE:
	case CTL_REMOVE:
		st = create_or_remove(r->srv, proc == CTL_CREATE, &o);
		break;
	case CTL_COMMIT:
		st = errno_stat(ds_store_commit(r->srv->store, o.fileid,
						o.index, o.gen));
		break;
	case CTL_SIZE:
		sz = ds_store_size(r->srv->store, o.fileid, o.index, o.gen);
		sr.status = errno_stat(sz);
		sr.size = sz < 0 ? 0 : (uint64_t)sz;
		send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_size_res,
			   &sr);
		return;
	}
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_int, &st);
}

/* CTL_CREATE_MANY / CTL_REMOVE_MANY: every object is tried; the status is
 * the first failure (a missing object is not one for REMOVE). */
static void do_objs(struct ctl_req *r, uint32_t proc)
{
	ctl_objs a;
	int st = 0;

	memset(&a, 0, sizeof(a));
	if (!get_args(r, (xdrproc_t)xdr_ctl_objs, &a))
		return;
	for (u_int i = 0; i < a.objs.objs_len; i++) {
		int e = create_or_remove(r->srv, proc == CTL_CREATE_MANY,
					 &a.objs.objs_val[i]);

		if (e && !st)
			st = e;
	}
	xdr_free((xdrproc_t)xdr_ctl_objs, &a);
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_int, &st);
}

static void do_truncate(struct ctl_req *r)
{
	ctl_truncate_args a;
	int st;

	memset(&a, 0, sizeof(a));
	if (!get_args(r, (xdrproc_t)xdr_ctl_truncate_args, &a))
		return;
	st = errno_stat(ds_store_truncate(r->srv->store, a.obj.fileid,
					  a.obj.index, a.obj.gen, a.size));
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_int, &st);
}

static void do_read(struct ctl_req *r)
{
	ctl_read_args a;
	ctl_read_res res;
	ssize_t n;

	memset(&a, 0, sizeof(a));
	memset(&res, 0, sizeof(res));
	if (!get_args(r, (xdrproc_t)xdr_ctl_read_args, &a))
		return;
	if (a.count > CTL_DATA_MAX || a.count > r->srv->cfg.max_io) {
		res.status = EINVAL;
		send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_read_res,
			   &res);
		return;
	}
	res.data.data_val = malloc(a.count ? a.count : 1);
	if (!res.data.data_val) {
		res.status = ENOMEM;
	} else {
		n = ds_store_read(r->srv->store, a.obj.fileid, a.obj.index,
				  a.obj.gen, a.offset, res.data.data_val,
				  a.count);
		res.status = errno_stat(n);
		res.data.data_len = n < 0 ? 0 : (u_int)n;
		res.eof = n >= 0 && (size_t)n < a.count;
		atomic_fetch_add(&r->srv->counters.ctl_read_bytes,
				 res.data.data_len);
	}
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_read_res, &res);
	free(res.data.data_val);
}

static void do_write(struct ctl_req *r)
{
	ctl_write_args a;
	ctl_write_res res;
	ssize_t n;

	memset(&a, 0, sizeof(a));
	memset(&res, 0, sizeof(res));
	if (!get_args(r, (xdrproc_t)xdr_ctl_write_args, &a))
		return;
	n = ds_store_write(r->srv->store, a.obj.fileid, a.obj.index,
			   a.obj.gen, a.offset, a.data.data_val,
			   a.data.data_len, a.stable);
	res.status = errno_stat(n);
	res.count = n < 0 ? 0 : (uint32_t)n;
	atomic_fetch_add(&r->srv->counters.ctl_write_bytes, res.count);
	xdr_free((xdrproc_t)xdr_ctl_write_args, &a);
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_write_res, &res);
}

/* CTL_STAT_MANY: each object's length, -1 when missing. */
static void do_stat_many(struct ctl_req *r)
{
	ctl_objs a;
	ctl_stat_many_res res;

	memset(&a, 0, sizeof(a));
	memset(&res, 0, sizeof(res));
	if (!get_args(r, (xdrproc_t)xdr_ctl_objs, &a))
		return;
	res.sizes.sizes_val = calloc(a.objs.objs_len ? a.objs.objs_len : 1,
				     sizeof(quad_t));
	if (!res.sizes.sizes_val) {
		res.status = ENOMEM;
	} else {
		res.sizes.sizes_len = a.objs.objs_len;
		for (u_int i = 0; i < a.objs.objs_len; i++) {
			const ctl_obj *o = &a.objs.objs_val[i];
			int64_t sz = ds_store_size(r->srv->store, o->fileid,
						   o->index, o->gen);
			res.sizes.sizes_val[i] = sz < 0 ? -1 : sz;
		}
	}
	xdr_free((xdrproc_t)xdr_ctl_objs, &a);
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_stat_many_res, &res);
	free(res.sizes.sizes_val);
}

/* ---- identity (data server; docs/decisions/0019) -------------------- */

static void do_hello(struct ctl_req *r)
{
	ctl_hello_res res;
	struct ds_identity id;
	int replace_ok, empty;

	memset(&res, 0, sizeof(res));
	res.has_identity = ds_self_identity(r->srv->self, &id, &replace_ok,
					    &empty);
	ctl_identity_to_wire(&res.id, &id);
	res.replace_ok = replace_ok;
	res.empty = empty;
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_hello_res, &res);
}

static void do_verdict(struct ctl_req *r)
{
	ctl_verdict_args a;
	struct ds_identity id;
	int st = 0;

	memset(&a, 0, sizeof(a));
	if (!get_args(r, (xdrproc_t)xdr_ctl_verdict_args, &a))
		return;
	ctl_identity_from_wire(&id, &a.id);
	switch (a.kind) {
	case CTL_VERDICT_SERVE:
		st = errno_stat(ds_self_serve(r->srv->self, &id));
		break;
	case CTL_VERDICT_FORMAT:
		st = errno_stat(ds_self_format(r->srv->self, &id,
					       a.reason ? a.reason : ""));
		break;
	case CTL_VERDICT_QUARANTINE:
		ds_self_quarantine(r->srv->self, a.reason ? a.reason : "");
		break;
	default:
		st = EINVAL;
	}
	xdr_free((xdrproc_t)xdr_ctl_verdict_args, &a);
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_int, &st);
}

/* ---- scrub (metadata server) ---------------------------------------- */

/* The wire form of one damaged file; points into D. */
static void damaged_to_wire(ctl_damaged *w, struct scrub_damaged *d)
{
	w->fileid = d->fileid;
	w->size = d->size;
	w->missing.missing_len = d->nmissing;
	w->missing.missing_val = d->missing;
	w->unavailable.unavailable_len = d->nunavail;
	w->unavailable.unavailable_val = d->unavailable;
	w->path = d->path;
}

static void do_scrub(struct ctl_req *r)
{
	ctl_scrub_args a;
	ctl_scrub_res res;
	struct scrub_page pg = { 0 };
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&res, 0, sizeof(res));
	if (!get_args(r, (xdrproc_t)xdr_ctl_scrub_args, &a))
		return;
	pg.damaged = calloc(SCRUB_PAGE_MAX, sizeof(*pg.damaged));
	res.damaged.damaged_val = calloc(SCRUB_PAGE_MAX,
					 sizeof(*res.damaged.damaged_val));
	rc = pg.damaged && res.damaged.damaged_val
		     ? scrub_page(r->srv, a.after, a.max, &pg)
		     : -ENOMEM;
	res.status = errno_stat(rc);
	if (rc == 0) {
		for (unsigned i = 0; i < pg.ndamaged; i++)
			damaged_to_wire(&res.damaged.damaged_val[i],
					&pg.damaged[i]);
		res.damaged.damaged_len = pg.ndamaged;
		res.examined = pg.examined;
		res.next = pg.next;
		res.done = pg.done;
		res.counters_bad = pg.counters_bad;
	}
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_scrub_res, &res);
	free(res.damaged.damaged_val);
	free(pg.damaged);
}

static void do_fence(struct ctl_req *r)
{
	ctl_fence_args a;
	int st = 0;

	memset(&a, 0, sizeof(a));
	if (!get_args(r, (xdrproc_t)xdr_ctl_fence_args, &a))
		return;
	st = -ds_state_fence(r->srv->ds, a.fileid, a.fence);
	log_info("ctl: fileid %llx fenced below generation %llu%s",
		 (unsigned long long)a.fileid, (unsigned long long)a.fence,
		 st ? ": out of memory" : "");
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_int, &st);
}

static void do_data_gen(struct ctl_req *r)
{
	ctl_gen_args a;
	int st;

	memset(&a, 0, sizeof(a));
	if (!get_args(r, (xdrproc_t)xdr_ctl_gen_args, &a))
		return;
	st = errno_stat(ctl_datagen(r->srv, &a));
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_int, &st);
}

/* CTL_TIER: may wait for the tier worker, or walk a directory's subtree
 * (blocks this connection's receive thread only). */
static void do_tier(struct ctl_req *r)
{
	static char none[1];
	ctl_tier_args a;
	ctl_tier_res res;
	char msg[CTL_TIER_MSG_MAX], key[CTL_TIER_KEY_MAX];
	ctl_tier_stats stats;
	ctl_tier_totals totals;

	memset(&a, 0, sizeof(a));
	if (!get_args(r, (xdrproc_t)xdr_ctl_tier_args, &a))
		return;
	ctl_tier(r->srv, &a, &res, msg, key, &stats, &totals);
	if (!res.msg)
		res.msg = none;
	if (!res.rest)
		res.rest = none;
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_tier_res, &res);
	xdr_free((xdrproc_t)xdr_ctl_tier_args, &a); /* res.rest points in */
}

/* CTL_TIER_PART: one bounded step of a directory's walk over every node
 * (a chunk of names or inodes; blocks this receive thread only). */
static void do_tier_part(struct ctl_req *r)
{
	ctl_tier_part_args a;
	ctl_tier_part_res res;

	memset(&a, 0, sizeof(a));
	if (!get_args(r, (xdrproc_t)xdr_ctl_tier_part_args, &a))
		return;
	ctl_tier_part_serve(r->srv, &a, &res);
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_tier_part_res, &res);
	xdr_free((xdrproc_t)xdr_ctl_tier_part_res, (char *)&res);
	xdr_free((xdrproc_t)xdr_ctl_tier_part_args, (char *)&a);
}

static void do_revoke(struct ctl_req *r)
{
	ctl_revoke_args a;
	int st = 0;

	memset(&a, 0, sizeof(a));
	if (!get_args(r, (xdrproc_t)xdr_ctl_revoke_args, &a))
		return;
	for (u_int i = 0; i < a.others.others_len; i++)
		ds_state_revoke(r->srv->ds,
				(const uint8_t *)a.others.others_val[i]);
	xdr_free((xdrproc_t)xdr_ctl_revoke_args, &a);
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_int, &st);
}

/* ---- counters ----------------------------------------------------- */

static void add_counter(ctl_stats_res *res, char names[][64],
			const char *name, uint64_t v)
{
	u_int i = res->counters.counters_len;

	if (i >= 512)
		return;
	snprintf(names[i], 64, "%s", name);
	res->counters.counters_val[i].name = names[i];
	res->counters.counters_val[i].value = v;
	res->counters.counters_len++;
}

static void do_stats(struct ctl_req *r)
{
	struct strata_counters *k = &r->srv->counters;
	ctl_stats_res res;
	char(*names)[64] = calloc(512, 64);
	ctl_counter *vals = calloc(512, sizeof(*vals));
	char nm[64];

	memset(&res, 0, sizeof(res));
	if (!names || !vals) {
		free(names);
		free(vals);
		send_reply(r, ACCEPT_SYSTEM_ERR, NULL, NULL);
		return;
	}
	res.counters.counters_val = vals;
	for (unsigned i = 0; i < STRATA_NOPS; i++) {
		const struct op_desc *d = op_table_lookup(i);
		uint64_t v = metrics_op_total(&r->srv->metrics, i);
		if (!d || !v)
			continue;
		snprintf(nm, sizeof(nm), "ops.%s", d->name);
		add_counter(&res, names, nm, v);
	}
	add_counter(&res, names, "compounds", atomic_load(&k->compounds));
	add_counter(&res, names, "read_bytes", atomic_load(&k->read_bytes));
	add_counter(&res, names, "write_bytes", atomic_load(&k->write_bytes));
	add_counter(&res, names, "ctl_calls", atomic_load(&k->ctl_calls));
	add_counter(&res, names, "ctl_read_bytes",
		    atomic_load(&k->ctl_read_bytes));
	add_counter(&res, names, "ctl_write_bytes",
		    atomic_load(&k->ctl_write_bytes));
	add_counter(&res, names, "data_lost", atomic_load(&k->data_lost));
	if (r->srv->rdma) {
		struct xprt_rdma_stats st;

		xprt_rdma_stats(r->srv->rdma, &st);
		add_counter(&res, names, "rdma_conns", st.conns);
		add_counter(&res, names, "rdma_calls", st.calls);
		add_counter(&res, names, "rdma_read_bytes", st.read_bytes);
		add_counter(&res, names, "rdma_read_inplace_bytes",
			    st.read_inplace_bytes);
		add_counter(&res, names, "rdma_write_bytes", st.write_bytes);
		add_counter(&res, names, "rdma_reply_bytes", st.reply_bytes);
		add_counter(&res, names, "rdma_errors", st.errors);
		add_counter(&res, names, "rdma_bc_calls", st.bc_calls);
	}
	if (r->srv->cluster)
		add_counter(&res, names, "ds_quarantined",
			    cluster_quarantined(r->srv->cluster));
	if (r->srv->self)
		add_counter(&res, names, "quarantined",
			    ds_self_serving(r->srv->self) == DS_QUARANTINED);
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_stats_res, &res);
	free(names);
	free(vals);
}

/* ---- other transports (CTL_TRANSPORTS, a data server) -------------- */

/* Where this data server serves NFS over RPC-over-RDMA, if it does: the
 * address its listener bound (decision 0029). Netid by address family
 * (RFC 5665 §5.2.3: "rdma", "rdma6"). */
static void do_transports(struct ctl_req *r)
{
	const struct strata_config *cfg = &r->srv->cfg;
	ctl_transports_res res;
	ctl_transport t;
	char addr[64];

	memset(&res, 0, sizeof(res));
	if (r->srv->rdma) {
		snprintf(addr, sizeof(addr), "%s",
			 cfg->rdma_addr[0] ? cfg->rdma_addr : cfg->listen_addr);
		t.netid = strchr(addr, ':') ? "rdma6" : "rdma";
		t.addr = addr;
		t.port = cfg->rdma_port;
		res.transports.transports_len = 1;
		res.transports.transports_val = &t;
	}
	send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_transports_res, &res);
}

/* ---- administration (pnfs/ctl_admin.h) ------------------------------ */

static void do_admin(struct ctl_req *r, uint32_t proc)
{
	struct ctl_admin_res res;

	ctl_admin_build(r->srv, proc, &res);
	send_reply(r, ACCEPT_SUCCESS, res.xdr, &res.u);
	ctl_admin_free(&res);
}

/* ---- dispatch ------------------------------------------------------- */

static void refuse(struct ctl_req *r, uint32_t proc)
{
	int st = CTL_EAUTH;
	ctl_size_res sr = { .status = CTL_EAUTH };
	ctl_read_res rr = { .status = CTL_EAUTH };
	ctl_write_res wr = { .status = CTL_EAUTH };
	ctl_stats_res str = { .status = CTL_EAUTH };
	ctl_hello_res hr = { .status = CTL_EAUTH };
	ctl_stat_many_res smr = { .status = CTL_EAUTH };
	ctl_scrub_res scr = { .status = CTL_EAUTH };
	ctl_transports_res tr = { .status = CTL_EAUTH };
	ctl_tier_res tir = { .status = CTL_EAUTH, .msg = "", .key = "" };
	ctl_tier_part_res tpr = { .status = CTL_EAUTH };

	switch (proc) {
	case CTL_HELLO:
		send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_hello_res, &hr);
		break;
	case CTL_STAT_MANY:
		send_reply(r, ACCEPT_SUCCESS,
			   (xdrproc_t)xdr_ctl_stat_many_res, &smr);
		break;
	case CTL_SCRUB:
		send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_scrub_res,
			   &scr);
		break;
	case CTL_SIZE:
		send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_size_res, &sr);
		break;
	case CTL_READ:
		send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_read_res, &rr);
		break;
	case CTL_WRITE:
		send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_write_res,
			   &wr);
		break;
	case CTL_STATS:
		send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_stats_res,
			   &str);
		break;
	case CTL_TRANSPORTS:
		send_reply(r, ACCEPT_SUCCESS,
			   (xdrproc_t)xdr_ctl_transports_res, &tr);
		break;
	case CTL_TIER:
		send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_ctl_tier_res,
			   &tir);
		break;
	case CTL_TIER_PART:
		send_reply(r, ACCEPT_SUCCESS,
			   (xdrproc_t)xdr_ctl_tier_part_res, &tpr);
		break;
	default:
		send_reply(r, ACCEPT_SUCCESS, (xdrproc_t)xdr_int, &st);
	}
}

/* Procedures only a metadata server (with a namespace) serves. */
static int mds_only(uint32_t proc)
{
	return proc == CTL_SCRUB || proc == CTL_DATA_GEN || proc == CTL_TIER ||
	       proc == CTL_TIER_PART;
}

void ctl_svc_dispatch(struct strata_server *srv, struct xprt_conn *conn,
		      const struct rpc_call *call)
{
	struct ctl_req r = { srv, conn, call };
	uint32_t proc = call->proc;
	int ds = (srv->role & ROLE_DS) != 0;
	int admin;

	atomic_fetch_add(&srv->counters.ctl_calls, 1);
	if (call->vers != STRATA_CTL_VERSION) {
		uint8_t b[32];
		struct iovec iov = { b, rpc_reply_prog_mismatch(
					     b, call->xid, STRATA_CTL_VERSION,
					     STRATA_CTL_VERSION) };
		xprt_send(conn, &iov, 1);
		return;
	}
	if (proc == CTL_NULL) {
		send_reply(&r, ACCEPT_SUCCESS, NULL, NULL);
		return;
	}
	if (proc == CTL_CHALLENGE) {
		do_challenge(&r);
		return;
	}
	if (proc == CTL_AUTH) {
		do_auth(&r);
		return;
	}
	admin = proc >= CTL_INFO && proc <= CTL_OPSTATS;
	/* SCRUB, DATA_GEN, TIER and TIER_PART: the metadata server's;
	 * TRANSPORTS: a data server's. */
	if (proc > CTL_TIER_PART || (mds_only(proc) && (ds || !srv->ns)) ||
	    (proc != CTL_STATS && !mds_only(proc) && !admin && !ds)) {
		send_reply(&r, ACCEPT_PROC_UNAVAIL, NULL, NULL);
		return;
	}
	if (conn->ctl_state != 2) {
		refuse(&r, proc);
		return;
	}
	switch (proc) {
	case CTL_CREATE:
	case CTL_REMOVE:
	case CTL_SIZE:
	case CTL_COMMIT:
		do_obj(&r, proc);
		break;
	case CTL_CREATE_MANY:
	case CTL_REMOVE_MANY:
		do_objs(&r, proc);
		break;
	case CTL_TRUNCATE:
		do_truncate(&r);
		break;
	case CTL_READ:
		do_read(&r);
		break;
	case CTL_WRITE:
		do_write(&r);
		break;
	case CTL_FENCE:
		do_fence(&r);
		break;
	case CTL_REVOKE:
		do_revoke(&r);
		break;
	case CTL_STATS:
		do_stats(&r);
		break;
	case CTL_HELLO:
		do_hello(&r);
		break;
	case CTL_VERDICT:
		do_verdict(&r);
		break;
	case CTL_STAT_MANY:
		do_stat_many(&r);
		break;
	case CTL_SCRUB:
		do_scrub(&r);
		break;
	case CTL_DATA_GEN:
		do_data_gen(&r);
		break;
	case CTL_TRANSPORTS:
		do_transports(&r);
		break;
	case CTL_TIER:
		do_tier(&r);
		break;
	case CTL_TIER_PART:
		do_tier_part(&r);
		break;
	default: /* CTL_INFO .. CTL_OPSTATS */
		do_admin(&r, proc);
		break;
	}
}
