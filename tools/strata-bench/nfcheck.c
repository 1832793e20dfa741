/*
 * tools/strata-bench/nfcheck.c -- see nfcheck.h.
 */
#include "nfcheck.h"

#include <string.h>

#include "pattern.h"

/* Where the piece at OFF goes: the file's layout, or the MDS. */
static void route_piece(struct client *c, const struct nfile *f, int use_mds,
			uint64_t off, uint64_t len, struct stripe_io *io)
{
	if (f->has_layout && !use_mds) {
		flayout_map(&f->lo, off, len, io);
		return;
	}
	io->ds = c->mds;
	io->fh = &f->fh;
	io->obj_off = off;
	io->len = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
	io->j = 0;
}

/* One READ of the piece at OFF: its status (or -1), the reply in L->res
 * (result *RI). */
static int read_piece(struct lane *l, struct client *c, const struct nfile *f,
		      int use_mds, uint64_t off, uint64_t len,
		      struct stripe_io *io, int *ri)
{
	route_piece(c, f, use_mds, off, len, io);
	cpd_start(&l->cpd);
	cpd_putfh(&l->cpd, io->fh);
	*ri = cpd_read(&l->cpd, &f->open_sid, io->obj_off, io->len);
	return sess_call(l, io->ds, "READ");
}

/* The bytes DATA (LEN at file offset OFF) against the pattern: 0 if
 * right, else 1 with *V filled. */
static int judge(const struct nfile *f, uint64_t off, const uint8_t *data,
		 uint32_t len, struct nf_verdict *v)
{
	uint64_t bad;
	uint8_t want, got;

	if (pattern_check(f->key, off, data, len, &bad, &want, &got) == 0)
		return 0;
	v->wrong = 1;
	v->at = bad;
	v->zeros = 1;
	for (uint64_t i = bad - off; i < len; i++)
		if (data[i]) {
			v->zeros = 0;
			break;
		}
	return 1;
}

int nf_check(struct lane *l, struct client *c, const struct nfile *f,
	     uint64_t off, uint32_t len, struct nf_verdict *v)
{
	uint32_t done = 0;

	memset(v, 0, sizeof(*v));
	while (done < len) {
		struct stripe_io io;
		int ri;
		int rc = read_piece(l, c, f, 0, off + done, len - done, &io,
				    &ri);

		if (rc > 0 && io.ds != c->mds) {
			/* The data server refused: go to the MDS, as the
			 * Linux client does (pnfs-linux-client.md §6). */
			v->fell_back = 1;
			rc = read_piece(l, c, f, 1, off + done, io.len, &io,
					&ri);
		}
		if (rc < 0)
			return -1;
		if (rc > 0) {
			v->status = (nfsstat4)rc;
			v->at = off + done;
			return 0;
		}
		const READ4resok *ok = &l->res.res[ri].nfs_resop4_u.opread
						 .READ4res_u.resok4;
		if (ok->data.len > io.len)
			return lane_fail(l, "%s offset %llu: READ of %u "
					 "bytes returned %u", f->path,
					 (unsigned long long)(off + done),
					 io.len, ok->data.len);
		if (judge(f, off + done, (const uint8_t *)ok->data.base,
			  ok->data.len, v))
			return 0;
		if (ok->data.len == 0) {
			v->early_eof = 1;
			v->at = off + done;
			return 0;
		}
		done += ok->data.len;
	}
	return 0;
}
