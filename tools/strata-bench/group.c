/*
 * tools/strata-bench/group.c -- the directories a group of workloads works
 * in: <export>/<tag>-large (one file, "data"), <tag>-meta and <tag>-small
 * (subdirectories d000.. with the files spread over them).  See wl.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "wl.h"

static const char *const GROUP_NAME[G_COUNT] = { "large", "meta", "small" };

static void group_dirname(const struct bench *b, enum wl_group g, char *buf,
			  size_t cap)
{
	snprintf(buf, cap, "%s-%s", b->o->tag, GROUP_NAME[g]);
}

void group_large_file(const struct bench *b, char *path, size_t cap)
{
	char d[96];
	group_dirname(b, G_LARGE, d, sizeof(d));
	snprintf(path, cap, "%s/%s", d, LARGE_NAME);
}

void group_file(const struct bench *b, enum wl_group g, uint64_t i,
		const struct fh **dir, char *name, size_t namecap,
		char *path, size_t pathcap)
{
	char d[96];
	uint32_t sub = (uint32_t)(i % b->o->dirs);

	group_dirname(b, g, d, sizeof(d));
	snprintf(name, namecap, "%c%07llu", g == G_META ? 'f' : 's',
		 (unsigned long long)i);
	snprintf(path, pathcap, "%s/d%03u/%s", d, sub, name);
	*dir = &b->grp[g].sub[sub];
}

/* mkdir NAME in DIR, or find it if it is there.  1 if it was there. */
static int mkdir_or_find(struct lane *l, struct client *c,
			 const struct fh *dir, const char *name, struct fh *out)
{
	int rc = nf_mkdir(l, c, dir, name, out);
	if (rc == 0)
		return 0;
	if (rc != NFS4ERR_EXIST)
		return -1;
	return nf_lookup(l, c, dir, name, NULL, out, NULL) == 0 ? 1 : -1;
}

/* A group directory that already existed (--tag of a --keep run): are its
 * input files there? */
static int existing_input(struct bench *b, struct lane *l, enum wl_group g)
{
	struct attrs a;
	if (g != G_LARGE)
		return 1; /* trust the earlier run */
	if (nf_lookup(l, b->cl, &b->grp[g].dir, LARGE_NAME, ATTRS_SIZE, NULL,
		      &a) != 0)
		return 0;
	return a.size >= b->o->size;
}

int group_ready(struct bench *b, struct lane *l, enum wl_group g)
{
	struct group *gr = &b->grp[g];
	char name[96];
	int existed;

	if (gr->ready)
		return 0;
	group_dirname(b, g, name, sizeof(name));
	existed = mkdir_or_find(l, b->cl, &b->cl->root, name, &gr->dir);
	if (existed < 0)
		return -1;
	if (g != G_LARGE) {
		gr->sub = calloc(b->o->dirs, sizeof(*gr->sub));
		if (!gr->sub)
			return lane_fail(l, "out of memory");
		for (uint32_t i = 0; i < b->o->dirs; i++) {
			char sub[16];
			snprintf(sub, sizeof(sub), "d%03u", i);
			if (mkdir_or_find(l, b->cl, &gr->dir, sub, &gr->sub[i]) < 0)
				return -1;
		}
	}
	gr->have_input = existed && existing_input(b, l, g);
	gr->ready = 1;
	return 0;
}

static int remove_quiet(struct lane *l, struct client *c, const struct fh *dir,
			const char *name)
{
	int rc = nf_remove(l, c, dir, name);
	return rc == 0 || rc == NFS4ERR_NOENT ? 0 : -1;
}

int group_remove(struct bench *b, struct lane *l, enum wl_group g)
{
	struct group *gr = &b->grp[g];
	char name[96];
	int rc = 0;

	if (!gr->ready)
		return 0;
	if (g == G_LARGE)
		rc |= remove_quiet(l, b->cl, &gr->dir, LARGE_NAME);
	for (uint32_t i = 0; gr->sub && i < b->o->dirs; i++) {
		char sub[16];
		snprintf(sub, sizeof(sub), "d%03u", i);
		rc |= remove_quiet(l, b->cl, &gr->dir, sub);
	}
	group_dirname(b, g, name, sizeof(name));
	rc |= remove_quiet(l, b->cl, &b->cl->root, name);
	free(gr->sub);
	gr->sub = NULL;
	gr->ready = 0;
	gr->have_input = 0;
	return rc ? -1 : 0;
}
