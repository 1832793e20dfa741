/*
 * pnfs/tier_ds.h — the object tier's data interface (struct
 * tier_data_ops, tiering/tier_job.h) over the metadata server's data
 * servers: a file's copy at (fileid, data generation) is its stripe
 * objects of that generation, striped as the file's layout says
 * (pnfs/cluster.h), moved with the control protocol
 * (docs/decisions/0030-data-generations.md).
 *
 *   read   the copy's bytes [off, off + len): all of them, or -EIO when a
 *          stripe object is missing or its data server quarantined (a
 *          copy the tier reads must be whole; bytes past an object's end
 *          are a hole and read as zeros);
 *   write  into the copy; a stripe object the copy does not have yet is
 *          made first (a copy being written by a recall is made by its
 *          writes: nothing else names that generation yet);
 *   sync   makes the copy whole (every stripe object exists, empty where
 *          nothing was written) and durable (COMMIT on every object;
 *          when one is missing, CREATE on every object, then COMMIT
 *          again);
 *   create CREATE on every stripe object (a recall's first step on the
 *          data servers): then the writes and the sync find them, 5
 *          calls for a small file on two data servers instead of 8;
 *   drop   removes that generation's objects on every data server and
 *          nothing else; a missing one is no error;
 *   fence  cluster_fence(): DS handles below the generation refused on
 *          every data server, kept by the MDS and sent again to one that
 *          reconnects (pnfs/fence_table.h).
 *
 * -EAGAIN when a data server cannot be reached now (the tier retries the
 * step later). ARG is the struct cluster. Threads: any (the cluster's
 * links lock per call); blocking, so tier threads only.
 */
#ifndef STRATA_PNFS_TIER_DS_H
#define STRATA_PNFS_TIER_DS_H

#include "tier_job.h"

extern const struct tier_data_ops tier_ds_ops;

#endif
