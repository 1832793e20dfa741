/*
 * metadata/ns_internal.h — private to metadata/: the shard structures, the
 * on-disk record formats and the multi-shard transaction ("mtx") used by every
 * mutating operation. Nothing outside metadata/ (and its unit tests) includes
 * this file.
 *
 * Shards and environments (docs/decisions/0014-shard-environments.md). A
 * shard is the unit of placement (fileid bits, entry hash); an environment
 * is the unit of commit: one LMDB environment, one writer, one fsync per
 * commit. Shard S lives in environment S mod E. With E = S (the layout of
 * ns_open()) each shard is its own environment DIR/shard-NN/ and its
 * databases have the plain names below; with fewer environments
 * (ns_open_ex()) they are DIR/env-NN/ and shard S's databases are named
 * "<name>-SS" (SS the shard, at least two digits), except "intents", which
 * belongs to the environment. NN decimal, at least two digits. Databases:
 *
 *   inodes    key: fileid (8 bytes big-endian)
 *             val: inode record (ns_codec.c, versioned, little-endian)
 *   dirents   key: parent fileid (8 BE) || name bytes
 *             val: fileid (8 LE) || seq (8 LE) || type (4 LE)
 *   cookies   key: parent fileid (8 BE) || seq (8 BE)      (READDIR order)
 *             val: fileid (8 LE) || name bytes
 *   symlinks  key: fileid (8 BE)   val: target bytes
 *   meta      key: ASCII counter name   val: u64 LE
 *               "next_fileid" next counter for fileids of this shard (>= 2)
 *               "next_seq"    next dirent sequence number (>= 3)
 *               "bytes"       sum of the sizes of the regular files here
 *               "res_files_R", "res_bytes_R" (R 0, 1, 2: enum
 *                             ns_residency) the regular files here in
 *                             residency R and the sum of their sizes
 *                             (ns_rescount.c)
 *   reclaim   key: fileid (8 BE)   val: data generation (8 LE)
 *             a regular file whose last link went: its data copy at that
 *             generation (its layout_gen then, docs/decisions/0030) is
 *             still to be freed (written in the removal's own
 *             transaction; the server deletes the record once the data is
 *             gone: ns_reclaim_*). A 1-byte value (0) is a record of a
 *             build before generations: generation 0.
 *   answers   key: opaque (the caller's; ns_answer_put(), ns.h)
 *             val: opaque: a durable answer to a request that may be
 *             sent again (ns_answer.c)
 *   deltas    key: seq (8 BE)   val: directory delta (ns_delta.c): a
 *             change to a directory of another partition, made by an
 *             entry of this shard, not yet applied at its owner
 *   tier      the object tier's jobs, object references, delete and
 *             release records (ns_tier.c, ns_tier.h); keys start with
 *             a kind byte
 *   intents   key: "pending"   val: intent record (ns_mtx.c)
 *
 * More meta counters (ns_delta.c): "next_delta" (next delta seq of this
 * shard, absent = 1) and "dapplied-SSS" (last delta seq of source shard
 * SSS applied to directories of this shard).
 */
#ifndef STRATA_METADATA_NS_INTERNAL_H
#define STRATA_METADATA_NS_INTERNAL_H

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "ns.h"

enum ns_db {
	NS_DB_INODES = 0,
	NS_DB_DIRENTS,
	NS_DB_COOKIES,
	NS_DB_SYMLINKS,
	NS_DB_META,
	NS_DB_RECLAIM,
	NS_DB_ANSWERS,
	NS_DB_DELTAS,
	NS_DB_TIER,
	NS_DB_INTENTS, /* last: the environment's, not a shard's */
	NS_DB_COUNT,
};

#define NS_MAP_SIZE ((size_t)1 << 30) /* per shard; the file grows sparsely */
#define NS_MAX_READERS 512
#define NS_FILEID_COUNTER_MASK ((UINT64_C(1) << (64 - NS_SHARD_BITS)) - 1)
#define NS_FIRST_COUNTER 2  /* counter 1 is the root (shard 0) */
#define NS_META_NEXT_FILEID "next_fileid"
#define NS_META_NEXT_SEQ "next_seq"
#define NS_META_BYTES "bytes"
#define NS_INTENT_KEY "pending"

/* One LMDB environment: the unit of locking and commit (ns_mtx.c). */
struct ns_env {
	MDB_env *env;
	MDB_dbi intents; /* pending intent of a cross-environment operation */
	/*
	 * Writer lock of this environment inside the process. LMDB has its
	 * own writer lock, but we need try-lock (ns_mtx.c) and we must keep
	 * an environment locked across several commits until an intent is
	 * cleared.
	 */
	pthread_mutex_t lock;
};

struct ns_shard {
	unsigned env;             /* index into ns->env: shard mod nenvs */
	MDB_dbi dbi[NS_DB_COUNT]; /* [NS_DB_INTENTS] unused: see ns_env */
};

struct ns {
	unsigned nshards;
	unsigned nenvs;        /* 1..nshards */
	struct ns_env *env;    /* nenvs of them, owned */
	uint8_t *owned;        /* nenvs flags (ns_own()); NULL: all owned */
	int lockfd;            /* flock()ed DIR/ns.lock: one process at a time */
	unsigned replayed;     /* intents rolled forward by ns_open() */
	atomic_int broken;     /* 1: mutations refused until reopen */
	atomic_int crash_step; /* test hook (ns_test.h); < 0 disabled */
	atomic_int crash_fails; /* 1: the hook fails the commit, no crash */
	atomic_int crashed;    /* test hook fired */
	atomic_ulong restarts; /* mtx bodies re-run (lock order); for tests */
	/* Group commit (ns_mtx.c): the open batch and its owner thread
	 * (pthread_self() as an integer, 0 none). Only the owner sets or
	 * reads batch; any thread may read batch_owner. */
	struct ns_mtx *batch;
	atomic_uintptr_t batch_owner;
	struct ns_xlocks *xl; /* cross-node transactions (ns_xtx.c), owned */
	struct ns_shard shard[];
};

/* The environment that holds shard S. */
static inline struct ns_env *ns_env_of(struct ns *ns, unsigned s)
{
	return &ns->env[ns->shard[s].env];
}

/* 1 when shard S's partition is this process's (ns_own()). */
static inline int ns_shard_owned(const struct ns *ns, unsigned s)
{
	return !ns->owned || ns->owned[ns->shard[s].env];
}

/* ---- growable byte buffer ---------------------------------------------- */

struct ns_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

int ns_buf_append(struct ns_buf *b, const void *data, size_t len);
void ns_buf_free(struct ns_buf *b);

/* ---- encodings (ns_codec.c) -------------------------------------------- */

void ns_put_be64(uint8_t *p, uint64_t v);
uint64_t ns_get_be64(const uint8_t *p);
void ns_put_le64(uint8_t *p, uint64_t v);
uint64_t ns_get_le64(const uint8_t *p);
void ns_put_le32(uint8_t *p, uint32_t v);
uint32_t ns_get_le32(const uint8_t *p);
void ns_put_le16(uint8_t *p, uint16_t v);
uint16_t ns_get_le16(const uint8_t *p);

/* The placement hash. Never change it once data exists. */
uint64_t ns_placement_hash(uint64_t parent, const char *name, size_t namelen);

#define NS_INODE_REC_LEN 196
void ns_inode_encode(const struct ns_inode *ino, uint8_t out[NS_INODE_REC_LEN]);
int ns_inode_decode(uint64_t fileid, const void *val, size_t len,
		    struct ns_inode *ino);

#define NS_DIRENT_KEY_MAX (8 + NS_NAME_MAX)
#define NS_DIRENT_VAL_LEN 20
struct ns_dirent_val {
	uint64_t fileid;
	uint64_t seq;
	uint32_t type;
};
size_t ns_dirent_key(uint8_t *key, uint64_t parent, const char *name,
		     size_t namelen);
void ns_dirent_val_encode(const struct ns_dirent_val *dv,
			  uint8_t out[NS_DIRENT_VAL_LEN]);
int ns_dirent_val_decode(const void *val, size_t len, struct ns_dirent_val *dv);
void ns_cookie_key(uint8_t key[16], uint64_t parent, uint64_t seq);

int ns_mdb_err(int rc);

/* The server clock (CLOCK_REALTIME) and its value in nanoseconds. */
struct ns_time ns_time_now(void);
uint64_t ns_time_nsec(const struct ns_time *t);
/* Bump the change attribute: strictly increasing, tracks the clock. */
void ns_touch_change(struct ns_inode *ino, const struct ns_time *now);

/* ---- read helpers (ns_read.c) ------------------------------------------ */

int ns_rtxn_begin(struct ns *ns, unsigned shard, MDB_txn **txn);
/* The same for environment E. */
int ns_env_rtxn_begin(struct ns *ns, unsigned e, MDB_txn **txn);
int ns_txn_get_inode(struct ns *ns, MDB_txn *txn, uint64_t fileid,
		     struct ns_inode *ino);
int ns_txn_get_u64(struct ns *ns, MDB_txn *txn, unsigned shard,
		   const char *name, uint64_t *v);

/* ---- multi-shard transactions (ns_mtx.c) -------------------------------- */

/*
 * An mtx is one namespace operation. Its body reads and writes through the
 * accessors below, which lock shards lazily (ascending order, or try-lock
 * out of order and restart); ns_mtx_run() then commits, using an intent
 * record when more than one shard was written. See ns_mtx.c.
 */
struct ns_mtx;
typedef int (*ns_mtx_body)(struct ns_mtx *m, void *arg);

int ns_mtx_run(struct ns *ns, ns_mtx_body body, void *arg);

/* Record in M a delta of DIR (another partition's) made by an entry of
 * shard SHARD; fills CINFO's delta fields (ns_delta.c). */
/* The meta counter of a directory's shard: the last delta of source shard
 * SRC applied to directories there (ns_delta.c). */
void ns_delta_applied_name(char *buf, size_t cap, unsigned src);
/* A delta record: 0, or -EIO when it does not decode (ns_delta.c). */
int ns_delta_decode(const MDB_val *k, const MDB_val *v, struct ns_delta *d);
int ns_delta_add(struct ns_mtx *m, unsigned shard, uint64_t dir,
		 int32_t entries, int32_t subdirs, const struct ns_time *when,
		 struct ns_cinfo *cinfo);
/* Record the delta encoded in VAL (an XV_DELTA entry of a cross-node
 * record, ns_xtx.c) on SHARD, numbered now. */
int ns_delta_add_rec(struct ns_mtx *m, unsigned shard, const void *val,
		     size_t vlen);
/* For ns_env_rtxn_begin(): 1 when the caller owns no batch that has
 * written environment E (read committed state), else 0 and *TXN a child
 * transaction of the batch (the caller aborts it), or -errno. */
int ns_batch_rtxn(struct ns *ns, unsigned e, MDB_txn **txn);
struct ns *ns_mtx_ns(const struct ns_mtx *m);

/* 0, -ENOENT, -EIO; or a restart code the body must simply return. */
int ns_mtx_get(struct ns_mtx *m, unsigned shard, enum ns_db db,
	       const void *key, size_t klen, MDB_val *val);
int ns_mtx_put(struct ns_mtx *m, unsigned shard, enum ns_db db,
	       const void *key, size_t klen, const void *val, size_t vlen);
/* Deleting an absent key succeeds. */
int ns_mtx_del(struct ns_mtx *m, unsigned shard, enum ns_db db,
	       const void *key, size_t klen);
int ns_mtx_get_u64(struct ns_mtx *m, unsigned shard, const char *name,
		   uint64_t *v);
int ns_mtx_put_u64(struct ns_mtx *m, unsigned shard, const char *name,
		   uint64_t v);

/* The transaction of owned SHARD in M (for a cursor: reads only; a
 * plan's view is not consulted). 0, -EREMOTE, or a restart code. */
int ns_mtx_txn(struct ns_mtx *m, unsigned shard, MDB_txn **txn);

/* ---- RMDIR guards (ns_rmguard.c; ns.h "RMDIR with several owners") ---- */

/* 0 when no RMDIR removed DIR, as seen from SHARD's partition; -ESTALE
 * when one did; -EBUSY while one is prepared there; in a plan, -EREMOTE
 * until the view holds the guard. */
int ns_rmguard_check(struct ns_mtx *m, uint64_t dir, unsigned shard);
/* Write DIR's guard on every partition (an RMDIR's plan). */
int ns_rmguard_put_all(struct ns_mtx *m, uint64_t dir);
/* 1 (and *DIR) when (DB, KEY) is a guard. */
int ns_rmguard_key_dir(unsigned db, const void *key, size_t klen,
		       uint64_t *dir);
/* -ENOTEMPTY when SHARD's partition holds an entry of DIR, else 0. */
int ns_rmguard_empty(struct ns_mtx *m, unsigned shard, uint64_t dir);

/* The environment's "intents" database (NS_DB_INTENTS) of environment
 * ENV, reached through shard ENV; used by cross-node transactions. */
int ns_mtx_get_intent(struct ns_mtx *m, unsigned env, const void *key,
		      size_t klen, MDB_val *val);
int ns_mtx_put_intent(struct ns_mtx *m, unsigned env, const void *key,
		      size_t klen, const void *val, size_t vlen);
int ns_mtx_del_intent(struct ns_mtx *m, unsigned env, const void *key,
		      size_t klen);
/* Add DELTA to the meta counter NAME of SHARD (absent counts as 0). In a
 * plan it is recorded as an operation, applied at commit (ns_xtx.h). */
int ns_mtx_add_u64(struct ns_mtx *m, unsigned shard, const char *name,
		   int64_t delta);

/* ---- residency counters (ns_rescount.c) -------------------------------- */

/* Count INO (a regular file; anything else is not counted) into C. */
void ns_res_tally(struct ns_res_counts *c, const struct ns_inode *ino);
/* Move shard S's counters from OLD to NOW (either NULL: none), in M. */
int ns_res_adjust(struct ns_mtx *m, unsigned s, const struct ns_inode *old,
		  const struct ns_inode *now);
/* Shard S's counters as TXN sees them; -ENOENT when absent. */
int ns_res_txn_get(struct ns *ns, MDB_txn *txn, unsigned s,
		   struct ns_res_counts *out);
/* At a shard's opening, in its write TXN: the counters made by a count
 * of its inodes when absent (a shard made before them, or a new one). */
int ns_res_init(MDB_txn *txn, MDB_dbi inodes, MDB_dbi meta);

/* ---- cross-node transactions (ns_xtx.c, ns_xview.c; ns_xtx.h) ---------- */

struct ns_xview;

/* Write-log / record entries: LOG_HDR_LEN bytes (shard, db, op, 0, key
 * length le16, value length le32), the key, the value. */
#define LOG_HDR_LEN 10
#define LOG_PUT 1
#define LOG_DEL 2
#define XV_CHECK 3  /* the value must still be this */
#define XV_ABSENT 4 /* the key must still be absent */
#define XV_DELTA 5  /* a directory delta (ns_xview_delta_encode) */
#define XV_ADD 6    /* add the le64 value to the meta counter KEY */

/* Run BODY as one mtx (ns_mtx_run) with VIEW (a plan: nothing is
 * committed, the body's result is returned) and ACT_FOR (keys that
 * transaction holds are not refused). */
int ns_mtx_run_ex(struct ns *ns, ns_mtx_body body, void *arg,
		  struct ns_xview *view, uint64_t act_for);
struct ns_xview *ns_mtx_view(const struct ns_mtx *m);

/* The view's side of the accessors (ns_xview.c). */
void ns_xview_restart(struct ns_xview *v);
int ns_xview_get(struct ns_xview *v, unsigned shard, unsigned db,
		 const void *key, size_t klen, MDB_val *val);
int ns_xview_note_read(struct ns_xview *v, unsigned shard, unsigned db,
		       const void *key, size_t klen, const void *val,
		       size_t vlen, int found);
int ns_xview_write(struct ns_xview *v, unsigned shard, unsigned db,
		   unsigned op, const void *key, size_t klen, const void *val,
		   size_t vlen);

/* The lock table of prepared transactions (ns_xtx.c). */
int ns_xlock_busy(struct ns *ns, unsigned shard, unsigned db,
		  const void *key, size_t klen, uint64_t self);
/* The key is written by a PREPARED transaction: its value is in doubt
 * until the outcome is applied, so a plain read (LOOKUP, GETATTR,
 * READDIR) answers -EBUSY (NFS4ERR_DELAY), not the value from before a
 * transaction that may have committed and been acknowledged. Read-only
 * (CHECK) keys of a record do not block readers. */
int ns_xlock_in_doubt(struct ns *ns, unsigned shard, unsigned db,
		      const void *key, size_t klen);
int ns_xlocks_open(struct ns *ns); /* at ns_open: re-lock PREPARED keys */
void ns_xlocks_free(struct ns *ns);

/* A database of SHARD (NS_DB_INTENTS: its environment's). */
static inline MDB_dbi ns_dbi(const struct ns *ns, unsigned shard, unsigned db)
{
	return db == NS_DB_INTENTS ? ns->env[ns->shard[shard].env].intents
				   : ns->shard[shard].dbi[db];
}

/* Roll one intent forward (used by ns_open() and after a failed commit). */
int ns_intent_replay(struct ns *ns, unsigned coord, const uint8_t *rec,
		     size_t len);
int ns_replay_all(struct ns *ns);

/* ---- inodes inside an mtx (ns_ops.c) ------------------------------------ */

int ns_ino_load(struct ns_mtx *m, uint64_t fileid, struct ns_inode *ino);
/* Write INO (new or updated), keeping the shard's byte total right. */
int ns_ino_store(struct ns_mtx *m, const struct ns_inode *ino);
/* INO changed now: ctime, and change bumped (ns_ops.c). */
void ns_ino_changed(struct ns_inode *ino, const struct ns_time *now);
/* INO (a regular file, about to be stored or deleted by the caller) drops
 * its object: a BOTH or OFFLOADED file's object goes on the tier's delete
 * list, INO becomes LOCAL (ns_tier.c). Nothing for a LOCAL file. */
int ns_tier_drop_ref(struct ns_mtx *m, struct ns_inode *ino);

/* Commit with the crash-injection hook applied (ns_test.h). */
int ns_commit_point(struct ns *ns, MDB_txn *txn);

#endif
