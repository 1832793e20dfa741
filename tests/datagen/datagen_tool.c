/*
 * tests/datagen/datagen_tool.c — the C side of tests/datagen.sh (data
 * generations on real processes, docs/decisions/0030):
 *
 *   strata-datagen-tool fh KEYFILE FILEID STRIPE GEN
 *       prints, in hex, the DS handle of stripe STRIPE of FILEID at data
 *       generation GEN, made by the code the MDS uses for layouts
 *       (nfsd/fh.h), signed with the cluster key;
 *   strata-datagen-tool call KEYFILE ADDR:PORT copy|drop|fence FILEID GEN
 *       [TO_GEN]
 *       asks the MDS for one CTL_DATA_GEN step (pnfs/ctl_datagen.h) and
 *       prints its status: "ok" or the errno's name.
 *
 * Numbers are decimal or 0x hex. Exit 0 when the call was answered (the
 * status is printed), 1 on a failure to ask, 2 on usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "ctl_prot.h"
#include "fh.h"
#include "mac.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: strata-datagen-tool fh KEYFILE FILEID STRIPE GEN\n"
		"       strata-datagen-tool call KEYFILE ADDR:PORT "
		"copy|drop|fence FILEID GEN [TO_GEN]\n");
	return 2;
}

static int num(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

static int do_fh(const struct mac_key *k, char **argv)
{
	unsigned long long fileid, stripe, gen;
	uint8_t fh[FH_DS_LEN];

	if (num(argv[0], &fileid) || num(argv[1], &stripe) ||
	    num(argv[2], &gen) || stripe > 0xff || gen > 0xffffffffu)
		return usage();
	fh_ds_encode(fh, k, fileid, (uint32_t)stripe, (uint32_t)gen, 0);
	for (unsigned i = 0; i < FH_DS_LEN; i++)
		printf("%02x", fh[i]);
	printf("\n");
	return 0;
}

static int do_call(const struct mac_key *k, int argc, char **argv)
{
	ctl_gen_args a;
	unsigned long long fileid, gen, to = 0;
	struct ctl_conn *c;
	char addr[64];
	uint16_t port;
	int st = 0, rc;

	memset(&a, 0, sizeof(a));
	if (argc < 4 || ctl_parse_hostport(argv[0], addr, sizeof(addr),
					   &port) < 0 ||
	    num(argv[2], &fileid) || num(argv[3], &gen) ||
	    (argc > 4 && num(argv[4], &to)))
		return usage();
	if (strcmp(argv[1], "copy") == 0 && argc == 5)
		a.op = CTL_GEN_COPY;
	else if (strcmp(argv[1], "drop") == 0 && argc == 4)
		a.op = CTL_GEN_DROP;
	else if (strcmp(argv[1], "fence") == 0 && argc == 4)
		a.op = CTL_GEN_FENCE;
	else
		return usage();
	a.fileid = fileid;
	a.gen = gen;
	a.to_gen = to;
	rc = ctl_connect(&c, addr, port, k, 0, 0, 5000);
	if (rc == 0) {
		rc = ctl_call(c, CTL_DATA_GEN, (xdrproc_t)xdr_ctl_gen_args, &a,
			      (xdrproc_t)xdr_int, &st, 60000);
		ctl_close(c);
	}
	if (rc < 0) {
		fprintf(stderr, "strata-datagen-tool: %s: %s\n", argv[0],
			strerror(-rc));
		return 1;
	}
	printf("%s\n", st == 0 ? "ok" : strerrorname_np(st));
	return 0;
}

int main(int argc, char **argv)
{
	struct mac_key k;

	if (argc < 3)
		return usage();
	if (mac_key_load(&k, argv[2]) < 0) {
		fprintf(stderr, "strata-datagen-tool: cannot read key %s\n",
			argv[2]);
		return 1;
	}
	if (strcmp(argv[1], "fh") == 0 && argc == 6)
		return do_fh(&k, argv + 3);
	if (strcmp(argv[1], "call") == 0)
		return do_call(&k, argc - 3, argv + 3);
	return usage();
}
