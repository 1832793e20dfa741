/* nfsd/tier_scan.c — see tier_scan.h. */
#include "tier_scan.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "layout_state.h"
#include "nfs4_prot.h"
#include "ns.h"
#include "server.h"
#include "state.h"

#define SCAN_BATCH 1024
#define PATH_CAP 4096

struct collect {
	const struct tier_scan_ctx *c;
	struct tier_file *v;
	unsigned char *held; /* [n]: TIER_HELD (busy set too) */
	size_t n, cap;
	int need_paths;
	int err;
};

static int64_t later(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int add_file(void *arg, const struct ns_inode *ino)
{
	struct collect *k = arg;
	const struct tier_scan_ctx *c = k->c;
	struct tier_file *f;
	char path[PATH_CAP];

	if (ino->type != NS_REG)
		return 0;
	if (k->need_paths && ns_path(c->ns, ino->fileid, path,
				     sizeof(path)) < 0)
		return 0; /* unlinked (kept for its opener) or too deep */
	if (k->n == k->cap) {
		size_t ncap = k->cap ? 2 * k->cap : 256;
		struct tier_file *nv = realloc(k->v, ncap * sizeof(*nv));

		if (!nv) {
			k->err = -ENOMEM;
			return 1;
		}
		k->v = nv;
		k->cap = ncap;
	}
	f = &k->v[k->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(k->need_paths ? path : "/");
	if (!f->path) {
		k->err = -ENOMEM;
		return 1;
	}
	k->n++;
	f->fileid = ino->fileid;
	f->size = ino->size;
	f->atime = ino->atime.sec;
	if (c->used)
		f->atime = later(f->atime, tier_heat_last(c->used, f->fileid));
	f->mtime = ino->mtime.sec;
	f->residency = ino->residency;
	f->both_since = c->both ? tier_heat_last(c->both, f->fileid) : c->now;
	return 0;
}

static void free_files(struct collect *k)
{
	for (size_t i = 0; i < k->n; i++)
		free((char *)k->v[i].path);
	free(k->v);
	free(k->held);
}

/* Every regular file, with busy() asked only of those a rule covers. */
static int collect(const struct tier_scan_ctx *c, struct collect *k)
{
	uint64_t after = 0, next = 0;
	int done = 0, rc;

	k->need_paths = !(c->policy->nrules == 1 &&
			  !strcmp(c->policy->rules[0].path, "/"));
	while (!done) {
		rc = ns_scan_inodes(c->ns, after, SCAN_BATCH, add_file, k,
				    &next, &done);
		if (k->err)
			return k->err;
		if (rc < 0)
			return rc;
		after = next;
	}
	k->held = calloc(k->n + 1, 1);
	if (!k->held)
		return -ENOMEM;
	for (size_t i = 0; i < k->n; i++) {
		struct tier_file *f = &k->v[i];
		int b;

		if (!c->busy || !tier_policy_rule(c->policy, f->path))
			continue;
		b = c->busy(c->arg, f->fileid);
		f->busy = b != TIER_FREE;
		k->held[i] = b == TIER_HELD;
	}
	return 0;
}

/* The held files the policy would pick were they free, into R->recall.
 * Their busy flags are cleared for a second choice over the same
 * snapshot; a file neither held nor picked the first time is not
 * listed (its pick would not be ours to make yet). */
static int held_picks(const struct tier_scan_ctx *c, struct collect *k,
		      struct tier_scan_result *r)
{
	struct tier_picks p = { 0 };
	size_t nheld = 0;
	int rc;

	for (size_t i = 0; i < k->n; i++)
		if (k->held[i]) {
			k->v[i].busy = 0;
			nheld++;
		}
	if (!nheld)
		return 0;
	p.offload = calloc(k->n + 1, sizeof(*p.offload));
	p.release = calloc(k->n + 1, sizeof(*p.release));
	r->recall = calloc(nheld, sizeof(*r->recall));
	rc = p.offload && p.release && r->recall
		     ? tier_policy_select(c->policy, k->v, k->n, c->now,
					  &c->fill, &p)
		     : -ENOMEM;
	for (size_t i = 0; rc == 0 && i < p.noffload + p.nrelease; i++) {
		size_t j = i < p.noffload ? p.offload[i]
					  : p.release[i - p.noffload];

		if (k->held[j] && r->nrecall < nheld)
			r->recall[r->nrecall++] = k->v[j].fileid;
	}
	free(p.offload);
	free(p.release);
	return rc;
}

int tier_scan(const struct tier_scan_ctx *c, struct tier_scan_result *r)
{
	struct collect k = { .c = c };
	struct tier_picks p = { 0 };
	int rc;

	memset(r, 0, sizeof(*r));
	rc = collect(c, &k);
	if (rc == 0) {
		p.offload = calloc(k.n + 1, sizeof(*p.offload));
		p.release = calloc(k.n + 1, sizeof(*p.release));
		r->offload = calloc(k.n + 1, sizeof(*r->offload));
		r->release = calloc(k.n + 1, sizeof(*r->release));
		rc = p.offload && p.release && r->offload && r->release
			     ? tier_policy_select(c->policy, k.v, k.n, c->now,
						  &c->fill, &p)
			     : -ENOMEM;
	}
	if (rc == 0) {
		for (size_t i = 0; i < p.noffload; i++)
			r->offload[i] = k.v[p.offload[i]].fileid;
		for (size_t i = 0; i < p.nrelease; i++)
			r->release[i] = k.v[p.release[i]].fileid;
		r->noffload = p.noffload;
		r->nrelease = p.nrelease;
		r->files = k.n;
		rc = held_picks(c, &k, r);
	}
	free(p.offload);
	free(p.release);
	free_files(&k);
	if (rc < 0)
		tier_scan_result_free(r);
	return rc;
}

void tier_scan_result_free(struct tier_scan_result *r)
{
	free(r->offload);
	free(r->release);
	free(r->recall);
	memset(r, 0, sizeof(*r));
}

int tier_scan_busy_state(void *arg, uint64_t fileid)
{
	struct strata_server *srv = arg;
	int busy = TIER_FREE, layouts = 0;

	pthread_mutex_lock(&srv->state_lock);
	STATE_FOR_FILE(srv, fileid, st) {
		if ((st->kind == STID_OPEN &&
		     (st->access & OPEN4_SHARE_ACCESS_WRITE)) ||
		    (st->kind == STID_DELEG && !st->revoked)) {
			busy = TIER_BUSY;
			break;
		}
		if (st->kind == STID_LAYOUT)
			layouts = 1;
	}
	if (busy == TIER_FREE && layouts)
		busy = layout_held_open(srv, fileid) ? TIER_BUSY : TIER_HELD;
	pthread_mutex_unlock(&srv->state_lock);
	return busy;
}
