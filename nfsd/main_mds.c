/* nfsd/main_mds.c — strata-mds: the metadata server process. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "server.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: strata-mds [--config FILE] [--listen ADDR] [--port P]\n"
		"                  [--data DIR] [--shards N] [--lease S] [--grace S]\n"
		"                  [--max-io BYTES] [--log-level 0-3]\n");
}

static int parse_args(int argc, char **argv, struct strata_config *cfg)
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const keys[128] = {
		['l'] = "listen", ['p'] = "port", ['d'] = "data_dir",
		['s'] = "shards", ['L'] = "lease_time", ['g'] = "grace_time", ['m'] = "max_io",
		['v'] = "log_level",
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
			usage();
			return -1;
		}
		if (config_set(cfg, keys[o], optarg) < 0) {
			fprintf(stderr, "strata-mds: bad --%s value '%s'\n",
				keys[o], optarg);
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct strata_config cfg;
	struct strata_server *srv;
	sigset_t set;
	int sig, rc;

	config_defaults(&cfg);
	if (parse_args(argc, argv, &cfg) < 0)
		return 2;
	/* Threads inherit this mask; main waits for the signal. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = server_start(&srv, &cfg);
	if (rc < 0) {
		log_err("strata-mds: cannot start: %s", strerror(-rc));
		return 1;
	}
	printf("READY port=%u\n", srv->cfg.port);
	fflush(stdout);
	sigwait(&set, &sig);
	log_info("strata-mds: signal %d, stopping", sig);
	server_stop(srv);
	return 0;
}
