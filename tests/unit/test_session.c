/*
 * tests/unit/test_session.c — client records, sessions, slots and
 * byte-range lock arithmetic (nfsd/session.c, nfsd/state/state.c), without a
 * running server: a zeroed struct strata_server with a stateid hash is all
 * these functions touch.
 *
 *   - session_slot_classify(): the slot state machine of RFC 8881
 *     §2.10.6.1 (new = last + 1 with 32-bit wrap, replay = last after the
 *     first use, misordered otherwise).
 *   - session_slot_done(): caching and not caching the reply.
 *   - session_bind_conn(): the per-session connection limit, dead
 *     connections, back channel references (fake xprt_conn from
 *     compound_harness.c: destroy() frees it and counts).
 *   - client_new/find/find_owner/destroy.
 *   - lock_add/lock_remove: split, merge, upgrade and downgrade.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compound_harness.h"
#include "server.h"
#include "session.h"
#include "state.h"
#include "xprt.h"

/* ------------------------------------------------------------------ */
/* Fixture: a bare server struct                                       */
/* ------------------------------------------------------------------ */

static struct strata_server *fake_server(void)
{
	struct strata_server *srv = calloc(1, sizeof(*srv));

	assert_non_null(srv);
	srv->boot_epoch = 7;
	assert_int_equal(mac_key_random(&srv->key), 0);
	srv->cfg.lease_time = 90;
	assert_int_equal(state_tables_init(srv, 64), 0);
	pthread_mutex_init(&srv->state_lock, NULL);
	return srv;
}

static void fake_server_free(struct strata_server *srv)
{
	while (srv->clients)
		client_destroy(srv, srv->clients);
	for (unsigned i = 0; i < srv->stid_hash_size; i++) {
		assert_null(srv->stid_hash[i]);
		assert_null(srv->file_hash[i]);
	}
	state_tables_free(srv);
	pthread_mutex_destroy(&srv->state_lock);
	free(srv);
}

static int setup_srv(void **state)
{
	*state = fake_server();
	return 0;
}

static int teardown_srv(void **state)
{
	fake_server_free(*state);
	return 0;
}

static struct nfs_client *new_client(struct strata_server *srv,
				     const char *owner)
{
	static const verifier4 verf = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct rpc_cred cred;
	struct nfs_client *clp;

	ch_cred_sys(&cred, 1000, 1000);
	clp = client_new(srv, owner, strlen(owner), verf, &cred);
	assert_non_null(clp);
	return clp;
}

/* ------------------------------------------------------------------ */
/* Slot state machine                                                  */
/* ------------------------------------------------------------------ */

static void test_classify_fresh_slot(void **state)
{
	struct nfs_slot slot = { 0 };

	(void)state;
	/* RFC 8881 §2.10.6.1: the first request on a slot uses seqid 1. */
	assert_int_equal(session_slot_classify(&slot, 1), SLOT_NEW);
	/* Nothing was ever sent with seqid 0: not a replay. */
	assert_int_equal(session_slot_classify(&slot, 0), SLOT_MISORDERED);
	assert_int_equal(session_slot_classify(&slot, 2), SLOT_MISORDERED);
	assert_int_equal(session_slot_classify(&slot, UINT32_MAX),
			 SLOT_MISORDERED);
}

static void test_classify_in_use(void **state)
{
	struct nfs_slot slot = { .seqid = 5, .used = 1 };

	(void)state;
	assert_int_equal(session_slot_classify(&slot, 6), SLOT_NEW);
	assert_int_equal(session_slot_classify(&slot, 5), SLOT_REPLAY);
	assert_int_equal(session_slot_classify(&slot, 4), SLOT_MISORDERED);
	assert_int_equal(session_slot_classify(&slot, 7), SLOT_MISORDERED);
	assert_int_equal(session_slot_classify(&slot, 0), SLOT_MISORDERED);
	assert_int_equal(session_slot_classify(&slot, UINT32_MAX),
			 SLOT_MISORDERED);
}

static void test_classify_wrap(void **state)
{
	struct nfs_slot slot = { .seqid = UINT32_MAX, .used = 1 };

	(void)state;
	/* 2^32 - 1 + 1 wraps to 0. */
	assert_int_equal(session_slot_classify(&slot, 0), SLOT_NEW);
	assert_int_equal(session_slot_classify(&slot, UINT32_MAX),
			 SLOT_REPLAY);
	assert_int_equal(session_slot_classify(&slot, 1), SLOT_MISORDERED);
	assert_int_equal(session_slot_classify(&slot, UINT32_MAX - 1),
			 SLOT_MISORDERED);

	slot.seqid = UINT32_MAX - 1;
	assert_int_equal(session_slot_classify(&slot, UINT32_MAX), SLOT_NEW);
	assert_int_equal(session_slot_classify(&slot, 0), SLOT_MISORDERED);
}

/*
 * Regression: after the sequence id wraps, the request with seqid 0 has been
 * used, so a retransmission of it is a replay (RFC 8881 §2.10.6.1: a
 * request whose seqid equals the slot's last seqid is a retry, whatever
 * its value), and seqid 1 is the next new request. struct nfs_slot cannot
 * tell "seqid 0 after a wrap" from "never used", so classify() calls the
 * retry misordered; the slot's used flag tells the two apart.
 */
static void test_classify_replay_after_wrap(void **state)
{
	struct nfs_slot slot = { .seqid = UINT32_MAX, .used = 1 };

	(void)state;
	assert_int_equal(session_slot_classify(&slot, 0), SLOT_NEW);
	/* What op_sequence does with a new request, then its reply. */
	slot.seqid = 0;
	slot.used = 1;
	slot.in_use = 1;
	session_slot_done(NULL, &slot, (const uint8_t *)"abcd", 4, 1);
	assert_int_equal(session_slot_classify(&slot, 1), SLOT_NEW);
	if (session_slot_classify(&slot, 0) != SLOT_REPLAY) {
		free(slot.reply);
		fprintf(stderr, "REGRESSION: slot seqid 0 after a 2^32 wrap is not "
				"recognised as a replay (RFC 8881 "
				"§2.10.6.1)\n");
		fail();
	}
	free(slot.reply);
}

/* ------------------------------------------------------------------ */
/* Slot reply cache                                                    */
/* ------------------------------------------------------------------ */

static void test_slot_done_caches(void **state)
{
	struct nfs_slot slot = { .seqid = 1, .in_use = 1 };
	uint8_t reply[100];

	(void)state;
	for (unsigned i = 0; i < sizeof(reply); i++)
		reply[i] = (uint8_t)i;
	session_slot_done(NULL, &slot, reply, sizeof(reply), 1);
	assert_int_equal(slot.in_use, 0);
	assert_int_equal(slot.cached, 1);
	assert_non_null(slot.reply);
	assert_ptr_not_equal(slot.reply, reply); /* a copy */
	assert_int_equal(slot.reply_len, sizeof(reply));
	assert_memory_equal(slot.reply, reply, sizeof(reply));
	/* The slot's seqid is op_sequence's business, not done()'s. */
	assert_int_equal(slot.seqid, 1);

	/* The next request replaces the cached reply. */
	slot.seqid = 2;
	slot.in_use = 1;
	reply[0] = 0xee;
	session_slot_done(NULL, &slot, reply, 10, 1);
	assert_int_equal(slot.cached, 1);
	assert_int_equal(slot.reply_len, 10);
	assert_int_equal(slot.reply[0], 0xee);

	/* An empty reply can be cached too. */
	session_slot_done(NULL, &slot, reply, 0, 1);
	assert_int_equal(slot.cached, 1);
	assert_int_equal(slot.reply_len, 0);
	free(slot.reply);
}

static void test_slot_done_not_cached(void **state)
{
	struct nfs_slot slot = { .seqid = 1, .in_use = 1 };
	uint8_t reply[16] = { 1, 2, 3 };

	(void)state;
	session_slot_done(NULL, &slot, reply, sizeof(reply), 1);
	assert_int_equal(slot.cached, 1);
	/* An uncached request drops what the previous one cached: a retry
	 * of it must not get the older reply. */
	slot.seqid = 2;
	slot.in_use = 1;
	session_slot_done(NULL, &slot, reply, sizeof(reply), 0);
	assert_int_equal(slot.in_use, 0);
	assert_int_equal(slot.cached, 0);
	assert_null(slot.reply);
	assert_int_equal(slot.reply_len, 0);
}

/* ------------------------------------------------------------------ */
/* Connection binding                                                  */
/* ------------------------------------------------------------------ */

static void test_bind_conn_limit(void **state)
{
	struct strata_server *srv = *state;
	struct nfs_client *clp = new_client(srv, "bind-limit");
	struct nfs_session *s = session_new(srv, clp);
	struct xprt_conn *conns[SESSION_MAX_CONNS + 2];
	int destroyed = 0;

	assert_non_null(s);
	for (unsigned i = 0; i < SESSION_MAX_CONNS + 2; i++) {
		conns[i] = ch_conn_new(&destroyed);
		assert_non_null(conns[i]);
	}
	for (unsigned i = 0; i < SESSION_MAX_CONNS; i++) {
		assert_int_equal(session_bind_conn(s, conns[i], 0), 0);
		assert_int_equal(atomic_load(&conns[i]->refs), 2);
		assert_true(session_has_conn(s, conns[i]));
	}
	assert_int_equal(s->nconns, SESSION_MAX_CONNS);
	/* Binding an already bound connection takes no new slot or ref. */
	assert_int_equal(session_bind_conn(s, conns[3], 0), 0);
	assert_int_equal(atomic_load(&conns[3]->refs), 2);
	assert_int_equal(s->nconns, SESSION_MAX_CONNS);

	/* One too many: refused, no reference taken. */
	assert_true(session_bind_conn(s, conns[SESSION_MAX_CONNS], 0) < 0);
	assert_int_equal(atomic_load(&conns[SESSION_MAX_CONNS]->refs), 1);
	assert_false(session_has_conn(s, conns[SESSION_MAX_CONNS]));

	/* A dead connection makes room; its session reference goes. */
	atomic_store(&conns[5]->dead, true);
	assert_int_equal(session_bind_conn(s, conns[SESSION_MAX_CONNS], 0), 0);
	assert_false(session_has_conn(s, conns[5]));
	assert_int_equal(atomic_load(&conns[5]->refs), 1);
	assert_true(session_has_conn(s, conns[SESSION_MAX_CONNS]));
	assert_int_equal(s->nconns, SESSION_MAX_CONNS);

	/* Destroying the session drops every reference it held. */
	session_destroy(srv, s);
	assert_null(clp->sessions);
	assert_int_equal(destroyed, 0);
	for (unsigned i = 0; i < SESSION_MAX_CONNS + 2; i++) {
		assert_int_equal(atomic_load(&conns[i]->refs), 1);
		xprt_conn_put(conns[i]);
	}
	assert_int_equal(destroyed, SESSION_MAX_CONNS + 2);
}

/*
 * Regression: session.h documents session_bind_conn() as returning "0 or
 * -ENOSPC"; it returns -1 when the session is full. (Not an RFC matter:
 * the function's own contract; callers only test < 0 today.)
 */
static void test_bind_conn_enospc(void **state)
{
	struct strata_server *srv = *state;
	struct nfs_client *clp = new_client(srv, "bind-enospc");
	struct nfs_session *s = session_new(srv, clp);
	struct xprt_conn *extra;
	int destroyed = 0, rc;

	assert_non_null(s);
	for (unsigned i = 0; i < SESSION_MAX_CONNS; i++) {
		struct xprt_conn *c = ch_conn_new(&destroyed);
		assert_int_equal(session_bind_conn(s, c, 0), 0);
		xprt_conn_put(c); /* the session holds the only ref now */
	}
	extra = ch_conn_new(&destroyed);
	rc = session_bind_conn(s, extra, 0);
	xprt_conn_put(extra);
	session_destroy(srv, s);
	assert_int_equal(destroyed, SESSION_MAX_CONNS + 1);
	if (rc != -ENOSPC) {
		fprintf(stderr, "REGRESSION: session_bind_conn() on a full session "
				"returned %d, session.h says -ENOSPC\n", rc);
		fail();
	}
}

static void test_bind_back_channel(void **state)
{
	struct strata_server *srv = *state;
	struct nfs_client *clp = new_client(srv, "bind-back");
	struct nfs_session *s = session_new(srv, clp);
	struct xprt_conn *a = ch_conn_new(NULL), *b = ch_conn_new(NULL);

	assert_non_null(s);
	/* Fore and back on A: one ref for each role. */
	assert_int_equal(session_bind_conn(s, a, 1), 0);
	assert_ptr_equal(s->back_conn, a);
	assert_true(session_has_conn(s, a));
	assert_int_equal(atomic_load(&a->refs), 3);
	/* Again: nothing changes. */
	assert_int_equal(session_bind_conn(s, a, 1), 0);
	assert_int_equal(atomic_load(&a->refs), 3);
	/* Back channel moves to B; A keeps its fore binding. */
	assert_int_equal(session_bind_conn(s, b, 1), 0);
	assert_ptr_equal(s->back_conn, b);
	assert_int_equal(atomic_load(&a->refs), 2);
	assert_int_equal(atomic_load(&b->refs), 3);
	assert_int_equal(s->nconns, 2);
	session_destroy(srv, s);
	assert_int_equal(atomic_load(&a->refs), 1);
	assert_int_equal(atomic_load(&b->refs), 1);
	xprt_conn_put(a);
	xprt_conn_put(b);
}

/* ------------------------------------------------------------------ */
/* Clients and sessions                                                */
/* ------------------------------------------------------------------ */

static void test_client_lifecycle(void **state)
{
	struct strata_server *srv = *state;
	struct nfs_client *a = new_client(srv, "owner-a");
	struct nfs_client *b = new_client(srv, "owner-b");
	struct nfs_session *s1, *s2;
	struct rpc_cred cred;
	int destroyed = 0;
	struct xprt_conn *conn = ch_conn_new(&destroyed);

	assert_int_not_equal(a->clientid, b->clientid);
	/* The boot epoch is the high half of the id. */
	assert_int_equal(a->clientid >> 32, 7);
	assert_int_equal(b->clientid >> 32, 7);
	assert_int_equal(a->seqid, 1);
	assert_int_equal(a->confirmed, 0);
	assert_ptr_equal(client_find(srv, a->clientid), a);
	assert_ptr_equal(client_find(srv, b->clientid), b);
	assert_null(client_find(srv, 12345));
	assert_ptr_equal(client_find_owner(srv, "owner-a", 7, 0), a);
	assert_null(client_find_owner(srv, "owner-a", 7, 1));
	assert_null(client_find_owner(srv, "owner-", 6, 0));
	assert_null(client_find_owner(srv, "owner-c", 7, 0));

	ch_cred_sys(&cred, 1000, 5);
	assert_true(client_same_principal(a, &cred));
	cred.uid = 0;
	assert_false(client_same_principal(a, &cred));

	/* Sessions: distinct ids, findable, owned by the client. */
	s1 = session_new(srv, a);
	s2 = session_new(srv, a);
	assert_non_null(s1);
	assert_non_null(s2);
	assert_memory_not_equal(s1->id, s2->id, NFS4_SESSIONID_SIZE);
	assert_ptr_equal(session_find(srv, (const char *)s1->id), s1);
	assert_ptr_equal(session_find(srv, (const char *)s2->id), s2);
	assert_int_equal(session_bind_conn(s1, conn, 1), 0);
	s1->slots[0].reply = malloc(8); /* freed with the session */

	assert_false(client_has_state(a));
	/* Destroying a client frees its sessions (and drops conn refs). */
	sessionid4 id1;
	uint64_t a_id = a->clientid;
	memcpy(id1, s1->id, sizeof(id1));
	client_destroy(srv, a);
	assert_null(client_find(srv, a_id));
	assert_null(session_find(srv, id1));
	assert_ptr_equal(client_find(srv, b->clientid), b);
	assert_ptr_equal(srv->clients, b);
	assert_null(b->next);
	assert_int_equal(atomic_load(&conn->refs), 1);
	xprt_conn_put(conn);
	assert_int_equal(destroyed, 1);
}

static void test_client_destroy_releases_state(void **state)
{
	struct strata_server *srv = *state;
	struct nfs_client *a = new_client(srv, "stateful");
	struct nfs_stid *open, *lk;
	uint8_t other[NFS4_OTHER_SIZE];

	open = stid_new(srv, a, STID_OPEN, 42, "oo", 2);
	lk = stid_new(srv, a, STID_LOCK, 42, "lo", 2);
	assert_non_null(open);
	assert_non_null(lk);
	lk->open = open;
	assert_int_equal(lock_add(lk, 1, 0, 10), 0);
	assert_true(client_has_state(a));
	/* "other" carries the boot epoch and a signature over the fileid
	 * that a data server can check (state.h). */
	assert_true(stateid_epoch_matches(7, open->other));
	assert_false(stateid_epoch_matches(8, open->other));
	assert_true(stateid_sig_ok(&srv->key, open->other, 42));
	assert_false(stateid_sig_ok(&srv->key, open->other, 43));
	other[0] = open->other[8];
	open->other[8] ^= 1;
	assert_false(stateid_sig_ok(&srv->key, open->other, 42));
	open->other[8] = other[0];
	assert_ptr_equal(stid_find_other(srv, open->other), open);
	memcpy(other, lk->other, sizeof(other));
	client_destroy(srv, a);
	assert_null(stid_find_other(srv, other));
	/* fake_server_free checks the hash is empty. */
}

static void test_client_expire(void **state)
{
	struct strata_server *srv = *state;
	struct nfs_client *idle = new_client(srv, "idle");
	struct nfs_client *holder = new_client(srv, "holder");
	struct nfs_client *fresh = new_client(srv, "fresh");
	uint64_t idle_id = idle->clientid;

	holder->confirmed = 1;
	assert_non_null(stid_new(srv, holder, STID_OPEN, 9, "o", 1));
	idle->last_renew -= 1000;
	holder->last_renew -= 1000;
	client_expire(srv);
	/* No state: reaped. With state: kept, marked (courtesy). */
	assert_null(client_find(srv, idle_id));
	assert_ptr_equal(client_find(srv, holder->clientid), holder);
	assert_int_equal(holder->expired, 1);
	assert_ptr_equal(client_find(srv, fresh->clientid), fresh);
	assert_int_equal(fresh->expired, 0);
	client_renew(srv, holder);
	assert_int_equal(holder->expired, 0);
}

/* ------------------------------------------------------------------ */
/* Lock range arithmetic                                               */
/* ------------------------------------------------------------------ */

struct want {
	uint64_t start, end;
	int write;
};

static void check_ranges(const struct nfs_stid *ls, const struct want *w,
			 unsigned n)
{
	const struct lock_range *r = ls->locks;
	unsigned i = 0;

	for (; r; r = r->next, i++) {
		if (i >= n)
			fail_msg("more ranges than the %u expected", n);
		if (r->start != w[i].start || r->end != w[i].end ||
		    r->write != w[i].write)
			fail_msg("range %u: got [%llu,%llu) %s, want "
				 "[%llu,%llu) %s",
				 i, (unsigned long long)r->start,
				 (unsigned long long)r->end,
				 r->write ? "W" : "R",
				 (unsigned long long)w[i].start,
				 (unsigned long long)w[i].end,
				 w[i].write ? "W" : "R");
		if (r->next)
			assert_true(r->end <= r->next->start);
	}
	assert_int_equal(i, n);
}

#define CHECK(ls, ...)                                                       \
	do {                                                                 \
		static const struct want w_[] = { __VA_ARGS__ };             \
		check_ranges((ls), w_, sizeof(w_) / sizeof(w_[0]));          \
	} while (0)

static struct nfs_stid *lock_stid(struct strata_server *srv,
				  const char *owner)
{
	struct nfs_client *clp = srv->clients ? srv->clients
					      : new_client(srv, "locker");
	struct nfs_stid *st = stid_new(srv, clp, STID_LOCK, 100, owner,
				       strlen(owner));

	assert_non_null(st);
	return st;
}

static void test_lock_add_disjoint_and_merge(void **state)
{
	struct nfs_stid *ls = lock_stid(*state, "lo");

	assert_int_equal(lock_add(ls, 1, 20, 30), 0);
	assert_int_equal(lock_add(ls, 1, 0, 10), 0);
	CHECK(ls, { 0, 10, 1 }, { 20, 30, 1 });
	/* Touching range of the same type merges... */
	assert_int_equal(lock_add(ls, 1, 10, 20), 0);
	CHECK(ls, { 0, 30, 1 });
	/* ...of another type does not. */
	assert_int_equal(lock_add(ls, 0, 30, 40), 0);
	CHECK(ls, { 0, 30, 1 }, { 30, 40, 0 });
	/* Overlapping same type collapses into one range. */
	assert_int_equal(lock_add(ls, 0, 35, 50), 0);
	CHECK(ls, { 0, 30, 1 }, { 30, 50, 0 });
	/* Re-adding an identical range is idempotent. */
	assert_int_equal(lock_add(ls, 0, 30, 50), 0);
	CHECK(ls, { 0, 30, 1 }, { 30, 50, 0 });
}

static void test_lock_upgrade_downgrade(void **state)
{
	struct nfs_stid *ls = lock_stid(*state, "ud");

	assert_int_equal(lock_add(ls, 0, 0, 100), 0);
	/* Upgrade the middle: read / write / read. */
	assert_int_equal(lock_add(ls, 1, 40, 60), 0);
	CHECK(ls, { 0, 40, 0 }, { 40, 60, 1 }, { 60, 100, 0 });
	/* Downgrade it back: everything merges into one read range. */
	assert_int_equal(lock_add(ls, 0, 40, 60), 0);
	CHECK(ls, { 0, 100, 0 });
	/* Upgrade across the whole range and beyond. */
	assert_int_equal(lock_add(ls, 1, 0, 150), 0);
	CHECK(ls, { 0, 150, 1 });
	/* Downgrade a prefix, overlapping the start. */
	assert_int_equal(lock_add(ls, 0, 0, 10), 0);
	CHECK(ls, { 0, 10, 0 }, { 10, 150, 1 });
	/* Downgrade a suffix to end of file. */
	assert_int_equal(lock_add(ls, 0, 140, UINT64_MAX), 0);
	CHECK(ls, { 0, 10, 0 }, { 10, 140, 1 }, { 140, UINT64_MAX, 0 });
	/* A write lock spanning two read ranges and the write between. */
	assert_int_equal(lock_add(ls, 1, 5, 145), 0);
	CHECK(ls, { 0, 5, 0 }, { 5, 145, 1 }, { 145, UINT64_MAX, 0 });
}

static void test_lock_remove_split(void **state)
{
	struct nfs_stid *ls = lock_stid(*state, "rm");

	assert_int_equal(lock_add(ls, 1, 0, 100), 0);
	/* Unlocking the middle splits the range. */
	assert_int_equal(lock_remove(ls, 40, 60), 0);
	CHECK(ls, { 0, 40, 1 }, { 60, 100, 1 });
	/* Removing something not held changes nothing. */
	assert_int_equal(lock_remove(ls, 40, 60), 0);
	assert_int_equal(lock_remove(ls, 200, 300), 0);
	CHECK(ls, { 0, 40, 1 }, { 60, 100, 1 });
	/* Trim the head of one range and the tail of the other. */
	assert_int_equal(lock_remove(ls, 30, 70), 0);
	CHECK(ls, { 0, 30, 1 }, { 70, 100, 1 });
	/* Trim the start. */
	assert_int_equal(lock_remove(ls, 0, 10), 0);
	CHECK(ls, { 10, 30, 1 }, { 70, 100, 1 });
	/* Exactly one whole range. */
	assert_int_equal(lock_remove(ls, 10, 30), 0);
	CHECK(ls, { 70, 100, 1 });
	/* Everything, to end of file. */
	assert_int_equal(lock_add(ls, 0, 200, UINT64_MAX), 0);
	assert_int_equal(lock_remove(ls, 0, UINT64_MAX), 0);
	assert_null(ls->locks);
}

static void test_lock_remove_many(void **state)
{
	struct nfs_stid *ls = lock_stid(*state, "many");

	for (uint64_t i = 0; i < 10; i++)
		assert_int_equal(lock_add(ls, (int)(i & 1), i * 10,
					  i * 10 + 5),
				 0);
	/* [12, 83) cuts 13..15 from range 1, drops 2..7, trims 8 to 83..85. */
	assert_int_equal(lock_remove(ls, 12, 83), 0);
	CHECK(ls, { 0, 5, 0 }, { 10, 12, 1 }, { 83, 85, 0 }, { 90, 95, 1 });
	/* Fill the gaps with one write lock: it merges with its write
	 * neighbours but not the read ones. */
	assert_int_equal(lock_add(ls, 1, 5, 90), 0);
	CHECK(ls, { 0, 5, 0 }, { 5, 95, 1 });
}

static void test_lock_conflict(void **state)
{
	struct strata_server *srv = *state;
	struct nfs_client *clp = new_client(srv, "conflicts");
	struct nfs_stid *a = stid_new(srv, clp, STID_LOCK, 100, "A", 1);
	struct nfs_stid *b = stid_new(srv, clp, STID_LOCK, 100, "B", 1);

	assert_int_equal(lock_add(a, 1, 10, 20), 0);
	assert_int_equal(lock_add(b, 0, 30, 40), 0);
	/* Owner B vs A's write lock. */
	assert_ptr_equal(lock_conflict(srv, 100, clp, "B", 1, 0, 15, 16), a);
	assert_ptr_equal(lock_conflict(srv, 100, clp, "B", 1, 0, 0, 11), a);
	assert_null(lock_conflict(srv, 100, clp, "B", 1, 1, 0, 10));
	assert_null(lock_conflict(srv, 100, clp, "B", 1, 1, 20, 30));
	/* Reads share with reads, not with writes. */
	assert_null(lock_conflict(srv, 100, clp, "A", 1, 0, 30, 40));
	assert_ptr_equal(lock_conflict(srv, 100, clp, "A", 1, 1, 35, 36), b);
	/* An owner never conflicts with itself; other files are separate. */
	assert_null(lock_conflict(srv, 100, clp, "A", 1, 1, 10, 20));
	assert_null(lock_conflict(srv, 101, clp, "C", 1, 1, 0, UINT64_MAX));
	/* A third owner over everything hits someone. */
	assert_non_null(lock_conflict(srv, 100, clp, "C", 1, 0, 0,
				      UINT64_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_fresh_slot),
		cmocka_unit_test(test_classify_in_use),
		cmocka_unit_test(test_classify_wrap),
		cmocka_unit_test(test_classify_replay_after_wrap),
		cmocka_unit_test(test_slot_done_caches),
		cmocka_unit_test(test_slot_done_not_cached),
		cmocka_unit_test_setup_teardown(test_bind_conn_limit,
						setup_srv, teardown_srv),
		cmocka_unit_test_setup_teardown(test_bind_conn_enospc,
						setup_srv, teardown_srv),
		cmocka_unit_test_setup_teardown(test_bind_back_channel,
						setup_srv, teardown_srv),
		cmocka_unit_test_setup_teardown(test_client_lifecycle,
						setup_srv, teardown_srv),
		cmocka_unit_test_setup_teardown(
			test_client_destroy_releases_state, setup_srv,
			teardown_srv),
		cmocka_unit_test_setup_teardown(test_client_expire, setup_srv,
						teardown_srv),
		cmocka_unit_test_setup_teardown(
			test_lock_add_disjoint_and_merge, setup_srv,
			teardown_srv),
		cmocka_unit_test_setup_teardown(test_lock_upgrade_downgrade,
						setup_srv, teardown_srv),
		cmocka_unit_test_setup_teardown(test_lock_remove_split,
						setup_srv, teardown_srv),
		cmocka_unit_test_setup_teardown(test_lock_remove_many,
						setup_srv, teardown_srv),
		cmocka_unit_test_setup_teardown(test_lock_conflict, setup_srv,
						teardown_srv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
