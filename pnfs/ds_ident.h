/*
 * pnfs/ds_ident.h — does a data server's store belong in its slot?
 * (docs/decisions/0019)
 *
 * Every data-server store carries an identity (datastore/identity.h):
 * cluster id, slot, its own id, and the id it replaced. The metadata
 * server keeps, per slot, the id it expects (pnfs/ds_registry.h). When it
 * connects to a data server it compares the two (CTL_HELLO) and sends its
 * verdict (CTL_VERDICT). ds_ident_decide() is that comparison, pure:
 *
 *   store has an identity of another cluster ........ QUARANTINE
 *   ... of another slot (directories swapped) ....... QUARANTINE
 *   ... the one expected ............................ SERVE
 *   ... the slot has no record yet .................. ADOPT (record it)
 *   ... one that replaced the expected one .......... ADOPT, replaced
 *       (a replacement whose record a crash lost)
 *   ... another one of this cluster and slot ........ QUARANTINE
 *   store has no identity, slot has no record ....... FORMAT (a new
 *       server, or a store from before identities)
 *   ... slot has a record, server started with
 *       --replace (the operator accepts the loss) ... FORMAT, replaced
 *   ... slot has a record, no --replace ............. QUARANTINE: the
 *       directory was wiped, or is the empty mount point of an unmounted
 *       disk; its stripes are refused until an operator decides.
 *
 * Order that survives a crash anywhere: FORMAT writes the store's
 * identity first and the registry second (a crash between leaves an
 * identity the registry does not know: ADOPT next time), and a
 * replacement's identity names the id it replaces (so a crash before the
 * registry learnt it still ends in ADOPT, not QUARANTINE).
 */
#ifndef STRATA_PNFS_DS_IDENT_H
#define STRATA_PNFS_DS_IDENT_H

#include <stdint.h>

#include "identity.h"

/* What the data server said (CTL_HELLO). */
struct ds_hello {
	int has_identity;
	struct ds_identity id;
	int replace_ok; /* started with --replace */
	int empty;      /* holds no object */
};

enum ds_verdict {
	DS_VERDICT_SERVE = 0,
	DS_VERDICT_FORMAT,     /* give it a new identity, then serve */
	DS_VERDICT_ADOPT,      /* record its identity, then serve */
	DS_VERDICT_QUARANTINE, /* refuse its stripes */
};

struct ds_decision {
	enum ds_verdict verdict;
	int replaced;       /* the slot's old store is gone: its stripes are
			       lost (FORMAT with --replace, or ADOPT of a
			       replacement) */
	const char *reason; /* static text for logs and the data server */
};

/* CLUSTER/SLOT: who asks. KNOWN/EXPECTED: the registry's record for the
 * slot (KNOWN 0: none). */
struct ds_decision ds_ident_decide(const uint8_t cluster[DS_ID_LEN],
				   uint32_t slot, int known,
				   const uint8_t expected[DS_ID_LEN],
				   const struct ds_hello *h);

#endif
