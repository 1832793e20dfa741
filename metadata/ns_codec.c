/*
 * metadata/ns_codec.c — byte orders, record encodings and the placement hash.
 *
 * Records are encoded field by field (never by dumping a C struct) so the
 * on-disk format does not depend on the compiler's padding. Keys are
 * big-endian so LMDB's memcmp order is numeric order; values are
 * little-endian.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ns_internal.h"

void ns_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

uint64_t ns_get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

void ns_put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

uint64_t ns_get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void ns_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

uint32_t ns_get_le32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void ns_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

uint16_t ns_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

/*
 * Placement hash: FNV-1a 64 over the parent fileid (8 bytes big-endian)
 * followed by the name bytes, then the MurmurHash3 64-bit finaliser (fmix64)
 * so that every output bit depends on every input bit and "mod S" is even
 * for any S, not only powers of two.
 *
 * This function decides where existing entries live: it must NEVER change
 * once a namespace exists (a change would make every entry unfindable).
 * It is not keyed, so a client could choose names that pile onto one shard;
 * that costs balance, not correctness.
 */
uint64_t ns_placement_hash(uint64_t parent, const char *name, size_t namelen)
{
	const uint64_t fnv_offset = UINT64_C(0xcbf29ce484222325);
	const uint64_t fnv_prime = UINT64_C(0x100000001b3);
	uint8_t pb[8];
	uint64_t h = fnv_offset;

	ns_put_be64(pb, parent);
	for (size_t i = 0; i < sizeof pb; i++) {
		h ^= pb[i];
		h *= fnv_prime;
	}
	for (size_t i = 0; i < namelen; i++) {
		h ^= (uint8_t)name[i];
		h *= fnv_prime;
	}
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

/* ---- inode record, version 1 ------------------------------------------- */

#define NS_INODE_REC_VERSION 1

struct cursor {
	uint8_t *w;
	const uint8_t *r;
};

static void w32(struct cursor *c, uint32_t v)
{
	ns_put_le32(c->w, v);
	c->w += 4;
}

static void w64(struct cursor *c, uint64_t v)
{
	ns_put_le64(c->w, v);
	c->w += 8;
}

static void wtime(struct cursor *c, const struct ns_time *t)
{
	w64(c, (uint64_t)t->sec);
	w32(c, t->nsec);
}

static uint32_t r32(struct cursor *c)
{
	uint32_t v = ns_get_le32(c->r);
	c->r += 4;
	return v;
}

static uint64_t r64(struct cursor *c)
{
	uint64_t v = ns_get_le64(c->r);
	c->r += 8;
	return v;
}

static void rtime(struct cursor *c, struct ns_time *t)
{
	t->sec = (int64_t)r64(c);
	t->nsec = r32(c);
}

void ns_inode_encode(const struct ns_inode *ino, uint8_t out[NS_INODE_REC_LEN])
{
	struct cursor c = { .w = out };

	ns_put_le16(c.w, NS_INODE_REC_VERSION);
	ns_put_le16(c.w + 2, 0);
	c.w += 4;
	w32(&c, ino->generation);
	w32(&c, ino->type);
	w32(&c, ino->mode);
	w32(&c, ino->nlink);
	w32(&c, ino->uid);
	w32(&c, ino->gid);
	w64(&c, ino->size);
	w64(&c, ino->space_used);
	w64(&c, ino->change);
	w64(&c, ino->parent);
	w32(&c, ino->rdev_major);
	w32(&c, ino->rdev_minor);
	wtime(&c, &ino->atime);
	wtime(&c, &ino->mtime);
	wtime(&c, &ino->ctime);
	wtime(&c, &ino->btime);
	w32(&c, ino->residency);
	w32(&c, ino->flags);
	w64(&c, ino->layout_gen);
	memcpy(c.w, ino->object_etag, sizeof ino->object_etag);
	c.w[sizeof ino->object_etag - 1] = 0;
	c.w += sizeof ino->object_etag;
	_Static_assert(sizeof(((struct ns_inode *)0)->object_etag) == 64,
		       "inode record layout assumes a 64-byte etag");
}

int ns_inode_decode(uint64_t fileid, const void *val, size_t len,
		    struct ns_inode *ino)
{
	struct cursor c = { .r = val };

	if (len != NS_INODE_REC_LEN ||
	    ns_get_le16(c.r) != NS_INODE_REC_VERSION)
		return -EIO;
	c.r += 4;
	memset(ino, 0, sizeof *ino);
	ino->fileid = fileid;
	ino->generation = r32(&c);
	ino->type = r32(&c);
	ino->mode = r32(&c);
	ino->nlink = r32(&c);
	ino->uid = r32(&c);
	ino->gid = r32(&c);
	ino->size = r64(&c);
	ino->space_used = r64(&c);
	ino->change = r64(&c);
	ino->parent = r64(&c);
	ino->rdev_major = r32(&c);
	ino->rdev_minor = r32(&c);
	rtime(&c, &ino->atime);
	rtime(&c, &ino->mtime);
	rtime(&c, &ino->ctime);
	rtime(&c, &ino->btime);
	ino->residency = r32(&c);
	ino->flags = r32(&c);
	ino->layout_gen = r64(&c);
	memcpy(ino->object_etag, c.r, sizeof ino->object_etag);
	ino->object_etag[sizeof ino->object_etag - 1] = 0;
	c.r += sizeof ino->object_etag;
	return (size_t)(c.r - (const uint8_t *)val) == NS_INODE_REC_LEN ? 0
									: -EIO;
}

/* ---- directory entries -------------------------------------------------- */

size_t ns_dirent_key(uint8_t *key, uint64_t parent, const char *name,
		     size_t namelen)
{
	ns_put_be64(key, parent);
	memcpy(key + 8, name, namelen);
	return 8 + namelen;
}

void ns_dirent_val_encode(const struct ns_dirent_val *dv,
			  uint8_t out[NS_DIRENT_VAL_LEN])
{
	ns_put_le64(out, dv->fileid);
	ns_put_le64(out + 8, dv->seq);
	ns_put_le32(out + 16, dv->type);
}

int ns_dirent_val_decode(const void *val, size_t len, struct ns_dirent_val *dv)
{
	const uint8_t *p = val;

	if (len != NS_DIRENT_VAL_LEN)
		return -EIO;
	dv->fileid = ns_get_le64(p);
	dv->seq = ns_get_le64(p + 8);
	dv->type = ns_get_le32(p + 16);
	return 0;
}

void ns_cookie_key(uint8_t key[16], uint64_t parent, uint64_t seq)
{
	ns_put_be64(key, parent);
	ns_put_be64(key + 8, seq);
}

/* ---- errors ------------------------------------------------------------- */

int ns_mdb_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_KEYEXIST:
		return -EEXIST;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
	case MDB_PAGE_FULL:
	case ENOSPC:
		return -ENOSPC;
	case ENOMEM:
	case EACCES:
		return -rc;
	default:
		return -EIO;
	}
}

/* ---- buffers ------------------------------------------------------------ */

int ns_buf_append(struct ns_buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + len)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

void ns_buf_free(struct ns_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ---- time and change ---------------------------------------------------- */

struct ns_time ns_time_now(void)
{
	struct timespec ts;
	struct ns_time t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t.sec = (int64_t)ts.tv_sec;
	t.nsec = (uint32_t)ts.tv_nsec;
	return t;
}

uint64_t ns_time_nsec(const struct ns_time *t)
{
	if (t->sec < 0)
		return 0;
	return (uint64_t)t->sec * UINT64_C(1000000000) + t->nsec;
}

/*
 * change = max(change + 1, now in ns): strictly increasing per inode even if
 * the clock steps back, and close to the clock otherwise (useful to humans).
 */
void ns_touch_change(struct ns_inode *ino, const struct ns_time *now)
{
	uint64_t t = ns_time_nsec(now);

	ino->change = t > ino->change ? t : ino->change + 1;
}
