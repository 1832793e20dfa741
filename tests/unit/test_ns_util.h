/*
 * tests/unit/test_ns_util.h — helpers shared by the namespace unit tests
 * (test_ns_*.c). Every helper fails the current cmocka test on error.
 */
#ifndef STRATA_TEST_NS_UTIL_H
#define STRATA_TEST_NS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ns.h"
#include "ns_test.h"

/* A fresh empty directory under $TMPDIR (or /tmp); free with tu_rmrf(). */
char *tu_mkdtemp(void);
/* Remove DIR recursively and free it. */
void tu_rmrf(char *dir);

struct ns *tu_open(const char *dir, unsigned nshards);
/* Create NAME in PARENT (type NS_REG / NS_DIR / ...); returns its fileid. */
uint64_t tu_create(struct ns *ns, uint64_t parent, const char *name,
		   uint32_t type);
struct ns_inode tu_getattr(struct ns *ns, uint64_t fileid);
/* fileid of PARENT/NAME, or 0 if absent. */
uint64_t tu_lookup(struct ns *ns, uint64_t parent, const char *name);
/* Write into OUT a name "PREFIX-N" whose entry lands on SHARD. */
void tu_name_on_shard(struct ns *ns, uint64_t parent, unsigned shard,
		      const char *prefix, char *out, size_t outsz);
/* A regular file NAME of SIZE bytes (no data) in DIR; its fileid. */
uint64_t tu_make_file(struct ns *ns, uint64_t dir, const char *name,
		      uint64_t size);
/* The object tier's steps through its own transactions (ns_tier.h):
 * LOCAL -> BOTH (an object record of the file's size), BOTH ->
 * OFFLOADED. */
void tu_offload(struct ns *ns, uint64_t id);
void tu_release(struct ns *ns, uint64_t id);
/* Assert fsck finds nothing (violations are printed). */
void tu_fsck_clean(struct ns *ns);

#endif
