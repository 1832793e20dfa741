/*
 * metadata/ns_xtx.h — one namespace operation across the partitions of
 * several metadata nodes: two-phase commit with durable intents, presumed
 * abort (decision 0024, "Cross-node transactions"; design multi-mds §4).
 *
 * This layer knows partitions (LMDB environments), never nodes or the
 * wire: the caller (the server's peer protocol, or a test) carries the
 * records between the namespaces and maps partitions to nodes.
 *
 * The steps of one transaction TXID (a number the coordinating node makes
 * unique across the cluster and its restarts):
 *
 *   1. PLAN at the coordinator: ns_xtx_plan() runs an ordinary mtx body
 *      (metadata/ns_internal.h) with a VIEW. Reads of other nodes'
 *      partitions come from values the caller supplied (ns_xview_supply),
 *      fetched with ns_xtx_read() from their owners; a read the view lacks
 *      ends the run with -EREMOTE and ns_xview_need() lists what to fetch.
 *      Nothing is written: every read becomes a CHECK (the value the body
 *      saw) and every write an after-image, each on the partition of its
 *      key. Counter updates (directory deltas, a shard's byte total) are
 *      recorded as operations applied at the end instead, so concurrent
 *      creates on those shards do not invalidate the plan.
 *   2. PREPARE at every other node: ns_xtx_prepare() with that node's
 *      record (ns_xview_record) checks each CHECK, refuses keys another
 *      prepared transaction holds (-EBUSY), and stores PREPARED{txid,
 *      coordinator, record} durably (with the node's batch, if one is
 *      open). From then on its keys are locked: any mtx touching them gets
 *      -EBUSY (NFS4ERR_DELAY) until the transaction ends.
 *   3. DECIDE at the coordinator: ns_xtx_decide() checks the coordinator's
 *      own CHECKs, writes its after-images and COMMITTED{txid,
 *      participants} in one commit. That commit is the commit point. If
 *      any participant said no, or decide fails, the caller sends ABORT
 *      and writes nothing (presumed abort: no record means aborted).
 *   4. FINISH at every participant: ns_xtx_finish(commit) applies the
 *      record's after-images and deletes PREPARED, or (abort) just deletes
 *      it; unknown txids are already finished (0). Then the coordinator
 *      drops COMMITTED with ns_xtx_forget().
 *
 * Recovery: ns_open() re-locks the keys of every PREPARED record before
 * anything runs. A participant asks the coordinator for each prepared
 * txid's ns_xtx_outcome(); a coordinator sends COMMIT again for each
 * COMMITTED record (ns_xtx_list). An outcome is PENDING while the
 * coordinator has the txid live (ns_xtx_live), so a slow coordinator is
 * never told "aborted" behind its back.
 *
 * Limits of this version: the part of one node must lie in one of its
 * environments (-EXDEV otherwise; the server runs one environment per
 * node's partitions), and a record holds at most NS_XTX_MAX_KEYS keys.
 *
 * Threads: every call may run on any thread; the calls that write run as
 * mtx operations (joining the calling thread's batch, ns.h). The lock
 * table has its own mutex. A struct ns_xview belongs to one caller.
 */
#ifndef STRATA_NS_XTX_H
#define STRATA_NS_XTX_H

#include <stddef.h>
#include <stdint.h>

#include "ns.h"

#define NS_XTX_MAX_KEYS 256

struct ns_mtx;
typedef int (*ns_xtx_body)(struct ns_mtx *m, void *arg);

/* Regular files whose last link a transaction took out on this node (the
 * node of their inode, where their open state lives): each inode as it
 * was before, so that the server keeps the ones still open until their
 * last CLOSE (nfsd/state/orphan.h), as a REMOVE on one node does. Valid
 * when the call that filled it returned 0. A transaction removes at most
 * two (RENAME over a file, REMOVE); more than NS_XTX_GONE_MAX are not
 * listed. */
#define NS_XTX_GONE_MAX 8
struct ns_xtx_gone {
	size_t n;
	struct ns_inode ino[NS_XTX_GONE_MAX];
};

/* ---- the view of one plan (owned by the caller) ------------------------- */

struct ns_xview;
struct ns_xview *ns_xview_new(void);
void ns_xview_free(struct ns_xview *v);
/* Forget every supplied value (after a prepare answered -ESTALE). */
void ns_xview_clear(struct ns_xview *v);
/* The value of another node's key as its owner sent it (FOUND 0: absent). */
int ns_xview_supply(struct ns_xview *v, unsigned shard, unsigned db,
		    const void *key, size_t klen, const void *val, size_t vlen,
		    int found);
/* Keys the last plan needed and was not given: I < ns_xview_nneed(). */
size_t ns_xview_nneed(const struct ns_xview *v);
void ns_xview_need(const struct ns_xview *v, size_t i, unsigned *shard,
		   unsigned *db, const void **key, size_t *klen);
/* The record of the partitions flagged in PARTS (ns->nenvs flags) from the
 * last successful plan; *LEN 0 when none of them is touched. Freed by the
 * caller. */
int ns_xview_record(const struct ns_xview *v, const struct ns *ns,
		    const uint8_t *parts, uint8_t **rec, size_t *len);

/* The inode records a node's part REC (LEN bytes, as ns_xview_record
 * made it) writes: each fileid, and whether it is taken out (the file's
 * last link goes). For the server to recall other clients' delegations
 * and layouts there before the change, as one node does before a REMOVE
 * or RENAME. Fills at most MAX; returns how many there are (0 for a
 * malformed record). Pure. */
struct ns_xtx_inode {
	uint64_t fileid;
	int deleted;
};
size_t ns_xtx_record_inodes(const uint8_t *rec, size_t len,
			    struct ns_xtx_inode *out, size_t max);

/* ---- coordinator -------------------------------------------------------- */

/* Step 1. 0 (the view holds the plan), -EREMOTE with ns_xview_nneed() > 0
 * (supply and call again), -EBUSY (a local key is held), or the body's
 * error. */
int ns_xtx_plan(struct ns *ns, ns_xtx_body body, void *arg,
		struct ns_xview *v);
/* Mark TXID live (outcome PENDING) / no longer live. */
int ns_xtx_live(struct ns *ns, uint64_t txid, int live);
/* Step 3 with the coordinator's own record (may be empty) and the NODES
 * that prepared (their ids, kept for recovery). 0 committed; -ESTALE a
 * CHECK failed; -EBUSY; -EIO. GONE (may be NULL) lists the regular files
 * whose inode record the decision took out here. */
int ns_xtx_decide(struct ns *ns, uint64_t txid, const uint8_t *rec,
		  size_t len, const uint32_t *nodes, size_t nnodes,
		  struct ns_xtx_gone *gone);
int ns_xtx_forget(struct ns *ns, uint64_t txid);

/* Step 1 for RENAME (ns_rename's checks and effects; its change_info for
 * a directory is atomic only when the directory is the coordinator's).
 * A directory may move too: its inode stays where it is and its entry
 * names it from the new name's partition, as a file's does; moved to
 * another parent, the plan reads each new ancestor (the loop check), on
 * whichever node it is. A directory it replaces gets RMDIR's guards.
 * SRC and TGT (may be NULL) get the source's inode and the target's
 * (fileid 0: none), for the caller's permission checks. */
int ns_xtx_plan_rename(struct ns *ns, struct ns_xview *v, uint64_t sparent,
		       const char *sname, size_t slen, uint64_t dparent,
		       const char *dname, size_t dlen, struct ns_inode *src,
		       struct ns_inode *tgt);

/* Step 1 for REMOVE (ns_remove's checks and effects): of a name whose
 * entry and inode are on different nodes (a name renamed across nodes),
 * or RMDIR of a directory when partitions have several owners: the plan
 * also writes the directory's guard on every partition, whose prepare
 * answers -ENOTEMPTY where an entry of it is (ns.h, "RMDIR with several
 * owners"). VICTIM (may be NULL) gets the name's inode as it was, for the
 * caller's permission checks (the sticky bit) before anything prepares. */
int ns_xtx_plan_remove(struct ns *ns, struct ns_xview *v, uint64_t parent,
		       const char *name, size_t namelen,
		       struct ns_inode *victim);

/* Step 1 for LINK (ns_link's checks and effects): the file's inode and
 * the new entry on different nodes. A directory answers -EISDIR, as
 * ns_link does. */
int ns_xtx_plan_link(struct ns *ns, struct ns_xview *v, uint64_t fileid,
		     uint64_t dparent, const char *name, size_t namelen);

enum ns_xtx_outcome {
	NS_XTX_ABORTED = 0, /* no record and not live: presumed abort */
	NS_XTX_COMMITTED = 1,
	NS_XTX_PENDING = 2,
};
int ns_xtx_outcome(struct ns *ns, uint64_t txid, enum ns_xtx_outcome *out);

/* ---- participant -------------------------------------------------------- */

/* A key of this node for a plan: 0 and *VAL (malloc'd) / -ENOENT (absent)
 * / -EBUSY (held by a prepared transaction) / -EREMOTE (not ours). */
int ns_xtx_read(struct ns *ns, unsigned shard, unsigned db, const void *key,
		size_t klen, uint8_t **val, size_t *vlen);
/* Step 2. 0 yes (also when TXID is already prepared), -ESTALE a CHECK
 * failed, -EBUSY a key is held, -EXDEV / -EREMOTE / -EIO a bad record. */
int ns_xtx_prepare(struct ns *ns, uint64_t txid, uint32_t coord,
		   const uint8_t *rec, size_t len);
/* Step 4. GONE (may be NULL) lists the regular files whose inode record
 * the commit took out here. */
int ns_xtx_finish(struct ns *ns, uint64_t txid, int commit,
		  struct ns_xtx_gone *gone);

/* ---- recovery and checks ------------------------------------------------ */

struct ns_xtx_rec {
	uint64_t txid;
	int committed; /* 1: a coordinator's COMMITTED, 0: a PREPARED */
	uint32_t coord; /* PREPARED: the coordinator's node */
	uint32_t nodes[16]; /* COMMITTED: the participants (first 16) */
	size_t nnodes;
};
/* Every record on this node's partitions, up to MAX. */
int ns_xtx_list(struct ns *ns, struct ns_xtx_rec *out, size_t max,
		size_t *n);
/* Keys locked by prepared transactions (tests, fsck). */
size_t ns_xtx_locked(struct ns *ns);

#endif
