/*
 * nfsd/metrics.h — what a server counts for operators: operations by name
 * and status, latency histograms, LMDB commit latency and batch size,
 * recalls. Exposed as Prometheus text (nfsd/metrics_text.h, served over
 * HTTP by nfsd/metrics_http.h) and to the admin CLI through the control
 * protocol (CTL_OPSTATS, pnfs/ctl_prot.x).
 *
 * Ownership: struct strata_metrics is embedded in struct strata_server
 * (srv->metrics) and lives as long as it.
 *
 * Threads: any. Every field is an atomic updated with relaxed adds, so a
 * reader (the HTTP thread, a control call) never takes a lock and never
 * slows the executor; a reader may see a histogram's count and its
 * buckets a few events apart, which Prometheus tolerates.
 *
 * Cardinality is bounded by construction: STRATA_NOPS op numbers, at most
 * METRICS_STATUS_SLOTS distinct statuses per op (the rest counted as
 * "other"), fixed bucket lists, no per-client or per-file labels.
 */
#ifndef STRATA_NFSD_METRICS_H
#define STRATA_NFSD_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#define METRICS_NOPS 64          /* = STRATA_NOPS (server.h) */
#define METRICS_STATUS_SLOTS 8
#define METRICS_LAT_BUCKETS 18   /* finite upper bounds, + Inf */
#define METRICS_BATCH_BUCKETS 8

/* Upper bounds of the latency buckets, in nanoseconds (10 us .. 10 s). */
extern const uint64_t metrics_lat_bounds_ns[METRICS_LAT_BUCKETS];
/* Upper bounds of the batch-size buckets (COMPOUNDs per commit). */
extern const uint64_t metrics_batch_bounds[METRICS_BATCH_BUCKETS];

/* A histogram with N finite buckets (non-cumulative counts here; the
 * exposition makes them cumulative) plus the +Inf one at index N. */
struct metrics_hist {
	atomic_uint_fast64_t bucket[METRICS_LAT_BUCKETS + 1];
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum; /* nanoseconds, or units for batches */
};

struct metrics_op {
	/* status + 1 of each slot (0: free), claimed once, never freed */
	atomic_uint_fast32_t status[METRICS_STATUS_SLOTS];
	atomic_uint_fast64_t count[METRICS_STATUS_SLOTS];
	atomic_uint_fast64_t other; /* statuses that found no slot */
	struct metrics_hist lat;
};

enum { METRICS_RECALL_DELEG = 0, METRICS_RECALL_LAYOUT = 1 };

struct strata_metrics {
	struct metrics_op op[METRICS_NOPS];
	struct metrics_hist compound;  /* request read .. reply sent */
	struct metrics_hist commit;    /* one LMDB group commit (MDS) */
	struct metrics_hist batch;     /* COMPOUNDs per group commit */
	/* [METRICS_RECALL_DELEG]: CB_RECALL; [.._LAYOUT]: CB_LAYOUTRECALL */
	atomic_uint_fast64_t recalls_sent[2];
	atomic_uint_fast64_t recalls_timedout[2]; /* revoked / fenced */
	atomic_uint_fast64_t drc_hits;         /* replies from the slot cache */
	atomic_uint_fast64_t auth_errors;      /* RPCs refused AUTH_* */
	atomic_uint_fast64_t subs_sent;        /* sub-compounds a front sent
						  to owners (decision 0024) */
	atomic_uint_fast64_t subs_served;      /* and an owner ran */
};

/* Monotonic nanoseconds. */
uint64_t metrics_now_ns(void);

/* One op OPNUM ended with STATUS after NS nanoseconds. */
void metrics_op_done(struct strata_metrics *m, uint32_t opnum,
		     uint32_t status, uint64_t ns);
/* Add one observation of V (nanoseconds; units for batch) to H, whose
 * finite bounds are BOUNDS[0..N-1]. */
void metrics_observe(struct metrics_hist *h, const uint64_t *bounds,
		     unsigned n, uint64_t v);
/* Total ops of OPNUM over every status. */
uint64_t metrics_op_total(const struct strata_metrics *m, uint32_t opnum);

#endif
