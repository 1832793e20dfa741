/* pnfs/scrub.c — see scrub.h. */
#include "scrub.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "log.h"
#include "ns.h"
#include "server.h"

/* The files of one page: placed regular files with a copy on the data
 * servers, with their sizes and the data generation of that copy. */
struct page_files {
	uint64_t *fileid;
	uint64_t *size;
	uint64_t *gen;
	size_t n, cap;
};

static int collect(void *ctx, const struct ns_inode *ino)
{
	struct page_files *p = ctx;

	if (ino->type != NS_REG || !(ino->flags & NS_INO_DATA_PLACED))
		return 0;
	/* An offloaded file's data is in the object tier only: no copy on
	 * the data servers is missing. */
	if (ino->residency == NS_RES_OFFLOADED)
		return 0;
	p->fileid[p->n] = ino->fileid;
	p->size[p->n] = ino->size;
	p->gen[p->n] = ino->layout_gen;
	return ++p->n == p->cap; /* full: stop the walk here */
}

/* The damaged-file record of page file I, made on first use. */
static struct scrub_damaged *record(struct scrub_page *out, int *slot,
				    const struct page_files *p, size_t i)
{
	struct scrub_damaged *d;

	if (slot[i] >= 0)
		return &out->damaged[slot[i]];
	slot[i] = (int)out->ndamaged++;
	d = &out->damaged[slot[i]];
	memset(d, 0, sizeof(*d));
	d->fileid = p->fileid[i];
	d->size = p->size[i];
	return d;
}

/* Check stripe object DS of every page file (the local store's object
 * when there is no cluster). */
static void check_ds(struct strata_server *srv, unsigned ds,
		     const struct page_files *p, int64_t *sizes,
		     struct scrub_page *out, int *slot)
{
	int rc = 0;

	if (srv->cluster)
		rc = cluster_stat_many(srv->cluster, ds, p->fileid, p->gen,
				       p->n, sizes);
	else
		for (size_t i = 0; i < p->n; i++)
			sizes[i] = ds_store_size(srv->store, p->fileid[i], 0,
						 p->gen[i]) < 0
					   ? -1
					   : 0;
	for (size_t i = 0; i < p->n; i++) {
		struct scrub_damaged *d;

		if (rc == 0 && sizes[i] >= 0)
			continue;
		d = record(out, slot, p, i);
		if (rc == 0)
			d->missing[d->nmissing++] = ds;
		else
			d->unavailable[d->nunavail++] = ds;
	}
}

static int page_alloc(struct page_files *p, size_t cap, int64_t **sizes,
		      int **slot)
{
	p->fileid = calloc(cap, sizeof(*p->fileid));
	p->size = calloc(cap, sizeof(*p->size));
	p->gen = calloc(cap, sizeof(*p->gen));
	*sizes = calloc(cap, sizeof(**sizes));
	*slot = malloc(cap * sizeof(**slot));
	p->n = 0;
	p->cap = cap;
	if (!p->fileid || !p->size || !p->gen || !*sizes || !*slot)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++)
		(*slot)[i] = -1;
	return 0;
}

static void warn(void *ctx, const char *msg)
{
	(void)ctx;
	log_warn("scrub: %s", msg);
}

int scrub_page(struct strata_server *srv, uint64_t after, unsigned max,
	       struct scrub_page *out)
{
	unsigned nds = srv->cluster ? cluster_nds(srv->cluster) : 1;
	struct page_files p = { 0 };
	int64_t *sizes = NULL;
	int *slot = NULL;
	int rc;

	if (max == 0 || max > SCRUB_PAGE_MAX)
		max = SCRUB_PAGE_MAX;
	out->ndamaged = 0;
	rc = page_alloc(&p, max, &sizes, &slot);
	if (rc == 0)
		rc = ns_scan_inodes(srv->ns, after, SIZE_MAX, collect, &p,
				    &out->next, &out->done);
	for (unsigned ds = 0; rc == 0 && ds < nds; ds++)
		check_ds(srv, ds, &p, sizes, out, slot);
	for (unsigned k = 0; rc == 0 && k < out->ndamaged; k++)
		if (ns_path(srv->ns, out->damaged[k].fileid,
			    out->damaged[k].path,
			    sizeof(out->damaged[k].path)) < 0)
			out->damaged[k].path[0] = 0;
	out->examined = p.n;
	out->counters_bad = 0;
	if (rc == 0 && out->done) /* once per scrub: a read of every inode */
		rc = ns_res_verify(srv->ns, &out->counters_bad, warn, NULL);
	free(p.fileid);
	free(p.size);
	free(p.gen);
	free(sizes);
	free(slot);
	return rc;
}
