/*
 * pnfs/peer_delta.h — sending this node's directory deltas to the owners
 * of the directories (metadata/ns.h, "Directory deltas"; PEER_DELTA in
 * pnfs/peer_prot.x; docs/decisions/0024).
 *
 * A CREATE or REMOVE that this node ran in a directory another node owns
 * committed a delta record with the entry. The shipper sends each shard's
 * unacknowledged deltas, in sequence order, to the owners of their
 * directories, and once every owner of a round answered, the deltas are
 * trimmed in the next batch. A round that fails (owner down, link lost,
 * map changed) is sent again on the next ship, a second later at most:
 * owners apply each delta once, so sending again is always safe.
 *
 * Ownership: struct delta_ship belongs to the server (srv->deltas), made
 * by delta_ship_new() when the node does not own every partition.
 *
 * Replies wait for their deltas. A reply whose operations made deltas
 * leaves only once the directories' owners applied them (or after
 * DELTA_WAIT_MS, when an owner is slow or down): so a client that creates
 * a name and then asks the directory's owner (GETATTR, or RMDIR of the
 * directory that holds it) sees the change there (research P3, "a
 * synchronous delta"). The executor collects the deltas an operation made
 * (delta_ship_take()) and holds its reply until delta_ship_done().
 *
 * Threads: delta_ship_note(), _take(), _done(), _trim() and _send() run
 * on the executor thread: trim inside its batch (so the trim commits with
 * it), send after the batch's commit (so what is sent is durable here).
 * Answers come back on the links' threads, record the outcome under the
 * shipper's mutex and call WAKE (the executor looks at its held replies).
 */
#ifndef STRATA_PNFS_PEER_DELTA_H
#define STRATA_PNFS_PEER_DELTA_H

#include <stddef.h>
#include <stdint.h>

struct strata_server;
struct delta_ship;

#define DELTA_WAIT_MS 1000
#define DELTA_WAITS_MAX 8

/* The deltas a reply waits for, and where their change_info4 is in it:
 * in the result of op OP that starts at RES (0: unknown; the op number,
 * then its status), LEAD bytes after the status. When the owner applied
 * one, its (before, after) replace the "not atomic" zeros the op
 * encoded there (delta_ship_patch()), so the client gets an atomic
 * change_info as from a single node (RFC 8881 §3.3.12). */
struct delta_waits {
	unsigned n;
	int all; /* more than fit: every delta noted so far */
	struct {
		unsigned shard;
		uint32_t op;
		uint32_t lead;
		uint64_t seq;
		size_t res;
	} w[DELTA_WAITS_MAX];
};

/* 0 or -ENOMEM. Every shard starts as "may have deltas" (a restart).
 * WAKE(CTX) is called on a link thread when an owner answered. */
int delta_ship_new(struct delta_ship **out, unsigned nshards,
		   void (*wake)(void *ctx), void *ctx);
/* After the links stopped (no answer can come any more). */
void delta_ship_free(struct delta_ship *d);

/* Send no delta younger than MS (a test's failpoint; 0: at once). */
void delta_ship_delay(struct delta_ship *d, unsigned ms);
#define DELTA_DELAY_MS 300

/* Operation OP made delta SEQ of SHARD; the op's result starts RES bytes
 * into its COMPOUND's results, its change_info4 for it LEAD bytes after
 * the result's status. */
void delta_ship_note(struct delta_ship *d, unsigned shard, uint64_t seq,
		     uint32_t op, size_t res, uint32_t lead);
/* Move the deltas noted since the last take into W (added to what it
 * holds), their offsets moved by BASE: where the results start in the
 * reply buffer (0: unknown, nothing will be patched). D may be NULL. */
void delta_ship_take(struct delta_ship *d, struct delta_waits *w,
		     size_t base);
/* Write each applied delta's (before, after) into BUF (LEN bytes), the
 * reply W belongs to, where it checks that the op's result is there
 * (its op number, NFS4_OK and a not-atomic change_info4 of zeros). */
void delta_ship_patch(struct delta_ship *d, const struct delta_waits *w,
		      uint8_t *buf, size_t len);
/* 1 when every delta of W was applied at its owner (or W is empty). */
int delta_ship_done(struct delta_ship *d, const struct delta_waits *w);
/* Batch open: drop the deltas every owner acknowledged. */
void delta_ship_trim(struct strata_server *srv);
/* No batch open: send what is pending and not already on its way. */
void delta_ship_send(struct strata_server *srv);

/* Executor: deltas were made without an operation noting them (a
 * cross-node transaction's part applied: nfsd/xtx_task.h): look at
 * every shard on the next send. D may be NULL. */
void delta_ship_kick(struct delta_ship *d);

/* Deltas sent and acknowledged so far (tests, metrics). */
uint64_t delta_ship_acked(const struct delta_ship *d);

#endif
