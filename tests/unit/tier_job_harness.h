/*
 * tests/unit/tier_job_harness.h -- what the tier engine's tests
 * (test_tier_jobs.c) run it against: data copies kept in memory, and a
 * fault injector wrapping the three interfaces of tiering/tier_job.h (the
 * object store, the data copies, the namespace) that lets a run go on for
 * a number of calls and then "crashes": that call and every later one do
 * nothing and fail with -ECANCELED, so what is durable is exactly what
 * the calls before it left. Every call through a wrapper is one step.
 * Single-threaded; the test owns every struct.
 */
#ifndef STRATA_TIER_JOB_HARNESS_H
#define STRATA_TIER_JOB_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "ns.h"
#include "tier_backend.h"
#include "tier_job.h"

/* N pseudo-random bytes at P, the same for the same SEED. */
void tier_fill(uint8_t *p, size_t n, uint32_t seed);

/* ---- data copies in memory -------------------------------------------- */

#define MEMDS_MAX 64

struct memds_copy {
	uint64_t fileid, gen;
	uint8_t *buf;
	size_t len;
};

struct memds {
	struct memds_copy c[MEMDS_MAX];
	size_t n;
	/* Called before each read (NULL: none): a test's hook to change
	 * the file while it is being uploaded. */
	void (*on_read)(void *arg);
	void *on_read_arg;
	/* N > 0: the Nth write from now fails, once, with -EIO; 0: none. */
	long fail_write_at;
	/* Fences (tier_data_ops.fence): FILEID's copies below FENCE. */
	struct {
		uint64_t fileid, fence;
	} fences[MEMDS_MAX];
	size_t nfences;
	/* Drops of an existing copy that no fence covered: a client could
	 * still have been reading it (decision 0030). */
	unsigned long unfenced_drops;
};

extern const struct tier_data_ops memds_ops;
/* Create or replace copy (FILEID, GEN) with LEN bytes of P. */
void memds_put(struct memds *m, uint64_t fileid, uint64_t gen,
	       const void *p, size_t len);
/* The copy, or NULL. */
const struct memds_copy *memds_find(const struct memds *m, uint64_t fileid,
				    uint64_t gen);
void memds_free(struct memds *m);

/* ---- a namespace and a dir backend in a scratch directory ----------- */

struct tier_site {
	char *dir;			  /* scratch, removed at close */
	char nsdir[256], objdir[256]; /* DIR/ns, DIR/objects */
	struct ns *ns;			  /* 2 shards */
	struct tier_backend *b;	  /* dir backend, log kept by tier_test_log */
	struct memds ds;
};
/* Make it (failing the cmocka test on error); close frees everything. */
void tier_site_open(struct tier_site *t);
void tier_site_close(struct tier_site *t);

/* ---- the fault injector ------------------------------------------------ */

struct fault {
	long limit;	/* steps allowed; < 0: never crash */
	long steps;	/* steps taken (those allowed) */
	int dead;
};

/* Whether the next step may happen (counts it); after the limit, never. */
int fault_pass(struct fault *f);

/* The three interfaces wrapped. The wrapper structs point at the real
 * ones; the engine is given the wrappers. */
struct fault_backend {
	struct tier_backend base; /* first: the engine's handle */
	struct tier_backend *in;
	struct fault *f;
	/* Unfinished multipart uploads it lists (one page, upload ids
	 * "u0", "u1" ...; the test's strings) but those aborted since, and
	 * the keys aborted, in order. */
	const char *const *uploads;
	size_t nuploads;
	char aborted[8][TIER_KEY_MAX];
	size_t naborted;
};
void fault_backend_init(struct fault_backend *fb, struct tier_backend *in,
			struct fault *f);

struct fault_data {
	struct memds *in;
	struct fault *f;
};
extern const struct tier_data_ops fault_data_ops;

struct fault_meta {
	struct ns *ns;
	struct fault *f;
};
extern const struct tier_meta_ops fault_meta_ops;

#endif
