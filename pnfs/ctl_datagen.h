/*
 * pnfs/ctl_datagen.h — CTL_DATA_GEN on the metadata server
 * (pnfs/ctl_prot.x, docs/decisions/0030-data-generations.md): one step on
 * a file's data copies by hand, through the object tier's data interface
 * over the data servers (pnfs/tier_ds.h) and the fence of the control
 * protocol:
 *   COPY   copy GEN of the file's bytes (its size in the namespace) is
 *          read and written as copy TO_GEN, which is then synced whole;
 *   DROP   copy GEN is removed from every data server;
 *   FENCE  every data server refuses DS handles below generation GEN.
 * The copy the inode names (its layout_gen) is never written or removed
 * (-EBUSY), so a by-hand step cannot destroy the file's current data.
 *
 * Threads: the control connection's receive thread (blocks on the data
 * servers, never on the COMPOUND executor). 0 or -errno: -EINVAL for an
 * unknown step, -ENODEV without data servers, -ENOENT / -ESTALE for a
 * fileid the namespace does not have.
 */
#ifndef STRATA_PNFS_CTL_DATAGEN_H
#define STRATA_PNFS_CTL_DATAGEN_H

#include "ctl_prot.h"

struct strata_server;

int ctl_datagen(struct strata_server *srv, const ctl_gen_args *a);

#endif
