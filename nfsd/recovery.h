/*
 * nfsd/recovery.h — stable client records and the grace period
 * (RFC 8881 §8.4.2, §8.4.3).
 *
 * Every client that confirms a client ID (CREATE_SESSION) is recorded in
 * an LMDB environment DIR/clients (key: the co_ownerid). At start-up the
 * records of earlier boots become the reclaim set: during the grace period
 * (grace_time seconds, default the lease time) only their owners may
 * reclaim opens and locks (CLAIM_PREVIOUS, LOCK reclaim), and everyone
 * else's new locking state gets NFS4ERR_GRACE. Grace ends early once every
 * owner in the set has sent RECLAIM_COMPLETE; owners that never reclaimed
 * are then forgotten (they get NFS4ERR_NO_GRACE later). While set owners
 * keep reclaiming, grace is extended (a few seconds past the latest
 * reclaim, at most 4x the configured period).
 *
 * Threads: all calls need srv->state_lock. Ownership: struct recovery is
 * owned by the server. A data server has none: every call accepts a NULL
 * struct recovery (no records, never in grace).
 */
#ifndef STRATA_NFSD_RECOVERY_H
#define STRATA_NFSD_RECOVERY_H

#include <stddef.h>
#include <time.h>

struct recovery;

/* Open DIR (created if missing); load the reclaim set; start a grace period
 * of GRACE seconds at NOW when the set is not empty. */
int recovery_open(struct recovery **out, const char *dir, unsigned grace,
		  time_t now);
void recovery_close(struct recovery *r);

/* Is the grace period on at NOW? Ends it (and forgets owners that did not
 * reclaim) once it has run out. */
int recovery_in_grace(struct recovery *r, time_t now);
/* May OWNER reclaim now (in grace, in the set, not yet complete)? */
int recovery_may_reclaim(struct recovery *r, const void *owner, size_t len,
			 time_t now);
/* OWNER sent RECLAIM_COMPLETE. 1 if it had already done so in this grace
 * period, else 0. */
int recovery_reclaim_complete(struct recovery *r, const void *owner,
			      size_t len, time_t now);
/* Durably remember / forget a confirmed client. 0 or -errno. */
int recovery_record(struct recovery *r, const void *owner, size_t len);
int recovery_forget(struct recovery *r, const void *owner, size_t len);
/* Number of owners still expected to reclaim (for logs and tests). */
size_t recovery_pending(const struct recovery *r);

#endif
