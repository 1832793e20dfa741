/*
 * nfsd/state/reclaim.h — freeing the data of removed files, in the
 * background and from a list that survives a crash.
 *
 * The namespace records every regular file whose last link went, with the
 * data generation it had then, in the removal's own transaction
 * (ns_reclaim_list(), metadata/ns.h). The reclaim thread frees those
 * files' data at that generation (data_remove(): the stripe objects on
 * every data server, or the local object of a single-node MDS;
 * docs/decisions/0030) and then takes them off the list. So REMOVE and RENAME answer without waiting for the
 * data servers, and data left behind by a crash — including that of a file
 * unlinked while open, whose in-memory orphan entry (nfsd/state/orphan.h) a
 * crash loses — is freed after the restart.
 *
 * A file on the orphan list (unlinked, still open) is skipped until its
 * last open goes. A data server that cannot be reached leaves its files on
 * the list; the thread tries again on the next kick, and at least every
 * RECLAIM_RETRY_S seconds.
 *
 * Ownership: created by server_start() for the MDS (srv->reclaim), stopped
 * by server_stop() before the namespace and the cluster go.
 * Threads: reclaim_kick() and reclaim_wait_idle() from any thread (kick
 * holds only the reclaimer's own mutex, so callers may hold state_lock).
 * The thread takes srv->state_lock only briefly, to look at the orphans.
 */
#ifndef STRATA_NFSD_RECLAIM_H
#define STRATA_NFSD_RECLAIM_H

#define RECLAIM_RETRY_S 5

struct reclaim;
struct strata_server;

int reclaim_start(struct reclaim **out, struct strata_server *srv);
/* There may be something to free: run a pass soon. */
void reclaim_kick(struct reclaim *r);
/* Run a pass and wait until one that began after this call has ended
 * (tests, clean stop). Must not be called with state_lock held. */
void reclaim_wait_idle(struct reclaim *r);
void reclaim_stop(struct reclaim *r);

#endif
