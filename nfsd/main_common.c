/* nfsd/main_common.c — the process around a server: flags and config
 * file, signals, start and stop. strata-mds (main_mds.c) and strata-ds
 * (main_ds.c) differ only in the role they pass. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "main_common.h"
#include "log.h"
#include "server_run.h"

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--config FILE] [--listen ADDR] [--port P]\n"
		"         [--data DIR] [--shards N] [--lease S] [--grace S]\n"
		"         [--max-io BYTES] [--log-level 0-3] [--cluster-key FILE]\n"
		"         [--data-server ADDR:PORT[=ADVADDR:ADVPORT]]...\n"
		"         [--stripe-unit BYTES] [--meta-envs N]\n"
		"         [--metrics-listen ADDR] [--metrics-port P (0: off)]\n"
		"         [--heartbeat S] [--cluster-map FILE --node N]\n"
		"         [--rdma] [--rdma-listen ADDR] [--rdma-port P]\n"
		"         [--tier dir:PATH|s3:ENDPOINT/BUCKET]\n"
		"         [--tier-credentials FILE] [--tier-region R]\n"
		"         [--tier-ca-file FILE] [--tier-prefix P]\n"
		"         [--tier-policy RULE]... [--tier-high-pct N]\n"
		"         [--tier-low-pct N] [--tier-scan-interval S]\n"
		"         [--tier-recall-timeout S] [--tier-gc-interval S]\n"
		"         [--tier-gc-grace S] [--tier-workers N]\n"
		"         [--failpoint NAME]   (tests only: server.h)\n"
		"         [--store-capacity BYTES]   (tests only: the data\n"
		"                        directory's reported capacity)\n"
		"         [--replace]   (strata-ds: take the place of this slot's\n"
		"                        lost store, docs/decisions/0019)\n",
		prog);
}

static int parse_args(int argc, char **argv, struct strata_config *cfg,
		      const char *prog)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "data", required_argument, NULL, 'd' },
		{ "shards", required_argument, NULL, 's' },
		{ "lease", required_argument, NULL, 'L' },
		{ "grace", required_argument, NULL, 'g' },
		{ "max-io", required_argument, NULL, 'm' },
		{ "log-level", required_argument, NULL, 'v' },
		{ "cluster-key", required_argument, NULL, 'K' },
		{ "data-server", required_argument, NULL, 'D' },
		{ "stripe-unit", required_argument, NULL, 'U' },
		{ "meta-envs", required_argument, NULL, 'E' },
		{ "replace", no_argument, NULL, 'R' },
		{ "metrics-listen", required_argument, NULL, 'M' },
		{ "metrics-port", required_argument, NULL, 'P' },
		{ "heartbeat", required_argument, NULL, 'H' },
		{ "cluster-map", required_argument, NULL, 'C' },
		{ "node", required_argument, NULL, 'N' },
		{ "failpoint", required_argument, NULL, 'F' },
		{ "rdma", no_argument, NULL, 'r' },
		{ "rdma-listen", required_argument, NULL, 'A' },
		{ "rdma-port", required_argument, NULL, 'Q' },
		{ "tier", required_argument, NULL, 'T' },
		{ "tier-credentials", required_argument, NULL, 'W' },
		{ "tier-region", required_argument, NULL, 'G' },
		{ "tier-ca-file", required_argument, NULL, 'V' },
		{ "tier-prefix", required_argument, NULL, 'X' },
		{ "tier-policy", required_argument, NULL, 'Y' },
		{ "tier-high-pct", required_argument, NULL, 'Z' },
		{ "tier-low-pct", required_argument, NULL, 'z' },
		{ "tier-scan-interval", required_argument, NULL, 'y' },
		{ "tier-recall-timeout", required_argument, NULL, 'O' },
		{ "tier-gc-interval", required_argument, NULL, 'I' },
		{ "tier-gc-grace", required_argument, NULL, 'J' },
		{ "tier-workers", required_argument, NULL, 'B' },
		{ "store-capacity", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const keys[128] = {
		['l'] = "listen", ['p'] = "port", ['d'] = "data_dir",
		['s'] = "shards", ['L'] = "lease_time", ['g'] = "grace_time", ['m'] = "max_io",
		['v'] = "log_level", ['K'] = "cluster_key",
		['D'] = "data_server", ['U'] = "stripe_unit",
		['E'] = "meta_envs", ['R'] = "replace",
		['M'] = "metrics_listen", ['P'] = "metrics_port",
		['H'] = "heartbeat", ['C'] = "cluster_map", ['N'] = "node",
		['F'] = "failpoint", ['r'] = "rdma", ['A'] = "rdma_listen",
		['Q'] = "rdma_port", ['T'] = "tier",
		['W'] = "tier_credentials", ['G'] = "tier_region",
		['V'] = "tier_ca_file", ['X'] = "tier_prefix",
		['Y'] = "tier_policy", ['Z'] = "tier_high_pct",
		['z'] = "tier_low_pct", ['y'] = "tier_scan_interval",
		['O'] = "tier_recall_timeout", ['I'] = "tier_gc_interval",
		['J'] = "tier_gc_grace", ['B'] = "tier_workers",
		['S'] = "store_capacity",
	};
	int o;

	/* The config file first, so flags override it. */
	for (int i = 1; i < argc - 1; i++)
		if (!strcmp(argv[i], "--config") &&
		    config_load_file(cfg, argv[i + 1]) < 0)
			return -1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c')
			continue;
		if (o == 'h' || o < 0 || o >= 128 || !keys[o]) {
			usage(prog);
			return -1;
		}
		if (config_set(cfg, keys[o], optarg ? optarg : "1") < 0) {
			fprintf(stderr, "%s: bad --%s value '%s'\n", prog,
				keys[o], optarg ? optarg : "");
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

int strata_main(int argc, char **argv, unsigned role, const char *prog)
{
	struct strata_config cfg;
	struct strata_server *srv;
	sigset_t set;
	int sig, rc;

	config_defaults(&cfg);
	if (parse_args(argc, argv, &cfg, prog) < 0)
		return 2;
	/* The binaries serve /metrics unless told otherwise (in-process
	 * servers of the tests do not: config_defaults() leaves it off). */
	if (!cfg.metrics_port_set)
		cfg.metrics_port = (role & ROLE_DS) ? STRATA_METRICS_PORT_DS
						    : STRATA_METRICS_PORT_MDS;
	/* Threads inherit this mask; main waits for the signal. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = server_start(&srv, &cfg, role);
	if (rc < 0) {
		log_err("%s: cannot start: %s", prog, strerror(-rc));
		return 1;
	}
	printf("READY port=%u\n", srv->cfg.port);
	fflush(stdout);
	sigwait(&set, &sig);
	log_info("%s: signal %d, stopping", prog, sig);
	server_stop(srv);
	return 0;
}
