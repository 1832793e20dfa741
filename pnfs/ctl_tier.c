/* pnfs/ctl_tier.c — see ctl_tier.h. */
#include "ctl_tier.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmap.h"
#include "ctl_tier_part.h"
#include "ctl_tier_walk.h"
#include "log.h"
#include "ns.h"
#include "ns_tier.h"
#include "server.h"
#include "tier_key.h"
#include "tier_worker.h"

/* Where a path's resolution goes on when the next step is another
 * node's (ctl_prot.x ctl_tier_res, EREMOTE). */
struct redirect {
	uint64_t fileid;  /* the directory to go on from, or the file */
	const char *rest; /* the path left below it ("" the file itself) */
	unsigned node;
};

/* PATH ("/a/b", "a/b"; "/" the root) to a fileid, component by
 * component from the directory FROM. -EREMOTE and *R when a name's entry
 * is on another node's partition (docs/decisions/0037). */
static int resolve(struct strata_server *srv, uint64_t from,
		   const char *path, uint64_t *fileid, struct redirect *r)
{
	uint64_t cur = from;
	const char *p = path;
	int rc;

	while (*p) {
		uint64_t next;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 0) { /* "//", a leading or trailing "/" */
			p++;
			continue;
		}
		if ((len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		rc = ns_lookup(srv->ns, cur, p, len, &next);
		if (rc == -EREMOTE) {
			*r = (struct redirect){
				cur, p, cmap_entry_owner(srv->cmap, cur, p, len)
			};
			return rc;
		}
		if (rc < 0)
			return rc;
		cur = next;
		p += len;
	}
	*fileid = cur;
	return 0;
}

/* The residency of INO into RES (KEY: the object's key, if any). */
static void describe(struct strata_server *srv, const struct ns_inode *ino,
		     ctl_tier_res *res, char *key)
{
	struct ns_tier_obj obj;
	struct ns_tier_job job;

	res->fileid = ino->fileid;
	res->type = ino->type;
	res->residency = ino->residency;
	res->size = ino->size;
	res->layout_gen = ino->layout_gen;
	res->ds_bytes = ino->residency == NS_RES_OFFLOADED ? 0 : ino->size;
	if (ino->type != NS_REG)
		res->ds_bytes = 0;
	if (ns_tier_job_get(srv->ns, ino->fileid, &job) == 0)
		res->job = job.kind;
	if (ino->residency != NS_RES_LOCAL &&
	    ns_tier_obj_get(srv->ns, ino->fileid, &obj) == 0) {
		struct tier_key k = { obj.fileid, obj.gen, obj.ver };

		res->tier_bytes = obj.size;
		if (tier_key_format(key, CTL_TIER_KEY_MAX,
				    tier_worker_prefix(&srv->cfg), &k) < 0)
			key[0] = 0;
	}
}

static int step(struct strata_server *srv, const ctl_tier_args *a,
		const struct ns_inode *ino, char *msg)
{
	static const enum tier_req_op ops[] = {
		[CTL_TIER_OFFLOAD] = TIER_REQ_OFFLOAD,
		[CTL_TIER_RELEASE] = TIER_REQ_RELEASE,
		[CTL_TIER_RECALL] = TIER_REQ_RECALL,
	};
	int rc;

	if (a->op < CTL_TIER_OFFLOAD || a->op > CTL_TIER_RECALL)
		return -EINVAL;
	if (!srv->tier)
		return -ENODEV;
	if (ino->type != NS_REG)
		return -EINVAL;
	rc = tier_worker_submit(srv->tier, ino->fileid, ops[a->op], a->wait,
				msg, CTL_TIER_MSG_MAX);
	log_info("ctl: tier step %d on fileid %llx%s: %d", (int)a->op,
		 (unsigned long long)ino->fileid,
		 a->wait ? " (waited for)" : " (queued)", rc);
	return rc;
}

/* CTL_TIER_STATUS into S. */
static void status(struct strata_server *srv, ctl_tier_stats *s)
{
	static char none[1];
	struct tier_worker_stats w;
	struct ns_stats ns;
	struct ns_res_counts rc;

	memset(s, 0, sizeof(*s));
	s->backend = s->prefix = none;
	if (ns_stats(srv->ns, &ns) == 0) {
		s->ns_inodes = ns.inodes;
		s->ns_bytes = ns.bytes;
	}
	if (ns_res_counts(srv->ns, &rc) == 0) /* kept counters: no scan */
		for (int i = 0; i < 3; i++) {
			s->res_files[i] = rc.files[i];
			s->res_bytes[i] = rc.bytes[i];
		}
	if (!srv->tier)
		return;
	tier_worker_stats(srv->tier, &w);
	s->backend = srv->cfg.tier;
	s->prefix = (char *)tier_worker_prefix(&srv->cfg);
	s->started = w.started;
	s->queued = w.queued;
	s->running_op = w.running_op; /* TIER_REQ_* = CTL_TIER_* */
	s->running_fileid = w.running_fileid;
	for (int i = 0; i < TIER_REQ_NOPS; i++) {
		s->done[i] = w.done[i];
		s->failed[i] = w.failed[i];
	}
	s->recalls_nothing = w.recalls_nothing;
	s->bytes_up = w.bytes_up;
	s->bytes_down = w.bytes_down;
	s->recovered = w.recovered;
	s->drains = w.drains;
	s->drain_failures = w.drain_failures;
	s->deleted = w.deleted;
	s->freed = w.freed;
	s->last_drain = w.last_drain;
	s->last_drain_status = -w.last_drain_rc;
	s->last_deleted = w.last_deleted;
	s->last_freed = w.last_freed;
}

void ctl_tier(struct strata_server *srv, const ctl_tier_args *a,
	      ctl_tier_res *res, char *msg, char *key,
	      ctl_tier_stats *stats, ctl_tier_totals *totals)
{
	struct ns_inode ino;
	uint64_t fileid = a->fileid;
	struct redirect r = { 0, "", 0 };
	int query = a->op == CTL_TIER_QUERY || a->op == CTL_TIER_QUERY_ONE;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	msg[0] = key[0] = 0;
	res->msg = msg;
	res->key = key;
	if (a->op == CTL_TIER_STATUS) {
		status(srv, stats);
		res->stats = stats;
		return;
	}
	if (a->path && a->path[0])
		rc = resolve(srv, a->fileid ? a->fileid : NS_ROOT_FILEID,
			     a->path, &fileid, &r);
	if (rc == 0)
		rc = ns_getattr(srv->ns, fileid, &ino);
	if (rc == -EREMOTE && !r.node) /* the inode: a link across nodes */
		r = (struct redirect){ fileid, "",
				       cmap_fileid_owner(srv->cmap, fileid) };
	if (rc == -EREMOTE) {
		res->status = r.node && r.node != srv->node ? EREMOTE : EIO;
		res->fileid = r.fileid;
		res->node = r.node;
		res->rest = (char *)r.rest; /* into A: freed after the reply */
		return;
	}
	if (rc == 0 && !query)
		rc = step(srv, a, &ino, msg);
	if (rc == 0 || !query) {
		/* the residency after the step, even a failed one */
		if (ns_getattr(srv->ns, fileid, &ino) == 0)
			describe(srv, &ino, res, key);
	}
	if (rc == 0 && a->op == CTL_TIER_QUERY && ino.type == NS_DIR) {
		rc = ctl_tier_walk(srv->ns, fileid, totals);
		if (rc == 0) {
			res->ds_bytes = totals->ds_bytes;
			res->tier_bytes = totals->tier_bytes;
			res->totals = totals;
		}
	}
	res->status = rc < 0 ? -rc : 0;
}

static unsigned owner_of(void *ctx, uint64_t fileid)
{
	const struct cmap *m = ctx;

	return m ? cmap_fileid_owner(m, fileid) : 0;
}

void ctl_tier_part_serve(struct strata_server *srv,
			 const ctl_tier_part_args *a, ctl_tier_part_res *res)
{
	ctl_tier_part(srv->ns, srv->node, owner_of, srv->cmap, a, res);
}
