/* pnfs/ctl_tier_part.c — see ctl_tier_part.h. */
#include "ctl_tier_part.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_tier_walk.h"
#include "ns.h"

struct part {
	struct ns *ns;
	unsigned self;
	ctl_tier_owner_fn owner;
	void *octx;
	ctl_tier_part_res *res;
	uint64_t ids[CTL_TIER_PART_MAX]; /* a listing's names' inodes */
	unsigned nids;
	uint64_t last_cookie;
};

/* Count inode FILEID into P->res (ctl_prot.x ctl_tier_part_res). Every
 * array has room: a call counts at most CTL_TIER_PART_MAX inodes. */
static int count(struct part *p, uint64_t fileid)
{
	ctl_tier_part_res *res = p->res;
	ctl_tier_linked f;
	int rc = ctl_tier_count(p->ns, fileid, &res->part, &f);
	unsigned node;

	switch (rc) {
	case -EREMOTE:
		node = p->owner ? p->owner(p->octx, fileid) : 0;
		if (node == 0 || node == p->self)
			return -EIO; /* the map and the namespace disagree */
		res->remote.remote_val[res->remote.remote_len++] =
			(ctl_tier_remote){ fileid, node };
		return 0;
	case CTL_TIER_DIR:
		res->dirs.dirs_val[res->dirs.dirs_len++] = fileid;
		return 0;
	case CTL_TIER_LINKED:
		res->linked.linked_val[res->linked.linked_len++] = f;
		return 0;
	default:
		return rc < 0 ? rc : 0;
	}
}

static int take(void *ctx, const char *name, size_t namelen,
		uint64_t fileid, uint64_t cookie)
{
	struct part *p = ctx;

	(void)name;
	(void)namelen;
	p->ids[p->nids++] = fileid;
	p->last_cookie = cookie;
	return p->nids == CTL_TIER_PART_MAX;
}

/* The first partition at or after FROM this node owns: its start cookie
 * into *COOKIE, or 0 (none: the listing is done). */
static int owned_from(struct ns *ns, unsigned from, uint64_t *cookie)
{
	for (unsigned q = from; q < ns_nenvs(ns); q++)
		if (ns_owns_shard(ns, q)) { /* shard Q: partition Q's first */
			*cookie = ns_cookie_partition(q);
			return 1;
		}
	return 0;
}

/* This node's entries of A->dir after A->cookie, one chunk. */
static int list(struct part *p, const ctl_tier_part_args *a)
{
	ctl_tier_part_res *res = p->res;
	uint64_t cookie = a->cookie, resume = 0;
	int eof = 0, rc;

	if (cookie == 0 && !owned_from(p->ns, 0, &cookie)) {
		res->eof = 1; /* no partition here */
		return 0;
	}
	rc = ns_readdir_ex(p->ns, a->dir, cookie, take, p, &eof, &resume);
	if (rc == -ENOENT || rc == -ENOTDIR) {
		res->eof = 1; /* gone since it was seen */
		return 0;
	}
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < p->nids; i++) {
		rc = count(p, p->ids[i]);
		if (rc < 0)
			return rc;
	}
	if (eof)
		res->eof = 1;
	else if (p->nids == CTL_TIER_PART_MAX)
		res->next = p->last_cookie; /* the chunk is full */
	else if (resume) /* another node's partition: this node's next */
		res->eof = !owned_from(p->ns, ns_cookie_shard(resume) + 1,
				       &res->next);
	else
		return -EIO; /* stopped for no reason: never expected */
	return 0;
}

void ctl_tier_part(struct ns *ns, unsigned self, ctl_tier_owner_fn owner,
		   void *octx, const ctl_tier_part_args *a,
		   ctl_tier_part_res *res)
{
	struct part *p;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if ((a->dir != 0) == (a->inodes.inodes_len != 0) ||
	    a->inodes.inodes_len > CTL_TIER_PART_MAX) {
		res->status = EINVAL;
		return;
	}
	p = calloc(1, sizeof(*p));
	res->dirs.dirs_val = malloc(CTL_TIER_PART_MAX * sizeof(uint64_t));
	res->linked.linked_val =
		malloc(CTL_TIER_PART_MAX * sizeof(ctl_tier_linked));
	res->remote.remote_val =
		malloc(CTL_TIER_PART_MAX * sizeof(ctl_tier_remote));
	if (!p || !res->dirs.dirs_val || !res->linked.linked_val ||
	    !res->remote.remote_val) {
		rc = -ENOMEM;
	} else {
		*p = (struct part){ .ns = ns, .self = self, .owner = owner,
				    .octx = octx, .res = res };
		if (a->dir)
			rc = list(p, a);
		for (u_int i = 0; rc == 0 && i < a->inodes.inodes_len; i++)
			rc = count(p, a->inodes.inodes_val[i]);
	}
	free(p);
	if (rc < 0) { /* nothing half counted goes back */
		ctl_tier_part_res none = { .status = -rc };

		xdr_free((xdrproc_t)xdr_ctl_tier_part_res, (char *)res);
		*res = none;
	}
}
