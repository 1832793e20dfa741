/* nfsd/tier_scan.c — see tier_scan.h. */
#include "tier_scan.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "nfs4_prot.h"
#include "ns.h"
#include "server.h"
#include "state.h"

#define SCAN_BATCH 1024
#define PATH_CAP 4096

struct collect {
	const struct tier_scan_ctx *c;
	struct tier_file *v;
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
	for (size_t i = 0; i < k->n; i++) {
		struct tier_file *f = &k->v[i];

		if (c->busy && tier_policy_rule(c->policy, f->path))
			f->busy = c->busy(c->arg, f->fileid);
	}
	return 0;
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
	memset(r, 0, sizeof(*r));
}

int tier_scan_busy_state(void *arg, uint64_t fileid)
{
	struct strata_server *srv = arg;
	int busy = 0;

	pthread_mutex_lock(&srv->state_lock);
	STATE_FOR_FILE(srv, fileid, st) {
		if ((st->kind == STID_OPEN &&
		     (st->access & OPEN4_SHARE_ACCESS_WRITE)) ||
		    st->kind == STID_LAYOUT ||
		    (st->kind == STID_DELEG && !st->revoked)) {
			busy = 1;
			break;
		}
	}
	pthread_mutex_unlock(&srv->state_lock);
	return busy;
}
