/*
 * metadata/ns_test.h — test-only hooks into the namespace. Production code
 * must not include this file. The hooks live in struct ns (no global state).
 */
#ifndef STRATA_METADATA_NS_TEST_H
#define STRATA_METADATA_NS_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "ns.h"

/*
 * Simulated crash. STEP >= 0 arms the hook: the next STEP commits happen,
 * then the commit after them is skipped and the namespace "dies": that call
 * returns -EIO, every later mutation returns -EIO, and the caller is expected
 * to ns_close() and ns_open() again (which replays intents). STEP 0 crashes
 * before the first commit. A multi-shard operation that writes W shards
 * commits W + 1 times (coordinator with intent, the others, intent clear);
 * a single-shard one once. STEP < 0 disarms.
 */
void ns_test_crash_after(struct ns *ns, int step);
/* Like ns_test_crash_after(), but the skipped commit just fails with -EIO
 * (a disk error) and the process carries on: exercises in-process recovery. */
void ns_test_fail_commit(struct ns *ns, int step);
/* 1 if the armed crash fired. */
int ns_test_crashed(const struct ns *ns);

/* How many times an operation body was restarted to take shard locks in
 * order (a concurrency test wants to see it happen). */
unsigned long ns_test_restarts(const struct ns *ns);

/* MDB_NOSYNC on every shard: fast tests that do not cut power. */
int ns_test_set_nosync(struct ns *ns, int on);

/* Corruptions for fsck tests: each writes one raw record behind the
 * namespace's back. */
int ns_test_drop_inode(struct ns *ns, uint64_t fileid);
int ns_test_set_nlink(struct ns *ns, uint64_t fileid, uint32_t nlink);
/* flags 0 makes a record look as if written before ns_inode_flags. */
int ns_test_set_flags(struct ns *ns, uint64_t fileid, uint32_t flags);
/* The data generation (ns_inode.layout_gen) as the tier would leave it. */
int ns_test_set_layout_gen(struct ns *ns, uint64_t fileid, uint64_t gen);
/* A reclaim record of FILEID with the raw value VAL (LEN bytes): a record
 * of an older build is one zero byte (ns_internal.h). */
int ns_test_put_reclaim(struct ns *ns, uint64_t fileid, const void *val,
			size_t len);
int ns_test_drop_cookie(struct ns *ns, uint64_t parent, const char *name,
			size_t namelen);
/* Shard SHARD's meta counter NAME (ns_internal.h) set to VALUE, or, with
 * DROP, deleted (a shard of a build before that counter). */
int ns_test_set_counter(struct ns *ns, unsigned shard, const char *name,
			uint64_t value, int drop);
/* Its value now. 0 or -errno (-ENOENT: absent). */
int ns_test_get_counter(struct ns *ns, unsigned shard, const char *name,
			uint64_t *value);

#endif
