/* nfsd/state/state.c — stateids, share reservations, byte-range locks.
 * Contract in state.h. */
#include "state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compound.h"
#include "layout_state.h"
#include "orphan.h"
#include "mac.h"
#include "server.h"
#include "session.h"
#include "stateid_fmt.h"

static unsigned hash_other(const struct strata_server *srv,
			   const uint8_t *other)
{
	uint64_t id = 0;

	for (int i = 2; i < 8; i++)
		id = (id << 8) | other[i];
	return (unsigned)(id % srv->stid_hash_size);
}

static unsigned hash_fileid(const struct strata_server *srv, uint64_t fileid)
{
	/* fileids carry their shard in the high bits: mix them all in */
	return (unsigned)(((fileid * 0x9E3779B97F4A7C15ull) >> 32) %
			  srv->stid_hash_size);
}

int state_tables_init(struct strata_server *srv, unsigned size)
{
	srv->stid_hash_size = size;
	srv->stid_hash = calloc(size, sizeof(*srv->stid_hash));
	srv->file_hash = calloc(size, sizeof(*srv->file_hash));
	if (srv->stid_hash && srv->file_hash)
		return 0;
	state_tables_free(srv);
	return -ENOMEM;
}

void state_tables_free(struct strata_server *srv)
{
	free(srv->stid_hash);
	free(srv->file_hash);
	srv->stid_hash = srv->file_hash = NULL;
}

struct nfs_stid *state_file_chain(struct strata_server *srv, uint64_t fileid)
{
	return srv->file_hash[hash_fileid(srv, fileid)];
}

static void sig_input(const uint8_t *other, uint64_t fileid, uint8_t in[16])
{
	memcpy(in, other, 8);
	for (int i = 0; i < 8; i++)
		in[8 + i] = (uint8_t)(fileid >> (56 - 8 * i));
}

void stateid_sign(const struct mac_key *k, uint8_t *other, uint64_t fileid)
{
	uint8_t in[16];

	sig_input(other, fileid, in);
	mac_compute(k, MAC_DOMAIN_STATEID, in, sizeof(in), other + 8, 4);
}

int stateid_sig_ok(const struct mac_key *k, const uint8_t *other,
		   uint64_t fileid)
{
	uint8_t in[16];

	sig_input(other, fileid, in);
	return mac_verify(k, MAC_DOMAIN_STATEID, in, sizeof(in), other + 8, 4);
}

int stateid_epoch_matches(uint32_t boot_epoch, const uint8_t *other)
{
	return other[0] == (uint8_t)(boot_epoch >> 8) &&
	       other[1] == (uint8_t)boot_epoch;
}

struct nfs_stid *stid_new(struct strata_server *srv, struct nfs_client *clp,
			  enum stid_kind kind, uint64_t fileid,
			  const void *owner, size_t owner_len)
{
	struct nfs_stid *st = calloc(1, sizeof(*st));
	uint64_t id;
	unsigned h;

	if (!st)
		return NULL;
	if (owner_len) {
		st->owner = malloc(owner_len);
		if (!st->owner) {
			free(st);
			return NULL;
		}
		memcpy(st->owner, owner, owner_len);
		st->owner_len = owner_len;
	}
	id = ++srv->next_stid;
	st->other[0] = (uint8_t)(srv->boot_epoch >> 8);
	st->other[1] = (uint8_t)srv->boot_epoch;
	st->other[STATEID_NODE_BYTE] = (uint8_t)srv->node;
	for (int i = 0; i < STATEID_COUNTER_BYTES; i++)
		st->other[3 + i] = (uint8_t)(id >> (32 - 8 * i));
	stateid_sign(&srv->key, st->other, fileid);
	st->seqid = 1;
	st->kind = kind;
	st->client = clp;
	st->fileid = fileid;
	h = hash_other(srv, st->other);
	st->hash_next = srv->stid_hash[h];
	srv->stid_hash[h] = st;
	h = hash_fileid(srv, fileid);
	st->file_next = srv->file_hash[h];
	srv->file_hash[h] = st;
	st->client_next = clp->stids;
	if (clp->stids)
		clp->stids->client_pprev = &st->client_next;
	st->client_pprev = &clp->stids;
	clp->stids = st;
	if (kind == STID_LAYOUT) {
		st->lo_prev = clp->lo_last;
		if (clp->lo_last)
			clp->lo_last->lo_next = st;
		else
			clp->lo_first = st;
		clp->lo_last = st;
		clp->nlayouts++;
	}
	return st;
}

static void free_ranges(struct lock_range *r)
{
	while (r) {
		struct lock_range *n = r->next;
		free(r);
		r = n;
	}
}

void stid_free(struct strata_server *srv, struct nfs_stid *st)
{
	struct nfs_stid **pp;

	for (pp = &srv->stid_hash[hash_other(srv, st->other)]; *pp;
	     pp = &(*pp)->hash_next) {
		if (*pp == st) {
			*pp = st->hash_next;
			break;
		}
	}
	for (pp = &srv->file_hash[hash_fileid(srv, st->fileid)]; *pp;
	     pp = &(*pp)->file_next) {
		if (*pp == st) {
			*pp = st->file_next;
			break;
		}
	}
	/* O(1): a client may hold thousands of layouts (layout_state.h) */
	*st->client_pprev = st->client_next;
	if (st->client_next)
		st->client_next->client_pprev = st->client_pprev;
	/* Locks taken through an open die with it. */
	if (st->kind == STID_OPEN)
		STATE_FOR_FILE(srv, st->fileid, o)
			if (o->kind == STID_LOCK && o->open == st)
				o->open = NULL;
	if (st->revoked)
		client_revoked_add(srv, st->client, -1);
	if (st->kind == STID_LAYOUT) {
		struct nfs_client *clp = st->client;

		if (st->lo_prev)
			st->lo_prev->lo_next = st->lo_next;
		else
			clp->lo_first = st->lo_next;
		if (st->lo_next)
			st->lo_next->lo_prev = st->lo_prev;
		else
			clp->lo_last = st->lo_prev;
		clp->nlayouts--;
	}
	free_ranges(st->locks);
	free(st->owner);
	free(st);
}

struct nfs_stid *stid_find_other(struct strata_server *srv,
				 const uint8_t other[NFS4_OTHER_SIZE])
{
	struct nfs_stid *st = srv->stid_hash[hash_other(srv, other)];

	for (; st; st = st->hash_next)
		if (memcmp(st->other, other, NFS4_OTHER_SIZE) == 0)
			return st;
	return NULL;
}

void stid_to_wire(const struct nfs_stid *st, stateid4 *out)
{
	out->seqid = st->seqid;
	memcpy(out->other, st->other, NFS4_OTHER_SIZE);
}

void state_release_client(struct strata_server *srv, struct nfs_client *clp)
{
	/* A client that held layouts loses its state: its stateids must stop
	 * working on the data servers too (nfsd/state/layout_state.h). */
	if (clp->lo_first)
		layout_fence_client(srv, clp, 0);
	while (clp->stids)
		stid_free(srv, clp->stids);
	/* its opens of unlinked files were perhaps the last ones */
	if (srv->orphans)
		orphan_reap(srv);
}

static int all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

int stateid_is_anonymous(const stateid4 *s)
{
	return s->seqid == 0 && all_bytes((const uint8_t *)s->other,
					  NFS4_OTHER_SIZE, 0);
}

int stateid_is_bypass(const stateid4 *s)
{
	return s->seqid == 0xffffffffu &&
	       all_bytes((const uint8_t *)s->other, NFS4_OTHER_SIZE, 0xff);
}

int stateid_is_current(const stateid4 *s)
{
	return s->seqid == 1 &&
	       all_bytes((const uint8_t *)s->other, NFS4_OTHER_SIZE, 0);
}

nfsstat4 state_resolve(struct compound *c, const stateid4 *in,
		       unsigned kinds, uint64_t fileid,
		       struct nfs_stid **out)
{
	stateid4 sid = *in;
	struct nfs_stid *st;

	*out = NULL;
	/* RFC 8881 §16.2.3.1.2: the current stateid. */
	if (stateid_is_current(&sid)) {
		if (!c->cur_stateid_valid)
			return NFS4ERR_BAD_STATEID;
		sid = c->cur_stateid;
	}
	if (stateid_is_anonymous(&sid) || stateid_is_bypass(&sid))
		return NFS4_OK;
	if (!stateid_epoch_matches(c->srv->boot_epoch,
				   (const uint8_t *)sid.other))
		/* A front's client whose owner (this node) restarted: its
		 * front is about to tell it to reclaim; until then it waits
		 * rather than taking the state for lost. */
		return c->client && c->client->front &&
				       recovery_in_grace(c->srv->recovery,
							 server_now())
			       ? NFS4ERR_DELAY
			       : NFS4ERR_STALE_STATEID;
	st = stid_find_other(c->srv, (const uint8_t *)sid.other);
	if (!st || !(kinds & (1u << st->kind)))
		return NFS4ERR_BAD_STATEID;
	if (st->revoked)
		return NFS4ERR_DELEG_REVOKED; /* RFC 8881 §8.2.3 */
	if (c->client && st->client != c->client)
		return NFS4ERR_BAD_STATEID;
	if (fileid && st->fileid != fileid)
		return NFS4ERR_BAD_STATEID;
	/* RFC 8881 §8.2.2: seqid 0 means the current version. */
	if (sid.seqid != 0) {
		if (sid.seqid < st->seqid)
			return NFS4ERR_OLD_STATEID;
		if (sid.seqid > st->seqid)
			return NFS4ERR_BAD_STATEID;
	}
	*out = st;
	return NFS4_OK;
}

nfsstat4 state_share_check(struct strata_server *srv, uint64_t fileid,
			   const struct nfs_stid *self, uint32_t access,
			   uint32_t deny)
{
	STATE_FOR_FILE(srv, fileid, st)
	{
		if (st == self || st->kind != STID_OPEN)
			continue;
		if ((st->deny & access) || (st->access & deny))
			return NFS4ERR_SHARE_DENIED;
	}
	return NFS4_OK;
}

int state_file_has_opens(struct strata_server *srv, uint64_t fileid)
{
	STATE_FOR_FILE(srv, fileid, st)
		if (st->kind == STID_OPEN)
			return 1;
	return 0;
}

static int same_owner(const struct nfs_stid *st, const struct nfs_client *clp,
		      const void *owner, size_t len)
{
	return st->client == clp && bytes_eq(st->owner, st->owner_len, owner, len);
}

struct nfs_stid *lock_conflict(struct strata_server *srv, uint64_t fileid,
			       const struct nfs_client *clp,
			       const void *owner, size_t owner_len, int write,
			       uint64_t start, uint64_t end)
{
	STATE_FOR_FILE(srv, fileid, st)
	{
		if (st->kind != STID_LOCK ||
		    same_owner(st, clp, owner, owner_len))
			continue;
		for (struct lock_range *r = st->locks; r; r = r->next)
			if (r->start < end && start < r->end &&
			    (write || r->write))
				return st;
	}
	return NULL;
}

nfsstat4 state_io_check(struct strata_server *srv, uint64_t fileid,
			const struct nfs_stid *stid, int write,
			uint64_t off, uint64_t len)
{
	const struct nfs_client *clp = stid ? stid->client : NULL;
	const struct nfs_stid *mine =
		stid && stid->kind == STID_LOCK ? stid->open : stid;
	uint64_t end = len ? off + len : off + 1;

	if (end < off)
		end = UINT64_MAX;
	/* Deny modes of other opens (RFC 8881 §9.7). */
	STATE_FOR_FILE(srv, fileid, st)
	{
		if (st->kind != STID_OPEN || st == mine)
			continue;
		if (st->deny & (write ? OPEN4_SHARE_DENY_WRITE
				      : OPEN4_SHARE_DENY_READ))
			return NFS4ERR_LOCKED;
	}
	/* Mandatory-style check against other owners' locks (RFC 8881
	 * §9.1.4: a server may enforce; Linux expects conflicts honoured). */
	if (stid && stid->kind == STID_LOCK)
		return lock_conflict(srv, fileid, clp, stid->owner,
				     stid->owner_len, write, off, end)
			       ? NFS4ERR_LOCKED
			       : NFS4_OK;
	return NFS4_OK;
}

/* Subtract [start,end) from the owner's ranges, splitting as needed. */
int lock_remove(struct nfs_stid *ls, uint64_t start, uint64_t end)
{
	struct lock_range **pp = &ls->locks;

	while (*pp) {
		struct lock_range *r = *pp;
		if (r->end <= start || end <= r->start) {
			pp = &r->next;
			continue;
		}
		if (r->start < start && end < r->end) {
			struct lock_range *tail = malloc(sizeof(*tail));
			if (!tail)
				return -1;
			*tail = *r;
			tail->start = end;
			r->end = start;
			r->next = tail;
			pp = &tail->next;
			continue;
		}
		if (r->start < start) {
			r->end = start;
			pp = &r->next;
		} else if (end < r->end) {
			r->start = end;
			pp = &r->next;
		} else {
			*pp = r->next;
			free(r);
		}
	}
	return 0;
}

/* Replace whatever the owner held in [start,end) by one range of the new
 * type, then merge with adjacent ranges of the same type. */
int lock_add(struct nfs_stid *ls, int write, uint64_t start, uint64_t end)
{
	struct lock_range *n, **pp;

	if (lock_remove(ls, start, end) < 0)
		return -1;
	n = malloc(sizeof(*n));
	if (!n)
		return -1;
	n->start = start;
	n->end = end;
	n->write = write;
	for (pp = &ls->locks; *pp && (*pp)->start < start; pp = &(*pp)->next)
		;
	n->next = *pp;
	*pp = n;
	/* merge neighbours */
	for (struct lock_range *r = ls->locks; r && r->next;) {
		struct lock_range *x = r->next;
		if (r->write == x->write && r->end == x->start) {
			r->end = x->end;
			r->next = x->next;
			free(x);
		} else {
			r = x;
		}
	}
	return 0;
}
