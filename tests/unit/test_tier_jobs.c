/*
 * tests/unit/test_tier_jobs.c -- the tier's state machine
 * (tiering/tier_job.c) and its durable records (metadata/ns_tier.c), on a
 * real namespace, the dir backend and data copies in memory
 * (tier_job_harness.h):
 *
 *   - a crash at every step of a run of offloads, releases, recalls, a
 *     remove, a size change and a drain, then the namespace closed and
 *     reopened, recovery and a drain: every file LOCAL with its copy,
 *     BOTH with both or OFFLOADED with its object, each holding the
 *     file's bytes; no job, delete or release record left; no object
 *     nobody refers to; no data copy but the current ones; and every
 *     offloaded file recalls to its exact bytes;
 *   - a file written during its upload is not marked offloaded, and its
 *     object is deleted through a delete record;
 *   - recall restores the exact bytes at a new data generation;
 *   - a changed object is refused at recall (nothing half-made is kept);
 *   - a recall that failed part way and is retried before the drain
 *     writes a new generation (the drain frees the failed one only);
 *   - release refuses when the object is gone (the copy stays);
 *   - the delete record paths: a write to a BOTH file, a size change, a
 *     write or size change of an OFFLOADED file (recall first), the
 *     removal of an OFFLOADED file (its object kept while the keep hook
 *     says it is still open);
 *   - fsck finds residency that disagrees with the records;
 *   - in a group-commit batch over two shards crashed at each commit, the
 *     residency changes and their delete records commit all or none.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_ns_util.h"
#include "tier_job_harness.h"
#include "tier_key.h"
#include "tier_test_log.h"

#define PREFIX "t"
#define NFILES 3
#define CHUNK (64u * 1024)

struct fx {
	struct tier_site t;
	struct fault f;
	struct fault_backend fb;
	struct fault_data fd;
	struct fault_meta fm;
	struct tier_engine e;   /* through the fault injector */
	struct tier_engine raw; /* straight */
	uint64_t fid[NFILES];
	uint8_t *data[NFILES];
	size_t len[NFILES];
};

static void engines_init(struct fx *x)
{
	x->fd = (struct fault_data){ &x->t.ds, &x->f };
	x->fm = (struct fault_meta){ x->t.ns, &x->f };
	fault_backend_init(&x->fb, x->t.b, &x->f);
	x->e = (struct tier_engine){ &x->fb.base, PREFIX, &fault_data_ops,
				     &x->fd, &fault_meta_ops, &x->fm, CHUNK,
				     NULL, NULL, NULL, NULL, NULL };
	x->raw = (struct tier_engine){ x->t.b, PREFIX, &memds_ops, &x->t.ds,
				       &tier_meta_ns, x->t.ns, CHUNK, NULL,
				       NULL, NULL, NULL, NULL };
}

/* A regular file NAME of LEN bytes (its copy at generation 0). */
static void file_make(struct fx *x, int i, const char *name, size_t len)
{
	x->fid[i] = tu_create(x->t.ns, NS_ROOT_FILEID, name, NS_REG);
	x->len[i] = len;
	x->data[i] = malloc(len ? len : 1);
	tier_fill(x->data[i], len, (uint32_t)i + 7);
	if (len)
		assert_int_equal(ns_note_write(x->t.ns, x->fid[i], len, NULL),
				 0);
	memds_put(&x->t.ds, x->fid[i], 0, x->data[i], len);
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);

	tier_site_open(&x->t);
	assert_int_equal(ns_test_set_nosync(x->t.ns, 1), 0);
	x->f.limit = -1;
	engines_init(x);
	file_make(x, 0, "big", 5 * CHUNK / 2 + 3); /* chunks: 2.5 + */
	file_make(x, 1, "small", 5000);
	file_make(x, 2, "empty", 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	tier_site_close(&x->t);
	for (int i = 0; i < NFILES; i++)
		free(x->data[i]);
	free(x);
	return 0;
}

/* ---- the invariant ------------------------------------------------------ */

static void key_of(const struct ns_tier_obj *o, char *key, size_t cap)
{
	struct tier_key k = { o->fileid, o->gen, o->ver };

	assert_true(tier_key_format(key, cap, PREFIX, &k) > 0);
}

/* FILE I's object holds its bytes and is what the inode says. */
static void object_holds(struct fx *x, int i, const struct ns_inode *ino)
{
	struct ns_tier_obj o;
	struct tier_obj h;
	char key[TIER_KEY_MAX];
	uint8_t *buf = malloc(x->len[i] + 1);
	size_t got = 0;

	assert_int_equal(ns_tier_obj_get(x->t.ns, x->fid[i], &o), 0);
	key_of(&o, key, sizeof key);
	assert_int_equal(tier_head(x->t.b, key, &h, NULL), 0);
	assert_true(h.size == x->len[i] && o.size == x->len[i]);
	assert_string_equal(h.etag, o.etag);
	assert_string_equal(ino->object_etag, o.etag);
	if (x->len[i]) {
		assert_int_equal(tier_get(x->t.b, key, 0, x->len[i], buf, &got,
					  NULL),
				 0);
		assert_true(got == x->len[i]);
		assert_memory_equal(buf, x->data[i], x->len[i]);
	}
	free(buf);
}

static void copy_holds(struct fx *x, int i, const struct ns_inode *ino)
{
	const struct memds_copy *c =
		memds_find(&x->t.ds, x->fid[i], ino->layout_gen);

	assert_non_null(c);
	assert_true(c->len == x->len[i]);
	if (x->len[i])
		assert_memory_equal(c->buf, x->data[i], x->len[i]);
}

/* Every existing file has its bytes where its residency says. Returns
 * how many files are OFFLOADED. */
static int files_hold(struct fx *x)
{
	int offloaded = 0;

	for (int i = 0; i < NFILES; i++) {
		struct ns_inode ino;
		struct ns_tier_job j;
		struct ns_tier_obj o;
		int rc = ns_getattr(x->t.ns, x->fid[i], &ino);

		if (rc == -ENOENT) { /* removed: nothing of it may stay */
			assert_int_equal(ns_tier_obj_get(x->t.ns, x->fid[i], &o),
					 -ENOENT);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(ns_tier_job_get(x->t.ns, x->fid[i], &j),
				 -ENOENT);
		if (ino.residency != NS_RES_OFFLOADED)
			copy_holds(x, i, &ino);
		if (ino.residency != NS_RES_LOCAL)
			object_holds(x, i, &ino);
		else
			assert_int_equal(ns_tier_obj_get(x->t.ns, x->fid[i], &o),
					 -ENOENT);
		offloaded += ino.residency == NS_RES_OFFLOADED;
	}
	return offloaded;
}

/* No record to act on, no object or copy nobody refers to. */
static void nothing_left(struct fx *x)
{
	struct ns_tier_obj v[8];
	struct ns_tier_rel r[8];
	struct tier_list_page all;
	size_t n, nobj;

	assert_int_equal(ns_tier_dels(x->t.ns, NULL, v, 8, &n), 0);
	assert_int_equal((int)n, 0);
	assert_int_equal(ns_tier_rels(x->t.ns, NULL, r, 8, &n), 0);
	assert_int_equal((int)n, 0);
	assert_int_equal(ns_tier_objs(x->t.ns, NULL, v, 8, &nobj), 0);
	assert_int_equal(tier_list_all(x->t.b, PREFIX "/", 100, &all, NULL), 0);
	assert_int_equal((int)all.n, (int)nobj); /* no orphan object */
	for (size_t i = 0; i < all.n; i++) {
		struct tier_key k;
		size_t hit = 0;

		assert_int_equal(tier_key_parse(all.v[i].key, PREFIX, &k), 0);
		for (size_t j = 0; j < nobj; j++)
			hit += v[j].fileid == k.fileid && v[j].ver == k.ver;
		assert_int_equal((int)hit, 1);
	}
	tier_list_free(&all);
	for (size_t i = 0; i < x->t.ds.n; i++) { /* only current copies */
		struct ns_inode ino;

		assert_int_equal(ns_getattr(x->t.ns, x->t.ds.c[i].fileid, &ino),
				 0);
		assert_true(ino.residency != NS_RES_OFFLOADED);
		assert_true(ino.layout_gen == x->t.ds.c[i].gen);
	}
}

/* ---- a crash at every step ---------------------------------------------- */

/* A meta step the engine does not make: the server's own change. */
static void server_step(struct fx *x, int (*fn)(struct fx *))
{
	if (fault_pass(&x->f))
		(void)fn(x);
}

static int remove_small(struct fx *x)
{
	return ns_remove(x->t.ns, NS_ROOT_FILEID, "small", 5, NULL, NULL, NULL);
}

static int resize_empty(struct fx *x)
{
	struct ns_inode a = { .size = 0 };

	return ns_setattr(x->t.ns, x->fid[2], NS_SET_SIZE, &a, NULL);
}

/* The run: results are not checked (after the crash each call fails). */
static void run(struct fx *x)
{
	int committed;

	for (int i = 0; i < NFILES; i++)
		(void)tier_offload(&x->e, x->fid[i], &committed, NULL);
	(void)tier_release(&x->e, x->fid[0], NULL);
	(void)tier_release(&x->e, x->fid[1], NULL);
	(void)tier_recall(&x->e, x->fid[0], NULL);
	server_step(x, remove_small);
	server_step(x, resize_empty);
	(void)tier_release(&x->e, x->fid[0], NULL);
	(void)tier_drain(&x->e, NULL, NULL, NULL);
}

/* The process died: reopen the namespace, recover, drain, check; then
 * recall whatever is offloaded and check again. */
static void restart_and_check(struct fx *x)
{
	size_t jobs;

	ns_close(x->t.ns);
	x->t.ns = tu_open(x->t.nsdir, 2);
	engines_init(x);
	assert_int_equal(tier_recover(&x->raw, &jobs, NULL), 0);
	assert_int_equal(tier_drain(&x->raw, NULL, NULL, NULL), 0);
	/* Every copy dropped, by the run or by the drain, was fenced
	 * first (decision 0030). */
	assert_int_equal(x->t.ds.unfenced_drops, 0);
	files_hold(x);
	nothing_left(x);
	for (int i = 0; i < NFILES; i++) {
		struct ns_inode ino;

		if (ns_getattr(x->t.ns, x->fid[i], &ino) == 0 &&
		    ino.residency == NS_RES_OFFLOADED)
			assert_int_equal(tier_recall(&x->raw, x->fid[i], NULL),
					 0);
	}
	assert_int_equal(files_hold(x), 0);
	nothing_left(x);
	tu_fsck_clean(x->t.ns);
}

static void test_crash_every_step(void **state)
{
	struct fx *x = *state;
	long total;

	run(x); /* no crash: count the steps, and the run's end state */
	total = x->f.steps;
	assert_false(x->f.dead);
	assert_true(total > 30);
	assert_int_equal(files_hold(x), 1); /* "big" ends OFFLOADED */
	nothing_left(x);
	teardown(state);
	for (long k = 0; k <= total; k++) {
		setup(state);
		x = *state;
		x->f.limit = k;
		run(x);
		assert_true(x->f.dead == (k < total));
		restart_and_check(x);
		if (k < total)
			teardown(state);
	}
	print_message("crash points: %ld (every step of the run)\n",
		      total + 1);
}

/* ---- single flows -------------------------------------------------------- */

static int written_once;

static void write_during_upload(void *arg)
{
	struct fx *x = arg;

	if (written_once++)
		return;
	assert_int_equal(ns_note_write(x->t.ns, x->fid[1], x->len[1], NULL), 0);
}

static void test_modified_during_upload(void **state)
{
	struct fx *x = *state;
	struct ns_tier_obj d[4];
	struct tier_list_page all;
	struct ns_inode ino;
	size_t n, deleted;
	int committed = -1;

	written_once = 0;
	x->t.ds.on_read = write_during_upload;
	x->t.ds.on_read_arg = x;
	assert_int_equal(tier_offload(&x->raw, x->fid[1], &committed, NULL),
			 0);
	x->t.ds.on_read = NULL;
	assert_int_equal(written_once, 1);
	assert_int_equal(committed, 0);
	ino = tu_getattr(x->t.ns, x->fid[1]);
	assert_int_equal(ino.residency, NS_RES_LOCAL);
	assert_string_equal(ino.object_etag, "");
	/* The object was stored, and is to be deleted. */
	assert_int_equal(ns_tier_dels(x->t.ns, NULL, d, 4, &n), 0);
	assert_int_equal((int)n, 1);
	assert_true(d[0].fileid == x->fid[1]);
	assert_int_equal(tier_list_all(x->t.b, PREFIX "/", 100, &all, NULL), 0);
	assert_int_equal((int)all.n, 1);
	tier_list_free(&all);
	assert_int_equal(tier_drain(&x->raw, &deleted, NULL, NULL), 0);
	assert_int_equal((int)deleted, 1);
	nothing_left(x);
	/* Offloaded again untouched: BOTH, under a new version. */
	assert_int_equal(tier_offload(&x->raw, x->fid[1], &committed, NULL),
			 0);
	assert_int_equal(committed, 1);
	assert_int_equal(ns_tier_obj_get(x->t.ns, x->fid[1], &d[1]), 0);
	assert_true(d[1].ver > d[0].ver);
	files_hold(x);
}

static void test_recall_exact_bytes(void **state)
{
	struct fx *x = *state;
	struct ns_inode ino;
	int committed;

	assert_int_equal(tier_offload(&x->raw, x->fid[0], &committed, NULL),
			 0);
	assert_int_equal(committed, 1);
	assert_int_equal(tier_release(&x->raw, x->fid[0], NULL), 0);
	ino = tu_getattr(x->t.ns, x->fid[0]);
	assert_int_equal(ino.residency, NS_RES_OFFLOADED);
	assert_true(ino.layout_gen == 1);
	assert_null(memds_find(&x->t.ds, x->fid[0], 0)); /* copy freed */
	assert_null(memds_find(&x->t.ds, x->fid[0], 1));
	assert_int_equal(tier_recall(&x->raw, x->fid[0], NULL), 0);
	ino = tu_getattr(x->t.ns, x->fid[0]);
	assert_int_equal(ino.residency, NS_RES_BOTH);
	assert_true(ino.layout_gen == 2);
	copy_holds(x, 0, &ino); /* byte for byte, 3 GETs of CHUNK */
	object_holds(x, 0, &ino);
	/* A second recall has nothing to do. */
	assert_int_equal(tier_recall(&x->raw, x->fid[0], NULL), -EALREADY);
	nothing_left(x);
}

/* A recall that fails part way, retried before any drain: the retry
 * writes a new generation, so draining the first one's release record
 * cannot free the copy the file now uses. */
static void test_recall_retry_after_failure(void **state)
{
	struct fx *x = *state;
	struct ns_inode ino;
	size_t freed;
	int committed;

	assert_int_equal(tier_offload(&x->raw, x->fid[0], &committed, NULL),
			 0);
	assert_int_equal(tier_release(&x->raw, x->fid[0], NULL), 0);
	x->t.ds.fail_write_at = 2; /* the second chunk */
	assert_int_equal(tier_recall(&x->raw, x->fid[0], NULL), -EIO);
	ino = tu_getattr(x->t.ns, x->fid[0]);
	assert_int_equal(ino.residency, NS_RES_OFFLOADED);
	assert_non_null(memds_find(&x->t.ds, x->fid[0], 2)); /* partial */
	assert_int_equal(tier_recall(&x->raw, x->fid[0], NULL), 0);
	ino = tu_getattr(x->t.ns, x->fid[0]);
	assert_true(ino.layout_gen == 3);
	assert_int_equal(tier_drain(&x->raw, NULL, &freed, NULL), 0);
	assert_int_equal((int)freed, 1);
	assert_int_equal(files_hold(x), 0);
	nothing_left(x);
	tu_fsck_clean(x->t.ns);
}

/* Replace the object of FILE I by other bytes of its size (a new inode,
 * so the dir backend's etag changes). */
static void object_tamper(struct fx *x, int i)
{
	struct ns_tier_obj o;
	char key[TIER_KEY_MAX], path[1400], tmp[1500];
	uint8_t *junk = calloc(1, x->len[i] + 1);
	int fd;

	assert_int_equal(ns_tier_obj_get(x->t.ns, x->fid[i], &o), 0);
	key_of(&o, key, sizeof key);
	snprintf(path, sizeof path, "%s/%s", x->t.objdir, key);
	snprintf(tmp, sizeof tmp, "%s.junk", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_true(write(fd, junk, x->len[i]) == (ssize_t)x->len[i]);
	close(fd);
	assert_int_equal(rename(tmp, path), 0);
	free(junk);
}

static void test_recall_refuses_changed_object(void **state)
{
	struct fx *x = *state;
	struct ns_tier_job j;
	struct ns_inode ino;
	struct tier_status st;
	size_t freed;
	int committed;

	assert_int_equal(tier_offload(&x->raw, x->fid[1], &committed, NULL),
			 0);
	assert_int_equal(tier_release(&x->raw, x->fid[1], NULL), 0);
	object_tamper(x, 1);
	assert_int_equal(tier_recall(&x->raw, x->fid[1], &st), -EIO);
	assert_non_null(strstr(st.msg, "recall"));
	ino = tu_getattr(x->t.ns, x->fid[1]);
	assert_int_equal(ino.residency, NS_RES_OFFLOADED);
	assert_int_equal(ns_tier_job_get(x->t.ns, x->fid[1], &j), -ENOENT);
	assert_null(memds_find(&x->t.ds, x->fid[1], ino.layout_gen + 1));
	/* The given-up copy's release record is drained. */
	assert_int_equal(tier_drain(&x->raw, NULL, &freed, NULL), 0);
	assert_int_equal((int)freed, 1);
}

static void test_release_needs_object(void **state)
{
	struct fx *x = *state;
	struct ns_tier_obj o;
	struct ns_inode ino;
	char key[TIER_KEY_MAX];
	int committed;

	assert_int_equal(tier_offload(&x->raw, x->fid[1], &committed, NULL),
			 0);
	assert_int_equal(ns_tier_obj_get(x->t.ns, x->fid[1], &o), 0);
	key_of(&o, key, sizeof key);
	assert_int_equal(tier_delete(x->t.b, key, NULL), 0); /* behind our back */
	assert_int_equal(tier_release(&x->raw, x->fid[1], NULL), -ENOENT);
	ino = tu_getattr(x->t.ns, x->fid[1]);
	assert_int_equal(ino.residency, NS_RES_BOTH);
	copy_holds(x, 1, &ino); /* the only copy stays */
	/* A LOCAL file has nothing to release to. */
	assert_int_equal(tier_release(&x->raw, x->fid[0], NULL), -EALREADY);
}

/* The delete list holds exactly FILE I's object O. */
static void dels_are(struct fx *x, const struct ns_tier_obj *o)
{
	struct ns_tier_obj d[4];
	size_t n;

	assert_int_equal(ns_tier_dels(x->t.ns, NULL, d, 4, &n), 0);
	assert_int_equal((int)n, 1);
	assert_true(d[0].fileid == o->fileid && d[0].gen == o->gen &&
		    d[0].ver == o->ver);
}

static void drained_gone(struct fx *x, const struct ns_tier_obj *o)
{
	struct tier_obj h;
	char key[TIER_KEY_MAX];
	size_t deleted;

	key_of(o, key, sizeof key);
	assert_int_equal(tier_head(x->t.b, key, &h, NULL), 0); /* until drain */
	assert_int_equal(tier_drain(&x->raw, &deleted, NULL, NULL), 0);
	assert_int_equal((int)deleted, 1);
	assert_int_equal(tier_head(x->t.b, key, &h, NULL), -ENOENT);
}

/* The keep hook: the file ARG names is held open. */
static int held_open(void *arg, uint64_t fileid)
{
	return fileid == *(const uint64_t *)arg;
}

static void test_delete_records(void **state)
{
	struct fx *x = *state;
	struct ns_inode a = { .size = 10 }, ino;
	struct ns_tier_obj o;
	size_t deleted;
	int committed;

	/* A write to a BOTH file: LOCAL, and its object to delete. */
	assert_int_equal(tier_offload(&x->raw, x->fid[0], &committed, NULL),
			 0);
	assert_int_equal(ns_tier_obj_get(x->t.ns, x->fid[0], &o), 0);
	assert_int_equal(ns_note_write(x->t.ns, x->fid[0], 1, &ino), 0);
	assert_int_equal(ino.residency, NS_RES_LOCAL);
	assert_int_equal(ns_tier_obj_get(x->t.ns, x->fid[0], &o), -ENOENT);
	dels_are(x, &o);
	drained_gone(x, &o);
	/* An OFFLOADED file: writes and size changes wait for a recall. */
	assert_int_equal(tier_offload(&x->raw, x->fid[1], &committed, NULL),
			 0);
	assert_int_equal(tier_release(&x->raw, x->fid[1], NULL), 0);
	assert_int_equal(ns_tier_obj_get(x->t.ns, x->fid[1], &o), 0);
	assert_int_equal(ns_note_write(x->t.ns, x->fid[1], 1, NULL), -EAGAIN);
	assert_int_equal(ns_setattr(x->t.ns, x->fid[1], NS_SET_SIZE, &a, NULL),
			 -EAGAIN);
	assert_int_equal(tu_getattr(x->t.ns, x->fid[1]).residency,
			 NS_RES_OFFLOADED);
	/* ... but truncation to zero needs none. */
	a.size = 0;
	assert_int_equal(ns_setattr(x->t.ns, x->fid[1], NS_SET_SIZE, &a, &ino),
			 0);
	assert_int_equal(ino.residency, NS_RES_LOCAL);
	assert_true(ino.flags & NS_INO_NO_DATA); /* no copy to look for */
	dels_are(x, &o);
	drained_gone(x, &o);
	/* Removing an OFFLOADED file deletes its object. */
	assert_int_equal(ns_note_write(x->t.ns, x->fid[1], 0, NULL), 0);
	memds_put(&x->t.ds, x->fid[1], tu_getattr(x->t.ns, x->fid[1]).layout_gen,
		  "", 0);
	assert_int_equal(tier_offload(&x->raw, x->fid[1], &committed, NULL),
			 0);
	assert_int_equal(tier_release(&x->raw, x->fid[1], NULL), 0);
	assert_int_equal(ns_tier_obj_get(x->t.ns, x->fid[1], &o), 0);
	assert_int_equal(remove_small(x), 0);
	assert_int_equal(ns_tier_obj_get(x->t.ns, x->fid[1], &o), -ENOENT);
	dels_are(x, &o);
	/* ... once no one holds it open any more. */
	x->raw.keep = held_open;
	x->raw.keep_arg = &x->fid[1];
	assert_int_equal(tier_drain(&x->raw, &deleted, NULL, NULL), 0);
	assert_int_equal((int)deleted, 0);
	dels_are(x, &o);
	x->raw.keep = NULL;
	drained_gone(x, &o);
}

/* Two BOTH files on two shards (the batch test's): offloaded afresh if
 * a batch made them LOCAL, and their old objects drained. */
static void both_tiered(struct fx *x, const uint64_t *fid)
{
	int committed;

	for (int i = 0; i < 2; i++)
		if (tu_getattr(x->t.ns, fid[i]).residency == NS_RES_LOCAL)
			assert_int_equal(tier_offload(&x->raw, fid[i],
						      &committed, NULL),
					 0);
	assert_int_equal(tier_drain(&x->raw, NULL, NULL, NULL), 0);
}

/* FID's two files are both tiered with no delete record, or both LOCAL
 * with one each: never one without the other. Returns 1 for the latter. */
static int all_or_nothing(struct fx *x, const uint64_t *fid)
{
	struct ns_tier_obj v[4], o;
	size_t n;
	int local[2];

	for (int i = 0; i < 2; i++) {
		struct ns_inode ino = tu_getattr(x->t.ns, fid[i]);

		local[i] = ino.residency == NS_RES_LOCAL;
		assert_int_equal(ns_tier_obj_get(x->t.ns, fid[i], &o),
				 local[i] ? -ENOENT : 0);
	}
	assert_int_equal(local[0], local[1]);
	assert_int_equal(ns_tier_dels(x->t.ns, NULL, v, 4, &n), 0);
	assert_int_equal((int)n, local[0] ? 2 : 0);
	tu_fsck_clean(x->t.ns);
	return local[0];
}

/* Writes to two BOTH files on two shards in one group-commit batch, the
 * namespace crashed at each of the batch's commits: the residency
 * change and the delete record commit together, on both shards or none. */
static void test_batch_crash(void **state)
{
	struct fx *x = *state;
	uint64_t fid[2];
	char name[64];
	int k, seen_before = 0, seen_after = 0;

	for (unsigned s = 0; s < 2; s++) {
		tu_name_on_shard(x->t.ns, NS_ROOT_FILEID, s, "b", name,
				 sizeof name);
		fid[s] = tu_create(x->t.ns, NS_ROOT_FILEID, name, NS_REG);
		assert_int_equal((int)ns_fileid_shard(fid[s]), (int)s);
		memds_put(&x->t.ds, fid[s], 0, "", 0);
	}
	for (k = 0;; k++) {
		int crashed, rc;

		both_tiered(x, fid);
		ns_test_crash_after(x->t.ns, k);
		assert_int_equal(ns_batch_begin(x->t.ns), 0);
		for (int i = 0; i < 2; i++)
			(void)ns_note_write(x->t.ns, fid[i], 0, NULL);
		rc = ns_batch_end(x->t.ns);
		crashed = ns_test_crashed(x->t.ns);
		assert_int_equal(rc, crashed ? -EIO : 0);
		ns_test_crash_after(x->t.ns, -1);
		ns_close(x->t.ns);
		x->t.ns = tu_open(x->t.nsdir, 2);
		engines_init(x);
		if (all_or_nothing(x, fid))
			seen_after++;
		else
			seen_before++;
		if (!crashed)
			break;
	}
	/* A crash before the first commit loses the batch, one after the
	 * intent keeps it (replayed); a batch over 2 shards commits 3 times. */
	assert_int_equal(k, 3);
	assert_true(seen_before >= 1 && seen_after >= 2);
}

static void count_report(void *ctx, const char *msg)
{
	(void)msg;
	++*(int *)ctx;
}

/* fsck checks the tier's invariants: residency set behind the records'
 * back is found, both ways. */
static void test_fsck_tier(void **state)
{
	struct fx *x = *state;
	struct ns_inode a = { .residency = NS_RES_OFFLOADED };
	int committed, n = 0;

	assert_int_equal(tier_offload(&x->raw, x->fid[0], &committed, NULL),
			 0);
	tu_fsck_clean(x->t.ns);
	/* OFFLOADED with no object record. */
	assert_int_equal(ns_setattr(x->t.ns, x->fid[1], NS_SET_RESIDENCY, &a,
				    NULL),
			 0);
	/* An object record of a file made LOCAL by hand. */
	a.residency = NS_RES_LOCAL;
	assert_int_equal(ns_setattr(x->t.ns, x->fid[0], NS_SET_RESIDENCY, &a,
				    NULL),
			 0);
	assert_int_equal(ns_fsck(x->t.ns, count_report, &n), 2);
	assert_int_equal(n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_crash_every_step, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_modified_during_upload,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_recall_exact_bytes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_recall_refuses_changed_object, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_recall_retry_after_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_needs_object,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_records, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fsck_tier, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_batch_crash, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
