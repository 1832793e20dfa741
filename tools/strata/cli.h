/*
 * tools/strata/cli.h — the `strata` admin CLI: shared pieces of its
 * subcommands (one file each: status.c, clients.c, top.c, exports.c,
 * tier.c, tier_status.c).
 *
 * The CLI reaches a running cluster only through the control protocol's
 * administration procedures (pnfs/ctl_prot.x CTL_INFO .. CTL_OPSTATS;
 * CTL_TIER for residency and the tier's steps),
 * authenticated with the cluster key: --server HOST:PORT --key FILE, or
 * --dir DIR of a strata-local cluster (its DIR/admin.conf names both, and
 * with several metadata nodes lists them all: `tier status` sums them,
 * and paths are followed from node to node, docs/decisions/0037).
 * Human tables go to stdout; --json prints one JSON document (json-c).
 *
 * Exit status: 0 success; 1 the cluster could not be reached or answered
 * an error; 2 usage; 3 (status) some server is down or quarantined.
 *
 * Single-threaded; nothing here is shared.
 */
#ifndef STRATA_TOOLS_CLI_H
#define STRATA_TOOLS_CLI_H

#include <json-c/json.h>
#include <stdint.h>

#include "ctl_prot.h"
#include "mac.h"

struct ctl_conn;

/* `strata tier` and `strata residency`: paths stepped at once, each on
 * its own control connection (--parallel N). */
#define CLI_TIER_PARALLEL 8
#define CLI_TIER_PARALLEL_MAX 64

/* Metadata nodes a cluster's admin.conf may list. */
#define CLI_MAX_NODES 64

struct cli {
	char server[128];   /* "host:port" of the MDS */
	/* Every metadata node of a cluster (admin.conf `nodes`, several
	 * nodes: docs/decisions/0024); nnodes 0 or 1: SERVER alone. */
	char nodes[CLI_MAX_NODES][128];
	unsigned nnodes;
	char key_path[4096];
	struct mac_key key;
	int json;
	int once;           /* top: one sample */
	double interval;    /* top: seconds between samples */
	int no_wait;        /* tier: queue the step, do not wait for it */
	int parallel;       /* tier, residency: paths at once; 0 default */
};

/* Connect to ADDR ("host:port") with the cluster key. 0 or -errno
 * (message printed). */
int cli_connect(const struct cli *cli, const char *addr,
		struct ctl_conn **out);
/* One administration call without arguments; RES decoded by XRES.
 * 0, or -1 with a message naming WHAT. The result's own status is the
 * caller's to check. */
int cli_call(struct ctl_conn *c, uint32_t proc, xdrproc_t xres, void *res,
	     const char *what);

/* Connect to the MDS, make one administration call, close: 0, or -1
 * with a message. RES must be a union result whose first member is its
 * int status; a non-zero status is reported and freed (-1). */
int cli_fetch(const struct cli *cli, uint32_t proc, xdrproc_t xres,
	      void *res, const char *what);

/* "1.5 GiB", "12 KiB"; into BUF. */
const char *cli_bytes(uint64_t v, char *buf, size_t cap);
/* "3d04h", "5m02s", "12s". */
const char *cli_duration(uint64_t s, char *buf, size_t cap);

/* The residency states as shown (resident, both, offloaded), each with
 * its index in the answers' per-state arrays (metadata/ns.h enum
 * ns_residency: 0 local, 1 offloaded, 2 both). */
struct cli_state {
	const char *name;
	int idx;
};
#define CLI_NSTATES 3
extern const struct cli_state cli_states[CLI_NSTATES];
/* Print a json-c object (pretty) and release it. */
void cli_print_json(json_object *o);
/* json-c object of a server's ctl_info. */
json_object *cli_info_json(const ctl_info *in);

int cmd_status(struct cli *cli);
int cmd_clients(struct cli *cli);
int cmd_exports(struct cli *cli);
int cmd_top(struct cli *cli);
/* PATHS: paths in the namespace; ARGS: a step's name, then paths. */
int cmd_residency(struct cli *cli, int npaths, char **paths);
int cmd_tier(struct cli *cli, int nargs, char **args);
/* `strata tier status` (tier_status.c). */
int cmd_tier_status(struct cli *cli);

#endif
