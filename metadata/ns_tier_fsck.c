/*
 * metadata/ns_tier_fsck.c — the object tier's invariants, checked by
 * ns_fsck() (ns_tier.h: ns_tier_fsck()). Read only: one read transaction
 * per shard; every record of the shard's "tier" database is checked
 * against the inodes of the same shard, and every inode against its
 * object record.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ns_internal.h"
#include "ns_tier.h"
#include "ns_tier_rec.h"

struct tk {
	struct ns *ns;
	MDB_txn *txn;
	unsigned shard;
	ns_fsck_report report;
	void *ctx;
	int violations;
};

__attribute__((format(printf, 2, 3))) static void tk_bad(struct tk *t,
							  const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	t->violations++;
	if (!t->report)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	t->report(t->ctx, msg);
}

/* An offloaded or premigrated file has its object record, and it matches. */
static void tk_inode(struct tk *t, const struct ns_inode *ino)
{
	unsigned long long id = (unsigned long long)ino->fileid;
	uint8_t k[NS_TIER_KEY_MAX];
	MDB_val key = { ns_tier_key_file(k, 'O', ino->fileid), k }, v;
	struct ns_tier_obj o;
	int rc;

	if (ino->type != NS_REG || ino->residency == NS_RES_LOCAL)
		return;
	if (ino->residency > NS_RES_BOTH) {
		tk_bad(t, "inode %#llx: residency %u", id, ino->residency);
		return;
	}
	rc = mdb_get(t->txn, t->ns->shard[t->shard].dbi[NS_DB_TIER], &key, &v);
	if (rc || ns_tier_obj_decode(ino->fileid, &v, &o)) {
		tk_bad(t, "inode %#llx: %s without an object record", id,
		       ino->residency == NS_RES_BOTH ? "premigrated"
						      : "offloaded");
		return;
	}
	if (o.gen != ino->generation || o.size != ino->size ||
	    strcmp(o.etag, ino->object_etag))
		tk_bad(t, "inode %#llx: object record (gen %u, size %llu, "
			  "etag %s) does not match the inode", id, o.gen,
		       (unsigned long long)o.size, o.etag);
}

/* The inode FILEID of this shard: 0, -ENOENT, or -errno. */
static int tk_ino(struct tk *t, uint64_t fileid, struct ns_inode *ino)
{
	return ns_txn_get_inode(t->ns, t->txn, fileid, ino);
}

static void tk_obj(struct tk *t, uint64_t fileid)
{
	struct ns_inode ino;

	if (tk_ino(t, fileid, &ino) || ino.residency == NS_RES_LOCAL)
		tk_bad(t, "object record of %#llx, which is not tiered",
		       (unsigned long long)fileid);
}

static void tk_job(struct tk *t, uint64_t fileid, const MDB_val *v)
{
	struct ns_tier_job j;
	struct ns_inode ino;

	if (ns_tier_job_decode(fileid, v, &j)) {
		tk_bad(t, "job of %#llx: undecodable",
		       (unsigned long long)fileid);
		return;
	}
	if (j.kind != NS_TIER_OFFLOAD && j.kind != NS_TIER_RECALL)
		tk_bad(t, "job of %#llx: kind %u", (unsigned long long)fileid,
		       j.kind);
	/* An offload job may outlive its file (the commit sees it gone); a
	 * recall job's file stays offloaded until the commit. */
	if (j.kind == NS_TIER_RECALL &&
	    (tk_ino(t, fileid, &ino) || ino.residency != NS_RES_OFFLOADED ||
	     ino.layout_gen + 1 != j.data_gen))
		tk_bad(t, "recall job of %#llx for a file not offloaded at "
			  "generation %llu", (unsigned long long)fileid,
		       (unsigned long long)(j.data_gen - 1));
}

/* A delete record must not name the object a file refers to. */
static void tk_del(struct tk *t, const MDB_val *k)
{
	uint8_t ok[NS_TIER_KEY_MAX];
	struct ns_tier_obj d, o;
	MDB_val key = { 0, ok }, v;

	if (ns_tier_key_del_decode(k, &d)) {
		tk_bad(t, "shard %u: malformed delete record", t->shard);
		return;
	}
	key.mv_size = ns_tier_key_file(ok, 'O', d.fileid);
	if (!mdb_get(t->txn, t->ns->shard[t->shard].dbi[NS_DB_TIER], &key,
		     &v) &&
	    !ns_tier_obj_decode(d.fileid, &v, &o) && o.gen == d.gen &&
	    o.ver == d.ver)
		tk_bad(t, "delete record for the live object of %#llx",
		       (unsigned long long)d.fileid);
}

/* A release record must not name a file's current data copy. */
static void tk_rel(struct tk *t, const MDB_val *k)
{
	const uint8_t *kb = k->mv_data;
	struct ns_inode ino;
	uint64_t fileid;

	if (k->mv_size != 17) {
		tk_bad(t, "shard %u: malformed release record", t->shard);
		return;
	}
	fileid = ns_get_be64(kb + 1);
	if (!tk_ino(t, fileid, &ino) && ino.residency != NS_RES_OFFLOADED &&
	    ino.layout_gen == ns_get_be64(kb + 9))
		tk_bad(t, "release record for the current data of %#llx",
		       (unsigned long long)fileid);
}

static int tk_walk(struct tk *t, enum ns_db db)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = ns_mdb_err(
		mdb_cursor_open(t->txn, t->ns->shard[t->shard].dbi[db], &cur));

	for (int op = MDB_FIRST; !rc && !mdb_cursor_get(cur, &k, &v, op);
	     op = MDB_NEXT) {
		const uint8_t *kb = k.mv_data;
		struct ns_inode ino;

		if (db == NS_DB_INODES) {
			if (k.mv_size == 8 &&
			    !ns_inode_decode(ns_get_be64(kb), v.mv_data,
					     v.mv_size, &ino))
				tk_inode(t, &ino);
		} else if (k.mv_size < 9) {
			tk_bad(t, "shard %u: tier record key of %zu bytes",
			       t->shard, k.mv_size);
		} else if (kb[0] == 'O' && k.mv_size == 9) {
			tk_obj(t, ns_get_be64(kb + 1));
		} else if (kb[0] == 'J' && k.mv_size == 9) {
			tk_job(t, ns_get_be64(kb + 1), &v);
		} else if (kb[0] == 'D') {
			tk_del(t, &k);
		} else if (kb[0] == 'R') {
			tk_rel(t, &k);
		} else {
			tk_bad(t, "shard %u: unknown tier record", t->shard);
		}
	}
	if (!rc)
		mdb_cursor_close(cur);
	return rc;
}

int ns_tier_fsck(struct ns *ns, ns_fsck_report report, void *ctx)
{
	struct tk t = { ns, NULL, 0, report, ctx, 0 };
	int rc = 0;

	for (unsigned s = 0; !rc && s < ns->nshards; s++) {
		t.shard = s;
		rc = ns_rtxn_begin(ns, s, &t.txn);
		if (rc)
			break;
		rc = tk_walk(&t, NS_DB_INODES);
		if (!rc)
			rc = tk_walk(&t, NS_DB_TIER);
		mdb_txn_abort(t.txn);
	}
	return rc ? rc : t.violations;
}
