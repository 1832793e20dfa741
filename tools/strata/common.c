/* tools/strata/common.c — see cli.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ctl_client.h"

#define CALL_TIMEOUT_MS 5000

int cli_connect(const struct cli *cli, const char *addr,
		struct ctl_conn **out)
{
	char host[128];
	uint16_t port;
	int rc;

	if (ctl_parse_hostport(addr, host, sizeof(host), &port) < 0) {
		fprintf(stderr, "strata: bad address '%s' (want HOST:PORT)\n",
			addr);
		return -EINVAL;
	}
	rc = ctl_connect(out, host, port, &cli->key, 0, 0, CALL_TIMEOUT_MS);
	if (rc < 0)
		fprintf(stderr, "strata: %s: %s%s\n", addr, strerror(-rc),
			rc == -EACCES ? " (wrong cluster key?)" : "");
	return rc;
}

int cli_call(struct ctl_conn *c, uint32_t proc, xdrproc_t xres, void *res,
	     const char *what)
{
	int rc = ctl_call(c, proc, NULL, NULL, xres, res, CALL_TIMEOUT_MS);

	if (rc < 0) {
		fprintf(stderr, "strata: %s: %s\n", what, strerror(-rc));
		return -1;
	}
	return 0;
}

int cli_fetch(const struct cli *cli, uint32_t proc, xdrproc_t xres,
	      void *res, const char *what)
{
	struct ctl_conn *c;
	int rc, status;

	if (cli_connect(cli, cli->server, &c) < 0)
		return -1;
	rc = cli_call(c, proc, xres, res, what);
	ctl_close(c);
	if (rc < 0)
		return -1;
	memcpy(&status, res, sizeof(status)); /* the union's discriminant */
	if (status) {
		fprintf(stderr, "strata: %s: %s\n", what, strerror(status));
		xdr_free(xres, res);
		return -1;
	}
	return 0;
}

const struct cli_state cli_states[CLI_NSTATES] = {
	{ "resident", 0 }, { "both", 2 }, { "offloaded", 1 },
};

const char *cli_bytes(uint64_t v, char *buf, size_t cap)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
					    "PiB" };
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, cap, "%llu B", (unsigned long long)v);
	else
		snprintf(buf, cap, "%.1f %s", d, unit[u]);
	return buf;
}

const char *cli_duration(uint64_t s, char *buf, size_t cap)
{
	if (s >= 86400)
		snprintf(buf, cap, "%llud%02lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, cap, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, cap, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, cap, "%llus", (unsigned long long)s);
	return buf;
}

void cli_print_json(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(
			       o, JSON_C_TO_STRING_PRETTY |
					  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

json_object *cli_info_json(const ctl_info *in)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "version",
			       json_object_new_string(in->sw_version));
	json_object_object_add(o, "listen", json_object_new_string(in->listen));
	json_object_object_add(o, "metrics",
			       json_object_new_string(in->metrics));
	json_object_object_add(o, "start_time",
			       json_object_new_int64(in->start_time));
	json_object_object_add(o, "uptime_s",
			       json_object_new_uint64(in->uptime_s));
	json_object_object_add(o, "store_size_bytes",
			       json_object_new_uint64(in->store_size));
	json_object_object_add(o, "store_avail_bytes",
			       json_object_new_uint64(in->store_avail));
	json_object_object_add(o, "serving",
			       json_object_new_boolean(in->serving));
	if (in->role == 1) {
		json_object *n = json_object_new_object();

		json_object_object_add(n, "node", json_object_new_int(
							  (int)in->node));
		json_object_object_add(n, "cluster",
				       json_object_new_string(in->cluster));
		json_object_object_add(n, "partitions_owned",
				       json_object_new_int(
					       (int)in->partitions_owned));
		json_object_object_add(n, "partitions", json_object_new_int(
							(int)in->partitions));
		json_object_object_add(n, "inodes",
				       json_object_new_uint64(in->inodes));
		json_object_object_add(n, "entries",
				       json_object_new_uint64(in->entries));
		json_object_object_add(n, "subcompounds_sent",
				       json_object_new_uint64(in->subs_sent));
		json_object_object_add(n, "subcompounds_served",
				       json_object_new_uint64(in->subs_served));
		json_object_object_add(o, "namespace", n);
	}
	return o;
}
