/*
 * tests/unit/test_metrics.c — what operators read (issue 14): the op
 * counters and histograms (nfsd/metrics.h), the census of clients and
 * state (nfsd/census.h), the Prometheus page (nfsd/metrics_text.h) and
 * the admin CLI's CTL_CLIENTS / CTL_OPSTATS results (pnfs/ctl_admin.h),
 * against an in-process MDS driven through compound_run().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "census.h"
#include "compound_harness.h"
#include "ctl_admin.h"
#include "metrics.h"
#include "metrics_text.h"
#include "server_run.h"
#include "test_util_ch.h"

#define NOPS(...) (sizeof((nfs_argop4[]){ __VA_ARGS__ }) / sizeof(nfs_argop4))
#define CALL(cl, ...)                                                        \
	ch_call(cl, 1, (nfs_argop4[]){ __VA_ARGS__ }, NOPS(__VA_ARGS__))

static void test_status_slots(void **state)
{
	struct strata_metrics *m = calloc(1, sizeof(*m));

	(void)state;
	/* Nine distinct statuses: eight get a slot, the ninth is "other". */
	for (uint32_t st = 0; st < 9; st++)
		for (uint32_t k = 0; k <= st; k++)
			metrics_op_done(m, OP_OPEN, st, 1000);
	assert_int_equal(metrics_op_total(m, OP_OPEN), 45);
	for (int s = 0; s < METRICS_STATUS_SLOTS; s++) {
		assert_int_equal(atomic_load(&m->op[OP_OPEN].status[s]), s + 1);
		assert_int_equal(atomic_load(&m->op[OP_OPEN].count[s]), s + 1);
	}
	assert_int_equal(atomic_load(&m->op[OP_OPEN].other), 9);
	assert_int_equal(atomic_load(&m->op[OP_OPEN].lat.count), 45);
	assert_int_equal(metrics_op_total(m, OP_READ), 0);
	free(m);
}

static void test_hist_buckets(void **state)
{
	struct metrics_hist *h = calloc(1, sizeof(*h));

	(void)state;
	/* le is inclusive: 10 us lands in the first bucket, 10 us + 1 ns in
	 * the second; above the last bound is +Inf. */
	metrics_observe(h, metrics_lat_bounds_ns, METRICS_LAT_BUCKETS, 10000);
	metrics_observe(h, metrics_lat_bounds_ns, METRICS_LAT_BUCKETS, 10001);
	metrics_observe(h, metrics_lat_bounds_ns, METRICS_LAT_BUCKETS, 0);
	metrics_observe(h, metrics_lat_bounds_ns, METRICS_LAT_BUCKETS,
			100000000000ull);
	assert_int_equal(atomic_load(&h->bucket[0]), 2);
	assert_int_equal(atomic_load(&h->bucket[1]), 1);
	assert_int_equal(atomic_load(&h->bucket[METRICS_LAT_BUCKETS]), 1);
	assert_int_equal(atomic_load(&h->count), 4);
	assert_int_equal(atomic_load(&h->sum), 100000020001ull);
	free(h);
}

/* An MDS with one client holding one open and one lock on a file; a
 * second lock by another owner was denied. */
struct world {
	struct strata_server *srv;
	char *dir;
	struct ch_client *cl;
};

static int world_up(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	const char *f = tu_uniq("held");
	stateid4 open_sid;
	struct fh fh;

	assert_int_equal(ch_server_start(&w->srv, &w->dir, 4, 0), 0);
	w->cl = calloc(1, sizeof(*w->cl));
	assert_int_equal(ch_client_init(w->cl, w->srv, NULL), 0);
	assert_int_equal(ch_setup(w->cl, "metrics-client"), 0);
	assert_int_equal(CALL(w->cl, ch_op_seq(w->cl, 0, 0), ch_op_putrootfh(),
			      ch_op_open(w->cl, "o", f, 1,
					 OPEN4_SHARE_ACCESS_BOTH, 0),
			      ch_op_getfh()),
			 NFS4_OK);
	open_sid = tu_open_sid(w->cl, 2);
	tu_save_fh(w->cl, 3, &fh);
	assert_int_equal(CALL(w->cl, ch_op_seq(w->cl, 0, 0), ch_op_putfh(&fh.fh),
			      ch_op_lock_new(w->cl, WRITE_LT, 0, 100, &open_sid,
					     "lock-A")),
			 NFS4_OK);
	assert_int_equal(CALL(w->cl, ch_op_seq(w->cl, 0, 0),
			      ch_op_putfh(&fh.fh),
			      ch_op_lockt(w->cl, WRITE_LT, 10, 1, "lock-B")),
			 NFS4ERR_DENIED);
	*state = w;
	return 0;
}

static int world_down(void **state)
{
	struct world *w = *state;

	tu_free_client(w->cl);
	ch_server_stop(w->srv, w->dir);
	free(w);
	return 0;
}

static void test_census(void **state)
{
	struct world *w = *state;
	struct census_client rows[4];
	struct census_totals t;
	size_t n;

	pthread_mutex_lock(&w->srv->state_lock);
	n = census_clients(w->srv, rows, 4);
	census_totals(w->srv, &t);
	pthread_mutex_unlock(&w->srv->state_lock);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].owner, "metrics-client");
	assert_int_equal(rows[0].confirmed, 1);
	assert_int_equal(rows[0].sessions, 1);
	assert_int_equal(rows[0].opens, 1);
	assert_int_equal(rows[0].locks, 1);
	assert_int_equal(rows[0].delegations, 0);
	assert_int_equal(t.clients_confirmed, 1);
	assert_int_equal(t.sessions, 1);
	assert_int_equal(t.opens, 1);
	assert_int_equal(t.locks, 1);
}

/* The page as a string. */
static char *page(struct strata_server *srv)
{
	struct metrics_snap snap;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	metrics_snap_take(srv, &snap);
	assert_int_equal(metrics_text_write(srv, &snap, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_text(void **state)
{
	struct world *w = *state;
	char *p = page(w->srv);

	assert_non_null(strstr(p, "\nstrata_nfs_ops_total{op=\"OPEN\","
				  "status=\"NFS4_OK\"} 1\n"));
	assert_non_null(strstr(p, "\nstrata_nfs_ops_total{op=\"LOCK\","
				  "status=\"NFS4_OK\"} 1\n"));
	assert_non_null(strstr(p, "\nstrata_nfs_ops_total{op=\"LOCKT\","
				  "status=\"NFS4ERR_DENIED\"} 1\n"));
	assert_non_null(strstr(p, "\nstrata_nfs_op_seconds_count{op=\"OPEN\"}"
				  " 1\n"));
	assert_non_null(strstr(p, "\nstrata_nfs_op_seconds_bucket{op=\"OPEN\","
				  "le=\"+Inf\"} 1\n"));
	assert_non_null(strstr(p, "\n# TYPE strata_nfs_op_seconds histogram\n"));
	assert_non_null(strstr(p, "\nstrata_opens 1\n"));
	assert_non_null(strstr(p, "\nstrata_locks 1\n"));
	assert_non_null(strstr(p, "\nstrata_sessions 1\n"));
	assert_non_null(strstr(p, "\nstrata_clients{state=\"confirmed\"} 1\n"));
	assert_non_null(strstr(p, "strata_build_info{version=\""));
	assert_non_null(strstr(p, "\",role=\"mds\"} 1\n"));
	/* No op that never ran, no per-client label. */
	assert_null(strstr(p, "op=\"READ\""));
	assert_null(strstr(p, "metrics-client"));
	free(p);
}

static void test_admin_results(void **state)
{
	struct world *w = *state;
	struct ctl_admin_res r;
	const ctl_opstats *os;
	int open_seen = 0;

	ctl_admin_build(w->srv, CTL_CLIENTS, &r);
	assert_int_equal(r.u.clients.status, 0);
	assert_int_equal(r.u.clients.ctl_clients_res_u.cl.total, 1);
	assert_int_equal(r.u.clients.ctl_clients_res_u.cl.clients.clients_len, 1);
	assert_int_equal(r.u.clients.ctl_clients_res_u.cl.clients.clients_val[0].opens, 1);
	assert_int_equal(r.u.clients.ctl_clients_res_u.cl.clients.clients_val[0].locks, 1);
	ctl_admin_free(&r);

	ctl_admin_build(w->srv, CTL_OPSTATS, &r);
	assert_int_equal(r.u.opstats.status, 0);
	os = &r.u.opstats.ctl_opstats_res_u.st;
	for (u_int i = 0; i < os->ops.ops_len; i++) {
		const ctl_op_stat *o = &os->ops.ops_val[i];
		uint64_t sum = 0;
		for (u_int b = 0; b < o->buckets.buckets_len; b++)
			sum += o->buckets.buckets_val[b];
		assert_int_equal(sum, o->count);
		if (!strcmp(o->name, "OPEN")) {
			open_seen = 1;
			assert_int_equal(o->count, 1);
			assert_int_equal(o->errors, 0);
		}
		if (!strcmp(o->name, "LOCKT"))
			assert_int_equal(o->errors, 1);
	}
	assert_true(open_seen);
	assert_int_equal(os->bounds_ns.bounds_ns_len, METRICS_LAT_BUCKETS);
	ctl_admin_free(&r);

	/* A single-node MDS has no data servers; STATUS says so. */
	ctl_admin_build(w->srv, CTL_STATUS, &r);
	assert_int_equal(r.u.status.status, 0);
	assert_int_equal(r.u.status.ctl_status_res_u.st.ds.ds_len, 0);
	assert_int_equal(r.u.status.ctl_status_res_u.st.self.role, 1);
	ctl_admin_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_slots),
		cmocka_unit_test(test_hist_buckets),
		cmocka_unit_test_setup_teardown(test_census, world_up,
						world_down),
		cmocka_unit_test_setup_teardown(test_text, world_up,
						world_down),
		cmocka_unit_test_setup_teardown(test_admin_results, world_up,
						world_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
