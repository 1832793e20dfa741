/*
 * nfsd/compound.h — COMPOUND processing (RFC 8881 §16.2, §2.10.6).
 *
 * compound_run() decodes the COMPOUND header by hand, then each op in turn:
 * it looks the opcode up in the op table (op_table.c), checks what the table
 * says the op needs (minor version, role, session, current filehandle),
 * decodes the op's arguments with that op's rpcgen routine, runs the
 * handler, and encodes the result. An unknown opcode ends the COMPOUND with
 * NFS4ERR_OP_ILLEGAL (RFC 8881 §15.2: result opcode OP_ILLEGAL); undecodable
 * arguments with NFS4ERR_BADXDR.
 *
 * Threads: runs on a connection's receive thread with srv->state_lock held
 * (server.h). A struct compound lives on that thread's stack for one request.
 */
#ifndef STRATA_NFSD_COMPOUND_H
#define STRATA_NFSD_COMPOUND_H

#include <stddef.h>
#include <stdint.h>

#include "nfs4_prot.h"
#include "perm.h"
#include "rpc.h"

struct strata_server;
struct xprt_conn;
struct nfs_client;
struct nfs_session;
struct nfs_slot;

/* Current/saved filehandle: the inode it names (fileid 0 = none). */
struct cfh {
	uint64_t fileid;
	uint32_t generation;
	uint32_t type; /* enum ns_type, 0 unknown */
	uint32_t stripe; /* data server: the handle's stripe index */
	uint8_t ds_hint; /* data server: the handle's extent hint (fh.h) */
	/* Attributes of an object another node owns, as its owner sent
	 * them with the sub-compound that left it current (pnfs/peer_prot.x
	 * peer_fh): a name operation routed to the entry's owner checks the
	 * directory's permissions with them (ops/op_util.c fh_inode). */
	int has_attr;
	uint32_t mode, uid, gid;
};

struct compound {
	struct strata_server *srv;
	struct xprt_conn *conn;
	const struct rpc_call *call;
	struct perm_id who; /* the caller, for permission checks (perm.h) */
	uint32_t minorversion;
	unsigned role;

	struct nfs_session *session; /* set by SEQUENCE */
	struct nfs_slot *slot;
	/* Whose request it is, and the call a callback about state granted
	 * now must refer to (CB_SEQUENCE's referring call list, RFC 8881
	 * §20.9.3): set by SEQUENCE. Ops use these, not the session, so that
	 * they run the same where the session is not (a partition owner
	 * running a front's sub-compound, docs/decisions/0024). */
	struct nfs_client *client;
	struct compound_ref {
		uint8_t session[NFS4_SESSIONID_SIZE];
		uint32_t slot, seqid;
	} ref;
	int cachethis;
	size_t max_reply;  /* bytes the reply may take (session attrs) */

	struct cfh cur, saved;
	stateid4 cur_stateid, saved_stateid; /* RFC 8881 §16.2.3.1.2 */
	int cur_stateid_valid, saved_stateid_valid;

	unsigned opindex; /* 0-based index of the op being run */
	uint32_t opnum;   /* ... its op number */
	u_int res_pos;    /* ... where its result starts in the results */
	unsigned nops;
	/* 1 at a partition owner running a front's sub-compound: no
	 * session here, the front ran SEQUENCE (compound_run_sub). */
	int sub;
	unsigned sub_start; /* ... the first op the front sent it */
	/* 1 once an op that may change something (OPF_MUTATES) ran: an
	 * owner keeps a sub-compound's answer for a resend (peer_svc.c). */
	int mutated;
	/* Not 0: the READDIR the op loop stopped before goes on at another
	 * node's partition with this cookie (compound.c route_readdir). */
	uint64_t readdir_cookie;
	/* The op the loop stopped before, to be run at another node, is
	 * RECLAIM_COMPLETE (a front tells the owners when it succeeded:
	 * nfsd/session.h rc_done). */
	int rc_forwarded;
	/* Set by RENAME or REMOVE at the entry's owner when the operation
	 * touches other nodes' partitions: the loop then stops before it
	 * (its result undone) and the front runs it as a cross-node
	 * transaction (nfsd/xtx_task.h). */
	int xtx;
	/* Not 0: the OPEN by name about to run has its name resolved to
	 * this fileid by the entry's owner (peer_prot.x peer_ctx). */
	uint64_t name_fileid;
	/* The client's owners that restarted and await its reclaim, as
	 * SEQUENCE found them (nfsd/session.h reclaim_nodes): its
	 * RECLAIM_COMPLETE goes to one of them. */
	uint64_t rc_nodes;
	/* A LAYOUTRETURN of type FSID or ALL (RFC 8881 §18.44.3) returns
	 * the client's layouts at every owner, not only where its handle
	 * routes: a front sends the same op to each owner that holds state
	 * of the client (lr_nodes, from the client's state_nodes when the
	 * op at index lr_op - 1 is first reached), dropping each owner's
	 * OK, then runs it itself for the result (compound.c
	 * route_bulk_return, subcompound.c compound_resume). lr_forwarded:
	 * the op the loop stopped before is one of those. lr_ran: an owner ran one, so the
	 * rest goes back to the front. state_nodes: the client's
	 * (nfsd/session.h), as SEQUENCE found it and each owner's answer
	 * since left it. */
	uint64_t state_nodes;
	uint64_t lr_nodes;
	unsigned lr_op;
	int lr_forwarded;
	int lr_ran;
	/* The op at index hop_op - 1 went first to the owner of a directory
	 * whose attributes the current (or saved) handle lacked, for them
	 * (a directory reached through a name renamed across nodes:
	 * compound.c attr_hop); once per op. */
	unsigned hop_op;

	/* Set by SEQUENCE on a retransmission: the cached COMPOUND4res to send
	 * instead of running anything (RFC 8881 §2.10.6.1.3). */
	const uint8_t *replay;
	size_t replay_len;
};

/*
 * Run one COMPOUND. ARGS/ARGS_LEN: the procedure arguments. Writes the
 * COMPOUND4res into OUT (OUT_CAP bytes) and returns its length; if the
 * reply was replayed from a session slot, the slot's bytes are copied.
 * Returns 0 and sets *garbage when the header itself cannot be decoded
 * (the RPC layer answers GARBAGE_ARGS). A COMPOUND that reaches an op
 * another node runs gets NFS4ERR_DELAY there (callers that can forward
 * use compound_begin()).
 */
size_t compound_run(struct strata_server *srv, struct xprt_conn *conn,
		    const struct rpc_call *call, uint8_t *out, size_t out_cap,
		    int *garbage);

/* Where a COMPOUND stopped: at an op another node runs (decision 0024;
 * nfsd/subcompound.h). */
struct compound_stop {
	unsigned node;    /* the node that runs the rest */
	unsigned opindex; /* its first op */
	size_t in_pos;    /* that op's offset in the arguments */
};

/* ---- op table ------------------------------------------------------- */

enum op_flags {
	OPF_MV1 = 1u << 0,          /* allowed in minor version 1 */
	OPF_MDS = 1u << 1,          /* allowed on the metadata server */
	OPF_DS = 1u << 2,           /* allowed on a data server */
	OPF_NO_SESSION = 1u << 3,   /* may be sent without SEQUENCE (if alone
				       or first: RFC 8881 §2.6.3.1) */
	OPF_CFH = 1u << 4,          /* needs a current filehandle */
	OPF_MUTATES = 1u << 5,      /* changes the namespace or data */
	OPF_SEQUENCE = 1u << 6,     /* it is SEQUENCE */
	OPF_FRONT = 1u << 7,        /* a session op: runs where the client's
				       session is (its front), never at a
				       partition owner */
};

/*
 * An op handler fills RES's success arm and returns NFS4_OK, or returns an
 * error having filled only what that error's arm carries (the dispatcher
 * stores the status in RES and xdr_free()s it either way).
 */
typedef nfsstat4 (*op_handler)(struct compound *c, void *args, void *res);

struct op_desc {
	const char *name;
	op_handler fn;    /* the metadata server's handler */
	op_handler ds_fn; /* a data server's, when it differs (NULL: fn) */
	xdrproc_t xdr_args;
	size_t args_size;
	xdrproc_t xdr_res;
	size_t res_size;
	unsigned flags;
};

/* The descriptor for OPNUM, or NULL for an unknown op. */
const struct op_desc *op_table_lookup(uint32_t opnum);

#endif
