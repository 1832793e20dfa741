/*
 * tools/strata-bench/ops.h -- builders that append one operation to a
 * COMPOUND (struct cpd), and helpers for the values they carry.
 *
 * Every builder points the new argument at its pointer arguments without
 * copying: names, filehandles, stateids and payloads must stay valid
 * until the compound has been sent.  A builder returns the index of the
 * new operation, or -1 when the compound is full (CPD_MAX_OPS).
 * cpd_start() leaves op 0 free for the SEQUENCE that session.c fills in;
 * cpd_start_nosess() is for EXCHANGE_ID, CREATE_SESSION, DESTROY_CLIENTID.
 */
#ifndef STRATA_BENCH_OPS_H
#define STRATA_BENCH_OPS_H

#include <stdint.h>

#include "compound.h"

#define FH_MAX 128

struct fh {
	uint32_t len;
	uint8_t data[FH_MAX];
};

/* OPEN flavours */
enum open_how {
	OPEN_PLAIN,    /* no create */
	OPEN_UNCHECKED,/* create, UNCHECKED4, mode 0644 */
	OPEN_GUARDED   /* create, GUARDED4, mode 0644: NFS4ERR_EXIST if there */
};

struct open_owner {
	uint64_t clientid;
	char name[40];
	uint32_t len;
};

void cpd_start(struct cpd *c);
void cpd_start_nosess(struct cpd *c);

int cpd_sequence(struct cpd *c, const char *sessionid, uint32_t seqid,
		 uint32_t slot, uint32_t highest);
int cpd_putrootfh(struct cpd *c);
int cpd_putfh(struct cpd *c, const struct fh *fh);
int cpd_lookup(struct cpd *c, const char *name);
int cpd_getfh(struct cpd *c);
/* GETATTR of the attributes whose numbers are set in MASK (3 words). */
int cpd_getattr(struct cpd *c, const uint32_t mask[3]);
int cpd_open(struct cpd *c, const char *name, uint32_t access,
	     enum open_how how, const struct open_owner *oo);
int cpd_close(struct cpd *c, const stateid4 *sid);
int cpd_read(struct cpd *c, const stateid4 *sid, uint64_t off, uint32_t cnt);
int cpd_write(struct cpd *c, const stateid4 *sid, uint64_t off,
	      const void *data, uint32_t len, stable_how4 how);
int cpd_commit(struct cpd *c);
int cpd_remove(struct cpd *c, const char *name);
int cpd_savefh(struct cpd *c);
int cpd_rename(struct cpd *c, const char *from, const char *to);
int cpd_mkdir(struct cpd *c, const char *name);
int cpd_reclaim_complete(struct cpd *c);
int cpd_layoutget(struct cpd *c, const stateid4 *sid, layoutiomode4 mode,
		  uint32_t maxcount);
int cpd_getdeviceinfo(struct cpd *c, const char *devid, uint32_t maxcount);
/* LAYOUTCOMMIT of [0, END) with last write offset END-1 (END > 0). */
int cpd_layoutcommit(struct cpd *c, const stateid4 *lsid, uint64_t end);
int cpd_layoutreturn(struct cpd *c, const stateid4 *lsid);
/* EXCHANGE_ID with SP4_NONE and no implementation id. */
int cpd_exchange_id(struct cpd *c, const char verifier[8], const char *owner,
		    uint32_t owner_len, uint32_t flags);
/* CREATE_SESSION without a back channel connection (csa_flags 0): fore
 * channel MAXREQ slots, MAXMSG-byte requests and replies, MAXOPS ops. */
int cpd_create_session(struct cpd *c, uint64_t clientid, uint32_t seq,
		       uint32_t maxreq, uint32_t maxmsg, uint32_t maxops);
int cpd_destroy_session(struct cpd *c, const char *sessionid);
int cpd_destroy_clientid(struct cpd *c, uint64_t clientid);

/* The current stateid (RFC 8881 §16.2.3.1.2): seqid 1, other all zero. */
extern const stateid4 STATEID_CURRENT;

/* Copy a decoded nfs_fh4 into *OUT.  0, or -1 if it is too long. */
int fh_copy(struct fh *out, const nfs_fh4 *in);

#endif
