/*
 * tiering/tier_gc.c — the orphan collector (tier_gc.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tier_gc.h"

#define PAGE 256

enum ref_kind { REF_LIVE = 1, REF_PENDING = 2 };

struct ref {
	struct tier_key k;
	int kind;
};

struct refs {
	struct ref *v;
	size_t n, cap;
};

static int key_cmp(const struct tier_key *a, const struct tier_key *b)
{
	if (a->fileid != b->fileid)
		return a->fileid < b->fileid ? -1 : 1;
	if (a->gen != b->gen)
		return a->gen < b->gen ? -1 : 1;
	if (a->ver != b->ver)
		return a->ver < b->ver ? -1 : 1;
	return 0;
}

static int ref_cmp(const void *a, const void *b)
{
	return key_cmp(&((const struct ref *)a)->k, &((const struct ref *)b)->k);
}

static int refs_add(struct refs *r, uint64_t fileid, uint32_t gen,
		    uint64_t ver, int kind)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : PAGE;
		struct ref *v = realloc(r->v, cap * sizeof *v);

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = (struct ref){ { fileid, gen, ver }, kind };
	return 0;
}

/* ---- reading the references -------------------------------------------- */

/* Object records (LIST = objs) or delete records (LIST = dels), as KIND. */
static int read_obj_list(const struct tier_engine *e,
			 int (*list)(void *, const struct ns_tier_obj *,
				     struct ns_tier_obj *, size_t, size_t *),
			 int kind, struct refs *r)
{
	struct ns_tier_obj v[PAGE];
	size_t got = PAGE;
	int rc = 0;

	for (const struct ns_tier_obj *after = NULL; !rc && got == PAGE;
	     after = &v[PAGE - 1]) {
		rc = list(e->meta_arg, after, v, PAGE, &got);
		for (size_t i = 0; !rc && i < got; i++)
			rc = refs_add(r, v[i].fileid, v[i].gen, v[i].ver,
				      kind);
	}
	return rc;
}

static int read_jobs(const struct tier_engine *e, struct refs *r)
{
	struct ns_tier_job v[PAGE];
	size_t got = PAGE;
	int rc = 0;

	for (const struct ns_tier_job *after = NULL; !rc && got == PAGE;
	     after = &v[PAGE - 1]) {
		rc = e->meta->jobs(e->meta_arg, after, v, PAGE, &got);
		for (size_t i = 0; !rc && i < got; i++)
			rc = refs_add(r, v[i].fileid, v[i].gen, v[i].ver,
				      REF_LIVE);
	}
	return rc;
}

/* Every reference, sorted; a live one wins over a pending delete. */
static int read_refs(const struct tier_engine *e, struct refs *r)
{
	int rc = read_obj_list(e, e->meta->objs, REF_LIVE, r);

	if (!rc)
		rc = read_jobs(e, r);
	if (!rc)
		rc = read_obj_list(e, e->meta->dels, REF_PENDING, r);
	if (!rc && r->n)
		qsort(r->v, r->n, sizeof *r->v, ref_cmp);
	return rc;
}

/* The strongest reference to K: REF_LIVE, REF_PENDING, or 0. */
static int ref_of(const struct refs *r, const struct tier_key *k)
{
	size_t lo = 0, hi = r->n;
	int kind = 0;

	while (lo < hi) { /* the first entry not below K */
		size_t mid = lo + (hi - lo) / 2;

		if (key_cmp(&r->v[mid].k, k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < r->n && !key_cmp(&r->v[lo].k, k); lo++)
		if (!kind || r->v[lo].kind == REF_LIVE)
			kind = r->v[lo].kind;
	return kind;
}

/* ---- the pass ----------------------------------------------------------- */

void tier_gc_seen_free(struct tier_gc_seen *s)
{
	free(s->v);
	free(s->u);
	memset(s, 0, sizeof(*s));
}

static int64_t first_seen(const struct tier_gc_orphan *v, size_t n,
			  const struct tier_key *k, int64_t now)
{
	for (size_t i = 0; i < n; i++)
		if (!key_cmp(&v[i].k, k))
			return v[i].first;
	return now;
}

struct pass {
	const struct tier_engine *e;
	const struct tier_gc_seen *old;
	struct tier_gc_seen next; /* orphans still there after this pass */
	int64_t now, grace;
	int dry_run;
	struct tier_gc_report *rep;
	struct tier_status *st;
};

/* One orphan: delete it if old enough, else remember it. */
static void orphan(struct pass *p, const struct tier_key *k, const char *key)
{
	int64_t first = first_seen(p->old->v, p->old->n, k, p->now);

	p->rep->orphans++;
	if (p->now - first >= p->grace && !p->dry_run) {
		if (!tier_delete(p->e->backend, key, p->st)) {
			p->rep->deleted++;
			return;
		}
		p->rep->delete_errors++;
	} else {
		p->rep->young += p->now - first < p->grace;
	}
	p->next.v[p->next.n++] = (struct tier_gc_orphan){ *k, first };
}

/* Several metadata nodes share the store: only this one's files. */
static int mine(const struct tier_engine *e, uint64_t fileid)
{
	return !e->mine || e->mine(e->mine_arg, fileid);
}

static void classify(struct pass *p, const struct refs *r,
		     const struct tier_list_page *all, const char *prefix)
{
	for (size_t i = 0; i < all->n; i++) {
		struct tier_key k;
		int kind;

		if (tier_key_parse(all->v[i].key, prefix, &k)) {
			p->rep->foreign++;
			continue;
		}
		if (!mine(p->e, k.fileid)) {
			p->rep->others++;
			continue;
		}
		kind = ref_of(r, &k);
		if (kind == REF_LIVE)
			p->rep->live++;
		else if (kind == REF_PENDING)
			p->rep->pending_delete++;
		else
			orphan(p, &k, all->v[i].key);
	}
}

/* Unfinished uploads: those of the tier's form no job names are aborted
 * once old enough, else remembered. */
static void classify_uploads(struct pass *p, const struct refs *r,
			     const struct tier_list_page *ups,
			     const char *prefix)
{
	for (size_t i = 0; i < ups->n; i++) {
		struct tier_key k;
		int64_t first;

		if (tier_key_parse(ups->v[i].key, prefix, &k) ||
		    !mine(p->e, k.fileid))
			continue; /* foreign, or another node's */
		p->rep->uploads++;
		if (ref_of(r, &k) == REF_LIVE)
			continue;
		p->rep->upload_orphans++;
		first = first_seen(p->old->u, p->old->nu, &k, p->now);
		if (p->now - first >= p->grace && !p->dry_run) {
			if (!tier_abort_upload(p->e->backend, ups->v[i].key,
					       ups->v[i].upload_id, p->st)) {
				p->rep->aborted++;
				continue;
			}
			p->rep->abort_errors++;
		}
		p->next.u[p->next.nu++] = (struct tier_gc_orphan){ k, first };
	}
}

int tier_gc_pass(const struct tier_engine *e, struct tier_gc_seen *seen,
		 int64_t now, int64_t grace, int dry_run,
		 struct tier_gc_report *rep, struct tier_status *st)
{
	struct pass p = { e, seen, { 0 }, now, grace, dry_run, rep, st };
	struct tier_list_page all = { 0 }, ups = { 0 };
	struct refs r = { 0 };
	char prefix[TIER_KEY_MAX];
	int rc;

	memset(rep, 0, sizeof *rep);
	if (snprintf(prefix, sizeof prefix, "%s/v1/", e->prefix) >=
	    (int)sizeof prefix)
		return -ENAMETOOLONG;
	rc = tier_list_all(e->backend, prefix, 1000, &all, st);
	if (!rc)
		rc = tier_list_uploads_all(e->backend, prefix, &ups, st);
	if (!rc) /* after the listings: see tier_gc.h */
		rc = read_refs(e, &r);
	if (!rc && all.n) {
		p.next.v = malloc(all.n * sizeof *p.next.v);
		rc = p.next.v ? 0 : -ENOMEM;
	}
	if (!rc && ups.n) {
		p.next.u = malloc(ups.n * sizeof *p.next.u);
		rc = p.next.u ? 0 : -ENOMEM;
	}
	if (!rc) {
		rep->listed = all.n;
		classify(&p, &r, &all, e->prefix);
		classify_uploads(&p, &r, &ups, e->prefix);
		tier_gc_seen_free(seen);
		*seen = p.next;
	} else {
		tier_gc_seen_free(&p.next);
	}
	tier_list_free(&all);
	tier_list_free(&ups);
	free(r.v);
	if (rc)
		tier_report(e->backend, st, TIER_LOG_WARN,
			    "tier gc: pass abandoned, nothing deleted: %s",
			    strerror(-rc));
	return rc;
}
