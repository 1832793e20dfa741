/* tools/strata/top.c — `strata top`: per server (the MDS and every data
 * server it lists), operations per second by op, latency p50/p99 from the
 * servers' histograms (CTL_OPSTATS), and READ/WRITE payload bytes per
 * second; refreshed every --interval, or one sample with --once (two
 * readings --interval apart). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ctl_client.h"

#define TOP_MAX_SERVERS 257

struct server {
	char role[4];
	char addr[128];
	struct ctl_conn *conn;  /* NULL: unreachable */
	ctl_opstats_res prev, cur;
	int have_prev, have_cur;
};

struct rate {
	const char *name;
	double ops, errs, p50_us, p99_us;
};

/* The Q-quantile of the delta histogram D (counts per bucket, bounds in
 * ns, the last bucket +Inf), interpolated inside its bucket as
 * Prometheus's histogram_quantile() does; microseconds. */
static double quantile(const uint64_t *d, const u_quad_t *bounds,
		       unsigned nb, double q)
{
	uint64_t total = 0, cum = 0;

	for (unsigned i = 0; i <= nb; i++)
		total += d[i];
	if (!total)
		return 0;
	for (unsigned i = 0; i <= nb; i++) {
		double rank = q * (double)total, lo, hi;
		if ((double)(cum + d[i]) < rank) {
			cum += d[i];
			continue;
		}
		if (i == nb) /* +Inf: the highest finite bound */
			return (double)bounds[nb - 1] / 1e3;
		lo = i ? (double)bounds[i - 1] : 0;
		hi = (double)bounds[i];
		return (lo + (hi - lo) * (rank - (double)cum) / (double)d[i]) /
		       1e3;
	}
	return (double)bounds[nb - 1] / 1e3;
}

static const ctl_op_stat *find_op(const ctl_opstats *s, const char *name)
{
	for (u_int i = 0; i < s->ops.ops_len; i++)
		if (!strcmp(s->ops.ops_val[i].name, name))
			return &s->ops.ops_val[i];
	return NULL;
}

static void op_rate(const ctl_opstats *a, const ctl_op_stat *now,
		    const u_quad_t *bounds, unsigned nb, double secs,
		    struct rate *r)
{
	const ctl_op_stat *was = a ? find_op(a, now->name) : NULL;
	uint64_t d[40] = { 0 };

	if (a && !strcmp(now->name, "COMPOUND"))
		was = &a->compound;
	for (unsigned i = 0; i <= nb && i < now->buckets.buckets_len; i++)
		d[i] = now->buckets.buckets_val[i] -
		       (was && i < was->buckets.buckets_len
				? was->buckets.buckets_val[i]
				: 0);
	r->name = now->name;
	r->ops = (double)(now->count - (was ? was->count : 0)) / secs;
	r->errs = (double)(now->errors - (was ? was->errors : 0)) / secs;
	r->p50_us = quantile(d, bounds, nb, 0.50);
	r->p99_us = quantile(d, bounds, nb, 0.99);
}

static int by_ops(const void *x, const void *y)
{
	const struct rate *a = x, *b = y;

	return a->ops < b->ops ? 1 : a->ops > b->ops ? -1
						     : strcmp(a->name, b->name);
}

/* Rates of server S between its two readings; N rates into R (ops with
 * traffic), the COMPOUND line into *ALL. Returns the interval. */
static double rates(const struct server *s, struct rate *r, unsigned *n,
		    struct rate *all, double *rd, double *wr)
{
	const ctl_opstats *a = &s->prev.ctl_opstats_res_u.st;
	const ctl_opstats *b = &s->cur.ctl_opstats_res_u.st;
	double secs = (double)(b->now_ns - a->now_ns) / 1e9;
	unsigned nb = b->bounds_ns.bounds_ns_len;

	if (secs <= 0)
		secs = 1e-9;
	*n = 0;
	for (u_int i = 0; i < b->ops.ops_len; i++) {
		op_rate(a, &b->ops.ops_val[i], b->bounds_ns.bounds_ns_val, nb,
			secs, &r[*n]);
		if (r[*n].ops > 0)
			(*n)++;
	}
	qsort(r, *n, sizeof(*r), by_ops);
	op_rate(a, &b->compound, b->bounds_ns.bounds_ns_val, nb, secs, all);
	*rd = (double)(b->read_bytes - a->read_bytes) / secs;
	*wr = (double)(b->write_bytes - a->write_bytes) / secs;
	return secs;
}

static json_object *rate_json(const struct rate *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "op", json_object_new_string(r->name));
	json_object_object_add(o, "ops_per_s", json_object_new_double(r->ops));
	json_object_object_add(o, "errors_per_s",
			       json_object_new_double(r->errs));
	json_object_object_add(o, "p50_us", json_object_new_double(r->p50_us));
	json_object_object_add(o, "p99_us", json_object_new_double(r->p99_us));
	return o;
}

static json_object *server_json(const struct server *s, int reachable)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "role", json_object_new_string(s->role));
	json_object_object_add(o, "address", json_object_new_string(s->addr));
	json_object_object_add(o, "reachable",
			       json_object_new_boolean(reachable));
	return o;
}

static void show(struct server *sv, unsigned nsv, int json)
{
	json_object *arr = json ? json_object_new_array() : NULL;
	struct rate r[64], all;
	char b1[32], b2[32];

	for (unsigned k = 0; k < nsv; k++) {
		struct server *s = &sv[k];
		double rd, wr;
		unsigned n;

		if (!s->have_prev || !s->have_cur) {
			if (json) {
				json_object_array_add(arr, server_json(s, 0));
			} else {
				printf("%s %s: unreachable\n\n", s->role,
				       s->addr);
			}
			continue;
		}
		rates(s, r, &n, &all, &rd, &wr);
		if (json) {
			json_object *o = server_json(s, 1);
			json_object *ops = json_object_new_array();
			json_object_object_add(o, "compounds", rate_json(&all));
			json_object_object_add(o, "read_bytes_per_s", json_object_new_double(rd));
			json_object_object_add(o, "write_bytes_per_s", json_object_new_double(wr));
			for (unsigned i = 0; i < n; i++)
				json_object_array_add(ops, rate_json(&r[i]));
			json_object_object_add(o, "ops", ops);
			json_object_array_add(arr, o);
			continue;
		}
		printf("%s %s: %.0f COMPOUNDs/s (p50 %.0f us, p99 %.0f us), "
		       "read %s/s, write %s/s\n",
		       s->role, s->addr, all.ops, all.p50_us, all.p99_us,
		       cli_bytes((uint64_t)rd, b1, sizeof(b1)),
		       cli_bytes((uint64_t)wr, b2, sizeof(b2)));
		if (n)
			printf("  %-20s %10s %9s %10s %10s\n", "OP", "OPS/S",
			       "ERR/S", "P50 us", "P99 us");
		for (unsigned i = 0; i < n; i++)
			printf("  %-20s %10.1f %9.1f %10.0f %10.0f\n", r[i].name,
			       r[i].ops, r[i].errs, r[i].p50_us, r[i].p99_us);
		printf("\n");
	}
	if (json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "servers", arr);
		cli_print_json(o);
	}
	fflush(stdout);
}

/* Take a reading of every reachable server: cur becomes prev. */
static void sample(struct server *sv, unsigned nsv)
{
	for (unsigned k = 0; k < nsv; k++) {
		struct server *s = &sv[k];

		if (s->have_prev)
			xdr_free((xdrproc_t)xdr_ctl_opstats_res, &s->prev);
		s->prev = s->cur;
		s->have_prev = s->have_cur;
		memset(&s->cur, 0, sizeof(s->cur));
		s->have_cur = 0;
		if (!s->conn)
			continue;
		if (ctl_call(s->conn, CTL_OPSTATS, NULL, NULL,
			     (xdrproc_t)xdr_ctl_opstats_res, &s->cur,
			     5000) == 0 &&
		    s->cur.status == 0)
			s->have_cur = 1;
	}
}

/* The MDS, then every data server its status lists. */
static int servers(struct cli *cli, struct server *sv, unsigned *nsv)
{
	ctl_status_res st;
	struct ctl_conn *c;

	if (cli_connect(cli, cli->server, &c) < 0)
		return -1;
	memset(&st, 0, sizeof(st));
	if (cli_call(c, CTL_STATUS, (xdrproc_t)xdr_ctl_status_res, &st,
		     "status") < 0 || st.status) {
		ctl_close(c);
		return -1;
	}
	memset(sv, 0, sizeof(*sv));
	snprintf(sv[0].role, sizeof(sv[0].role), "mds");
	snprintf(sv[0].addr, sizeof(sv[0].addr), "%s", cli->server);
	sv[0].conn = c;
	*nsv = 1;
	for (u_int i = 0; i < st.ctl_status_res_u.st.ds.ds_len &&
			  *nsv < TOP_MAX_SERVERS; i++) {
		struct server *s = &sv[(*nsv)++];
		memset(s, 0, sizeof(*s));
		snprintf(s->role, sizeof(s->role), "ds");
		snprintf(s->addr, sizeof(s->addr), "%s",
			 st.ctl_status_res_u.st.ds.ds_val[i].addr);
		if (cli_connect(cli, s->addr, &s->conn) < 0)
			s->conn = NULL;
	}
	xdr_free((xdrproc_t)xdr_ctl_status_res, &st);
	return 0;
}

static void pause_for(double secs)
{
	struct timespec ts = { (time_t)secs,
			       (long)((secs - floor(secs)) * 1e9) };

	nanosleep(&ts, NULL);
}

int cmd_top(struct cli *cli)
{
	struct server *sv = calloc(TOP_MAX_SERVERS, sizeof(*sv));
	unsigned nsv = 0;

	if (!sv || servers(cli, sv, &nsv) < 0) {
		free(sv);
		return 1;
	}
	sample(sv, nsv);
	for (;;) {
		pause_for(cli->interval); /* the measuring interval */
		sample(sv, nsv);
		if (!cli->once && !cli->json)
			printf("\033[H\033[J"); /* refresh in place */
		show(sv, nsv, cli->json);
		if (cli->once)
			break;
	}
	for (unsigned k = 0; k < nsv; k++) {
		if (sv[k].have_prev)
			xdr_free((xdrproc_t)xdr_ctl_opstats_res, &sv[k].prev);
		if (sv[k].have_cur)
			xdr_free((xdrproc_t)xdr_ctl_opstats_res, &sv[k].cur);
		ctl_close(sv[k].conn);
	}
	free(sv);
	return 0;
}
