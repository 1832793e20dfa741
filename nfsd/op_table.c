/*
 * nfsd/op_table.c — the COMPOUND op table: per operation its handler, its
 * XDR routines and what it needs (compound.h enum op_flags). Minor version
 * 0-only operations (RFC 8881 §18 lists OPEN_CONFIRM, RENEW, SETCLIENTID,
 * SETCLIENTID_CONFIRM and RELEASE_LOCKOWNER as MUST NOT in 4.1) have no
 * OPF_MV1 and are answered NFS4ERR_NOTSUPP. PUTFH, READ, WRITE and COMMIT
 * have a second handler for the data-server role (ops/op_ds_io.c).
 */
#include "compound.h"
#include "ops/ops.h"

#define V1 OPF_MV1
#define MDS OPF_MDS
#define DS OPF_DS
#define FH OPF_CFH
#define MUT OPF_MUTATES
#define NOSESS OPF_NO_SESSION
#define FRONT OPF_FRONT

#define ENTRY(num, nm, fn, a, r, fl)                                           \
	[num] = { #nm, fn, NULL, (xdrproc_t)xdr_##a, sizeof(a),               \
		  (xdrproc_t)xdr_##r, sizeof(r), (fl) }
#define ENTRY0(num, nm, fn, r, fl)                                             \
	[num] = { #nm, fn, NULL, NULL, 0, (xdrproc_t)xdr_##r, sizeof(r), (fl) }
/* An op both roles serve with different handlers (MDS fn, DS dsfn). */
#define ENTRY2(num, nm, fn, dsfn, a, r, fl)                                    \
	[num] = { #nm, fn, dsfn, (xdrproc_t)xdr_##a, sizeof(a),               \
		  (xdrproc_t)xdr_##r, sizeof(r), (fl) }

static const struct op_desc ops[] = {
	ENTRY(OP_ACCESS, ACCESS, op_access, ACCESS4args, ACCESS4res,
	      V1 | MDS | FH),
	ENTRY(OP_CLOSE, CLOSE, op_close, CLOSE4args, CLOSE4res,
	      V1 | MDS | FH | MUT),
	ENTRY2(OP_COMMIT, COMMIT, op_commit, op_ds_commit, COMMIT4args,
	       COMMIT4res,
	      V1 | MDS | DS | FH | MUT),
	ENTRY(OP_CREATE, CREATE, op_create, CREATE4args, CREATE4res,
	      V1 | MDS | FH | MUT),
	ENTRY(OP_DELEGPURGE, DELEGPURGE, op_notsupp, DELEGPURGE4args,
	      DELEGPURGE4res, V1 | MDS),
	ENTRY(OP_DELEGRETURN, DELEGRETURN, op_delegreturn, DELEGRETURN4args,
	      DELEGRETURN4res, V1 | MDS | FH | MUT),
	ENTRY(OP_GETATTR, GETATTR, op_getattr, GETATTR4args, GETATTR4res,
	      V1 | MDS | DS | FH),
	ENTRY0(OP_GETFH, GETFH, op_getfh, GETFH4res, V1 | MDS | FH),
	ENTRY(OP_LINK, LINK, op_link, LINK4args, LINK4res,
	      V1 | MDS | FH | MUT),
	ENTRY(OP_LOCK, LOCK, op_lock, LOCK4args, LOCK4res,
	      V1 | MDS | FH | MUT),
	ENTRY(OP_LOCKT, LOCKT, op_lockt, LOCKT4args, LOCKT4res, V1 | MDS | FH),
	ENTRY(OP_LOCKU, LOCKU, op_locku, LOCKU4args, LOCKU4res,
	      V1 | MDS | FH | MUT),
	ENTRY(OP_LOOKUP, LOOKUP, op_lookup, LOOKUP4args, LOOKUP4res,
	      V1 | MDS | FH),
	ENTRY0(OP_LOOKUPP, LOOKUPP, op_lookupp, LOOKUPP4res, V1 | MDS | FH),
	ENTRY(OP_NVERIFY, NVERIFY, op_nverify, NVERIFY4args, NVERIFY4res,
	      V1 | MDS | FH),
	ENTRY(OP_OPEN, OPEN, op_open, OPEN4args, OPEN4res,
	      V1 | MDS | FH | MUT),
	ENTRY(OP_OPENATTR, OPENATTR, op_notsupp, OPENATTR4args, OPENATTR4res,
	      V1 | MDS | FH),
	ENTRY(OP_OPEN_CONFIRM, OPEN_CONFIRM, op_notsupp, OPEN_CONFIRM4args,
	      OPEN_CONFIRM4res, MDS),
	ENTRY(OP_OPEN_DOWNGRADE, OPEN_DOWNGRADE, op_open_downgrade,
	      OPEN_DOWNGRADE4args, OPEN_DOWNGRADE4res, V1 | MDS | FH | MUT),
	ENTRY2(OP_PUTFH, PUTFH, op_putfh, op_ds_putfh, PUTFH4args, PUTFH4res,
	      V1 | MDS | DS),
	ENTRY0(OP_PUTPUBFH, PUTPUBFH, op_putpubfh, PUTPUBFH4res, V1 | MDS),
	ENTRY0(OP_PUTROOTFH, PUTROOTFH, op_putrootfh, PUTROOTFH4res,
	       V1 | MDS),
	ENTRY2(OP_READ, READ, op_read, op_ds_read, READ4args, READ4res,
	      V1 | MDS | DS | FH),
	ENTRY(OP_READDIR, READDIR, op_readdir, READDIR4args, READDIR4res,
	      V1 | MDS | FH),
	ENTRY0(OP_READLINK, READLINK, op_readlink, READLINK4res,
	       V1 | MDS | FH),
	ENTRY(OP_REMOVE, REMOVE, op_remove, REMOVE4args, REMOVE4res,
	      V1 | MDS | FH | MUT),
	ENTRY(OP_RENAME, RENAME, op_rename, RENAME4args, RENAME4res,
	      V1 | MDS | FH | MUT),
	ENTRY(OP_RENEW, RENEW, op_notsupp, RENEW4args, RENEW4res, MDS),
	ENTRY0(OP_RESTOREFH, RESTOREFH, op_restorefh, RESTOREFH4res,
	       V1 | MDS | DS),
	ENTRY0(OP_SAVEFH, SAVEFH, op_savefh, SAVEFH4res, V1 | MDS | DS | FH),
	ENTRY(OP_SECINFO, SECINFO, op_secinfo, SECINFO4args, SECINFO4res,
	      V1 | MDS | FH),
	ENTRY(OP_SETATTR, SETATTR, op_setattr, SETATTR4args, SETATTR4res,
	      V1 | MDS | FH | MUT),
	ENTRY(OP_SETCLIENTID, SETCLIENTID, op_notsupp, SETCLIENTID4args,
	      SETCLIENTID4res, MDS),
	ENTRY(OP_SETCLIENTID_CONFIRM, SETCLIENTID_CONFIRM, op_notsupp,
	      SETCLIENTID_CONFIRM4args, SETCLIENTID_CONFIRM4res, MDS),
	ENTRY(OP_VERIFY, VERIFY, op_verify, VERIFY4args, VERIFY4res,
	      V1 | MDS | FH),
	ENTRY2(OP_WRITE, WRITE, op_write, op_ds_write, WRITE4args, WRITE4res,
	      V1 | MDS | DS | FH | MUT),
	ENTRY(OP_RELEASE_LOCKOWNER, RELEASE_LOCKOWNER, op_notsupp,
	      RELEASE_LOCKOWNER4args, RELEASE_LOCKOWNER4res, MDS),
	ENTRY(OP_BACKCHANNEL_CTL, BACKCHANNEL_CTL, op_backchannel_ctl,
	      BACKCHANNEL_CTL4args, BACKCHANNEL_CTL4res, V1 | MDS | DS | FRONT),
	ENTRY(OP_BIND_CONN_TO_SESSION, BIND_CONN_TO_SESSION,
	      op_bind_conn_to_session, BIND_CONN_TO_SESSION4args,
	      BIND_CONN_TO_SESSION4res, V1 | MDS | DS | NOSESS | FRONT),
	ENTRY(OP_EXCHANGE_ID, EXCHANGE_ID, op_exchange_id, EXCHANGE_ID4args,
	      EXCHANGE_ID4res, V1 | MDS | DS | NOSESS | FRONT),
	ENTRY(OP_CREATE_SESSION, CREATE_SESSION, op_create_session,
	      CREATE_SESSION4args, CREATE_SESSION4res,
	      V1 | MDS | DS | NOSESS | FRONT),
	ENTRY(OP_DESTROY_SESSION, DESTROY_SESSION, op_destroy_session,
	      DESTROY_SESSION4args, DESTROY_SESSION4res,
	      V1 | MDS | DS | NOSESS | FRONT),
	ENTRY(OP_FREE_STATEID, FREE_STATEID, op_free_stateid,
	      FREE_STATEID4args, FREE_STATEID4res, V1 | MDS | MUT),
	ENTRY(OP_GET_DIR_DELEGATION, GET_DIR_DELEGATION, op_notsupp,
	      GET_DIR_DELEGATION4args, GET_DIR_DELEGATION4res, V1 | MDS | FH),
	ENTRY(OP_GETDEVICEINFO, GETDEVICEINFO, op_getdeviceinfo,
	      GETDEVICEINFO4args, GETDEVICEINFO4res, V1 | MDS),
	ENTRY(OP_GETDEVICELIST, GETDEVICELIST, op_getdevicelist,
	      GETDEVICELIST4args, GETDEVICELIST4res, V1 | MDS | FH),
	ENTRY(OP_LAYOUTCOMMIT, LAYOUTCOMMIT, op_layoutcommit,
	      LAYOUTCOMMIT4args, LAYOUTCOMMIT4res, V1 | MDS | FH | MUT),
	ENTRY(OP_LAYOUTGET, LAYOUTGET, op_layoutget, LAYOUTGET4args,
	      LAYOUTGET4res, V1 | MDS | FH),
	ENTRY(OP_LAYOUTRETURN, LAYOUTRETURN, op_layoutreturn,
	      LAYOUTRETURN4args, LAYOUTRETURN4res, V1 | MDS),
	ENTRY(OP_SECINFO_NO_NAME, SECINFO_NO_NAME, op_secinfo_no_name,
	      SECINFO_NO_NAME4args, SECINFO_NO_NAME4res, V1 | MDS | FH),
	ENTRY(OP_SEQUENCE, SEQUENCE, op_sequence, SEQUENCE4args, SEQUENCE4res,
	      V1 | MDS | DS | OPF_SEQUENCE | FRONT),
	ENTRY(OP_SET_SSV, SET_SSV, op_notsupp, SET_SSV4args, SET_SSV4res,
	      V1 | MDS | FRONT),
	ENTRY(OP_TEST_STATEID, TEST_STATEID, op_test_stateid,
	      TEST_STATEID4args, TEST_STATEID4res, V1 | MDS | DS),
	ENTRY(OP_WANT_DELEGATION, WANT_DELEGATION, op_notsupp,
	      WANT_DELEGATION4args, WANT_DELEGATION4res, V1 | MDS | FH),
	ENTRY(OP_DESTROY_CLIENTID, DESTROY_CLIENTID, op_destroy_clientid,
	      DESTROY_CLIENTID4args, DESTROY_CLIENTID4res,
	      V1 | MDS | DS | NOSESS | FRONT),
	ENTRY(OP_RECLAIM_COMPLETE, RECLAIM_COMPLETE, op_reclaim_complete,
	      RECLAIM_COMPLETE4args, RECLAIM_COMPLETE4res, V1 | MDS | DS),
};

const struct op_desc *op_table_lookup(uint32_t opnum)
{
	if (opnum >= sizeof(ops) / sizeof(ops[0]) || !ops[opnum].fn)
		return NULL;
	return &ops[opnum];
}
