/* tools/strata/tier_status.c — `strata tier status` (issue 16,
 * docs/decisions/0031): one CTL_TIER call (CTL_TIER_STATUS) to the MDS:
 * the object tier it uses, its worker's queue and the step running, the
 * steps done and failed since the worker started, the object bytes moved
 * each way, the drains (the last one's time and what it did), the jobs
 * recovery gave up at start, the namespace's totals, and its regular
 * files and bytes per residency state (resident, both, offloaded: counters
 * the namespace keeps, docs/decisions/0034; `strata residency PATH` for
 * one file or a directory's subtree). A table, or --json.
 * With several metadata nodes (admin.conf `nodes`), every node tiers its
 * own files (docs/decisions/0037): each is asked, and the counts are
 * summed, with a line per node (--json: the sums, and "nodes"). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ctl_client.h"

#define TIER_STATUS_TIMEOUT_MS 10000

static const char *const step_names[] = { "offload", "release", "recall" };

static const char *running_name(unsigned op)
{
	return op >= 1 && op <= 3 ? step_names[op - 1] : "";
}

/* "2026-12-06 20:40:01 UTC"; "-" for 0. */
static const char *when(int64_t t, char *buf, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, cap, "-");
	return buf;
}

static json_object *u64(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

static json_object *states_json(const ctl_tier_stats *s)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < CLI_NSTATES; i++) {
		json_object *st = json_object_new_object();

		json_object_object_add(st, "files",
				       u64(s->res_files[cli_states[i].idx]));
		json_object_object_add(st, "bytes",
				       u64(s->res_bytes[cli_states[i].idx]));
		json_object_object_add(o, cli_states[i].name, st);
	}
	return o;
}

static void states_table(const ctl_tier_stats *s)
{
	char a[32];

	printf("%-11s %9s %10s\n", "files", "count", "bytes");
	for (size_t i = 0; i < CLI_NSTATES; i++)
		printf("  %-9s %9llu %10s\n", cli_states[i].name,
		       (unsigned long long)s->res_files[cli_states[i].idx],
		       cli_bytes(s->res_bytes[cli_states[i].idx], a, sizeof(a)));
}

static json_object *stats_json(const ctl_tier_stats *s)
{
	json_object *o = json_object_new_object(), *steps, *drain, *run;
	const char *colon = strchr(s->backend, ':');
	char id[32];

	json_object_object_add(o, "tier",
			       json_object_new_boolean(s->backend[0] != 0));
	json_object_object_add(
		o, "kind",
		json_object_new_string_len(
			s->backend, colon ? (int)(colon - s->backend) : 0));
	json_object_object_add(o, "where",
			       json_object_new_string(colon ? colon + 1 : ""));
	json_object_object_add(o, "prefix", json_object_new_string(s->prefix));
	json_object_object_add(o, "started", u64((uint64_t)s->started));
	json_object_object_add(o, "queued", u64(s->queued));
	run = json_object_new_object();
	snprintf(id, sizeof(id), "%016llx",
		 (unsigned long long)s->running_fileid);
	json_object_object_add(run, "step", json_object_new_string(
						    running_name(s->running_op)));
	json_object_object_add(run, "fileid", json_object_new_string(
						      s->running_op ? id : ""));
	json_object_object_add(o, "running", run);
	steps = json_object_new_object();
	for (int i = 0; i < 3; i++) {
		json_object *st = json_object_new_object();

		json_object_object_add(st, "done", u64(s->done[i]));
		json_object_object_add(st, "failed", u64(s->failed[i]));
		if (i == 2)
			json_object_object_add(st, "nothing_to_do",
					       u64(s->recalls_nothing));
		json_object_object_add(steps, step_names[i], st);
	}
	json_object_object_add(o, "steps", steps);
	json_object_object_add(o, "bytes_up", u64(s->bytes_up));
	json_object_object_add(o, "bytes_down", u64(s->bytes_down));
	json_object_object_add(o, "jobs_recovered", u64(s->recovered));
	drain = json_object_new_object();
	json_object_object_add(drain, "count", u64(s->drains));
	json_object_object_add(drain, "failed", u64(s->drain_failures));
	json_object_object_add(drain, "objects_deleted", u64(s->deleted));
	json_object_object_add(drain, "copies_freed", u64(s->freed));
	json_object_object_add(drain, "last", u64((uint64_t)s->last_drain));
	json_object_object_add(
		drain, "last_error",
		json_object_new_string(s->last_drain_status
					       ? strerror(s->last_drain_status)
					       : ""));
	json_object_object_add(drain, "last_objects_deleted",
			       u64(s->last_deleted));
	json_object_object_add(drain, "last_copies_freed",
			       u64(s->last_freed));
	json_object_object_add(o, "drains", drain);
	json_object_object_add(o, "namespace_inodes", u64(s->ns_inodes));
	json_object_object_add(o, "namespace_bytes", u64(s->ns_bytes));
	json_object_object_add(o, "states", states_json(s));
	return o;
}

static void stats_table(const ctl_tier_stats *s)
{
	char a[32], b[64], c[32], d[32];
	int64_t now = (int64_t)time(NULL);

	if (!s->backend[0]) {
		printf("tier       none (the MDS has no object tier)\n");
		printf("namespace  %llu inodes, %s\n",
		       (unsigned long long)s->ns_inodes,
		       cli_bytes(s->ns_bytes, a, sizeof(a)));
		states_table(s);
		return;
	}
	printf("tier       %s (keys under %s/)\n", s->backend, s->prefix);
	printf("worker     up since %s (%s)\n", when(s->started, b, sizeof(b)),
	       cli_duration((uint64_t)(now > s->started ? now - s->started
							  : 0),
			    a, sizeof(a)));
	printf("queue      %llu waiting", (unsigned long long)s->queued);
	if (s->running_op)
		printf("; running: %s of fileid %016llx",
		       running_name(s->running_op),
		       (unsigned long long)s->running_fileid);
	printf("\n%-10s %10s %10s\n", "steps", "done", "failed");
	for (int i = 0; i < 3; i++) {
		printf("  %-8s %10llu %10llu", step_names[i],
		       (unsigned long long)s->done[i],
		       (unsigned long long)s->failed[i]);
		if (i == 2 && s->recalls_nothing)
			printf("   (+%llu with nothing to do)",
			       (unsigned long long)s->recalls_nothing);
		printf("\n");
	}
	printf("moved      %s up (offloads), %s down (recalls)\n",
	       cli_bytes(s->bytes_up, a, sizeof(a)),
	       cli_bytes(s->bytes_down, c, sizeof(c)));
	printf("drains     %llu (%llu failed): %llu objects deleted, %llu "
	       "copies freed\n",
	       (unsigned long long)s->drains,
	       (unsigned long long)s->drain_failures,
	       (unsigned long long)s->deleted, (unsigned long long)s->freed);
	if (s->last_drain)
		printf("last drain %s (%s ago): %s, %llu deleted, %llu freed\n",
		       when(s->last_drain, b, sizeof(b)),
		       cli_duration((uint64_t)(now > s->last_drain
						       ? now - s->last_drain
						       : 0),
				    d, sizeof(d)),
		       s->last_drain_status ? strerror(s->last_drain_status)
					    : "ok",
		       (unsigned long long)s->last_deleted,
		       (unsigned long long)s->last_freed);
	printf("recovery   %llu jobs given up at start\n",
	       (unsigned long long)s->recovered);
	printf("namespace  %llu inodes, %s (per file or directory: "
	       "strata residency PATH)\n",
	       (unsigned long long)s->ns_inodes,
	       cli_bytes(s->ns_bytes, a, sizeof(a)));
	states_table(s);
}

/* ADDR's tier status into RES (free it with xdr_free): 0, or -1 with a
 * message. */
static int fetch(struct cli *cli, const char *addr, ctl_tier_res *res)
{
	ctl_tier_args a = { .op = CTL_TIER_STATUS, .path = "" };
	struct ctl_conn *c;
	int rc;

	memset(res, 0, sizeof(*res));
	if (cli_connect(cli, addr, &c) < 0)
		return -1;
	rc = ctl_call(c, CTL_TIER, (xdrproc_t)xdr_ctl_tier_args, &a,
		      (xdrproc_t)xdr_ctl_tier_res, res,
		      TIER_STATUS_TIMEOUT_MS);
	ctl_close(c);
	if (rc < 0 || res->status || !res->stats) {
		fprintf(stderr, "strata: tier status of %s: %s\n", addr,
			rc < 0	       ? strerror(-rc)
			: res->status ? strerror((int)res->status)
				      : "no status in the answer (an older "
					"MDS?)");
		if (rc == 0)
			xdr_free((xdrproc_t)xdr_ctl_tier_res, res);
		return -1;
	}
	return 0;
}

/* Add S's counts to T (T keeps the first node's backend, prefix and
 * start; the latest drain's time and outcome; no step "running" in a
 * sum). */
static void add_stats(ctl_tier_stats *t, const ctl_tier_stats *s)
{
	t->queued += s->queued;
	for (int i = 0; i < 3; i++) {
		t->done[i] += s->done[i];
		t->failed[i] += s->failed[i];
		t->res_files[i] += s->res_files[i];
		t->res_bytes[i] += s->res_bytes[i];
	}
	t->recalls_nothing += s->recalls_nothing;
	t->bytes_up += s->bytes_up;
	t->bytes_down += s->bytes_down;
	t->recovered += s->recovered;
	t->drains += s->drains;
	t->drain_failures += s->drain_failures;
	t->deleted += s->deleted;
	t->freed += s->freed;
	t->ns_inodes += s->ns_inodes;
	t->ns_bytes += s->ns_bytes;
	if (s->last_drain > t->last_drain) {
		t->last_drain = s->last_drain;
		t->last_drain_status = s->last_drain_status;
		t->last_deleted = s->last_deleted;
		t->last_freed = s->last_freed;
	}
}

static void nodes_table(const struct cli *cli, const ctl_tier_res *res)
{
	printf("\n%-22s %7s %8s %8s %8s %9s %9s %9s\n", "node", "queued",
	       "offload", "release", "recall", "resident", "both",
	       "offloaded");
	for (unsigned i = 0; i < cli->nnodes; i++) {
		const ctl_tier_stats *s = res[i].stats;

		printf("%-22s %7llu %8llu %8llu %8llu %9llu %9llu %9llu\n",
		       cli->nodes[i], (unsigned long long)s->queued,
		       (unsigned long long)s->done[0],
		       (unsigned long long)s->done[1],
		       (unsigned long long)s->done[2],
		       (unsigned long long)s->res_files[cli_states[0].idx],
		       (unsigned long long)s->res_files[cli_states[1].idx],
		       (unsigned long long)s->res_files[cli_states[2].idx]);
	}
}

static json_object *cluster_json(const struct cli *cli,
				 const ctl_tier_stats *total,
				 const ctl_tier_res *res)
{
	json_object *o = stats_json(total), *nodes = json_object_new_array();

	for (unsigned i = 0; i < cli->nnodes; i++) {
		json_object *n = stats_json(res[i].stats);

		json_object_object_add(n, "server",
				       json_object_new_string(cli->nodes[i]));
		json_object_array_add(nodes, n);
	}
	json_object_object_add(o, "nodes", nodes);
	return o;
}

/* Several metadata nodes: the sums, and each node's counts. */
static int cluster_status(struct cli *cli)
{
	static ctl_tier_res res[CLI_MAX_NODES];
	ctl_tier_stats total;
	unsigned got = 0;
	int rc = 0;

	for (; got < cli->nnodes; got++)
		if (fetch(cli, cli->nodes[got], &res[got]) < 0)
			break;
	if (got == cli->nnodes) {
		memset(&total, 0, sizeof(total));
		total.backend = res[0].stats->backend; /* points into res */
		total.prefix = res[0].stats->prefix;
		total.started = res[0].stats->started;
		for (unsigned i = 0; i < got; i++)
			add_stats(&total, res[i].stats);
		if (cli->json) {
			cli_print_json(cluster_json(cli, &total, res));
		} else {
			printf("cluster    %u metadata nodes, each tiering its "
			       "own files (sums below)\n", cli->nnodes);
			stats_table(&total);
			nodes_table(cli, res);
		}
	} else {
		rc = 1;
	}
	for (unsigned i = 0; i < got; i++)
		xdr_free((xdrproc_t)xdr_ctl_tier_res, &res[i]);
	return rc;
}

int cmd_tier_status(struct cli *cli)
{
	ctl_tier_res res;

	if (cli->nnodes > 1)
		return cluster_status(cli);
	if (fetch(cli, cli->server, &res) < 0)
		return 1;
	if (cli->json)
		cli_print_json(stats_json(res.stats));
	else
		stats_table(res.stats);
	xdr_free((xdrproc_t)xdr_ctl_tier_res, &res);
	return 0;
}
