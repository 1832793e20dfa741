/* pnfs/layout_state.c — see layout_state.h. */
#include "layout_state.h"

#include <stdlib.h>
#include <string.h>

#include "callback.h"
#include "cluster.h"
#include "log.h"
#include "server.h"
#include "session.h"
#include "state.h"

struct nfs_stid *layout_find(const struct nfs_client *clp, uint64_t fileid)
{
	for (struct nfs_stid *st = clp->stids; st; st = st->client_next)
		if (st->kind == STID_LAYOUT && st->fileid == fileid)
			return st;
	return NULL;
}

void layout_fence_client(struct strata_server *srv,
			 const struct nfs_client *clp, uint64_t fileid)
{
	uint8_t(*others)[12] = NULL;
	unsigned n = 0, cap = 0;

	if (!srv->cluster)
		return;
	for (struct nfs_stid *st = clp->stids; st; st = st->client_next) {
		if (st->kind == STID_LAYOUT ||
		    (fileid && st->fileid != fileid))
			continue;
		if (n == cap) {
			unsigned nc = cap ? cap * 2 : 8;
			void *p = realloc(others, (size_t)nc * 12);
			if (!p)
				break;
			others = p;
			cap = nc;
		}
		memcpy(others[n++], st->other, 12);
	}
	if (n)
		cluster_revoke(srv->cluster, (const uint8_t(*)[12])others, n);
	free(others);
}

static void fence_and_drop(struct strata_server *srv, struct nfs_stid *st)
{
	log_warn("client %llx did not return its layout on fileid %llx "
		 "within a lease of the recall: fenced",
		 (unsigned long long)st->client->clientid,
		 (unsigned long long)st->fileid);
	layout_fence_client(srv, st->client, st->fileid);
	stid_free(srv, st);
}

nfsstat4 layout_break(struct strata_server *srv,
		      const struct nfs_client *except, uint64_t fileid)
{
	time_t now = server_now();
	int pending = 0;

	if (!srv->cluster)
		return NFS4_OK;
	for (struct nfs_client *cl = srv->clients; cl; cl = cl->next) {
		struct nfs_stid *st, *next;
		for (st = cl->stids; st; st = next) {
			struct nfs_session *s;

			next = st->client_next;
			if (st->kind != STID_LAYOUT || st->fileid != fileid ||
			    cl == except)
				continue;
			if (!st->recalled)
				st->recalled = now;
			s = cb_session(cl);
			if (!s || now - st->recalled >
					  (time_t)srv->cfg.lease_time) {
				fence_and_drop(srv, st);
				continue;
			}
			pending = 1;
			if (st->recall_sent)
				continue;
			/* RFC 8881 §12.5.3: a recall bumps the layout
			 * stateid's seqid. */
			st->seqid++;
			if (cb_layoutrecall(srv, s, st) == 0)
				st->recall_sent = 1;
			else
				st->seqid--;
		}
	}
	return pending ? NFS4ERR_DELAY : NFS4_OK;
}

int layout_recall_pending(struct strata_server *srv, uint64_t fileid)
{
	for (struct nfs_client *cl = srv->clients; cl; cl = cl->next)
		for (struct nfs_stid *st = cl->stids; st; st = st->client_next)
			if (st->kind == STID_LAYOUT && st->fileid == fileid &&
			    st->recalled)
				return 1;
	return 0;
}

void layout_recall_done(struct strata_server *srv,
			const uint8_t other[NFS4_OTHER_SIZE], nfsstat4 status)
{
	struct nfs_stid *st = stid_find_other(srv, other);

	if (!st || st->kind != STID_LAYOUT)
		return;
	log_info("client %llx answered CB_LAYOUTRECALL on fileid %llx: %d",
		 (unsigned long long)st->client->clientid,
		 (unsigned long long)st->fileid, (int)status);
	/* RFC 8881 §20.3.4: NOMATCHING_LAYOUT means it holds nothing. */
	if (status == NFS4ERR_NOMATCHING_LAYOUT)
		stid_free(srv, st);
	else if (status != NFS4_OK && status != NFS4ERR_DELAY)
		st->recall_sent = 0; /* send again on the next break */
}
