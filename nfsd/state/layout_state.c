/* nfsd/state/layout_state.c — see layout_state.h. */
#include "layout_state.h"

#include <stdlib.h>
#include <string.h>

#include "callback.h"
#include "cluster.h"
#include "log.h"
#include "server.h"
#include "session.h"
#include "state.h"

struct nfs_stid *layout_find(struct strata_server *srv,
			     const struct nfs_client *clp, uint64_t fileid)
{
	STATE_FOR_FILE(srv, fileid, st)
		if (st->kind == STID_LAYOUT && st->client == clp)
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
	atomic_fetch_add(&srv->metrics.recalls_timedout[METRICS_RECALL_LAYOUT],
			 1);
	layout_fence_client(srv, st->client, st->fileid);
	stid_free(srv, st);
}

/* Does CLP have FILEID open (an open or a delegation)? */
static int holder_has_open(struct strata_server *srv,
			   const struct nfs_client *clp, uint64_t fileid)
{
	STATE_FOR_FILE(srv, fileid, st)
		if (st->client == clp &&
		    (st->kind == STID_OPEN ||
		     (st->kind == STID_DELEG && !st->revoked)))
			return 1;
	return 0;
}

static void send_recall(struct strata_server *srv, struct nfs_stid *st)
{
	if (st->recall_sent)
		return;
	/* RFC 8881 §12.5.3: a recall bumps the layout stateid's seqid. */
	st->seqid++;
	if (cb_layoutrecall(srv, st) == 0)
		st->recall_sent = 1;
	else
		st->seqid--;
}

/* A closed holder's layout: told, not waited for (see layout_break). */
static void let_go(struct strata_server *srv, int reachable,
		   struct nfs_stid *st)
{
	if (!st->recalled)
		st->recalled = server_now();
	st->recall_waited = 0;
	if (reachable)
		send_recall(srv, st);
	else
		stid_free(srv, st);
}

void layout_trim(struct strata_server *srv, struct nfs_client *clp)
{
	int s = cb_reachable(srv, clp);
	unsigned max = srv->cfg.max_layouts, over;
	struct nfs_stid *st, *next;

	if (!max || clp->nlayouts <= max)
		return;
	over = clp->nlayouts - max;
	for (st = clp->lo_first; st && over; st = next) {
		next = st->lo_next;
		if (st->recall_sent ||
		    holder_has_open(srv, clp, st->fileid))
			continue;
		let_go(srv, s, st);
		/* The back channel has one slot (Linux): the next recall
		 * goes with the next LAYOUTGET over the limit. */
		if (s && !st->recall_sent)
			break;
		over--;
	}
}

nfsstat4 layout_break(struct strata_server *srv,
		      const struct nfs_client *except, uint64_t fileid)
{
	time_t now = server_now();
	int pending = 0;

	if (!srv->cluster)
		return NFS4_OK;
	STATE_FOR_FILE_SAFE(srv, fileid, st, next)
	{
		int s;

		if (st->kind != STID_LAYOUT || st->client == except)
			continue;
		s = cb_reachable(srv, st->client);
		if (!holder_has_open(srv, st->client, fileid)) {
			/* Kept after CLOSE (no return-on-close): nothing in
			 * flight, so told, not waited for. */
			let_go(srv, s, st);
			continue;
		}
		if (!st->recall_waited) {
			/* the fencing clock starts when we start waiting */
			st->recall_waited = 1;
			st->recalled = now;
		}
		if (!s || now - st->recalled > (time_t)srv->cfg.lease_time) {
			fence_and_drop(srv, st);
			continue;
		}
		pending = 1;
		send_recall(srv, st);
	}
	return pending ? NFS4ERR_DELAY : NFS4_OK;
}

int layout_held_open(struct strata_server *srv, uint64_t fileid)
{
	STATE_FOR_FILE(srv, fileid, st)
		if (st->kind == STID_LAYOUT &&
		    holder_has_open(srv, st->client, fileid))
			return 1;
	return 0;
}

int layout_rw_granted(struct strata_server *srv, uint64_t fileid)
{
	STATE_FOR_FILE(srv, fileid, st)
		if (st->kind == STID_LAYOUT &&
		    (st->access & LAYOUT_IOMODE_BIT(LAYOUTIOMODE4_RW)))
			return 1;
	return 0;
}

unsigned layout_let_go_closed(struct strata_server *srv, uint64_t fileid)
{
	unsigned n = 0;

	STATE_FOR_FILE_SAFE(srv, fileid, st, next)
	{
		if (st->kind != STID_LAYOUT || st->recall_sent ||
		    holder_has_open(srv, st->client, fileid))
			continue;
		let_go(srv, cb_reachable(srv, st->client), st);
		n++;
	}
	return n;
}

void layout_forget_file(struct strata_server *srv, uint64_t fileid)
{
	STATE_FOR_FILE_SAFE(srv, fileid, st, next)
		if (st->kind == STID_LAYOUT)
			stid_free(srv, st);
}

int layout_recall_pending(struct strata_server *srv, uint64_t fileid)
{
	STATE_FOR_FILE(srv, fileid, st)
		if (st->kind == STID_LAYOUT && st->recall_waited)
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

void layout_note_mtime_set(struct strata_server *srv, uint64_t fileid)
{
	STATE_FOR_FILE(srv, fileid, st)
		if (st->kind == STID_LAYOUT)
			st->mtime_set = 1;
}
