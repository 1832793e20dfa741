/*
 * tests/fuzz/seed_writer.c — writes the seed corpus for fuzz_compound:
 * whole RPC CALL messages (AUTH_SYS, no record marker) carrying valid
 * COMPOUNDs on the pinned fuzz session (fuzz_common.h), plus a few
 * session-bootstrap and malformed-but-plausible ones.
 *
 *   fuzz_seed_writer DIR     writes DIR/seed-NN-name.bin
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compound_harness.h"
#include "fuzz_common.h"
#include "seed_file.h"

static const char *outdir;
static unsigned nseeds;
static struct ch_client cl; /* only its session id and clientid are used */

static void write_msg(const char *name, const uint8_t *msg, size_t len)
{
	seed_file_write(outdir, "seed", nseeds++, name, msg, len);
}

static void seed_raw(const char *name, uint32_t proc, const uint8_t *args,
		     size_t alen)
{
	static uint8_t msg[64 * 1024];
	size_t len = ch_rpc_wrap(0x1000 + nseeds, FUZZ_NFS_PROGRAM,
				 FUZZ_NFS_VERSION, proc, args, alen, msg,
				 sizeof(msg));

	if (!len) {
		fprintf(stderr, "%s: too big\n", name);
		exit(1);
	}
	write_msg(name, msg, len);
}

static void seed_ops(const char *name, uint32_t minor, nfs_argop4 *ops,
		     unsigned n)
{
	static uint8_t args[60 * 1024];
	size_t alen;

	if (ch_encode(minor, "seed", ops, n, args, sizeof(args), &alen) < 0) {
		fprintf(stderr, "%s: encode failed\n", name);
		exit(1);
	}
	seed_raw(name, FUZZ_NFS_COMPOUND, args, alen);
}

#define SEED(name, ...)                                                      \
	do {                                                                 \
		nfs_argop4 ops_[] = { __VA_ARGS__ };                         \
		seed_ops((name), 1, ops_, sizeof(ops_) / sizeof(ops_[0]));   \
	} while (0)

int main(int argc, char **argv)
{
	static const stateid4 cur = { .seqid = 1 };
	static const stateid4 anon;
	static const char data[] = "fuzz data block";
	static uint32_t attrs[2] = { (1u << FATTR4_TYPE) | (1u << FATTR4_SIZE) |
					     (1u << FATTR4_FILEID),
				     1u << (FATTR4_NUMLINKS - 32) };

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) < 0 && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	memcpy(cl.sessionid, FUZZ_SESSIONID, NFS4_SESSIONID_SIZE);
	cl.clientid = 0;

	/* NULL procedure, and a non-NFS program. */
	seed_raw("null-proc", 0, NULL, 0);

	/* Session bootstrap. */
	{
		nfs_argop4 op = ch_op_raw(OP_EXCHANGE_ID);
		EXCHANGE_ID4args *a = &op.nfs_argop4_u.opexchange_id;
		memcpy(a->eia_clientowner.co_verifier, "seedverf", 8);
		a->eia_clientowner.co_ownerid.co_ownerid_val = "seed-owner";
		a->eia_clientowner.co_ownerid.co_ownerid_len = 10;
		a->eia_state_protect.spa_how = SP4_NONE;
		seed_ops("exchange-id", 1, &op, 1);
		cl.clientid = ((uint64_t)1 << 32) | 2;
		cl.cs_seq = 1;
		op = ch_op_create_session(&cl, 8);
		seed_ops("create-session", 1, &op, 1);
	}
	/* The pinned owner with a new verifier (a "rebooted" client), then
	 * a COMPOUND on the pinned session confirming that record: the path
	 * where CREATE_SESSION replaces the client the COMPOUND runs on. */
	{
		nfs_argop4 op = ch_op_raw(OP_EXCHANGE_ID);
		EXCHANGE_ID4args *a = &op.nfs_argop4_u.opexchange_id;
		struct ch_client other = { .clientid = ((uint64_t)1 << 32) | 3,
					   .cs_seq = 1 };
		memcpy(a->eia_clientowner.co_verifier, "rebooted", 8);
		a->eia_clientowner.co_ownerid.co_ownerid_val = FUZZ_OWNER;
		a->eia_clientowner.co_ownerid.co_ownerid_len =
			(u_int)strlen(FUZZ_OWNER);
		a->eia_state_protect.spa_how = SP4_NONE;
		seed_ops("exchange-id-pinned-owner", 1, &op, 1);
		SEED("sequence-create-session", ch_op_sequence(&cl, 9, 1, 1),
		     ch_op_create_session(&other, 4));
	}
	SEED("minor0", ch_op_putrootfh());
	seed_ops("minor0", 0, NULL, 0);

	SEED("getattr", ch_op_sequence(&cl, 0, 1, 0), ch_op_putrootfh(),
	     ch_op_getfh(), ch_op_getattr(attrs, 2));
	SEED("open-write-read",
	     ch_op_sequence(&cl, 1, 1, 1), ch_op_putrootfh(),
	     ch_op_open(&cl, "oo", "f", 1, OPEN4_SHARE_ACCESS_BOTH, 0),
	     ch_op_write(&cur, 0, data, sizeof(data), UNSTABLE4),
	     ch_op_commit(0, 0), ch_op_read(&cur, 0, 64),
	     ch_op_getattr(attrs, 2), ch_op_close(&cur));
	SEED("create-readdir", ch_op_sequence(&cl, 2, 1, 0),
	     ch_op_putrootfh(), ch_op_create_dir("d"), ch_op_putrootfh(),
	     ch_op_readdir(0, 4096, attrs, 2));
	SEED("rename-link-remove", ch_op_sequence(&cl, 3, 1, 0),
	     ch_op_putrootfh(),
	     ch_op_open(&cl, "oo", "g", 1, OPEN4_SHARE_ACCESS_READ, 0),
	     ch_op_savefh(), ch_op_putrootfh(), ch_op_link("h"),
	     ch_op_putrootfh(), ch_op_savefh(), ch_op_rename("h", "i"),
	     ch_op_remove("i"), ch_op_lookup("g", 1), ch_op_lookupp());
	SEED("locks", ch_op_sequence(&cl, 4, 1, 0), ch_op_putrootfh(),
	     ch_op_open(&cl, "oo", "l", 1, OPEN4_SHARE_ACCESS_BOTH, 0),
	     ch_op_lock_new(&cl, WRITE_LT, 0, 100, &cur, "lo"),
	     ch_op_lockt(&cl, READ_LT, 200, 10, "other"),
	     ch_op_lock_exist(READ_LT, 50, 100, &cur),
	     ch_op_locku(WRITE_LT, 0, 50, &cur));
	SEED("anon-io", ch_op_sequence(&cl, 5, 1, 0), ch_op_putrootfh(),
	     ch_op_lookup("f", 1), ch_op_read(&anon, 0, 100),
	     ch_op_write(&anon, 8, "x", 1, FILE_SYNC4));
	SEED("misc", ch_op_sequence(&cl, 6, 1, 1), ch_op_putrootfh(),
	     ch_op_raw(OP_SECINFO_NO_NAME), ch_op_putrootfh(),
	     ch_op_raw(OP_ACCESS), ch_op_raw(OP_TEST_STATEID),
	     ch_op_raw(OP_FREE_STATEID), ch_op_raw(OP_READLINK));
	SEED("destroy-session", ch_op_sequence(&cl, 7, 1, 0),
	     ch_op_destroy_session(cl.sessionid));
	SEED("bad-name", ch_op_sequence(&cl, 8, 1, 0), ch_op_putrootfh(),
	     ch_op_lookup("a/b", 3), ch_op_lookup("..", 2));
	printf("%u seeds in %s\n", nseeds, outdir);
	return 0;
}
