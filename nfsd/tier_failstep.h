/*
 * nfsd/tier_failstep.h — the failpoint "tier-step:N" (tests only,
 * nfsd/server.h FAILPOINT_TIER_STEP): the MDS exits, as if SIGKILLed,
 * right before the Nth step of a tier request, so a test can put a crash
 * at every step of the job state machine (tiering/tier_job.h) in a real
 * strata-mds (tests/tier-faults.sh).
 *
 * A step is one call the tier engine makes through one of its three
 * interfaces: the object store (the backend's put, get, head, delete,
 * list), the data servers' copies (struct tier_data_ops: read, write,
 * sync, drop, fence) and the namespace (struct tier_meta_ops: each
 * durable commit and each read of the records). tier_failstep_wrap()
 * puts a counting layer in front of the engine's three interfaces; the
 * worker brackets each request it serves (an offload, release or recall)
 * with begin and end (called right after the engine returns), and only
 * the calls in between count, from 1 at
 * every begin (recovery, drains and the orphan collector are not
 * counted).
 *
 * Each counted step is logged at info level before it is made:
 *   tier: failpoint tier-step: offload of fileid 3f step 4 meta.offload_commit
 * and at step N (N >= 1) the line says "exiting before step N ..." and the
 * process ends at once with _exit(137): nothing after it runs, no
 * destructor, no flush, as with SIGKILL. N one past a request's last step
 * exits at its end ("exiting after its last step ..."): the job is
 * committed, its answer never sent. N = 0 counts and logs only (a test
 * learns a job's steps, or where an outside SIGKILL landed).
 *
 * Threads: begin, end and the counted calls on the tier thread only (one
 * request at a time; the backend calls the put source on the calling
 * thread). The wrapper forwards every call unchanged to what it wraps.
 * Ownership: the struct outlives the engine it wraps; the wrapped backend
 * is the caller's to close.
 */
#ifndef STRATA_NFSD_TIER_FAILSTEP_H
#define STRATA_NFSD_TIER_FAILSTEP_H

#include <stdint.h>

#include "tier_job.h"

struct tier_failstep;

/* A failstep that exits before step EXIT_AT (0: never). NULL: -ENOMEM. */
struct tier_failstep *tier_failstep_new(unsigned long exit_at);
void tier_failstep_free(struct tier_failstep *f);

/* Route E's backend, data and meta interfaces through F (E's pointers are
 * replaced; the originals are kept in F). */
void tier_failstep_wrap(struct tier_failstep *f, struct tier_engine *e);

/* A request OP ("offload", "release", "recall") of FILEID begins: steps
 * count from 1; end: they no longer count. NULL F: no-op. */
void tier_failstep_begin(struct tier_failstep *f, const char *op,
			 uint64_t fileid);
void tier_failstep_end(struct tier_failstep *f);

#endif
