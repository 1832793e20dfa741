/*
 * metadata/ns.h — the Strata namespace: inodes and directory entries kept in
 * LMDB, hashed across S shards.
 *
 * Placement (docs/decisions/0003-namespace-sharding.md):
 *   - S shards (1..NS_MAX_SHARDS), each its own LMDB environment under
 *     DIR/shard-NN/ (one writer each).
 *   - A fileid carries its shard in the top NS_SHARD_BITS bits:
 *       fileid = (shard << (64 - NS_SHARD_BITS)) | counter
 *     so an inode is found from its filehandle alone (ns_fileid_shard()).
 *   - A directory entry (parent, name) lives on shard
 *       ns_entry_shard(parent, name) = hash(parent, name) mod S
 *     and a new inode is allocated on the same shard as its entry, so a
 *     create touches one shard only (one LMDB write transaction).
 *   - The root directory is fileid NS_ROOT_FILEID (shard 0).
 *   - READDIR walks the shards in order; the cookie encodes (shard, position
 *     key within the shard) so it stays valid while entries come and go.
 *     Cookies 0, 1 and 2 are never returned (RFC 8881 §18.23.4 reserves them).
 *   - Operations that touch more than one shard (RENAME, LINK, directory
 *     nlink/change when the child lives on another shard, REMOVE of an inode
 *     whose entry is elsewhere) write an intent record on the coordinating
 *     shard first; ns_open() replays or rolls back intents left by a crash.
 *
 * Durability: every mutating call returns only after its transaction is
 * durable (LMDB commit with fsync) — except inside a group-commit batch
 * (ns_batch_begin() below), where it is durable when ns_batch_end()
 * returns 0. A reply built from a successful return may claim stability
 * only then.
 *
 * Concurrency contract: a struct ns may be used from any thread. Each shard
 * has its own LMDB environment; LMDB serialises writers per environment and
 * readers never block. Multi-shard operations take the shard write locks in
 * ascending shard order (a lower shard needed late is try-locked, and the
 * operation restarts on failure). Callers need no extra locking for namespace
 * consistency; protocol-level atomicity (e.g. OPEN state) is the caller's.
 *
 * Ownership: ns_open() returns a struct ns owned by the caller, released by
 * ns_close(). Output buffers are caller-owned.
 *
 * Errors: functions return 0 or a negative errno:
 *   -ENOENT no such entry/inode, -EEXIST name exists, -ENOTDIR parent is not
 *   a directory, -EISDIR, -ENOTEMPTY, -ENAMETOOLONG (> NS_NAME_MAX),
 *   -EINVAL bad argument (empty name, "." or "..", '/' or NUL in a name),
 *   -EXDEV never (one namespace), -ENOSPC, -EIO for LMDB failures,
 *   -ESTALE for a fileid whose generation does not match, -EMLINK.
 */
#ifndef STRATA_METADATA_NS_H
#define STRATA_METADATA_NS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NS_MAX_SHARDS 256
#define NS_SHARD_BITS 8
#define NS_NAME_MAX 255
#define NS_SYMLINK_MAX 4096
#define NS_ROOT_FILEID ((uint64_t)1)
#define NS_LINK_MAX 65000u /* hard links of a non-directory (-EMLINK) */

/* Inode types: numerically equal to NFSv4 nfs_ftype4 (RFC 8881 §3.3.11). */
enum ns_type {
	NS_REG = 1,
	NS_DIR = 2,
	NS_BLK = 3,
	NS_CHR = 4,
	NS_LNK = 5,
	NS_SOCK = 6,
	NS_FIFO = 7,
};

/* Where a regular file's bytes live (room for the object tier). */
enum ns_residency {
	NS_RES_LOCAL = 0,     /* on the data store(s) only */
	NS_RES_OFFLOADED = 1, /* in the object tier only */
	NS_RES_BOTH = 2,      /* both copies valid */
};

struct ns_time {
	int64_t sec;
	uint32_t nsec;
};

/* The inode record. Stored on shard ns_fileid_shard(fileid). */
struct ns_inode {
	uint64_t fileid;
	uint32_t generation; /* bumped when a fileid could be reused; part of FH */
	uint32_t type;       /* enum ns_type */
	uint32_t mode;       /* permission bits only (07777) */
	uint32_t nlink;      /* dirs: 2 + number of subdirectories */
	uint32_t uid;
	uint32_t gid;
	uint64_t size;       /* bytes; dirs: entry count-derived; links: target len */
	uint64_t space_used;
	uint64_t change;     /* change attribute, strictly increasing per inode */
	uint64_t parent;     /* dirs: parent fileid (for LOOKUPP); else last parent */
	uint32_t rdev_major;
	uint32_t rdev_minor;
	struct ns_time atime, mtime, ctime, btime;
	/* tiering: residency and object identity (unused until tiering lands) */
	uint32_t residency; /* enum ns_residency */
	uint32_t flags;     /* enum ns_inode_flags */
	uint64_t layout_gen;   /* reserved for pNFS restripe, 0 */
	char object_etag[64];  /* NUL-terminated; empty unless offloaded */
};

/*
 * ns_inode.flags: where a regular file's data objects stand (stripe objects
 * on the data servers, or the local store's object on a single node).
 * A file created since these flags exist starts with NS_INO_NO_DATA: no
 * object was ever created for it, so removing it frees nothing and needs no
 * reclaim record. ns_data_placed() swaps it for NS_INO_DATA_PLACED in the
 * transaction (or batch) that follows the objects' creation, so a
 * committed NS_INO_DATA_PLACED means every object was created: one that is
 * missing later was lost (docs/decisions/0019). A record with neither bit
 * is "unsure": it comes from before the flags, or its placement failed part
 * way (ns_data_unsure()): its objects may or may not exist, so a missing
 * one is a hole, callers create them idempotently, and its removal
 * reclaims.
 */
enum ns_inode_flags {
	NS_INO_NO_DATA = 1u << 0,
	NS_INO_DATA_PLACED = 1u << 1,
};

/* Which fields ns_setattr() changes. */
enum ns_setattr_mask {
	NS_SET_MODE = 1u << 0,
	NS_SET_UID = 1u << 1,
	NS_SET_GID = 1u << 2,
	NS_SET_SIZE = 1u << 3,
	NS_SET_ATIME = 1u << 4,      /* to attr->atime */
	NS_SET_MTIME = 1u << 5,      /* to attr->mtime */
	NS_SET_ATIME_NOW = 1u << 6,  /* to the server's clock */
	NS_SET_MTIME_NOW = 1u << 7,
	NS_SET_SPACE_USED = 1u << 8,
	NS_SET_BTIME = 1u << 9,
	/* residency + object_etag, by hand: no tier record is written (the
	 * tier changes residency through metadata/ns_tier.h; fsck reports
	 * a residency without its records). For repair tools and tests. */
	NS_SET_RESIDENCY = 1u << 10,
};

/* Before/after change values of a directory (NFSv4 change_info4). */
struct ns_cinfo {
	uint64_t before;
	uint64_t after;
	int atomic; /* 1: no other change happened in between */
	/* Set (non-zero) when the directory is another partition's (see
	 * "Directory deltas" below): the change was recorded as delta
	 * DELTA_SEQ of shard DELTA_SHARD, and before/after come from its
	 * application at the directory's owner (ns_delta_apply()). */
	uint64_t delta_seq;
	unsigned delta_shard;
};

/* Arguments for creating a new inode. */
struct ns_create_args {
	uint32_t type; /* enum ns_type */
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t rdev_major, rdev_minor; /* NS_BLK / NS_CHR */
	const char *symlink;             /* NS_LNK: target, not NUL-terminated */
	size_t symlink_len;
	int exclusive;                   /* 1: -EEXIST if the name exists */
};

struct ns;

/*
 * Open (creating if needed) the namespace in DIR. The shard count is
 * persisted in DIR/ns.conf when the namespace is created; NSHARDS must then
 * match it (-EINVAL otherwise), or be 0 to use the persisted count (0 on a
 * directory without a namespace: -ENOENT). Only one process may have a
 * namespace open (flock on DIR/ns.lock; -EBUSY). Intents left by a crash are
 * rolled forward before it returns (see ns_replayed_intents()).
 */
int ns_open(struct ns **out, const char *dir, unsigned nshards);
/*
 * ns_open() with the shards kept in NENVS LMDB environments (shard S in
 * environment S mod NENVS; docs/decisions/0014). ns_open() is NENVS = 0:
 * one environment per shard. The environment count is chosen when the
 * namespace is created and persisted; an existing namespace keeps its own
 * (NENVS is then ignored: it changes no result, only costs). Shards are
 * where data is placed (and
 * will be what moves between metadata servers); environments are what
 * commits: an operation or a group-commit batch costs one commit per
 * environment it wrote, plus an intent when it wrote several. A server
 * keeps all its shards in one environment.
 */
int ns_open_ex(struct ns **out, const char *dir, unsigned nshards,
	       unsigned nenvs);
/* Environments the namespace uses. */
unsigned ns_nenvs(const struct ns *ns);
void ns_close(struct ns *ns);
unsigned ns_nshards(const struct ns *ns);
/* Number of pending intents ns_open() rolled forward (crash recovery). */
unsigned ns_replayed_intents(const struct ns *ns);

/*
 * Group commit. After ns_batch_begin(), every mutating call made by the
 * calling thread (the owner) joins one batch: it returns as soon as its
 * changes are in the batch, and ns_batch_end() commits the whole batch —
 * one LMDB commit (one fsync pair) per shard written plus, when several
 * shards were written, one intent record — atomically across a crash:
 * after a crash during ns_batch_end() the namespace holds either all of the
 * batch or none of it. A call that fails leaves nothing in the batch. The
 * owner's reads see the batch; other threads see it after the commit, and
 * their mutations of a shard the batch holds wait for it (deadlock-free:
 * the batch follows the shard lock order of ns_mtx.c). Nothing may be
 * claimed stable before ns_batch_end() returns 0; if it fails the batch is
 * lost and the namespace refuses mutations until reopened (-EIO).
 * One batch per namespace at a time: ns_batch_begin() returns -EBUSY while
 * another is open, 0 otherwise (or -ENOMEM). ns_batch_end() from a thread
 * that owns no batch: -EINVAL. The owner must end its batch before
 * ns_close().
 */
int ns_batch_begin(struct ns *ns);
int ns_batch_end(struct ns *ns);
/* Operations the caller's open batch holds (0 if none, or no batch). */
unsigned ns_batch_ops(struct ns *ns);
/* 1 if the calling thread has a batch open, else 0. */
int ns_batch_owned(struct ns *ns);

/* A fileid spread over 64 bits for hashing (xorshift-multiply
 * finaliser): fileids share their top bits (the shard) and count up. The
 * object tier's key directories depend on it (tier_key_hash): never
 * change it. Pure. */
static inline uint64_t ns_fileid_mix(uint64_t fileid)
{
	uint64_t x = fileid;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

static inline unsigned ns_fileid_shard(uint64_t fileid)
{
	return (unsigned)(fileid >> (64 - NS_SHARD_BITS));
}
unsigned ns_entry_shard(const struct ns *ns, uint64_t parent, const char *name,
			size_t namelen);
/* The same placement without an open namespace (a front routing a request
 * by the cluster map, pnfs/cmap.h): hash(parent, name) mod NSHARDS. */
unsigned ns_hash_shard(unsigned nshards, uint64_t parent, const char *name,
		       size_t namelen);

/* Validate a component name. 0 or -EINVAL / -ENAMETOOLONG. Checked by every
 * call taking a name (ns_lookup() too: "." and ".." are the caller's). */
int ns_check_name(const char *name, size_t namelen);

int ns_getattr(struct ns *ns, uint64_t fileid, struct ns_inode *out);
int ns_lookup(struct ns *ns, uint64_t parent, const char *name, size_t namelen,
	      uint64_t *fileid);
/* ns_lookup() that also gives the entry's TYPE (enum ns_type, may be
 * NULL): what a node knows of a file whose inode another node holds (a
 * name renamed across nodes, ns_xtx.h). */
int ns_lookup_ex(struct ns *ns, uint64_t parent, const char *name,
		 size_t namelen, uint64_t *fileid, uint32_t *type);

/*
 * Create NAME in PARENT. A new directory has nlink 2 and size 0 (a
 * directory's size is the number of entries in it). If the name exists and
 * !args->exclusive, returns
 * -EEXIST with *out filled with the existing inode (so OPEN UNCHECKED can
 * proceed); if exclusive, returns -EEXIST and *out is filled likewise.
 */
int ns_create(struct ns *ns, uint64_t parent, const char *name, size_t namelen,
	      const struct ns_create_args *args, struct ns_inode *out,
	      struct ns_cinfo *cinfo);

/* Remove NAME from PARENT. Directories must be empty (-ENOTEMPTY).
 * *removed gets the inode as it was before; *freed is 1 when its last link
 * went (its data is then to be freed: see ns_reclaim_list(); its object in
 * the tier, if any, goes on the tier's delete list: metadata/ns_tier.h). */
int ns_remove(struct ns *ns, uint64_t parent, const char *name, size_t namelen,
	      struct ns_inode *removed, int *freed, struct ns_cinfo *cinfo);

/*
 * Data to free. When the last link of a regular file goes (remove, rename
 * over it), the same transaction records its fileid and its data
 * generation (layout_gen: the copy on the data servers it names,
 * docs/decisions/0030) in a reclaim list, so the fact that its data must
 * go survives a crash at any point. The owner of the data (the server)
 * lists them, frees that copy, then forgets them with ns_reclaim_done() (N
 * of them in one commit). ns_reclaim_list() fills up to MAX fileids, shard
 * by shard, GENS[i] (GENS may be NULL) the generation of FILEIDS[i] (0 for
 * a record written before generations), and sets *N; 0 or -errno. Any
 * thread.
 */
int ns_reclaim_list(struct ns *ns, uint64_t *fileids, uint64_t *gens,
		    size_t max, size_t *n);
int ns_reclaim_done(struct ns *ns, const uint64_t *fileids, size_t n);
/* Put FILEID's copy at generation GEN on the reclaim list by itself: for a
 * file already gone from the namespace whose data is about to be made (a
 * file unlinked while open and written afterwards,
 * nfsd/state/orphan.h), before the data exists. */
int ns_reclaim_add(struct ns *ns, uint64_t fileid, uint64_t gen);

/* POSIX rename: replaces a compatible target (file over file, empty dir over
 * dir); refuses to move a directory under itself (-EINVAL). If the target was
 * replaced and lost its last link, *freed_fileid is its fileid, else 0. */
int ns_rename(struct ns *ns, uint64_t sparent, const char *sname, size_t slen,
	      uint64_t dparent, const char *dname, size_t dlen,
	      struct ns_cinfo *scinfo, struct ns_cinfo *dcinfo,
	      uint64_t *freed_fileid);

int ns_link(struct ns *ns, uint64_t fileid, uint64_t dparent, const char *name,
	    size_t namelen, struct ns_cinfo *cinfo);

/* Apply the fields named by MASK from ATTR; bumps change and ctime. *out
 * gets the result. A size change of a regular file drops its object in the
 * tier (metadata/ns_tier.h: a delete record, residency LOCAL); on an
 * OFFLOADED file only a truncation to zero may (else -EAGAIN: recall
 * first). */
int ns_setattr(struct ns *ns, uint64_t fileid, unsigned mask,
	       const struct ns_inode *attr, struct ns_inode *out);

/* The same changes on an inode kept outside the namespace (a file unlinked
 * while open, nfsd/state/orphan.h): pure, any thread. ns_inode_apply checks
 * MASK and ATTR as ns_setattr does (0 or -errno, INO untouched on error);
 * ns_inode_note_write is what ns_note_write does to the record. */
int ns_inode_apply(struct ns_inode *ino, unsigned mask,
		   const struct ns_inode *attr);
void ns_inode_note_write(struct ns_inode *ino, uint64_t end_offset);
/* INO's data objects exist from now on (ns_inode_flags above); pure. */
void ns_inode_set_placed(struct ns_inode *ino);
/* INO's objects may exist on some data servers only (neither flag). */
void ns_inode_set_unsure(struct ns_inode *ino);

/* Record a data write: size = max(size, new_size) if extend, mtime/ctime now,
 * change bumped, data placed (ns_inode_flags). Used by WRITE. A BOTH file
 * drops its object (metadata/ns_tier.h); an OFFLOADED one refuses
 * (-EAGAIN: recall first). */
int ns_note_write(struct ns *ns, uint64_t fileid, uint64_t end_offset,
		  struct ns_inode *out);

/* Mark regular file FILEID's data objects as placed (ns_inode_flags above):
 * call it beside the operation that creates them. *was_placed = 1 when
 * NS_INO_DATA_PLACED was already set (nothing written), else 0. Not a
 * change visible to clients: change and ctime stay. 0 or -errno (-EINVAL
 * for a non-regular file). */
int ns_data_placed(struct ns *ns, uint64_t fileid, int *was_placed);
/* A placement of FILEID's objects failed part way: some may exist. Clears
 * both flags (ns_inode_flags above), so the next attempt creates them
 * again, a missing object reads as a hole until then, and removal
 * reclaims. Not a change visible to clients. 0 or -errno. */
int ns_data_unsure(struct ns *ns, uint64_t fileid);

/* Copy the target of symlink FILEID into BUF (NUL-terminated only if there is
 * room); *len = target length. -EINVAL if not a symlink, -ENAMETOOLONG if
 * BUFSZ < the length (NS_SYMLINK_MAX always suffices). */
int ns_readlink(struct ns *ns, uint64_t fileid, char *buf, size_t bufsz,
		size_t *len);

/*
 * READDIR. Cookie encoding: (entry shard << 56) | seq, seq being the
 * entry's per-shard sequence number (>= 3); see metadata/ns_read.c.
 * Calls CB for each entry after COOKIE (0 = from the start) in
 * cookie order until CB returns non-zero or the directory ends. Each entry
 * gets its own cookie (> 2) to resume after it. *eof is 1 when the walk
 * reached the end. -EINVAL (NFS4ERR_BAD_COOKIE) for a cookie that can never
 * have been issued.
 */
typedef int (*ns_readdir_cb)(void *ctx, const char *name, size_t namelen,
			     uint64_t fileid, uint64_t cookie);
int ns_readdir(struct ns *ns, uint64_t dir, uint64_t cookie, ns_readdir_cb cb,
	       void *ctx, int *eof);
/*
 * With partitions of other nodes (ns_own()): the walk goes partition by
 * partition (each one's shards in order), so a node lists a run of
 * cookies alone and stops where another node's partition starts: *eof is
 * then 0 and *RESUME (if not NULL) the cookie to go on with at that
 * partition's owner, "(first shard << 56) | 2" (never an entry's: seqs
 * start at 3). 0 when the walk did not stop there. A COOKIE of another
 * node's partition: -EREMOTE.
 */
int ns_readdir_ex(struct ns *ns, uint64_t dir, uint64_t cookie,
		  ns_readdir_cb cb, void *ctx, int *eof, uint64_t *resume);
/* 1 if this node has an entry of DIR after COOKIE before the walk reaches
 * another node's partition; 0 if not, with *NEXT the cookie to go on with
 * there (0: the directory ends). -errno. */
int ns_readdir_probe(struct ns *ns, uint64_t dir, uint64_t cookie,
		     uint64_t *next);
/* A READDIR cookie is shard << (64 - NS_SHARD_BITS) | seq; seqs 0, 1, 2
 * are reserved (2 of a shard S > 0: the start of partition S's run). */
#define NS_FIRST_SEQ 3
/* The shard a READDIR cookie resumes on (0 for cookie 0). */
static inline unsigned ns_cookie_shard(uint64_t cookie)
{
	return (unsigned)(cookie >> (64 - NS_SHARD_BITS));
}
/* The cookie at which ns_readdir_ex() starts partition P's run (what
 * *RESUME is when a walk stops there; 0 for partition 0): a partition's
 * owner lists a directory's entries there from it. */
static inline uint64_t ns_cookie_partition(unsigned p)
{
	return p ? ((uint64_t)p << (64 - NS_SHARD_BITS)) | (NS_FIRST_SEQ - 1)
		 : 0;
}

/*
 * Every inode with a fileid above AFTER, in fileid order (shard by shard):
 * CB for each until it returns non-zero or MAX were visited. *NEXT is the
 * last fileid visited (pass it as AFTER to go on); *DONE is 1 when the walk
 * reached the end. Reads only; what changes meanwhile may or may not be
 * seen (each shard is read in its own transaction). 0 or -errno.
 */
typedef int (*ns_inode_cb)(void *ctx, const struct ns_inode *ino);
int ns_scan_inodes(struct ns *ns, uint64_t after, size_t max,
		   ns_inode_cb cb, void *ctx, uint64_t *next, int *done);
/* A path from the root to FILEID ("/dir/file"), through parent pointers
 * and each parent's entries (a file with several links: the name in its
 * last parent). For reports, not for hot paths: each step lists a
 * directory. -ENOENT when no name leads to it (unlinked), -ENAMETOOLONG
 * when CAP is too small. */
int ns_path(struct ns *ns, uint64_t fileid, char *buf, size_t cap);

/*
 * Durable answers (docs/decisions/0024, "retried sub-compounds"). A node
 * that runs a mutation for a request that may be sent again after a lost
 * reply or a crash (a front's sub-compound) stores its encoded answer with
 * ns_answer_put() inside the same batch as the mutation, so the answer is
 * durable exactly when the change is; a resend finds it with
 * ns_answer_get() and gets the same answer instead of running the
 * mutation twice (a CREATE retried must not turn into EXIST).
 *
 * KEY (1..NS_ANSWER_KEY_MAX bytes) and VAL (at most NS_ANSWER_VAL_MAX) are
 * the caller's format. The record lives on shard SHARD (any shard; the
 * caller picks one the operation wrote, so that the batch touches no
 * extra environment), where a later put of the same key replaces it; the
 * same key may so hold an older answer on another shard, and callers tell
 * answers apart by leading bytes of the value: ns_answer_get() returns
 * the one, on any shard, whose value starts with MATCH (MLEN bytes).
 * ns_answer_drop() removes every answer (every shard) whose key starts
 * with PREFIX (e.g. a client that is gone). 0 or -errno;
 * ns_answer_get(): -ENOENT when there is none, else *VAL is malloc()ed
 * (the caller frees it).
 */
#define NS_ANSWER_KEY_MAX 64
#define NS_ANSWER_VAL_MAX (64u * 1024)
int ns_answer_put(struct ns *ns, unsigned shard, const void *key, size_t klen,
		  const void *val, size_t vlen);
int ns_answer_get(struct ns *ns, const void *key, size_t klen,
		  const void *match, size_t mlen, void **val, size_t *vlen);
int ns_answer_drop(struct ns *ns, const void *prefix, size_t plen);

/*
 * Partitions this process owns (docs/decisions/0024). A partition is an
 * environment (shard S in environment S mod ns_nenvs()). By default a
 * namespace owns every environment. ns_own() says which ones this process
 * owns (OWNED[e] != 0, N == ns_nenvs()); call it once after ns_open_ex(),
 * before any other thread uses the namespace. Operations that would have
 * to read or write an inode or entry of a partition it does not own return
 * -EREMOTE (the caller routed the request to the wrong node, or it needs
 * the cross-partition protocol, which ns does not do by itself) — with one
 * exception, the directory of a name operation: see "Directory deltas".
 * ns_owns_fileid(): 1 when FILEID's inode is on an owned partition.
 */
int ns_own(struct ns *ns, const uint8_t *owned, unsigned n);
int ns_owns_fileid(const struct ns *ns, uint64_t fileid);
int ns_owns_shard(const struct ns *ns, unsigned shard);

/*
 * Directory deltas (P3 of ../shared/design/multi-mds.md §2.5). An entry
 * lives on hash(dir, name), so with several partitions a CREATE or REMOVE
 * runs where the entry is, while the directory's inode (size, nlink,
 * change, mtime, ctime) is often another partition's. Such a call commits
 * on the entry's partition alone: the entry, the new or removed inode and a
 * delta record {dir, +/- entries, +/- subdirectories, time}, numbered by
 * a per-shard sequence, in the same transaction. ns_create()/ns_remove()
 * then return 0 with cinfo->delta_seq and ->delta_shard set and
 * cinfo->atomic 0; they trust the caller that DIR is a directory (its
 * owner checked it; NS_DIR is not re-checked here).
 *
 * The caller ships the entry partition's deltas (ns_delta_list(), in
 * sequence order per source shard) to the directory's owner, which applies
 * them with ns_delta_apply() in its own transaction or batch: each delta at
 * most once (the last sequence applied from each source shard is kept on
 * the directory's shard, in the same transaction), giving the directory's
 * (before, after) change as an atomic change_info. A delta for a directory
 * that no longer exists is counted as applied and changes nothing. Once
 * the owner's transaction is durable, the source drops them
 * (ns_delta_trim()). Until then they stay, so an owner's restart or a lost
 * answer only delays them.
 *
 * RMDIR with several owners. A directory's owner cannot see an entry
 * another partition just made in it until its delta arrives, so when the
 * namespace does not own every partition, ns_remove() of a directory
 * answers -EREMOTE and the RMDIR runs as a cross-node transaction
 * (ns_xtx_plan_remove()). Its plan writes a guard for the directory on
 * every partition; a partition holding an entry of it refuses to prepare
 * (-ENOTEMPTY); while it is prepared, creates there in the directory wait
 * (-EBUSY); once committed the guard stays as a tombstone, on which a late
 * create answers -ESTALE, until ns_rmguard_expire() drops it (ns_rmguard.c).
 */
struct ns_delta {
	uint64_t seq;      /* per source shard, from 1, increasing */
	uint64_t dir;      /* the directory's fileid */
	int32_t entries;   /* change of its entry count (size) */
	int32_t subdirs;   /* change of its subdirectory count (nlink) */
	struct ns_time when; /* the entry's change time: mtime and ctime */
};
/* Up to MAX deltas of source shard SHARD with seq > AFTER, in order. */
int ns_delta_list(struct ns *ns, unsigned shard, uint64_t after,
		  struct ns_delta *out, size_t max, size_t *n);
/* Apply N deltas from source shard SRC (in order); OUT[i] (may be NULL)
 * gets each one's change_info: atomic when applied now, not atomic (and
 * before = after = the current change) when it was applied before or the
 * directory is gone. Every directory must be on an owned partition
 * (-EREMOTE). */
int ns_delta_apply(struct ns *ns, unsigned src, const struct ns_delta *d,
		   size_t n, struct ns_cinfo *out);
/* Drop SHARD's deltas with seq <= UPTO. */
int ns_delta_trim(struct ns *ns, unsigned shard, uint64_t upto);

/* Drop RMDIR tombstones (above) written before NOW - KEEP seconds, at
 * most 256 per call, on this process's partitions: 1 when more are due,
 * 0 done, or -errno. *DROPPED (may be NULL) gets how many went. A
 * tombstone must outlive any create that looked its directory up at the
 * owner before the RMDIR and still travels to another node. */
int ns_rmguard_expire(struct ns *ns, uint64_t now, uint64_t keep,
		      size_t *dropped);
#define NS_RMGUARD_KEEP_S 600

/* Totals for FSSTAT-like attributes. */
struct ns_stats {
	uint64_t inodes;
	uint64_t bytes;
	uint64_t entries;  /* directory entries (names) */
};
int ns_stats(struct ns *ns, struct ns_stats *out);

/*
 * Regular files per residency state (enum ns_residency: [0] local,
 * [1] offloaded, [2] both) and the sum of their sizes, over the shards
 * this process owns (ns_own()). Kept exactly: counters per shard changed
 * in the transaction (or batch, or cross-node plan) of every change of a
 * regular file's residency or size, its creation and its removal; a
 * shard made before them is counted once when opened; ns_fsck() checks
 * them against a recount (docs/decisions/0034). Reads only. 0 or -errno.
 */
struct ns_res_counts {
	uint64_t files[3];
	uint64_t bytes[3];
};
int ns_res_counts(struct ns *ns, struct ns_res_counts *out);

/*
 * fsck: check every invariant (every entry's inode exists, every inode but
 * the root is reachable, nlink counts match entries, directory parent
 * pointers are right, no intent left pending). Calls REPORT for each
 * violation (may be NULL). Returns the number of violations, or negative
 * errno if the namespace could not be read.
 */
typedef void (*ns_fsck_report)(void *ctx, const char *msg);
int ns_fsck(struct ns *ns, ns_fsck_report report, void *ctx);

/* ns_res_counts()'s counters checked online (strata-fsck --scrub): each
 * owned shard's inodes recounted in one read transaction with its
 * counters, so the two are of one instant. *BAD gets the number of shards
 * whose counters differ (REPORT, if not NULL, is called for each). 0 or
 * -errno. */
int ns_res_verify(struct ns *ns, unsigned *bad, ns_fsck_report report,
		  void *ctx);

/* ns_fsck() that also says how much it checked. */
struct ns_fsck_counts {
	uint64_t inodes;
	uint64_t entries;
};
int ns_fsck_ex(struct ns *ns, ns_fsck_report report, void *ctx,
	       struct ns_fsck_counts *counts);
/*
 * fsck of a cluster: NODES[0..N-1], each a node's namespace opened with
 * ns_own() of its partitions (together owning every shard exactly once,
 * else -EINVAL). Every check of ns_fsck() runs across them, each shard
 * read from its owner: an entry's inode may be on another node, a
 * directory's size counts its entries on every node. Besides: every
 * directory delta still recorded was applied at its owner. (The object
 * tier's records are not checked here.) Read only. Violations, or
 * -errno.
 */
int ns_fsck_cluster(struct ns **nodes, unsigned n, ns_fsck_report report,
		    void *ctx, struct ns_fsck_counts *counts);

#endif
