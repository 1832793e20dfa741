/*
 * nfsd/ops/ops.h — NFSv4.1 operation handlers, one file per operation or
 * small group (see op_table.c for which role and minor version allow
 * each). Every handler follows the op_handler contract in compound.h and
 * runs with srv->state_lock held.
 */
#ifndef STRATA_NFSD_OPS_H
#define STRATA_NFSD_OPS_H

#include "compound.h"
#include "ns.h"

#define OP(name) nfsstat4 op_##name(struct compound *c, void *args, void *res)

/* sessions and clients: op_exchange_id.c, op_create_session.c,
 * op_sequence.c, op_session_misc.c */
OP(exchange_id);
OP(create_session);
OP(sequence);
OP(destroy_session);
OP(bind_conn_to_session);
OP(destroy_clientid);
OP(reclaim_complete);
OP(backchannel_ctl);
/* filehandles: op_fh.c */
OP(putrootfh);
OP(putpubfh);
OP(putfh);
OP(getfh);
OP(savefh);
OP(restorefh);
OP(lookup);
OP(lookupp);
/* attributes: op_attr.c */
OP(getattr);
OP(setattr);
OP(verify);
OP(nverify);
OP(access);
/* directories and names: op_readdir.c, op_create.c, op_remove.c,
 * op_rename.c, op_link.c */
OP(readdir);
OP(create);
OP(remove);
OP(rename);
OP(link);
OP(readlink);
/* opens: op_open.c, op_close.c */
OP(open);
OP(close);
OP(open_downgrade);
/* data: op_io.c */
OP(read);
OP(write);
OP(commit);
/* locks: op_lock.c */
OP(lock);
OP(lockt);
OP(locku);
/* stateids: op_stateid.c */
OP(test_stateid);
OP(free_stateid);
OP(delegreturn);
/* security: op_secinfo.c */
OP(secinfo);
OP(secinfo_no_name);
/* pNFS on the metadata server: pnfs/op_layout.c, pnfs/op_device.c */
OP(layoutget);
OP(layoutcommit);
OP(layoutreturn);
OP(getdeviceinfo);
OP(getdevicelist);
/* the data-server role's handlers of PUTFH, READ, WRITE, COMMIT (op_table.c
 * ENTRY2): op_ds_io.c */
OP(ds_putfh);
OP(ds_read);
OP(ds_write);
OP(ds_commit);
/* ops we decode but do not offer: op_notsupp.c */
OP(notsupp);
OP(layoutunavailable);

#undef OP

/* Helpers shared by the handlers (op_util.c). */
struct ns_inode;
nfsstat4 nfs_errno(int err);                 /* -errno -> nfsstat4 */
/* The current file's inode: the namespace's record, or the kept inode of a
 * file unlinked while open (nfsd/state/orphan.h); NFS4ERR_STALE when
 * neither. */
nfsstat4 cur_inode(struct compound *c, struct ns_inode *out);
/* The same for another handle of the COMPOUND (the saved one); MDS. */
nfsstat4 fh_inode(struct compound *c, const struct cfh *fh,
		  struct ns_inode *out);
/* Inode changes that also reach kept inodes (same results as the ns_*
 * calls they wrap; -errno). inode_prepare_data goes before data is made
 * for FILEID (a write, stripe objects). */
int inode_prepare_data(struct compound *c, uint64_t fileid);
int inode_note_write(struct compound *c, uint64_t fileid, uint64_t end,
		     struct ns_inode *out);
int inode_setattr(struct compound *c, uint64_t fileid, unsigned mask,
		  const struct ns_inode *attr, struct ns_inode *out);
/* Make INO's data objects unless they were placed (ns.h ns_inode_flags,
 * nfsd/data.h) and record the outcome in the namespace (or on the kept
 * inode) and in *INO. DEFER: on the executor, leave the creation to the
 * end of the batch, before its commit (exec_defer_place: for a layout,
 * whose client writes only after the reply). 0 or -errno. */
int inode_place_data(struct compound *c, struct ns_inode *ino, int defer);
/* Data server: length of the current stripe object; NFS4ERR_STALE when
 * it is gone (file removed). */
nfsstat4 ds_object_size(struct compound *c, uint64_t *size);
nfsstat4 check_component(const component4 *name, int lookup);
void set_cfh(struct compound *c, const struct ns_inode *ino);
/* OUT from IN. LEAD: bytes of the op's result before OUT (OPEN: its
 * stateid, 16); where the owner of another node's directory will put
 * its atomic values (pnfs/peer_delta.h). */
void cinfo_out(struct compound *c, change_info4 *out,
	       const struct ns_cinfo *in, size_t lead);
void set_cur_stateid(struct compound *c, const stateid4 *sid);
nfsstat4 need_dir(struct compound *c);
/* Permission checks of the current directory for the caller (perm.h):
 * search it (LOOKUP, OPEN by name); make NAME in DIR (NFS4ERR_EXIST
 * first when it exists, as Linux answers, then ACCESS); take NAME out of
 * DIR (search, the name must exist: *VICTIM gets its inode; then write,
 * and the sticky bit). */
nfsstat4 may_search(struct compound *c);
/* After a write to INO by the caller: drop its set-user-ID (and
 * set-group-ID when group-executable) bits unless the caller is root, as
 * Linux does (perm_mode_after_write). 0 or -errno. */
int drop_setid(struct compound *c, const struct ns_inode *ino);
nfsstat4 may_create_name(struct compound *c, const struct ns_inode *dir,
			 const component4 *name);
nfsstat4 may_delete_name(struct compound *c, const struct ns_inode *dir,
			 const component4 *name, struct ns_inode *victim);
struct attr_set;
/* SETATTR's changes of INO (already checked: op_attr.c). */
nfsstat4 setattr_apply(struct compound *c, const struct ns_inode *ino,
		       struct attr_set *set);

struct ns_create_args;
/* Owner, group and mode of a new object of type CA->type in DIR, made by
 * the caller with the attributes SET (may be NULL), into CA (perm.h:
 * set-group-ID directories; an owner or group in SET must be one the
 * caller could give). NFS4_OK or NFS4ERR_PERM. */
nfsstat4 create_args_init(struct compound *c, const struct ns_inode *dir,
			  struct ns_create_args *ca, const struct attr_set *set);
void data_release_if_orphan(struct compound *c, uint64_t fileid);

#endif
