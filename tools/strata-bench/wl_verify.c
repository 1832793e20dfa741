/*
 * tools/strata-bench/wl_verify.c -- "verify": read the large file of an
 * earlier --keep run in --io pieces (through its layout, falling back to
 * the MDS for a piece a data server refuses, as the Linux client does) and
 * print what each piece holds, one line each:
 *     verify OFFSET LENGTH ok [via-mds]
 *     verify OFFSET LENGTH error STATUS at OFFSET [via-mds]
 *     verify OFFSET LENGTH WRONG zeros|bytes at OFFSET [via-mds]
 *     verify OFFSET LENGTH short-eof at OFFSET
 * then "verify: N pieces: A ok, B errors, C wrong". Errors are reported,
 * not fatal (a lost range must be an error); wrong bytes fail the run.
 * Not in "all": it is a check, not a benchmark (docs/decisions/0019).
 */
#include <stdio.h>

#include "nfcheck.h"
#include "wl.h"

static int verify_setup(struct run *r, struct lane *l)
{
	char path[160];
	uint64_t io = r->b->o->client.io;

	if (group_ready(r->b, l, G_LARGE) < 0)
		return -1;
	if (!r->b->grp[G_LARGE].have_input)
		return lane_fail(l, "verify: no file of --size bytes under "
				 "--tag %s (write it first with --workload "
				 "seqwrite --keep)", r->b->o->tag);
	r->nitems = (r->b->o->size + io - 1) / io;
	group_large_file(r->b, path, sizeof(path));
	return nf_open(l, r->b->cl, &r->b->grp[G_LARGE].dir, LARGE_NAME, path,
		       NF_READ | NF_LAYOUT, &r->file) == 0 ? 0 : -1;
}

static int verify_item(struct run *r, struct lane *l, uint64_t i)
{
	uint64_t io = r->b->o->client.io, size = r->b->o->size;
	uint64_t off = i * io;
	uint32_t len = (uint32_t)(size - off < io ? size - off : io);
	const char *via;
	struct nf_verdict v;

	if (nf_check(l, r->b->cl, &r->file, off, len, &v) < 0)
		return -1;
	via = v.fell_back ? " via-mds" : "";
	if (v.wrong) {
		atomic_fetch_add(&r->verify_wrong, 1);
		printf("verify %llu %u WRONG %s at %llu%s\n",
		       (unsigned long long)off, len, v.zeros ? "zeros" : "bytes",
		       (unsigned long long)v.at, via);
	} else if (v.status != NFS4_OK) {
		atomic_fetch_add(&r->verify_errors, 1);
		printf("verify %llu %u error %s at %llu%s\n",
		       (unsigned long long)off, len, nfs_status_name(v.status),
		       (unsigned long long)v.at, via);
	} else if (v.early_eof) {
		atomic_fetch_add(&r->verify_wrong, 1);
		printf("verify %llu %u short-eof at %llu\n",
		       (unsigned long long)off, len, (unsigned long long)v.at);
	} else {
		printf("verify %llu %u ok%s\n", (unsigned long long)off, len,
		       via);
	}
	run_count_io(r, &r->file, len);
	return 0;
}

static int verify_finish(struct run *r, struct lane *l)
{
	unsigned long long errs = atomic_load(&r->verify_errors);
	unsigned long long wrong = atomic_load(&r->verify_wrong);

	printf("verify: %llu pieces: %llu ok, %llu errors, %llu wrong\n",
	       (unsigned long long)r->nitems,
	       (unsigned long long)r->nitems - errs - wrong, errs, wrong);
	fflush(stdout);
	if (nf_close(l, r->b->cl, &r->file, 0) != 0)
		return -1;
	if (wrong)
		return lane_fail(l, "%llu piece(s) returned wrong bytes",
				 wrong);
	return 0;
}

const struct wl_ops WL_VERIFY_OPS = { "verify", G_LARGE, 1, verify_setup,
	verify_item, verify_finish };
