/*
 * metadata/ns_ops.c — mutating namespace calls. Each is a body run by
 * ns_mtx_run() (ns_mtx.c), which locks shards, restarts the body if needed,
 * and commits atomically across shards. A body only reads and writes through
 * the mtx accessors and its output arguments; it may run more than once.
 *
 * Attribute rules:
 *   - directory nlink = 2 + number of subdirectories (root included);
 *   - directory size  = number of entries in it ("." and ".." not counted);
 *   - every change to an inode sets ctime and bumps change
 *     (ns_touch_change: strictly increasing per inode);
 *   - adding or removing an entry sets the directory's mtime and ctime;
 *   - the shard's "bytes" counter is the sum of its regular files' sizes.
 * Since the parent's shard stays locked for the whole call, every change_info
 * returned is atomic (no other change to the directory in between) — except
 * for CREATE and REMOVE in a directory of a partition this process does not
 * own (ns_own()): the directory's side is then a delta (ns_delta.c) and the
 * change_info comes from its owner.
 */
#include <errno.h>
#include <string.h>

#include "ns_internal.h"
#include "ns_xtx.h"

#define DIR_NLINK_MAX (UINT32_MAX - 1)
#define SEQ_MAX ((UINT64_C(1) << (64 - NS_SHARD_BITS)) - 1)

/* ---- small helpers ------------------------------------------------------ */

static void cinfo_set(struct ns_cinfo *c, uint64_t before, uint64_t after)
{
	if (!c)
		return;
	c->before = before;
	c->after = after;
	c->atomic = 1;
	c->delta_seq = 0;
	c->delta_shard = 0;
}

void ns_ino_changed(struct ns_inode *ino, const struct ns_time *now)
{
	ino->ctime = *now;
	ns_touch_change(ino, now);
}

static void dir_modified(struct ns_inode *dir, const struct ns_time *now)
{
	dir->mtime = *now;
	ns_ino_changed(dir, now);
}

static uint64_t reg_bytes(const struct ns_inode *ino)
{
	return ino->type == NS_REG ? ino->size : 0;
}

/* A counter or record that must exist but does not: corruption. */
static int must_exist(int rc)
{
	return rc == -ENOENT ? -EIO : rc;
}

/* ---- inodes ------------------------------------------------------------- */

int ns_ino_load(struct ns_mtx *m, uint64_t fileid, struct ns_inode *ino)
{
	unsigned s = ns_fileid_shard(fileid);
	uint8_t key[8];
	MDB_val v;
	int rc;

	if (fileid == 0 || s >= ns_mtx_ns(m)->nshards)
		return -ENOENT;
	ns_put_be64(key, fileid);
	rc = ns_mtx_get(m, s, NS_DB_INODES, key, 8, &v);
	if (rc)
		return rc;
	return ns_inode_decode(fileid, v.mv_data, v.mv_size, ino);
}

static int dir_load(struct ns_mtx *m, uint64_t fileid, struct ns_inode *dir)
{
	int rc = ns_ino_load(m, fileid, dir);

	if (!rc && dir->type != NS_DIR)
		rc = -ENOTDIR;
	return rc;
}

static int bytes_adjust(struct ns_mtx *m, unsigned s, uint64_t sub,
			uint64_t add)
{
	uint64_t total;
	int rc;

	if (sub == add)
		return 0;
	if (ns_mtx_view(m)) /* a cross-node plan: added at commit */
		return ns_mtx_add_u64(m, s, NS_META_BYTES,
				      (int64_t)(add - sub));
	rc = must_exist(ns_mtx_get_u64(m, s, NS_META_BYTES, &total));
	if (rc)
		return rc;
	return ns_mtx_put_u64(m, s, NS_META_BYTES, total - sub + add);
}

int ns_ino_store(struct ns_mtx *m, const struct ns_inode *ino)
{
	unsigned s = ns_fileid_shard(ino->fileid);
	uint8_t key[8], rec[NS_INODE_REC_LEN];
	struct ns_inode old;
	uint64_t old_bytes = 0;
	int rc = ns_ino_load(m, ino->fileid, &old);
	int had = rc == 0;

	if (rc == 0)
		old_bytes = reg_bytes(&old);
	else if (rc != -ENOENT)
		return rc;
	rc = bytes_adjust(m, s, old_bytes, reg_bytes(ino));
	if (!rc) /* files per residency state (ns_rescount.c) */
		rc = ns_res_adjust(m, s, had ? &old : NULL, ino);
	if (rc)
		return rc;
	ns_put_be64(key, ino->fileid);
	ns_inode_encode(ino, rec);
	return ns_mtx_put(m, s, NS_DB_INODES, key, 8, rec, sizeof rec);
}

/* FILEID's copy at data generation GEN is to be freed (ns_internal.h:
 * the record's value is the generation, 8 bytes little-endian). */
static int reclaim_put(struct ns_mtx *m, uint64_t fileid, uint64_t gen)
{
	uint8_t key[8], val[8];

	ns_put_be64(key, fileid);
	ns_put_le64(val, gen);
	return ns_mtx_put(m, ns_fileid_shard(fileid), NS_DB_RECLAIM, key, 8,
			  val, 8);
}

/* Delete the inode FILEID and its symlink target, if any. */
static int ino_delete(struct ns_mtx *m, uint64_t fileid)
{
	unsigned s = ns_fileid_shard(fileid);
	struct ns_inode old;
	uint8_t key[8];
	int rc = must_exist(ns_ino_load(m, fileid, &old));

	if (!rc) /* before the drop below makes OLD local */
		rc = ns_res_adjust(m, s, &old, NULL);
	if (!rc) /* its object goes with it (ns_tier.h) */
		rc = ns_tier_drop_ref(m, &old);
	if (!rc)
		rc = bytes_adjust(m, s, reg_bytes(&old), 0);
	if (rc)
		return rc;
	ns_put_be64(key, fileid);
	rc = ns_mtx_del(m, s, NS_DB_INODES, key, 8);
	if (!rc && old.type == NS_LNK)
		rc = ns_mtx_del(m, s, NS_DB_SYMLINKS, key, 8);
	/* Its data goes later (ns.h); a file never given objects has none. */
	if (!rc && old.type == NS_REG && !(old.flags & NS_INO_NO_DATA))
		rc = reclaim_put(m, fileid, old.layout_gen);
	return rc;
}

struct reclaim_done_ctx {
	const uint64_t *fileids;
	size_t n;
};

static int reclaim_done_body(struct ns_mtx *m, void *arg)
{
	const struct reclaim_done_ctx *c = arg;
	uint8_t key[8];
	int rc = 0;

	for (size_t i = 0; !rc && i < c->n; i++) {
		ns_put_be64(key, c->fileids[i]);
		rc = ns_mtx_del(m, ns_fileid_shard(c->fileids[i]),
				NS_DB_RECLAIM, key, 8);
	}
	return rc;
}

int ns_reclaim_done(struct ns *ns, const uint64_t *fileids, size_t n)
{
	struct reclaim_done_ctx c = { fileids, n };

	for (size_t i = 0; i < n; i++)
		if (ns_fileid_shard(fileids[i]) >= ns->nshards)
			return -EINVAL;
	return n ? ns_mtx_run(ns, reclaim_done_body, &c) : 0;
}

struct reclaim_add_ctx {
	uint64_t fileid, gen;
};

static int reclaim_add_body(struct ns_mtx *m, void *arg)
{
	const struct reclaim_add_ctx *c = arg;

	return reclaim_put(m, c->fileid, c->gen);
}

int ns_reclaim_add(struct ns *ns, uint64_t fileid, uint64_t gen)
{
	struct reclaim_add_ctx c = { fileid, gen };

	if (ns_fileid_shard(fileid) >= ns->nshards)
		return -EINVAL;
	return ns_mtx_run(ns, reclaim_add_body, &c);
}

void ns_inode_set_placed(struct ns_inode *ino)
{
	ino->flags = (ino->flags & ~(uint32_t)NS_INO_NO_DATA) |
		     NS_INO_DATA_PLACED;
}

void ns_inode_set_unsure(struct ns_inode *ino)
{
	ino->flags &= ~(uint32_t)(NS_INO_NO_DATA | NS_INO_DATA_PLACED);
}

/* Drop one link of the non-directory INO; *freed = 1 if it was the last. */
static int ino_unlink(struct ns_mtx *m, struct ns_inode *ino,
		      const struct ns_time *now, int *freed)
{
	if (ino->nlink <= 1) {
		*freed = 1;
		return ino_delete(m, ino->fileid);
	}
	ino->nlink--;
	ns_ino_changed(ino, now);
	*freed = 0;
	return ns_ino_store(m, ino);
}

static int alloc_fileid(struct ns_mtx *m, unsigned s, uint64_t *fileid)
{
	uint64_t c;
	int rc = must_exist(ns_mtx_get_u64(m, s, NS_META_NEXT_FILEID, &c));

	if (rc)
		return rc;
	if (c > NS_FILEID_COUNTER_MASK)
		return -ENOSPC;
	*fileid = ((uint64_t)s << (64 - NS_SHARD_BITS)) | c;
	return ns_mtx_put_u64(m, s, NS_META_NEXT_FILEID, c + 1);
}

/* ---- directory entries -------------------------------------------------- */

static int dirent_load(struct ns_mtx *m, uint64_t parent, const char *name,
		       size_t len, struct ns_dirent_val *dv)
{
	struct ns *ns = ns_mtx_ns(m);
	uint8_t key[NS_DIRENT_KEY_MAX];
	size_t klen = ns_dirent_key(key, parent, name, len);
	MDB_val v;
	int rc = ns_mtx_get(m, ns_entry_shard(ns, parent, name, len),
			    NS_DB_DIRENTS, key, klen, &v);

	if (rc)
		return rc;
	return ns_dirent_val_decode(v.mv_data, v.mv_size, dv);
}

/* Add (PARENT, NAME) -> FILEID with a fresh sequence number (its cookie). */
static int dirent_insert(struct ns_mtx *m, uint64_t parent, const char *name,
			 size_t len, const struct ns_inode *child)
{
	struct ns *ns = ns_mtx_ns(m);
	unsigned es = ns_entry_shard(ns, parent, name, len);
	uint8_t key[NS_DIRENT_KEY_MAX], val[NS_DIRENT_VAL_LEN];
	uint8_t ckey[16], cval[8 + NS_NAME_MAX];
	struct ns_dirent_val dv = { .fileid = child->fileid,
				    .type = child->type };
	size_t klen;
	int rc = must_exist(ns_mtx_get_u64(m, es, NS_META_NEXT_SEQ, &dv.seq));

	/* A directory of another partition may be going (ns.h, "RMDIR with
	 * several owners"); one of ours was loaded by the caller. */
	if (!rc && !ns_owns_fileid(ns, parent))
		rc = ns_rmguard_check(m, parent, es);
	if (!rc && dv.seq >= SEQ_MAX)
		rc = -ENOSPC;
	if (!rc)
		rc = ns_mtx_put_u64(m, es, NS_META_NEXT_SEQ, dv.seq + 1);
	if (rc)
		return rc;
	klen = ns_dirent_key(key, parent, name, len);
	ns_dirent_val_encode(&dv, val);
	rc = ns_mtx_put(m, es, NS_DB_DIRENTS, key, klen, val, sizeof val);
	if (rc)
		return rc;
	ns_cookie_key(ckey, parent, dv.seq);
	ns_put_le64(cval, child->fileid);
	memcpy(cval + 8, name, len);
	return ns_mtx_put(m, es, NS_DB_COOKIES, ckey, 16, cval, 8 + len);
}

static int dirent_delete(struct ns_mtx *m, uint64_t parent, const char *name,
			 size_t len, const struct ns_dirent_val *dv)
{
	struct ns *ns = ns_mtx_ns(m);
	unsigned es = ns_entry_shard(ns, parent, name, len);
	uint8_t key[NS_DIRENT_KEY_MAX], ckey[16];
	size_t klen = ns_dirent_key(key, parent, name, len);
	int rc = ns_mtx_del(m, es, NS_DB_DIRENTS, key, klen);

	if (rc)
		return rc;
	ns_cookie_key(ckey, parent, dv->seq);
	return ns_mtx_del(m, es, NS_DB_COOKIES, ckey, 16);
}

/* ---- create ------------------------------------------------------------- */

struct create_ctx {
	uint64_t parent;
	const char *name;
	size_t len;
	const struct ns_create_args *a;
	struct ns_inode *out;
	struct ns_cinfo *cinfo;
};

static void new_inode(struct ns_inode *ino, uint64_t fileid,
		      const struct create_ctx *c, const struct ns_time *now)
{
	const struct ns_create_args *a = c->a;

	memset(ino, 0, sizeof *ino);
	ino->fileid = fileid;
	ino->generation = 1; /* fileids are never reused */
	ino->type = a->type;
	ino->mode = a->mode & 07777;
	ino->nlink = a->type == NS_DIR ? 2 : 1;
	ino->uid = a->uid;
	ino->gid = a->gid;
	ino->size = a->type == NS_LNK ? a->symlink_len : 0;
	ino->parent = c->parent;
	if (a->type == NS_BLK || a->type == NS_CHR) {
		ino->rdev_major = a->rdev_major;
		ino->rdev_minor = a->rdev_minor;
	}
	ino->atime = ino->mtime = ino->ctime = ino->btime = *now;
	ino->residency = NS_RES_LOCAL;
	if (a->type == NS_REG)
		ino->flags = NS_INO_NO_DATA;
	ns_touch_change(ino, now);
}

/* DIR is NULL when it is another partition's (ns.h, "Directory deltas"). */
static int create_exists(struct ns_mtx *m, struct create_ctx *c,
			 const struct ns_inode *dir,
			 const struct ns_dirent_val *dv)
{
	struct ns_inode ino;
	int rc = must_exist(ns_ino_load(m, dv->fileid, &ino));

	if (rc)
		return rc;
	if (c->out)
		*c->out = ino;
	if (dir)
		cinfo_set(c->cinfo, dir->change, dir->change);
	else if (c->cinfo)
		memset(c->cinfo, 0, sizeof *c->cinfo);
	return -EEXIST;
}

static int create_inode(struct ns_mtx *m, struct create_ctx *c,
			struct ns_inode *ino, const struct ns_time *now)
{
	struct ns *ns = ns_mtx_ns(m);
	unsigned es = ns_entry_shard(ns, c->parent, c->name, c->len);
	uint64_t fileid;
	uint8_t key[8];
	int rc = alloc_fileid(m, es, &fileid);

	if (rc)
		return rc;
	new_inode(ino, fileid, c, now);
	rc = ns_ino_store(m, ino);
	if (rc || c->a->type != NS_LNK)
		return rc;
	ns_put_be64(key, fileid);
	return ns_mtx_put(m, es, NS_DB_SYMLINKS, key, 8, c->a->symlink,
			  c->a->symlink_len);
}

/* CREATE whose directory is another partition's: the entry, the inode and
 * a delta for the directory's owner, all on the entry's shard. */
static int create_remote_dir(struct ns_mtx *m, struct create_ctx *c)
{
	unsigned es = ns_entry_shard(ns_mtx_ns(m), c->parent, c->name, c->len);
	struct ns_time now = ns_time_now();
	struct ns_inode ino;
	struct ns_dirent_val dv;
	int rc = dirent_load(m, c->parent, c->name, c->len, &dv);

	if (rc == 0)
		return create_exists(m, c, NULL, &dv);
	if (rc != -ENOENT)
		return rc;
	rc = create_inode(m, c, &ino, &now);
	if (!rc)
		rc = dirent_insert(m, c->parent, c->name, c->len, &ino);
	if (!rc)
		rc = ns_delta_add(m, es, c->parent, 1, ino.type == NS_DIR,
				  &now, c->cinfo);
	if (!rc && c->out)
		*c->out = ino;
	return rc;
}

static int create_body(struct ns_mtx *m, void *arg)
{
	struct create_ctx *c = arg;
	struct ns_time now = ns_time_now();
	struct ns_inode dir, ino;
	struct ns_dirent_val dv;
	uint64_t before;
	int rc;

	if (!ns_owns_fileid(ns_mtx_ns(m), c->parent))
		return create_remote_dir(m, c);
	rc = dir_load(m, c->parent, &dir);

	if (rc)
		return rc;
	rc = dirent_load(m, c->parent, c->name, c->len, &dv);
	if (rc == 0)
		return create_exists(m, c, &dir, &dv);
	if (rc != -ENOENT)
		return rc;
	if (c->a->type == NS_DIR && dir.nlink >= DIR_NLINK_MAX)
		return -EMLINK;
	rc = create_inode(m, c, &ino, &now);
	if (!rc)
		rc = dirent_insert(m, c->parent, c->name, c->len, &ino);
	if (rc)
		return rc;
	before = dir.change;
	dir.size++;
	if (ino.type == NS_DIR)
		dir.nlink++;
	dir_modified(&dir, &now);
	rc = ns_ino_store(m, &dir);
	if (rc)
		return rc;
	if (c->out)
		*c->out = ino;
	cinfo_set(c->cinfo, before, dir.change);
	return 0;
}

static int check_create_args(const struct ns_create_args *a)
{
	if (!a || a->type < NS_REG || a->type > NS_FIFO)
		return -EINVAL;
	if (a->type != NS_LNK)
		return 0;
	if (!a->symlink || a->symlink_len == 0)
		return -EINVAL;
	return a->symlink_len > NS_SYMLINK_MAX ? -ENAMETOOLONG : 0;
}

int ns_create(struct ns *ns, uint64_t parent, const char *name, size_t namelen,
	      const struct ns_create_args *args, struct ns_inode *out,
	      struct ns_cinfo *cinfo)
{
	struct create_ctx c = { parent, name, namelen, args, out, cinfo };
	int rc = ns_check_name(name, namelen);

	if (!rc)
		rc = check_create_args(args);
	if (rc)
		return rc;
	return ns_mtx_run(ns, create_body, &c);
}

/* ---- remove ------------------------------------------------------------- */

struct remove_ctx {
	uint64_t parent;
	const char *name;
	size_t len;
	struct ns_inode *removed;
	int *freed;
	struct ns_cinfo *cinfo;
	int plan; /* a cross-node plan (ns_xtx.h) */
};

/* The directory's side of a removal: its own inode here, or a delta for
 * its owner (ns.h, "Directory deltas"). */
static int remove_from_dir(struct ns_mtx *m, const struct remove_ctx *c,
			   struct ns_inode *dir, const struct ns_inode *child,
			   const struct ns_time *now)
{
	uint64_t before;
	int rc;

	if (!dir)
		return ns_delta_add(m,
				    ns_entry_shard(ns_mtx_ns(m), c->parent,
						   c->name, c->len),
				    c->parent, -1,
				    child->type == NS_DIR ? -1 : 0, now,
				    c->cinfo);
	before = dir->change;
	if (child->type == NS_DIR)
		dir->nlink--;
	dir->size--;
	dir_modified(dir, now);
	rc = ns_ino_store(m, dir);
	if (!rc)
		cinfo_set(c->cinfo, before, dir->change);
	return rc;
}

static int owns_every_partition(struct ns_mtx *m)
{
	const struct ns *ns = ns_mtx_ns(m);

	for (unsigned e = 0; ns->owned && e < ns->nenvs; e++)
		if (!ns->owned[e])
			return 0;
	return 1;
}

static int remove_body(struct ns_mtx *m, void *arg)
{
	struct remove_ctx *c = arg;
	struct ns_time now = ns_time_now();
	struct ns_inode dir, child, before_child;
	struct ns_dirent_val dv;
	int local = ns_owns_fileid(ns_mtx_ns(m), c->parent);
	int freed = 1;
	int rc = local ? dir_load(m, c->parent, &dir) : 0;

	if (!rc)
		rc = dirent_load(m, c->parent, c->name, c->len, &dv);
	if (!rc)
		rc = must_exist(ns_ino_load(m, dv.fileid, &child));
	if (rc)
		return rc;
	if (child.type == NS_DIR && child.size != 0)
		return -ENOTEMPTY;
	/* Other partitions may hold entries of it that its size does not
	 * count yet: a transaction with a guard on each (ns.h, "RMDIR with
	 * several owners"). */
	if (child.type == NS_DIR && !c->plan && !owns_every_partition(m))
		return -EREMOTE;
	before_child = child;
	rc = dirent_delete(m, c->parent, c->name, c->len, &dv);
	if (rc)
		return rc;
	if (child.type == NS_DIR)
		rc = ino_delete(m, child.fileid);
	else
		rc = ino_unlink(m, &child, &now, &freed);
	if (!rc)
		rc = remove_from_dir(m, c, local ? &dir : NULL, &child, &now);
	if (!rc && c->plan && child.type == NS_DIR)
		rc = ns_rmguard_put_all(m, child.fileid);
	if (rc)
		return rc;
	if (c->removed)
		*c->removed = before_child;
	if (c->freed)
		*c->freed = freed;
	return 0;
}

int ns_remove(struct ns *ns, uint64_t parent, const char *name, size_t namelen,
	      struct ns_inode *removed, int *freed, struct ns_cinfo *cinfo)
{
	struct remove_ctx c = { parent, name, namelen, removed, freed, cinfo,
				0 };
	int rc = ns_check_name(name, namelen);

	if (rc)
		return rc;
	return ns_mtx_run(ns, remove_body, &c);
}

int ns_xtx_plan_remove(struct ns *ns, struct ns_xview *v, uint64_t parent,
		       const char *name, size_t namelen,
		       struct ns_inode *victim)
{
	struct ns_cinfo ci; /* known when the plan commits */
	struct remove_ctx c = { parent, name, namelen, victim, NULL, &ci, 1 };
	int rc = ns_check_name(name, namelen);

	if (rc)
		return rc;
	return ns_xtx_plan(ns, remove_body, &c, v);
}

/* ---- link --------------------------------------------------------------- */

struct link_ctx {
	uint64_t fileid;
	uint64_t parent;
	const char *name;
	size_t len;
	struct ns_cinfo *cinfo;
};

static int link_body(struct ns_mtx *m, void *arg)
{
	struct link_ctx *c = arg;
	struct ns_time now = ns_time_now();
	struct ns_inode ino, dir;
	struct ns_dirent_val dv;
	uint64_t before;
	int local;
	int rc = ns_ino_load(m, c->fileid, &ino);

	if (rc)
		return rc;
	if (ino.type == NS_DIR)
		return -EISDIR;
	if (ino.nlink >= NS_LINK_MAX)
		return -EMLINK;
	local = ns_owns_fileid(ns_mtx_ns(m), c->parent);
	rc = local ? dir_load(m, c->parent, &dir) : 0;
	if (rc)
		return rc;
	rc = dirent_load(m, c->parent, c->name, c->len, &dv);
	if (rc == 0)
		return -EEXIST;
	if (rc != -ENOENT)
		return rc;
	rc = dirent_insert(m, c->parent, c->name, c->len, &ino);
	if (rc)
		return rc;
	ino.nlink++;
	ino.parent = c->parent;
	ns_ino_changed(&ino, &now);
	rc = ns_ino_store(m, &ino);
	if (rc)
		return rc;
	if (!local) /* another node's directory: ns.h "Directory deltas" */
		return ns_delta_add(m,
				    ns_entry_shard(ns_mtx_ns(m), c->parent,
						   c->name, c->len),
				    c->parent, 1, 0, &now, c->cinfo);
	before = dir.change;
	dir.size++;
	dir_modified(&dir, &now);
	rc = ns_ino_store(m, &dir);
	if (!rc)
		cinfo_set(c->cinfo, before, dir.change);
	return rc;
}

int ns_link(struct ns *ns, uint64_t fileid, uint64_t dparent, const char *name,
	    size_t namelen, struct ns_cinfo *cinfo)
{
	struct link_ctx c = { fileid, dparent, name, namelen, cinfo };
	int rc = ns_check_name(name, namelen);

	if (rc)
		return rc;
	return ns_mtx_run(ns, link_body, &c);
}

int ns_xtx_plan_link(struct ns *ns, struct ns_xview *v, uint64_t fileid,
		     uint64_t dparent, const char *name, size_t namelen)
{
	struct ns_cinfo ci; /* known when the plan commits */
	struct link_ctx c = { fileid, dparent, name, namelen, &ci };
	int rc = ns_check_name(name, namelen);

	if (rc)
		return rc;
	return ns_xtx_plan(ns, link_body, &c, v);
}

/* ---- rename ------------------------------------------------------------- */

struct rename_ctx {
	uint64_t sparent, dparent;
	const char *sname, *dname;
	size_t slen, dlen;
	struct ns_cinfo *scinfo, *dcinfo;
	uint64_t *freed_fileid;
	int plan; /* a cross-node plan (ns_xtx.h) */
	struct ns_inode *src_out, *tgt_out; /* a plan's, may be NULL */
};

/* State of one rename while its body runs. A directory of another node's
 * partition has no inode here (sdir or ddir NULL): its counts change by
 * a delta (ns.h, "Directory deltas"). */
struct rename_state {
	struct ns_inode sdir_buf, ddir_buf;
	struct ns_inode *sdir, *ddir; /* ddir == sdir when same parent */
	struct ns_inode src, tgt;
	struct ns_dirent_val sdv, tdv;
	int has_tgt;
	uint64_t sbefore, dbefore;
	uint64_t freed;
	/* what the move does to each directory's entries and subdirs */
	int32_t s_entries, s_subdirs, d_entries, d_subdirs;
};

/*
 * Moving directory SRC under DPARENT: refuse if DPARENT is SRC or lies
 * below it. The walk reads every ancestor through the mtx, so their shards
 * stay locked and no concurrent rename can change the chain under us.
 */
static int rename_check_loop(struct ns_mtx *m, uint64_t src, uint64_t dparent)
{
	uint64_t cur = dparent;

	for (unsigned depth = 0; depth < 1u << 20; depth++) {
		struct ns_inode ino;
		int rc;
		if (cur == src)
			return -EINVAL;
		if (cur == NS_ROOT_FILEID)
			return 0;
		rc = must_exist(dir_load(m, cur, &ino));
		if (rc)
			return rc;
		cur = ino.parent;
	}
	return -EIO; /* a parent-pointer cycle: corruption */
}

static int rename_check_target(const struct rename_state *st)
{
	if (!st->has_tgt)
		return 0;
	if (st->src.type == NS_DIR) {
		if (st->tgt.type != NS_DIR)
			return -ENOTDIR;
		return st->tgt.size != 0 ? -ENOTEMPTY : 0;
	}
	return st->tgt.type == NS_DIR ? -EISDIR : 0;
}

static int rename_load(struct ns_mtx *m, const struct rename_ctx *c,
		       struct rename_state *st)
{
	int rc;

	struct ns *ns = ns_mtx_ns(m);

	st->sdir = ns_owns_fileid(ns, c->sparent) ? &st->sdir_buf : NULL;
	st->ddir = c->dparent == c->sparent ? st->sdir
		   : ns_owns_fileid(ns, c->dparent) ? &st->ddir_buf
						    : NULL;
	rc = st->sdir ? dir_load(m, c->sparent, st->sdir) : 0;
	if (!rc && st->ddir && st->ddir != st->sdir)
		rc = dir_load(m, c->dparent, st->ddir);
	if (!rc)
		rc = dirent_load(m, c->sparent, c->sname, c->slen, &st->sdv);
	if (!rc)
		rc = must_exist(ns_ino_load(m, st->sdv.fileid, &st->src));
	if (rc)
		return rc;
	rc = dirent_load(m, c->dparent, c->dname, c->dlen, &st->tdv);
	st->has_tgt = rc == 0;
	if (rc == -ENOENT)
		rc = 0;
	if (!rc && st->has_tgt && st->tdv.fileid != st->src.fileid)
		rc = must_exist(ns_ino_load(m, st->tdv.fileid, &st->tgt));
	st->sbefore = st->sdir ? st->sdir->change : 0;
	st->dbefore = st->ddir ? st->ddir->change : 0;
	return rc;
}

/* Remove the replaced target's entry and drop its link. */
static int rename_drop_target(struct ns_mtx *m, const struct rename_ctx *c,
			      struct rename_state *st,
			      const struct ns_time *now)
{
	int freed = 1;
	int rc = dirent_delete(m, c->dparent, c->dname, c->dlen, &st->tdv);

	if (rc)
		return rc;
	if (st->tgt.type == NS_DIR) {
		rc = ino_delete(m, st->tgt.fileid);
		st->d_subdirs--;
	} else {
		rc = ino_unlink(m, &st->tgt, now, &freed);
	}
	st->d_entries--;
	if (!rc && freed)
		st->freed = st->tgt.fileid;
	return rc;
}

static int rename_move(struct ns_mtx *m, const struct rename_ctx *c,
		       struct rename_state *st, const struct ns_time *now)
{
	int rc = dirent_delete(m, c->sparent, c->sname, c->slen, &st->sdv);

	if (!rc && st->has_tgt)
		rc = rename_drop_target(m, c, st, now);
	if (!rc)
		rc = dirent_insert(m, c->dparent, c->dname, c->dlen, &st->src);
	if (rc)
		return rc;
	st->s_entries--;
	st->d_entries++;
	if (st->src.type == NS_DIR && c->sparent != c->dparent) {
		st->s_subdirs--;
		st->d_subdirs++;
	}
	st->src.parent = c->dparent;
	ns_ino_changed(&st->src, now);
	return ns_ino_store(m, &st->src);
}

/* Apply ENTRIES and SUBDIRS to directory DIR (the inode, or NULL: another
 * node's, then a delta from the shard of entry NAME), setting CI. */
static int rename_dir(struct ns_mtx *m, uint64_t parent, struct ns_inode *dir,
		      const char *name, size_t len, int32_t entries,
		      int32_t subdirs, const struct ns_time *now,
		      struct ns_cinfo *ci)
{
	uint64_t before;
	int rc;

	if (!dir)
		return ns_delta_add(m,
				    ns_entry_shard(ns_mtx_ns(m), parent, name,
						   len),
				    parent, entries, subdirs, now, ci);
	before = dir->change;
	dir->size = (uint64_t)((int64_t)dir->size + entries);
	dir->nlink = (uint32_t)((int64_t)dir->nlink + subdirs);
	dir_modified(dir, now);
	rc = ns_ino_store(m, dir);
	if (!rc)
		cinfo_set(ci, before, dir->change);
	return rc;
}

/* The directories' side of a move: one update (or delta) per directory. */
static int rename_dirs(struct ns_mtx *m, const struct rename_ctx *c,
		       struct rename_state *st, const struct ns_time *now)
{
	int rc;

	if (c->sparent == c->dparent) {
		rc = rename_dir(m, c->dparent, st->ddir, c->dname, c->dlen,
				st->s_entries + st->d_entries,
				st->s_subdirs + st->d_subdirs, now,
				c->dcinfo);
		if (!rc && c->scinfo && c->dcinfo)
			*c->scinfo = *c->dcinfo;
		return rc;
	}
	rc = rename_dir(m, c->sparent, st->sdir, c->sname, c->slen,
			st->s_entries, st->s_subdirs, now, c->scinfo);
	if (!rc)
		rc = rename_dir(m, c->dparent, st->ddir, c->dname, c->dlen,
				st->d_entries, st->d_subdirs, now, c->dcinfo);
	return rc;
}

/* A RENAME over an empty directory removes it, as RMDIR does: with
 * several owners only as a transaction, with its guards (ns.h, "RMDIR
 * with several owners"). */
static int rename_drop_dir_guard(struct ns_mtx *m, const struct rename_ctx *c,
				 const struct rename_state *st)
{
	if (!st->has_tgt || st->tgt.type != NS_DIR)
		return 0;
	if (c->plan)
		return ns_rmguard_put_all(m, st->tgt.fileid);
	return owns_every_partition(m) ? 0 : -EREMOTE;
}

static int rename_body(struct ns_mtx *m, void *arg)
{
	struct rename_ctx *c = arg;
	struct ns_time now = ns_time_now();
	struct rename_state st = { 0 };
	int rc = rename_load(m, c, &st);

	if (rc)
		return rc;
	if (c->src_out)
		*c->src_out = st.src;
	if (c->tgt_out)
		*c->tgt_out = st.has_tgt ? st.tgt : (struct ns_inode){ 0 };
	if (!st.has_tgt || st.tdv.fileid != st.src.fileid) {
		/* In a plan the walk reads each new ancestor of another
		 * node's through the view (a CHECK at its owner: a
		 * concurrent move of one of them makes the plan stale). */
		if (st.src.type == NS_DIR && c->sparent != c->dparent)
			rc = rename_check_loop(m, st.src.fileid, c->dparent);
		if (!rc)
			rc = rename_check_target(&st);
		if (!rc)
			rc = rename_drop_dir_guard(m, c, &st);
		if (!rc)
			rc = rename_move(m, c, &st, &now);
		if (!rc)
			rc = rename_dirs(m, c, &st, &now);
		if (rc)
			return rc;
	} else {
		/* both names already link the same inode: POSIX no-op */
		cinfo_set(c->scinfo, st.sbefore, st.sbefore);
		cinfo_set(c->dcinfo, st.dbefore, st.dbefore);
		if (!st.sdir && c->scinfo)
			c->scinfo->atomic = 0; /* another node's directory */
		if (!st.ddir && c->dcinfo)
			c->dcinfo->atomic = 0;
	}
	if (c->freed_fileid)
		*c->freed_fileid = st.freed;
	return 0;
}

/* ns_rename(), or with V its cross-node plan (ns_xtx.h). */
static int rename_run(struct ns *ns, struct ns_xview *v,
		      struct rename_ctx *c)
{
	int rc = ns_check_name(c->sname, c->slen);

	if (!rc)
		rc = ns_check_name(c->dname, c->dlen);
	if (rc)
		return rc;
	return v ? ns_xtx_plan(ns, rename_body, c, v)
		 : ns_mtx_run(ns, rename_body, c);
}

int ns_xtx_plan_rename(struct ns *ns, struct ns_xview *v, uint64_t sparent,
		       const char *sname, size_t slen, uint64_t dparent,
		       const char *dname, size_t dlen, struct ns_inode *src,
		       struct ns_inode *tgt)
{
	struct ns_cinfo sci, dci; /* known when the plan commits */
	struct rename_ctx c = { sparent, dparent, sname, dname, slen, dlen,
				&sci, &dci, NULL, 1, src, tgt };

	return rename_run(ns, v, &c);
}

int ns_rename(struct ns *ns, uint64_t sparent, const char *sname, size_t slen,
	      uint64_t dparent, const char *dname, size_t dlen,
	      struct ns_cinfo *scinfo, struct ns_cinfo *dcinfo,
	      uint64_t *freed_fileid)
{
	struct rename_ctx c = { sparent, dparent, sname, dname, slen, dlen,
				scinfo, dcinfo, freed_fileid, 0, NULL, NULL };

	return rename_run(ns, NULL, &c);
}
