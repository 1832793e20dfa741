/*
 * tools/strata-bench/workloads.c -- the workload runner: setup, lane
 * threads, finish, measurement, cleanup.  See workloads.h and wl.h.
 */
#include "workloads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cpu.h"
#include "report.h"
#include "wl.h"

static const struct wl_ops *const OPS[WL_COUNT] = {
	[WL_SEQWRITE] = &WL_SEQWRITE_OPS,
	[WL_SEQREAD] = &WL_SEQREAD_OPS,
	[WL_RANDWRITE] = &WL_RANDWRITE_OPS,
	[WL_RANDREAD] = &WL_RANDREAD_OPS,
	[WL_CREATE] = &WL_CREATE_OPS,
	[WL_STAT] = &WL_STAT_OPS,
	[WL_RENAME] = &WL_RENAME_OPS,
	[WL_REMOVE] = &WL_REMOVE_OPS,
	[WL_SMALLWRITE] = &WL_SMALLWRITE_OPS,
	[WL_SMALLREAD] = &WL_SMALLREAD_OPS,
	[WL_VERIFY] = &WL_VERIFY_OPS,
	[WL_CLEAN_META] = &WL_CLEAN_META_OPS,
	[WL_CLEAN_SMALL] = &WL_CLEAN_SMALL_OPS,
};

int wl_parse(const char *name)
{
	for (int i = 0; i < WL_USER_COUNT; i++)
		if (strcmp(OPS[i]->name, name) == 0)
			return i;
	return -1;
}

const char *wl_name(enum wl_id id)
{
	return OPS[id]->name;
}

/* ---- lanes ------------------------------------------------------------ */

struct lane_arg {
	struct run *r;
	struct lane *l;
	const struct wl_ops *ops;
};

/* Take the next item: 0 and *I, or -1 when the work is done. */
static int next_item(struct run *r, uint64_t *i)
{
	if (atomic_load(&r->failed))
		return -1;
	if (r->deadline_ns) {
		*i = 0;
		return mono_ns() < r->deadline_ns ? 0 : -1;
	}
	*i = atomic_fetch_add(&r->next, 1);
	return *i < r->nitems ? 0 : -1;
}

static void *lane_main(void *arg)
{
	struct lane_arg *a = arg;
	uint64_t i;

	while (next_item(a->r, &i) == 0) {
		uint64_t t0 = mono_ns();
		if (a->ops->item(a->r, a->l, i) < 0) {
			int none = 0;
			atomic_compare_exchange_strong(&a->r->failed, &none,
						       (int)a->l->id + 1);
			break;
		}
		hist_add(&a->l->hist, mono_ns() - t0);
	}
	return NULL;
}

/* Run every lane in its own thread until the work is done.  0, or -1
 * with the failing lane's message in lane 0's err. */
static int run_lanes(struct run *r, const struct wl_ops *ops)
{
	struct client *c = r->b->cl;
	uint32_t n = c->nlanes, started = 0;
	pthread_t *th = calloc(n, sizeof(*th));
	struct lane_arg *args = calloc(n, sizeof(*args));
	int rc = 0;

	if (!th || !args) {
		free(th);
		free(args);
		return lane_fail(&c->lanes[0], "out of memory");
	}
	for (; started < n; started++) {
		struct lane *l = &c->lanes[started];
		hist_reset(&l->hist);
		args[started] = (struct lane_arg){ r, l, ops };
		if (pthread_create(&th[started], NULL, lane_main,
				   &args[started]) != 0) {
			atomic_store(&r->failed, -1);
			break;
		}
	}
	for (uint32_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	int failed = atomic_load(&r->failed);
	if (failed == -1) {
		rc = lane_fail(&c->lanes[0], "cannot start %u lane threads", n);
	} else if (failed > 0) {
		struct lane *bad = &c->lanes[failed - 1];
		if (bad != &c->lanes[0])
			memcpy(c->lanes[0].err, bad->err, sizeof(bad->err));
		rc = -1;
	}
	free(th);
	free(args);
	return rc;
}

/* ---- one execution ------------------------------------------------------ */

static void sample_cpu(const struct bench_opts *o, double *out)
{
	for (int i = 0; i < o->npids; i++)
		out[i] = cpu_seconds(o->pids[i]);
}

static const char *io_mode(struct run *r)
{
	uint64_t ds = atomic_load(&r->ds_io), mds = atomic_load(&r->mds_io);
	if (ds && mds)
		return "mixed";
	return ds ? "pnfs" : mds ? "mds" : "-";
}

static void fill_result(struct run *r, const struct wl_ops *ops,
			uint64_t ns, const double *cpu0, struct result *res)
{
	const struct bench_opts *o = r->b->o;
	double cpu1[MAX_PIDS];

	sample_cpu(o, cpu1);
	memset(res, 0, sizeof(*res));
	res->workload = ops->name;
	res->io_mode = io_mode(r);
	res->bytes_unit = ops->bytes_unit;
	res->bytes = atomic_load(&r->bytes);
	res->secs = (double)ns / 1e9;
	for (uint32_t i = 0; i < r->b->cl->nlanes; i++)
		hist_merge(&res->lat, &r->b->cl->lanes[i].hist);
	res->ops = res->lat.count;
	for (int i = 0; i < o->npids; i++)
		res->cpu[i] = cpu0[i] < 0 || cpu1[i] < 0 ? -1 : cpu1[i] - cpu0[i];
}

/* After a failure: close the run's large file if it is open (best
 * effort, keeping the first error message) and free its layout. */
static int abandon(struct run *r, struct lane *l0)
{
	if (r->file.fh.len == 0)
		return -1;
	char keep[sizeof(l0->err)];
	memcpy(keep, l0->err, sizeof(keep));
	nf_close(l0, r->b->cl, &r->file, 0);
	memcpy(l0->err, keep, sizeof(keep));
	return -1;
}

/* Setup (untimed), lanes and finish (timed).  RES NULL: untimed run that
 * prepares another workload's input.  0, or -1 with lane 0's err. */
static int wl_execute(struct bench *b, enum wl_id id, struct result *res)
{
	const struct wl_ops *ops = OPS[id];
	struct lane *l0 = &b->cl->lanes[0];
	double cpu0[MAX_PIDS];
	struct run r;

	memset(&r, 0, sizeof(r));
	r.b = b;
	r.id = id;
	if (ops->setup(&r, l0) < 0)
		return abandon(&r, l0);
	sample_cpu(b->o, cpu0);
	uint64_t t0 = mono_ns();
	if (run_lanes(&r, ops) < 0)
		return abandon(&r, l0);
	if (ops->finish && ops->finish(&r, l0) < 0)
		return abandon(&r, l0);
	uint64_t ns = mono_ns() - t0;
	if (res)
		fill_result(&r, ops, ns, cpu0, res);
	return 0;
}

int wl_prepare(struct bench *b, struct lane *l, enum wl_id id)
{
	if (wl_execute(b, id, NULL) == 0)
		return 0;
	char msg[sizeof(l->err)];
	memcpy(msg, b->cl->lanes[0].err, sizeof(msg));
	return lane_fail(l, "making the input (%s, untimed): %s", wl_name(id),
			 msg);
}

/* ---- cleanup -------------------------------------------------------------- */

static int later_user(const struct bench *b, enum wl_id id)
{
	for (int j = id + 1; j < WL_USER_COUNT; j++)
		if ((b->o->workloads & (1u << j)) && OPS[j]->group == OPS[id]->group)
			return 1;
	return 0;
}

static int cleanup_group(struct bench *b, enum wl_group g)
{
	struct lane *l0 = &b->cl->lanes[0];

	if (!b->grp[g].ready)
		return 0;
	if (g == G_META && b->grp[g].have_input &&
	    wl_execute(b, WL_CLEAN_META, NULL) < 0)
		return -1;
	if (g == G_SMALL && b->grp[g].have_input &&
	    wl_execute(b, WL_CLEAN_SMALL, NULL) < 0)
		return -1;
	return group_remove(b, l0, g);
}

int bench_run(struct bench *b, enum wl_id id)
{
	struct result res;
	struct lane *l0 = &b->cl->lanes[0];

	if (wl_execute(b, id, &res) < 0) {
		fprintf(stderr, "strata-bench: %s: %s\n", wl_name(id), l0->err);
		fprintf(stderr, "strata-bench: leaving %s-* under the export "
			"as it is\n", b->o->tag);
		return -1;
	}
	report_line(b->o, &res);
	if (b->o->keep || later_user(b, id))
		return 0;
	if (cleanup_group(b, OPS[id]->group) < 0) {
		fprintf(stderr, "strata-bench: cleanup after %s: %s\n",
			wl_name(id), l0->err);
		return -1;
	}
	return 0;
}
