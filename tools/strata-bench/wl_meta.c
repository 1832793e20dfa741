/*
 * tools/strata-bench/wl_meta.c -- metadata workloads on --files empty
 * files spread over --dirs directories of <tag>-meta: create (OPEN
 * GUARDED + CLOSE), stat (LOOKUP + GETATTR of what stat(2) needs) and
 * remove.  Each file is one operation; its latency covers every RPC it
 * took.
 */
#include "wl.h"

static int need_dirs(struct run *r, struct lane *l)
{
	r->nitems = r->b->o->files;
	return group_ready(r->b, l, G_META);
}

/* stat and remove need the files create makes. */
static int need_files(struct run *r, struct lane *l)
{
	if (need_dirs(r, l) < 0)
		return -1;
	if (r->b->grp[G_META].have_input)
		return 0;
	return wl_prepare(r->b, l, WL_CREATE);
}

static int create_item(struct run *r, struct lane *l, uint64_t i)
{
	const struct fh *dir;
	char name[32], path[160];
	struct nfile f;

	group_file(r->b, G_META, i, &dir, name, sizeof(name), path, sizeof(path));
	if (nf_open(l, r->b->cl, dir, name, path,
		    NF_WRITE | NF_CREATE | NF_GUARDED, &f) != 0)
		return -1;
	return nf_close(l, r->b->cl, &f, 0) == 0 ? 0 : -1;
}

static int create_finish(struct run *r, struct lane *l)
{
	r->b->grp[G_META].have_input = 1;
	return 0;
}

static int stat_item(struct run *r, struct lane *l, uint64_t i)
{
	const struct fh *dir;
	char name[32], path[160];
	struct attrs a;

	group_file(r->b, G_META, i, &dir, name, sizeof(name), path, sizeof(path));
	if (nf_lookup(l, r->b->cl, dir, name, ATTRS_STAT, NULL, &a) != 0)
		return -1;
	if (a.type != NF4REG || a.size != 0)
		return lane_fail(l, "stat %s: type %u size %llu, expected an "
				 "empty regular file", path, a.type,
				 (unsigned long long)a.size);
	return 0;
}

/* Same-directory renames: NAME to NAME~ and back (two RENAMEs per item,
 * so stat and remove find the files as create made them). A rename
 * answered NFS4ERR_XDEV (the two names on two metadata nodes of a cluster,
 * docs/decisions/0024) is counted, not an error. */
static int rename_item(struct run *r, struct lane *l, uint64_t i)
{
	const struct fh *dir;
	char name[32], alt[40], path[160];
	int rc;

	group_file(r->b, G_META, i, &dir, name, sizeof(name), path, sizeof(path));
	snprintf(alt, sizeof(alt), "%s~", name);
	rc = nf_rename(l, r->b->cl, dir, name, alt);
	if (rc == NFS4ERR_XDEV) {
		atomic_fetch_add(&r->xdev, 2);
		return 0;
	}
	if (rc == 0)
		rc = nf_rename(l, r->b->cl, dir, alt, name);
	return rc == 0 ? 0 : -1;
}

static int rename_finish(struct run *r, struct lane *l)
{
	unsigned long long x = atomic_load(&r->xdev);

	(void)l;
	if (x)
		fprintf(stderr, "strata-bench: rename: %llu of %llu renames "
			"answered NFS4ERR_XDEV (names on two metadata nodes)\n",
			x, 2 * (unsigned long long)r->nitems);
	return 0;
}

static int remove_item(struct run *r, struct lane *l, uint64_t i)
{
	const struct fh *dir;
	char name[32], path[160];

	group_file(r->b, G_META, i, &dir, name, sizeof(name), path, sizeof(path));
	return nf_remove(l, r->b->cl, dir, name) == 0 ? 0 : -1;
}

static int remove_finish(struct run *r, struct lane *l)
{
	r->b->grp[G_META].have_input = 0;
	return 0;
}

/* Cleanup: whatever is left, missing files are fine. */
static int clean_item(struct run *r, struct lane *l, uint64_t i)
{
	const struct fh *dir;
	char name[32], path[160];

	group_file(r->b, G_META, i, &dir, name, sizeof(name), path, sizeof(path));
	int rc = nf_remove(l, r->b->cl, dir, name);
	return rc == 0 || rc == NFS4ERR_NOENT ? 0 : -1;
}

const struct wl_ops WL_CREATE_OPS = { "create", G_META, 0,
	need_dirs, create_item, create_finish };
const struct wl_ops WL_STAT_OPS = { "stat", G_META, 0,
	need_files, stat_item, NULL };
const struct wl_ops WL_RENAME_OPS = { "rename", G_META, 0,
	need_files, rename_item, rename_finish };
const struct wl_ops WL_REMOVE_OPS = { "remove", G_META, 0,
	need_files, remove_item, remove_finish };
const struct wl_ops WL_CLEAN_META_OPS = { "clean-meta", G_META, 0,
	need_dirs, clean_item, remove_finish };
