/* nfsd/census.c — see census.h. */
#include "census.h"

#include <stdio.h>
#include <string.h>

#include "server.h"
#include "session.h"
#include "state.h"
#include "xprt.h"

static void count_stid(const struct nfs_stid *st, unsigned *opens,
		       unsigned *locks, unsigned *delegs, unsigned *layouts)
{
	switch (st->kind) {
	case STID_OPEN:
		(*opens)++;
		break;
	case STID_LOCK: /* byte ranges held, as a lock list would show */
		for (const struct lock_range *r = st->locks; r; r = r->next)
			(*locks)++;
		break;
	case STID_DELEG:
		if (!st->revoked)
			(*delegs)++;
		break;
	case STID_LAYOUT:
		(*layouts)++;
		break;
	}
}

/* The owner string, printable (non-printable bytes as \xNN), cut to fit. */
static void owner_text(const struct nfs_client *clp, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < clp->owner_len && o + 5 < cap; i++) {
		unsigned char ch = clp->owner[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			out[o++] = (char)ch;
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", ch);
	}
	out[o] = 0;
}

static void one_client(struct strata_server *srv,
		       const struct nfs_client *clp, struct census_client *r)
{
	time_t now = server_now();

	memset(r, 0, sizeof(*r));
	r->clientid = clp->clientid;
	owner_text(clp, r->owner, sizeof(r->owner));
	r->minor = 1;
	r->confirmed = clp->confirmed;
	r->courtesy = clp->expired;
	r->lease_age = now > clp->last_renew ? (uint32_t)(now - clp->last_renew)
					     : 0;
	r->revoked = clp->revoked;
	for (const struct nfs_session *s = clp->sessions; s; s = s->next) {
		r->sessions++;
		if (!r->addr[0] && s->nconns)
			snprintf(r->addr, sizeof(r->addr), "%s",
				 s->conns[0]->peer);
	}
	for (const struct nfs_stid *st = clp->stids; st; st = st->client_next)
		count_stid(st, &r->opens, &r->locks, &r->delegations,
			   &r->layouts);
}

size_t census_clients(struct strata_server *srv, struct census_client *rows,
		      size_t max)
{
	size_t n = 0;

	for (const struct nfs_client *clp = srv->clients; clp; clp = clp->next) {
		if (n < max)
			one_client(srv, clp, &rows[n]);
		n++;
	}
	return n;
}

void census_totals(struct strata_server *srv, struct census_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (const struct nfs_client *clp = srv->clients; clp; clp = clp->next) {
		if (!clp->confirmed)
			t->clients_unconfirmed++;
		else if (clp->expired)
			t->clients_courtesy++;
		else
			t->clients_confirmed++;
		for (const struct nfs_session *s = clp->sessions; s;
		     s = s->next)
			t->sessions++;
		for (const struct nfs_stid *st = clp->stids; st;
		     st = st->client_next)
			count_stid(st, &t->opens, &t->locks, &t->delegations,
				   &t->layouts);
	}
}
