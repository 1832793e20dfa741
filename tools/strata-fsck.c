/*
 * tools/strata-fsck.c — check a Strata namespace offline.
 *
 *   strata-fsck --dir DIR [--shards N] [--quiet]
 *   strata-fsck --cluster-map MAP [--quiet] NODE1_DIR NODE2_DIR ...
 *   strata-fsck --scrub --server ADDR:PORT --key CLUSTER_KEY [--quiet]
 *
 * Opens the namespace in DIR (the shard count comes from DIR/ns.conf;
 * --shards only cross-checks it). Opening rolls forward any intent a crash
 * left pending — the only write this tool makes — and says so. Then it runs
 * ns_fsck() and prints each violation and a summary line:
 *   fsck: N inodes, M entries, K violations
 * Exit status: 0 clean, 1 violations found, 2 usage error or the namespace
 * could not be opened or read (e.g. a server holds it: stop it first).
 *
 * --cluster-map checks the namespace of a cluster whose partitions several
 * metadata nodes own, all together (tools/fsck_cluster.h): the node
 * directories in node order, all servers stopped.
 *
 * --scrub works online, on a running metadata server (tools/fsck_scrub.h):
 * it lists the files whose placed data objects are missing on a data
 * server (a wiped or replaced disk) or sit on a quarantined one, with
 * their paths:
 *   damaged: fileid F size S path P: objects missing on data server(s) I...
 *   scrub: N files with placed data examined, K damaged
 * and, last, the namespace's residency counters (files and bytes per
 * state, docs/decisions/0034) against a recount of each shard in one read
 * transaction: "scrub: residency counters of N shard(s) differ ..." (the
 * offline check is ns_fsck()'s). Exit status: 0 none damaged, 1 some (or
 * a counter differs), 2 trouble.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsck_cluster.h"
#include "fsck_scrub.h"
#include "ns.h"

#define EXIT_VIOLATIONS 1
#define EXIT_TROUBLE 2

struct opts {
	const char *dir;
	unsigned shards;
	int quiet;
	int scrub;
	const char *server, *key;
	const char *map;   /* --cluster-map: node directories follow */
	char **dirs;
	unsigned ndirs;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: strata-fsck --dir DIR [--shards N] [--quiet]\n"
		   "       strata-fsck --cluster-map MAP [--quiet] NODE_DIR...\n"
		   "       strata-fsck --scrub --server ADDR:PORT --key FILE "
		   "[--quiet]\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "shards", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "scrub", no_argument, NULL, 'S' },
		{ "server", required_argument, NULL, 'a' },
		{ "key", required_argument, NULL, 'k' },
		{ "cluster-map", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "d:s:qhSa:k:m:", longopts, NULL)) !=
	       -1) {
		char *end;
		unsigned long v;
		switch (c) {
		case 'd':
			o->dir = optarg;
			break;
		case 's':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 || v > NS_MAX_SHARDS) {
				fprintf(stderr, "strata-fsck: bad --shards %s\n",
					optarg);
				return -1;
			}
			o->shards = (unsigned)v;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'S':
			o->scrub = 1;
			break;
		case 'a':
			o->server = optarg;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'm':
			o->map = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (o->map) {
		o->dirs = argv + optind;
		o->ndirs = (unsigned)(argc - optind);
		return o->ndirs && !o->dir && !o->scrub && !o->server ? 0 : -1;
	}
	if (optind != argc)
		return -1;
	if (o->scrub)
		return o->server && o->key && !o->dir ? 0 : -1;
	return o->dir && !o->server && !o->key ? 0 : -1;
}

static void print_violation(void *ctx, const char *msg)
{
	const struct opts *o = ctx;

	if (!o->quiet)
		printf("violation: %s\n", msg);
}

static const char *open_hint(int rc)
{
	switch (rc) {
	case -ENOENT:
		return " (no namespace there: DIR/ns.conf missing)";
	case -EBUSY:
		return " (in use: stop the server first)";
	case -EINVAL:
		return " (--shards does not match DIR/ns.conf)";
	default:
		return "";
	}
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct ns_fsck_counts counts = { 0 };
	struct ns *ns;
	int rc;

	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (o.scrub)
		return fsck_scrub(o.server, o.key, o.quiet);
	if (o.map)
		return fsck_cluster(o.map, o.dirs, o.ndirs, o.quiet);
	rc = ns_open(&ns, o.dir, o.shards);
	if (rc) {
		fprintf(stderr, "strata-fsck: cannot open %s: %s%s\n", o.dir,
			strerror(-rc), open_hint(rc));
		return EXIT_TROUBLE;
	}
	printf("fsck: %s: %u shards; replayed %u pending intent(s) on open\n",
	       o.dir, ns_nshards(ns), ns_replayed_intents(ns));
	rc = ns_fsck_ex(ns, print_violation, &o, &counts);
	ns_close(ns);
	if (rc < 0) {
		fprintf(stderr, "strata-fsck: cannot read %s: %s\n", o.dir,
			strerror(-rc));
		return EXIT_TROUBLE;
	}
	printf("fsck: %llu inodes, %llu entries, %d violations\n",
	       (unsigned long long)counts.inodes,
	       (unsigned long long)counts.entries, rc);
	return rc ? EXIT_VIOLATIONS : 0;
}
