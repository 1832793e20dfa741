/*
 * nfsd/residency.h — what the metadata server's data operations do with
 * a file whose data is not on the data servers: residency OFFLOADED
 * (docs/decisions/0027-tier-jobs.md: the data is in the object tier
 * only). A recall in progress leaves the file OFFLOADED until its commit
 * makes it BOTH (the new copy is written beside, at a new generation:
 * decision 0030), so OFFLOADED covers "recalling" too. LOCAL and BOTH
 * (premigrated: the data-server copy is whole) are served as always.
 *
 * For an offloaded file (decision 0030):
 *   - READ and WRITE through the MDS and a size change other than to
 *     zero answer NFS4ERR_DELAY (RFC 8881 §15.1.1.3: the client retries
 *     the same request later) rather than reading or writing a
 *     data-server copy that is not there; but a READ of a range whose
 *     parts the running recall has brought back is served from them
 *     (residency_read(), decision 0035), and one of a part not back
 *     moves that part to the front of the recall's fetch order;
 *   - COMMIT answers NFS4_OK without asking the data servers: whatever
 *     a client wrote before the file went is in the tier's object
 *     (the offload read it, its store is durable), and no write reached
 *     it since (a write makes a file LOCAL, and is refused here);
 *   - LAYOUTGET answers NFS4ERR_LAYOUTTRYLATER (§18.43.3): the client
 *     retries it with a backoff and, after about two leases, does its
 *     I/O through the MDS (which answers DELAY until the recall is done);
 *   - a truncation to zero needs no recall (ns_setattr() makes the file
 *     LOCAL with no data objects: nothing on the data servers is cut);
 *   - each of the refused accesses asks the tier for a recall through
 *     srv->tier_recall_wanted (server.h), if set;
 *   - once the file's recall has been failing for tier_recall_timeout
 *     seconds (default 300: the object store down, or its object
 *     unreadable), READ, WRITE and the size change answer NFS4ERR_IO
 *     and LAYOUTGET NFS4ERR_LAYOUTUNAVAILABLE instead (each still asks
 *     for the recall, so the first access after the store is back
 *     starts one that succeeds);
 *   - OPEN succeeds as always (RFC 8881 allows DELAY on READ, and a
 *     client's open(2) should not wait for the object store) but asks for
 *     the recall through the same hook, so the data is usually back by
 *     the time the client reads: residency_open(). Reclaims after a
 *     restart (CLAIM_PREVIOUS) do not: a grace period would turn into a
 *     recall of every offloaded file any client had open; their next
 *     READ asks.
 *
 * Threads: the executor, state_lock held (the ops). Pure but for the
 * hook call.
 */
#ifndef STRATA_NFSD_RESIDENCY_H
#define STRATA_NFSD_RESIDENCY_H

#include <stddef.h>

#include "nfs4_prot.h"
#include "ns.h"

struct strata_server;

/* 1 when INO's data is not on the data servers now (above). */
int residency_away(const struct ns_inode *ino);
/* A client uses INO (READ, WRITE, a size change, LAYOUTGET, OPEN): tell
 * the tier's policy (srv->tier_used, if set: decision 0032). If its data
 * is away, ask the tier for its recall (srv->tier_recall_wanted, if set).
 * 1 if it is away (the caller refuses the access), 0 if not. */
int residency_want(struct strata_server *srv, const struct ns_inode *ino);
/* As residency_want(), as a status: NFS4_OK when INO's data is here;
 * WAIT while it is away; STUCK when it is away and its recall has failed
 * for tier_recall_timeout seconds or more (the object store down or the
 * object unreadable: srv->tier_recall_stuck): an error is better than a
 * wait without end (issue 16). */
nfsstat4 residency_refuse(struct strata_server *srv,
			  const struct ns_inode *ino, nfsstat4 wait,
			  nfsstat4 stuck);
/* A READ of LEN bytes of INO at OFF (clamped to its size) while its
 * data is away: served from the parts its running recall has brought
 * back (srv->tier_read_parts, docs/decisions/0035), 0 with *N bytes in
 * BUF (fewer than LEN when a later part is not back: a short read, RFC
 * 8881 §18.22.4, the client asks again for the rest); -EAGAIN when the
 * first byte's part is not back (the part is fetched next) or nothing
 * serves parts; another -errno when the parts could not be read. The
 * caller answers any error as residency_refuse() said. */
int residency_read(struct strata_server *srv, const struct ns_inode *ino,
		   uint64_t off, void *buf, size_t len, size_t *n);
/* space_used of INO while its data is away: what it used when resident,
 * taken as its size in whole 4 KiB blocks (issue 16: an offloaded file
 * must not look like all holes to tar --sparse or du, and asking the
 * data servers about a copy that is not there would say 0). */
uint64_t residency_space_used(const struct ns_inode *ino);

/* INO was opened (any share access): if its data is away, ask the tier
 * for its recall; the OPEN is not refused. */
void residency_open(struct strata_server *srv, const struct ns_inode *ino);

#endif
