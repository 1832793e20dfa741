/*
 * metadata/ns_attr.c — attribute changes of one inode: SETATTR, the size and
 * times a WRITE leaves, and the data-placement flags. Bodies run by
 * ns_mtx_run() like those of ns_ops.c (its rules on change and ctime).
 */
#include <errno.h>
#include <string.h>

#include "ns_internal.h"

/* ---- setattr / note_write ----------------------------------------------- */

#define SETATTR_ALL                                                           \
	(NS_SET_MODE | NS_SET_UID | NS_SET_GID | NS_SET_SIZE | NS_SET_ATIME | \
	 NS_SET_MTIME | NS_SET_ATIME_NOW | NS_SET_MTIME_NOW |                 \
	 NS_SET_SPACE_USED | NS_SET_BTIME | NS_SET_RESIDENCY)

struct setattr_ctx {
	uint64_t fileid;
	unsigned mask;
	const struct ns_inode *attr;
	struct ns_inode *out;
};

static int setattr_check(const struct ns_inode *ino, unsigned mask,
			 const struct ns_inode *a)
{
	if ((mask & NS_SET_SIZE) && ino->type == NS_DIR)
		return -EISDIR;
	if ((mask & (NS_SET_SIZE | NS_SET_RESIDENCY)) && ino->type != NS_REG)
		return -EINVAL;
	if ((mask & NS_SET_RESIDENCY) && a->residency > NS_RES_BOTH)
		return -EINVAL;
	if ((mask & NS_SET_ATIME) && a->atime.nsec >= 1000000000u)
		return -EINVAL;
	if ((mask & NS_SET_MTIME) && a->mtime.nsec >= 1000000000u)
		return -EINVAL;
	if ((mask & NS_SET_BTIME) && a->btime.nsec >= 1000000000u)
		return -EINVAL;
	return 0;
}

static void ino_setattr_apply(struct ns_inode *ino, unsigned mask,
			      const struct ns_inode *a,
			      const struct ns_time *now)
{
	if (mask & NS_SET_MODE)
		ino->mode = a->mode & 07777;
	if (mask & NS_SET_UID)
		ino->uid = a->uid;
	if (mask & NS_SET_GID)
		ino->gid = a->gid;
	if (mask & NS_SET_SIZE) {
		ino->size = a->size;
		ino->mtime = *now; /* truncate: overridden by an explicit mtime */
	}
	if (mask & NS_SET_SPACE_USED)
		ino->space_used = a->space_used;
	if (mask & NS_SET_ATIME)
		ino->atime = a->atime;
	if (mask & NS_SET_ATIME_NOW)
		ino->atime = *now;
	if (mask & NS_SET_MTIME)
		ino->mtime = a->mtime;
	if (mask & NS_SET_MTIME_NOW)
		ino->mtime = *now;
	if (mask & NS_SET_BTIME)
		ino->btime = a->btime;
	if (mask & NS_SET_RESIDENCY) {
		ino->residency = a->residency;
		memcpy(ino->object_etag, a->object_etag,
		       sizeof ino->object_etag);
		ino->object_etag[sizeof ino->object_etag - 1] = '\0';
	}
	ns_ino_changed(ino, now);
}

int ns_inode_apply(struct ns_inode *ino, unsigned mask,
		   const struct ns_inode *attr)
{
	struct ns_time now = ns_time_now();
	int rc;

	if ((mask & ~(unsigned)SETATTR_ALL) || (mask && !attr))
		return -EINVAL;
	if (!mask)
		return 0;
	rc = setattr_check(ino, mask, attr);
	if (!rc)
		ino_setattr_apply(ino, mask, attr, &now);
	return rc;
}

/* A size change drops the object (ns_tier.h); an offloaded file must be
 * recalled first (-EAGAIN), unless truncated to zero: it then has no data
 * objects at all (released), as a file never written. */
static int size_drops_object(struct ns_mtx *m, struct ns_inode *ino,
			     uint64_t size)
{
	if (ino->type != NS_REG)
		return 0;
	if (ino->residency == NS_RES_OFFLOADED && size)
		return -EAGAIN;
	if (ino->residency == NS_RES_OFFLOADED) /* its copy was freed */
		ino->flags = (ino->flags & ~(uint32_t)NS_INO_DATA_PLACED) |
			     NS_INO_NO_DATA;
	return ns_tier_drop_ref(m, ino);
}

static int setattr_body(struct ns_mtx *m, void *arg)
{
	struct setattr_ctx *c = arg;
	struct ns_inode ino;
	int rc = ns_ino_load(m, c->fileid, &ino);

	if (!rc && (c->mask & NS_SET_SIZE))
		rc = size_drops_object(m, &ino, c->attr->size);
	if (!rc && c->mask)
		rc = ns_inode_apply(&ino, c->mask, c->attr);
	if (!rc && c->mask)
		rc = ns_ino_store(m, &ino);
	if (!rc && c->out)
		*c->out = ino;
	return rc;
}

int ns_setattr(struct ns *ns, uint64_t fileid, unsigned mask,
	       const struct ns_inode *attr, struct ns_inode *out)
{
	struct setattr_ctx c = { fileid, mask, attr, out };

	if ((mask & ~(unsigned)SETATTR_ALL) || (mask && !attr))
		return -EINVAL;
	return ns_mtx_run(ns, setattr_body, &c);
}

struct write_ctx {
	uint64_t fileid;
	uint64_t end;
	struct ns_inode *out;
};

void ns_inode_note_write(struct ns_inode *ino, uint64_t end_offset)
{
	struct ns_time now = ns_time_now();

	if (end_offset > ino->size)
		ino->size = end_offset;
	ns_inode_set_placed(ino); /* the write just made its object */
	ino->mtime = now;
	ns_ino_changed(ino, &now);
}

static int note_write_body(struct ns_mtx *m, void *arg)
{
	struct write_ctx *c = arg;
	struct ns_inode ino;
	int rc = ns_ino_load(m, c->fileid, &ino);

	if (rc)
		return rc;
	if (ino.type != NS_REG)
		return ino.type == NS_DIR ? -EISDIR : -EINVAL;
	if (ino.residency == NS_RES_OFFLOADED)
		return -EAGAIN; /* recall first (ns_tier.h) */
	rc = ns_tier_drop_ref(m, &ino);
	if (rc)
		return rc;
	ns_inode_note_write(&ino, c->end);
	rc = ns_ino_store(m, &ino);
	if (!rc && c->out)
		*c->out = ino;
	return rc;
}

int ns_note_write(struct ns *ns, uint64_t fileid, uint64_t end_offset,
		  struct ns_inode *out)
{
	struct write_ctx c = { fileid, end_offset, out };

	return ns_mtx_run(ns, note_write_body, &c);
}

struct placed_ctx {
	uint64_t fileid;
	int placed;      /* 1: NS_INO_DATA_PLACED; 0: unsure (neither bit) */
	int *was_placed;
};

static int data_placed_body(struct ns_mtx *m, void *arg)
{
	struct placed_ctx *c = arg;
	struct ns_inode ino;
	int rc = ns_ino_load(m, c->fileid, &ino);
	uint32_t before;

	if (rc)
		return rc;
	if (ino.type != NS_REG)
		return -EINVAL;
	before = ino.flags;
	if (c->was_placed)
		*c->was_placed = !!(ino.flags & NS_INO_DATA_PLACED);
	if (c->placed)
		ns_inode_set_placed(&ino);
	else
		ns_inode_set_unsure(&ino);
	return ino.flags == before ? 0 : ns_ino_store(m, &ino);
}

int ns_data_placed(struct ns *ns, uint64_t fileid, int *was_placed)
{
	struct placed_ctx c = { fileid, 1, was_placed };

	return ns_mtx_run(ns, data_placed_body, &c);
}

int ns_data_unsure(struct ns *ns, uint64_t fileid)
{
	struct placed_ctx c = { fileid, 0, NULL };

	return ns_mtx_run(ns, data_placed_body, &c);
}
