/*
 * tools/strata-bench/flayout.h -- pNFS file layouts (LAYOUT4_NFSV4_1_FILES,
 * RFC 8881 ch. 13) on the client side: decoding a LAYOUTGET result,
 * GETDEVICEINFO and the sessions to the data servers it names, and the
 * mapping of a file offset to (data server, filehandle, offset there).
 *
 * Ownership: struct pnfs (one per client) owns the device cache and every
 * data-server session; both are created on first use, under its lock, by
 * the lane that needs them, and live until pnfs_destroy().  A struct
 * flayout (one per open file) owns its filehandle copies and points into
 * the device cache; after flayout_decode() it is read-only, so any number
 * of lanes may map offsets through it at once.
 */
#ifndef STRATA_BENCH_FLAYOUT_H
#define STRATA_BENCH_FLAYOUT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "session.h"

struct ds_dev;

struct pnfs {
	pthread_mutex_t lock;
	struct ds_dev *devs;           /* device cache */
	struct nfs_sess **ds;          /* every data-server session */
	uint32_t nds, cap;
	struct nfs_sess *mds;
	const struct sess_params *params; /* for data-server sessions */
	atomic_int unavailable;        /* the MDS said no layouts: MDS I/O */
};

struct flayout {
	stateid4 sid;                  /* layout stateid */
	const struct ds_dev *dev;
	uint32_t unit;                 /* stripe unit, bytes */
	uint32_t first;                /* nfl_first_stripe_index */
	uint64_t pattern_off;
	int dense;
	int commit_mds;                /* NFL4_UFLG_COMMIT_THRU_MDS */
	uint32_t nfh;
	struct fh *fhs;                /* [nfh], owned */
};

/* Where one piece of an I/O goes. */
struct stripe_io {
	struct nfs_sess *ds;
	const struct fh *fh;
	uint64_t obj_off;   /* offset to send to the data server */
	uint32_t len;       /* bytes of the piece (up to the stripe-unit end) */
	uint32_t j;         /* stripe index */
};

void pnfs_init(struct pnfs *p, struct nfs_sess *mds,
	       const struct sess_params *params);
/* Close every data-server session (on lane L) and free the cache. */
void pnfs_destroy(struct pnfs *p, struct lane *l);
/* Copy up to MAX data-server session pointers into OUT; returns how many. */
uint32_t pnfs_sessions(struct pnfs *p, struct nfs_sess **out, uint32_t max);

/* Decode the LAYOUTGET result at index I of L->res into *LO and resolve
 * its device (GETDEVICEINFO on the MDS, then EXCHANGE_ID + CREATE_SESSION
 * on each new data server).  L->res is reused by those calls: read what
 * else you need from it first.  0, or -1 with L->err. */
int flayout_decode(struct lane *l, struct pnfs *p, unsigned i,
		   struct flayout *lo);
void flayout_free(struct flayout *lo);

/* The piece of [OFF, OFF+LEN) that starts at OFF (LEN > 0). */
void flayout_map(const struct flayout *lo, uint64_t off, uint64_t len,
		 struct stripe_io *out);

/* The distinct stripe indices that [OFF, OFF+LEN) touches, into J (room
 * for MAX); returns how many.  flayout_target() gives each one's data
 * server and filehandle (for COMMIT). */
uint32_t flayout_touched(const struct flayout *lo, uint64_t off, uint64_t len,
			 uint32_t *j, uint32_t max);
void flayout_target(const struct flayout *lo, uint32_t j, struct stripe_io *out);

#endif
