/*
 * pnfs/scrub.h — find files whose placed data is not all there
 * (docs/decisions/0019), online, on the metadata server: the files of the
 * namespace whose objects were placed (NS_INO_DATA_PLACED) are checked a
 * page at a time against the data servers (one CTL_STAT_MANY per data
 * server per page) or the local store. tools/strata-fsck --scrub drives it
 * through CTL_SCRUB (pnfs/ctl_prot.x).
 *
 * Reads the namespace (never writes it) and asks the data servers; runs on
 * the caller's thread (a control connection's), not the executor, and
 * takes no server lock.
 */
#ifndef STRATA_PNFS_SCRUB_H
#define STRATA_PNFS_SCRUB_H

#include <stddef.h>
#include <stdint.h>

struct strata_server;

/* Placed files examined per call at most: every one may be damaged, and
 * their reports must fit one control reply. */
#define SCRUB_PAGE_MAX 128
#define SCRUB_PATH_MAX 1024

struct scrub_damaged {
	uint64_t fileid;
	uint64_t size;
	unsigned nmissing, nunavail;
	uint32_t missing[256];     /* stripe indices whose object is gone */
	uint32_t unavailable[256]; /* on a quarantined or unreachable DS */
	char path[SCRUB_PATH_MAX]; /* "" when no name leads to it (or too
				      long) */
};

struct scrub_page {
	struct scrub_damaged *damaged; /* SCRUB_PAGE_MAX, caller's */
	unsigned ndamaged;
	uint64_t examined; /* regular files with placed data */
	uint64_t next;     /* AFTER for the next call */
	int done;
	/* With done: shards whose residency counters differ from a recount
	 * of their inodes (ns_res_verify(); each logged as a warning). */
	unsigned counters_bad;
};

/* Examine the placed regular files after fileid AFTER (at most MAX,
 * capped at SCRUB_PAGE_MAX) and report the damaged ones; the last page
 * (done) also checks the namespace's residency counters. 0 or -errno. */
int scrub_page(struct strata_server *srv, uint64_t after, unsigned max,
	       struct scrub_page *out);

#endif
