/* tools/fsck_scrub.c — see fsck_scrub.h. */
#include "fsck_scrub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "ctl_prot.h"
#include "mac.h"

#define SCRUB_TIMEOUT_MS 60000

/* " 0 2" for a list of stripe indices, at most CAP bytes. */
static void indices(char *out, size_t cap, const u_int *v, u_int n)
{
	size_t at = 0;

	out[0] = 0;
	for (u_int i = 0; i < n && at + 12 < cap; i++)
		at += (size_t)snprintf(out + at, cap - at, " %u", v[i]);
}

static void print_damaged(const ctl_damaged *d)
{
	char miss[1024], unav[1024];

	indices(miss, sizeof(miss), d->missing.missing_val,
		d->missing.missing_len);
	indices(unav, sizeof(unav), d->unavailable.unavailable_val,
		d->unavailable.unavailable_len);
	printf("damaged: fileid %016llx size %llu path %s:%s%s%s%s\n",
	       (unsigned long long)d->fileid, (unsigned long long)d->size,
	       d->path && d->path[0] ? d->path : "(no name)",
	       d->missing.missing_len ? " objects missing on data-server slot(s)"
				      : "",
	       miss,
	       d->unavailable.unavailable_len
		       ? "; data-server slot(s) quarantined or unreachable:"
		       : "",
	       unav);
}

static int run(struct ctl_conn *c, int quiet)
{
	unsigned long long examined = 0, damaged = 0;
	unsigned counters_bad = 0;
	ctl_scrub_args a = { 0, 0 };
	ctl_scrub_res r;

	for (;;) {
		int rc;

		memset(&r, 0, sizeof(r));
		rc = ctl_call(c, CTL_SCRUB, (xdrproc_t)xdr_ctl_scrub_args, &a,
			      (xdrproc_t)xdr_ctl_scrub_res, &r,
			      SCRUB_TIMEOUT_MS);
		if (rc < 0 || r.status) {
			fprintf(stderr, "strata-fsck: CTL_SCRUB failed (%s)\n",
				rc < 0 ? strerror(-rc) : strerror(r.status));
			xdr_free((xdrproc_t)xdr_ctl_scrub_res, &r);
			return 2;
		}
		for (u_int i = 0; i < r.damaged.damaged_len; i++)
			if (!quiet)
				print_damaged(&r.damaged.damaged_val[i]);
		examined += r.examined;
		damaged += r.damaged.damaged_len;
		a.after = r.next;
		if (r.done) {
			counters_bad = r.counters_bad;
			xdr_free((xdrproc_t)xdr_ctl_scrub_res, &r);
			break;
		}
		xdr_free((xdrproc_t)xdr_ctl_scrub_res, &r);
	}
	printf("scrub: %llu files with placed data examined, %llu damaged\n",
	       examined, damaged);
	if (counters_bad)
		printf("scrub: residency counters of %u shard(s) differ from "
		       "a recount (the MDS's log names them)\n",
		       counters_bad);
	return damaged || counters_bad ? 1 : 0;
}

int fsck_scrub(const char *server, const char *key, int quiet)
{
	struct mac_key k;
	struct ctl_conn *c;
	char addr[64];
	uint16_t port;
	int rc;

	if (ctl_parse_hostport(server, addr, sizeof(addr), &port) < 0) {
		fprintf(stderr, "strata-fsck: bad --server %s\n", server);
		return 2;
	}
	if (mac_key_load(&k, key) < 0) {
		fprintf(stderr, "strata-fsck: cannot read key %s\n", key);
		return 2;
	}
	rc = ctl_connect(&c, addr, port, &k, 0, 0, 5000);
	if (rc < 0) {
		fprintf(stderr, "strata-fsck: %s: %s\n", server, strerror(-rc));
		return 2;
	}
	rc = run(c, quiet);
	ctl_close(c);
	return rc;
}
