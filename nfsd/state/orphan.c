/* nfsd/state/orphan.c — see orphan.h. */
#include "orphan.h"

#include <errno.h>
#include <stdlib.h>

#include "layout_state.h"
#include "log.h"
#include "reclaim.h"
#include "server.h"
#include "state.h"

void orphan_unlinked(struct strata_server *srv, const struct ns_inode *ino)
{
	if (state_file_has_opens(srv, ino->fileid) &&
	    orphan_add(srv, ino) == 0)
		return;
	layout_forget_file(srv, ino->fileid);
	reclaim_kick(srv->reclaim);
}

void orphan_unlinked_all(struct strata_server *srv,
			 const struct ns_xtx_gone *gone)
{
	for (size_t i = 0; i < gone->n; i++)
		orphan_unlinked(srv, &gone->ino[i]);
}

int orphan_add(struct strata_server *srv, const struct ns_inode *ino)
{
	struct orphan *o = orphan_find(srv, ino->fileid);

	if (o)
		return 0;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->ino = *ino;
	o->ino.nlink = 0;
	o->next = srv->orphans;
	srv->orphans = o;
	log_info("fileid %llx unlinked while open: data kept until its last open goes",
		 (unsigned long long)ino->fileid);
	return 0;
}

struct orphan *orphan_find(struct strata_server *srv, uint64_t fileid)
{
	for (struct orphan *o = srv->orphans; o; o = o->next)
		if (o->ino.fileid == fileid)
			return o;
	return NULL;
}

int orphan_getattr(struct strata_server *srv, uint64_t fileid, uint32_t gen,
		   struct ns_inode *out)
{
	struct orphan *o = orphan_find(srv, fileid);

	if (!o || o->ino.generation != gen)
		return -ENOENT;
	*out = o->ino;
	return 0;
}

int orphan_prepare_data(struct strata_server *srv, uint64_t fileid)
{
	struct orphan *o = orphan_find(srv, fileid);
	int rc;

	if (!o)
		return -ENOENT;
	if (!(o->ino.flags & NS_INO_NO_DATA))
		return 0; /* its removal listed it already */
	rc = ns_reclaim_add(srv->ns, fileid, o->ino.layout_gen);
	if (rc == 0)
		o->ino.flags &= ~(uint32_t)NS_INO_NO_DATA;
	return rc;
}

int orphan_note_write(struct strata_server *srv, uint64_t fileid,
		      uint64_t end, struct ns_inode *out)
{
	struct orphan *o = orphan_find(srv, fileid);

	if (!o)
		return -ENOENT;
	ns_inode_note_write(&o->ino, end);
	if (out)
		*out = o->ino;
	return 0;
}

int orphan_setattr(struct strata_server *srv, uint64_t fileid, unsigned mask,
		   const struct ns_inode *attr, struct ns_inode *out)
{
	struct orphan *o = orphan_find(srv, fileid);
	int rc;

	if (!o)
		return -ENOENT;
	rc = ns_inode_apply(&o->ino, mask, attr);
	if (rc == 0 && out)
		*out = o->ino;
	return rc;
}

int inode_mark_data(struct strata_server *srv, uint64_t fileid, int placed)
{
	int was;
	int rc = placed ? ns_data_placed(srv->ns, fileid, &was)
			: ns_data_unsure(srv->ns, fileid);
	struct orphan *o;

	if (rc != -ENOENT)
		return rc;
	o = orphan_find(srv, fileid);
	if (!o)
		return -ENOENT;
	if (placed)
		ns_inode_set_placed(&o->ino);
	else
		ns_inode_set_unsure(&o->ino);
	return 0;
}

void orphan_reap(struct strata_server *srv)
{
	struct orphan **pp = &srv->orphans;

	while (*pp) {
		struct orphan *o = *pp;

		if (state_file_has_opens(srv, o->ino.fileid)) {
			pp = &o->next;
			continue;
		}
		*pp = o->next;
		layout_forget_file(srv, o->ino.fileid);
		log_info("fileid %llx: last open of the unlinked file gone, "
			 "data to be freed", (unsigned long long)o->ino.fileid);
		free(o);
		reclaim_kick(srv->reclaim); /* it is on the reclaim list */
	}
}

void orphan_free_all(struct strata_server *srv)
{
	while (srv->orphans) {
		struct orphan *o = srv->orphans;
		srv->orphans = o->next;
		free(o);
	}
}
