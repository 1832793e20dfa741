/*
 * tests/unit/test_tier_gc.c -- the orphan collector (tiering/tier_gc.c)
 * over a real namespace and the dir backend: live objects (an object
 * record, an upload's job), one with a pending delete record, foreign
 * keys and an orphan; the orphan deleted only after the grace, counted
 * but kept in a dry run; and failing closed: a listing error or an error
 * reading the references deletes nothing, even past the grace; unfinished
 * multipart uploads (the fault backend lists them): those no job names
 * aborted after the grace, an error listing them deletes nothing; with
 * several metadata nodes on one store, another node's orphan is left to
 * that node (decision 0037).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "test_ns_util.h"
#include "tier_gc.h"
#include "tier_job_harness.h"
#include "tier_test_log.h"

#define PREFIX "t"

struct fx {
	struct tier_site t;
	struct fault f;
	struct fault_backend fb;
	struct fault_meta fm;
	struct tier_engine raw;
	char live[TIER_KEY_MAX], job[TIER_KEY_MAX], pending[TIER_KEY_MAX];
	char orphan[TIER_KEY_MAX];
};

static const char *const foreign[] = { "t/v1/zz/notours",
				       "t/v1/00/0000000000000001-00000000-1" };

static int src_zero(void *arg, uint64_t off, void *buf, size_t len)
{
	(void)arg;
	(void)off;
	memset(buf, 0, len);
	return 0;
}

static void put_key(struct fx *x, const char *key)
{
	struct tier_source src = { src_zero, NULL };

	assert_int_equal(tier_put(x->t.b, key, &src, 10, NULL, NULL), 0);
}

static void key_of(uint64_t fileid, uint32_t gen, uint64_t ver, char *key)
{
	struct tier_key k = { fileid, gen, ver };

	assert_true(tier_key_format(key, TIER_KEY_MAX, PREFIX, &k) > 0);
}

static uint64_t file_make(struct fx *x, const char *name)
{
	uint64_t fid = tu_create(x->t.ns, NS_ROOT_FILEID, name, NS_REG);

	assert_int_equal(ns_note_write(x->t.ns, fid, 10, NULL), 0);
	memds_put(&x->t.ds, fid, 0, "0123456789", 10);
	return fid;
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);
	struct ns_tier_obj o;
	struct ns_tier_job j;
	struct ns_inode a = { .size = 10 };
	uint64_t f1, f2, f3;
	int committed;

	tier_site_open(&x->t);
	x->raw = (struct tier_engine){ x->t.b, PREFIX, &memds_ops, &x->t.ds,
				       &tier_meta_ns, x->t.ns, 0, NULL, NULL,
				       NULL, NULL, NULL };
	/* Live: an offloaded file's object. */
	f1 = file_make(x, "one");
	assert_int_equal(tier_offload(&x->raw, f1, &committed, NULL), 0);
	assert_int_equal(ns_tier_obj_get(x->t.ns, f1, &o), 0);
	key_of(o.fileid, o.gen, o.ver, x->live);
	/* Live: an upload under way (job written, object stored). */
	f2 = file_make(x, "two");
	assert_int_equal(ns_tier_offload_begin(x->t.ns, f2, &j), 0);
	key_of(j.fileid, j.gen, j.ver, x->job);
	put_key(x, x->job);
	/* Pending: a BOTH file changed (its object on the delete list). */
	f3 = file_make(x, "three");
	assert_int_equal(tier_offload(&x->raw, f3, &committed, NULL), 0);
	assert_int_equal(ns_tier_obj_get(x->t.ns, f3, &o), 0);
	key_of(o.fileid, o.gen, o.ver, x->pending);
	assert_int_equal(ns_setattr(x->t.ns, f3, NS_SET_SIZE, &a, NULL), 0);
	/* An orphan: the tier's form, nothing refers to it. */
	key_of(f1, 0, 999, x->orphan);
	put_key(x, x->orphan);
	for (size_t i = 0; i < 2; i++)
		put_key(x, foreign[i]);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	tier_site_close(&x->t);
	free(x);
	return 0;
}

static int present(struct fx *x, const char *key)
{
	struct tier_obj h;
	int rc = tier_head(x->t.b, key, &h, NULL);

	assert_true(rc == 0 || rc == -ENOENT);
	return rc == 0;
}

static void all_but_orphan_present(struct fx *x)
{
	assert_true(present(x, x->live));
	assert_true(present(x, x->job));
	assert_true(present(x, x->pending));
	assert_true(present(x, foreign[0]) && present(x, foreign[1]));
}

static void test_grace(void **state)
{
	struct fx *x = *state;
	struct tier_gc_seen seen = { 0 };
	struct tier_gc_report r;

	assert_int_equal(tier_gc_pass(&x->raw, &seen, 1000, 100, 0, &r, NULL),
			 0);
	assert_int_equal((int)r.listed, 6);
	assert_int_equal((int)r.live, 2);
	assert_int_equal((int)r.pending_delete, 1);
	assert_int_equal((int)r.foreign, 2);
	assert_int_equal((int)r.orphans, 1);
	assert_int_equal((int)r.young, 1);
	assert_int_equal((int)r.deleted, 0);
	assert_true(present(x, x->orphan));
	assert_int_equal(tier_gc_pass(&x->raw, &seen, 1099, 100, 0, &r, NULL),
			 0);
	assert_int_equal((int)r.deleted, 0);
	assert_true(present(x, x->orphan));
	/* Seen orphaned for the whole grace: deleted; nothing else is. */
	assert_int_equal(tier_gc_pass(&x->raw, &seen, 1100, 100, 0, &r, NULL),
			 0);
	assert_int_equal((int)r.deleted, 1);
	assert_false(present(x, x->orphan));
	all_but_orphan_present(x);
	assert_int_equal((int)seen.n, 0);
	tier_gc_seen_free(&seen);
}

/* Fileids of "node 7" (top byte 0x77): not this engine's. */
#define OTHER_NODE_FILEID 0x7700000000000001ull
static int mine_not_77(void *arg, uint64_t fileid)
{
	(void)arg;
	return (fileid >> 56) != 0x77;
}

static void test_other_nodes_objects(void **state)
{
	struct fx *x = *state;
	struct tier_gc_seen seen = { 0 };
	struct tier_gc_report r;
	char theirs[TIER_KEY_MAX];

	/* Another node's object: nothing in this namespace refers to it. */
	key_of(OTHER_NODE_FILEID, 0, 5, theirs);
	put_key(x, theirs);
	x->raw.mine = mine_not_77;
	assert_int_equal(tier_gc_pass(&x->raw, &seen, 1000, 0, 0, &r, NULL),
			 0);
	assert_int_equal((int)r.others, 1);
	assert_int_equal((int)r.orphans, 1);
	assert_int_equal((int)r.deleted, 1); /* this node's orphan */
	assert_true(present(x, theirs));
	all_but_orphan_present(x);
	tier_gc_seen_free(&seen);
	/* Without the filter the same pass would have deleted it. */
	x->raw.mine = NULL;
	assert_int_equal(tier_gc_pass(&x->raw, &seen, 1000, 0, 1, &r, NULL),
			 0);
	assert_int_equal((int)r.orphans, 1);
	assert_int_equal((int)r.others, 0);
	tier_gc_seen_free(&seen);
}

static void test_dry_run(void **state)
{
	struct fx *x = *state;
	struct tier_gc_seen seen = { 0 };
	struct tier_gc_report r;

	assert_int_equal(tier_gc_pass(&x->raw, &seen, 1000, 0, 1, &r, NULL),
			 0);
	assert_int_equal((int)r.orphans, 1);
	assert_int_equal((int)r.deleted, 0);
	assert_true(present(x, x->orphan));
	all_but_orphan_present(x);
	tier_gc_seen_free(&seen);
}

/* The listing fails (the backend's list call, every page). */
static void test_listing_error_deletes_nothing(void **state)
{
	struct fx *x = *state;
	struct tier_gc_seen seen = { 0 };
	struct tier_gc_report r;
	struct tier_engine e = x->raw;
	struct tier_status st;

	/* An earlier pass saw the orphan long ago. */
	assert_int_equal(tier_gc_pass(&x->raw, &seen, 0, 100, 0, &r, NULL), 0);
	assert_int_equal((int)seen.n, 1);
	x->f.limit = 0;
	fault_backend_init(&x->fb, x->t.b, &x->f);
	e.backend = &x->fb.base;
	assert_int_equal(tier_gc_pass(&e, &seen, 5000, 100, 0, &r, &st),
			 -ECANCELED);
	assert_int_equal((int)r.deleted, 0);
	assert_non_null(strstr(st.msg, "nothing deleted"));
	assert_int_equal((int)seen.n, 1); /* unchanged */
	assert_true(present(x, x->orphan));
	all_but_orphan_present(x);
	tier_gc_seen_free(&seen);
}

/* The listing succeeds, reading the references fails: nothing goes. */
static void test_refs_error_deletes_nothing(void **state)
{
	struct fx *x = *state;
	struct tier_gc_seen seen = { 0 };
	struct tier_gc_report r;
	struct tier_engine e = x->raw;

	/* objs pages pass, the jobs read fails. */
	x->f.limit = 1;
	x->fm = (struct fault_meta){ x->t.ns, &x->f };
	e.meta = &fault_meta_ops;
	e.meta_arg = &x->fm;
	assert_int_equal(tier_gc_pass(&e, &seen, 1000, 0, 0, &r, NULL),
			 -ECANCELED);
	assert_int_equal((int)r.deleted, 0);
	assert_true(present(x, x->orphan));
	all_but_orphan_present(x);
	/* The same pass with the references readable deletes it. */
	assert_int_equal(tier_gc_pass(&x->raw, &seen, 1000, 0, 0, &r, NULL),
			 0);
	assert_int_equal((int)r.deleted, 1);
	all_but_orphan_present(x);
	tier_gc_seen_free(&seen);
}

/* Unfinished multipart uploads: one a job names is kept, one of an
 * orphan's key and one of a key with a delete record are aborted after
 * the grace, a foreign one is never touched; an error listing them
 * deletes nothing at all. */
static void test_uploads(void **state)
{
	struct fx *x = *state;
	struct tier_gc_seen seen = { 0 };
	struct tier_gc_report r;
	struct tier_engine e = x->raw;
	char orphan2[TIER_KEY_MAX];
	const char *ups[4];

	key_of(1234, 0, 7, orphan2);
	ups[0] = x->job, ups[1] = orphan2, ups[2] = x->pending;
	ups[3] = foreign[0];
	x->f.limit = -1;
	fault_backend_init(&x->fb, x->t.b, &x->f);
	x->fb.uploads = ups;
	x->fb.nuploads = 4;
	e.backend = &x->fb.base;
	assert_int_equal(tier_gc_pass(&e, &seen, 1000, 100, 0, &r, NULL), 0);
	assert_int_equal((int)r.uploads, 3);
	assert_int_equal((int)r.upload_orphans, 2);
	assert_int_equal((int)r.aborted, 0);
	assert_int_equal((int)seen.nu, 2);
	assert_int_equal(tier_gc_pass(&e, &seen, 1099, 100, 1, &r, NULL), 0);
	assert_int_equal((int)r.aborted + (int)x->fb.naborted, 0); /* dry */
	assert_int_equal(tier_gc_pass(&e, &seen, 1100, 100, 0, &r, NULL), 0);
	assert_int_equal((int)r.aborted, 2);
	assert_int_equal((int)x->fb.naborted, 2);
	assert_string_equal(x->fb.aborted[0], orphan2);
	assert_string_equal(x->fb.aborted[1], x->pending);
	assert_int_equal((int)seen.nu, 0);
	/* The object listing passes, the uploads' fails: nothing goes, not
	 * even an object orphan seen long ago. */
	assert_false(present(x, x->orphan)); /* deleted at 1100 */
	put_key(x, x->orphan);
	assert_int_equal(tier_gc_pass(&e, &seen, 8000, 100, 0, &r, NULL), 0);
	assert_int_equal((int)r.young, 1);
	x->f.limit = 1;
	x->f.steps = 0;
	x->f.dead = 0;
	x->fb.naborted = 0;
	x->fb.nuploads = 2; /* the job's and orphan2, which is new again */
	assert_int_equal(tier_gc_pass(&e, &seen, 9000, 100, 0, &r, NULL),
			 -ECANCELED);
	assert_int_equal((int)r.deleted + (int)r.aborted, 0);
	assert_true(present(x, x->orphan));
	tier_gc_seen_free(&seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_grace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_nodes_objects, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_listing_error_deletes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refs_error_deletes_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_uploads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
