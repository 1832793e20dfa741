/*
 * nfsd/tier_heat.h — when each file was last used, as this MDS saw it: the
 * "time since the last access" of the object tier's policy (issue 16,
 * docs/decisions/0032-tier-policy.md).
 *
 * The namespace's atime is not updated by reads (clients read from the
 * data servers, which the MDS never sees, and the MDS answers READ without
 * writing), so the MDS records in memory when a file is opened or laid
 * out. Nothing is persisted: after a start, every file reads as used at
 * the start (the floor), so nothing turns idle sooner than a full idle
 * time after a restart. The table holds at most CAP files; when full, the
 * older half is forgotten and the floor rises to the newest time
 * forgotten, so a forgotten file reads as used then or later: the policy
 * may wait longer than it should, never shorter.
 *
 * Threads: any. One mutex (the table's own) guards everything; callers
 * may hold srv->state_lock (the executor does) since the table takes no
 * other lock.
 */
#ifndef STRATA_NFSD_TIER_HEAT_H
#define STRATA_NFSD_TIER_HEAT_H

#include <stddef.h>
#include <stdint.h>

struct tier_heat;

/* A table whose floor is START (seconds), holding at most CAP files
 * (0: 1 << 20). NULL when out of memory. */
struct tier_heat *tier_heat_new(int64_t start, size_t cap);
void tier_heat_free(struct tier_heat *h);

/* FILEID was used at NOW (seconds). Best effort: silently dropped when
 * memory is short. */
void tier_heat_touch(struct tier_heat *h, uint64_t fileid, int64_t now);

/* The later of FILEID's last use and the floor. */
int64_t tier_heat_last(struct tier_heat *h, uint64_t fileid);

/* Forget FILEID: it reads as the floor again. */
void tier_heat_forget(struct tier_heat *h, uint64_t fileid);

/* Files held now (for tests and status). */
size_t tier_heat_count(struct tier_heat *h);

#endif
