/*
 * tests/unit/test_ns_util.c — see test_ns_util.h.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ns_tier.h"
#include "test_ns_util.h"

char *tu_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (!base || !*base)
		base = "/tmp";
	assert_true(asprintf(&dir, "%s/strata-ns-XXXXXX", base) > 0);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tu_rmrf(char *dir)
{
	if (!dir)
		return;
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

struct ns *tu_open(const char *dir, unsigned nshards)
{
	struct ns *ns = NULL;
	int rc = ns_open(&ns, dir, nshards);

	assert_int_equal(rc, 0);
	assert_non_null(ns);
	return ns;
}

uint64_t tu_create(struct ns *ns, uint64_t parent, const char *name,
		   uint32_t type)
{
	struct ns_create_args a = { .type = type, .mode = 0644, .exclusive = 1 };
	struct ns_inode out;
	int rc;

	if (type == NS_DIR)
		a.mode = 0755;
	if (type == NS_LNK) {
		a.symlink = "target";
		a.symlink_len = 6;
	}
	rc = ns_create(ns, parent, name, strlen(name), &a, &out, NULL);
	if (rc)
		fprintf(stderr, "create %s: %s\n", name, strerror(-rc));
	assert_int_equal(rc, 0);
	return out.fileid;
}

struct ns_inode tu_getattr(struct ns *ns, uint64_t fileid)
{
	struct ns_inode ino;

	assert_int_equal(ns_getattr(ns, fileid, &ino), 0);
	return ino;
}

uint64_t tu_lookup(struct ns *ns, uint64_t parent, const char *name)
{
	uint64_t fileid = 0;
	int rc = ns_lookup(ns, parent, name, strlen(name), &fileid);

	if (rc == -ENOENT)
		return 0;
	assert_int_equal(rc, 0);
	return fileid;
}

void tu_name_on_shard(struct ns *ns, uint64_t parent, unsigned shard,
		      const char *prefix, char *out, size_t outsz)
{
	for (unsigned i = 0; i < 1000000; i++) {
		snprintf(out, outsz, "%s-%u", prefix, i);
		if (ns_entry_shard(ns, parent, out, strlen(out)) == shard)
			return;
	}
	fail_msg("no name for shard %u", shard);
}

static void print_violation(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "fsck: %s\n", msg);
}

void tu_fsck_clean(struct ns *ns)
{
	assert_int_equal(ns_fsck(ns, print_violation, NULL), 0);
}

uint64_t tu_make_file(struct ns *ns, uint64_t dir, const char *name,
		      uint64_t size)
{
	struct ns_inode a;
	uint64_t id = tu_create(ns, dir, name, NS_REG);

	memset(&a, 0, sizeof(a));
	a.size = size;
	assert_int_equal(ns_setattr(ns, id, NS_SET_SIZE, &a, NULL), 0);
	return id;
}

void tu_offload(struct ns *ns, uint64_t id)
{
	struct ns_tier_job job;
	struct ns_tier_obj obj;
	struct ns_inode ino = tu_getattr(ns, id);
	int committed = 0;

	assert_int_equal(ns_tier_offload_begin(ns, id, &job), 0);
	memset(&obj, 0, sizeof(obj));
	obj.fileid = id;
	obj.gen = ino.generation;
	obj.ver = job.ver;
	obj.size = job.size;
	snprintf(obj.etag, sizeof(obj.etag), "etag");
	assert_int_equal(ns_tier_offload_commit(ns, &job, &obj, &committed),
			 0);
	assert_int_equal(committed, 1);
}

void tu_release(struct ns *ns, uint64_t id)
{
	uint64_t old;

	assert_int_equal(ns_tier_release(ns, id, &old), 0);
}
