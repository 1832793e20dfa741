/*
 * tools/strata/main.c — `strata`: the admin CLI (see cli.h).
 *   strata [--dir DIR | --server HOST:PORT --key FILE] [--json]
 *          status | clients | exports | top [--once] [--interval S]
 *          | residency PATH... | tier offload|release|recall [--no-wait]
 *            [--parallel N] PATH...
 *          | tier status
 */
#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ctl_client.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: strata [--dir DIR | --server HOST:PORT --key FILE] "
		"[--json] COMMAND\n"
		"commands:\n"
		"  status    every server: role, address, up/down, uptime, "
		"version, capacity; grace\n"
		"  clients   NFS clients: owner, address, sessions, lease age, "
		"opens, locks, delegations, layouts\n"
		"  exports   what is exported and how\n"
		"  top       operations per second, latency p50/p99 and bytes "
		"per second per server\n"
		"            [--once] one sample; [--interval S] (default 1)\n"
		"  residency PATH...   where each file's data is: state, bytes "
		"on the data\n"
		"            servers and in the tier, object key\n"
		"  tier offload|release|recall PATH...   move files, each step "
		"waited for\n"
		"            [--no-wait] only queue it; [--parallel N] paths at "
		"once (default 8)\n"
		"  tier status   the object tier: backend, queue, steps done "
		"and failed,\n"
		"            bytes moved, drains\n"
		"--dir DIR: a strata-local cluster (reads DIR/admin.conf)\n");
}

/* admin.conf's `nodes`: HOST:PORT,HOST:PORT,... into CLI->nodes. */
static int parse_nodes(struct cli *cli, const char *value)
{
	const char *p = value;

	cli->nnodes = 0;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= sizeof(cli->nodes[0]) ||
		    cli->nnodes == CLI_MAX_NODES)
			return 0; /* ini_parse reports the line */
		snprintf(cli->nodes[cli->nnodes++], sizeof(cli->nodes[0]),
			 "%.*s", (int)n, p);
		p += n + (p[n] == ',');
	}
	return 1;
}

/* DIR/admin.conf, written by scripts/strata-local up: [admin] server, key,
 * and with several metadata nodes their list, nodes. */
static int on_admin_conf(void *user, const char *section, const char *name,
			 const char *value)
{
	struct cli *cli = user;

	if (strcmp(section, "admin") != 0)
		return 1;
	if (!strcmp(name, "server"))
		snprintf(cli->server, sizeof(cli->server), "%s", value);
	else if (!strcmp(name, "key"))
		snprintf(cli->key_path, sizeof(cli->key_path), "%s", value);
	else if (!strcmp(name, "nodes"))
		return parse_nodes(cli, value);
	return 1;
}

static int load_dir(struct cli *cli, const char *dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/admin.conf", dir);
	if (ini_parse(path, on_admin_conf, cli) != 0) {
		fprintf(stderr,
			"strata: cannot read %s (is %s a strata-local "
			"cluster directory?)\n",
			path, dir);
		return -1;
	}
	return 0;
}

static int parse(int argc, char **argv, struct cli *cli, int *cmd)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "server", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "once", no_argument, NULL, 'o' },
		{ "interval", required_argument, NULL, 'i' },
		{ "no-wait", no_argument, NULL, 'n' },
		{ "parallel", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			if (load_dir(cli, optarg) < 0)
				return -1;
			break;
		case 's':
			snprintf(cli->server, sizeof(cli->server), "%s", optarg);
			break;
		case 'k':
			snprintf(cli->key_path, sizeof(cli->key_path), "%s",
				 optarg);
			break;
		case 'j':
			cli->json = 1;
			break;
		case 'o':
			cli->once = 1;
			break;
		case 'n':
			cli->no_wait = 1;
			break;
		case 'P':
			cli->parallel = atoi(optarg);
			if (cli->parallel < 1 ||
			    cli->parallel > CLI_TIER_PARALLEL_MAX) {
				fprintf(stderr, "strata: --parallel 1-%d\n",
					CLI_TIER_PARALLEL_MAX);
				return -1;
			}
			break;
		case 'i':
			cli->interval = strtod(optarg, NULL);
			if (cli->interval < 0.1 || cli->interval > 3600) {
				fprintf(stderr, "strata: --interval 0.1-3600\n");
				return -1;
			}
			break;
		default:
			usage();
			return -1;
		}
	}
	if (optind >= argc || !cli->server[0] || !cli->key_path[0]) {
		usage();
		return -1;
	}
	*cmd = optind;
	return 0;
}

int main(int argc, char **argv)
{
	struct cli cli = { .interval = 1.0 };
	const char *cmd;
	int at = 0, nargs;

	if (parse(argc, argv, &cli, &at) < 0)
		return 2;
	cmd = argv[at];
	nargs = argc - at - 1; /* after the command */
	if (mac_key_load(&cli.key, cli.key_path) < 0) {
		fprintf(stderr, "strata: cannot read the cluster key %s\n",
			cli.key_path);
		return 1;
	}
	if (!strcmp(cmd, "residency"))
		return cmd_residency(&cli, nargs, argv + at + 1);
	if (!strcmp(cmd, "tier"))
		return cmd_tier(&cli, nargs, argv + at + 1);
	if (nargs) {
		usage();
		return 2;
	}
	if (!strcmp(cmd, "status"))
		return cmd_status(&cli);
	if (!strcmp(cmd, "clients"))
		return cmd_clients(&cli);
	if (!strcmp(cmd, "exports"))
		return cmd_exports(&cli);
	if (!strcmp(cmd, "top"))
		return cmd_top(&cli);
	fprintf(stderr, "strata: unknown command '%s'\n", cmd);
	usage();
	return 2;
}
