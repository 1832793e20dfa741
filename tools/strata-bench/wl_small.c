/*
 * tools/strata-bench/wl_small.c -- small files: --files files of 4 KiB
 * spread over --dirs directories of <tag>-small.  smallwrite creates each
 * (OPEN GUARDED, with LAYOUTGET in the same COMPOUND under pNFS), writes
 * it, COMMITs and closes it (LAYOUTCOMMIT + LAYOUTRETURN + CLOSE);
 * smallread opens, reads, checks and closes each.  One file is one
 * operation.
 */
#include "wl.h"

static int need_dirs(struct run *r, struct lane *l)
{
	r->nitems = r->b->o->files;
	return group_ready(r->b, l, G_SMALL);
}

static int need_files(struct run *r, struct lane *l)
{
	if (need_dirs(r, l) < 0)
		return -1;
	if (r->b->grp[G_SMALL].have_input)
		return 0;
	return wl_prepare(r->b, l, WL_SMALLWRITE);
}

static int write_item(struct run *r, struct lane *l, uint64_t i)
{
	struct client *c = r->b->cl;
	const struct fh *dir;
	char name[32], path[160];
	struct nfile f;

	group_file(r->b, G_SMALL, i, &dir, name, sizeof(name), path, sizeof(path));
	if (nf_open(l, c, dir, name, path,
		    NF_WRITE | NF_CREATE | NF_GUARDED | NF_LAYOUT, &f) != 0)
		return -1;
	if (nf_write(l, c, &f, 0, SMALL_SIZE) != 0 ||
	    nf_commit(l, c, &f, 0, SMALL_SIZE) != 0) {
		flayout_free(&f.lo);
		return -1;
	}
	run_count_io(r, &f, SMALL_SIZE);
	return nf_close(l, c, &f, SMALL_SIZE) == 0 ? 0 : -1;
}

static int write_finish(struct run *r, struct lane *l)
{
	r->b->grp[G_SMALL].have_input = 1;
	return 0;
}

static int read_item(struct run *r, struct lane *l, uint64_t i)
{
	struct client *c = r->b->cl;
	const struct fh *dir;
	char name[32], path[160];
	struct nfile f;

	group_file(r->b, G_SMALL, i, &dir, name, sizeof(name), path, sizeof(path));
	if (nf_open(l, c, dir, name, path, NF_READ | NF_LAYOUT, &f) != 0)
		return -1;
	if (nf_read(l, c, &f, 0, SMALL_SIZE) != 0) {
		flayout_free(&f.lo);
		return -1;
	}
	run_count_io(r, &f, SMALL_SIZE);
	return nf_close(l, c, &f, 0) == 0 ? 0 : -1;
}

static int clean_item(struct run *r, struct lane *l, uint64_t i)
{
	const struct fh *dir;
	char name[32], path[160];

	group_file(r->b, G_SMALL, i, &dir, name, sizeof(name), path, sizeof(path));
	int rc = nf_remove(l, r->b->cl, dir, name);
	return rc == 0 || rc == NFS4ERR_NOENT ? 0 : -1;
}

static int clean_finish(struct run *r, struct lane *l)
{
	r->b->grp[G_SMALL].have_input = 0;
	return 0;
}

const struct wl_ops WL_SMALLWRITE_OPS = { "smallwrite", G_SMALL, 1,
	need_dirs, write_item, write_finish };
const struct wl_ops WL_SMALLREAD_OPS = { "smallread", G_SMALL, 1,
	need_files, read_item, NULL };
const struct wl_ops WL_CLEAN_SMALL_OPS = { "clean-small", G_SMALL, 0,
	need_dirs, clean_item, clean_finish };
