/*
 * tools/strata-stat.c — print a Strata server's counters (MDS or DS):
 *   strata-stat --key CLUSTER_KEY_FILE ADDR:PORT
 * One "NAME VALUE" per line: ops.<OP> per COMPOUND op, read_bytes and
 * write_bytes (NFS READ/WRITE payload), ctl_* (control protocol). Reads
 * them with the control protocol's CTL_STATS (pnfs/ctl_prot.x), which
 * needs the cluster key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "ctl_prot.h"
#include "mac.h"

int main(int argc, char **argv)
{
	struct mac_key key;
	struct ctl_conn *c;
	ctl_stats_res res;
	char addr[64];
	uint16_t port;
	int rc;

	if (argc != 4 || strcmp(argv[1], "--key") != 0 ||
	    ctl_parse_hostport(argv[3], addr, sizeof(addr), &port) < 0) {
		fprintf(stderr, "usage: strata-stat --key FILE ADDR:PORT\n");
		return 2;
	}
	if (mac_key_load(&key, argv[2]) < 0) {
		fprintf(stderr, "strata-stat: cannot read key %s\n", argv[2]);
		return 1;
	}
	rc = ctl_connect(&c, addr, port, &key, 0, 0, 5000);
	if (rc < 0) {
		fprintf(stderr, "strata-stat: %s:%u: %s\n", addr, port,
			strerror(-rc));
		return 1;
	}
	memset(&res, 0, sizeof(res));
	rc = ctl_call(c, CTL_STATS, NULL, NULL, (xdrproc_t)xdr_ctl_stats_res,
		      &res, 5000);
	if (rc < 0 || res.status) {
		fprintf(stderr, "strata-stat: CTL_STATS failed (%d/%d)\n", rc,
			res.status);
		ctl_close(c);
		return 1;
	}
	for (u_int i = 0; i < res.counters.counters_len; i++)
		printf("%s %llu\n", res.counters.counters_val[i].name,
		       (unsigned long long)res.counters.counters_val[i].value);
	xdr_free((xdrproc_t)xdr_ctl_stats_res, &res);
	ctl_close(c);
	return 0;
}
