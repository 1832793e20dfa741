/*
 * nfsd/slot.h — one slot of a session's fore channel slot table and its
 * state machine (RFC 8881 §2.10.6.1): exactly-once semantics through the
 * cached reply.
 *
 * Kept apart from the sessions (nfsd/session.h, which embeds the table in
 * struct nfs_session) so that the COMPOUND core (compound.c) can record a
 * reply without depending on client and session records, which sit a
 * layer higher (docs/decisions/0023-layers.md).
 *
 * Ownership: a slot is part of its session and owns its cached reply.
 * Threads: under srv->state_lock, like the session that holds it.
 */
#ifndef STRATA_NFSD_SLOT_H
#define STRATA_NFSD_SLOT_H

#include <stddef.h>
#include <stdint.h>

struct nfs_session;

struct nfs_slot {
	uint32_t seqid;   /* last seqid seen on the slot */
	int used;         /* a request has been seen (seqid is valid) */
	int in_use;       /* a request is running on it */
	int cached;       /* reply holds the full COMPOUND4res */
	uint8_t *reply;   /* owned; NULL if nothing cached */
	size_t reply_len;
};

/* The slot state machine (RFC 8881 §2.10.6.1): a request with SEQID on
 * SLOT is new (seqid = last + 1, wrapping), a retransmission of the last
 * request (seqid = last, after the first request), or misordered. */
enum slot_verdict { SLOT_NEW, SLOT_REPLAY, SLOT_MISORDERED };
enum slot_verdict session_slot_classify(const struct nfs_slot *slot,
					uint32_t seqid);
/* Record the reply of a finished request on SLOT (copies it if CACHED).
 * S, the slot's session, is not looked at (may be NULL). */
void session_slot_done(struct nfs_session *s, struct nfs_slot *slot,
		       const uint8_t *reply, size_t len, int cached);

#endif
