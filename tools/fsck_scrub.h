/*
 * tools/fsck_scrub.h — strata-fsck --scrub: ask a running metadata server
 * which files' placed data is not all there (CTL_SCRUB, pnfs/scrub.h),
 * page by page, and print them.
 */
#ifndef STRATA_TOOLS_FSCK_SCRUB_H
#define STRATA_TOOLS_FSCK_SCRUB_H

/* SERVER: "ADDR:PORT" of the MDS; KEY: the cluster key file. Exit status:
 * 0 nothing damaged, 1 damaged files listed, 2 trouble (message on
 * stderr). */
int fsck_scrub(const char *server, const char *key, int quiet);

#endif
