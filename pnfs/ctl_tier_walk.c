/* pnfs/ctl_tier_walk.c — see ctl_tier_walk.h. */
#include "ctl_tier_walk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ns.h"
#include "ns_tier.h"

struct walk {
	struct ns *ns;
	ctl_tier_totals *t;
	uint64_t *stack; /* directories still to list */
	size_t nstack, capstack;
	ctl_tier_linked *linked; /* files of several links */
	size_t nlinked, caplinked;
	uint64_t chunk[CTL_TIER_WALK_CHUNK];
	size_t nchunk;
	uint64_t last_cookie;
};

int ctl_tier_grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int push_dir(struct walk *w, uint64_t fileid)
{
	if (ctl_tier_grow((void **)&w->stack, &w->capstack, w->nstack + 1,
		 sizeof(*w->stack)))
		return -ENOMEM;
	w->stack[w->nstack++] = fileid;
	return 0;
}

static void add_file(ctl_tier_totals *t, const ctl_tier_linked *f)
{
	unsigned r = f->residency < 3 ? f->residency : 0;

	t->files[r]++;
	t->bytes[r] += f->size;
	t->ds_bytes += f->ds_bytes;
	t->tier_bytes += f->tier_bytes;
	t->jobs += f->job != 0;
}

/* One regular file's share (as ctl_tier.c's describe() of one file). */
static void file_share(struct ns *ns, const struct ns_inode *ino,
		       ctl_tier_linked *f)
{
	struct ns_tier_obj obj;
	struct ns_tier_job job;

	memset(f, 0, sizeof(*f));
	f->fileid = ino->fileid;
	f->residency = ino->residency;
	f->size = ino->size;
	f->ds_bytes = ino->residency == NS_RES_OFFLOADED ? 0 : ino->size;
	if (ino->residency != NS_RES_LOCAL &&
	    ns_tier_obj_get(ns, ino->fileid, &obj) == 0)
		f->tier_bytes = obj.size;
	if (ns_tier_job_get(ns, ino->fileid, &job) == 0)
		f->job = job.kind;
}

int ctl_tier_count(struct ns *ns, uint64_t fileid, ctl_tier_totals *t,
		   ctl_tier_linked *f)
{
	struct ns_inode ino;
	int rc = ns_getattr(ns, fileid, &ino);

	if (rc == -ENOENT || rc == -ESTALE) /* gone since it was listed */
		return CTL_TIER_GONE;
	if (rc < 0)
		return rc;
	switch (ino.type) {
	case NS_DIR:
		t->dirs++;
		return CTL_TIER_DIR;
	case NS_REG:
		file_share(ns, &ino, f);
		if (ino.nlink > 1)
			return CTL_TIER_LINKED;
		add_file(t, f);
		return CTL_TIER_COUNTED;
	default:
		t->others++;
		return CTL_TIER_COUNTED;
	}
}

static int visit(struct walk *w, uint64_t fileid)
{
	ctl_tier_linked f;
	int rc = ctl_tier_count(w->ns, fileid, w->t, &f);

	if (rc == -EREMOTE) {
		w->t->skipped++;
		return 0;
	}
	if (rc == CTL_TIER_DIR)
		return push_dir(w, fileid);
	if (rc == CTL_TIER_LINKED) {
		if (ctl_tier_grow((void **)&w->linked, &w->caplinked,
				  w->nlinked + 1, sizeof(*w->linked)))
			return -ENOMEM;
		w->linked[w->nlinked++] = f;
	}
	return rc < 0 ? rc : 0;
}

static int take(void *ctx, const char *name, size_t namelen,
		uint64_t fileid, uint64_t cookie)
{
	struct walk *w = ctx;

	(void)name;
	(void)namelen;
	w->chunk[w->nchunk++] = fileid;
	w->last_cookie = cookie;
	return w->nchunk == CTL_TIER_WALK_CHUNK;
}

/* List DIR chunk by chunk, visiting each name. */
static int list_dir(struct walk *w, uint64_t dir)
{
	uint64_t cookie = 0, resume;
	int eof = 0, rc;

	while (!eof) {
		w->nchunk = 0;
		resume = 0;
		rc = ns_readdir_ex(w->ns, dir, cookie, take, w, &eof, &resume);
		if (rc == -EREMOTE || rc == -ENOENT || rc == -ENOTDIR) {
			w->t->skipped += rc == -EREMOTE;
			return 0; /* elsewhere, or gone since it was seen */
		}
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < w->nchunk; i++) {
			rc = visit(w, w->chunk[i]);
			if (rc < 0)
				return rc;
		}
		if (!eof && resume) { /* the rest is another node's */
			w->t->skipped++;
			return 0;
		}
		if (!eof && w->nchunk == 0)
			return -EIO; /* no progress: never expected */
		cookie = w->last_cookie;
	}
	return 0;
}

static int cmp_linked(const void *a, const void *b)
{
	uint64_t x = ((const ctl_tier_linked *)a)->fileid;
	uint64_t y = ((const ctl_tier_linked *)b)->fileid;

	return x < y ? -1 : x > y;
}

void ctl_tier_add_linked(ctl_tier_totals *t, ctl_tier_linked *f, size_t n)
{
	if (n == 0)
		return;
	qsort(f, n, sizeof(*f), cmp_linked);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || f[i].fileid != f[i - 1].fileid)
			add_file(t, &f[i]);
}

int ctl_tier_walk(struct ns *ns, uint64_t dir, ctl_tier_totals *t)
{
	struct walk *w = calloc(1, sizeof(*w));
	int rc;

	memset(t, 0, sizeof(*t));
	if (!w)
		return -ENOMEM;
	w->ns = ns;
	w->t = t;
	rc = push_dir(w, dir);
	while (rc == 0 && w->nstack > 0)
		rc = list_dir(w, w->stack[--w->nstack]);
	if (rc == 0)
		ctl_tier_add_linked(t, w->linked, w->nlinked);
	free(w->stack);
	free(w->linked);
	free(w);
	return rc;
}
