/*
 * metadata/ns_rescount.c — the namespace's regular files per residency
 * state, counted per shard in the meta database (ns.h ns_res_counts(),
 * ns_internal.h "res_files_N"/"res_bytes_N", docs/decisions/0034): kept
 * by ns_ino_store() and the inode's deletion in the transaction of the
 * change, recounted once when a shard made before them is opened, and
 * checked against a recount by ns_fsck() and, online, ns_res_verify().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ns_internal.h"

static const char *const files_name[3] = { "res_files_0", "res_files_1",
					   "res_files_2" };
static const char *const bytes_name[3] = { "res_bytes_0", "res_bytes_1",
					   "res_bytes_2" };

void ns_res_tally(struct ns_res_counts *c, const struct ns_inode *ino)
{
	unsigned r;

	if (ino->type != NS_REG)
		return;
	r = ino->residency < 3 ? ino->residency : NS_RES_LOCAL;
	c->files[r]++;
	c->bytes[r] += ino->size;
}

int ns_res_adjust(struct ns_mtx *m, unsigned s, const struct ns_inode *old,
		  const struct ns_inode *now)
{
	struct ns_res_counts a = { { 0 }, { 0 } }, b = { { 0 }, { 0 } };
	int rc = 0;

	if (old)
		ns_res_tally(&a, old);
	if (now)
		ns_res_tally(&b, now);
	for (int i = 0; !rc && i < 3; i++) {
		if (a.files[i] != b.files[i])
			rc = ns_mtx_add_u64(m, s, files_name[i],
					    (int64_t)(b.files[i] - a.files[i]));
		if (!rc && a.bytes[i] != b.bytes[i])
			rc = ns_mtx_add_u64(m, s, bytes_name[i],
					    (int64_t)(b.bytes[i] - a.bytes[i]));
	}
	return rc;
}

int ns_res_txn_get(struct ns *ns, MDB_txn *txn, unsigned s,
		   struct ns_res_counts *out)
{
	int rc = 0;

	for (int i = 0; !rc && i < 3; i++) {
		rc = ns_txn_get_u64(ns, txn, s, files_name[i], &out->files[i]);
		if (!rc)
			rc = ns_txn_get_u64(ns, txn, s, bytes_name[i],
					    &out->bytes[i]);
	}
	return rc;
}

static int put_u64(MDB_txn *txn, MDB_dbi meta, const char *name,
		   uint64_t v)
{
	MDB_val k = { .mv_size = strlen(name), .mv_data = (void *)name };
	uint8_t b[8];
	MDB_val val = { .mv_size = 8, .mv_data = b };

	ns_put_le64(b, v);
	return ns_mdb_err(mdb_put(txn, meta, &k, &val, 0));
}

/* Count the inodes of INODES as TXN sees them into C. */
static int recount(MDB_txn *txn, MDB_dbi inodes, struct ns_res_counts *c)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = ns_mdb_err(mdb_cursor_open(txn, inodes, &cur));

	if (rc)
		return rc;
	for (int op = MDB_FIRST; !mdb_cursor_get(cur, &k, &v, op);
	     op = MDB_NEXT) {
		struct ns_inode ino;

		if (k.mv_size != 8 ||
		    ns_inode_decode(ns_get_be64(k.mv_data), v.mv_data,
				    v.mv_size, &ino))
			continue; /* fsck reports it */
		ns_res_tally(c, &ino);
	}
	mdb_cursor_close(cur);
	return 0;
}

int ns_res_init(MDB_txn *txn, MDB_dbi inodes, MDB_dbi meta)
{
	MDB_val k = { .mv_size = strlen(files_name[0]),
		      .mv_data = (void *)files_name[0] };
	MDB_val v;
	struct ns_res_counts c = { { 0 }, { 0 } };
	int rc = mdb_get(txn, meta, &k, &v);

	if (rc == MDB_SUCCESS)
		return 0;
	if (rc != MDB_NOTFOUND)
		return ns_mdb_err(rc);
	/* A shard made before the counters (or a new one): count it. */
	rc = recount(txn, inodes, &c);
	for (int i = 0; !rc && i < 3; i++) {
		rc = put_u64(txn, meta, files_name[i], c.files[i]);
		if (!rc)
			rc = put_u64(txn, meta, bytes_name[i], c.bytes[i]);
	}
	return rc;
}

int ns_res_counts(struct ns *ns, struct ns_res_counts *out)
{
	struct ns_res_counts sum;

	memset(&sum, 0, sizeof(sum));
	for (unsigned s = 0; s < ns->nshards; s++) {
		struct ns_res_counts c;
		MDB_txn *txn;
		int rc;

		if (!ns_shard_owned(ns, s))
			continue;
		rc = ns_rtxn_begin(ns, s, &txn);
		if (rc)
			return rc;
		rc = ns_res_txn_get(ns, txn, s, &c);
		mdb_txn_abort(txn);
		if (rc)
			return rc == -ENOENT ? -EIO : rc;
		for (int i = 0; i < 3; i++) {
			sum.files[i] += c.files[i];
			sum.bytes[i] += c.bytes[i];
		}
	}
	*out = sum;
	return 0;
}

int ns_res_verify(struct ns *ns, unsigned *bad, ns_fsck_report report,
		  void *ctx)
{
	*bad = 0;
	for (unsigned s = 0; s < ns->nshards; s++) {
		struct ns_res_counts kept, counted;
		MDB_txn *txn;
		char msg[256];
		int rc;

		if (!ns_shard_owned(ns, s))
			continue;
		memset(&counted, 0, sizeof(counted));
		memset(&kept, 0, sizeof(kept));
		rc = ns_rtxn_begin(ns, s, &txn);
		if (rc)
			return rc;
		rc = ns_res_txn_get(ns, txn, s, &kept);
		if (rc == 0)
			rc = recount(txn, ns->shard[s].dbi[NS_DB_INODES],
				     &counted);
		mdb_txn_abort(txn);
		if (rc && rc != -ENOENT)
			return rc;
		if (rc == 0 && !memcmp(&kept, &counted, sizeof(kept)))
			continue;
		(*bad)++;
		if (!report)
			continue;
		snprintf(msg, sizeof(msg),
			 "shard %u: residency counters %s (kept local %llu/%llu "
			 "offloaded %llu/%llu both %llu/%llu files/bytes; a "
			 "recount %llu/%llu %llu/%llu %llu/%llu)",
			 s, rc ? "missing" : "differ from a recount",
			 (unsigned long long)kept.files[0],
			 (unsigned long long)kept.bytes[0],
			 (unsigned long long)kept.files[1],
			 (unsigned long long)kept.bytes[1],
			 (unsigned long long)kept.files[2],
			 (unsigned long long)kept.bytes[2],
			 (unsigned long long)counted.files[0],
			 (unsigned long long)counted.bytes[0],
			 (unsigned long long)counted.files[1],
			 (unsigned long long)counted.bytes[1],
			 (unsigned long long)counted.files[2],
			 (unsigned long long)counted.bytes[2]);
		report(ctx, msg);
	}
	return 0;
}
