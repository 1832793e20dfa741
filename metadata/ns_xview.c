/*
 * metadata/ns_xview.c — the view of one cross-node plan (ns_xtx.h).
 *
 * A view keeps three lists of keys: values SUPPLIED by other nodes (kept
 * across runs of the plan), and for the last run the READS it made (first
 * read of each key only: the value the body depended on) and its WRITES
 * in order (after-images, deletions, counter operations), plus the keys it
 * NEEDED and did not have. Plans touch a few dozen keys, so the lists are
 * searched linearly. Owned and used by one caller at a time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ns_internal.h"
#include "ns_xtx.h"

#define XV_MAGIC UINT32_C(0x31584e53) /* "SNX1" little-endian */

struct xv_ent {
	unsigned shard, db, op;
	uint8_t *key;
	size_t klen;
	uint8_t *val; /* NULL: absent (supplied/read) or a deletion */
	size_t vlen;
};

struct xv_list {
	struct xv_ent *v;
	size_t n, cap;
};

struct ns_xview {
	struct xv_list supplied, reads, writes, need;
};

struct ns_xview *ns_xview_new(void)
{
	return calloc(1, sizeof(struct ns_xview));
}

static void list_clear(struct xv_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].val);
	}
	l->n = 0;
}

static void list_free(struct xv_list *l)
{
	list_clear(l);
	free(l->v);
	l->v = NULL;
	l->cap = 0;
}

void ns_xview_free(struct ns_xview *v)
{
	if (!v)
		return;
	list_free(&v->supplied);
	list_free(&v->reads);
	list_free(&v->writes);
	list_free(&v->need);
	free(v);
}

void ns_xview_restart(struct ns_xview *v)
{
	list_clear(&v->reads);
	list_clear(&v->writes);
	list_clear(&v->need);
}

void ns_xview_clear(struct ns_xview *v)
{
	ns_xview_restart(v);
	list_clear(&v->supplied);
}

static int list_add(struct xv_list *l, unsigned shard, unsigned db,
		    unsigned op, const void *key, size_t klen, const void *val,
		    size_t vlen, int has_val)
{
	struct xv_ent *e;

	if (l->n >= NS_XTX_MAX_KEYS * 4)
		return -E2BIG;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct xv_ent *nv = realloc(l->v, cap * sizeof *nv);
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof *e);
	e->shard = shard;
	e->db = db;
	e->op = op;
	e->klen = klen;
	e->key = malloc(klen ? klen : 1);
	if (!e->key)
		return -ENOMEM;
	memcpy(e->key, key, klen);
	if (has_val) {
		e->val = malloc(vlen ? vlen : 1);
		if (!e->val) {
			free(e->key);
			return -ENOMEM;
		}
		memcpy(e->val, val, vlen);
		e->vlen = vlen;
	}
	l->n++;
	return 0;
}

static struct xv_ent *list_find(const struct xv_list *l, unsigned shard,
				unsigned db, const void *key, size_t klen,
				int last)
{
	struct xv_ent *hit = NULL;

	for (size_t i = 0; i < l->n; i++) {
		struct xv_ent *e = &l->v[i];
		if (e->shard == shard && e->db == db && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0) {
			hit = e;
			if (!last)
				break;
		}
	}
	return hit;
}

int ns_xview_supply(struct ns_xview *v, unsigned shard, unsigned db,
		    const void *key, size_t klen, const void *val, size_t vlen,
		    int found)
{
	struct xv_ent *e = list_find(&v->supplied, shard, db, key, klen, 0);

	if (e) { /* a newer value replaces the older */
		free(e->val);
		e->val = NULL;
		e->vlen = 0;
		if (found) {
			e->val = malloc(vlen ? vlen : 1);
			if (!e->val)
				return -ENOMEM;
			memcpy(e->val, val, vlen);
			e->vlen = vlen;
		}
		return 0;
	}
	return list_add(&v->supplied, shard, db, LOG_PUT, key, klen, val,
			vlen, found);
}

size_t ns_xview_nneed(const struct ns_xview *v)
{
	return v->need.n;
}

void ns_xview_need(const struct ns_xview *v, size_t i, unsigned *shard,
		   unsigned *db, const void **key, size_t *klen)
{
	const struct xv_ent *e = &v->need.v[i];

	*shard = e->shard;
	*db = e->db;
	*key = e->key;
	*klen = e->klen;
}

int ns_xview_note_read(struct ns_xview *v, unsigned shard, unsigned db,
		       const void *key, size_t klen, const void *val,
		       size_t vlen, int found)
{
	/* After the body's own write the value is its own, not a read; and
	 * only the first read of a key is what the body depended on. */
	if (list_find(&v->writes, shard, db, key, klen, 0) ||
	    list_find(&v->reads, shard, db, key, klen, 0))
		return 0;
	return list_add(&v->reads, shard, db, found ? XV_CHECK : XV_ABSENT,
			key, klen, val, vlen, found);
}

/* Another node's key: the body's own last write, else the supplied value
 * (recorded as a read), else -EREMOTE and the key is needed. */
int ns_xview_get(struct ns_xview *v, unsigned shard, unsigned db,
		 const void *key, size_t klen, MDB_val *val)
{
	struct xv_ent *e = list_find(&v->writes, shard, db, key, klen, 1);
	int rc;

	if (e && (e->op == LOG_PUT || e->op == LOG_DEL)) {
		if (e->op == LOG_DEL)
			return -ENOENT;
		val->mv_data = e->val;
		val->mv_size = e->vlen;
		return 0;
	}
	if (e) /* a counter operation: its value is only known at commit */
		return -EIO;
	e = list_find(&v->supplied, shard, db, key, klen, 0);
	if (!e) {
		if (!list_find(&v->need, shard, db, key, klen, 0)) {
			rc = list_add(&v->need, shard, db, 0, key, klen, NULL,
				      0, 0);
			if (rc)
				return rc;
		}
		return -EREMOTE;
	}
	rc = ns_xview_note_read(v, shard, db, key, klen, e->val, e->vlen,
				e->val != NULL);
	if (rc)
		return rc;
	if (!e->val)
		return -ENOENT;
	val->mv_data = e->val;
	val->mv_size = e->vlen;
	return 0;
}

int ns_xview_write(struct ns_xview *v, unsigned shard, unsigned db,
		   unsigned op, const void *key, size_t klen, const void *val,
		   size_t vlen)
{
	return list_add(&v->writes, shard, db, op, key, klen, val, vlen,
			op != LOG_DEL);
}

static int rec_add(struct ns_buf *b, const struct xv_ent *e, unsigned op,
		   uint32_t *n)
{
	uint8_t hdr[LOG_HDR_LEN];
	int rc;

	hdr[0] = (uint8_t)e->shard;
	hdr[1] = (uint8_t)e->db;
	hdr[2] = (uint8_t)op;
	hdr[3] = 0;
	ns_put_le16(hdr + 4, (uint16_t)e->klen);
	ns_put_le32(hdr + 6, (uint32_t)(e->val ? e->vlen : 0));
	rc = ns_buf_append(b, hdr, sizeof hdr);
	if (!rc)
		rc = ns_buf_append(b, e->key, e->klen);
	if (!rc && e->val && e->vlen)
		rc = ns_buf_append(b, e->val, e->vlen);
	if (!rc)
		(*n)++;
	return rc;
}

static int picked(const struct ns *ns, const uint8_t *parts, unsigned shard)
{
	return shard < ns->nshards && parts[ns->shard[shard].env];
}

int ns_xview_record(const struct ns_xview *v, const struct ns *ns,
		    const uint8_t *parts, uint8_t **rec, size_t *len)
{
	struct ns_buf b = { 0 };
	uint8_t hdr[8];
	uint32_t n = 0;
	int rc;

	*rec = NULL;
	*len = 0;
	ns_put_le32(hdr, XV_MAGIC);
	ns_put_le32(hdr + 4, 0);
	rc = ns_buf_append(&b, hdr, sizeof hdr);
	/* CHECKs first: a participant checks them all before it writes. */
	for (size_t i = 0; !rc && i < v->reads.n; i++)
		if (picked(ns, parts, v->reads.v[i].shard))
			rc = rec_add(&b, &v->reads.v[i], v->reads.v[i].op, &n);
	for (size_t i = 0; !rc && i < v->writes.n; i++)
		if (picked(ns, parts, v->writes.v[i].shard))
			rc = rec_add(&b, &v->writes.v[i], v->writes.v[i].op,
				     &n);
	if (!rc && n > NS_XTX_MAX_KEYS)
		rc = -E2BIG;
	if (rc || n == 0) {
		ns_buf_free(&b);
		return rc;
	}
	ns_put_le32(b.p + 4, n);
	*rec = b.p;
	*len = b.len;
	return 0;
}
