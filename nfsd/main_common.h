/* nfsd/main_common.h — shared main() of the server processes. */
#ifndef STRATA_NFSD_MAIN_COMMON_H
#define STRATA_NFSD_MAIN_COMMON_H

/* Parse flags, start a server of ROLE (server.h), wait for SIGINT or
 * SIGTERM, stop. Returns the process exit status. */
int strata_main(int argc, char **argv, unsigned role, const char *prog);

#endif
