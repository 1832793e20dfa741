/*
 * metadata/ns_fsck.c — check every namespace invariant.
 *
 * Reads all shards (one read transaction per shard, all held for the whole
 * run) into memory, then checks:
 *   - records decode; an inode lives on the shard its fileid names and below
 *     that shard's next_fileid; the shard's byte counter is right;
 *   - every entry: valid name, on the shard its hash names, parent exists and
 *     is a directory, its inode exists with the type the entry records,
 *     seq below next_seq, and a matching cookie-index record (and every
 *     cookie-index record has its entry);
 *   - nlink: non-directories = number of entries naming them (>= 1);
 *     directories = 2 + subdirectories, named by exactly one entry (the root
 *     by none), parent pointer = the directory holding that entry, size =
 *     number of entries;
 *   - symlinks have a target record whose length is their size (and no
 *     target record belongs to anything else);
 *   - every inode is reachable from the root; no intent is pending;
 *   - the object tier's records agree with the inodes (ns_tier_fsck()).
 * Memory: about 80 bytes per inode and 16 per entry.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns_internal.h"
#include "ns_tier.h"

struct fk_inode {
	uint64_t fileid;
	uint64_t parent;
	uint64_t size;
	uint64_t target_len;
	uint32_t type;
	uint32_t nlink;
	uint32_t links;   /* entries naming it */
	uint32_t subdirs; /* entries in it naming directories */
	uint64_t entries; /* entries in it */
	uint8_t reached;
	uint8_t has_target;
};

struct fk_entry {
	uint64_t parent;
	uint64_t child;
};

struct fk {
	/* The namespace each shard is read from: one, or (a cluster's fsck,
	 * ns_fsck_cluster()) the node owning that shard's partition. */
	struct ns *ns_of[NS_MAX_SHARDS];
	unsigned nshards, nenvs;
	ns_fsck_report report;
	void *ctx;
	int violations;
	MDB_txn *txn[NS_MAX_SHARDS];
	uint64_t next_fileid[NS_MAX_SHARDS];
	uint64_t next_seq[NS_MAX_SHARDS];
	struct fk_inode *ino;
	size_t nino, capino;
	struct fk_entry *ent;
	size_t nent, capent;
};

__attribute__((format(printf, 2, 3))) static void fk_bad(struct fk *f,
							  const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	f->violations++;
	if (!f->report)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	f->report(f->ctx, msg);
}

/* NAME made printable: \xNN for anything outside printable ASCII. */
static const char *fk_name(char *buf, size_t bufsz, const uint8_t *name,
			   size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < bufsz; i++) {
		uint8_t c = name[i];
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, bufsz - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

static int fk_cmp_inode(const void *a, const void *b)
{
	uint64_t x = ((const struct fk_inode *)a)->fileid;
	uint64_t y = ((const struct fk_inode *)b)->fileid;

	return (x > y) - (x < y);
}

static int fk_cmp_entry(const void *a, const void *b)
{
	uint64_t x = ((const struct fk_entry *)a)->parent;
	uint64_t y = ((const struct fk_entry *)b)->parent;

	return (x > y) - (x < y);
}

static struct fk_inode *fk_find(struct fk *f, uint64_t fileid)
{
	struct fk_inode key = { .fileid = fileid };

	if (f->nino == 0) /* bsearch() must not get a NULL base */
		return NULL;
	return bsearch(&key, f->ino, f->nino, sizeof *f->ino, fk_cmp_inode);
}

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 1024;
	void *np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

static int fk_cursor(struct fk *f, unsigned s, enum ns_db db,
		     MDB_cursor **cur)
{
	return ns_mdb_err(mdb_cursor_open(f->txn[s], f->ns_of[s]->shard[s].dbi[db],
					  cur));
}

/* ---- pass 1: counters, inodes, intents ---------------------------------- */

static void fk_counters(struct fk *f, unsigned s)
{
	uint64_t v;

	if (ns_txn_get_u64(f->ns_of[s], f->txn[s], s, NS_META_NEXT_FILEID, &v))
		fk_bad(f, "shard %u: next_fileid counter missing", s);
	else
		f->next_fileid[s] = v;
	if (ns_txn_get_u64(f->ns_of[s], f->txn[s], s, NS_META_NEXT_SEQ, &v))
		fk_bad(f, "shard %u: next_seq counter missing", s);
	else
		f->next_seq[s] = v;
}

static int fk_add_inode(struct fk *f, unsigned s, const MDB_val *k,
			const MDB_val *v, uint64_t *bytes,
			struct ns_res_counts *res)
{
	struct ns_inode ino;
	uint64_t fileid;
	int rc;

	if (k->mv_size != 8) {
		fk_bad(f, "shard %u: inode key of %zu bytes", s, k->mv_size);
		return 0;
	}
	fileid = ns_get_be64(k->mv_data);
	if (ns_inode_decode(fileid, v->mv_data, v->mv_size, &ino)) {
		fk_bad(f, "inode %#llx: undecodable record",
		       (unsigned long long)fileid);
		return 0;
	}
	if (ns_fileid_shard(fileid) != s)
		fk_bad(f, "inode %#llx: stored on shard %u", (unsigned long long)fileid, s);
	if ((fileid & NS_FILEID_COUNTER_MASK) >= f->next_fileid[s])
		fk_bad(f, "inode %#llx: beyond shard %u's next_fileid",
		       (unsigned long long)fileid, s);
	if (ino.type == NS_REG)
		*bytes += ino.size;
	ns_res_tally(res, &ino);
	rc = grow((void **)&f->ino, &f->capino, f->nino, sizeof *f->ino);
	if (rc)
		return rc;
	f->ino[f->nino++] = (struct fk_inode){ .fileid = fileid,
					       .parent = ino.parent,
					       .size = ino.size,
					       .type = ino.type,
					       .nlink = ino.nlink };
	return 0;
}

static int fk_inodes(struct fk *f, unsigned s)
{
	MDB_cursor *cur;
	MDB_val k, v;
	uint64_t bytes = 0, counted;
	struct ns_res_counts res, kept;
	int rc = fk_cursor(f, s, NS_DB_INODES, &cur);

	memset(&res, 0, sizeof(res));

	if (rc)
		return rc;
	for (int op = MDB_FIRST; !rc && !mdb_cursor_get(cur, &k, &v, op);
	     op = MDB_NEXT)
		rc = fk_add_inode(f, s, &k, &v, &bytes, &res);
	mdb_cursor_close(cur);
	if (rc)
		return rc;
	if (ns_txn_get_u64(f->ns_of[s], f->txn[s], s, NS_META_BYTES, &counted))
		fk_bad(f, "shard %u: byte counter missing", s);
	else if (counted != bytes)
		fk_bad(f, "shard %u: byte counter %llu, files sum to %llu", s,
		       (unsigned long long)counted, (unsigned long long)bytes);
	/* files per residency state (ns_rescount.c) */
	if (ns_res_txn_get(f->ns_of[s], f->txn[s], s, &kept)) {
		fk_bad(f, "shard %u: residency counters missing", s);
		return 0;
	}
	for (int r = 0; r < 3; r++)
		if (kept.files[r] != res.files[r] ||
		    kept.bytes[r] != res.bytes[r])
			fk_bad(f, "shard %u: residency %d counters %llu files "
				  "%llu bytes, a recount %llu files %llu bytes",
			       s, r, (unsigned long long)kept.files[r],
			       (unsigned long long)kept.bytes[r],
			       (unsigned long long)res.files[r],
			       (unsigned long long)res.bytes[r]);
	return 0;
}

/* Intents belong to environments: check each once, through the shard
 * whose number is the environment's (shard S lives in S mod nenvs). */
static int fk_intents(struct fk *f, unsigned s)
{
	MDB_stat st;
	int rc;

	if (s >= f->nenvs)
		return 0;
	rc = ns_mdb_err(mdb_stat(f->txn[s], ns_env_of(f->ns_of[s], s)->intents, &st));
	if (!rc && st.ms_entries)
		fk_bad(f, "shard %u: %zu intent(s) pending", s, st.ms_entries);
	return rc;
}

/* ---- pass 2: entries and the cookie index -------------------------------- */

static void fk_check_cookie(struct fk *f, unsigned s, uint64_t parent,
			    const uint8_t *name, size_t len,
			    const struct ns_dirent_val *dv, const char *pname)
{
	uint8_t key[16];
	MDB_val k = { .mv_size = 16, .mv_data = key }, v;

	ns_cookie_key(key, parent, dv->seq);
	if (mdb_get(f->txn[s], f->ns_of[s]->shard[s].dbi[NS_DB_COOKIES], &k, &v)) {
		fk_bad(f, "entry (%#llx, \"%s\"): no cookie-index record",
		       (unsigned long long)parent, pname);
		return;
	}
	if (v.mv_size != 8 + len || ns_get_le64(v.mv_data) != dv->fileid ||
	    memcmp((const uint8_t *)v.mv_data + 8, name, len))
		fk_bad(f, "entry (%#llx, \"%s\"): cookie-index record differs",
		       (unsigned long long)parent, pname);
}

static void fk_link_parent(struct fk *f, uint64_t parent,
			   const struct fk_inode *child, uint32_t type,
			   const char *pname)
{
	struct fk_inode *p = fk_find(f, parent);

	if (!p) {
		fk_bad(f, "entry (%#llx, \"%s\"): parent inode missing",
		       (unsigned long long)parent, pname);
		return;
	}
	if (p->type != NS_DIR)
		fk_bad(f, "entry (%#llx, \"%s\"): parent is not a directory",
		       (unsigned long long)parent, pname);
	p->entries++;
	if ((child ? child->type : type) == NS_DIR)
		p->subdirs++;
}

static void fk_link_child(struct fk *f, uint64_t parent,
			  const struct ns_dirent_val *dv, const char *pname)
{
	struct fk_inode *c = fk_find(f, dv->fileid);

	fk_link_parent(f, parent, c, dv->type, pname);
	if (!c) {
		fk_bad(f, "entry (%#llx, \"%s\"): inode %#llx missing",
		       (unsigned long long)parent, pname,
		       (unsigned long long)dv->fileid);
		return;
	}
	c->links++;
	if (c->type != dv->type)
		fk_bad(f, "entry (%#llx, \"%s\"): type %u, inode has %u",
		       (unsigned long long)parent, pname, dv->type, c->type);
	if (c->type == NS_DIR && c->parent != parent)
		fk_bad(f, "dir %#llx: parent pointer %#llx, but its entry is in %#llx",
		       (unsigned long long)c->fileid,
		       (unsigned long long)c->parent,
		       (unsigned long long)parent);
}

static int fk_entry(struct fk *f, unsigned s, const MDB_val *k,
		    const MDB_val *v)
{
	const uint8_t *name = (const uint8_t *)k->mv_data + 8;
	size_t len = k->mv_size - 8;
	struct ns_dirent_val dv;
	uint64_t parent;
	char pname[4 * NS_NAME_MAX + 8];
	int rc;

	if (k->mv_size < 9 || k->mv_size > NS_DIRENT_KEY_MAX) {
		fk_bad(f, "shard %u: entry key of %zu bytes", s, k->mv_size);
		return 0;
	}
	parent = ns_get_be64(k->mv_data);
	fk_name(pname, sizeof pname, name, len);
	if (ns_check_name((const char *)name, len))
		fk_bad(f, "entry (%#llx, \"%s\"): invalid name",
		       (unsigned long long)parent, pname);
	if (ns_hash_shard(f->nshards, parent, (const char *)name, len) != s)
		fk_bad(f, "entry (%#llx, \"%s\"): on shard %u, hash says %u",
		       (unsigned long long)parent, pname, s,
		       ns_hash_shard(f->nshards, parent, (const char *)name, len));
	if (ns_dirent_val_decode(v->mv_data, v->mv_size, &dv)) {
		fk_bad(f, "entry (%#llx, \"%s\"): undecodable",
		       (unsigned long long)parent, pname);
		return 0;
	}
	if (dv.seq < NS_FIRST_SEQ || dv.seq >= f->next_seq[s])
		fk_bad(f, "entry (%#llx, \"%s\"): seq %llu out of range",
		       (unsigned long long)parent, pname,
		       (unsigned long long)dv.seq);
	if (dv.fileid == NS_ROOT_FILEID)
		fk_bad(f, "entry (%#llx, \"%s\") names the root",
		       (unsigned long long)parent, pname);
	fk_check_cookie(f, s, parent, name, len, &dv, pname);
	fk_link_child(f, parent, &dv, pname);
	rc = grow((void **)&f->ent, &f->capent, f->nent, sizeof *f->ent);
	if (!rc)
		f->ent[f->nent++] = (struct fk_entry){ parent, dv.fileid };
	return rc;
}

static int fk_entries(struct fk *f, unsigned s)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = fk_cursor(f, s, NS_DB_DIRENTS, &cur);

	if (rc)
		return rc;
	for (int op = MDB_FIRST; !rc && !mdb_cursor_get(cur, &k, &v, op);
	     op = MDB_NEXT)
		rc = fk_entry(f, s, &k, &v);
	mdb_cursor_close(cur);
	return rc;
}

/* Every cookie-index record must point back at its entry. */
static void fk_cookie(struct fk *f, unsigned s, const MDB_val *k,
		      const MDB_val *v)
{
	uint8_t key[NS_DIRENT_KEY_MAX];
	MDB_val dk = { .mv_data = key }, dv;
	struct ns_dirent_val d;
	uint64_t parent, seq;

	if (k->mv_size != 16 || v->mv_size < 9 || v->mv_size > 8 + NS_NAME_MAX) {
		fk_bad(f, "shard %u: malformed cookie-index record", s);
		return;
	}
	parent = ns_get_be64(k->mv_data);
	seq = ns_get_be64((const uint8_t *)k->mv_data + 8);
	dk.mv_size = ns_dirent_key(key, parent,
				   (const char *)v->mv_data + 8,
				   v->mv_size - 8);
	if (mdb_get(f->txn[s], f->ns_of[s]->shard[s].dbi[NS_DB_DIRENTS], &dk, &dv) ||
	    ns_dirent_val_decode(dv.mv_data, dv.mv_size, &d) || d.seq != seq ||
	    d.fileid != ns_get_le64(v->mv_data))
		fk_bad(f, "cookie (%#llx, seq %llu) on shard %u: no matching entry",
		       (unsigned long long)parent, (unsigned long long)seq, s);
}

static int fk_cookies(struct fk *f, unsigned s)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = fk_cursor(f, s, NS_DB_COOKIES, &cur);

	if (rc)
		return rc;
	for (int op = MDB_FIRST; !mdb_cursor_get(cur, &k, &v, op); op = MDB_NEXT)
		fk_cookie(f, s, &k, &v);
	mdb_cursor_close(cur);
	return 0;
}

static int fk_symlinks(struct fk *f, unsigned s)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = fk_cursor(f, s, NS_DB_SYMLINKS, &cur);

	if (rc)
		return rc;
	for (int op = MDB_FIRST; !mdb_cursor_get(cur, &k, &v, op); op = MDB_NEXT) {
		struct fk_inode *i = NULL;
		if (k.mv_size == 8)
			i = fk_find(f, ns_get_be64(k.mv_data));
		if (!i || i->type != NS_LNK) {
			fk_bad(f, "shard %u: symlink target without a symlink", s);
			continue;
		}
		i->has_target = 1;
		i->target_len = v.mv_size;
	}
	mdb_cursor_close(cur);
	return 0;
}

/* A reclaim record for an inode that exists would free live data. */
static int fk_reclaim(struct fk *f, unsigned s)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = fk_cursor(f, s, NS_DB_RECLAIM, &cur);

	if (rc)
		return rc;
	for (int op = MDB_FIRST; !mdb_cursor_get(cur, &k, &v, op); op = MDB_NEXT) {
		/* value: a generation (8 bytes), or 1 byte before them */
		if (k.mv_size != 8 ||
		    ns_fileid_shard(ns_get_be64(k.mv_data)) != s ||
		    (v.mv_size != 8 && v.mv_size != 1))
			fk_bad(f, "shard %u: malformed reclaim record", s);
		else if (fk_find(f, ns_get_be64(k.mv_data)))
			fk_bad(f, "shard %u: reclaim record for live inode %llx", s,
			       (unsigned long long)ns_get_be64(k.mv_data));
	}
	mdb_cursor_close(cur);
	return 0;
}

/* ---- pass 3: reachability and link counts ------------------------------- */

static int fk_reach(struct fk *f)
{
	struct fk_inode *root = fk_find(f, NS_ROOT_FILEID);
	uint64_t *queue;
	size_t head = 0, tail = 0;

	if (!root || root->type != NS_DIR) {
		fk_bad(f, "root directory missing or not a directory");
		return 0;
	}
	queue = malloc((f->nino + 1) * sizeof *queue);
	if (!queue)
		return -ENOMEM;
	if (f->nent)
		qsort(f->ent, f->nent, sizeof *f->ent, fk_cmp_entry);
	root->reached = 1;
	queue[tail++] = NS_ROOT_FILEID;
	while (head < tail) {
		struct fk_entry key = { .parent = queue[head++] };
		struct fk_entry *e = NULL;
		if (f->nent)
			e = bsearch(&key, f->ent, f->nent, sizeof *f->ent,
				    fk_cmp_entry);
		while (e && e > f->ent && e[-1].parent == key.parent)
			e--;
		for (; e && e < f->ent + f->nent && e->parent == key.parent; e++) {
			struct fk_inode *c = fk_find(f, e->child);
			if (!c || c->reached)
				continue;
			c->reached = 1;
			if (c->type == NS_DIR)
				queue[tail++] = c->fileid;
		}
	}
	free(queue);
	return 0;
}

static void fk_check_dir(struct fk *f, const struct fk_inode *i)
{
	unsigned long long id = (unsigned long long)i->fileid;
	uint32_t want_links = i->fileid == NS_ROOT_FILEID ? 0 : 1;

	if (i->nlink != 2 + (uint64_t)i->subdirs)
		fk_bad(f, "dir %#llx: nlink %u, expected %llu", id, i->nlink,
		       2 + (unsigned long long)i->subdirs);
	if (i->size != i->entries)
		fk_bad(f, "dir %#llx: size %llu, but %llu entries", id,
		       (unsigned long long)i->size,
		       (unsigned long long)i->entries);
	if (i->links != want_links)
		fk_bad(f, "dir %#llx: named by %u entries", id, i->links);
	if (i->fileid == NS_ROOT_FILEID && i->parent != NS_ROOT_FILEID)
		fk_bad(f, "root: parent pointer %#llx",
		       (unsigned long long)i->parent);
}

static void fk_check_inode(struct fk *f, const struct fk_inode *i)
{
	unsigned long long id = (unsigned long long)i->fileid;

	if (i->type < NS_REG || i->type > NS_FIFO)
		fk_bad(f, "inode %#llx: bad type %u", id, i->type);
	if (i->type == NS_DIR)
		fk_check_dir(f, i);
	else if (i->nlink != i->links || i->nlink == 0)
		fk_bad(f, "inode %#llx: nlink %u, but %u entries name it", id,
		       i->nlink, i->links);
	if (i->type == NS_LNK && (!i->has_target || i->target_len != i->size))
		fk_bad(f, "symlink %#llx: target missing or size mismatch", id);
	if (!i->reached)
		fk_bad(f, "inode %#llx: unreachable from the root", id);
}

/* Every delta still recorded on shard S (ns_delta.c) must have been
 * applied at its directory's shard (it waits for its trim, done in a
 * later batch); one not applied means the directory's counts are behind
 * (after quiescence, a bug or a node still down). */
static int fk_deltas(struct fk *f, unsigned s)
{
	MDB_cursor *cur;
	MDB_val k, v;
	char name[32];
	int rc = fk_cursor(f, s, NS_DB_DELTAS, &cur);

	if (rc)
		return rc;
	ns_delta_applied_name(name, sizeof name, s);
	for (int op = MDB_FIRST; !mdb_cursor_get(cur, &k, &v, op);
	     op = MDB_NEXT) {
		struct ns_delta d;
		uint64_t applied = 0;
		unsigned ds;

		if (ns_delta_decode(&k, &v, &d)) {
			fk_bad(f, "shard %u: a delta record does not decode",
			       s);
			continue;
		}
		ds = ns_fileid_shard(d.dir);
		if (ds >= f->nshards)
			continue; /* fk_entries reports such a directory */
		if (ns_txn_get_u64(f->ns_of[ds], f->txn[ds], ds, name,
				   &applied) != 0 ||
		    applied < d.seq)
			fk_bad(f, "shard %u: delta %llu of directory %#llx not "
				  "applied at its owner",
			       s, (unsigned long long)d.seq,
			       (unsigned long long)d.dir);
	}
	mdb_cursor_close(cur);
	return 0;
}

/* ---- driver ------------------------------------------------------------- */

static int fk_shards(struct fk *f)
{
	unsigned n = f->nshards;
	int rc = 0;

	for (unsigned s = 0; !rc && s < n; s++) {
		fk_counters(f, s);
		rc = fk_inodes(f, s);
		if (!rc)
			rc = fk_intents(f, s);
	}
	if (!rc && f->nino)
		qsort(f->ino, f->nino, sizeof *f->ino, fk_cmp_inode);
	for (unsigned s = 0; !rc && s < n; s++) {
		rc = fk_entries(f, s);
		if (!rc)
			rc = fk_cookies(f, s);
		if (!rc)
			rc = fk_symlinks(f, s);
		if (!rc)
			rc = fk_reclaim(f, s);
		if (!rc)
			rc = fk_deltas(f, s);
	}
	if (!rc)
		rc = fk_reach(f);
	for (size_t i = 0; !rc && i < f->nino; i++)
		fk_check_inode(f, &f->ino[i]);
	return rc;
}

/* Check F, whose ns_of[] is filled: read every shard, run the checks,
 * then the object tier's of each namespace in TIER (N of them). */
static int fk_run(struct fk *f, struct ns **tier, unsigned n,
		  struct ns_fsck_counts *counts)
{
	int rc = 0;

	for (unsigned s = 0; !rc && s < f->nshards; s++)
		rc = ns_rtxn_begin(f->ns_of[s], s, &f->txn[s]);
	if (!rc)
		rc = fk_shards(f);
	for (unsigned i = 0; !rc && i < n; i++) { /* ns_tier.h */
		int t = ns_tier_fsck(tier[i], f->report, f->ctx);

		rc = t < 0 ? t : 0;
		f->violations += t > 0 ? t : 0;
	}
	for (unsigned s = 0; s < f->nshards; s++)
		if (f->txn[s])
			mdb_txn_abort(f->txn[s]);
	if (!rc && counts) {
		counts->inodes = f->nino;
		counts->entries = f->nent;
	}
	if (!rc)
		rc = f->violations;
	free(f->ino);
	free(f->ent);
	free(f);
	return rc;
}

int ns_fsck_ex(struct ns *ns, ns_fsck_report report, void *ctx,
	       struct ns_fsck_counts *counts)
{
	struct fk *f;

	for (unsigned s = 0; s < ns->nshards; s++)
		if (!ns_shard_owned(ns, s)) /* ns_fsck_cluster() */
			return -EREMOTE;
	f = calloc(1, sizeof *f);
	if (!f)
		return -ENOMEM;
	f->nshards = ns->nshards;
	f->nenvs = ns->nenvs;
	for (unsigned s = 0; s < ns->nshards; s++)
		f->ns_of[s] = ns;
	f->report = report;
	f->ctx = ctx;
	return fk_run(f, &ns, 1, counts);
}

int ns_fsck_cluster(struct ns **nodes, unsigned n, ns_fsck_report report,
		    void *ctx, struct ns_fsck_counts *counts)
{
	struct fk *f;

	if (!n || !nodes[0])
		return -EINVAL;
	f = calloc(1, sizeof *f);
	if (!f)
		return -ENOMEM;
	f->nshards = nodes[0]->nshards;
	f->nenvs = nodes[0]->nenvs;
	for (unsigned i = 0; i < n; i++)
		if (nodes[i]->nshards != f->nshards ||
		    nodes[i]->nenvs != f->nenvs)
			goto bad;
	/* Each shard read from the one node that owns it. */
	for (unsigned s = 0; s < f->nshards; s++)
		for (unsigned i = 0; i < n; i++) {
			if (!ns_shard_owned(nodes[i], s))
				continue;
			if (f->ns_of[s])
				goto bad; /* two owners */
			f->ns_of[s] = nodes[i];
		}
	for (unsigned s = 0; s < f->nshards; s++)
		if (!f->ns_of[s])
			goto bad; /* no owner */
	f->report = report;
	f->ctx = ctx;
	/* The tier's records are per namespace and need it whole (the
	 * tier runs with one owner of every partition, for now). */
	return fk_run(f, NULL, 0, counts);
bad:
	free(f);
	return -EINVAL;
}

int ns_fsck(struct ns *ns, ns_fsck_report report, void *ctx)
{
	return ns_fsck_ex(ns, report, ctx, NULL);
}
