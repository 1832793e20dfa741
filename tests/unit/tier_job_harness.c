/* tests/unit/tier_job_harness.c -- see tier_job_harness.h. */
#include "tier_job_harness.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_ns_util.h"
#include "tier_test_log.h"

void tier_fill(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

/* ---- data copies in memory -------------------------------------------- */

static struct memds_copy *copy_find(struct memds *m, uint64_t fileid,
				    uint64_t gen)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->c[i].fileid == fileid && m->c[i].gen == gen)
			return &m->c[i];
	return NULL;
}

const struct memds_copy *memds_find(const struct memds *m, uint64_t fileid,
				    uint64_t gen)
{
	return copy_find((struct memds *)m, fileid, gen);
}

static struct memds_copy *copy_get(struct memds *m, uint64_t fileid,
				   uint64_t gen)
{
	struct memds_copy *c = copy_find(m, fileid, gen);

	if (c || m->n == MEMDS_MAX)
		return c;
	c = &m->c[m->n++];
	*c = (struct memds_copy){ fileid, gen, NULL, 0 };
	return c;
}

static int ds_write(void *arg, uint64_t fileid, uint64_t gen, uint64_t off,
		    const void *buf, size_t len)
{
	struct memds *m = arg;
	struct memds_copy *c;

	if (m->fail_write_at > 0 && --m->fail_write_at == 0)
		return -EIO;
	c = copy_get(m, fileid, gen);
	if (!c)
		return -ENOSPC;
	if (off + len > c->len) {
		uint8_t *p = realloc(c->buf, off + len ? off + len : 1);

		if (!p)
			return -ENOMEM;
		memset(p + c->len, 0, off + len - c->len);
		c->buf = p;
		c->len = off + len;
	}
	if (len)
		memcpy(c->buf + off, buf, len);
	return 0;
}

void memds_put(struct memds *m, uint64_t fileid, uint64_t gen,
	       const void *p, size_t len)
{
	struct memds_copy *c = copy_get(m, fileid, gen);

	if (!c)
		abort();
	c->len = 0;
	if (ds_write(m, fileid, gen, 0, p, len))
		abort();
}

static int ds_read(void *arg, uint64_t fileid, uint64_t gen, uint64_t off,
		   void *buf, size_t len)
{
	struct memds *m = arg;
	struct memds_copy *c = copy_find(m, fileid, gen);

	if (m->on_read)
		m->on_read(m->on_read_arg);
	if (!c || off + len > c->len)
		return -EIO;
	if (len)
		memcpy(buf, c->buf + off, len);
	return 0;
}

static int ds_sync(void *arg, uint64_t fileid, uint64_t gen)
{
	return copy_find(arg, fileid, gen) ? 0 : -EIO;
}

static uint64_t fence_of(const struct memds *m, uint64_t fileid)
{
	for (size_t i = 0; i < m->nfences; i++)
		if (m->fences[i].fileid == fileid)
			return m->fences[i].fence;
	return 0;
}

static int ds_fence(void *arg, uint64_t fileid, uint64_t below)
{
	struct memds *m = arg;
	size_t i = 0;

	while (i < m->nfences && m->fences[i].fileid != fileid)
		i++;
	if (i == MEMDS_MAX)
		abort();
	if (i == m->nfences) {
		m->fences[m->nfences].fileid = fileid;
		m->fences[m->nfences++].fence = 0;
	}
	if (below > m->fences[i].fence)
		m->fences[i].fence = below;
	return 0;
}

static int ds_drop(void *arg, uint64_t fileid, uint64_t gen)
{
	struct memds *m = arg;
	struct memds_copy *c = copy_find(m, fileid, gen);

	if (c && gen >= fence_of(m, fileid))
		m->unfenced_drops++;
	if (c) {
		free(c->buf);
		*c = m->c[--m->n];
	}
	return 0;
}

static int ds_create(void *arg, uint64_t fileid, uint64_t gen)
{
	return copy_get(arg, fileid, gen) ? 0 : -ENOSPC;
}

const struct tier_data_ops memds_ops = { ds_read, ds_write, ds_sync,
					 ds_drop, ds_fence, ds_create };

void memds_free(struct memds *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->c[i].buf);
	m->n = 0;
}

/* ---- a namespace and a dir backend ------------------------------------ */

void tier_site_open(struct tier_site *t)
{
	struct tier_config cfg;

	t->dir = tu_mkdtemp();
	snprintf(t->nsdir, sizeof t->nsdir, "%s/ns", t->dir);
	snprintf(t->objdir, sizeof t->objdir, "%s/objects", t->dir);
	assert_int_equal(mkdir(t->nsdir, 0700), 0);
	t->ns = tu_open(t->nsdir, 2);
	tier_config_defaults(&cfg);
	cfg.kind = TIER_KIND_DIR;
	cfg.dir = t->objdir;
	cfg.log = tier_test_log;
	assert_int_equal(tier_open(&cfg, &t->b, NULL), 0);
}

void tier_site_close(struct tier_site *t)
{
	if (t->ns)
		ns_close(t->ns);
	tier_close(t->b);
	memds_free(&t->ds);
	tu_rmrf(t->dir);
}

/* ---- the fault injector ------------------------------------------------ */

int fault_pass(struct fault *f)
{
	if (f->dead)
		return 0;
	if (f->limit >= 0 && f->steps >= f->limit) {
		f->dead = 1;
		return 0;
	}
	f->steps++;
	return 1;
}

#define PASS(f)                          \
	do {                             \
		if (!fault_pass(f))      \
			return -ECANCELED; \
	} while (0)

static struct fault_backend *fbk(struct tier_backend *b)
{
	return (struct fault_backend *)b;
}

static int fb_put(struct tier_backend *b, const char *key,
		  const struct tier_source *src, uint64_t size,
		  struct tier_obj *out, struct tier_status *st)
{
	PASS(fbk(b)->f);
	return tier_put(fbk(b)->in, key, src, size, out, st);
}

static int fb_get(struct tier_backend *b, const char *key, uint64_t off,
		  size_t len, void *buf, size_t *got, struct tier_status *st)
{
	PASS(fbk(b)->f);
	return tier_get(fbk(b)->in, key, off, len, buf, got, st);
}

static int fb_head(struct tier_backend *b, const char *key,
		   struct tier_obj *out, struct tier_status *st)
{
	PASS(fbk(b)->f);
	return tier_head(fbk(b)->in, key, out, st);
}

static int fb_del(struct tier_backend *b, const char *key,
		  struct tier_status *st)
{
	PASS(fbk(b)->f);
	return tier_delete(fbk(b)->in, key, st);
}

static int fb_list(struct tier_backend *b, const char *prefix,
		   const char *token, unsigned max,
		   struct tier_list_page *page, struct tier_status *st)
{
	PASS(fbk(b)->f);
	return tier_list(fbk(b)->in, prefix, token, max, page, st);
}

static void fb_close(struct tier_backend *b)
{
	(void)b; /* the inner backend is the test's */
}

static int fb_was_aborted(const struct fault_backend *fb, const char *key)
{
	for (size_t i = 0; i < fb->naborted; i++)
		if (!strcmp(fb->aborted[i], key))
			return 1;
	return 0;
}

static int fb_uploads(struct tier_backend *b, const char *prefix,
		      const char *key_marker, const char *id_marker,
		      unsigned max, struct tier_list_page *page,
		      struct tier_status *st)
{
	struct fault_backend *fb = fbk(b);

	(void)key_marker, (void)id_marker, (void)max, (void)st;
	PASS(fb->f);
	page->v = calloc(fb->nuploads + 1, sizeof(*page->v));
	if (!page->v)
		return -ENOMEM;
	for (size_t i = 0; i < fb->nuploads; i++) {
		char id[32];

		if (strncmp(fb->uploads[i], prefix, strlen(prefix)) ||
		    fb_was_aborted(fb, fb->uploads[i]))
			continue;
		snprintf(id, sizeof(id), "u%zu", i);
		page->v[page->n].key = strdup(fb->uploads[i]);
		page->v[page->n++].upload_id = strdup(id);
	}
	return 0;
}

static int fb_abort(struct tier_backend *b, const char *key,
		    const char *upload_id, struct tier_status *st)
{
	struct fault_backend *fb = fbk(b);

	(void)upload_id, (void)st;
	PASS(fb->f);
	if (fb->naborted < 8)
		snprintf(fb->aborted[fb->naborted++], TIER_KEY_MAX, "%s", key);
	return 0;
}

static const struct tier_ops fault_backend_ops = {
	.name = "fault",
	.put = fb_put,
	.get = fb_get,
	.head = fb_head,
	.del = fb_del,
	.list = fb_list,
	.close = fb_close,
	.uploads = fb_uploads,
	.abort_upload = fb_abort,
	.get_obj = NULL, /* head, then get */
};

void fault_backend_init(struct fault_backend *fb, struct tier_backend *in,
			struct fault *f)
{
	memset(fb, 0, sizeof(*fb));
	fb->base = *in;
	fb->base.ops = &fault_backend_ops;
	fb->in = in;
	fb->f = f;
}

/* Data copies. */
#define FD(a) ((struct fault_data *)(a))

static int fd_read(void *a, uint64_t fileid, uint64_t gen, uint64_t off,
		   void *buf, size_t len)
{
	PASS(FD(a)->f);
	return memds_ops.read(FD(a)->in, fileid, gen, off, buf, len);
}

static int fd_write(void *a, uint64_t fileid, uint64_t gen, uint64_t off,
		    const void *buf, size_t len)
{
	PASS(FD(a)->f);
	return memds_ops.write(FD(a)->in, fileid, gen, off, buf, len);
}

static int fd_sync(void *a, uint64_t fileid, uint64_t gen)
{
	PASS(FD(a)->f);
	return memds_ops.sync(FD(a)->in, fileid, gen);
}

static int fd_drop(void *a, uint64_t fileid, uint64_t gen)
{
	PASS(FD(a)->f);
	return memds_ops.drop(FD(a)->in, fileid, gen);
}

static int fd_fence(void *a, uint64_t fileid, uint64_t below)
{
	PASS(FD(a)->f);
	return memds_ops.fence(FD(a)->in, fileid, below);
}

static int fd_create(void *a, uint64_t fileid, uint64_t gen)
{
	PASS(FD(a)->f);
	return memds_ops.create(FD(a)->in, fileid, gen);
}

const struct tier_data_ops fault_data_ops = { fd_read, fd_write, fd_sync,
					      fd_drop, fd_fence, fd_create };

/* The namespace: each step passes or the "process" is dead. */
#define FM(a) ((struct fault_meta *)(a))
#define META(a, call)                                   \
	do {                                            \
		PASS(FM(a)->f);                         \
		return tier_meta_ns.call;               \
	} while (0)

static int fm_offload_begin(void *a, uint64_t fileid, struct ns_tier_job *j)
{
	META(a, offload_begin(FM(a)->ns, fileid, j));
}

static int fm_offload_commit(void *a, const struct ns_tier_job *j,
			     const struct ns_tier_obj *o, int *committed)
{
	META(a, offload_commit(FM(a)->ns, j, o, committed));
}

static int fm_job_abort(void *a, const struct ns_tier_job *j)
{
	META(a, job_abort(FM(a)->ns, j));
}

static int fm_release(void *a, uint64_t fileid, uint64_t *old_gen)
{
	META(a, release(FM(a)->ns, fileid, old_gen));
}

static int fm_recall_begin(void *a, uint64_t fileid, struct ns_tier_job *j,
			   struct ns_tier_obj *o)
{
	META(a, recall_begin(FM(a)->ns, fileid, j, o));
}

static int fm_recall_commit(void *a, const struct ns_tier_job *j)
{
	META(a, recall_commit(FM(a)->ns, j));
}

static int fm_obj_get(void *a, uint64_t fileid, struct ns_tier_obj *o)
{
	META(a, obj_get(FM(a)->ns, fileid, o));
}

static int fm_objs(void *a, const struct ns_tier_obj *after,
		   struct ns_tier_obj *v, size_t max, size_t *n)
{
	META(a, objs(FM(a)->ns, after, v, max, n));
}

static int fm_jobs(void *a, const struct ns_tier_job *after,
		   struct ns_tier_job *v, size_t max, size_t *n)
{
	META(a, jobs(FM(a)->ns, after, v, max, n));
}

static int fm_dels(void *a, const struct ns_tier_obj *after,
		   struct ns_tier_obj *v, size_t max, size_t *n)
{
	META(a, dels(FM(a)->ns, after, v, max, n));
}

static int fm_del_done(void *a, const struct ns_tier_obj *v, size_t n)
{
	META(a, del_done(FM(a)->ns, v, n));
}

static int fm_rels(void *a, const struct ns_tier_rel *after,
		   struct ns_tier_rel *v, size_t max, size_t *n)
{
	META(a, rels(FM(a)->ns, after, v, max, n));
}

static int fm_rel_done(void *a, const struct ns_tier_rel *v, size_t n)
{
	META(a, rel_done(FM(a)->ns, v, n));
}

const struct tier_meta_ops fault_meta_ops = {
	.offload_begin = fm_offload_begin,
	.offload_commit = fm_offload_commit,
	.job_abort = fm_job_abort,
	.release = fm_release,
	.recall_begin = fm_recall_begin,
	.recall_commit = fm_recall_commit,
	.obj_get = fm_obj_get,
	.objs = fm_objs,
	.jobs = fm_jobs,
	.dels = fm_dels,
	.del_done = fm_del_done,
	.rels = fm_rels,
	.rel_done = fm_rel_done,
};
