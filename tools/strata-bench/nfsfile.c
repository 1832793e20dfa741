/*
 * tools/strata-bench/nfsfile.c -- open/read/write/commit/close and
 * directory operations.  See nfsfile.h.
 */
#include "nfsfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pattern.h"

#define MAX_TOUCHED 4096

/* Put "CONTEXT: " in front of L->err. */
static int with_context(struct lane *l, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int with_context(struct lane *l, int rc, const char *fmt, ...)
{
	char ctx[256], old[sizeof(l->err)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, l->err, sizeof(old));
	size_t cl = strlen(ctx); /* < 256: leaves room in err */
	size_t room = sizeof(l->err) - cl - 3;
	size_t ol = strnlen(old, room);
	memcpy(l->err, ctx, cl);
	memcpy(l->err + cl, ": ", 2);
	memcpy(l->err + cl + 2, old, ol);
	l->err[cl + 2 + ol] = 0;
	return rc;
}

/* ---- open ------------------------------------------------------------- */

/* LAYOUTGET refused in the OPEN compound: use the MDS for this file, and
 * for every file if the server has no layouts to give. */
static int layout_refused(struct client *c, const struct nfile *f,
			  nfsstat4 st)
{
	switch (st) {
	case NFS4ERR_LAYOUTUNAVAILABLE:
	case NFS4ERR_UNKNOWN_LAYOUTTYPE:
	case NFS4ERR_NOTSUPP:
		if (atomic_exchange(&c->pnfs.unavailable, 1) == 0)
			fprintf(stderr, "strata-bench: note: LAYOUTGET %s: %s; "
				"I/O goes through the MDS from now on\n",
				f->path, nfs_status_name(st));
		return 1;
	case NFS4ERR_LAYOUTTRYLATER:
	case NFS4ERR_RECALLCONFLICT:
	case NFS4ERR_DELAY:
		return 1;
	default:
		return 0;
	}
}

static uint32_t share_access(unsigned flags)
{
	uint32_t a = 0;
	if (flags & NF_READ)
		a |= OPEN4_SHARE_ACCESS_READ;
	if (flags & NF_WRITE)
		a |= OPEN4_SHARE_ACCESS_WRITE;
	return a;
}

static enum open_how open_how_of(unsigned flags)
{
	if (!(flags & NF_CREATE))
		return OPEN_PLAIN;
	return (flags & NF_GUARDED) ? OPEN_GUARDED : OPEN_UNCHECKED;
}

int nf_open(struct lane *l, struct client *c, const struct fh *dir,
	    const char *name, const char *path, unsigned flags,
	    struct nfile *f)
{
	int want_layout = (flags & NF_LAYOUT) && client_pnfs(c);
	int op, gf, lg = -1, rc;

	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->key = pattern_key(path);
	cpd_start(&l->cpd);
	cpd_putfh(&l->cpd, dir);
	op = cpd_open(&l->cpd, name, share_access(flags), open_how_of(flags),
		      &l->owner);
	gf = cpd_getfh(&l->cpd);
	if (want_layout)
		lg = cpd_layoutget(&l->cpd, &STATEID_CURRENT,
				   (flags & NF_WRITE) ? LAYOUTIOMODE4_RW
						      : LAYOUTIOMODE4_READ,
				   65536);
	rc = sess_call(l, c->mds, "OPEN");
	if (rc != 0 && !(lg >= 0 && l->res.n == (unsigned)lg + 1 &&
			 layout_refused(c, f, (nfsstat4)rc)))
		return with_context(l, rc, "%s", path);
	f->open_sid = l->res.res[op].nfs_resop4_u.opopen.OPEN4res_u.resok4.stateid;
	if (fh_copy(&f->fh, &l->res.res[gf].nfs_resop4_u.opgetfh.GETFH4res_u
				    .resok4.object) < 0)
		return with_context(l, lane_fail(l, "filehandle too long"),
				    "%s", path);
	if (rc == 0 && lg >= 0) {
		if (flayout_decode(l, &c->pnfs, (unsigned)lg, &f->lo) < 0)
			return with_context(l, -1, "%s", path);
		f->has_layout = 1;
	}
	return 0;
}

/* ---- I/O -------------------------------------------------------------- */

/* Where the piece of [OFF, OFF+LEN) starting at OFF goes. */
static void route(struct client *c, const struct nfile *f, uint64_t off,
		  uint64_t len, struct stripe_io *io)
{
	if (f->has_layout) {
		flayout_map(&f->lo, off, len, io);
		return;
	}
	io->ds = c->mds;
	io->fh = &f->fh;
	io->obj_off = off;
	io->len = (uint32_t)len;
	io->j = 0;
}

int nf_write(struct lane *l, struct client *c, const struct nfile *f,
	     uint64_t off, uint32_t len)
{
	uint32_t done = 0;

	if (len > l->pcap)
		return lane_fail(l, "write of %u bytes > --io", len);
	pattern_fill(f->key, off, l->pbuf, len);
	while (done < len) {
		struct stripe_io io;
		route(c, f, off + done, len - done, &io);
		cpd_start(&l->cpd);
		cpd_putfh(&l->cpd, io.fh);
		int w = cpd_write(&l->cpd, &f->open_sid, io.obj_off,
				  l->pbuf + done, io.len, UNSTABLE4);
		int rc = sess_call(l, io.ds, "WRITE");
		if (rc != 0)
			return with_context(l, rc, "%s offset %llu", f->path,
					    (unsigned long long)(off + done));
		uint32_t n = l->res.res[w].nfs_resop4_u.opwrite.WRITE4res_u
				     .resok4.count;
		if (n == 0 || n > io.len)
			return lane_fail(l, "%s offset %llu: WRITE of %u bytes "
					 "answered count %u (%s)", f->path,
					 (unsigned long long)(off + done),
					 io.len, n, io.ds->name);
		done += n;
	}
	return 0;
}

static int check_data(struct lane *l, const struct nfile *f, uint64_t off,
		      const strata_payload *data)
{
	uint64_t bad;
	uint8_t want, got;

	if (pattern_check(f->key, off, data->base, data->len, &bad, &want,
			  &got) == 0)
		return 0;
	return lane_fail(l, "pattern mismatch in %s at offset %llu: expected "
			 "0x%02x, read 0x%02x", f->path,
			 (unsigned long long)bad, want, got);
}

int nf_read(struct lane *l, struct client *c, const struct nfile *f,
	    uint64_t off, uint32_t len)
{
	uint32_t done = 0;

	while (done < len) {
		struct stripe_io io;
		route(c, f, off + done, len - done, &io);
		cpd_start(&l->cpd);
		cpd_putfh(&l->cpd, io.fh);
		int r = cpd_read(&l->cpd, &f->open_sid, io.obj_off, io.len);
		int rc = sess_call(l, io.ds, "READ");
		if (rc != 0)
			return with_context(l, rc, "%s offset %llu", f->path,
					    (unsigned long long)(off + done));
		const READ4resok *ok = &l->res.res[r].nfs_resop4_u.opread
						.READ4res_u.resok4;
		if (ok->data.len > io.len || (ok->data.len == 0 && ok->eof))
			return lane_fail(l, "%s offset %llu: READ of %u bytes "
					 "returned %u%s (%s)", f->path,
					 (unsigned long long)(off + done),
					 io.len, ok->data.len,
					 ok->eof ? " and EOF" : "",
					 io.ds->name);
		if (check_data(l, f, off + done, &ok->data) < 0)
			return -1;
		done += ok->data.len;
	}
	return 0;
}

static int commit_one(struct lane *l, struct nfs_sess *s, const struct fh *fh,
		      const struct nfile *f)
{
	cpd_start(&l->cpd);
	cpd_putfh(&l->cpd, fh);
	cpd_commit(&l->cpd);
	int rc = sess_call(l, s, "COMMIT");
	return rc ? with_context(l, rc, "%s", f->path) : 0;
}

int nf_commit(struct lane *l, struct client *c, const struct nfile *f,
	      uint64_t off, uint64_t len)
{
	_Static_assert(MAX_TOUCHED >= 256, "room for a full device");
	uint32_t js[MAX_TOUCHED];

	if (!f->has_layout || f->lo.commit_mds)
		return commit_one(l, c->mds, &f->fh, f);
	uint32_t n = flayout_touched(&f->lo, off, len, js, MAX_TOUCHED);
	for (uint32_t i = 0; i < n; i++) {
		struct stripe_io io;
		flayout_target(&f->lo, js[i], &io);
		if (commit_one(l, io.ds, io.fh, f) != 0)
			return -1;
	}
	return 0;
}

int nf_close(struct lane *l, struct client *c, struct nfile *f, uint64_t end)
{
	cpd_start(&l->cpd);
	cpd_putfh(&l->cpd, &f->fh);
	if (f->has_layout && end > 0 && !f->lo.commit_mds)
		cpd_layoutcommit(&l->cpd, &f->lo.sid, end);
	if (f->has_layout)
		cpd_layoutreturn(&l->cpd, &f->lo.sid);
	cpd_close(&l->cpd, &f->open_sid);
	int rc = sess_call(l, c->mds, "CLOSE");
	flayout_free(&f->lo);
	f->has_layout = 0;
	f->fh.len = 0; /* closed */
	return rc ? with_context(l, rc, "%s", f->path) : 0;
}

/* ---- directories ------------------------------------------------------ */

int nf_lookup(struct lane *l, struct client *c, const struct fh *dir,
	      const char *name, const uint32_t mask[3], struct fh *out,
	      struct attrs *a)
{
	int gf = -1, ga = -1;

	cpd_start(&l->cpd);
	cpd_putfh(&l->cpd, dir);
	cpd_lookup(&l->cpd, name);
	if (out)
		gf = cpd_getfh(&l->cpd);
	if (a)
		ga = cpd_getattr(&l->cpd, mask);
	int rc = sess_call(l, c->mds, "LOOKUP");
	if (rc != 0)
		return with_context(l, rc, "%s", name);
	if (out && fh_copy(out, &l->res.res[gf].nfs_resop4_u.opgetfh
					.GETFH4res_u.resok4.object) < 0)
		return lane_fail(l, "%s: filehandle too long", name);
	if (a && attrs_decode(&l->res.res[ga].nfs_resop4_u.opgetattr
				       .GETATTR4res_u.resok4.obj_attributes, a) < 0)
		return lane_fail(l, "%s: undecodable attributes", name);
	return 0;
}

int nf_remove(struct lane *l, struct client *c, const struct fh *dir,
	      const char *name)
{
	cpd_start(&l->cpd);
	cpd_putfh(&l->cpd, dir);
	cpd_remove(&l->cpd, name);
	int rc = sess_call(l, c->mds, "REMOVE");
	return rc ? with_context(l, rc, "%s", name) : 0;
}

int nf_rename(struct lane *l, struct client *c, const struct fh *dir,
	      const char *from, const char *to)
{
	cpd_start(&l->cpd);
	cpd_putfh(&l->cpd, dir);
	cpd_savefh(&l->cpd);
	cpd_rename(&l->cpd, from, to);
	int rc = sess_call(l, c->mds, "RENAME");
	return rc ? with_context(l, rc, "%s -> %s", from, to) : 0;
}

int nf_mkdir(struct lane *l, struct client *c, const struct fh *dir,
	     const char *name, struct fh *out)
{
	cpd_start(&l->cpd);
	cpd_putfh(&l->cpd, dir);
	cpd_mkdir(&l->cpd, name);
	int gf = cpd_getfh(&l->cpd);
	int rc = sess_call(l, c->mds, "CREATE");
	if (rc != 0)
		return with_context(l, rc, "%s", name);
	if (fh_copy(out, &l->res.res[gf].nfs_resop4_u.opgetfh.GETFH4res_u
				 .resok4.object) < 0)
		return lane_fail(l, "%s: filehandle too long", name);
	return 0;
}
