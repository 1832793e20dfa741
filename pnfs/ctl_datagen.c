/* pnfs/ctl_datagen.c — see ctl_datagen.h. */
#include "ctl_datagen.h"

#include <errno.h>
#include <stdlib.h>

#include "cluster.h"
#include "log.h"
#include "ns.h"
#include "server.h"
#include "tier_ds.h"

#define COPY_CHUNK (1u << 20)

static int copy_data(struct cluster *cl, uint64_t fileid, uint64_t from,
		     uint64_t to, uint64_t size)
{
	uint8_t *buf = malloc(COPY_CHUNK);
	int rc = buf ? 0 : -ENOMEM;

	for (uint64_t off = 0; !rc && off < size; off += COPY_CHUNK) {
		size_t n = size - off < COPY_CHUNK ? (size_t)(size - off)
						   : COPY_CHUNK;

		rc = tier_ds_ops.read(cl, fileid, from, off, buf, n);
		if (!rc)
			rc = tier_ds_ops.write(cl, fileid, to, off, buf, n);
	}
	free(buf);
	return rc ? rc : tier_ds_ops.sync(cl, fileid, to);
}

int ctl_datagen(struct strata_server *srv, const ctl_gen_args *a)
{
	struct cluster *cl = srv->cluster;
	struct ns_inode ino;
	int rc;

	if (!cl || !srv->ns)
		return -ENODEV;
	rc = ns_getattr(srv->ns, a->fileid, &ino);
	if (rc < 0)
		return rc;
	if (ino.type != NS_REG)
		return -EINVAL;
	switch (a->op) {
	case CTL_GEN_COPY:
		if (a->to_gen == ino.layout_gen || a->to_gen == a->gen)
			return -EBUSY;
		rc = copy_data(cl, a->fileid, a->gen, a->to_gen, ino.size);
		break;
	case CTL_GEN_DROP:
		if (a->gen == ino.layout_gen)
			return -EBUSY;
		rc = tier_ds_ops.drop(cl, a->fileid, a->gen);
		break;
	case CTL_GEN_FENCE:
		rc = cluster_fence(cl, a->fileid, a->gen);
		break;
	default:
		return -EINVAL;
	}
	log_info("ctl: data generation step %d on fileid %llx gen %llu "
		 "(to %llu): %d",
		 (int)a->op, (unsigned long long)a->fileid,
		 (unsigned long long)a->gen, (unsigned long long)a->to_gen, rc);
	return rc;
}
