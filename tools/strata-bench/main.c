/*
 * tools/strata-bench/main.c -- command line of strata-bench, a pNFS-aware
 * NFSv4.1 load generator.  See docs/decisions/0011-bench-client.md.
 *
 *   strata-bench --server HOST:PORT [--export /path]
 *       --workload seqwrite|seqread|randwrite|randread|create|stat|remove|
 *                  smallwrite|smallread|all|verify  (or a comma-separated
 *                  list; verify, not in all, reports what each piece of
 *                  a --keep run's large file holds: wl_verify.c)
 *       [--size 1G] [--io 1M] [--files 10000] [--dirs 1] [--conns 2]
 *       [--qd 8] [--slots 64] [--no-pnfs] [--pid [NAME=]PID]...
 *       [--label NAME] [--duration 10] [--format text|tsv] [--tag NAME]
 *       [--keep] [--timeout 60]
 *
 * Exit status: 0 all workloads ran, 1 a workload or the setup failed
 * (message on stderr), 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "workloads.h"
#include "report.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: strata-bench --server HOST:PORT --workload LIST [options]\n"
"  LIST: all, or a comma-separated list of seqwrite seqread randwrite\n"
"        randread create stat rename remove smallwrite smallread, and\n"
"        verify\n"
"        (not in all: print what each --io piece of an earlier --keep\n"
"        run's large file holds: ok, error STATUS, or WRONG bytes)\n"
"  --export PATH     export to work in (default /)\n"
"  --size N          large file for seq*/rand* (default 1G; K M G suffixes)\n"
"  --io N            sequential I/O size (default 1M); random I/O is 4K\n"
"  --files N         files for create/stat/remove/small* (default 10000)\n"
"  --dirs N          directories they are spread over (default 1)\n"
"  --conns N         TCP connections per server (default 2, max 16)\n"
"  --qd N            calls in flight per connection (default 8)\n"
"  --slots N         session slots to ask for (default 64)\n"
"  --no-pnfs         no layouts: all I/O through the MDS\n"
"  --pid [NAME=]PID  server process whose CPU time to report (repeatable)\n"
"  --label NAME      label of the result lines (default run)\n"
"  --duration S      seconds of each random workload (default 10)\n"
"  --format text|tsv output format (default text)\n"
"  --tag NAME        directory prefix under the export (default bench-PID)\n"
"  --keep            do not remove the files at the end\n"
"  --timeout S       seconds to wait for any reply (default 60)\n");
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	uint64_t mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	case 't': case 'T': mul = 1ull << 40; end++; break;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_uint(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_server(char *s, struct client_opts *c)
{
	char *colon = strrchr(s, ':');
	uint32_t port;
	if (!colon || parse_uint(colon + 1, 1, 65535, &port) < 0)
		return -1;
	*colon = 0;
	if (s[0] == '[' && colon > s + 1 && colon[-1] == ']') {
		colon[-1] = 0;
		s++;
	}
	c->host = s;
	c->port = (uint16_t)port;
	return *s ? 0 : -1;
}

static int parse_workloads(char *list, unsigned *mask)
{
	*mask = 0;
	for (char *save, *w = strtok_r(list, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		if (strcmp(w, "all") == 0) {
			*mask |= ((1u << WL_USER_COUNT) - 1) &
				 ~(1u << WL_VERIFY);
			continue;
		}
		int id = wl_parse(w);
		if (id < 0)
			return -1;
		*mask |= 1u << id;
	}
	return *mask ? 0 : -1;
}

static int parse_pid(const char *s, struct bench_opts *o)
{
	const char *eq = strchr(s, '=');
	const char *num = eq ? eq + 1 : s;
	uint32_t pid;
	if (o->npids == MAX_PIDS || parse_uint(num, 1, INT32_MAX, &pid) < 0)
		return -1;
	if (eq)
		snprintf(o->pid_names[o->npids], sizeof(o->pid_names[0]), "%.*s",
			 (int)(eq - s), s);
	else
		snprintf(o->pid_names[o->npids], sizeof(o->pid_names[0]), "%u", pid);
	o->pids[o->npids++] = (pid_t)pid;
	return 0;
}

enum { O_EXPORT = 256, O_SIZE, O_IO, O_FILES, O_DIRS, O_CONNS, O_QD, O_SLOTS,
       O_NOPNFS, O_PID, O_LABEL, O_DURATION, O_FORMAT, O_TAG, O_KEEP,
       O_TIMEOUT };

static const struct option LONGOPTS[] = {
	{ "server", required_argument, NULL, 's' },
	{ "workload", required_argument, NULL, 'w' },
	{ "help", no_argument, NULL, 'h' },
	{ "export", required_argument, NULL, O_EXPORT },
	{ "size", required_argument, NULL, O_SIZE },
	{ "io", required_argument, NULL, O_IO },
	{ "files", required_argument, NULL, O_FILES },
	{ "dirs", required_argument, NULL, O_DIRS },
	{ "conns", required_argument, NULL, O_CONNS },
	{ "qd", required_argument, NULL, O_QD },
	{ "slots", required_argument, NULL, O_SLOTS },
	{ "no-pnfs", no_argument, NULL, O_NOPNFS },
	{ "pid", required_argument, NULL, O_PID },
	{ "label", required_argument, NULL, O_LABEL },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "tag", required_argument, NULL, O_TAG },
	{ "keep", no_argument, NULL, O_KEEP },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ NULL, 0, NULL, 0 }
};

static void defaults(struct bench_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->client.export_path = "/";
	o->client.conns = 2;
	o->client.qd = 8;
	o->client.slots = 64;
	o->client.io = 1u << 20;
	o->client.timeout_ms = 60000;
	o->size = 1ull << 30;
	o->files = 10000;
	o->dirs = 1;
	o->duration = 10;
	o->label = "run";
	snprintf(o->tag, sizeof(o->tag), "bench-%d", (int)getpid());
}

/* One option; 0, or -1 with a message printed. */
static int apply(struct bench_opts *o, int opt, char *arg)
{
	uint64_t v;
	uint32_t u;
	char *end;

	switch (opt) {
	case 's': return parse_server(arg, &o->client);
	case 'w': return parse_workloads(arg, &o->workloads);
	case O_EXPORT: o->client.export_path = arg; return 0;
	case O_SIZE: return parse_size(arg, &o->size);
	case O_IO:
		if (parse_size(arg, &v) < 0 || v < 4096 || v > (16u << 20))
			return -1;
		o->client.io = (uint32_t)v;
		return 0;
	case O_FILES: return parse_uint(arg, 1, 100000000, &o->files);
	case O_DIRS: return parse_uint(arg, 1, 1000, &o->dirs);
	case O_CONNS: return parse_uint(arg, 1, 16, &o->client.conns);
	case O_QD: return parse_uint(arg, 1, 255, &o->client.qd);
	case O_SLOTS: return parse_uint(arg, 2, 1024, &o->client.slots);
	case O_NOPNFS: o->client.no_pnfs = 1; return 0;
	case O_PID: return parse_pid(arg, o);
	case O_LABEL: o->label = arg; return 0;
	case O_DURATION:
		o->duration = strtod(arg, &end);
		return *end || !(o->duration > 0 && o->duration < 1e6) ? -1 : 0;
	case O_FORMAT:
		o->tsv = strcmp(arg, "tsv") == 0;
		return o->tsv || strcmp(arg, "text") == 0 ? 0 : -1;
	case O_TAG:
		if (!*arg || strchr(arg, '/') || strlen(arg) >= sizeof(o->tag))
			return -1;
		snprintf(o->tag, sizeof(o->tag), "%s", arg);
		return 0;
	case O_KEEP: o->keep = 1; return 0;
	case O_TIMEOUT:
		if (parse_uint(arg, 1, 3600, &u) < 0)
			return -1;
		o->client.timeout_ms = (int)u * 1000;
		return 0;
	default: return -1;
	}
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	int opt, idx;

	defaults(o);
	while ((opt = getopt_long(argc, argv, "s:w:h", LONGOPTS, &idx)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			exit(0);
		}
		if (opt == '?' || apply(o, opt, optarg) < 0) {
			if (opt != '?')
				fprintf(stderr, "strata-bench: bad value for "
					"--%s: '%s'\n", LONGOPTS[idx].name,
					optarg);
			return -1;
		}
	}
	if (optind < argc || !o->client.host || !o->workloads) {
		fprintf(stderr, "strata-bench: --server and --workload are "
			"required\n");
		return -1;
	}
	uint32_t callers = o->client.conns * o->client.qd + 1;
	if (callers > o->client.slots || callers > RPC_MAX_CALLERS) {
		fprintf(stderr, "strata-bench: --conns x --qd + 1 = %u exceeds "
			"--slots %u (and at most %u)\n", callers,
			o->client.slots, RPC_MAX_CALLERS);
		return -1;
	}
	return 0;
}

static void print_setup(const struct bench_opts *o, const struct client *c)
{
	FILE *f = o->tsv ? stderr : stdout;
	fprintf(f, "# strata-bench %s: %s:%u export %s, %u conns x qd %u "
		"(%u slots granted), io %u KiB, lease %u s, layouts %s\n",
		o->label, o->client.host, o->client.port, o->client.export_path,
		o->client.conns, o->client.qd, c->mds->nslots,
		o->client.io / 1024, c->fs.lease,
		c->use_pnfs ? "yes (LAYOUT4_NFSV4_1_FILES)"
		: o->client.no_pnfs ? "no (--no-pnfs)"
				    : "no (the server offers none)");
	fflush(f);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct client cl;
	struct bench b;
	char err[600];
	int rc = 0;

	if (parse_args(argc, argv, &o) < 0) {
		fprintf(stderr, "strata-bench: see strata-bench --help\n");
		return 2;
	}
	if (client_open(&cl, &o.client, err, sizeof(err)) < 0) {
		fprintf(stderr, "strata-bench: %s\n", err);
		client_close(&cl);
		return 1;
	}
	memset(&b, 0, sizeof(b));
	b.o = &o;
	b.cl = &cl;
	print_setup(&o, &cl);
	report_header(&o);
	for (int id = 0; id < WL_USER_COUNT && rc == 0; id++)
		if (o.workloads & (1u << id))
			rc = bench_run(&b, (enum wl_id)id) < 0 ? 1 : 0;
	for (int g = 0; g < G_COUNT; g++)
		free(b.grp[g].sub);
	client_close(&cl);
	return rc;
}
