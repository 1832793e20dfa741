/* tools/strata/tier.c — `strata residency PATH...` and `strata tier
 * offload|release|recall PATH...` (issue 16, docs/decisions/0031): one
 * CTL_TIER call per path (pnfs/ctl_tier.h); the residency of a directory
 * is the totals over its subtree, walked by the MDS. A step waits until it is done
 * (a recall of a large file can take minutes) unless --no-wait, which
 * only queues it. PATH is a path in the namespace from its root, as a
 * client sees it under a mount of "/". Several paths are stepped at
 * once, each on its own control connection (--parallel N, default
 * CLI_TIER_PARALLEL), so the MDS's tier threads (tier_workers) are kept
 * busy; the answers are printed in the order of the paths, once all are
 * in. On a cluster whose partitions several nodes own, a node answers
 * EREMOTE when the path goes on at another node (docs/decisions/0037);
 * the CLI follows, to the node of that number in admin.conf's `nodes`.
 * There (admin.conf lists several nodes) the residency of a directory
 * is asked without its totals (CTL_TIER_QUERY_ONE) and the CLI walks the
 * subtree over every node itself (CTL_TIER_PART, residency.h): the
 * whole subtree's totals, `skipped` 0, or an error naming the node that
 * did not answer, never one node's part. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ctl_client.h"
#include "ns.h"
#include "residency.h"

#define TIER_CALL_TIMEOUT_MS (3600 * 1000) /* a step waited for */
#define TIER_PART_TIMEOUT_MS (120 * 1000)  /* one chunk of a walk */

static const char *state_name(const ctl_tier_res *r)
{
	static const char *const names[] = { "local", "offloaded", "both" };

	if (r->totals)
		return "dir";
	if (r->type != 1) /* NS_REG */
		return "-";
	return r->residency < 3 ? names[r->residency] : "?";
}

/* A directory's totals (ctl_prot.x ctl_tier_totals), per state in the
 * order of cli_states. */
static json_object *totals_json(const ctl_tier_totals *t)
{
	json_object *o = json_object_new_object();
	json_object *files = json_object_new_object();
	json_object *bytes = json_object_new_object();

	for (size_t i = 0; i < CLI_NSTATES; i++) {
		json_object_object_add(files, cli_states[i].name,
				       json_object_new_int64((int64_t)
					       t->files[cli_states[i].idx]));
		json_object_object_add(bytes, cli_states[i].name,
				       json_object_new_int64((int64_t)
					       t->bytes[cli_states[i].idx]));
	}
	json_object_object_add(o, "files", files);
	json_object_object_add(o, "bytes", bytes);
	json_object_object_add(o, "ds_bytes",
			       json_object_new_int64((int64_t)t->ds_bytes));
	json_object_object_add(o, "tier_bytes",
			       json_object_new_int64((int64_t)t->tier_bytes));
	json_object_object_add(o, "directories",
			       json_object_new_int64((int64_t)t->dirs));
	json_object_object_add(o, "other",
			       json_object_new_int64((int64_t)t->others));
	json_object_object_add(o, "jobs",
			       json_object_new_int64((int64_t)t->jobs));
	json_object_object_add(o, "skipped",
			       json_object_new_int64((int64_t)t->skipped));
	return o;
}

/* The line under a directory's: files and bytes per state. */
static void totals_line(const ctl_tier_totals *t)
{
	char b[3][32];

	for (size_t i = 0; i < 3; i++)
		cli_bytes(t->bytes[cli_states[i].idx], b[i], sizeof(b[i]));
	printf("  files: %llu resident (%s), %llu both (%s), %llu offloaded "
	       "(%s); %llu directories, %llu other",
	       (unsigned long long)t->files[0], b[0],
	       (unsigned long long)t->files[2], b[1],
	       (unsigned long long)t->files[1], b[2],
	       (unsigned long long)t->dirs, (unsigned long long)t->others);
	if (t->jobs)
		printf(", %llu jobs under way", (unsigned long long)t->jobs);
	printf("\n");
	if (t->skipped)
		printf("  not counted: %llu names or listings on other "
		       "metadata nodes' partitions (totals of this node's)\n",
		       (unsigned long long)t->skipped);
}

static const char *job_name(unsigned job)
{
	return job == 1 ? "offloading" : job == 2 ? "recalling" : "";
}

static json_object *res_json(const char *path, const ctl_tier_res *r)
{
	json_object *o = json_object_new_object();
	char id[32];

	snprintf(id, sizeof(id), "%016llx", (unsigned long long)r->fileid);
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "fileid", json_object_new_string(id));
	json_object_object_add(o, "state",
			       json_object_new_string(state_name(r)));
	json_object_object_add(o, "job",
			       json_object_new_string(job_name(r->job)));
	json_object_object_add(o, "size", json_object_new_int64(
						  (int64_t)r->size));
	json_object_object_add(o, "ds_bytes", json_object_new_int64(
						      (int64_t)r->ds_bytes));
	json_object_object_add(o, "tier_bytes",
			       json_object_new_int64((int64_t)r->tier_bytes));
	json_object_object_add(o, "object_key",
			       json_object_new_string(r->key));
	json_object_object_add(o, "data_generation",
			       json_object_new_int64((int64_t)r->layout_gen));
	if (r->totals)
		json_object_object_add(o, "totals", totals_json(r->totals));
	if (r->status)
		json_object_object_add(o, "error",
				       json_object_new_string(strerror(
					       (int)r->status)));
	return o;
}

static void res_line(const char *path, const ctl_tier_res *r)
{
	char a[32], b[32];

	printf("%-32s %-9s %10s %10s %-10s %s\n", path, state_name(r),
	       cli_bytes(r->ds_bytes, a, sizeof(a)),
	       cli_bytes(r->tier_bytes, b, sizeof(b)), job_name(r->job),
	       r->key[0] ? r->key : "-");
	if (r->totals)
		totals_line(r->totals);
}

#define TIER_HOPS_MAX 16 /* redirects followed for one path */

/* Ask node NODE (1-based in admin.conf's `nodes`) to go on: A's fileid
 * and path set from the redirect in RES, whose answer replaces RES. 0,
 * or -errno. */
static int follow(const struct cli *cli, ctl_tier_args *a,
		  ctl_tier_res *res, char *rest, size_t cap)
{
	struct ctl_conn *c;
	unsigned node = res->node;
	int rc;

	if (node < 1 || node > cli->nnodes)
		return -EREMOTE; /* a node the CLI does not know */
	a->fileid = res->fileid;
	snprintf(rest, cap, "%s", res->rest ? res->rest : "");
	a->path = rest;
	xdr_free((xdrproc_t)xdr_ctl_tier_res, res);
	memset(res, 0, sizeof(*res));
	rc = cli_connect(cli, cli->nodes[node - 1], &c);
	if (rc < 0)
		return rc;
	rc = ctl_call(c, CTL_TIER, (xdrproc_t)xdr_ctl_tier_args, a,
		      (xdrproc_t)xdr_ctl_tier_res, res, TIER_CALL_TIMEOUT_MS);
	ctl_close(c);
	return rc;
}

/* The walk's connections, one per node, opened when first used. */
struct part_conns {
	const struct cli *cli;
	struct ctl_conn *conn[CLI_MAX_NODES];
};

static int part_call(void *ctx, unsigned node, ctl_tier_part_args *a,
		     ctl_tier_part_res *res)
{
	struct part_conns *pc = ctx;
	struct ctl_conn **c = &pc->conn[node - 1];
	int rc;

	if (!*c && (rc = cli_connect(pc->cli, pc->cli->nodes[node - 1], c)))
		return rc;
	return ctl_call(*c, CTL_TIER_PART, (xdrproc_t)xdr_ctl_tier_part_args,
			a, (xdrproc_t)xdr_ctl_tier_part_res, res,
			TIER_PART_TIMEOUT_MS);
}

/* The totals of directory RES (a CTL_TIER_QUERY_ONE answer) over every
 * node (residency.h) into RES->totals, as one node's walk answers them;
 * 0, or -1 (reported, RES->status the error: no totals). */
static int walk_nodes(const struct cli *cli, const char *path,
		      ctl_tier_res *res)
{
	struct part_conns pc = { .cli = cli };
	ctl_tier_totals *t = calloc(1, sizeof(*t));
	unsigned node = 0;
	int rc = -ENOMEM;

	if (t)
		rc = residency_walk(cli->nnodes, part_call, &pc, res->fileid,
				    t, &node);
	for (unsigned i = 0; i < cli->nnodes; i++)
		if (pc.conn[i])
			ctl_close(pc.conn[i]);
	if (rc == 0) {
		res->totals = t; /* freed with RES (xdr_free) */
		res->ds_bytes = t->ds_bytes;
		res->tier_bytes = t->tier_bytes;
		return 0;
	}
	free(t);
	res->status = -rc;
	if (node && rc == -EREMOTE)
		fprintf(stderr, "strata: %s: metadata node %u (%s) names a "
			"node admin.conf's nodes do not list; no totals\n",
			path, node, cli->nodes[node - 1]);
	else if (node)
		fprintf(stderr, "strata: %s: metadata node %u (%s): %s; no "
			"totals\n", path, node, cli->nodes[node - 1],
			strerror(-rc));
	else
		fprintf(stderr, "strata: %s: %s\n", path, strerror(-rc));
	return -1;
}

/* One CTL_TIER call for PATH on C, following redirects to other nodes;
 * 0, or -1 (reported). */
static int tier_call(const struct cli *cli, struct ctl_conn *c,
		     ctl_tier_op op, const char *path, int wait,
		     ctl_tier_res *res)
{
	ctl_tier_args a = { .op = op, .path = (char *)path, .wait = wait };
	char rest[CTL_PATH_MAX + 1];
	int rc, hops = 0;

	if (op == CTL_TIER_QUERY && cli->nnodes > 1)
		a.op = CTL_TIER_QUERY_ONE; /* a directory: walked below */
	memset(res, 0, sizeof(*res));
	rc = ctl_call(c, CTL_TIER, (xdrproc_t)xdr_ctl_tier_args, &a,
		      (xdrproc_t)xdr_ctl_tier_res, res, TIER_CALL_TIMEOUT_MS);
	while (rc == 0 && res->status == EREMOTE && hops++ < TIER_HOPS_MAX) {
		rc = follow(cli, &a, res, rest, sizeof(rest));
		if (rc == -EREMOTE) {
			fprintf(stderr, "strata: %s: on metadata node %u, which "
				"admin.conf's nodes do not list\n", path,
				res->node);
			return -1;
		}
	}
	if (rc < 0) {
		fprintf(stderr, "strata: %s: %s\n", path, strerror(-rc));
		return -1;
	}
	if (res->status)
		fprintf(stderr, "strata: %s: %s%s%s\n", path,
			strerror((int)res->status), res->msg[0] ? ": " : "",
			res->msg);
	if (res->status)
		return -1;
	if (a.op == CTL_TIER_QUERY_ONE && res->type == NS_DIR)
		return walk_nodes(cli, path, res);
	return 0;
}

/* The paths shared by the connections' threads: each takes the next. */
struct batch {
	struct cli *cli;
	ctl_tier_op op;
	char **paths;
	int npaths;
	ctl_tier_res *res; /* [npaths] */
	int *rc;           /* [npaths]: 0, -1 failed, 1 not asked */
	pthread_mutex_t lock;
	int next;
	int conn_failed;
};

static void *batch_thread(void *arg)
{
	struct batch *b = arg;
	struct ctl_conn *c;

	if (cli_connect(b->cli, b->cli->server, &c) < 0) {
		pthread_mutex_lock(&b->lock);
		b->conn_failed = 1;
		pthread_mutex_unlock(&b->lock);
		return NULL;
	}
	for (;;) {
		int i;

		pthread_mutex_lock(&b->lock);
		i = b->next < b->npaths ? b->next++ : -1;
		pthread_mutex_unlock(&b->lock);
		if (i < 0)
			break;
		b->rc[i] = tier_call(b->cli, c, b->op, b->paths[i],
				     !b->cli->no_wait, &b->res[i]);
	}
	ctl_close(c);
	return NULL;
}

/* Step every path, up to cli->parallel at once: 0 if all went through. */
static int run_all(struct batch *b)
{
	int n = b->cli->parallel > 0 ? b->cli->parallel : CLI_TIER_PARALLEL;
	pthread_t tid[CLI_TIER_PARALLEL_MAX];
	int started = 0;

	if (n > b->npaths)
		n = b->npaths;
	for (int i = 0; i < b->npaths; i++)
		b->rc[i] = 1;
	for (; started < n; started++)
		if (pthread_create(&tid[started], NULL, batch_thread, b))
			break;
	if (started == 0)
		batch_thread(b);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	return b->conn_failed || b->next < b->npaths;
}

static int run(struct cli *cli, ctl_tier_op op, int npaths, char **paths)
{
	json_object *all;
	struct batch b = { .cli = cli, .op = op, .paths = paths,
			   .npaths = npaths };
	int bad;

	b.res = calloc((size_t)npaths, sizeof(*b.res));
	b.rc = calloc((size_t)npaths, sizeof(*b.rc));
	if (!b.res || !b.rc) {
		fprintf(stderr, "strata: out of memory\n");
		free(b.res);
		free(b.rc);
		return 1;
	}
	all = cli->json ? json_object_new_array() : NULL;
	pthread_mutex_init(&b.lock, NULL);
	bad = run_all(&b);
	pthread_mutex_destroy(&b.lock);
	if (!cli->json)
		printf("%-32s %-9s %10s %10s %-10s %s\n", "PATH", "STATE",
		       "DS", "TIER", "JOB", "OBJECT");
	for (int i = 0; i < npaths; i++) {
		ctl_tier_res *res = &b.res[i];

		bad |= b.rc[i] != 0;
		if (b.rc[i] != 1 && res->key) {
			if (all)
				json_object_array_add(all,
						      res_json(paths[i], res));
			else if (!res->status || op != CTL_TIER_QUERY)
				res_line(paths[i], res);
		}
		if (b.rc[i] != 1)
			xdr_free((xdrproc_t)xdr_ctl_tier_res, res);
	}
	free(b.res);
	free(b.rc);
	if (all)
		cli_print_json(all);
	return bad;
}

int cmd_residency(struct cli *cli, int npaths, char **paths)
{
	if (npaths < 1) {
		fprintf(stderr, "usage: strata residency PATH...\n");
		return 2;
	}
	return run(cli, CTL_TIER_QUERY, npaths, paths);
}

int cmd_tier(struct cli *cli, int nargs, char **args)
{
	static const struct {
		const char *name;
		ctl_tier_op op;
	} steps[] = {
		{ "offload", CTL_TIER_OFFLOAD },
		{ "release", CTL_TIER_RELEASE },
		{ "recall", CTL_TIER_RECALL },
	};

	if (nargs == 1 && !strcmp(args[0], "status"))
		return cmd_tier_status(cli);
	for (size_t i = 0; nargs >= 2 && i < sizeof(steps) / sizeof(*steps);
	     i++)
		if (!strcmp(args[0], steps[i].name))
			return run(cli, steps[i].op, nargs - 1, args + 1);
	fprintf(stderr, "usage: strata tier offload|release|recall "
			"[--no-wait] [--parallel N] PATH...\n"
			"       strata tier status\n");
	return 2;
}
