/*
 * tools/strata-bench/client.h -- the benchmark's NFSv4.1 client: the MDS
 * session, the pNFS state (data-server sessions, devices), the lanes, the
 * export's root filehandle, and a thread that renews leases on sessions
 * that have been idle (a data server during a metadata workload).
 *
 * Threads: client_open() and client_close() run on the main thread.  In
 * between, lanes 0..nlanes-1 are driven by workload threads (one thread
 * per lane) and lane nlanes belongs to the renewer thread.
 */
#ifndef STRATA_BENCH_CLIENT_H
#define STRATA_BENCH_CLIENT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "fattr.h"
#include "flayout.h"
#include "lane.h"
#include "session.h"

struct client_opts {
	const char *host;
	uint16_t port;
	const char *export_path; /* "/" or "/a/b" */
	uint32_t conns, qd, slots;
	uint32_t io;             /* largest READ/WRITE payload */
	int no_pnfs;
	int timeout_ms;
};

struct client {
	struct sess_params params;
	char owner[160];
	struct nfs_sess *mds;
	struct pnfs pnfs;
	int use_pnfs;            /* layouts are asked for */
	struct fh root;          /* the export */
	struct attrs fs;         /* lease time, maxread, maxwrite */
	uint32_t nlanes;
	struct lane *lanes;      /* [nlanes + 1]; the last is the renewer's */
	pthread_t renewer;
	int renewer_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;                /* under mu */
};

/* Connect, set up the MDS session, find the export, start the renewer.
 * 0, or -1 with a message in ERR. */
int client_open(struct client *c, const struct client_opts *o, char *err,
		size_t errlen);
void client_close(struct client *c);

/* Are layouts in use right now (not --no-pnfs, the MDS is a pNFS MDS
 * with file layouts, and no LAYOUTGET said they are unavailable)? */
int client_pnfs(struct client *c);

#endif
