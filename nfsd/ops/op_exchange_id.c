/* nfsd/ops/op_exchange_id.c — EXCHANGE_ID (RFC 8881 §18.35). */
#include <string.h>

#include "cmap.h"
#include "ops.h"
#include "server.h"
#include "session.h"

#define EID_ARG_FLAGS                                                          \
	(EXCHGID4_FLAG_SUPP_MOVED_REFER | EXCHGID4_FLAG_SUPP_MOVED_MIGR |     \
	 EXCHGID4_FLAG_BIND_PRINC_STATEID | EXCHGID4_FLAG_USE_NON_PNFS |      \
	 EXCHGID4_FLAG_USE_PNFS_MDS | EXCHGID4_FLAG_USE_PNFS_DS |             \
	 EXCHGID4_FLAG_UPD_CONFIRMED_REC_A)

/* The record the request resolves to, per the cases of §18.35.4. */
static nfsstat4 pick_client(struct compound *c, const EXCHANGE_ID4args *a,
			    struct nfs_client **out)
{
	const struct rpc_cred *cred = &c->call->cred;
	const client_owner4 *co = &a->eia_clientowner;
	struct nfs_client *conf, *unconf;
	int update = (a->eia_flags & EXCHGID4_FLAG_UPD_CONFIRMED_REC_A) != 0;

	conf = client_find_owner(c->srv, co->co_ownerid.co_ownerid_val,
				 co->co_ownerid.co_ownerid_len, 1);
	unconf = client_find_owner(c->srv, co->co_ownerid.co_ownerid_val,
				   co->co_ownerid.co_ownerid_len, 0);
	if (update) {
		if (!conf)
			return NFS4ERR_NOENT;           /* case 7 */
		if (!client_same_principal(conf, cred))
			return NFS4ERR_PERM;            /* case 9 */
		if (memcmp(conf->verifier, co->co_verifier, NFS4_VERIFIER_SIZE))
			return NFS4ERR_NOT_SAME;        /* case 8 */
		*out = conf;                            /* case 6 */
		return NFS4_OK;
	}
	if (conf) {
		int same_verf = memcmp(conf->verifier, co->co_verifier,
				       NFS4_VERIFIER_SIZE) == 0;
		if (!client_same_principal(conf, cred)) {
			if (client_has_state(conf) && !conf->expired)
				return NFS4ERR_CLID_INUSE; /* case 3 */
			client_destroy(c->srv, conf); /* replaced */
		} else if (same_verf) {
			*out = conf;                       /* case 2 */
			return NFS4_OK;
		}
		/* case 5 (client restart) or 3 without state: a new
		 * unconfirmed record; the old one goes when it confirms. */
	}
	if (unconf)
		client_destroy(c->srv, unconf);            /* case 4 */
	*out = client_new(c->srv, co->co_ownerid.co_ownerid_val,
			  co->co_ownerid.co_ownerid_len, co->co_verifier, cred);
	return *out ? NFS4_OK : NFS4ERR_RESOURCE;
}

static void fill_reply(struct compound *c, struct nfs_client *clp,
		       const EXCHANGE_ID4args *a, EXCHANGE_ID4resok *r)
{
	struct strata_server *srv = c->srv;

	r->eir_clientid = clp->clientid;
	r->eir_sequenceid = clp->seqid;
	/* pNFS roles arrive with layouts; until then a plain server. The
	 * Linux client needs exactly one role bit (pnfs-linux-client.md §1). */
	/* RFC 8881 §13.1: a server's pNFS role. The Linux client refuses a
	 * reply with none of the three, or with NON_PNFS and PNFS_MDS. */
	if (c->srv->role & ROLE_DS)
		r->eir_flags = EXCHGID4_FLAG_USE_PNFS_DS;
	else if (c->srv->cluster || (!c->srv->owns_all && c->srv->cmap->pnfs))
		/* A front says what the owners it forwards to serve. */
		r->eir_flags = EXCHGID4_FLAG_USE_PNFS_MDS;
	else
		r->eir_flags = EXCHGID4_FLAG_USE_NON_PNFS;
	if (clp->confirmed)
		r->eir_flags |= EXCHGID4_FLAG_CONFIRMED_R;
	clp->flags = r->eir_flags;
	r->eir_state_protect.spr_how = a->eia_state_protect.spa_how;
	r->eir_server_owner.so_minor_id = srv->server_owner_minor;
	r->eir_server_owner.so_major_id.so_major_id_len =
		(u_int)strlen(srv->server_owner_major);
	r->eir_server_owner.so_major_id.so_major_id_val =
		strdup(srv->server_owner_major);
	r->eir_server_scope.eir_server_scope_len =
		(u_int)strlen(srv->server_scope);
	r->eir_server_scope.eir_server_scope_val = strdup(srv->server_scope);
}

nfsstat4 op_exchange_id(struct compound *c, void *args, void *res)
{
	EXCHANGE_ID4args *a = args;
	EXCHANGE_ID4res *r = res;
	struct nfs_client *clp = NULL;
	nfsstat4 st;

	if (a->eia_flags & ~EID_ARG_FLAGS)
		return NFS4ERR_INVAL;
	switch (a->eia_state_protect.spa_how) {
	case SP4_NONE:
		break;
	case SP4_MACH_CRED:
		/* Granted with empty op lists: nothing must use the machine
		 * credential (RFC 8881 §18.35.3). */
		break;
	default:
		return NFS4ERR_ENCR_ALG_UNSUPP;
	}
	st = pick_client(c, a, &clp);
	if (st != NFS4_OK)
		return st;
	fill_reply(c, clp, a, &r->EXCHANGE_ID4res_u.eir_resok4);
	return NFS4_OK;
}
