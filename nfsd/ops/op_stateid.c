/* nfsd/ops/op_stateid.c — TEST_STATEID (RFC 8881 §18.48), FREE_STATEID
 * (§18.38), DELEGRETURN (§18.6). */
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "server.h"
#include "session.h"
#include "state.h"

#define ANY_KIND                                                               \
	((1u << STID_OPEN) | (1u << STID_LOCK) | (1u << STID_DELEG) |         \
	 (1u << STID_LAYOUT))

/* §18.48.3: special stateids are never valid here; no current-stateid
 * substitution either. */
static nfsstat4 test_one(struct compound *c, const stateid4 *sid)
{
	struct nfs_stid *st;

	if (stateid_is_anonymous(sid) || stateid_is_bypass(sid) ||
	    stateid_is_current(sid))
		return NFS4ERR_BAD_STATEID;
	if (!stateid_epoch_matches(c->srv->boot_epoch,
				   (const uint8_t *)sid->other))
		return NFS4ERR_BAD_STATEID;
	st = stid_find_other(c->srv, (const uint8_t *)sid->other);
	if (!st || st->client != c->client)
		return NFS4ERR_BAD_STATEID;
	if (st->revoked)
		return NFS4ERR_DELEG_REVOKED;
	if (sid->seqid != 0 && sid->seqid < st->seqid)
		return NFS4ERR_OLD_STATEID;
	if (sid->seqid > st->seqid)
		return NFS4ERR_BAD_STATEID;
	return NFS4_OK;
}

nfsstat4 op_test_stateid(struct compound *c, void *args, void *res)
{
	TEST_STATEID4args *a = args;
	TEST_STATEID4resok *ok =
		&((TEST_STATEID4res *)res)->TEST_STATEID4res_u.tsr_resok4;
	u_int n = a->ts_stateids.ts_stateids_len;

	ok->tsr_status_codes.tsr_status_codes_val =
		calloc(n ? n : 1, sizeof(nfsstat4));
	if (!ok->tsr_status_codes.tsr_status_codes_val)
		return NFS4ERR_RESOURCE;
	ok->tsr_status_codes.tsr_status_codes_len = n;
	for (u_int i = 0; i < n; i++)
		ok->tsr_status_codes.tsr_status_codes_val[i] =
			test_one(c, &a->ts_stateids.ts_stateids_val[i]);
	return NFS4_OK;
}

nfsstat4 op_free_stateid(struct compound *c, void *args, void *res)
{
	FREE_STATEID4args *a = args;
	struct nfs_stid *st;
	nfsstat4 s;

	(void)res;
	st = stid_find_other(c->srv, (const uint8_t *)a->fsa_stateid.other);
	if (st && st->revoked && st->client == c->client) {
		stid_free(c->srv, st); /* §18.38.3: frees a revoked one */
		return NFS4_OK;
	}
	s = state_resolve(c, &a->fsa_stateid, ANY_KIND, 0, &st);
	if (s != NFS4_OK)
		return s;
	if (!st)
		return NFS4ERR_BAD_STATEID;
	/* §18.38.3: a lock stateid with locks, or an open stateid (it goes
	 * by CLOSE), cannot be freed. */
	if (st->kind == STID_OPEN || (st->kind == STID_LOCK && st->locks))
		return NFS4ERR_LOCKS_HELD;
	stid_free(c->srv, st);
	return NFS4_OK;
}

nfsstat4 op_delegreturn(struct compound *c, void *args, void *res)
{
	DELEGRETURN4args *a = args;
	struct nfs_stid *st;
	nfsstat4 s;

	(void)res;
	s = state_resolve(c, &a->deleg_stateid, 1u << STID_DELEG,
			  c->cur.fileid, &st);
	if (s != NFS4_OK)
		return s;
	if (!st)
		return NFS4ERR_BAD_STATEID;
	stid_free(c->srv, st);
	return NFS4_OK;
}
